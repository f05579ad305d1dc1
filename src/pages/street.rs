//! A street device's pages (issue 19 §1; docs/street.md "The app"): the
//! escalation inbox (上报事项, `/street`) and the street dashboard (街道看板,
//! `/street/dashboard`). They read the linked communities' replicas that
//! `AppState::street` holds and dispatch the street's answers into the
//! community's own outbox; what is shown and allowed is linli-core's
//! `street` module.
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_core::calendar::Period;
use linli_core::model::Wish;
use linli_core::street::{self, InboxRow, StreetAction};
use linli_core::views::{self, GroupBy, Rates};
use linli_core::{CommunityId, Outcome, State, WishId};

use super::dashboard::{Chart, Data, Table, pct};
use super::ui::{Gate, label, me, span, when};
use crate::components::form::{Bind, Form, Options, Select, TextArea, TextInput};
use crate::i18n::{I18n, fill, k, tr, use_i18n};
use crate::state::{AppState, use_app};
use crate::status::{Status as Said, StatusLine};
use crate::street::LinkStatus;

/// Shown instead of a street page on a device that is not a street's.
#[component]
fn StreetGate(title: crate::i18n::Key, children: ChildrenFn) -> impl IntoView {
    let app = use_app();
    let children = StoredValue::new(children);
    // A memo: the page is built once, not again on every reload of the session.
    let street = Memo::new(move |_| app.is_street());
    view! {
        <Gate title=title empty=k::STREET_NOT_STREET>
            {move || {
                if street.get() {
                    children.with_value(|c| c()).into_any()
                } else {
                    view! { <p class="empty">{tr(k::STREET_NOT_STREET)}</p> }.into_any()
                }
            }}
        </Gate>
    }
}

/// Each community's last sync, so a failing one is seen.
#[component]
fn LinkStatuses() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let rows =
        move || {
            app.street.linked.get().into_iter().map(move |c| {
            let text = move || match c.status.get() {
                LinkStatus::Waiting => i18n.t(k::STREET_SYNC_WAITING).to_owned(),
                LinkStatus::Synced(at) => fill(i18n.t(k::STREET_SYNC_DONE), &[("when", &when(at))]),
                LinkStatus::Failed(code) => {
                    let reason = crate::status::Text::code(
                        &["sync.reason", "join.error"],
                        &code,
                        k::SYNC_REASON_OTHER,
                    );
                    fill(
                        i18n.t(k::STREET_SYNC_FAILED),
                        &[("reason", &reason.render(i18n))],
                    )
                }
            };
            let failed = move || matches!(c.status.get(), LinkStatus::Failed(_));
            view! { <li class:error=failed><strong>{c.name.clone()}</strong> " · " {text}</li> }
        })
        .collect_view()
        };
    view! {
        <details class="card">
            <summary>{tr(k::STREET_SYNC_TITLE)}</summary>
            <ul class="plain">{rows}</ul>
        </details>
    }
}

#[component]
pub fn StreetInbox() -> impl IntoView {
    view! {
        <StreetGate title=k::STREET_INBOX_TITLE>
            <InboxBody />
        </StreetGate>
    }
}

#[component]
fn InboxBody() -> impl IntoView {
    let app = use_app();
    // The cached inbox until every community's database is read.
    let rows = Memo::new(move |_| app.street.inbox());
    let open = RwSignal::new(None::<(CommunityId, WishId)>);
    // Street viewers read along; only active coordinators answer (the
    // endpoint refuses anyone else's answer, which would stay in the outbox).
    let answers = Memo::new(move |_| me(app).is_some_and(|m| street::may_answer(m.role, m.active)));
    view! {
        <p class="hint">{tr(k::STREET_INBOX_INTRO)}</p>
        <Show when=move || !answers.get()>
            <p class="hint">{tr(k::STREET_VIEWER_ONLY)}</p>
        </Show>
        <LinkStatuses />
        <Show
            when=move || rows.with(|r| !r.is_empty())
            fallback=|| view! { <p class="empty">{tr(k::STREET_INBOX_EMPTY)}</p> }
        >
            <ul class="plain street-inbox">
                <For
                    each=move || rows.get()
                    key=|r| (r.community.clone(), r.wish.clone(), r.accepted.clone())
                    let:row
                >
                    <InboxItem row=row open=open answers=answers />
                </For>
            </ul>
        </Show>
    }
}

/// The wish of `row` as the community's replica has it now.
fn wish_of(app: AppState, community: &CommunityId, wish: &WishId) -> Option<Wish> {
    let linked = app.street.find(community)?;
    linked
        .at
        .replica
        .with(|r| r.view().wishes.get(wish).cloned())
}

#[component]
fn InboxItem(
    row: InboxRow,
    open: RwSignal<Option<(CommunityId, WishId)>>,
    /// This member may answer (`street::may_answer`).
    answers: Memo<bool>,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let this = (row.community.clone(), row.wish.clone());
    let is_open = {
        let this = this.clone();
        Memo::new(move |_| open.with(|o| o.as_ref() == Some(&this)))
    };
    let toggle = {
        let this = this.clone();
        move |_| open.update(|o| *o = (o.as_ref() != Some(&this)).then(|| this.clone()))
    };
    let category = row.category.code();
    let title_id = format!("street-{}-{}", row.community, row.wish);
    let accepted = row.accepted.clone().map(|holder| {
        view! { <p><span class="chip status-claimed">{move || fill(i18n.t(k::STREET_ACCEPTED_BY), &[("holder", &holder)])}</span></p> }
    });
    let (community, wish) = this;
    let open_label = {
        let title = row.title.clone();
        move || i18n.about(i18n.t(k::STREET_HANDLE), &title)
    };
    view! {
        <li class="card street-item">
            <p class="hint">
                <strong>{row.community_name.clone()}</strong>
                " · " {move || label(i18n, "category", category)}
                " · " {row.place_text.clone()}
            </p>
            <h2 id=title_id class="item-title">{row.title.clone()}</h2>
            <p class="hint">{move || fill(i18n.t(k::STREET_ESCALATED_AT), &[("when", &when(row.escalated_at))])}</p>
            {(!row.note.is_empty()).then(|| view! { <p class="street-note">{tr(k::STREET_NOTE)} {row.note.clone()}</p> })}
            {accepted}
            // Answers need the community's replica: not while the cached
            // inbox is shown.
            <Show when=move || answers.get() && app.street.ready.get()>
                <div class="quick">
                    <button type="button" aria-expanded=move || if is_open.get() { "true" } else { "false" } aria-label=open_label.clone() on:click=toggle.clone()>
                        {tr(k::STREET_HANDLE)}
                    </button>
                </div>
            </Show>
            <Show when=move || answers.get() && is_open.get()>
                <Actions community=community.clone() wish=wish.clone() />
            </Show>
        </li>
    }
}

/// What the street may do on one escalated wish (`street::available`),
/// each opening its form.
#[component]
fn Actions(community: CommunityId, wish: WishId) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let status = RwSignal::new(Said::Idle);
    let chosen = RwSignal::new(None::<StreetAction>);
    let offered = {
        let (community, wish) = (community.clone(), wish.clone());
        Memo::new(move |_| {
            wish_of(app, &community, &wish)
                .map(|w| street::available(&w))
                .unwrap_or_default()
        })
    };
    let button = move |a: StreetAction| {
        let code = a.code();
        view! {
            <button
                type="button"
                class:secondary=a != StreetAction::Accept
                aria-expanded=move || if chosen.get() == Some(a) { "true" } else { "false" }
                on:click=move |_| {
                    status.set(Said::Idle);
                    chosen.update(|c| *c = (*c != Some(a)).then_some(a));
                }
            >
                {move || label(i18n, "street.action", code)}
            </button>
        }
    };
    view! {
        <div class="street-actions">
            {move || {
                let list = offered.get();
                if list.is_empty() {
                    view! { <p class="hint">{tr(k::STREET_NO_ACTIONS)}</p> }.into_any()
                } else {
                    view! { <div class="action-buttons">{list.into_iter().map(button).collect_view()}</div> }.into_any()
                }
            }}
            {move || chosen.get().map(|a| view! { <AnswerForm action=a community=community.clone() wish=wish.clone() status=status chosen=chosen /> })}
            <StatusLine status=status />
        </div>
    }
}

/// The signature the community sees: "西关街道 · 王主任".
fn signature(app: AppState) -> String {
    let street = app.replica.with_untracked(|r| {
        r.view()
            .community
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default()
    });
    let name = me(app).map(|m| m.name).unwrap_or_default();
    street::signature(&street, &name)
}

/// Why a form was refused, in the form's own words where it has them (the
/// holder, the guidance, the report), else the validation's.
fn refused(action: StreetAction, e: linli_core::validate::ValidationError) -> Said {
    use linli_core::validate::ValidationError as E;
    let key = match (action, e) {
        (StreetAction::Accept, E::NameEmpty) => k::STREET_HOLDER_REQUIRED,
        (StreetAction::Accept, E::NameTooLong) => k::STREET_HOLDER_TOO_LONG,
        (StreetAction::Return, E::NoteRequired) => k::STREET_GUIDANCE_REQUIRED,
        (StreetAction::Resolve, E::ReportRequired) => k::STREET_REPORT_REQUIRED,
        _ => return Said::invalid(e),
    };
    Said::Failed {
        text: crate::status::Text::key(key),
        field: Some(e.code()),
    }
}

/// The form of one answer; validated by `street::op`, written into the
/// community's outbox (offline too).
#[component]
fn AnswerForm(
    action: StreetAction,
    community: CommunityId,
    wish: WishId,
    status: RwSignal<Said>,
    chosen: RwSignal<Option<StreetAction>>,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let holder = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let submit = move || {
        let Some(w) = wish_of(app, &community, &wish) else {
            return;
        };
        let kind = match street::op(
            action,
            &w.id,
            &signature(app),
            &holder.get_untracked(),
            &text.get_untracked(),
        ) {
            Ok(kind) => kind,
            Err(e) => return status.set(refused(action, e)),
        };
        if let Err(e) = linli_core::validate::kind(&kind) {
            return status.set(Said::invalid(e));
        }
        status.set(Said::Busy(k::UI_SAVING));
        let community = community.clone();
        spawn_local(async move {
            match app.dispatch_street(&community, kind).await {
                Ok(Outcome::Void(reason)) => status.set(Said::void(reason)),
                Ok(_) => {
                    status.set(Said::done(k::STREET_SAVED));
                    chosen.set(None);
                }
                Err(e) => status.set(e.status()),
            }
        });
    };
    let name = move || label(i18n, "street.action", action.code());
    let text_label = match action {
        StreetAction::Accept => k::STREET_FIELD_NOTE,
        StreetAction::Return => k::STREET_FIELD_GUIDANCE,
        StreetAction::Resolve => k::STREET_FIELD_REPORT,
    };
    let text_codes: &'static [&'static str] = &[
        "note_required",
        "reason_required",
        "report_required",
        "text_too_long",
    ];
    view! {
        <Form status=status on_submit=submit bring_into_view=true attr:class="action-form" attr:aria-label=name>
            {(action == StreetAction::Accept).then(|| view! {
                <TextInput id="street-holder" label=k::STREET_FIELD_HOLDER hint=k::STREET_FIELD_HOLDER_HINT value=holder codes=&["name_empty", "name_too_long"] required=true />
            })}
            <TextArea id="street-text" label=text_label value=text codes=text_codes required={action != StreetAction::Accept} />
            <div class="form-row">
                <button type="submit" disabled=move || status.with(Said::is_busy)>{name}</button>
                <button type="button" class="secondary" on:click=move |_| chosen.set(None)>{tr(k::UI_CLOSE)}</button>
            </div>
        </Form>
    }
}

#[component]
pub fn StreetDashboard() -> impl IntoView {
    view! {
        <StreetGate title=k::STREET_DASHBOARD_TITLE>
            <DashboardBody />
        </StreetGate>
    }
}

/// Saves `text` as a CSV file (with a BOM, for spreadsheet programs).
fn download_csv(name: &str, text: &str) {
    let _ =
        crate::components::save_file(name, "text/csv;charset=utf-8", &format!("\u{feff}{text}"));
}

fn hours(i18n: I18n, ms: Option<u64>) -> String {
    ms.map_or_else(|| "—".to_owned(), |ms| span(i18n, ms))
}

#[component]
fn DashboardBody() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let months = Memo::new(move |_| {
        app.street.with_states(|_, states| {
            let mut all: Vec<String> = states.iter().flat_map(|s| views::wish_months(s)).collect();
            linli_core::lean::sort_stable(&mut all, &|a, b| b.cmp(a));
            all.dedup();
            all
        })
    });
    let month = RwSignal::new(String::new());
    let group = RwSignal::new(GroupBy::Month);
    let dash = Memo::new(move |_| {
        let (period, by) = (Period::from_key(&month.get()), group.get());
        app.street.with_states(|names, states| {
            let pairs: Vec<(&CommunityId, &State)> = names
                .iter()
                .map(|(id, _)| id)
                .zip(states.iter().copied())
                .collect();
            street::dashboard(&pairs, by, &period)
        })
    });
    let side: Memo<Data> = Memo::new(move |_| {
        dash.with(|d| {
            let mut rows: Vec<(String, Rates)> = d
                .rows
                .iter()
                .map(|(_, r)| (r.key.clone(), r.clone()))
                .collect();
            rows.push((i18n.t(k::STREET_WHOLE).to_owned(), d.street.clone()));
            (Some(d.street.clone()), rows)
        })
    });
    let grouped: Memo<Data> = Memo::new(move |_| {
        let by = group.get();
        dash.with(|d| {
            let rows = d
                .groups
                .iter()
                .map(|r| {
                    let name = match by {
                        GroupBy::Category => label(i18n, "category", &r.key),
                        _ => r.key.clone(),
                    };
                    (name, r.clone())
                })
                .collect();
            (Some(d.street.clone()), rows)
        })
    });
    let month_options: Options =
        Signal::derive(move || months.get().into_iter().map(|m| (m.clone(), m)).collect());
    let groups: Options = Signal::derive(move || {
        [GroupBy::Month, GroupBy::Category]
            .into_iter()
            .map(|g| {
                (
                    g.code().to_owned(),
                    label(i18n, "dashboard.group", g.code()),
                )
            })
            .collect()
    });
    let export = move |_| {
        let m = month.get_untracked();
        let name = if m.is_empty() {
            "linli-street.csv".to_owned()
        } else {
            format!("linli-street-{m}.csv")
        };
        let whole = i18n.t(k::STREET_WHOLE);
        download_csv(
            &name,
            &dash.with_untracked(|d| street::dashboard_csv(d, whole)),
        );
    };
    let any = move || dash.with(|d| d.street.total > 0);
    view! {
        <LinkStatuses />
        <div class="filters">
            <Select id="street-month" label=k::DASHBOARD_MONTH value=month options=month_options none=k::DASHBOARD_MONTH_ALL />
            <Select id="street-group" label=k::DASHBOARD_GROUP value=Bind::coded(group) options=groups />
        </div>
        <Show when=any fallback=|| view! { <p class="empty">{tr(k::DASHBOARD_NONE)}</p> }>
            <p><button type="button" class="secondary" on:click=export>{tr(k::STREET_EXPORT)}</button></p>
            <section class="card" aria-labelledby="street-side-title">
                <h2 id="street-side-title">{tr(k::STREET_SIDE_TITLE)}</h2>
                <Chart data=side id="street-side" />
                <Table data=side id="street-side" />
            </section>
            <Times dash=dash />
            <Ranking dash=dash />
            <section class="card" aria-labelledby="street-groups-title">
                <h2 id="street-groups-title">{tr(k::STREET_GROUPS_TITLE)}</h2>
                <Chart data=grouped id="street-groups" />
                <Table data=grouped id="street-groups" />
            </section>
        </Show>
    }
}

/// Escalation time (filing → escalation, the community's) and street
/// response time (escalation → the street's first answer), apart.
#[component]
fn Times(dash: Memo<street::Dashboard>) -> impl IntoView {
    let i18n = use_i18n();
    let row = move |(name, r): (String, Rates)| {
        view! {
            <tr>
                <th scope="row">{name}</th>
                <td class="num">{r.escalated}</td>
                <td class="num">{hours(i18n, r.median_escalate_ms)}</td>
                <td class="num">{r.street_answered}</td>
                <td class="num">{hours(i18n, r.median_street_ms)}</td>
            </tr>
        }
    };
    let rows = move || {
        dash.with(|d| {
            let mut rows: Vec<(String, Rates)> = d
                .rows
                .iter()
                .map(|(_, r)| (r.key.clone(), r.clone()))
                .collect();
            rows.push((i18n.t(k::STREET_WHOLE).to_owned(), d.street.clone()));
            rows
        })
    };
    let heads = [
        k::STREET_COL_ESCALATED,
        k::STREET_COL_ESCALATE_TIME,
        k::STREET_COL_ANSWERED,
        k::STREET_COL_STREET_TIME,
    ];
    view! {
        <section class="card" aria-labelledby="street-times-title">
            <h2 id="street-times-title">{tr(k::STREET_TIMES_TITLE)}</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="street-times-title">
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">{tr(k::STREET_COL_COMMUNITY)}</th>
                            {heads.into_iter().map(|key| view! { <th scope="col" class="num">{tr(key)}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>{move || rows().into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
        </section>
    }
}

/// The communities ranked (`street::ranking`).
#[component]
fn Ranking(dash: Memo<street::Dashboard>) -> impl IntoView {
    let ranked = move || dash.with(street::ranking);
    let row = |r: street::Ranked| {
        view! {
            <tr>
                <td class="num">{r.rank}</td>
                <th scope="row">{r.name}</th>
                <td class="num">{pct(r.resolution_rate)}</td>
                <td class="num">{pct(r.satisfaction_rate)}</td>
                <td class="num">{pct(r.response_rate)}</td>
            </tr>
        }
    };
    view! {
        <section class="card" aria-labelledby="street-rank-title">
            <h2 id="street-rank-title">{tr(k::STREET_RANK_TITLE)}</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="street-rank-title">
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col" class="num">{tr(k::STREET_COL_RANK)}</th>
                            <th scope="col">{tr(k::STREET_COL_COMMUNITY)}</th>
                            <th scope="col" class="num">{tr(k::DASHBOARD_COL_RESOLUTION_RATE)}</th>
                            <th scope="col" class="num">{tr(k::DASHBOARD_COL_SATISFACTION_RATE)}</th>
                            <th scope="col" class="num">{tr(k::DASHBOARD_COL_RESPONSE_RATE)}</th>
                        </tr>
                    </thead>
                    <tbody>{move || ranked().into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
        </section>
    }
}
