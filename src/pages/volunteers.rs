//! Volunteers and teams: the points leaderboard (`views::leaderboard`), one
//! member's profile and ledger with the reason of every entry
//! (`views::ledger`), and the service teams.
use leptos::prelude::*;
use leptos_router::components::A;
use linli_core::calendar::Period;
use linli_core::model::Role;
use linli_core::reduce::PointsEntry;
use linli_core::{MemberId, permissions, views};

use super::ui::{Gate, MonthOptions, More, PAGE, label, me, member_name, when};
use crate::i18n::{fill, k, tr, use_i18n};
use crate::state::use_app;

#[component]
pub fn Volunteers() -> impl IntoView {
    view! {
        <Gate title=k::VOLUNTEERS_TITLE empty=k::VOLUNTEERS_EMPTY>
            <VolunteersBody />
        </Gate>
    }
}

#[component]
fn VolunteersBody() -> impl IntoView {
    let app = use_app();
    if !me(app).is_some_and(|m| permissions::sees_lists(m.role)) {
        return view! { <p class="empty">{tr(k::VOLUNTEERS_EMPTY)}</p> }.into_any();
    }
    let selected = RwSignal::new(me(app).map(|m| m.id.0).unwrap_or_default());
    view! {
        <Leaderboard selected=selected />
        <Ledger selected=selected />
        <Teams />
    }
    .into_any()
}

#[component]
fn Leaderboard(selected: RwSignal<String>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let shown = RwSignal::new(PAGE / 2);
    // Months that have ledger entries, newest first; "" = all time.
    let months = Memo::new(move |_| app.replica.with(|r| views::ledger_months(r.view())));
    let month = RwSignal::new(months.get_untracked().first().cloned().unwrap_or_default());
    let rows = Memo::new(move |_| {
        let period = Period::from_key(&month.get());
        app.replica.with(|r| {
            let s = r.view();
            views::leaderboard_in(s, &period)
                .into_iter()
                .map(|(m, p)| {
                    let (name, role) = s
                        .members
                        .get(m)
                        .map(|x| (x.name.clone(), x.role.code()))
                        .unwrap_or_else(|| (m.0.clone(), ""));
                    (m.0.clone(), name, role, p)
                })
                .collect::<Vec<_>>()
        })
    });
    let total = Signal::derive(move || rows.with(Vec::len));
    view! {
        <section aria-labelledby="leaderboard">
            <h2 id="leaderboard">{tr(k::VOLUNTEERS_LEADERBOARD)}</h2>
            <div class="field">
                <label for="leaderboard-month">{tr(k::DASHBOARD_MONTH)}</label>
                <select
                    id="leaderboard-month"
                    on:change=move |ev| {
                        month.set(event_target_value(&ev));
                        shown.set(PAGE / 2);
                    }
                >
                    <MonthOptions months month all=k::VOLUNTEERS_ALL_TIME />
                </select>
            </div>
            <Show
                when=move || { total.get() > 0 }
                fallback=|| view! { <p class="empty">{tr(k::VOLUNTEERS_LEDGER_NONE)}</p> }
            >
                <div class="table-wrap" tabindex="0" role="region" aria-labelledby="leaderboard">
                    <table class="data">
                        <thead>
                            <tr>
                                <th scope="col" class="num">{tr(k::VOLUNTEERS_RANK)}</th>
                                <th scope="col">{tr(k::VOLUNTEERS_NAME)}</th>
                                <th scope="col">{tr(k::VOLUNTEERS_ROLE)}</th>
                                <th scope="col" class="num">{tr(k::VOLUNTEERS_POINTS)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                rows.get()
                                    .into_iter()
                                    .take(shown.get())
                                    .enumerate()
                                    .map(|(i, (id, name, role, points))| {
                                        let id2 = id.clone();
                                        view! {
                                            <tr>
                                                <td class="num">{i + 1}</td>
                                                <td>
                                                    <button
                                                        type="button"
                                                        class="link-button"
                                                        aria-pressed=move || if selected.get() == id2 { "true" } else { "false" }
                                                        on:click={
                                                            let id = id.clone();
                                                            move |_| selected.set(id.clone())
                                                        }
                                                    >
                                                        {name}
                                                    </button>
                                                </td>
                                                <td>{move || label(i18n, "role", role)}</td>
                                                <td class="num">{points}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
                <More shown=shown total=total />
            </Show>
        </section>
    }
}

#[component]
fn Ledger(selected: RwSignal<String>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let shown = RwSignal::new(PAGE);
    let members = app.replica.with_untracked(|r| {
        let mut v: Vec<(String, String, &'static str)> = r
            .view()
            .members
            .values()
            .filter(|m| m.active && !matches!(m.role, Role::Kiosk | Role::Viewer))
            .map(|m| (m.id.0.clone(), m.name.clone(), m.role.code()))
            .collect();
        v.sort_by(|a, b| a.2.cmp(b.2).then(a.0.cmp(&b.0)));
        v
    });
    // Totals, hours served, and entries (newest first).
    let data = Memo::new(move |_| {
        let id = MemberId::from(selected.get().as_str());
        app.replica.with(|r| {
            let s = r.view();
            let l = views::ledger(s, &id);
            let minutes = views::minutes_served(s, &id);
            let mut entries: Vec<(PointsEntry, String)> = l
                .entries
                .iter()
                .map(|e| {
                    let title = s
                        .wishes
                        .get(&e.wish)
                        .map_or_else(|| e.wish.0.clone(), |w| w.title.clone());
                    (e.clone(), title)
                })
                .collect();
            entries.reverse();
            let m = s.members.get(&id).cloned();
            (
                (l.basic, l.positive, l.deduction, l.total),
                minutes,
                entries,
                m,
            )
        })
    });
    let total_rows = Signal::derive(move || data.with(|d| d.2.len()));
    view! {
        <section class="card" aria-labelledby="ledger">
            <h2 id="ledger">{tr(k::VOLUNTEERS_LEDGER)}</h2>
            <div class="field">
                <label for="ledger-member">{tr(k::VOLUNTEERS_MEMBER)}</label>
                <select
                    id="ledger-member"
                    prop:value=move || selected.get()
                    on:change=move |ev| {
                        selected.set(event_target_value(&ev));
                        shown.set(PAGE);
                    }
                >
                    {members
                        .into_iter()
                        .map(|(id, name, role)| {
                            let s = id.clone();
                            view! {
                                <option value=id selected=move || selected.get_untracked() == s>
                                    {move || format!("{name}（{}）", label(i18n, "role", role))}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            {move || {
                data.with(|(_, _, _, m)| m.clone())
                    .map(|m| {
                        let cats: Vec<&str> = m.skills.iter().map(|c| c.code()).collect();
                        let grids = m.grids.join("、");
                        view! {
                            <p class="hint">
                                {move || {
                                    let names: Vec<String> = cats.iter().map(|c| label(i18n, "category", c)).collect();
                                    let mut parts = Vec::new();
                                    if !names.is_empty() {
                                        parts.push(fill(i18n.t(k::VOLUNTEERS_SKILLS), &[("names", &names.join("、"))]));
                                    }
                                    if !grids.is_empty() {
                                        parts.push(fill(i18n.t(k::VOLUNTEERS_GRIDS), &[("names", &grids)]));
                                    }
                                    parts.join(" · ")
                                }}
                            </p>
                        }
                    })
            }}
            <p class="stats-line">
                <strong>
                    {move || {
                        let ((b, p, d, t), _, _, _) = data.get();
                        fill(
                            i18n.t(k::VOLUNTEERS_TOTAL),
                            &[
                                ("total", &t.to_string()),
                                ("basic", &b.to_string()),
                                ("positive", &p.to_string()),
                                ("deduction", &(-d).to_string()),
                            ],
                        )
                    }}
                </strong>
                <br />
                {move || {
                    let minutes = data.with(|d| d.1);
                    fill(i18n.t(k::VOLUNTEERS_HOURS), &[("hours", &format!("{:.1}", minutes as f64 / 60.0))])
                }}
            </p>
            <Show
                when=move || { total_rows.get() > 0 }
                fallback=|| view! { <p class="empty">{tr(k::VOLUNTEERS_LEDGER_NONE)}</p> }
            >
                <div class="table-wrap" tabindex="0" role="region" aria-labelledby="ledger">
                    <table class="data">
                        <thead>
                            <tr>
                                <th scope="col">{tr(k::VOLUNTEERS_ENTRY_WHEN)}</th>
                                <th scope="col">{tr(k::VOLUNTEERS_ENTRY_REASON)}</th>
                                <th scope="col">{tr(k::VOLUNTEERS_ENTRY_WISH)}</th>
                                <th scope="col" class="num">{tr(k::VOLUNTEERS_ENTRY_DELTA)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                data.with(|d| d.2.iter().take(shown.get()).cloned().collect::<Vec<_>>())
                                    .into_iter()
                                    .map(|(e, title)| {
                                        let reason = e.reason.code();
                                        let plus = e.delta > 0;
                                        view! {
                                            <tr>
                                                <td>{when(e.at)}</td>
                                                <td>{move || label(i18n, "points.reason", reason)}</td>
                                                <td><A href=format!("/wishes/{}", e.wish)>{title}</A></td>
                                                <td class="num" class:delta-plus=plus class:delta-minus=!plus>
                                                    {if plus { format!("+{}", e.delta) } else { e.delta.to_string() }}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
                <More shown=shown total=total_rows />
            </Show>
        </section>
    }
}

#[component]
fn Teams() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let teams = Memo::new(move |_| {
        app.replica.with(|r| {
            let s = r.view();
            s.teams
                .values()
                .map(|t| {
                    let lead = t.lead.as_ref().map(|l| member_name(i18n, s, l));
                    let members: Vec<String> =
                        t.members.iter().map(|m| member_name(i18n, s, m)).collect();
                    let cats: Vec<&'static str> = t.categories.iter().map(|c| c.code()).collect();
                    (t.id.0.clone(), t.name.clone(), lead, members, cats)
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section aria-labelledby="teams">
            <h2 id="teams">{tr(k::VOLUNTEERS_TEAMS)}</h2>
            <Show
                when=move || teams.with(|t| !t.is_empty())
                fallback=|| view! { <p class="empty">{tr(k::VOLUNTEERS_TEAMS_NONE)}</p> }
            >
                <ul class="wish-list">
                    {move || {
                        teams
                            .get()
                            .into_iter()
                            .map(|(id, name, lead, members, cats)| {
                                let head = format!("team-{id}");
                                let by = head.clone();
                                view! {
                                    <li class="wish-item" aria-labelledby=by>
                                        <h3 id=head class="wish-title">{name}</h3>
                                        {lead.map(|l| view! {
                                            <p class="wish-meta">{move || fill(i18n.t(k::VOLUNTEERS_TEAM_LEAD), &[("name", &l)])}</p>
                                        })}
                                        <p class="wish-meta">
                                            {move || fill(i18n.t(k::VOLUNTEERS_TEAM_MEMBERS), &[("names", &members.join("、"))])}
                                        </p>
                                        <p class="wish-meta">
                                            {move || {
                                                let names: Vec<String> = cats.iter().map(|c| label(i18n, "category", c)).collect();
                                                fill(i18n.t(k::VOLUNTEERS_TEAM_CATEGORIES), &[("names", &names.join("、"))])
                                            }}
                                        </p>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
        </section>
    }
}
