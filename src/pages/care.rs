//! 关爱走访: the care list and door-to-door visits (docs/care.md). "My
//! visits" (due and overdue first), the households a member may see, one
//! household's page (record a visit offline in a few taps, then a wish from
//! it; history; private details where `care::may_see` allows), and adding a
//! household. Names, addresses, phones and notes are private records the
//! endpoint hands out (`AppState::care_items`); the log has none of them.
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use linli_core::calendar;
use linli_core::care::{
    self, CareItem, Frequency, Household, HouseholdRecord, HouseholdStatus, Outcome, VisitMode,
    VisitNote,
};
use linli_core::ids::{HouseholdId, VisitId};
use linli_core::model::Role;
use linli_core::{MemberId, OpKind};

use super::ui::{Gate, Reader, grid_options, label, me, member_name, run_care, ticking_now};
use crate::browser::new_id;
use crate::components::form::{
    Bind, CheckList, Form, Options, Radios, Select, TextArea, TextInput, coded_options,
};
use crate::i18n::{I18n, fill, k, tr, use_i18n};
use crate::state::{AppState, use_app};
use crate::status::{Status, StatusLine};

/// Who keeps the list (adds households, sees all of their grids).
fn keeps_list(role: Role) -> bool {
    matches!(role, Role::Coordinator | Role::GridWorker)
}

/// The private records this device holds, read again when the store changes.
fn care_reader(app: AppState) -> Reader<Vec<CareItem>> {
    Reader::new(move || {
        app.revision.track();
        async move { app.care_items().await }
    })
}

fn record_of(items: &[CareItem], h: &HouseholdId) -> Option<HouseholdRecord> {
    items.iter().find_map(|i| match i {
        CareItem::Household(r) if r.household == *h => Some(r.clone()),
        _ => None,
    })
}

/// The household's name where this device holds its record, else "住户 <id>".
fn shown_name(i18n: I18n, items: Reader<Vec<CareItem>>, id: &HouseholdId) -> String {
    items
        .get()
        .and_then(|i| record_of(&i, id))
        .map(|r| r.name)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| fill(i18n.t(k::CARE_UNNAMED), &[("id", id.as_str())]))
}

fn note_of(items: &[CareItem], v: &VisitId) -> Option<String> {
    items.iter().find_map(|i| match i {
        CareItem::Note(n) if n.visit == *v => Some(n.text.clone()),
        _ => None,
    })
}

fn date_text(ms: u64, offset: i32) -> String {
    let d = calendar::local(ms, offset);
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// "逾期 3 天" / "今天应走访" / "5 天内应走访".
fn due_text(i18n: I18n, days_left: i64) -> String {
    match days_left {
        d if d < 0 => fill(i18n.t(k::CARE_DUE_OVERDUE), &[("n", &(-d).to_string())]),
        0 => i18n.t(k::CARE_DUE_TODAY).to_owned(),
        d => fill(i18n.t(k::CARE_DUE_IN), &[("n", &d.to_string())]),
    }
}

/// What a list shows of a household without its private record: category,
/// grid and building — never a name.
fn facts(i18n: I18n, h: &Household) -> String {
    let mut parts = vec![h.category.clone(), h.grid.clone()];
    parts.extend(h.building.clone());
    parts.push(label(i18n, "care.frequency", h.frequency.code()));
    parts.join(" · ")
}

#[derive(Clone, PartialEq)]
struct Row {
    id: HouseholdId,
    facts: String,
    days_left: Option<i64>,
    status: HouseholdStatus,
}

#[component]
pub fn Care() -> impl IntoView {
    view! {
        <Gate title=k::CARE_TITLE empty=k::CARE_EMPTY>
            <CareBody />
        </Gate>
    }
}

#[component]
fn CareBody() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let Some(member) = me(app) else {
        return ().into_any();
    };
    let now = ticking_now();
    let items = care_reader(app);
    let rows = move |mine: bool| {
        let me = member.id.clone();
        Memo::new(move |_| {
            let now = now.get();
            app.replica.with(|r| {
                let s = r.view();
                let due: Vec<care::Due> = if mine {
                    care::mine(s, &me, now)
                } else {
                    care::due(s, now)
                        .into_iter()
                        .filter(|d| care::may_see(s, &me, &d.household.id))
                        .collect()
                };
                let mut rows: Vec<Row> = due
                    .iter()
                    .map(|d| Row {
                        id: d.household.id.clone(),
                        facts: facts(i18n, d.household),
                        days_left: Some(d.days_left),
                        status: d.household.status,
                    })
                    .collect();
                if !mine {
                    // Paused (and, for coordinators, closed) ones after.
                    rows.extend(
                        care::listed(s, &me)
                            .into_iter()
                            .filter(|h| h.status != HouseholdStatus::Active)
                            .map(|h| Row {
                                id: h.id.clone(),
                                facts: facts(i18n, h),
                                days_left: None,
                                status: h.status,
                            }),
                    );
                }
                rows
            })
        })
    };
    let (mine, all) = (rows(true), rows(false));
    let keeps = keeps_list(member.role);
    let visible = move || all.with(|r| !r.is_empty()) || mine.with(|r| !r.is_empty());
    let overdue = move || {
        all.with(|r| {
            r.iter()
                .filter(|r| r.days_left.is_some_and(|d| d < 0))
                .count()
        })
    };
    if !keeps && !visible() {
        return view! { <p class="empty">{tr(k::CARE_NOT_ALLOWED)}</p> }.into_any();
    }
    view! {
        <p>{tr(k::CARE_INTRO)}</p>
        <section class="card" aria-labelledby="care-mine">
            <h2 id="care-mine">{tr(k::CARE_MINE)}</h2>
            <HouseholdList rows=mine items=items none=k::CARE_MINE_NONE />
        </section>
        {keeps.then(|| view! {
            <section class="card" aria-labelledby="care-all">
                <h2 id="care-all">{tr(k::CARE_ALL)}</h2>
                <p class="hint" role="status">
                    {move || fill(i18n.t(k::CARE_OVERDUE_COUNT), &[("n", &overdue().to_string())])}
                </p>
                <HouseholdList rows=all items=items none=k::CARE_ALL_NONE />
                <a class="button" href="/care/new">{tr(k::CARE_ADD)}</a>
            </section>
        })}
    }
    .into_any()
}

#[component]
fn HouseholdList(
    rows: Memo<Vec<Row>>,
    items: Reader<Vec<CareItem>>,
    none: crate::i18n::Key,
) -> impl IntoView {
    let i18n = use_i18n();
    let any = move || rows.with(|r| !r.is_empty());
    view! {
        <Show when=any fallback=move || view! { <p class="empty">{tr(none)}</p> }>
            <ul class="plain care-list">
                <For each=move || rows.get() key=|r| (r.id.clone(), r.days_left, r.status) let:row>
                    {
                        let id = row.id.clone();
                        let name = move || shown_name(i18n, items, &id);
                        let when = match row.days_left {
                            Some(d) => due_text(i18n, d),
                            None => label(i18n, "care.status", row.status.code()),
                        };
                        let late = row.days_left.is_some_and(|d| d < 0);
                        view! {
                            <li class="care-item" class:overdue=late>
                                <a href=format!("/care/{}", row.id)>{name}</a>
                                <span class="hint">{row.facts.clone()}</span>
                                <span class=if late { "chip status-overdue" } else { "chip" }>{when}</span>
                            </li>
                        }
                    }
                </For>
            </ul>
        </Show>
    }
}

/// `/care/:id`: one household.
#[component]
pub fn CareHousehold() -> impl IntoView {
    view! {
        <Gate title=k::CARE_HOUSEHOLD_TITLE empty=k::CARE_EMPTY own_heading=true>
            <HouseholdPage />
        </Gate>
    }
}

/// Built again when the route's id changes (one household to another).
#[component]
fn HouseholdPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    // The id, and whether this member may see it now: a reassignment or a
    // closing synced in takes the page away at once.
    let shown = Memo::new(move |_| {
        let id = HouseholdId::from(params.with(|p| p.get("id").unwrap_or_default()));
        let me = me(app).map(|m| m.id);
        let visible = app.replica.with(|r| {
            me.is_some_and(|m| {
                care::may_see(r.view(), &m, &id) && r.view().households.contains_key(&id)
            })
        });
        (id, visible)
    });
    move || {
        let (id, visible) = shown.get();
        if visible {
            view! { <HouseholdBody id=id /> }.into_any()
        } else {
            view! {
                <h1>{tr(k::CARE_HOUSEHOLD_TITLE)}</h1>
                <p class="empty">{tr(k::CARE_NOT_FOUND)}</p>
            }
            .into_any()
        }
    }
}

#[component]
fn HouseholdBody(id: HouseholdId) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let Some(member) = me(app) else {
        return ().into_any();
    };
    let house = {
        let (id, me) = (id.clone(), member.id.clone());
        Memo::new(move |_| {
            app.replica.with(|r| {
                let s = r.view();
                care::may_see(s, &me, &id)
                    .then(|| s.households.get(&id).cloned())
                    .flatten()
            })
        })
    };
    let items = care_reader(app);
    let offset = app
        .replica
        .with_untracked(|r| r.view().settings().utc_offset_minutes);
    let can_visit = {
        let (id, me) = (id.clone(), member.id.clone());
        move || app.replica.with(|r| care::may_visit(r.view(), &me, &id))
    };
    let can_edit = {
        let (id, me) = (id.clone(), member.id.clone());
        app.replica
            .with_untracked(|r| care::may_edit(r.view(), &me, &id))
    };
    let heading = {
        let id = id.clone();
        move || shown_name(i18n, items, &id)
    };
    let summary = move || {
        house.get().map(|h| {
            let (resp, pair, due) = app.replica.with(|r| {
                let s = r.view();
                let names: Vec<String> = h.pair.iter().map(|m| member_name(i18n, s, m)).collect();
                (
                    member_name(i18n, s, &h.responsible),
                    names,
                    care::due_day(&h, crate::browser::now_ms(), offset),
                )
            });
            let today = calendar::local(crate::browser::now_ms(), offset).days;
            let due = due.map_or_else(
                || label(i18n, "care.status", h.status.code()),
                |d| due_text(i18n, d - today),
            );
            view! {
                <p>{facts(i18n, &h)}</p>
                <p>{fill(i18n.t(k::CARE_RESPONSIBLE), &[("name", &resp)])}</p>
                {(!pair.is_empty()).then(|| view! {
                    <p>{fill(i18n.t(k::CARE_PAIR), &[("names", &i18n.list(&pair))])}</p>
                })}
                <p><span class="chip">{due}</span></p>
                {(!h.reason.is_empty()).then(|| view! { <p class="hint">{h.reason.clone()}</p> })}
            }
        })
    };
    let visit_id = id.clone();
    view! {
        <h1>{heading}</h1>
        <section class="card" aria-label=move || i18n.t(k::CARE_HOUSEHOLD_TITLE)>{summary}</section>
        <Show when=can_visit.clone()>
            <VisitForm household=visit_id.clone() />
        </Show>
        <PrivateDetails household=id items=items can_edit=can_edit />
        <History house=house items=items offset=offset />
        {can_edit.then(|| view! { <Manage house=house /> })}
    }
    .into_any()
}

/// Record a visit: mode, outcome (big buttons), note; offline first. Then
/// offer a wish recorded on the household's behalf, linked to the visit.
#[component]
fn VisitForm(household: HouseholdId) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let status = RwSignal::new(Status::Idle);
    let mode = RwSignal::new(VisitMode::Home);
    let outcome = RwSignal::new(Outcome::Well);
    let note = RwSignal::new(String::new());
    let last = RwSignal::new(None::<VisitId>);
    let submit = {
        let household = household.clone();
        move || {
            let visit = VisitId::from(new_id("vis"));
            let kind = OpKind::RecordVisit {
                household: household.clone(),
                visit: visit.clone(),
                date: crate::browser::now_ms(),
                mode: mode.get_untracked(),
                outcome: outcome.get_untracked(),
                visitors: Vec::new(),
            };
            let text = note.get_untracked();
            let items = if text.trim().is_empty() {
                Vec::new()
            } else {
                vec![CareItem::Note(VisitNote {
                    household: household.clone(),
                    visit: visit.clone(),
                    text: text.trim().to_owned(),
                })]
            };
            run_care(
                app,
                vec![kind],
                items,
                status,
                Box::new(move || {
                    last.set(Some(visit));
                    note.set(String::new());
                }),
            );
        }
    };
    let wish_link = {
        let household = household.clone();
        move || {
            let visit = last.get()?;
            let (grid, building) = app.replica.with(|r| {
                let h = r.view().households.get(&household).cloned();
                (
                    h.as_ref().map(|h| h.grid.clone()).unwrap_or_default(),
                    h.and_then(|h| h.building).unwrap_or_default(),
                )
            });
            let href = format!(
                "/wishes?visit={}&grid={}&building={}",
                js_sys::encode_uri_component(visit.as_str()),
                js_sys::encode_uri_component(&grid),
                js_sys::encode_uri_component(&building),
            );
            Some(view! { <a class="button" href=href>{tr(k::CARE_VISIT_MAKE_WISH)}</a> })
        }
    };
    let outcomes = Outcome::ALL.map(|o| {
        let pressed = move || (outcome.get() == o).to_string();
        view! {
            <button
                type="button"
                class=format!("big outcome-{}", o.code())
                aria-pressed=pressed
                on:click=move |_| outcome.set(o)
            >
                {move || label(i18n, "care.outcome", o.code())}
            </button>
        }
    });
    let modes: Options = coded_options::<VisitMode>("care.mode");
    view! {
        <section class="card" aria-labelledby="care-visit">
            <h2 id="care-visit">{tr(k::CARE_VISIT_TITLE)}</h2>
            <Form status=status on_submit=submit>
                <Radios name="visit-mode" legend=k::CARE_VISIT_MODE value=Bind::coded(mode) options=modes />
                <fieldset class="outcomes">
                    <legend>{tr(k::CARE_VISIT_OUTCOME)}</legend>
                    <div class="big-buttons">{outcomes.into_iter().collect_view()}</div>
                </fieldset>
                <TextArea id="visit-note" label=k::CARE_VISIT_NOTE value=note hint=k::CARE_VISIT_NOTE_HINT codes=&["bad_note"] />
                <div class="form-row">
                    <button type="submit" class="big" disabled=move || status.with(Status::is_busy)>{tr(k::CARE_VISIT_SUBMIT)}</button>
                    <StatusLine status=status />
                </div>
            </Form>
            {wish_link}
        </section>
    }
}

/// The private record, where this device holds it; editable by those
/// `care::may_edit` allows.
#[component]
fn PrivateDetails(
    household: HouseholdId,
    items: Reader<Vec<CareItem>>,
    can_edit: bool,
) -> impl IntoView {
    let app = use_app();
    let (name, address, phone, notes) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let held = {
        let household = household.clone();
        Memo::new(move |_| items.get().and_then(|i| record_of(&i, &household)))
    };
    // Fill the form once the record arrives.
    Effect::new(move |_| {
        if let Some(r) = held.get() {
            name.set(r.name);
            address.set(r.address);
            phone.set(r.phone);
            notes.set(r.notes);
        }
    });
    let status = RwSignal::new(Status::Idle);
    let submit = move || {
        let rec = HouseholdRecord {
            household: household.clone(),
            name: name.get_untracked().trim().to_owned(),
            address: address.get_untracked().trim().to_owned(),
            phone: phone.get_untracked().trim().to_owned(),
            notes: notes.get_untracked().trim().to_owned(),
        };
        run_care(
            app,
            Vec::new(),
            vec![CareItem::Household(rec)],
            status,
            Box::new(|| {}),
        );
    };
    let shown = move || {
        held.get().map(|r| {
            view! {
                <dl class="facts">
                    <dt>{tr(k::CARE_FORM_ADDRESS)}</dt><dd>{r.address}</dd>
                    <dt>{tr(k::CARE_FORM_PHONE)}</dt><dd>{r.phone}</dd>
                    <dt>{tr(k::CARE_FORM_NOTES)}</dt><dd>{r.notes}</dd>
                </dl>
            }
        })
    };
    view! {
        <section class="card" aria-labelledby="care-private">
            <h2 id="care-private">{tr(k::CARE_PRIVATE_TITLE)}</h2>
            <Show when=move || held.with(Option::is_some) fallback=|| view! { <p class="hint">{tr(k::CARE_PRIVATE_NONE)}</p> }>
                {shown}
            </Show>
            {can_edit.then(|| view! {
                <details>
                    <summary>{tr(k::CARE_PRIVATE_EDIT)}</summary>
                    <Form status=status on_submit=submit.clone()>
                        <TextInput id="care-name" label=k::CARE_FORM_NAME value=name codes=&["name_too_long"] autocomplete="off" />
                        <TextInput id="care-address" label=k::CARE_FORM_ADDRESS value=address codes=&["address_too_long"] autocomplete="off" />
                        <TextInput id="care-phone" label=k::CARE_FORM_PHONE value=phone kind="tel" codes=&["bad_phone"] autocomplete="off" />
                        <TextArea id="care-notes" label=k::CARE_FORM_NOTES value=notes codes=&["bad_note"] />
                        <div class="form-row">
                            <button type="submit" disabled=move || status.with(Status::is_busy)>{tr(k::CARE_PRIVATE_SAVE)}</button>
                            <StatusLine status=status />
                        </div>
                    </Form>
                </details>
            })}
        </section>
    }
}

#[component]
fn History(
    house: Memo<Option<Household>>,
    items: Reader<Vec<CareItem>>,
    offset: i32,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let visits = move || {
        let mut v = house.get().map(|h| h.visits).unwrap_or_default();
        linli_core::lean::sort_stable(&mut v, &|a, b| b.date.cmp(&a.date));
        v
    };
    let any = move || house.with(|h| h.as_ref().is_some_and(|h| !h.visits.is_empty()));
    view! {
        <section class="card" aria-labelledby="care-history">
            <h2 id="care-history">{tr(k::CARE_HISTORY)}</h2>
            <Show when=any fallback=|| view! { <p class="empty">{tr(k::CARE_HISTORY_NONE)}</p> }>
                <ul class="plain care-history">
                    <For each=visits key=|v| (v.id.clone(), v.wishes.len()) let:v>
                        {
                            let who: Vec<String> = app.replica.with_untracked(|r| {
                                v.visitors.iter().map(|m| member_name(i18n, r.view(), m)).collect()
                            });
                            let line = format!(
                                "{} · {} · {} · {}",
                                date_text(v.date, offset),
                                label(i18n, "care.mode", v.mode.code()),
                                label(i18n, "care.outcome", v.outcome.code()),
                                i18n.list(&who)
                            );
                            let id = v.id.clone();
                            let note = move || items.get().and_then(|i| note_of(&i, &id));
                            let wishes = app.replica.with_untracked(|r| {
                                v.wishes
                                    .iter()
                                    .map(|w| {
                                        let title = r.view().wishes.get(w).map(|w| w.title.clone()).unwrap_or_else(|| w.to_string());
                                        view! { <li><a href=format!("/wishes/{w}")>{title}</a></li> }
                                    })
                                    .collect_view()
                            });
                            view! {
                                <li class="visit">
                                    <p>{line}</p>
                                    {move || note().map(|n| view! { <p class="note">{n}</p> })}
                                    <ul class="plain linked-wishes">{wishes}</ul>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </Show>
        </section>
    }
}

/// Frequency, pair and status, for coordinators and the grid's workers.
#[component]
fn Manage(house: Memo<Option<Household>>) -> impl IntoView {
    let app = use_app();
    let Some(h) = house.get_untracked() else {
        return ().into_any();
    };
    let status = RwSignal::new(Status::Idle);
    let category = RwSignal::new(h.category.clone());
    let grid = RwSignal::new(h.grid.clone());
    let building = RwSignal::new(h.building.clone().unwrap_or_default());
    let responsible = RwSignal::new(h.responsible.to_string());
    let frequency = RwSignal::new(h.frequency);
    let pair = RwSignal::new(h.pair.iter().map(|m| m.to_string()).collect::<Vec<_>>());
    let new_status = RwSignal::new(h.status);
    let reason = RwSignal::new(String::new());
    let id = h.id.clone();
    let update = {
        let id = id.clone();
        move || {
            let kind = OpKind::UpdateHousehold {
                household: id.clone(),
                category: Some(category.get_untracked()),
                grid: Some(grid.get_untracked()),
                // "" takes the building away.
                building: Some(building.get_untracked()),
                frequency: Some(frequency.get_untracked()),
                responsible: Some(MemberId::from(responsible.get_untracked())),
                pair: Some(
                    pair.get_untracked()
                        .into_iter()
                        .map(MemberId::from)
                        .collect(),
                ),
            };
            run_care(app, vec![kind], Vec::new(), status, Box::new(|| {}));
        }
    };
    let change = move |_| {
        let kind = OpKind::SetHouseholdStatus {
            household: id.clone(),
            status: new_status.get_untracked(),
            reason: reason.get_untracked().trim().to_owned(),
        };
        run_care(
            app,
            vec![kind],
            Vec::new(),
            status,
            Box::new(move || reason.set(String::new())),
        );
    };
    let volunteers = super::ui::member_options(app, Role::Volunteer);
    let frequencies = coded_options::<Frequency>("care.frequency");
    let statuses = coded_options::<HouseholdStatus>("care.status");
    view! {
        <section class="card" aria-labelledby="care-manage">
            <h2 id="care-manage">{tr(k::CARE_MANAGE_TITLE)}</h2>
            <Form status=status on_submit=update>
                <Select id="care-edit-category" label=k::CARE_FORM_CATEGORY value=category options=category_options(app) codes=&["unknown_care_category"] required=true />
                <Select id="care-edit-grid" label=k::CARE_FORM_GRID value=grid options=grid_options(app) codes=&["unknown_grid"] required=true />
                <Select id="care-edit-building" label=k::CARE_FORM_BUILDING value=building options=building_options(app) none=k::UI_NONE />
                <Select id="care-edit-responsible" label=k::CARE_FORM_RESPONSIBLE value=responsible options=carer_options(app) codes=&["bad_carer"] required=true />
                <Radios name="care-frequency" legend=k::CARE_FORM_FREQUENCY value=Bind::coded(frequency) options=frequencies />
                <CheckList legend=k::CARE_FORM_PAIR hint=k::CARE_FORM_PAIR_HINT id_prefix="care-pair" options=volunteers selected=pair />
                <div class="form-row">
                    <button type="submit">{tr(k::CARE_MANAGE_SAVE)}</button>
                </div>
                <Radios name="care-status" legend=k::CARE_MANAGE_STATUS value=Bind::coded(new_status) options=statuses />
                <TextInput id="care-reason" label=k::CARE_MANAGE_REASON value=reason codes=&["reason_required"] />
                <div class="form-row">
                    <button type="button" on:click=change>{tr(k::CARE_MANAGE_CHANGE_STATUS)}</button>
                    <StatusLine status=status />
                </div>
            </Form>
        </section>
    }
    .into_any()
}

/// The community's care categories, as options.
fn category_options(app: AppState) -> Options {
    Signal::derive(move || {
        app.replica.with(|r| {
            let c = &r.view().settings().care.categories;
            c.iter().map(|c| (c.clone(), c.clone())).collect()
        })
    })
}

/// The community's buildings, as options.
fn building_options(app: AppState) -> Options {
    Signal::derive(move || {
        app.replica.with(|r| {
            r.view()
                .community
                .as_ref()
                .map(|c| c.buildings.iter().map(|b| (b.clone(), b.clone())).collect())
                .unwrap_or_default()
        })
    })
}

/// Who may be responsible for a household: active grid workers and coordinators.
fn carer_options(app: AppState) -> Options {
    Signal::derive(move || {
        app.replica.with(|r| {
            r.view()
                .members
                .values()
                .filter(|m| m.active && keeps_list(m.role))
                .map(|m| (m.id.to_string(), m.name.clone()))
                .collect()
        })
    })
}

/// `/care/new`: put a household on the list, with its private record.
#[component]
pub fn CareNew() -> impl IntoView {
    view! {
        <Gate title=k::CARE_NEW_TITLE empty=k::CARE_EMPTY>
            <NewBody />
        </Gate>
    }
}

#[component]
fn NewBody() -> impl IntoView {
    let app = use_app();
    let Some(member) = me(app).filter(|m| keeps_list(m.role)) else {
        return view! { <p class="empty">{tr(k::CARE_NOT_ALLOWED)}</p> }.into_any();
    };
    let first: Option<String> = app
        .replica
        .with_untracked(|r| r.view().settings().care.categories.first().cloned());
    let category = RwSignal::new(first.unwrap_or_default());
    let grid = RwSignal::new(member.grids.first().cloned().unwrap_or_default());
    let building = RwSignal::new(String::new());
    let frequency = RwSignal::new(Frequency::Weekly);
    let responsible = RwSignal::new(if member.role == Role::GridWorker {
        member.id.to_string()
    } else {
        String::new()
    });
    let pair = RwSignal::new(Vec::<String>::new());
    let (name, address, phone, notes) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let status = RwSignal::new(Status::Idle);
    let created = RwSignal::new(None::<HouseholdId>);
    let submit = move || {
        let household = HouseholdId::from(new_id("h"));
        let kind = OpKind::AddHousehold {
            household: household.clone(),
            category: category.get_untracked(),
            grid: grid.get_untracked(),
            building: Some(building.get_untracked()).filter(|b| !b.is_empty()),
            frequency: frequency.get_untracked(),
            responsible: MemberId::from(responsible.get_untracked()),
            pair: pair
                .get_untracked()
                .into_iter()
                .map(MemberId::from)
                .collect(),
        };
        let rec = HouseholdRecord {
            household: household.clone(),
            name: name.get_untracked().trim().to_owned(),
            address: address.get_untracked().trim().to_owned(),
            phone: phone.get_untracked().trim().to_owned(),
            notes: notes.get_untracked().trim().to_owned(),
        };
        let items = if rec
            == (HouseholdRecord {
                household: household.clone(),
                ..HouseholdRecord::default()
            }) {
            Vec::new()
        } else {
            vec![CareItem::Household(rec)]
        };
        run_care(
            app,
            vec![kind],
            items,
            status,
            Box::new(move || created.set(Some(household))),
        );
    };
    let volunteers = super::ui::member_options(app, Role::Volunteer);
    let frequencies = coded_options::<Frequency>("care.frequency");
    let link = move || {
        created.get().map(
            |h| view! { <a class="button" href=format!("/care/{h}")>{tr(k::CARE_NEW_OPEN)}</a> },
        )
    };
    view! {
        <Form status=status on_submit=submit>
            <Select id="care-category" label=k::CARE_FORM_CATEGORY value=category options=category_options(app) codes=&["unknown_care_category"] required=true />
            <Select id="care-grid" label=k::CARE_FORM_GRID value=grid options=grid_options(app) codes=&["unknown_grid"] required=true />
            <Select id="care-building" label=k::CARE_FORM_BUILDING value=building options=building_options(app) none=k::UI_NONE />
            <Radios name="care-new-frequency" legend=k::CARE_FORM_FREQUENCY value=Bind::coded(frequency) options=frequencies />
            <Select id="care-responsible" label=k::CARE_FORM_RESPONSIBLE value=responsible options=carer_options(app) codes=&["bad_carer"] required=true />
            <CheckList legend=k::CARE_FORM_PAIR hint=k::CARE_FORM_PAIR_HINT id_prefix="care-new-pair" options=volunteers selected=pair />
            <fieldset>
                <legend>{tr(k::CARE_PRIVATE_TITLE)}</legend>
                <p class="hint">{tr(k::CARE_FORM_PRIVATE_HINT)}</p>
                <TextInput id="care-new-name" label=k::CARE_FORM_NAME value=name codes=&["name_too_long"] autocomplete="off" />
                <TextInput id="care-new-address" label=k::CARE_FORM_ADDRESS value=address codes=&["address_too_long"] autocomplete="off" />
                <TextInput id="care-new-phone" label=k::CARE_FORM_PHONE value=phone kind="tel" codes=&["bad_phone"] autocomplete="off" />
                <TextArea id="care-new-notes" label=k::CARE_FORM_NOTES value=notes codes=&["bad_note"] />
            </fieldset>
            <div class="form-row">
                <button type="submit" class="big" disabled=move || status.with(Status::is_busy)>{tr(k::CARE_FORM_SUBMIT)}</button>
                <StatusLine status=status />
                {link}
            </div>
        </Form>
    }
    .into_any()
}

/// The dashboard's care section: coverage by grid this month, overdue
/// households, CSV export (coordinators and grid workers).
#[component]
pub fn CoverageCard() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let now = ticking_now();
    let rows = Memo::new(move |_| {
        let now = now.get();
        app.replica.with(|r| {
            let s = r.view();
            let month = calendar::local(now, s.settings().utc_offset_minutes).month_key();
            (month.clone(), care::coverage(s, &month, now))
        })
    });
    let any = move || rows.with(|(_, r)| r.iter().any(|c| c.households > 0));
    let export = move |_| {
        let (month, rows) = rows.get_untracked();
        let csv = care::coverage_csv(
            &rows,
            [
                i18n.t(k::CARE_COVERAGE_GRID),
                i18n.t(k::CARE_COVERAGE_HOUSEHOLDS),
                i18n.t(k::CARE_COVERAGE_COVERED),
                i18n.t(k::CARE_COVERAGE_OVERDUE),
                i18n.t(k::CARE_COVERAGE_RATE),
            ],
        );
        let _ = crate::components::save_file(
            &format!("care-coverage-{month}.csv"),
            "text/csv;charset=utf-8",
            &csv,
        );
    };
    view! {
        <section class="card" aria-labelledby="care-coverage">
            <h2 id="care-coverage">{tr(k::CARE_COVERAGE_TITLE)}</h2>
            <Show when=any fallback=|| view! { <p class="empty">{tr(k::CARE_COVERAGE_NONE)}</p> }>
                <div class="table-wrap">
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{tr(k::CARE_COVERAGE_GRID)}</th>
                                <th scope="col">{tr(k::CARE_COVERAGE_HOUSEHOLDS)}</th>
                                <th scope="col">{tr(k::CARE_COVERAGE_COVERED)}</th>
                                <th scope="col">{tr(k::CARE_COVERAGE_OVERDUE)}</th>
                                <th scope="col">{tr(k::CARE_COVERAGE_RATE)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || rows.get().1.into_iter().map(|c| view! {
                                <tr>
                                    <th scope="row">{c.grid.clone()}</th>
                                    <td>{c.households}</td>
                                    <td>{c.covered}</td>
                                    <td>{c.overdue}</td>
                                    <td>{format!("{}.{}%", c.permille() / 10, c.permille() % 10)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <button type="button" on:click=export>{tr(k::CARE_COVERAGE_EXPORT)}</button>
            </Show>
        </section>
    }
}
