//! 社区管理, for coordinators: members (role, removal), volunteer service
//! teams (create; lead and members), partner units, and the community's
//! grids, buildings and claim period. Every change is a linli-core op, so
//! it works offline and the reducer has the last word (e.g. the last
//! coordinator cannot be removed: `void.last_coordinator`).
use leptos::prelude::*;
use linli_core::model::{Role, Settings};
use linli_core::{MemberId, OpKind, TeamId, validate};

use super::resources::{category_options, parse_categories};
use super::ui::{Gate, label, me, member_options, run, run_all};
use crate::browser::new_id;
use crate::components::form::{
    Bind, CheckList, Form, Options, Select, TextArea, TextInput, coded_options,
};
use crate::i18n::{fill, k, tr, use_i18n};
use crate::state::{AppState, use_app};
use crate::status::{Status, StatusLine};

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
    let status = RwSignal::new(Status::Idle);
    if member.role == Role::Coordinator {
        return view! {
            <p>{tr(k::ADMIN_INTRO)}</p>
            <StatusLine status=status />
            <Members status=status />
            <Teams status=status lead=None />
            <Partners status=status />
            <CommunityForm status=status />
            <super::KioskPinForm />
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
            <StatusLine status=status />
            <Teams status=status lead=Some(member.id) />
        }
        .into_any();
    }
    view! { <p class="empty">{tr(k::ADMIN_NOT_ALLOWED)}</p> }.into_any()
}

/// Active volunteers, who may serve on a team, as options.
fn volunteer_options(app: AppState) -> Options {
    member_options(app, Role::Volunteer)
}

#[component]
fn Members(status: RwSignal<Status>) -> impl IntoView {
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
            linli_core::lean::sort_by_key(&mut rows, |(_, name, role)| {
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
                    <MemberRow id=row.0 name=row.1 role=row.2 status=status />
                </For>
            </ul>
        </section>
    }
}

#[component]
fn MemberRow(id: MemberId, name: String, role: Role, status: RwSignal<Status>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let chosen = RwSignal::new(role);
    let confirming = RwSignal::new(false);
    // A coordinator is not offered removing themself from the community.
    let is_me = me(app).is_some_and(|m| m.id == id);
    let named = |key| {
        let n = name.clone();
        move || fill(i18n.t(key), &[("name", &n)])
    };
    let (select_label, set_label) = (named(k::ADMIN_ROLE_OF), named(k::ADMIN_SET_ROLE_OF));
    let (remove_label, confirm_text) = (named(k::ADMIN_REMOVE_OF), named(k::ADMIN_REMOVE_CONFIRM));
    let (id1, id2) = (id.clone(), id.clone());
    let set_role = move |_| {
        let kind = OpKind::SetRole {
            member: id1.clone(),
            role: chosen.get_untracked(),
        };
        run(app, kind, status, || {});
    };
    let remove = move |_| {
        confirming.set(false);
        run(
            app,
            OpKind::RemoveMember {
                member: id2.clone(),
            },
            status,
            || {},
        );
    };
    let roles = coded_options::<Role>("role");
    view! {
        <li>
            <span class="admin-name">
                <strong>{name.clone()}</strong>
                " "
                <span class="chip">{move || label(i18n, "role", role.code())}</span>
                {is_me.then(|| view! { " " <span class="chip">{tr(k::ADMIN_YOU)}</span> })}
            </span>
            <span class="inline-form">
                <Select id=format!("role-{id}") label=select_label value=Bind::coded(chosen) options=roles inline=true hide_label=true />
                <button type="button" class="secondary" aria-label=set_label on:click=set_role>{tr(k::ADMIN_SET_ROLE)}</button>
                {(!is_me).then(move || view! {
                <Show
                    when=move || confirming.get()
                    fallback=move || {
                        view! {
                            <button type="button" class="secondary" aria-label=remove_label.clone() on:click=move |_| confirming.set(true)>
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
                        <button type="button" class="secondary" on:click=move |_| confirming.set(false)>{tr(k::ADMIN_REMOVE_NO)}</button>
                    </span>
                </Show>
                })}
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
    status: RwSignal<Status>,
    /// Only the teams this member leads, and no new team (a team lead).
    lead: Option<MemberId>,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let coordinator = lead.is_none();
    let rows = Memo::new(move |_| {
        app.replica.with(|r| {
            let s = r.view();
            let name_of = |m: &MemberId| s.members.get(m).map_or(m.0.clone(), |m| m.name.clone());
            let teams = s
                .teams
                .values()
                .filter(|t| lead.is_none() || t.lead == lead);
            teams
                .map(|t| TeamRow {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    lead: t.lead.clone(),
                    members: t.members.clone(),
                    summary: i18n.list(&t.members.iter().map(name_of).collect::<Vec<_>>()),
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="card" aria-labelledby="admin-teams">
            <h2 id="admin-teams">{tr(k::ADMIN_TEAMS)}</h2>
            <ul class="plain admin-list">
                <For each=move || rows.get() key=|t| t.clone() let:team>
                    <TeamEditor team=team status=status coordinator=coordinator />
                </For>
            </ul>
            {coordinator.then(|| view! { <NewTeam status=status /> })}
        </section>
    }
}

#[component]
fn TeamEditor(team: TeamRow, status: RwSignal<Status>, coordinator: bool) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let lead = RwSignal::new(team.lead.clone().map(|m| m.0).unwrap_or_default());
    let members = RwSignal::new(team.members.iter().map(|m| m.0.clone()).collect::<Vec<_>>());
    let key = team.id.0.clone();
    let (heading, labelled) = (format!("team-{key}"), format!("team-{key}"));
    let id = team.id.clone();
    let save = move || {
        let chosen: Vec<MemberId> = members
            .get_untracked()
            .into_iter()
            .map(Into::into)
            .collect();
        let mut kinds = vec![OpKind::SetTeamMembers {
            team: id.clone(),
            members: chosen,
        }];
        // Only a coordinator hands the lead on (the reducer's rule).
        if let Some(l) = Some(lead.get_untracked()).filter(|l| coordinator && !l.is_empty()) {
            kinds.push(OpKind::UpdateTeam {
                team: id.clone(),
                name: None,
                lead: Some(l.into()),
                categories: None,
            });
        }
        run_all(app, kinds, None, status, || {});
    };
    let save_label = {
        let n = team.name.clone();
        move || fill(i18n.t(k::ADMIN_TEAM_SAVE_OF), &[("name", &n)])
    };
    view! {
        <li aria-labelledby=labelled>
            <h3 id=heading>{team.name.clone()}</h3>
            <p class="hint">{team.summary.clone()}</p>
            <Form status=status on_submit=save>
                {coordinator.then(|| view! {
                    <Select id=format!("team-lead-{key}") label=k::ADMIN_TEAM_LEAD value=lead options=volunteer_options(app) none=k::ADMIN_NO_LEAD />
                })}
                <CheckList legend=k::ADMIN_TEAM_MEMBERS id_prefix=format!("team-m-{}", team.id) options=volunteer_options(app) selected=members />
                <button type="submit" class="secondary" aria-label=save_label>{tr(k::ADMIN_TEAM_SAVE)}</button>
            </Form>
        </li>
    }
}

#[component]
fn NewTeam(status: RwSignal<Status>) -> impl IntoView {
    let app = use_app();
    let (name, lead) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let (members, categories) = (
        RwSignal::new(Vec::<String>::new()),
        RwSignal::new(Vec::<String>::new()),
    );
    let submit = move || {
        let mut chosen: Vec<MemberId> = members
            .get_untracked()
            .into_iter()
            .map(Into::into)
            .collect();
        let lead = Some(lead.get_untracked())
            .filter(|l| !l.is_empty())
            .map(MemberId::from);
        // The lead is a member of the team.
        if let Some(l) = lead.as_ref().filter(|l| !chosen.contains(l)) {
            chosen.push(l.clone());
        }
        let kind = OpKind::CreateTeam {
            team: new_id("t").into(),
            name: name.get_untracked().trim().to_owned(),
            lead,
            members: chosen,
            categories: categories.with_untracked(|c| parse_categories(c)),
        };
        run(app, kind, status, move || {
            name.set(String::new());
            members.set(Vec::new());
            categories.set(Vec::new());
        });
    };
    view! {
        <Form status=status on_submit=submit attr:class="admin-new" attr:aria-labelledby="admin-new-team">
            <h3 id="admin-new-team">{tr(k::ADMIN_NEW_TEAM)}</h3>
            <TextInput id="new-team-name" label=k::ADMIN_TEAM_NAME value=name codes=&["name_empty", "name_too_long"] required=true />
            <Select id="new-team-lead" label=k::ADMIN_TEAM_LEAD value=lead options=volunteer_options(app) none=k::ADMIN_NO_LEAD />
            <CheckList legend=k::ADMIN_TEAM_CATEGORIES hint=k::ADMIN_TEAM_CATEGORIES_HINT id_prefix="new-team-cat" options=category_options() selected=categories />
            <CheckList legend=k::ADMIN_TEAM_MEMBERS id_prefix="new-team-m" options=volunteer_options(app) selected=members />
            <button type="submit">{tr(k::ADMIN_NEW_TEAM_SUBMIT)}</button>
        </Form>
    }
}

#[component]
fn Partners(status: RwSignal<Status>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let rows = Memo::new(move |_| {
        app.replica.with(|r| {
            let s = r.view();
            let count = |p: &linli_core::PartnerId| {
                s.resources
                    .values()
                    .filter(|x| x.active && x.partner == *p)
                    .count()
            };
            s.partners
                .values()
                .map(|p| (p.name.clone(), count(&p.id)))
                .collect::<Vec<_>>()
        })
    });
    let submit = move || {
        let kind = OpKind::AddPartner {
            partner: new_id("u").into(),
            name: name.get_untracked().trim().to_owned(),
        };
        run(app, kind, status, move || name.set(String::new()));
    };
    let row = move |(n, count): (String, usize)| {
        view! { <li><strong>{n}</strong>" · "{move || fill(i18n.t(k::ADMIN_PARTNER_RESOURCES), &[("n", &count.to_string())])}</li> }
    };
    view! {
        <section class="card" aria-labelledby="admin-partners">
            <h2 id="admin-partners">{tr(k::ADMIN_PARTNERS)}</h2>
            <ul class="plain admin-list">{move || rows.get().into_iter().map(row).collect_view()}</ul>
            <Form status=status on_submit=submit attr:class="inline-form">
                <TextInput id="new-partner" label=k::ADMIN_PARTNER_NAME value=name codes=&["name_empty", "name_too_long"] inline=true />
                <button type="submit">{tr(k::ADMIN_PARTNER_ADD)}</button>
            </Form>
            <p class="hint">{tr(k::ADMIN_PARTNER_HINT)}</p>
        </section>
    }
}

/// One name per line, trimmed, blank lines and repeats dropped.
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
fn CommunityForm(status: RwSignal<Status>) -> impl IntoView {
    let app = use_app();
    let (grids0, buildings0, hours0, idle0) = app.replica.with_untracked(|r| {
        let s = r.view();
        let c = s.community.as_ref();
        let list = |f: fn(&linli_core::model::Community) -> &Vec<String>| {
            c.map(|c| f(c).join("\n")).unwrap_or_default()
        };
        (
            list(|c| &c.grids),
            list(|c| &c.buildings),
            s.settings().lease_hours,
            s.settings().kiosk_idle_seconds,
        )
    });
    let (grids, buildings) = (RwSignal::new(grids0), RwSignal::new(buildings0));
    let lease = RwSignal::new(hours0.to_string());
    let idle = RwSignal::new(idle0.to_string());
    let submit = move || {
        let Ok(idle) = idle.get_untracked().trim().parse::<u32>() else {
            status.set(Status::invalid(
                validate::ValidationError::KioskIdleOutOfRange,
            ));
            return;
        };
        let Ok(hours) = lease.get_untracked().trim().parse::<u32>() else {
            status.set(Status::invalid(
                validate::ValidationError::LeaseHoursOutOfRange,
            ));
            return;
        };
        // Settings are one op: the others stay as this device knows them.
        let settings = Settings {
            lease_hours: hours,
            kiosk_idle_seconds: idle,
            ..app.replica.with_untracked(|r| r.view().settings())
        };
        let community = OpKind::UpdateCommunity {
            name: None,
            grids: Some(lines(&grids.get_untracked())),
            buildings: Some(lines(&buildings.get_untracked())),
        };
        run_all(
            app,
            vec![OpKind::UpdateSettings { settings }, community],
            None,
            status,
            || {},
        );
    };
    let (range, idle_range) = (validate::LEASE_HOURS_RANGE, validate::KIOSK_IDLE_RANGE);
    view! {
        <section class="card" aria-labelledby="admin-community">
            <h2 id="admin-community">{tr(k::ADMIN_COMMUNITY)}</h2>
            <Form status=status on_submit=submit>
                <TextArea id="admin-grids" label=k::ADMIN_GRIDS value=grids hint=k::ADMIN_LINES_HINT codes=&["name_too_long", "list_too_long"] />
                <TextArea id="admin-buildings" label=k::ADMIN_BUILDINGS value=buildings codes=&["name_too_long", "list_too_long"] />
                <TextInput id="admin-lease" label=k::ADMIN_LEASE value=lease kind="number" min=*range.start() max=*range.end() hint=k::ADMIN_LEASE_HINT codes=&["lease_hours_out_of_range"] required=true />
                <TextInput id="admin-kiosk-idle" label=k::ADMIN_KIOSK_IDLE value=idle kind="number" min=*idle_range.start() max=*idle_range.end() hint=k::ADMIN_KIOSK_IDLE_HINT codes=&["kiosk_idle_out_of_range"] required=true />
                <button type="submit">{tr(k::ADMIN_COMMUNITY_SAVE)}</button>
            </Form>
        </section>
    }
}
