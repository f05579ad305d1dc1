//! 资源清单: partner units publish what they can offer (a room, a van, a
//! lawyer's hour, 20 volunteers on Saturdays), keep the numbers current and
//! withdraw what is gone; each resource lists the published demands it could
//! serve (`views::demands_for`), from where the unit claims them (认领服务)
//! on the wish's page. Coordinators see and manage every unit's resources.
use leptos::prelude::*;
use linli_core::model::{Category, Role};
use linli_core::{OpKind, PartnerId, ResourceId, WishId, permissions, views};

use super::checks::CheckList;
use super::ui::{Gate, Msg, StatusLine, label, me, run};
use crate::i18n::{fill, k, tr, use_i18n};
use crate::state::use_app;

/// Demands shown under a resource; the rest are counted.
const DEMANDS_SHOWN: usize = 3;
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

#[component]
pub fn Resources() -> impl IntoView {
    view! {
        <Gate title=k::RESOURCES_TITLE empty=k::RESOURCES_EMPTY>
            <ResourcesBody />
        </Gate>
    }
}

#[component]
fn ResourcesBody() -> impl IntoView {
    let app = use_app();
    let Some(member) = me(app).filter(|m| permissions::manages_resources(m.role)) else {
        return view! { <p class="empty">{tr(k::RESOURCES_NOT_ALLOWED)}</p> }.into_any();
    };
    // A partner manages its own unit's resources; a coordinator every unit's.
    let unit = (member.role == Role::Partner).then(|| member.partner.clone());
    let msg = RwSignal::new(Msg::None);
    view! {
        <p>{tr(k::RESOURCES_INTRO)}</p>
        <ResourceList msg=msg unit=unit.clone().flatten() />
        <ResourceForm msg=msg unit=unit />
        <StatusLine msg=msg />
    }
    .into_any()
}

#[derive(Clone, PartialEq)]
struct Row {
    id: ResourceId,
    title: String,
    unit: String,
    categories: Vec<String>,
    capacity: u32,
    weekdays: u8,
    grids: Vec<String>,
    demands: Vec<(WishId, String)>,
    more: usize,
}

#[component]
fn ResourceList(msg: RwSignal<Msg>, unit: Option<PartnerId>) -> impl IntoView {
    let app = use_app();
    let rows = Memo::new(move |_| {
        app.replica.with(|r| {
            let s = r.view();
            let mut rows: Vec<Row> = s
                .resources
                .values()
                .filter(|r| r.active && unit.as_ref().is_none_or(|u| &r.partner == u))
                .map(|r| {
                    let demands = views::demands_for(s, &r.id);
                    Row {
                        id: r.id.clone(),
                        title: r.title.clone(),
                        unit: s
                            .partners
                            .get(&r.partner)
                            .map_or_else(|| r.partner.0.clone(), |p| p.name.clone()),
                        categories: r.categories.iter().map(|c| c.code().to_owned()).collect(),
                        capacity: r.capacity,
                        weekdays: r.weekdays,
                        grids: r.grids.clone(),
                        more: demands.len().saturating_sub(DEMANDS_SHOWN),
                        demands: demands
                            .into_iter()
                            .take(DEMANDS_SHOWN)
                            .map(|w| (w.id.clone(), w.title.clone()))
                            .collect(),
                    }
                })
                .collect();
            rows.sort_by(|a, b| a.unit.cmp(&b.unit).then(a.title.cmp(&b.title)));
            rows
        })
    });
    let any = move || rows.with(|r| !r.is_empty());
    view! {
        <section class="card" aria-labelledby="resources-list">
            <h2 id="resources-list">{tr(k::RESOURCES_LIST)}</h2>
            <Show when=any fallback=|| view! { <p class="empty">{tr(k::RESOURCES_NONE)}</p> }>
                <ul class="plain resource-list">
                    <For each=move || rows.get() key=|r| (r.id.clone(), r.capacity, r.demands.len(), r.more) let:row>
                        <ResourceItem row=row msg=msg />
                    </For>
                </ul>
            </Show>
        </section>
    }
    .into_any()
}

/// Every category as (code, words), for a `CheckList`.
pub fn category_options(i18n: crate::i18n::I18n) -> Vec<(String, String)> {
    Category::ALL
        .into_iter()
        .map(|c| (c.code().to_owned(), label(i18n, "category", c.code())))
        .collect()
}

/// Ticked category codes back to categories (unknown codes are skipped).
pub fn parse_categories(codes: &[String]) -> Vec<Category> {
    Category::ALL
        .into_iter()
        .filter(|c| codes.iter().any(|x| x == c.code()))
        .collect()
}

fn days_text(i18n: crate::i18n::I18n, mask: u8) -> String {
    if mask == 0 {
        return i18n.t(k::RESOURCES_ANY_DAY).to_owned();
    }
    WEEKDAYS
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, d)| label(i18n, "weekday", d))
        .collect::<Vec<_>>()
        .join("、")
}

#[component]
fn ResourceItem(row: Row, msg: RwSignal<Msg>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let id = row.id.clone();
    let capacity = RwSignal::new(row.capacity.to_string());
    let title = row.title.clone();
    let heading = format!("res-{}", row.id.as_str());
    let labelled = heading.clone();
    let cap_id = format!("cap-{}", row.id.as_str());
    let cap_for = cap_id.clone();
    let total = row.demands.len() + row.more;
    let update = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Ok(n) = capacity.get_untracked().trim().parse::<u32>() else {
                msg.set(Msg::Err("validation.capacity_out_of_range".into()));
                return;
            };
            let kind = OpKind::UpdateResource {
                resource: id.clone(),
                title: None,
                categories: None,
                capacity: Some(n),
                window: None,
                weekdays: None,
                grids: None,
            };
            run(app, kind, msg, || {});
        }
    };
    let withdraw = {
        let id = id.clone();
        move |_| {
            run(
                app,
                OpKind::RemoveResource {
                    resource: id.clone(),
                },
                msg,
                || {},
            );
        }
    };
    let categories = row.categories.clone();
    let (grids, weekdays, unit, more) =
        (row.grids.clone(), row.weekdays, row.unit.clone(), row.more);
    let facts = move || {
        let cats = if categories.is_empty() {
            i18n.t(k::RESOURCES_ANY_CATEGORY).to_owned()
        } else {
            categories
                .iter()
                .map(|c| label(i18n, "category", c))
                .collect::<Vec<_>>()
                .join("、")
        };
        let places = if grids.is_empty() {
            i18n.t(k::RESOURCES_ANY_GRID).to_owned()
        } else {
            grids.join("、")
        };
        format!("{unit} · {cats} · {} · {places}", days_text(i18n, weekdays))
    };
    let withdraw_label = {
        let t = title.clone();
        move || format!("{}：{}", i18n.t(k::RESOURCES_WITHDRAW), t)
    };
    let update_label = {
        let t = title.clone();
        move || format!("{}：{}", i18n.t(k::RESOURCES_UPDATE), t)
    };
    view! {
        <li class="resource" aria-labelledby=labelled>
            <h3 id=heading>{title.clone()}</h3>
            <p class="hint">{facts}</p>
            <form class="inline-form" on:submit=update>
                <label for=cap_for>{tr(k::RESOURCES_CAPACITY)}</label>
                <input
                    id=cap_id
                    type="number"
                    min="0"
                    inputmode="numeric"
                    prop:value=move || capacity.get()
                    on:input=move |ev| capacity.set(event_target_value(&ev))
                />
                <button type="submit" class="secondary" aria-label=update_label>
                    {tr(k::RESOURCES_UPDATE)}
                </button>
                <button type="button" class="secondary" aria-label=withdraw_label on:click=withdraw>
                    {tr(k::RESOURCES_WITHDRAW)}
                </button>
            </form>
            <p>
                <strong>
                    {move || {
                        fill(
                            i18n.t(k::RESOURCES_DEMANDS),
                            &[("n", &total.to_string())],
                        )
                    }}
                </strong>
            </p>
            <ul class="plain">
                {row
                    .demands
                    .iter()
                    .map(|(w, t)| {
                        view! {
                            <li>
                                <a href=format!("/wishes/{}", w.as_str())>{t.clone()}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {(more > 0)
                .then(|| {
                    view! {
                        <p class="hint">
                            {move || fill(i18n.t(k::RESOURCES_MORE), &[("n", &more.to_string())])}
                        </p>
                    }
                })}
        </li>
    }
}

#[component]
fn ResourceForm(msg: RwSignal<Msg>, unit: Option<Option<PartnerId>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let units = Memo::new(move |_| {
        app.replica.with(|r| {
            r.view()
                .partners
                .values()
                .map(|p| (p.id.clone(), p.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let grids = Memo::new(move |_| {
        app.replica.with(|r| {
            r.view()
                .community
                .as_ref()
                .map(|c| c.grids.clone())
                .unwrap_or_default()
        })
    });
    // A partner's unit is fixed; a coordinator picks one.
    let fixed = unit.clone();
    let chosen = RwSignal::new(unit.flatten().map(|p| p.0).unwrap_or_default());
    let title = RwSignal::new(String::new());
    let capacity = RwSignal::new("1".to_owned());
    let categories = RwSignal::new(Vec::<String>::new());
    let days = RwSignal::new(Vec::<String>::new());
    let served = RwSignal::new(Vec::<String>::new());
    let category_options = Signal::derive(move || category_options(i18n));
    let day_options = Signal::derive(move || {
        WEEKDAYS
            .iter()
            .map(|d| (d.to_string(), label(i18n, "weekday", d)))
            .collect()
    });
    let grid_options =
        Signal::derive(move || grids.get().into_iter().map(|g| (g.clone(), g)).collect());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let partner = chosen.get_untracked();
        if partner.is_empty() {
            msg.set(Msg::Err("resources.error.no_unit".into()));
            return;
        }
        let Ok(n) = capacity.get_untracked().trim().parse::<u32>() else {
            msg.set(Msg::Err("validation.capacity_out_of_range".into()));
            return;
        };
        let kind = OpKind::AddResource {
            resource: super::ui::new_id("r").into(),
            partner: partner.into(),
            title: title.get_untracked().trim().to_owned(),
            categories: categories.with_untracked(|c| parse_categories(c)),
            capacity: n,
            window: None,
            weekdays: days.with_untracked(|d| {
                WEEKDAYS
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| d.iter().any(|x| x == *w))
                    .fold(0u8, |m, (i, _)| m | (1 << i))
            }),
            grids: served.get_untracked(),
        };
        run(app, kind, msg, move || {
            title.set(String::new());
            capacity.set("1".into());
            categories.set(Vec::new());
            days.set(Vec::new());
            served.set(Vec::new());
        });
    };
    let unit_field = move || {
        match &fixed {
        Some(_) => ().into_any(),
        None => view! {
            <div class="field">
                <label for="res-unit">{tr(k::RESOURCES_UNIT)}</label>
                <select id="res-unit" on:change=move |ev| chosen.set(event_target_value(&ev))>
                    <option value="" selected=move || chosen.get().is_empty()>{tr(k::RESOURCES_PICK_UNIT)}</option>
                    {units
                        .get()
                        .into_iter()
                        .map(|(id, name)| {
                            let v = id.0.clone();
                            view! { <option value=id.0 selected=move || chosen.get() == v>{name}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
        }
        .into_any(),
    }
    };
    view! {
        <section class="card" aria-labelledby="resources-add">
            <h2 id="resources-add">{tr(k::RESOURCES_ADD)}</h2>
            <form on:submit=submit novalidate>
                {unit_field}
                <div class="field">
                    <label for="res-title">{tr(k::RESOURCES_NAME)}</label>
                    <input
                        id="res-title"
                        type="text"
                        aria-describedby="res-title-hint"
                        prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev))
                    />
                    <span id="res-title-hint" class="hint">{tr(k::RESOURCES_NAME_HINT)}</span>
                </div>
                <div class="field">
                    <label for="res-capacity">{tr(k::RESOURCES_CAPACITY)}</label>
                    <input
                        id="res-capacity"
                        type="number"
                        min="0"
                        inputmode="numeric"
                        prop:value=move || capacity.get()
                        on:input=move |ev| capacity.set(event_target_value(&ev))
                    />
                </div>
                <CheckList
                    legend=k::RESOURCES_CATEGORIES
                    hint=k::RESOURCES_CATEGORIES_HINT
                    id_prefix="res-cat"
                    options=category_options
                    selected=categories
                />
                <CheckList
                    legend=k::RESOURCES_DAYS
                    hint=k::RESOURCES_DAYS_HINT
                    id_prefix="res-day"
                    options=day_options
                    selected=days
                />
                <CheckList
                    legend=k::RESOURCES_GRIDS
                    hint=k::RESOURCES_GRIDS_HINT
                    id_prefix="res-grid"
                    options=grid_options
                    selected=served
                />
                <div class="form-row">
                    <button type="submit">{tr(k::RESOURCES_SUBMIT)}</button>
                </div>
            </form>
        </section>
    }
}
