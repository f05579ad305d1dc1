//! 社区管理, for coordinators: members (role, removal), volunteer service
//! teams (create; lead and members), partner units, and the community's
//! grids, buildings and claim period. Every change is a linli-core op, so
//! it works offline and the reducer has the last word (e.g. the last
//! coordinator cannot be removed: `void.last_coordinator`).
use leptos::prelude::*;
use linli_core::model::{Role, Settings};
use linli_core::{MemberId, OpKind, TeamId};

use super::checks::CheckList;
use super::resources::{category_options, parse_categories};
use super::ui::{Gate, Msg, StatusLine, label, me, new_id, run};
use crate::i18n::{I18n, fill, k, tr, use_i18n};
use crate::state::use_app;

#[component]
pub fn Admin() -> impl IntoView {
    view! {
        <Gate title=k::ADMIN_TITLE empty=k::ADMIN_EMPTY>
            <AdminBody />
        </Gate>
    }
}

#[component]
fn AdminBody() -> impl IntoView {
    let app = use_app();
    let Some(member) = me(app) else {
        return ().into_any();
    };
    let msg = RwSignal::new(Msg::None);
    if member.role == Role::Coordinator {
        return view! {
            <p>{tr(k::ADMIN_INTRO)}</p>
            <StatusLine msg=msg />
            <Members msg=msg />
            <Teams msg=msg lead=None />
            <Partners msg=msg />
            <CommunityForm msg=msg />
        }
        .into_any();
    }
    // A team lead manages the members of the teams they lead (permission
    // matrix: `TeamLead`), nothing else here.
    let leads = app.replica.with_untracked(|r| {
        r.view()
            .teams
            .values()
            .any(|t| t.lead.as_ref() == Some(&member.id))
    });
    if member.role == Role::Volunteer && leads {
        return view! {
            <p>{tr(k::ADMIN_LEAD_INTRO)}</p>
            <StatusLine msg=msg />
            <Teams msg=msg lead=Some(member.id) />
        }
        .into_any();
    }
    view! { <p class="empty">{tr(k::ADMIN_NOT_ALLOWED)}</p> }.into_any()
}

fn role_words(i18n: I18n, role: Role) -> String {
    label(i18n, "role", role.code())
}

/// Active members who can take orders for a team (volunteers).
fn volunteer_options(app: crate::state::AppState) -> Vec<(String, String)> {
    app.replica.with(|r| {
        r.view()
            .members
            .values()
            .filter(|m| m.active && m.role == Role::Volunteer)
            .map(|m| (m.id.0.clone(), m.name.clone()))
            .collect()
    })
}

#[component]
fn Members(msg: RwSignal<Msg>) -> impl IntoView {
    let app = use_app();
    let rows = Memo::new(move |_| {
        app.replica.with(|r| {
            let mut rows: Vec<(MemberId, String, Role)> = r
                .view()
                .members
                .values()
                .filter(|m| m.active)
                .map(|m| (m.id.clone(), m.name.clone(), m.role))
                .collect();
            rows.sort_by_key(|(_, name, role)| {
                (Role::ALL.iter().position(|r| r == role), name.clone())
            });
            rows
        })
    });
    view! {
        <section class="card" aria-labelledby="admin-members">
            <h2 id="admin-members">{tr(k::ADMIN_MEMBERS)}</h2>
            <ul class="plain admin-list">
                <For each=move || rows.get() key=|row| row.clone() let:row>
                    <MemberRow id=row.0 name=row.1 role=row.2 msg=msg />
                </For>
            </ul>
        </section>
    }
}

#[component]
fn MemberRow(id: MemberId, name: String, role: Role, msg: RwSignal<Msg>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let chosen = RwSignal::new(role.code().to_owned());
    let confirming = RwSignal::new(false);
    let select_label = {
        let n = name.clone();
        move || fill(i18n.t(k::ADMIN_ROLE_OF), &[("name", &n)])
    };
    let set_label = {
        let n = name.clone();
        move || fill(i18n.t(k::ADMIN_SET_ROLE_OF), &[("name", &n)])
    };
    let remove_label = {
        let n = name.clone();
        move || fill(i18n.t(k::ADMIN_REMOVE_OF), &[("name", &n)])
    };
    let confirm_text = {
        let n = name.clone();
        move || fill(i18n.t(k::ADMIN_REMOVE_CONFIRM), &[("name", &n)])
    };
    let (id1, id2) = (id.clone(), id.clone());
    let set_role = move |_| {
        let Some(new) = Role::ALL
            .into_iter()
            .find(|r| r.code() == chosen.get_untracked())
        else {
            return;
        };
        run(
            app,
            OpKind::SetRole {
                member: id1.clone(),
                role: new,
            },
            msg,
            || {},
        );
    };
    let remove = move |_| {
        confirming.set(false);
        run(
            app,
            OpKind::RemoveMember {
                member: id2.clone(),
            },
            msg,
            || {},
        );
    };
    view! {
        <li>
            <span class="admin-name">
                <strong>{name.clone()}</strong>
                " "
                <span class="chip">{move || role_words(i18n, role)}</span>
            </span>
            <span class="inline-form">
                <select aria-label=select_label on:change=move |ev| chosen.set(event_target_value(&ev))>
                    {Role::ALL
                        .into_iter()
                        .map(|r| {
                            view! {
                                <option value=r.code() selected=r == role>
                                    {move || role_words(i18n, r)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <button type="button" class="secondary" aria-label=set_label on:click=set_role>
                    {tr(k::ADMIN_SET_ROLE)}
                </button>
                <Show
                    when=move || confirming.get()
                    fallback=move || {
                        view! {
                            <button
                                type="button"
                                class="secondary"
                                aria-label=remove_label.clone()
                                on:click=move |_| confirming.set(true)
                            >
                                {tr(k::ADMIN_REMOVE)}
                            </button>
                        }
                    }
                >
                    <span role="group" aria-label=confirm_text.clone()>
                        {confirm_text.clone()}
                        " "
                        <button type="button" on:click=remove.clone()>{tr(k::ADMIN_REMOVE_YES)}</button>
                        " "
                        <button type="button" class="secondary" on:click=move |_| confirming.set(false)>
                            {tr(k::ADMIN_REMOVE_NO)}
                        </button>
                    </span>
                </Show>
            </span>
        </li>
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct TeamRow {
    id: TeamId,
    name: String,
    lead: Option<MemberId>,
    members: Vec<MemberId>,
    summary: String,
}

#[component]
fn Teams(
    msg: RwSignal<Msg>,
    /// Only the teams this member leads, and no new team (a team lead).
    lead: Option<MemberId>,
) -> impl IntoView {
    let app = use_app();
    let coordinator = lead.is_none();
    let rows = Memo::new(move |_| {
        app.replica.with(|r| {
            let s = r.view();
            let name_of = |m: &MemberId| s.members.get(m).map_or(m.0.clone(), |m| m.name.clone());
            s.teams
                .values()
                .filter(|t| lead.is_none() || t.lead == lead)
                .map(|t| TeamRow {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    lead: t.lead.clone(),
                    members: t.members.clone(),
                    summary: t.members.iter().map(name_of).collect::<Vec<_>>().join("、"),
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="card" aria-labelledby="admin-teams">
            <h2 id="admin-teams">{tr(k::ADMIN_TEAMS)}</h2>
            <ul class="plain admin-list">
                <For each=move || rows.get() key=|t| t.clone() let:team>
                    <TeamEditor team=team msg=msg coordinator=coordinator />
                </For>
            </ul>
            {coordinator.then(|| view! { <NewTeam msg=msg /> })}
        </section>
    }
}

/// A lead picker over the volunteers (or nobody).
#[component]
fn LeadSelect(id: String, chosen: RwSignal<String>) -> impl IntoView {
    let app = use_app();
    let options = move || volunteer_options(app);
    view! {
        <select id=id on:change=move |ev| chosen.set(event_target_value(&ev))>
            <option value="" selected=move || chosen.get().is_empty()>{tr(k::ADMIN_NO_LEAD)}</option>
            {move || {
                options()
                    .into_iter()
                    .map(|(v, name)| {
                        let v2 = v.clone();
                        view! { <option value=v selected=move || chosen.get() == v2>{name}</option> }
                    })
                    .collect_view()
            }}
        </select>
    }
}

#[component]
fn TeamEditor(team: TeamRow, msg: RwSignal<Msg>, coordinator: bool) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let lead = RwSignal::new(team.lead.clone().map(|m| m.0).unwrap_or_default());
    let members = RwSignal::new(team.members.iter().map(|m| m.0.clone()).collect::<Vec<_>>());
    let options = Signal::derive(move || volunteer_options(app));
    let key = team.id.0.clone();
    let heading = format!("team-{key}");
    let labelled = heading.clone();
    let lead_id = format!("team-lead-{key}");
    let lead_for = lead_id.clone();
    let prefix = format!("team-m-{key}");
    let id = team.id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id1, id2) = (id.clone(), id.clone());
        let chosen: Vec<MemberId> = members
            .get_untracked()
            .into_iter()
            .map(Into::into)
            .collect();
        // Only a coordinator hands the lead on (the reducer's rule).
        let new_lead = Some(lead.get_untracked())
            .filter(|l| coordinator && !l.is_empty())
            .map(Into::into);
        run(
            app,
            OpKind::SetTeamMembers {
                team: id1,
                members: chosen,
            },
            msg,
            move || {
                if let Some(l) = new_lead {
                    run(
                        app,
                        OpKind::UpdateTeam {
                            team: id2,
                            name: None,
                            lead: Some(l),
                            categories: None,
                        },
                        msg,
                        || {},
                    );
                }
            },
        );
    };
    let save_label = {
        let n = team.name.clone();
        move || fill(i18n.t(k::ADMIN_TEAM_SAVE_OF), &[("name", &n)])
    };
    view! {
        <li aria-labelledby=labelled>
            <h3 id=heading>{team.name.clone()}</h3>
            <p class="hint">{team.summary.clone()}</p>
            <form on:submit=save>
                {coordinator
                    .then(|| {
                        view! {
                            <div class="field">
                                <label for=lead_for>{tr(k::ADMIN_TEAM_LEAD)}</label>
                                <LeadSelect id=lead_id chosen=lead />
                            </div>
                        }
                    })}
                <CheckList legend=k::ADMIN_TEAM_MEMBERS id_prefix=prefix options=options selected=members />
                <button type="submit" class="secondary" aria-label=save_label>
                    {tr(k::ADMIN_TEAM_SAVE)}
                </button>
            </form>
        </li>
    }
}

#[component]
fn NewTeam(msg: RwSignal<Msg>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let lead = RwSignal::new(String::new());
    let members = RwSignal::new(Vec::<String>::new());
    let categories = RwSignal::new(Vec::<String>::new());
    let category_opts = Signal::derive(move || category_options(i18n));
    let member_opts = Signal::derive(move || volunteer_options(app));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut chosen: Vec<MemberId> = members
            .get_untracked()
            .into_iter()
            .map(Into::into)
            .collect();
        let lead = Some(lead.get_untracked())
            .filter(|l| !l.is_empty())
            .map(MemberId::from);
        // The lead is a member of the team.
        if let Some(l) = &lead
            && !chosen.contains(l)
        {
            chosen.push(l.clone());
        }
        let kind = OpKind::CreateTeam {
            team: new_id("t").into(),
            name: name.get_untracked().trim().to_owned(),
            lead,
            members: chosen,
            categories: categories.with_untracked(|c| parse_categories(c)),
        };
        run(app, kind, msg, move || {
            name.set(String::new());
            members.set(Vec::new());
            categories.set(Vec::new());
        });
    };
    view! {
        <form class="admin-new" on:submit=submit novalidate aria-labelledby="admin-new-team">
            <h3 id="admin-new-team">{tr(k::ADMIN_NEW_TEAM)}</h3>
            <div class="field">
                <label for="new-team-name">{tr(k::ADMIN_TEAM_NAME)}</label>
                <input
                    id="new-team-name"
                    type="text"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label for="new-team-lead">{tr(k::ADMIN_TEAM_LEAD)}</label>
                <LeadSelect id="new-team-lead".to_owned() chosen=lead />
            </div>
            <CheckList
                legend=k::ADMIN_TEAM_CATEGORIES
                hint=k::ADMIN_TEAM_CATEGORIES_HINT
                id_prefix="new-team-cat"
                options=category_opts
                selected=categories
            />
            <CheckList legend=k::ADMIN_TEAM_MEMBERS id_prefix="new-team-m" options=member_opts selected=members />
            <button type="submit">{tr(k::ADMIN_NEW_TEAM_SUBMIT)}</button>
        </form>
    }
}

#[component]
fn Partners(msg: RwSignal<Msg>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let rows = Memo::new(move |_| {
        app.replica.with(|r| {
            let s = r.view();
            s.partners
                .values()
                .map(|p| {
                    let n = s
                        .resources
                        .values()
                        .filter(|x| x.active && x.partner == p.id)
                        .count();
                    (p.name.clone(), n)
                })
                .collect::<Vec<_>>()
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let kind = OpKind::AddPartner {
            partner: new_id("u").into(),
            name: name.get_untracked().trim().to_owned(),
        };
        run(app, kind, msg, move || name.set(String::new()));
    };
    view! {
        <section class="card" aria-labelledby="admin-partners">
            <h2 id="admin-partners">{tr(k::ADMIN_PARTNERS)}</h2>
            <ul class="plain admin-list">
                {move || {
                    rows.get()
                        .into_iter()
                        .map(|(n, count)| {
                            view! {
                                <li>
                                    <strong>{n}</strong>
                                    " · "
                                    {move || fill(i18n.t(k::ADMIN_PARTNER_RESOURCES), &[("n", &count.to_string())])}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <form class="inline-form" on:submit=submit novalidate>
                <label for="new-partner">{tr(k::ADMIN_PARTNER_NAME)}</label>
                <input
                    id="new-partner"
                    type="text"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <button type="submit">{tr(k::ADMIN_PARTNER_ADD)}</button>
            </form>
            <p class="hint">{tr(k::ADMIN_PARTNER_HINT)}</p>
        </section>
    }
}

fn lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.iter().any(|x| x == l) {
            out.push(l.to_owned());
        }
    }
    out
}

#[component]
fn CommunityForm(msg: RwSignal<Msg>) -> impl IntoView {
    let app = use_app();
    let (grids0, buildings0, settings0) = app.replica.with_untracked(|r| {
        let s = r.view();
        let c = s.community.as_ref();
        (
            c.map(|c| c.grids.join("\n")).unwrap_or_default(),
            c.map(|c| c.buildings.join("\n")).unwrap_or_default(),
            s.settings(),
        )
    });
    let grids = RwSignal::new(grids0);
    let buildings = RwSignal::new(buildings0);
    let lease = RwSignal::new(settings0.lease_hours.to_string());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(hours) = lease.get_untracked().trim().parse::<u32>() else {
            msg.set(Msg::Err("validation.lease_hours_out_of_range".into()));
            return;
        };
        let settings = Settings {
            lease_hours: hours,
            ..app.replica.with_untracked(|r| r.view().settings())
        };
        // Settings first: a refused claim period changes nothing else.
        if let Err(e) = linli_core::validate::kind(&OpKind::UpdateSettings {
            settings: settings.clone(),
        }) {
            msg.set(Msg::Err(format!("validation.{}", e.code())));
            return;
        }
        let community = OpKind::UpdateCommunity {
            name: None,
            grids: Some(lines(&grids.get_untracked())),
            buildings: Some(lines(&buildings.get_untracked())),
        };
        run(app, OpKind::UpdateSettings { settings }, msg, move || {
            run(app, community, msg, || {});
        });
    };
    view! {
        <section class="card" aria-labelledby="admin-community">
            <h2 id="admin-community">{tr(k::ADMIN_COMMUNITY)}</h2>
            <form on:submit=submit novalidate>
                <div class="field">
                    <label for="admin-grids">{tr(k::ADMIN_GRIDS)}</label>
                    <textarea
                        id="admin-grids"
                        aria-describedby="admin-lines-hint"
                        prop:value=move || grids.get()
                        on:input=move |ev| grids.set(event_target_value(&ev))
                    ></textarea>
                </div>
                <div class="field">
                    <label for="admin-buildings">{tr(k::ADMIN_BUILDINGS)}</label>
                    <textarea
                        id="admin-buildings"
                        aria-describedby="admin-lines-hint"
                        prop:value=move || buildings.get()
                        on:input=move |ev| buildings.set(event_target_value(&ev))
                    ></textarea>
                    <span id="admin-lines-hint" class="hint">{tr(k::ADMIN_LINES_HINT)}</span>
                </div>
                <div class="field">
                    <label for="admin-lease">{tr(k::ADMIN_LEASE)}</label>
                    <input
                        id="admin-lease"
                        type="number"
                        min="1"
                        inputmode="numeric"
                        aria-describedby="admin-lease-hint"
                        prop:value=move || lease.get()
                        on:input=move |ev| lease.set(event_target_value(&ev))
                    />
                    <span id="admin-lease-hint" class="hint">{tr(k::ADMIN_LEASE_HINT)}</span>
                </div>
                <button type="submit">{tr(k::ADMIN_COMMUNITY_SAVE)}</button>
            </form>
        </section>
    }
}
