//! 资源清单: partner units publish what they can offer (a room, a van, a
//! lawyer's hour, 20 volunteers on Saturdays), keep the numbers current and
//! withdraw what is gone; each resource lists the published demands it could
//! serve (`views::demands_for`), from where the unit claims them (认领服务)
//! on the wish's page. Who keeps the list is `permissions::manages_resources`;
//! coordinators see and manage every unit's resources.
use leptos::prelude::*;
use linli_core::calendar::Weekday;
use linli_core::model::{Category, Role};
use linli_core::{OpKind, PartnerId, ResourceId, WishId, permissions, validate, views};

use super::ui::{Gate, grid_options, label, me, partner_options, run};
use crate::browser::new_id;
use crate::components::form::{CheckList, Form, Options, Select, TextInput, coded_options};
use crate::i18n::{I18n, fill, k, tr, use_i18n};
use crate::state::use_app;
use crate::status::{Status, StatusLine, Text};

/// Demands shown under a resource; the rest are counted.
const DEMANDS_SHOWN: usize = 3;

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
    let status = RwSignal::new(Status::Idle);
    view! {
        <p>{tr(k::RESOURCES_INTRO)}</p>
        <ResourceList status=status unit=unit.clone().flatten() />
        <ResourceForm status=status unit=unit />
        <StatusLine status=status />
    }
    .into_any()
}

#[derive(Clone, PartialEq)]
struct Row {
    id: ResourceId,
    title: String,
    unit: String,
    categories: Vec<Category>,
    capacity: u32,
    weekdays: u8,
    grids: Vec<String>,
    demands: Vec<(WishId, String)>,
    more: usize,
}

#[component]
fn ResourceList(status: RwSignal<Status>, unit: Option<PartnerId>) -> impl IntoView {
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
                            .map_or_else(|| r.partner.to_string(), |p| p.name.clone()),
                        categories: r.categories.clone(),
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
            views::sort_stable(&mut rows, &|a, b| {
                a.unit.cmp(&b.unit).then(a.title.cmp(&b.title))
            });
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
                        <ResourceItem row=row status=status />
                    </For>
                </ul>
            </Show>
        </section>
    }
}

/// Categories, days and grids of a resource in words ("any" where none).
fn facts(i18n: I18n, row: &Row) -> String {
    let words = |codes: Vec<String>, any| {
        if codes.is_empty() {
            i18n.t(any).to_owned()
        } else {
            i18n.list(&codes)
        }
    };
    let cats = row
        .categories
        .iter()
        .map(|c| label(i18n, "category", c.code()))
        .collect();
    let days = Weekday::in_mask(row.weekdays)
        .into_iter()
        .map(|d| label(i18n, "weekday", d.code()))
        .collect();
    format!(
        "{} · {} · {} · {}",
        row.unit,
        words(cats, k::RESOURCES_ANY_CATEGORY),
        words(days, k::RESOURCES_ANY_DAY),
        words(row.grids.clone(), k::RESOURCES_ANY_GRID)
    )
}

#[component]
fn ResourceItem(row: Row, status: RwSignal<Status>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let capacity = RwSignal::new(row.capacity.to_string());
    let (heading, labelled, cap_id) = (
        format!("res-{}", row.id),
        format!("res-{}", row.id),
        format!("cap-{}", row.id),
    );
    let total = row.demands.len() + row.more;
    let id = row.id.clone();
    let update = move || {
        let Ok(n) = capacity.get_untracked().trim().parse::<u32>() else {
            status.set(Status::invalid(
                validate::ValidationError::CapacityOutOfRange,
            ));
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
        run(app, kind, status, || {});
    };
    let withdraw = {
        let id = row.id.clone();
        move |_| {
            run(
                app,
                OpKind::RemoveResource {
                    resource: id.clone(),
                },
                status,
                || {},
            )
        }
    };
    let named = |key| {
        let title = row.title.clone();
        move || i18n.about(i18n.t(key), &title)
    };
    let (update_label, withdraw_label) = (named(k::RESOURCES_UPDATE), named(k::RESOURCES_WITHDRAW));
    let facts = facts(i18n, &row);
    let demands = row
        .demands
        .into_iter()
        .map(|(w, t)| view! { <li><a href=format!("/wishes/{w}")>{t}</a></li> });
    let more = row.more;
    view! {
        <li class="resource" aria-labelledby=labelled>
            <h3 id=heading>{row.title.clone()}</h3>
            <p class="hint">{facts}</p>
            <Form status=status on_submit=update attr:class="inline-form">
                <TextInput id=cap_id label=k::RESOURCES_CAPACITY value=capacity kind="number" min=0 max=validate::CAPACITY_MAX inline=true />
                <button type="submit" class="secondary" aria-label=update_label>{tr(k::RESOURCES_UPDATE)}</button>
                <button type="button" class="secondary" aria-label=withdraw_label on:click=withdraw>{tr(k::RESOURCES_WITHDRAW)}</button>
            </Form>
            <p><strong>{move || fill(i18n.t(k::RESOURCES_DEMANDS), &[("n", &total.to_string())])}</strong></p>
            <ul class="plain">{demands.collect_view()}</ul>
            {(more > 0).then(|| view! { <p class="hint">{move || fill(i18n.t(k::RESOURCES_MORE), &[("n", &more.to_string())])}</p> })}
        </li>
    }
}

/// Codes ticked in a check list back to values (unknown codes are skipped).
fn ticked<T: linli_core::code::Coded>(codes: &[String]) -> Vec<T> {
    T::all()
        .iter()
        .copied()
        .filter(|c| codes.iter().any(|x| x == c.code()))
        .collect()
}

/// Every category as (code, words), for a `CheckList`.
pub fn category_options() -> Options {
    coded_options::<Category>("category")
}

/// Ticked category codes back to categories.
pub fn parse_categories(codes: &[String]) -> Vec<Category> {
    ticked(codes)
}

#[component]
fn ResourceForm(status: RwSignal<Status>, unit: Option<Option<PartnerId>>) -> impl IntoView {
    let app = use_app();
    let units = partner_options(app);
    let grids = grid_options(app);
    // A partner's unit is fixed; a coordinator picks one.
    let fixed = unit.is_some();
    let chosen = RwSignal::new(unit.flatten().map(|p| p.0).unwrap_or_default());
    let (title, capacity) = (RwSignal::new(String::new()), RwSignal::new("1".to_owned()));
    let (categories, days, served) = (
        RwSignal::new(Vec::new()),
        RwSignal::new(Vec::new()),
        RwSignal::new(Vec::new()),
    );
    let submit = move || {
        let partner = chosen.get_untracked();
        if partner.is_empty() {
            let text = Text::key(k::RESOURCES_ERROR_NO_UNIT);
            status.set(Status::Failed {
                text,
                field: Some("no_unit"),
            });
            return;
        }
        let Ok(n) = capacity.get_untracked().trim().parse::<u32>() else {
            status.set(Status::invalid(
                validate::ValidationError::CapacityOutOfRange,
            ));
            return;
        };
        let kind = OpKind::AddResource {
            resource: new_id("r").into(),
            partner: partner.into(),
            title: title.get_untracked().trim().to_owned(),
            categories: categories.with_untracked(|c| parse_categories(c)),
            capacity: n,
            window: None,
            weekdays: days.with_untracked(|d| Weekday::mask(&ticked(d))),
            grids: served.get_untracked(),
        };
        run(app, kind, status, move || {
            title.set(String::new());
            capacity.set("1".into());
            for list in [categories, days, served] {
                list.set(Vec::new());
            }
        });
    };
    let weekdays = coded_options::<Weekday>("weekday");
    view! {
        <section class="card" aria-labelledby="resources-add">
            <h2 id="resources-add">{tr(k::RESOURCES_ADD)}</h2>
            <Form status=status on_submit=submit>
                {(!fixed).then(|| view! {
                    <Select id="res-unit" label=k::RESOURCES_UNIT value=chosen options=units none=k::RESOURCES_PICK_UNIT codes=&["no_unit"] required=true />
                })}
                <TextInput id="res-title" label=k::RESOURCES_NAME value=title hint=k::RESOURCES_NAME_HINT codes=&["name_empty", "name_too_long"] required=true />
                <TextInput id="res-capacity" label=k::RESOURCES_CAPACITY value=capacity kind="number" min=0 max=validate::CAPACITY_MAX codes=&["capacity_out_of_range"] />
                <CheckList legend=k::RESOURCES_CATEGORIES hint=k::RESOURCES_CATEGORIES_HINT id_prefix="res-cat" options=category_options() selected=categories />
                <CheckList legend=k::RESOURCES_DAYS hint=k::RESOURCES_DAYS_HINT id_prefix="res-day" options=weekdays selected=days />
                <CheckList legend=k::RESOURCES_GRIDS hint=k::RESOURCES_GRIDS_HINT id_prefix="res-grid" options=grids selected=served />
                <div class="form-row">
                    <button type="submit">{tr(k::RESOURCES_SUBMIT)}</button>
                </div>
            </Form>
        </section>
    }
}
