//! Volunteers and teams: the points leaderboard of a month or all time
//! (`views::leaderboard_in`), one member's profile and ledger with the
//! reason of every entry (`views::ledger`), and the service teams.
use leptos::prelude::*;
use leptos_router::components::A;
use linli_core::calendar::Period;
use linli_core::model::{Member, Role};
use linli_core::reduce::PointsEntry;
use linli_core::{MemberId, permissions, rules, views};

use super::ui::{Gate, More, PAGE, label, me, member_name, when};
use crate::components::form::{Options, Select};
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

/// The months of a picker (newest first), words as they are.
fn month_options(months: Memo<Vec<String>>) -> Options {
    Signal::derive(move || months.get().into_iter().map(|m| (m.clone(), m)).collect())
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
            let row = |(m, points): (&MemberId, i64)| {
                let (name, role) = s
                    .members
                    .get(m)
                    .map(|x| (x.name.clone(), x.role.code()))
                    .unwrap_or_else(|| (m.0.clone(), ""));
                (m.0.clone(), name, role, points)
            };
            views::leaderboard_in(s, &period)
                .into_iter()
                .map(row)
                .collect::<Vec<_>>()
        })
    });
    let total = Signal::derive(move || rows.with(Vec::len));
    let pick = crate::components::form::Bind::from(month).then(move || shown.set(PAGE / 2));
    let viewer = move || me(app).map(|m| m.id);
    let readable = move |id: &str| {
        viewer().is_some_and(|v| {
            app.replica
                .with(|r| rules::sees_ledger(r.view(), &v, &MemberId::from(id)))
        })
    };
    let row = move |(i, (id, name, role, points)): (usize, (String, String, &'static str, i64))| {
        // Others' ledgers only for those who may read them; a name otherwise.
        let name = if readable(&id) {
            view! { <NameButton id=id name=name selected=selected /> }.into_any()
        } else {
            view! { <span>{name}</span> }.into_any()
        };
        view! {
            <tr>
                <td class="num">{i + 1}</td>
                <td>{name}</td>
                <td>{move || label(i18n, "role", role)}</td>
                <td class="num">{points}</td>
            </tr>
        }
    };
    view! {
        <section aria-labelledby="leaderboard">
            <h2 id="leaderboard">{tr(k::VOLUNTEERS_LEADERBOARD)}</h2>
            <Select id="leaderboard-month" label=k::DASHBOARD_MONTH value=pick options=month_options(months) none=k::VOLUNTEERS_ALL_TIME />
            <Show when=move || { total.get() > 0 } fallback=|| view! { <p class="empty">{tr(k::VOLUNTEERS_LEDGER_NONE)}</p> }>
                <div class="table-wrap" tabindex="0" role="region" aria-label=tr(k::VOLUNTEERS_LEADERBOARD_TABLE)>
                    <table class="data">
                        <thead>
                            <tr>
                                <th scope="col" class="num">{tr(k::VOLUNTEERS_RANK)}</th>
                                <th scope="col">{tr(k::VOLUNTEERS_NAME)}</th>
                                <th scope="col">{tr(k::VOLUNTEERS_ROLE)}</th>
                                <th scope="col" class="num">{tr(k::VOLUNTEERS_POINTS)}</th>
                            </tr>
                        </thead>
                        <tbody>{move || rows.get().into_iter().take(shown.get()).enumerate().map(row).collect_view()}</tbody>
                    </table>
                </div>
                <More shown=shown total=total />
            </Show>
        </section>
    }
}

/// A leaderboard name that opens the member's ledger below.
#[component]
fn NameButton(id: String, name: String, selected: RwSignal<String>) -> impl IntoView {
    let mine = id.clone();
    let pressed = move || {
        if selected.with(|s| *s == mine) {
            "true"
        } else {
            "false"
        }
    };
    view! {
        <button type="button" class="link-button" aria-pressed=pressed on:click=move |_| selected.set(id.clone())>{name}</button>
    }
}

/// One member's points: totals, hours served and every entry, newest first.
#[derive(Clone, PartialEq)]
struct LedgerData {
    totals: (i64, i64, i64, i64),
    minutes: u64,
    entries: Vec<(PointsEntry, String)>,
    member: Option<Member>,
}

#[component]
fn Ledger(selected: RwSignal<String>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let shown = RwSignal::new(PAGE);
    let viewer = move || me(app).map(|m| m.id);
    // Members who may hold points (not the kiosk or a viewer) and whose
    // ledger this member may read, by role.
    let members: Options = Signal::derive(move || {
        let viewer = viewer();
        app.replica.with(|r| {
            let mut v: Vec<&Member> = r
                .view()
                .members
                .values()
                .filter(|m| m.active && !matches!(m.role, Role::Kiosk | Role::Viewer))
                .filter(|m| {
                    viewer
                        .as_ref()
                        .is_some_and(|v| rules::sees_ledger(r.view(), v, &m.id))
                })
                .collect();
            views::sort_stable(&mut v, &|a, b| {
                a.role.code().cmp(b.role.code()).then(a.id.cmp(&b.id))
            });
            v.into_iter()
                .map(|m| {
                    (
                        m.id.to_string(),
                        i18n.with_role(&m.name, &label(i18n, "role", m.role.code())),
                    )
                })
                .collect()
        })
    });
    let data = Memo::new(move |_| {
        let picked = MemberId::from(selected.get().as_str());
        let viewer = viewer();
        app.replica.with(|r| {
            let s = r.view();
            let id = match &viewer {
                Some(v) if rules::sees_ledger(s, v, &picked) => picked,
                Some(v) => v.clone(),
                None => picked,
            };
            let l = views::ledger(s, &id);
            let title = |e: &PointsEntry| super::ui::subject_title(s, &e.about);
            LedgerData {
                totals: (l.basic, l.positive, l.deduction, l.total),
                minutes: views::minutes_served(s, &id),
                entries: l
                    .entries
                    .iter()
                    .rev()
                    .map(|e| (e.clone(), title(e)))
                    .collect(),
                member: s.members.get(&id).cloned(),
            }
        })
    });
    let pick = crate::components::form::Bind::from(selected).then(move || shown.set(PAGE));
    view! {
        <section class="card" aria-labelledby="ledger">
            <h2 id="ledger">{tr(k::VOLUNTEERS_LEDGER)}</h2>
            <Show when=move || members.with(|m| m.len() > 1)>
                <Select id="ledger-member" label=k::VOLUNTEERS_MEMBER value=pick options=members />
            </Show>
            {move || data.with(|d| d.member.clone()).map(|m| view! { <MemberFacts member=m /> })}
            <p class="stats-line">
                <strong>
                    {move || {
                        let (b, p, d, t) = data.with(|d| d.totals);
                        let args = [("total", t.to_string()), ("basic", b.to_string()), ("positive", p.to_string()), ("deduction", (-d).to_string())];
                        let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
                        fill(i18n.t(k::VOLUNTEERS_TOTAL), &args)
                    }}
                </strong>
                <br />
                {move || fill(i18n.t(k::VOLUNTEERS_HOURS), &[("hours", &format!("{:.1}", data.with(|d| d.minutes) as f64 / 60.0))])}
            </p>
            <LedgerTable data=data shown=shown />
        </section>
    }
}

/// A member's skills and grids.
#[component]
fn MemberFacts(member: Member) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || {
        let grids = i18n.list(&member.grids);
        let names: Vec<String> = member
            .skills
            .iter()
            .map(|c| label(i18n, "category", c.code()))
            .collect();
        let skills = (!names.is_empty()).then(|| {
            fill(
                i18n.t(k::VOLUNTEERS_SKILLS),
                &[("names", &i18n.list(&names))],
            )
        });
        let grids =
            (!grids.is_empty()).then(|| fill(i18n.t(k::VOLUNTEERS_GRIDS), &[("names", &grids)]));
        skills
            .into_iter()
            .chain(grids)
            .collect::<Vec<_>>()
            .join(" · ")
    };
    view! { <p class="hint">{text}</p> }
}

#[component]
fn LedgerTable(data: Memo<LedgerData>, shown: RwSignal<usize>) -> impl IntoView {
    let i18n = use_i18n();
    let total = Signal::derive(move || data.with(|d| d.entries.len()));
    let row = move |(e, title): (PointsEntry, String)| {
        let reason = e.reason.code();
        let plus = e.delta > 0;
        view! {
            <tr>
                <td>{when(e.at)}</td>
                <td>{move || label(i18n, "points.reason", reason)}</td>
                <td><A href=super::ui::subject_href(&e.about)>{title}</A></td>
                <td class="num" class:delta-plus=plus class:delta-minus=!plus>
                    {if plus { format!("+{}", e.delta) } else { e.delta.to_string() }}
                </td>
            </tr>
        }
    };
    view! {
        <Show when=move || { total.get() > 0 } fallback=|| view! { <p class="empty">{tr(k::VOLUNTEERS_LEDGER_NONE)}</p> }>
            <div class="table-wrap" tabindex="0" role="region" aria-label=tr(k::VOLUNTEERS_LEDGER_TABLE)>
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
                        {move || data.with(|d| d.entries.iter().take(shown.get()).cloned().collect::<Vec<_>>()).into_iter().map(row).collect_view()}
                    </tbody>
                </table>
            </div>
            <More shown=shown total=total />
        </Show>
    }
}

#[component]
fn Teams() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let teams = Memo::new(move |_| {
        app.replica.with(|r| {
            let s = r.view();
            let team = |t: &linli_core::model::Team| {
                let lead = t.lead.as_ref().map(|l| member_name(i18n, s, l));
                let members: Vec<String> =
                    t.members.iter().map(|m| member_name(i18n, s, m)).collect();
                (
                    t.id.0.clone(),
                    t.name.clone(),
                    lead,
                    members,
                    t.categories.clone(),
                )
            };
            s.teams.values().map(team).collect::<Vec<_>>()
        })
    });
    let item = move |(id, name, lead, members, cats): (
        String,
        String,
        Option<String>,
        Vec<String>,
        Vec<linli_core::model::Category>,
    )| {
        let (head, by) = (format!("team-{id}"), format!("team-{id}"));
        let categories = move || {
            let names: Vec<String> = cats
                .iter()
                .map(|c| label(i18n, "category", c.code()))
                .collect();
            fill(
                i18n.t(k::VOLUNTEERS_TEAM_CATEGORIES),
                &[("names", &i18n.list(&names))],
            )
        };
        view! {
            <li class="wish-item" aria-labelledby=by>
                <h3 id=head class="wish-title">{name}</h3>
                {lead.map(|l| view! { <p class="wish-meta">{move || fill(i18n.t(k::VOLUNTEERS_TEAM_LEAD), &[("name", &l)])}</p> })}
                <p class="wish-meta">{move || fill(i18n.t(k::VOLUNTEERS_TEAM_MEMBERS), &[("names", &i18n.list(&members))])}</p>
                <p class="wish-meta">{categories}</p>
            </li>
        }
    };
    view! {
        <section aria-labelledby="teams">
            <h2 id="teams">{tr(k::VOLUNTEERS_TEAMS)}</h2>
            <Show when=move || teams.with(|t| !t.is_empty()) fallback=|| view! { <p class="empty">{tr(k::VOLUNTEERS_TEAMS_NONE)}</p> }>
                <ul class="wish-list">{move || teams.get().into_iter().map(item).collect_view()}</ul>
            </Show>
        </section>
    }
}
