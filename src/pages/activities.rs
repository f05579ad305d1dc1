//! 活动: the calendar (issue 14). My activities, the upcoming ones, and a
//! month by local day with a pager — every list from `linli_core::activities`
//! (`mine`, `upcoming`, `days`), every time in community time. Shared with
//! the other activity pages: words for a phase and a place, the places line.
use leptos::prelude::*;
use leptos_router::components::A;
use linli_core::activities::{self, Phase, Place};
use linli_core::activity::{Activity, Organiser};
use linli_core::{State, calendar};

use super::ui::{Gate, label, me, ticking_now};
use crate::i18n::{I18n, fill, k, tr, use_i18n};
use crate::state::use_app;

/// `calendar::LocalDay::weekday` (Monday = 0) as a `weekday.<code>` code.
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Rows shown of "my activities" and "upcoming" before "show more".
const SHORT: usize = 5;

/// The community's offset from UTC (minutes).
pub(super) fn offset(s: &State) -> i32 {
    s.settings().utc_offset_minutes
}

/// "2026-03-07 09:00–11:30" (or with the end's date when it differs), in community time.
pub(super) fn time_span(s: &State, a: &Activity) -> String {
    let (from, to) = (
        activities::local_time(a.start, offset(s)),
        activities::local_time(a.end, offset(s)),
    );
    let to = if from[..10] == to[..10] {
        &to[11..]
    } else {
        &to[..]
    };
    format!("{from}–{to}")
}

/// The organiser in words: the community, a team or a unit by name.
pub(super) fn organiser_name(i18n: I18n, s: &State, o: Option<&Organiser>) -> String {
    match o {
        None => i18n.t(k::ACT_ORGANISER_COMMUNITY).to_owned(),
        Some(Organiser::Team(t)) => s.teams.get(t).map_or(t.0.clone(), |t| t.name.clone()),
        Some(Organiser::Partner(p)) => s.partners.get(p).map_or(p.0.clone(), |p| p.name.clone()),
    }
}

/// "3/20 places · 17 left · 2 waiting", or "5 signed up (no limit)".
pub(super) fn places_text(i18n: I18n, a: &Activity) -> String {
    let taken = a.places.len().to_string();
    let mut s = match a.capacity {
        Some(c) => fill(
            i18n.t(k::ACT_PLACES_OF),
            &[
                ("taken", &taken),
                ("capacity", &c.to_string()),
                (
                    "left",
                    &(c as usize).saturating_sub(a.places.len()).to_string(),
                ),
            ],
        ),
        None => fill(i18n.t(k::ACT_PLACES_OPEN), &[("taken", &taken)]),
    };
    if !a.waiting.is_empty() {
        s.push_str(&fill(
            i18n.t(k::ACT_PLACES_WAITING),
            &[("n", &a.waiting.len().to_string())],
        ));
    }
    s
}

/// A member's place in words ("waiting, number 2", "checked out: 90 min, 3 points").
pub(super) fn place_words(i18n: I18n, s: &State, p: &activities::MyPlace) -> String {
    match p.place {
        Place::Waiting { position } => fill(
            i18n.t(k::ACT_PLACE_WAITING_AT),
            &[("n", &position.to_string())],
        ),
        Place::CheckedIn { since } => fill(
            i18n.t(k::ACT_PLACE_CHECKED_IN_SINCE),
            &[("since", &activities::local_time(since, offset(s))[11..])],
        ),
        Place::CheckedOut => fill(
            i18n.t(k::ACT_PLACE_CHECKED_OUT_WITH),
            &[
                ("minutes", &p.minutes.to_string()),
                ("points", &p.points.to_string()),
            ],
        ),
        other => label(i18n, "activity.place", other.code()),
    }
}

/// The phase of an activity as a chip.
#[component]
pub(super) fn PhaseChip(phase: Phase) -> impl IntoView {
    let i18n = use_i18n();
    let code = phase.code();
    view! { <span class=format!("chip phase-{code}")>{move || label(i18n, "activity.phase", code)}</span> }
}

/// One activity in a list, as it is now.
#[derive(Clone, PartialEq)]
struct Item {
    id: String,
    title: String,
    theme: String,
    when: String,
    venue: String,
    phase: Phase,
    places: String,
    /// This member's place, in words, when they have one.
    mine: Option<String>,
}

fn item(i18n: I18n, s: &State, a: &Activity, member: &linli_core::MemberId, now: u64) -> Item {
    let p = activities::place(a, member, now);
    Item {
        id: a.id.0.clone(),
        title: a.title.clone(),
        theme: a.theme.clone(),
        when: time_span(s, a),
        venue: a.venue.clone(),
        phase: activities::phase(a, now),
        places: places_text(i18n, a),
        mine: (p.place != Place::None).then(|| place_words(i18n, s, &p)),
    }
}

#[component]
fn ActivityItem(item: Item) -> impl IntoView {
    let href = format!("/activities/{}", item.id);
    view! {
        <li class="wish-item activity-item">
            <div class="wish-item-head">
                // A plain link (the router takes its click): one `A` per row
                // of a month cost a memo of the location each.
                <a href=href class="wish-title">{item.title}</a>
                <PhaseChip phase=item.phase />
            </div>
            <p class="wish-meta">
                <span class="chip">{item.theme}</span>
                " "
                <time>{item.when}</time>
            </p>
            <p class="wish-place">
                {(!item.venue.is_empty()).then(|| view! { {item.venue} " · " })}
                {item.places}
            </p>
            {item.mine.map(|m| view! { <p class="my-place"><strong>{m}</strong></p> })}
        </li>
    }
}

/// A list of items, or its empty line.
fn list(items: Vec<Item>, empty: crate::i18n::Key) -> AnyView {
    if items.is_empty() {
        return view! { <p class="hint">{tr(empty)}</p> }.into_any();
    }
    let rows = items.into_iter().map(|i| view! { <ActivityItem item=i /> });
    view! { <ul class="wish-list">{rows.collect_view()}</ul> }.into_any()
}

#[component]
pub fn Activities() -> impl IntoView {
    view! {
        <Gate title=k::ACT_TITLE empty=k::ACT_EMPTY>
            <CalendarBody />
        </Gate>
    }
}

#[component]
fn CalendarBody() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let clock = ticking_now();
    let this_month = app
        .replica
        .with_untracked(|r| calendar::local(super::ui::now_ms(), offset(r.view())).month_key());
    let month = RwSignal::new(this_month.clone());
    let (more_mine, more_next) = (RwSignal::new(false), RwSignal::new(false));
    let creates = Memo::new(move |_| {
        let m = me(app)?;
        let may = app
            .replica
            .with(|r| !activities::organisers(r.view(), &m).is_empty());
        may.then_some(())
    });
    // (mine, upcoming): each list whole, cut below.
    let lists = Memo::new(move |_| {
        clock.track();
        let Some(m) = me(app) else {
            return (Vec::new(), Vec::new());
        };
        let now = super::ui::now_ms();
        app.replica.with(|r| {
            let s = r.view();
            let mine: Vec<Item> = activities::mine(s, &m.id)
                .into_iter()
                .filter(|a| {
                    a.end >= now && a.status != linli_core::activity::ActivityStatus::Cancelled
                })
                .rev()
                .map(|a| item(i18n, s, a, &m.id, now))
                .collect();
            let next: Vec<Item> = activities::upcoming(s, now)
                .into_iter()
                .take(50)
                .map(|a| item(i18n, s, a, &m.id, now))
                .collect();
            (mine, next)
        })
    });
    let days = Memo::new(move |_| {
        clock.track();
        let key = month.get();
        let Some(m) = me(app) else {
            return Vec::new();
        };
        let now = super::ui::now_ms();
        app.replica.with(|r| {
            let s = r.view();
            activities::days(s, &key)
                .into_iter()
                .map(|(day, list)| {
                    let first = list.first().map_or(0, |a| a.start);
                    let wd = calendar::local(first, offset(s)).weekday;
                    let items: Vec<Item> = list
                        .into_iter()
                        .map(|a| item(i18n, s, a, &m.id, now))
                        .collect();
                    (day, wd, items)
                })
                .collect::<Vec<_>>()
        })
    });
    let cut = |v: Vec<Item>, all: bool| {
        if all {
            v
        } else {
            v.into_iter().take(SHORT).collect()
        }
    };
    let more_button = move |flag: RwSignal<bool>, n: usize| {
        (n > SHORT).then(|| {
            view! {
                <button type="button" class="secondary more" on:click=move |_| flag.update(|f| *f = !*f)>
                    {move || if flag.get() {
                        i18n.t(k::ACT_SHOW_FEWER).to_owned()
                    } else {
                        fill(i18n.t(k::UI_SHOW_MORE), &[("n", &(n - SHORT).to_string())])
                    }}
                </button>
            }
        })
    };
    let shift = move |n: i32| {
        month.update(|m| {
            if let Some(next) = calendar::shift_month(m, n) {
                *m = next;
            }
        })
    };
    let month_title = move || {
        let key = month.get();
        fill(
            i18n.t(k::ACT_MONTH_TITLE),
            &[
                ("year", &key[..4]),
                ("month", key[5..].trim_start_matches('0')),
            ],
        )
    };
    let day_title = move |day: u32, wd: u32| {
        fill(
            i18n.t(k::ACT_DAY_TITLE),
            &[
                ("day", &day.to_string()),
                (
                    "weekday",
                    &label(i18n, "weekday", WEEKDAYS[wd as usize % 7]),
                ),
            ],
        )
    };
    view! {
        <Show when=move || creates.get().is_some()>
            <p><A href="/activities/new" attr:class="button">{tr(k::ACT_NEW)}</A></p>
        </Show>
        <section class="card" aria-labelledby="act-next-title">
            <h2 id="act-next-title">{tr(k::ACT_UPCOMING)}</h2>
            {move || {
                let v = lists.get().1;
                let n = v.len();
                view! { {list(cut(v, more_next.get()), k::ACT_UPCOMING_NONE)} {more_button(more_next, n)} }
            }}
        </section>
        <section class="card" aria-labelledby="act-mine-title">
            <h2 id="act-mine-title">{tr(k::ACT_MINE)}</h2>
            {move || {
                let v = lists.get().0;
                let n = v.len();
                view! { {list(cut(v, more_mine.get()), k::ACT_MINE_NONE)} {more_button(more_mine, n)} }
            }}
        </section>
        <section class="card" aria-labelledby="act-month-title">
            <h2 id="act-month-title">{month_title}</h2>
            <div class="form-row month-pager">
                <button type="button" class="secondary" on:click=move |_| shift(-1)>{tr(k::ACT_MONTH_PREV)}</button>
                <button
                    type="button"
                    class="secondary"
                    disabled={
                        let this_month = this_month.clone();
                        move || month.get() == this_month
                    }
                    on:click={
                        let this_month = this_month.clone();
                        move |_| month.set(this_month.clone())
                    }
                >
                    {tr(k::ACT_MONTH_THIS)}
                </button>
                <button type="button" class="secondary" on:click=move |_| shift(1)>{tr(k::ACT_MONTH_NEXT)}</button>
            </div>
            {move || {
                let d = days.get();
                if d.is_empty() {
                    return view! { <p class="hint">{tr(k::ACT_MONTH_NONE)}</p> }.into_any();
                }
                d.into_iter()
                    .map(|(day, wd, items)| {
                        view! {
                            <h3 class="cal-day">{day_title(day, wd)}</h3>
                            {list(items, k::ACT_MONTH_NONE)}
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </section>
    }
}
