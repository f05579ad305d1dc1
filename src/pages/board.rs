//! 派单 board: every wish in its column (`views::board_where`), filtered by
//! grid, category, urgency, team and text; overdue and lapsing claims
//! highlighted (`views::overdue`). Dispatch itself happens on the wish's
//! page; wishes waiting in the inbox can be published from here.
use std::collections::BTreeSet;

use leptos::prelude::*;
use linli_core::model::{Category, Urgency, Wish};
use linli_core::permissions;
use linli_core::views::{self, Column};
use linli_core::{Action, OpKind, WishId};

use super::ui::{
    Gate, Msg, PAGE, StatusLine, WishItem, label, me, now_ms, pending_wishes, run, ticking_now,
};
use crate::i18n::{fill, k, tr, use_i18n};
use crate::state::use_app;

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

#[derive(Clone, Default, PartialEq)]
struct Filter {
    grid: String,
    category: String,
    urgency: String,
    team: String,
    text: String,
    /// Filed at least this many days ago (0: any age).
    min_age_days: u64,
    now: u64,
}

impl Filter {
    fn keep(&self, w: &Wish) -> bool {
        (self.grid.is_empty() || w.place.grid.as_deref() == Some(self.grid.as_str()))
            && (self.category.is_empty() || w.category.code() == self.category)
            && (self.urgency.is_empty() || w.urgency.code() == self.urgency)
            && (self.team.is_empty() || w.team.as_ref().is_some_and(|t| t.0 == self.team))
            && (self.text.is_empty()
                || w.title.contains(&self.text)
                || w.description.contains(&self.text)
                || w.id.0 == self.text)
            && (self.min_age_days == 0
                || self.now.saturating_sub(w.created_at) >= self.min_age_days * 86_400_000)
    }
}

#[component]
fn BoardBody() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let filter = RwSignal::new(Filter {
        now: now_ms(),
        ..Filter::default()
    });
    let msg = RwSignal::new(Msg::None);
    let sees_lists = me(app).is_some_and(|m| permissions::sees_lists(m.role));
    let (grids, teams) = app.replica.with_untracked(|r| {
        let s = r.view();
        (
            s.community
                .as_ref()
                .map(|c| c.grids.clone())
                .unwrap_or_default(),
            s.teams
                .values()
                .map(|t| (t.id.0.clone(), t.name.clone()))
                .collect::<Vec<_>>(),
        )
    });
    // Column → ids, plus the overdue and lapsing sets; recomputed when the
    // replica or the filter changes.
    let clock = ticking_now();
    let board = Memo::new(move |_| {
        let f = filter.get();
        clock.track();
        let now = now_ms();
        app.replica.with(|r| {
            let s = r.view();
            let cols: Vec<(Column, Vec<WishId>)> = views::board_where(s, |w| f.keep(w))
                .into_iter()
                .map(|(c, ws)| (c, ws.into_iter().map(|w| w.id.clone()).collect()))
                .collect();
            let overdue: BTreeSet<WishId> = views::overdue(s, now)
                .into_iter()
                .map(|w| w.id.clone())
                .collect();
            let lapsing: BTreeSet<WishId> = s
                .leases
                .iter()
                .skip_while(|(d, _)| *d < now)
                .take_while(|(d, _)| *d < now + LAPSING_MS)
                .map(|(_, id)| id.clone())
                .collect();
            (cols, overdue, lapsing)
        })
    });
    let overdue_count = move || board.with(|b| b.1.len());
    let pending = Memo::new(move |_| pending_wishes(app));

    let select = move |id: &'static str,
                       key,
                       options: Vec<(String, String)>,
                       set: fn(&mut Filter, String)| {
        view! {
            <div class="field">
                <label for=id>{tr(key)}</label>
                <select
                    id=id
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        filter.update(|f| set(f, v));
                    }
                >
                    <option value="">{tr(k::UI_FILTER_ALL)}</option>
                    {options
                        .into_iter()
                        .map(|(v, l)| view! { <option value=v>{l}</option> })
                        .collect_view()}
                </select>
            </div>
        }
    };
    let cat_options = move || {
        Category::ALL
            .into_iter()
            .map(|c| (c.code().to_owned(), label(i18n, "category", c.code())))
            .collect::<Vec<_>>()
    };
    let urg_options = move || {
        Urgency::ALL
            .into_iter()
            .rev()
            .map(|u| (u.code().to_owned(), label(i18n, "urgency", u.code())))
            .collect::<Vec<_>>()
    };
    let grid_options: Vec<(String, String)> = grids.into_iter().map(|g| (g.clone(), g)).collect();

    if !sees_lists {
        return view! { <p class="empty">{tr(k::BOARD_EMPTY)}</p> }.into_any();
    }
    view! {
        <section class="card" aria-labelledby="board-filters">
            <h2 id="board-filters">{tr(k::BOARD_FILTERS)}</h2>
            <div class="filters">
                {select("board-grid", k::BOARD_FILTER_GRID, grid_options, |f, v| f.grid = v)}
                {move || select("board-category", k::BOARD_FILTER_CATEGORY, cat_options(), |f, v| f.category = v)}
                {move || select("board-urgency", k::BOARD_FILTER_URGENCY, urg_options(), |f, v| f.urgency = v)}
                {select("board-team", k::BOARD_FILTER_TEAM, teams, |f, v| f.team = v)}
                {move || {
                    let ages = [1u64, 3, 7, 30]
                        .into_iter()
                        .map(|d| (d.to_string(), fill(i18n.t(k::BOARD_AGE_OPTION), &[("n", &d.to_string())])))
                        .collect();
                    select("board-age", k::BOARD_FILTER_AGE, ages, |f, v| {
                        f.min_age_days = v.parse().unwrap_or(0);
                        f.now = now_ms();
                    })
                }}
                <div class="field">
                    <label for="board-search">{tr(k::BOARD_SEARCH)}</label>
                    <input
                        id="board-search"
                        type="search"
                        on:input=move |ev| {
                            let v = event_target_value(&ev).trim().to_owned();
                            filter.update(|f| f.text = v);
                        }
                    />
                </div>
            </div>
        </section>
        <Show when=move || { overdue_count() > 0 }>
            <p class="alert-box" role="status">
                {move || fill(i18n.t(k::BOARD_OVERDUE_TITLE), &[("n", &overdue_count().to_string())])}
            </p>
        </Show>
        <StatusLine msg=msg />
        <div class="board-columns">
            {Column::ALL
                .into_iter()
                .map(|col| view! { <BoardColumn col=col board=board pending=pending msg=msg /> })
                .collect_view()}
        </div>
    }
    .into_any()
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
    msg: RwSignal<Msg>,
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
                                .is_some_and(|m| s.allows(m, Action::Publish, w));
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
                                        aria-label=move || format!("{}：{}", label(i18n, "action", "publish"), title)
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
