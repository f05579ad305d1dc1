//! 派单 board: every wish in its column (`views::board_where`), filtered by
//! grid, category, urgency, team and text; overdue and lapsing claims
//! highlighted (`views::overdue`). Dispatch itself happens on the wish's
//! page; wishes waiting in the inbox can be published from here.
use std::collections::BTreeSet;

use leptos::prelude::*;
use linli_core::model::{Category, Urgency, Wish};
use linli_core::permissions;
use linli_core::views::{self, Column};
use linli_core::{Action, OpKind, WishId, actions, lean};

use super::ui::{
    Gate, PAGE, WishItem, grid_options, label, me, now_ms, pending_wishes, run, team_options,
    ticking_now,
};
use crate::components::form::{Options, Select, TextInput, coded_options};
use crate::i18n::{fill, k, tr, use_i18n};
use crate::state::use_app;
use crate::status::{Status, StatusLine};

/// Claims due within this many hours are marked "due soon".
const LAPSING_MS: u64 = 12 * 3_600_000;

#[component]
pub fn Board() -> impl IntoView {
    view! {
        <Gate title=k::BOARD_TITLE empty=k::BOARD_EMPTY>
            <BoardBody />
        </Gate>
    }
}

/// The board's filters, each a picker value ("" = any).
#[derive(Clone, Copy)]
struct Filter {
    grid: RwSignal<String>,
    category: RwSignal<String>,
    urgency: RwSignal<String>,
    team: RwSignal<String>,
    /// Filed at least this many days ago.
    age: RwSignal<String>,
    text: RwSignal<String>,
}

impl Filter {
    fn new() -> Filter {
        let any = || RwSignal::new(String::new());
        Filter {
            grid: any(),
            category: any(),
            urgency: any(),
            team: any(),
            age: any(),
            text: any(),
        }
    }

    /// A predicate over wishes, as the filters stand at `now`.
    fn keep(&self, now: u64) -> impl Fn(&Wish) -> bool + use<> {
        let [grid, category, urgency, team, age, text] = [
            self.grid,
            self.category,
            self.urgency,
            self.team,
            self.age,
            self.text,
        ]
        .map(|s| s.get());
        let text = text.trim().to_owned();
        let min_age_days: u64 = age.parse().unwrap_or(0);
        move |w: &Wish| {
            (grid.is_empty() || w.place.grid.as_deref() == Some(grid.as_str()))
                && (category.is_empty() || w.category.code() == category)
                && (urgency.is_empty() || w.urgency.code() == urgency)
                && (team.is_empty() || w.team.as_ref().is_some_and(|t| t.0 == team))
                && (text.is_empty()
                    || w.title.contains(&text)
                    || w.description.contains(&text)
                    || w.id.0 == text)
                && now.saturating_sub(w.created_at) >= min_age_days * 86_400_000
        }
    }
}

#[component]
fn BoardBody() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let filter = Filter::new();
    let msg = RwSignal::new(Status::Idle);
    if !me(app).is_some_and(|m| permissions::sees_lists(m.role)) {
        return view! { <p class="empty">{tr(k::BOARD_EMPTY)}</p> }.into_any();
    }
    // Column → ids, plus the overdue and lapsing sets; recomputed when the
    // replica or the filter changes.
    let clock = ticking_now();
    let board = Memo::new(move |_| {
        clock.track();
        let now = now_ms();
        let keep = filter.keep(now);
        app.replica.with(|r| {
            let s = r.view();
            let cols: Vec<(Column, Vec<WishId>)> = views::board_where(s, keep)
                .into_iter()
                .map(|(c, ws)| (c, ws.into_iter().map(|w| w.id.clone()).collect()))
                .collect();
            let overdue: BTreeSet<WishId> =
                lean::set(views::overdue(s, now).into_iter().map(|w| w.id.clone()));
            let lapsing: BTreeSet<WishId> = lean::set(
                s.leases
                    .iter()
                    .skip_while(|(d, _)| *d < now)
                    .take_while(|(d, _)| *d < now + LAPSING_MS)
                    .map(|(_, id)| id.clone()),
            );
            (cols, overdue, lapsing)
        })
    });
    let overdue_count = move || board.with(|b| b.1.len());
    let pending = Memo::new(move |_| pending_wishes(app));
    view! {
        <Filters filter=filter />
        <Show when=move || { overdue_count() > 0 }>
            <p class="alert-box" role="status">
                {move || fill(i18n.t(k::BOARD_OVERDUE_TITLE), &[("n", &overdue_count().to_string())])}
            </p>
        </Show>
        <StatusLine status=msg />
        <div class="board-columns">
            {Column::ALL
                .into_iter()
                .map(|col| view! { <BoardColumn col=col board=board pending=pending msg=msg /> })
                .collect_view()}
        </div>
    }
    .into_any()
}

#[component]
fn Filters(filter: Filter) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let grids = grid_options(app);
    let teams = team_options(app);
    let categories = coded_options::<Category>("category");
    // Most urgent first.
    let urgencies: Options = Signal::derive(move || {
        Urgency::ALL
            .into_iter()
            .rev()
            .map(|u| (u.code().to_owned(), label(i18n, "urgency", u.code())))
            .collect()
    });
    let ages: Options = Signal::derive(move || {
        [1u64, 3, 7, 30]
            .into_iter()
            .map(|d| {
                (
                    d.to_string(),
                    fill(i18n.t(k::BOARD_AGE_OPTION), &[("n", &d.to_string())]),
                )
            })
            .collect()
    });
    let any = k::UI_FILTER_ALL;
    // What the folded pickers hold, so a closed fold still says it filters.
    let summary = move || {
        let chosen: Vec<String> = [
            (filter.grid, &grids),
            (filter.category, &categories),
            (filter.urgency, &urgencies),
            (filter.team, &teams),
            (filter.age, &ages),
        ]
        .into_iter()
        .filter_map(|(value, options)| {
            let value = value.get();
            (!value.is_empty()).then(|| {
                options.with(|o| {
                    o.iter()
                        .find(|(code, _)| *code == value)
                        .map_or(value.clone(), |(_, text)| text.clone())
                })
            })
        })
        .collect();
        if chosen.is_empty() {
            i18n.t(k::BOARD_FILTERS_NONE).to_owned()
        } else {
            fill(
                i18n.t(k::BOARD_FILTERS_ACTIVE),
                &[("list", &i18n.list(&chosen))],
            )
        }
    };
    // Folded on a phone, where five pickers would fill the first screen.
    let wide = window()
        .inner_width()
        .ok()
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w >= 768.0);
    view! {
        <section class="card" aria-labelledby="board-filters">
            <h2 id="board-filters">{tr(k::BOARD_FILTERS)}</h2>
            <TextInput id="board-search" label=k::BOARD_SEARCH value=filter.text kind="search" />
            <details class="more-filters" open=wide>
                <summary>
                    {tr(k::BOARD_FILTERS_MORE)}
                    <span class="hint" data-testid="filter-summary">{summary}</span>
                </summary>
                <div class="filters">
                    <Select id="board-grid" label=k::BOARD_FILTER_GRID value=filter.grid options=grids none=any />
                    <Select id="board-category" label=k::BOARD_FILTER_CATEGORY value=filter.category options=categories none=any />
                    <Select id="board-urgency" label=k::BOARD_FILTER_URGENCY value=filter.urgency options=urgencies none=any />
                    <Select id="board-team" label=k::BOARD_FILTER_TEAM value=filter.team options=teams none=any />
                    <Select id="board-age" label=k::BOARD_FILTER_AGE value=filter.age options=ages none=any />
                </div>
            </details>
        </section>
    }
}

type BoardData = (
    Vec<(Column, Vec<WishId>)>,
    BTreeSet<WishId>,
    BTreeSet<WishId>,
);

#[component]
fn BoardColumn(
    col: Column,
    board: Memo<BoardData>,
    pending: Memo<BTreeSet<WishId>>,
    msg: RwSignal<Status>,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    // Finished work matters less on a dispatch board: show a few at first.
    let first = if matches!(col, Column::Closed | Column::Archived) {
        5
    } else {
        PAGE / 2
    };
    let shown = RwSignal::new(first);
    let heading = format!("board-col-{}", col.code());
    let total = Signal::derive(move || board.with(|b| b.0[col as usize].1.len()));
    let items = move || {
        let member = me(app);
        let p = pending.get();
        let rows: Vec<(Wish, bool, bool, bool)> = board.with(|(cols, overdue, lapsing)| {
            app.replica.with(|r| {
                let s = r.view();
                cols[col as usize]
                    .1
                    .iter()
                    .take(shown.get())
                    .filter_map(|id| s.wishes.get(id))
                    .map(|w| {
                        let publish = col == Column::Inbox
                            && member
                                .as_ref()
                                .is_some_and(|m| actions::may(s, m, w, Action::Publish, now_ms()));
                        (
                            w.clone(),
                            overdue.contains(&w.id),
                            lapsing.contains(&w.id),
                            publish,
                        )
                    })
                    .collect()
            })
        });
        rows.into_iter()
            .map(|(w, is_overdue, is_lapsing, publish)| {
                let id = w.id.clone();
                let title = w.title.clone();
                let is_pending = p.contains(&w.id);
                view! {
                    <WishItem wish=w overdue=is_overdue lapsing=is_lapsing pending=is_pending>
                        {publish.then(move || {
                            view! {
                                <div class="quick">
                                    <button
                                        type="button"
                                        class="secondary"
                                        aria-label=move || i18n.about(&label(i18n, "action", "publish"), &title)
                                        on:click=move |_| {
                                            run(app, OpKind::Publish { wish: id.clone() }, msg, || {})
                                        }
                                    >
                                        {move || label(i18n, "action", "publish")}
                                    </button>
                                </div>
                            }
                        })}
                    </WishItem>
                }
            })
            .collect_view()
    };
    let labelledby = heading.clone();
    view! {
        <section class="board-column" aria-labelledby=labelledby>
            <h2 id=heading>
                <span>{move || label(i18n, "column", col.code())}</span>
                <span class="count-badge">{move || total.get()}</span>
            </h2>
            <Show
                when=move || { total.get() > 0 }
                fallback=|| view! { <p class="hint">{tr(k::BOARD_COLUMN_EMPTY)}</p> }
            >
                <ul class="wish-list">{items}</ul>
                <super::ui::More shown=shown total=total />
            </Show>
        </section>
    }
}
