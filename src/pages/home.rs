use leptos::prelude::*;
use leptos_router::components::A;
use linli_core::model::Role;
use linli_core::views;

use super::ui::{label, me};
use crate::i18n::{fill, k, tr, use_i18n};
use crate::state::use_app;

#[component]
pub fn Home() -> impl IntoView {
    let app = use_app();
    // A kiosk's home is the walk-up screen until its PIN unlocks it.
    let kiosk = Memo::new(move |_| app.role() == Some(Role::Kiosk) && !app.kiosk_unlocked.get());
    view! {
        <Show when=move || !kiosk.get() fallback=super::KioskHome>
            <MemberHome />
        </Show>
    }
}

#[component]
fn MemberHome() -> impl IntoView {
    let app = use_app();
    let joined = Memo::new(move |_| me(app).is_some());
    view! {
        <h1>{tr(k::HOME_TITLE)}</h1>
        <p>{tr(k::HOME_INTRO)}</p>
        <Show
            when=move || joined.get()
            fallback=|| {
                view! {
                    <section class="card join-cta" aria-labelledby="home-join">
                        <h2 id="home-join">{tr(k::HOME_JOIN_TITLE)}</h2>
                        <p>{tr(k::HOME_NOT_JOINED)}</p>
                        <A href="/join" attr:class="button">{tr(k::HOME_JOIN_CTA)}</A>
                    </section>
                }
            }
        >
            <Today />
        </Show>
        <h2>{tr(k::HOME_STEPS_TITLE)}</h2>
        <ol class="steps">
            <li>{tr(k::HOME_STEP_LIST)}</li>
            <li>{tr(k::HOME_STEP_DISPATCH)}</li>
            <li>{tr(k::HOME_STEP_TAKE)}</li>
            <li>{tr(k::HOME_STEP_EVALUATE)}</li>
        </ol>
    }
}

/// Who this device is, and what waits for them (counts link to the page).
#[component]
fn Today() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let data = Memo::new(move |_| {
        let m = me(app)?;
        Some(app.replica.with(|r| {
            let s = r.view();
            let community = s
                .community
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default();
            let mine = views::my_orders(s, &m.id);
            let waiting_eval = mine
                .requested
                .iter()
                .filter(|w| w.status == linli_core::model::Status::Completed)
                .count();
            let inbox = views::board(s)
                .into_iter()
                .find(|(c, _)| *c == views::Column::Inbox)
                .map_or(0, |(_, v)| v.len());
            let open = views::open_orders(s, &m.id).len();
            let now = crate::browser::now_ms();
            let visits = linli_core::care::mine(s, &m.id, now)
                .iter()
                .filter(|d| linli_core::care::this_week(d, s, now))
                .count();
            let cares = !linli_core::care::mine(s, &m.id, now).is_empty();
            let leads = s
                .teams
                .values()
                .filter(|t| t.lead.as_ref() == Some(&m.id))
                .count();
            (
                m.name,
                m.role,
                community,
                mine.holding.len(),
                waiting_eval,
                inbox,
                open,
                s.points(&m.id),
                leads,
                (visits, cares),
            )
        }))
    });
    move || {
        data.get()
            .map(|(name, role, community, holding, to_eval, inbox, open, points, leads, (visits, cares))| {
                let who = move || {
                    fill(
                        i18n.t(k::HOME_YOU_ARE),
                        &[
                            ("name", &name),
                            ("role", &label(i18n, "role", role.code())),
                            ("community", &community),
                        ],
                    )
                };
                let mut links: Vec<(&'static str, crate::i18n::Key, usize)> = Vec::new();
                let street = app.is_street();
                if street {
                    // A street device: its communities' escalated wishes.
                    let escalated = app.street.linked.with(|l| {
                        l.iter()
                            .map(|c| {
                                c.at.replica.with(|r| {
                                    r.view()
                                        .wishes
                                        .values()
                                        .filter(|w| w.status == linli_core::model::Status::Escalated)
                                        .count()
                                })
                            })
                            .sum()
                    });
                    links.push(("/street", k::STREET_HOME_INBOX, escalated));
                    links.push(("/street/dashboard", k::STREET_HOME_DASHBOARD, 0));
                }
                match role {
                    _ if street => {}
                    Role::Coordinator | Role::GridWorker => {
                        links.push(("/board", k::HOME_TODO_INBOX, inbox));
                        links.push(("/wishes", k::HOME_TODO_FILE, 0));
                        if role == Role::Coordinator {
                            links.push(("/resources", k::HOME_TODO_RESOURCES, 0));
                            links.push(("/admin", k::HOME_TODO_ADMIN, 0));
                        }
                    }
                    Role::Volunteer | Role::Partner => {
                        links.push(("/orders", k::HOME_TODO_HOLDING, holding));
                        links.push(("/orders", k::HOME_TODO_OPEN, open));
                        if role == Role::Partner {
                            links.push(("/resources", k::HOME_TODO_RESOURCES, 0));
                        }
                        if leads > 0 {
                            links.push(("/admin", k::HOME_TODO_TEAMS, leads));
                        }
                    }
                    Role::Resident => {
                        links.push(("/wishes", k::HOME_TODO_EVALUATE, to_eval));
                        links.push(("/wishes", k::HOME_TODO_FILE, 0));
                    }
                    Role::Kiosk => {
                        links.push(("/wishes", k::HOME_TODO_FILE, 0));
                        links.push(("/kiosk/check-in", k::CHECKIN_HOME_KIOSK, 0));
                    }
                    Role::Viewer => links.push(("/dashboard", k::HOME_TODO_DASHBOARD, 0)),
                }
                // 关爱走访: those who keep the list, and whoever visits someone.
                if !street && (matches!(role, Role::Coordinator | Role::GridWorker) || cares) {
                    links.push(("/care", k::HOME_TODO_VISITS, visits));
                }
                if !street && linli_core::activity::takes_part(role) {
                    links.push(("/pass", k::CHECKIN_HOME_PASS, 0));
                }
                let show_points = matches!(role, Role::Volunteer | Role::Partner);
                view! {
                    <section class="card" aria-labelledby="home-today">
                        <h2 id="home-today">{who}</h2>
                        {show_points.then(|| view! {
                            <p>{move || fill(i18n.t(k::HOME_POINTS), &[("n", &points.to_string())])}</p>
                        })}
                        <ul class="home-links">
                            {links
                                .into_iter()
                                .map(|(href, key, n)| view! {
                                    <li>
                                        <A href=href>{move || fill(i18n.t(key), &[("n", &n.to_string())])}</A>
                                    </li>
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })
    }
}
