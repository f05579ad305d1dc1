//! One activity: its facts in community time, my place in words
//! (`activities::place`), and my actions — the rows of
//! `activities::TABLE` that `activities::available` offers, each made by
//! `ActivityAction::op`. Acting for someone else is on the roster; checking
//! myself in is on `/activities/:id/check-in` (it needs the code). An
//! organiser (`activities::manages`) gets the edit, roster and QR links,
//! opens the activity or calls it off with a reason.
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use linli_core::activities::{self, ActivityAction, Input, Needs};
use linli_core::activity::{Activity, PointsMode};
use linli_core::{Action, ActivityId};

use super::activities::{PhaseChip, offset, organiser_name, place_words, places_text, time_span};
use super::ui::{Gate, label, me, now_ms, run, ticking_now};
use crate::components::form::{Form, TextArea};
use crate::i18n::{Key, fill, k, tr, use_i18n};
use crate::state::use_app;
use crate::status::{Status as Said, StatusLine};

/// The activity named by the route's `:id`, as it is now.
pub(super) fn route_activity() -> (Memo<ActivityId>, Memo<Option<Activity>>) {
    let app = use_app();
    let params = use_params_map();
    let id = Memo::new(move |_| ActivityId::from(params.with(|p| p.get("id").unwrap_or_default())));
    let activity = Memo::new(move |_| {
        let id = id.get();
        app.replica.with(|r| r.view().activities.get(&id).cloned())
    });
    (id, activity)
}

#[component]
pub fn ActivityDetail() -> impl IntoView {
    view! {
        <Gate title=k::ACT_DETAIL_TITLE empty=k::ACT_EMPTY own_heading=true>
            <DetailBody />
        </Gate>
    }
}

fn fact(key: Key, value: impl IntoView + 'static) -> AnyView {
    view! {
        <div class="fact">
            <dt>{tr(key)}</dt>
            <dd>{value}</dd>
        </div>
    }
    .into_any()
}

#[component]
fn DetailBody() -> impl IntoView {
    let (_, activity) = route_activity();
    view! {
        <p class="back"><A href="/activities">{tr(k::ACT_BACK)}</A></p>
        {move || match activity.get() {
            None => view! {
                <h1>{tr(k::ACT_DETAIL_TITLE)}</h1>
                <p class="empty">{tr(k::ACT_NOT_FOUND)}</p>
            }
            .into_any(),
            Some(a) => view! { <Facts activity=a /> }.into_any(),
        }}
        <Show when=move || activity.with(Option::is_some)>
            <MyPlace activity=activity />
            <Actions activity=activity />
            <Timeline activity=activity />
        </Show>
    }
}

#[component]
fn Facts(activity: Activity) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let a = activity;
    let clock = ticking_now();
    let phase = {
        let a = a.clone();
        move || {
            clock.track();
            activities::phase(&a, now_ms())
        }
    };
    let (when, organiser, sign_up_by, check_in_from) = app.replica.with_untracked(|r| {
        let s = r.view();
        (
            time_span(s, &a),
            a.organiser.clone(),
            activities::local_time(a.sign_up_by, offset(s)),
            activities::local_time(a.check_in_from(), offset(s)),
        )
    });
    let organiser = move || {
        app.replica
            .with(|r| organiser_name(i18n, r.view(), organiser.as_ref()))
    };
    let places = {
        let a = a.clone();
        move || places_text(i18n, &a)
    };
    let p = a.points.clone();
    let points = move || match p.mode {
        PointsMode::ByTime => fill(
            i18n.t(k::ACT_POINTS_BY_TIME),
            &[
                ("minutes", &p.minutes_per_point.to_string()),
                ("round", &p.round_minutes.to_string()),
            ],
        ),
        PointsMode::Fixed => fill(i18n.t(k::ACT_POINTS_FIXED), &[("n", &p.fixed.to_string())]),
    };
    view! {
        <div class="detail-head">
            <h1>{a.title.clone()}</h1>
            {move || view! { <PhaseChip phase=phase() /> }}
        </div>
        {(!a.description.is_empty()).then(|| view! { <p class="description">{a.description.clone()}</p> })}
        {a.cancel_reason.clone().map(|r| view! {
            <p class="card cancelled" role="note">
                <strong>{tr(k::ACT_CANCELLED)}</strong>" "{r}
            </p>
        })}
        <section class="card" aria-labelledby="act-facts-title">
            <h2 id="act-facts-title">{tr(k::ACT_DETAIL_TITLE)}</h2>
            <dl class="facts">
                {fact(k::ACT_THEME, a.theme.clone())}
                {fact(k::ACT_TIME, view! { <time>{when}</time> })}
                {(!a.venue.is_empty()).then(|| fact(k::ACT_VENUE, a.venue.clone()))}
                {fact(k::ACT_ORGANISER, organiser)}
                {fact(k::ACT_PLACES, places)}
                {fact(k::ACT_SIGN_UP_BY, sign_up_by)}
                {fact(k::ACT_CHECK_IN_FROM, check_in_from)}
                {fact(k::ACT_POINTS, points)}
            </dl>
        </section>
    }
}

/// My place at the activity, in words.
#[component]
fn MyPlace(activity: Memo<Option<Activity>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let clock = ticking_now();
    let words = move || {
        clock.track();
        let (a, m) = (activity.get()?, me(app)?);
        let p = activities::place(&a, &m.id, now_ms());
        let text = app.replica.with(|r| place_words(i18n, r.view(), &p));
        let attended = a.attendance.get(&m.id).is_some_and(|x| x.attended());
        let flags = [
            (p.walk_in, k::ACT_WALK_IN),
            (attended && !p.verified, k::ACT_UNVERIFIED),
        ];
        let chips = flags
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, key)| view! { " " <span class="chip pending">{tr(key)}</span> });
        Some(view! {
            <p data-testid="my-place"><strong>{text}</strong>{chips.collect_view()}</p>
        })
    };
    view! {
        <section class="card" aria-labelledby="act-mine-title">
            <h2 id="act-mine-title">{tr(k::ACT_MY_PLACE)}</h2>
            {words}
        </section>
    }
}

/// The label of a table row: `activity.action.<code>`, or `…_for` for others.
pub(super) fn action_label(i18n: crate::i18n::I18n, row: &ActivityAction) -> String {
    let suffix = if row.for_others { "_for" } else { "" };
    label(
        i18n,
        "activity.action",
        &format!("{}{suffix}", row.action.code()),
    )
}

/// My actions (the rows for myself), and an organiser's links.
#[component]
fn Actions(activity: Memo<Option<Activity>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let status = RwSignal::new(Said::Idle);
    let cancelling = RwSignal::new(false);
    let clock = ticking_now();
    let offered = Memo::new(move |_| {
        clock.track();
        let (a, m) = (activity.get()?, me(app)?);
        let list = app
            .replica
            .with(|r| activities::available(r.view(), &m, &a, now_ms()));
        let manages = app.replica.with(|r| activities::manages(r.view(), &m, &a));
        let mine: Vec<&'static ActivityAction> = list
            .into_iter()
            .filter(|r| !r.for_others && r.needs != Needs::Correction)
            .collect();
        Some((mine, manages, a.id.0.clone()))
    });
    let press = move |row: &'static ActivityAction| {
        let (Some(a), Some(m)) = (activity.get_untracked(), me(app)) else {
            return;
        };
        match row.op(&a, &m.id, &Input::default()) {
            Ok(kind) => run(app, kind, status, || {}),
            Err(e) => status.set(Said::invalid(e)),
        }
    };
    let control = move |row: &'static ActivityAction, id: &str| -> AnyView {
        let name = move || action_label(i18n, row);
        match (row.action, row.needs) {
            // A self check-in needs the code: its own page scans or takes it.
            (Action::CheckIn, _) => {
                view! { <A href=format!("/activities/{id}/check-in") attr:class="button">{name}</A> }.into_any()
            }
            (Action::UpdateActivity, _) => {
                view! { <A href=format!("/activities/{id}/edit") attr:class="button secondary">{name}</A> }.into_any()
            }
            // Revealing the key is done on the roster, where the check-ins are.
            (Action::VerifyCheckIns, _) => {
                view! { <A href=format!("/activities/{id}/roster") attr:class="button secondary">{name}</A> }.into_any()
            }
            (Action::CancelActivity, _) => view! {
                <button
                    type="button"
                    class="secondary"
                    aria-expanded=move || if cancelling.get() { "true" } else { "false" }
                    on:click=move |_| cancelling.update(|c| *c = !*c)
                >
                    {name}
                </button>
            }
            .into_any(),
            _ => view! {
                <button type="button" class:secondary=row.quiet on:click=move |_| press(row)>{name}</button>
            }
            .into_any(),
        }
    };
    view! {
        <section class="card actions" aria-labelledby="act-actions-title">
            <h2 id="act-actions-title">{tr(k::ACT_ACTIONS)}</h2>
            {move || match offered.get() {
                Some((list, manages, id)) => {
                    let none = list.is_empty() && !manages;
                    let buttons = list.into_iter().map(|r| control(r, &id)).collect_view();
                    let links = manages.then(|| view! {
                        <A href=format!("/activities/{id}/roster") attr:class="button secondary">{tr(k::ACT_ROSTER)}</A>
                        <A href=format!("/activities/{id}/code") attr:class="button secondary">{tr(k::ACT_CODE)}</A>
                    });
                    view! {
                        <div class="action-buttons">{buttons}{links}</div>
                        {none.then(|| view! { <p class="hint">{tr(k::ACT_NO_ACTIONS)}</p> })}
                    }
                    .into_any()
                }
                None => view! { <p class="hint">{tr(k::ACT_NO_ACTIONS)}</p> }.into_any(),
            }}
            <Show when=move || cancelling.get()>
                <CancelForm activity=activity status=status open=cancelling />
            </Show>
            <StatusLine status=status />
        </section>
    }
}

/// What happened to the activity, in log order: who did what for whom,
/// void ops with their reason in words, reasons given.
#[component]
fn Timeline(activity: Memo<Option<Activity>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let entries = move || {
        let a = activity.get()?;
        let list = app.replica.with(|r| {
            let s = r.view();
            let name = |m: &Option<linli_core::MemberId>| {
                m.as_ref().map(|m| super::ui::member_name(i18n, s, m))
            };
            a.timeline
                .iter()
                .map(|e| {
                    let at = activities::local_time(e.at, offset(s));
                    let for_whom = name(&e.member).filter(|_| e.member != e.by);
                    (
                        at,
                        name(&e.by),
                        e.step.code(),
                        for_whom,
                        e.void,
                        e.text.clone(),
                    )
                })
                .collect::<Vec<_>>()
        });
        let items = list.into_iter().map(|(at, by, step, for_whom, void, text)| {
            let void = void.map(|v| {
                let reason = crate::status::Text::code(&["void"], v.code(), k::SYNC_REASON_OTHER);
                let words = move || fill(i18n.t(k::WISH_DETAIL_VOID), &[("reason", &reason.render(i18n))]);
                view! { <p class="void-reason">{words}</p> }
            });
            let is_void = void.is_some();
            view! {
                <li class:void=is_void>
                    <p class="timeline-head">
                        <time>{at}</time>" · "{by.unwrap_or_default()}" "
                        <strong>{move || label(i18n, "activity.step", step)}</strong>
                        {for_whom.map(|n| view! { " " {move || fill(i18n.t(k::ACT_TIMELINE_FOR), &[("name", &n)])} })}
                    </p>
                    {void}
                    {(!text.is_empty()).then(|| view! { <p class="timeline-text">{text}</p> })}
                </li>
            }
        });
        Some(items.collect_view())
    };
    view! {
        <section class="card" aria-labelledby="act-timeline-title">
            <h2 id="act-timeline-title">{tr(k::ACT_TIMELINE)}</h2>
            <ol class="timeline">{entries}</ol>
        </section>
    }
}

/// Calling the activity off: the reason is required.
#[component]
fn CancelForm(
    activity: Memo<Option<Activity>>,
    status: RwSignal<Said>,
    open: RwSignal<bool>,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let reason = RwSignal::new(String::new());
    let row = activities::TABLE
        .iter()
        .find(|r| r.action == Action::CancelActivity)
        .expect("the table has a cancel row");
    let submit = move || {
        let (Some(a), Some(m)) = (activity.get_untracked(), me(app)) else {
            return;
        };
        let input = Input {
            reason: reason.get_untracked(),
            ..Input::default()
        };
        match row.op(&a, &m.id, &input) {
            Ok(kind) => run(app, kind, status, move || open.set(false)),
            Err(e) => status.set(Said::invalid(e)),
        }
    };
    let name = move || action_label(i18n, row);
    view! {
        <Form status=status on_submit=submit bring_into_view=true attr:class="action-form" attr:aria-label=name>
            <TextArea id="act-cancel-reason" label=k::ACT_CANCEL_REASON value=reason codes=&["reason_required", "text_too_long"] required=true />
            <div class="form-row">
                <button type="submit" disabled=move || status.with(Said::is_busy)>{name}</button>
                <button type="button" class="secondary" on:click=move |_| open.set(false)>{tr(k::UI_CLOSE)}</button>
            </div>
        </Form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::key_by_name;
    use linli_core::activities::{GroupBy, Phase, Place};
    use linli_core::code::Coded;

    /// Every row of the activity action table, every place, phase, points
    /// rule and participation grouping has its words (build.rs keeps the
    /// locales equal).
    #[test]
    fn every_activity_code_has_its_words() {
        for r in activities::TABLE {
            let suffix = if r.for_others { "_for" } else { "" };
            let name = format!("activity.action.{}{suffix}", r.action.code());
            assert!(key_by_name(&name).is_some(), "{name}");
        }
        let places = [
            Place::None,
            Place::SignedUp,
            Place::Waiting { position: 1 },
            Place::CheckedIn { since: 0 },
            Place::CheckedOut,
            Place::NoShow,
            Place::Rejected,
        ];
        for p in places {
            let name = format!("activity.place.{}", p.code());
            assert!(key_by_name(&name).is_some(), "{name}");
        }
        for p in Phase::all() {
            assert!(key_by_name(&format!("activity.phase.{}", p.code())).is_some());
        }
        for p in PointsMode::all() {
            assert!(key_by_name(&format!("activity.points.{}", p.code())).is_some());
        }
        for s in linli_core::activity::ActivityStep::all() {
            assert!(key_by_name(&format!("activity.step.{}", s.code())).is_some());
        }
        for g in GroupBy::all().iter().filter(|g| **g != GroupBy::All) {
            assert!(key_by_name(&format!("activity.group.{}", g.code())).is_some());
        }
    }
}
