//! An activity's roster for its organisers: the live rows of
//! `activities::roster` (place, in since, left, minutes, points, walk-in,
//! verified), the CSV (`activities::roster_csv`, with the BOM), acting for
//! someone (the `for_others` rows of `activities::TABLE` that
//! `available` offers, people from `candidates`), corrections with a
//! reason, and verifying the check-ins with the key this device holds
//! (`AppState::activity_key`) or a typed one.
use leptos::prelude::*;
use leptos_router::components::A;
use linli_core::activities::{self, ActivityAction, Input, Needs, Place, RosterRow};
use linli_core::activity::Activity;
use linli_core::model::Role;
use linli_core::{Action, MemberId, calendar};

use super::activities::{offset, places_text};
use super::activity_detail::{action_label, route_activity};
use super::ui::{Gate, Reader, label, me, now_ms, run, ticking_now};
use crate::components::form::{Bind, Form, Options, Select, TextArea, TextInput};
use crate::i18n::{I18n, Key, k, tr, use_i18n};
use crate::state::use_app;
use crate::status::{Status as Said, StatusLine, Text};

#[component]
pub fn ActivityRoster() -> impl IntoView {
    view! {
        <Gate title=k::ACT_ROSTER_TITLE empty=k::ACT_EMPTY>
            <RosterBody />
        </Gate>
    }
}

/// A roster row as the page shows it.
#[derive(Clone, PartialEq)]
struct Line {
    member: MemberId,
    name: String,
    place: Place,
    check_in: String,
    check_out: String,
    minutes: u32,
    points: i64,
    notes: Vec<Key>,
}

fn line(r: RosterRow<'_>, off: i32) -> Line {
    let t = |x: Option<u64>| {
        x.map_or(String::new(), |x| {
            activities::local_time(x, off)[5..].to_owned()
        })
    };
    let attended = r.check_in.is_some();
    let notes = [
        (r.walk_in, k::ACT_WALK_IN),
        (attended && r.verified, k::ACT_VERIFIED),
        (
            attended && !r.verified && r.place != Place::Rejected,
            k::ACT_UNVERIFIED,
        ),
        (r.corrected, k::ACT_CORRECTED),
        (r.auto_out, k::ACT_AUTO_OUT),
    ];
    Line {
        member: r.member.clone(),
        name: r.name.to_owned(),
        place: r.place,
        check_in: t(r.check_in),
        check_out: t(r.check_out),
        minutes: r.minutes,
        points: r.points,
        notes: notes
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, k)| k)
            .collect(),
    }
}

fn place_label(i18n: I18n, p: &Place) -> String {
    match p {
        Place::Waiting { position } => crate::i18n::fill(
            i18n.t(k::ACT_PLACE_WAITING_AT),
            &[("n", &position.to_string())],
        ),
        other => label(i18n, "activity.place", other.code()),
    }
}

#[component]
fn RosterBody() -> impl IntoView {
    let app = use_app();
    let (_, activity) = route_activity();
    // Organisers, and coordinators (who correct anyone's attendance).
    let allowed = Memo::new(move |_| {
        let (Some(a), Some(m)) = (activity.get(), me(app)) else {
            return false;
        };
        m.role == Role::Coordinator || app.replica.with(|r| activities::manages(r.view(), &m, &a))
    });
    // A memo, so the forms below are built once, not on every change of the activity.
    let shown = Memo::new(move |_| (activity.with(Option::is_some), allowed.get()));
    view! {
        {move || activity.get().map(|a| view! {
            <p class="back"><A href=format!("/activities/{}", a.id)>{a.title.clone()}</A></p>
        })}
        {move || match shown.get() {
            (false, _) => view! { <p class="empty">{tr(k::ACT_NOT_FOUND)}</p> }.into_any(),
            (true, false) => view! { <p class="empty">{tr(k::ACT_ROSTER_NOT_ALLOWED)}</p> }.into_any(),
            (true, true) => view! {
                <Rows activity=activity />
                <ActFor activity=activity />
                <Correct activity=activity />
                <Verify activity=activity />
            }
            .into_any(),
        }}
    }
}

#[component]
fn Rows(activity: Memo<Option<Activity>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let clock = ticking_now();
    let rows = Memo::new(move |_| {
        clock.track();
        let Some(a) = activity.get() else {
            return Vec::new();
        };
        app.replica.with(|r| {
            let s = r.view();
            let off = offset(s);
            activities::roster(s, &a, now_ms())
                .into_iter()
                .map(|r| line(r, off))
                .collect::<Vec<_>>()
        })
    });
    let summary = move || activity.with(|a| a.as_ref().map(|a| places_text(i18n, a)));
    let export = move |_| {
        let Some(a) = activity.get_untracked() else {
            return;
        };
        let header = [
            k::ACT_COL_NAME,
            k::ACT_COL_MEMBER,
            k::ACT_COL_PLACE,
            k::ACT_COL_IN,
            k::ACT_COL_OUT,
            k::ACT_COL_MINUTES,
            k::ACT_COL_POINTS,
            k::ACT_COL_VERIFIED,
        ]
        .map(|key| i18n.t(key));
        let (text, day) = app.replica.with_untracked(|r| {
            let s = r.view();
            let csv = activities::roster_csv(s, &a, now_ms(), header, |p| place_label(i18n, p));
            (
                csv,
                activities::local_time(a.start, offset(s))[..10].to_owned(),
            )
        });
        // A file name any system keeps: the title without path characters.
        let title: String = a
            .title
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = format!("{title}-{day}.csv");
        // roster_csv starts with the BOM already.
        let _ = crate::components::save_file(&name, "text/csv;charset=utf-8", &text);
    };
    let row = move |l: Line| {
        let notes = l
            .notes
            .iter()
            .map(|key| view! { <span class="chip">{tr(*key)}</span> " " })
            .collect_view();
        let place = l.place;
        view! {
            <tr>
                <th scope="row">{l.name}</th>
                <td>{move || place_label(i18n, &place)}</td>
                <td>{l.check_in}</td>
                <td>{l.check_out}</td>
                <td class="num">{l.minutes}</td>
                <td class="num">{l.points}</td>
                <td>{notes}</td>
            </tr>
        }
    };
    let heads = [
        k::ACT_COL_PLACE,
        k::ACT_COL_IN,
        k::ACT_COL_OUT,
        k::ACT_COL_MINUTES,
        k::ACT_COL_POINTS,
        k::ACT_COL_NOTES,
    ];
    view! {
        <p>{summary}</p>
        <p><button type="button" class="secondary" on:click=export>{tr(k::ACT_EXPORT)}</button></p>
        <Show
            when=move || rows.with(|r| !r.is_empty())
            fallback=|| view! { <p class="empty">{tr(k::ACT_ROSTER_NONE)}</p> }
        >
            <div class="table-wrap roster-wrap" tabindex="0" role="region" aria-labelledby="roster-caption">
                <table class="data wide roster">
                    <caption id="roster-caption" class="visually-hidden">{tr(k::ACT_ROSTER_TITLE)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{tr(k::ACT_COL_NAME)}</th>
                            {heads.into_iter().map(|key| view! { <th scope="col">{tr(key)}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>{move || rows.get().into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
        </Show>
    }
}

/// The rows `available` offers `me` on `a` now that match `pick`.
fn offered(
    app: crate::state::AppState,
    activity: Memo<Option<Activity>>,
    clock: Signal<u64>,
    pick: fn(&ActivityAction) -> bool,
) -> Memo<Vec<&'static ActivityAction>> {
    Memo::new(move |_| {
        clock.track();
        let (Some(a), Some(m)) = (activity.get(), me(app)) else {
            return Vec::new();
        };
        app.replica.with(|r| {
            activities::available(r.view(), &m, &a, now_ms())
                .into_iter()
                .filter(|r| pick(r))
                .collect()
        })
    })
}

/// The people `row` may be done for, as options (id, name).
fn candidates(
    app: crate::state::AppState,
    activity: Memo<Option<Activity>>,
    row: Option<&'static ActivityAction>,
) -> Vec<(String, String)> {
    let (Some(a), Some(row)) = (activity.get(), row) else {
        return Vec::new();
    };
    app.replica.with(|r| {
        activities::candidates(r.view(), &a, row)
            .into_iter()
            .map(|m| (m.id.0.clone(), m.name.clone()))
            .collect()
    })
}

/// The picked member if still a choice, else the first choice ("" for none).
fn pick(picked: &str, people: &[(String, String)]) -> String {
    people
        .iter()
        .find(|(id, _)| id == picked)
        .or(people.first())
        .map(|(id, _)| id.clone())
        .unwrap_or_default()
}

/// Check in, check out, sign up or withdraw someone.
#[component]
fn ActFor(activity: Memo<Option<Activity>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let status = RwSignal::new(Said::Idle);
    let clock = ticking_now();
    let rows = offered(app, activity, clock, |r| {
        r.for_others && r.needs == Needs::Member
    });
    let chosen = RwSignal::new(String::new());
    let member = RwSignal::new(String::new());
    let row = move || {
        let c = chosen.get();
        rows.with(|list| {
            list.iter()
                .copied()
                .find(|r| r.action.code() == c)
                .or_else(|| list.first().copied())
        })
    };
    let actions: Options = Signal::derive(move || {
        rows.get()
            .into_iter()
            .map(|r| (r.action.code().to_owned(), action_label(i18n, r)))
            .collect()
    });
    // A memo: the select, its value and the submit read it (200 members sorted each time).
    let people: Options = Memo::new(move |_| candidates(app, activity, row())).into();
    let submit = move || {
        let (Some(a), Some(m), Some(r)) = (activity.get_untracked(), me(app), row()) else {
            return;
        };
        let who = pick(&member.get_untracked(), &people.get_untracked());
        let input = Input {
            member: (!who.is_empty()).then(|| MemberId::from(who)),
            ..Input::default()
        };
        match r.op(&a, &m.id, &input) {
            Ok(kind) => run(app, kind, status, || {}),
            Err(e) => status.set(Said::invalid(e)),
        }
    };
    view! {
        <Show when=move || rows.with(|r| !r.is_empty())>
            <section class="card" aria-labelledby="act-for-title">
                <h2 id="act-for-title">{tr(k::ACT_FOR_TITLE)}</h2>
                <Form status=status on_submit=submit attr:aria-labelledby="act-for-title">
                    <div class="filters">
                        <Select id="act-for-action" label=k::ACT_FOR_ACTION value=Bind::new(move || row().map(|r| r.action.code().to_owned()).unwrap_or_default(), move |v| chosen.set(v)) options=actions />
                        <Select id="act-for-member" label=k::ACT_FOR_MEMBER value=Bind::new(move || pick(&member.get(), &people.get()), move |v| member.set(v)) options=people codes=&["id_empty"] />
                    </div>
                    <div class="form-row">
                        <button type="submit" disabled=move || status.with(Said::is_busy)>
                            {move || row().map(|r| action_label(i18n, r)).unwrap_or_default()}
                        </button>
                    </div>
                </Form>
                <StatusLine status=status />
            </section>
        </Show>
    }
}

/// A coordinator corrects someone's attendance, with a reason.
#[component]
fn Correct(activity: Memo<Option<Activity>>) -> impl IntoView {
    let app = use_app();
    let status = RwSignal::new(Said::Idle);
    let clock = ticking_now();
    let rows = offered(app, activity, clock, |r| {
        r.action == Action::CorrectAttendance
    });
    let (member, check_in, check_out, reason) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let people: Options =
        Memo::new(move |_| candidates(app, activity, rows.with(|r| r.first().copied()))).into();
    let submit = move || {
        let (Some(a), Some(m), Some(row)) = (
            activity.get_untracked(),
            me(app),
            rows.with_untracked(|r| r.first().copied()),
        ) else {
            return;
        };
        let off = app.replica.with_untracked(|r| offset(r.view()));
        let time = |f: RwSignal<String>, field: &'static str| {
            let v = f.get_untracked();
            if v.trim().is_empty() {
                return Ok(None);
            }
            calendar::parse_local(&v, off)
                .map(Some)
                .ok_or(Said::Failed {
                    text: Text::key(k::ACT_FORM_BAD_TIME),
                    field: Some(field),
                })
        };
        let times = time(check_in, "bad_time").and_then(|i| Ok((i, time(check_out, "bad_end")?)));
        let (i, o) = match times {
            Ok(t) => t,
            Err(e) => {
                status.set(e);
                return;
            }
        };
        let who = pick(&member.get_untracked(), &people.get_untracked());
        let input = Input {
            member: (!who.is_empty()).then(|| MemberId::from(who)),
            reason: reason.get_untracked(),
            check_in: i,
            check_out: o,
            ..Input::default()
        };
        match row.op(&a, &m.id, &input) {
            Ok(kind) => run(app, kind, status, move || reason.set(String::new())),
            Err(e) => status.set(Said::invalid(e)),
        }
    };
    view! {
        <Show when=move || rows.with(|r| !r.is_empty())>
            <section class="card" aria-labelledby="act-correct-title">
                <h2 id="act-correct-title">{tr(k::ACT_CORRECT_TITLE)}</h2>
                <Form status=status on_submit=submit attr:aria-labelledby="act-correct-title">
                    <Select id="act-correct-member" label=k::ACT_FOR_MEMBER value=Bind::new(move || pick(&member.get(), &people.get()), move |v| member.set(v)) options=people codes=&["id_empty"] />
                    <div class="filters">
                        <TextInput id="act-correct-in" label=k::ACT_CORRECT_IN value=check_in kind="datetime-local" hint=k::ACT_CORRECT_IN_HINT codes=&["bad_time", "window_inverted"] />
                        <TextInput id="act-correct-out" label=k::ACT_CORRECT_OUT value=check_out kind="datetime-local" codes=&["bad_end", "check_out_without_check_in"] />
                    </div>
                    <TextArea id="act-correct-reason" label=k::ACT_CORRECT_REASON value=reason codes=&["reason_required", "text_too_long"] required=true />
                    <div class="form-row">
                        <button type="submit" disabled=move || status.with(Said::is_busy)>{tr(k::ACT_CORRECT_SUBMIT)}</button>
                    </div>
                </Form>
                <StatusLine status=status />
            </section>
        </Show>
    }
}

/// After the end: reveal the key, which verifies the self check-ins.
#[component]
fn Verify(activity: Memo<Option<Activity>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let status = RwSignal::new(Said::Idle);
    let clock = ticking_now();
    let rows = offered(app, activity, clock, |r| r.action == Action::VerifyCheckIns);
    let id = Memo::new(move |_| activity.with(|a| a.as_ref().map(|a| a.id.clone())));
    let held = Reader::new(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => app.activity_key(&id).await,
                None => None,
            }
        }
    });
    let typed = RwSignal::new(String::new());
    let submit = move || {
        let (Some(a), Some(m), Some(row)) = (
            activity.get_untracked(),
            me(app),
            rows.with_untracked(|r| r.first().copied()),
        ) else {
            return;
        };
        let key = held
            .get()
            .flatten()
            .unwrap_or_else(|| typed.get_untracked());
        let input = Input {
            key,
            ..Input::default()
        };
        match row.op(&a, &m.id, &input) {
            Ok(kind) => run(app, kind, status, || {}),
            Err(e) => status.set(Said::invalid(e)),
        }
    };
    let has_key = move || held.get().flatten().is_some();
    view! {
        <Show when=move || rows.with(|r| !r.is_empty())>
            <section class="card" aria-labelledby="act-verify-title">
                <h2 id="act-verify-title">{tr(k::ACT_VERIFY_TITLE)}</h2>
                <p class="hint">{tr(k::ACT_VERIFY_HINT)}</p>
                <Form status=status on_submit=submit attr:aria-labelledby="act-verify-title">
                    <Show when=move || !has_key()>
                        <TextInput id="act-verify-key" label=k::ACT_VERIFY_KEY value=typed autocapitalize="characters" codes=&["bad_code"] required=true />
                    </Show>
                    <div class="form-row">
                        <button type="submit" disabled=move || status.with(Said::is_busy)>
                            {move || label(i18n, "activity.action", Action::VerifyCheckIns.code())}
                        </button>
                    </div>
                </Form>
                <StatusLine status=status />
            </section>
        </Show>
    }
}
