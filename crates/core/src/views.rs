//! Derived views: what pages show, computed from `State` only (pure, so a
//! page never re-implements a rule). Sorting is total (ties broken by id) so
//! every device lists the same thing in the same order.

use crate::calendar::{self, Period};
use crate::ids::{MemberId, ResourceId, WishId};
use crate::lean;
use crate::model::{Category, Resource, Role, Status, TimeWindow, Urgency, Wish};
use crate::reduce::{PointsEntry, PointsKind, State};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Board columns (看板), left to right.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    /// Waiting for dispatch: submitted, reopened, escalated.
    Inbox,
    /// Published, open for claiming.
    Open,
    /// Assigned or claimed, not started.
    Taken,
    /// In progress.
    Doing,
    /// Completed, waiting for evaluation.
    ToEvaluate,
    /// Closed (accepted).
    Closed,
    /// Rejected, merged or cancelled.
    Archived,
}

crate::code::coded!(Column {
    Inbox => "inbox",
    Open => "open",
    Taken => "taken",
    Doing => "doing",
    ToEvaluate => "to_evaluate",
    Closed => "closed",
    Archived => "archived",
});

impl Column {
    /// The column a status belongs to.
    pub fn of(status: Status) -> Column {
        match status {
            Status::Submitted | Status::Reopened | Status::Escalated => Column::Inbox,
            Status::Published => Column::Open,
            Status::Assigned | Status::Claimed => Column::Taken,
            Status::InProgress => Column::Doing,
            Status::Completed => Column::ToEvaluate,
            Status::Closed => Column::Closed,
            Status::Rejected | Status::Merged | Status::Cancelled => Column::Archived,
        }
    }
}

pub use crate::lean::sort_stable;

/// Newest first, ties by id: the order of wish lists.
pub fn by_newest(a: &&Wish, b: &&Wish) -> std::cmp::Ordering {
    b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id))
}

/// Most points first, ties by id: the leaderboard's order.
pub fn by_points(a: &(&MemberId, i64), b: &(&MemberId, i64)) -> std::cmp::Ordering {
    b.1.cmp(&a.1).then(a.0.cmp(b.0))
}

fn by_priority(a: &&Wish, b: &&Wish) -> std::cmp::Ordering {
    b.urgency
        .cmp(&a.urgency)
        .then(a.created_at.cmp(&b.created_at))
        .then(a.id.cmp(&b.id))
}

/// The board: every wish in its column, each column in priority order.
pub fn board(state: &State) -> Vec<(Column, Vec<&Wish>)> {
    board_where(state, |_| true)
}

/// The board restricted to wishes passing `keep` (a grid, a category…).
pub fn board_where(state: &State, keep: impl Fn(&Wish) -> bool) -> Vec<(Column, Vec<&Wish>)> {
    let mut cols: Vec<(Column, Vec<&Wish>)> = Column::ALL.map(|c| (c, Vec::new())).into();
    for w in state.wishes.values().filter(|w| keep(w)) {
        cols[Column::of(w.status) as usize].1.push(w);
    }
    for (_, v) in &mut cols {
        sort_stable(v, &by_priority);
    }
    cols
}

/// Why an open order suits a volunteer (for the UI's hint chips).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fit {
    /// In one of the member's grids.
    Grid,
    /// Matches one of the member's skills.
    Skill,
    /// Matches a category one of the member's teams serves.
    Team,
}

crate::code::coded!(Fit {
    Grid => "grid",
    Skill => "skill",
    Team => "team",
});

/// An open order ranked for a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranked<'a> {
    /// The wish.
    pub wish: &'a Wish,
    /// Higher is a better fit.
    pub score: u32,
    /// Why.
    pub fits: Vec<Fit>,
}

fn urgency_points(u: Urgency) -> u32 {
    match u {
        Urgency::Low => 0,
        Urgency::Normal => 5,
        Urgency::High => 15,
        Urgency::Urgent => 30,
    }
}

/// Open (published) orders for `member`, best fit first: own grid +30,
/// own skill +20, a category one of their teams serves +10, plus urgency;
/// ties go to the older wish.
pub fn open_orders<'a>(state: &'a State, member: &MemberId) -> Vec<Ranked<'a>> {
    let m = state.members.get(member);
    let team_cats: Vec<Category> = state
        .teams
        .values()
        .filter(|t| t.members.binary_search(member).is_ok())
        .flat_map(|t| t.categories.iter().copied())
        .collect();
    let mut out: Vec<Ranked> = state
        .wishes
        .values()
        .filter(|w| w.status == Status::Published)
        .map(|w| {
            let mut fits = Vec::new();
            if let (Some(m), Some(g)) = (m, &w.place.grid)
                && m.grids.contains(g)
            {
                fits.push(Fit::Grid);
            }
            if m.is_some_and(|m| m.skills.contains(&w.category)) {
                fits.push(Fit::Skill);
            }
            if team_cats.contains(&w.category) {
                fits.push(Fit::Team);
            }
            let score = fits
                .iter()
                .map(|f| match f {
                    Fit::Grid => 30,
                    Fit::Skill => 20,
                    Fit::Team => 10,
                })
                .sum::<u32>()
                + urgency_points(w.urgency);
            Ranked {
                wish: w,
                score,
                fits,
            }
        })
        .collect();
    sort_stable(&mut out, &|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.wish.created_at.cmp(&b.wish.created_at))
            .then(a.wish.id.cmp(&b.wish.id))
    });
    out
}

/// A member's own orders ("我的").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MyOrders<'a> {
    /// Wishes the member holds (directly, via a team or a unit) that are not yet closed.
    pub holding: Vec<&'a Wish>,
    /// Wishes the member requested or filed.
    pub requested: Vec<&'a Wish>,
    /// Wishes the member completed at some point (for the history tab).
    pub done: Vec<&'a Wish>,
}

/// Minutes the member has served: every completion counts, a redone job
/// too (issue 13: hours went down after a rework when only the latest
/// completion counted).
pub fn minutes_served(state: &State, member: &MemberId) -> u64 {
    state.served.get(member).copied().unwrap_or(0)
}

/// Split the member's orders into holding / requested / done.
pub fn my_orders<'a>(state: &'a State, member: &MemberId) -> MyOrders<'a> {
    let mut out = MyOrders::default();
    for w in state.wishes.values() {
        if !w.status.is_terminal() && state.holds(member, w) {
            out.holding.push(w);
        }
        if w.requester.as_ref() == Some(member) || w.created_by == *member {
            out.requested.push(w);
        }
        if w.completion.as_ref().is_some_and(|c| c.by == *member) {
            out.done.push(w);
        }
    }
    sort_stable(&mut out.holding, &by_priority);
    sort_stable(&mut out.requested, &by_newest);
    sort_stable(&mut out.done, &by_newest);
    out
}

/// Rows a list shows at once; "show more" adds as many again.
pub const PAGE: usize = 50;

/// The wishes page's lists: the member's own requests (`mine`), or every
/// wish newest first; kept when the status code is `status` (any if empty)
/// and the title or description contains `query` (any if empty).
pub fn wish_list<'a>(
    state: &'a State,
    member: &MemberId,
    mine: bool,
    status: &str,
    query: &str,
) -> Vec<&'a Wish> {
    let keep = |w: &&Wish| {
        (status.is_empty() || w.status.code() == status)
            && (query.is_empty() || w.title.contains(query) || w.description.contains(query))
    };
    if mine {
        return my_orders(state, member)
            .requested
            .into_iter()
            .filter(keep)
            .collect();
    }
    let mut v: Vec<&Wish> = state.wishes.values().filter(keep).collect();
    sort_stable(&mut v, &by_newest);
    v
}

/// Whether the wishes page opens on every wish (those who dispatch or
/// watch the whole community) rather than the member's own.
pub fn lists_all_first(role: Role) -> bool {
    matches!(role, Role::Coordinator | Role::GridWorker | Role::Viewer)
}

/// The wishes page as it opens, kept by a device to paint at its next
/// start before its state is read (docs/client.md, "Start-up").
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FirstPage {
    /// Whose page it is: painted only for the same member.
    pub member: MemberId,
    /// Every wish (`lists_all_first`) or the member's own.
    pub all: bool,
    /// How many wishes the list had.
    pub total: usize,
    /// Its first wishes, in order.
    pub wishes: Vec<Wish>,
}

/// The first `n` rows of the list the wishes page opens on for `member`
/// (its role's tab, no filter).
pub fn first_page(state: &State, member: &MemberId, role: Role, n: usize) -> FirstPage {
    let all = lists_all_first(role);
    let list = wish_list(state, member, !all, "", "");
    FirstPage {
        member: member.clone(),
        all,
        total: list.len(),
        wishes: list.into_iter().take(n).cloned().collect(),
    }
}

/// Whether two titles look alike: they share at least 40 % of the character
/// pairs of the shorter one (whitespace ignored); titles too short for a
/// pair look alike only when equal.
pub fn looks_alike(a: &str, b: &str) -> bool {
    fn pairs(s: &str) -> BTreeSet<(char, char)> {
        let cs: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
        lean::set(cs.windows(2).map(|w| (w[0], w[1])))
    }
    let (pa, pb) = (pairs(a), pairs(b));
    if pa.is_empty() || pb.is_empty() {
        return a.trim() == b.trim() && !a.trim().is_empty();
    }
    let common = pa.intersection(&pb).count();
    common * 5 >= pa.len().min(pb.len()) * 2
}

/// Open wishes a new one may duplicate (the wish form's hint): same
/// category, the same grid and building where given, a title that
/// `looks_alike`; at most `limit`, oldest first.
pub fn look_alikes<'a>(
    state: &'a State,
    category: Category,
    title: &str,
    grid: Option<&str>,
    building: Option<&str>,
    limit: usize,
) -> Vec<&'a Wish> {
    if title.trim().chars().count() < 2 {
        return Vec::new();
    }
    state
        .wishes
        .values()
        .filter(|w| !w.status.is_terminal() && w.category == category)
        .filter(|w| grid.is_none_or(|g| w.place.grid.as_deref() == Some(g)))
        .filter(|w| building.is_none_or(|b| w.place.building.as_deref() == Some(b)))
        .filter(|w| looks_alike(&w.title, title))
        .take(limit)
        .collect()
}

/// Held wishes whose lease deadline has passed at `now_ms` but that no op
/// has lapsed yet: the UI shows them as "lease expired" and may offer an
/// `ExpireLease` op. (The state itself changes only through ops.)
pub fn overdue(state: &State, now_ms: u64) -> Vec<&Wish> {
    state
        .leases
        .iter()
        .take_while(|(deadline, _)| *deadline < now_ms)
        .filter_map(|(_, id)| state.wishes.get(id))
        .collect()
}

/// A member's points: the formula's three parts and every entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger<'a> {
    /// 基础积分.
    pub basic: i64,
    /// 正向积分.
    pub positive: i64,
    /// 反向扣分 (a negative number).
    pub deduction: i64,
    /// basic + positive + deduction.
    pub total: i64,
    /// Entries in log order, each pointing at its op.
    pub entries: &'a [PointsEntry],
}

/// The points ledger of one member.
pub fn ledger<'a>(state: &'a State, member: &MemberId) -> Ledger<'a> {
    let entries = state.ledger.get(member).map_or(&[][..], Vec::as_slice);
    let mut l = Ledger {
        entries,
        ..Ledger::default()
    };
    for e in entries {
        match e.kind {
            PointsKind::Basic => l.basic += e.delta,
            PointsKind::Positive => l.positive += e.delta,
            PointsKind::Deduction => l.deduction += e.delta,
        }
    }
    l.total = l.basic + l.positive + l.deduction;
    l
}

/// Members by total points, highest first (ties by id).
pub fn leaderboard(state: &State) -> Vec<(&MemberId, i64)> {
    leaderboard_in(state, &Period::All)
}

/// Members with ledger entries in `period` (community local time), by the
/// sum of those entries, highest first (ties by id). Over all time the sums
/// are the reducer's totals (`State::points`).
pub fn leaderboard_in<'a>(state: &'a State, period: &Period) -> Vec<(&'a MemberId, i64)> {
    let offset = state.settings().utc_offset_minutes;
    let mut v: Vec<(&MemberId, i64)> = state
        .ledger
        .iter()
        .filter_map(|(m, l)| {
            let mut inside = l
                .iter()
                .filter(|e| period.contains(e.at, offset))
                .peekable();
            inside.peek()?;
            Some((m, inside.map(|e| e.delta).sum::<i64>()))
        })
        .collect();
    sort_stable(&mut v, &by_points);
    v
}

/// The local month of `ms` in this community ("YYYY-MM").
pub fn month_of(state: &State, ms: u64) -> String {
    calendar::local(ms, state.settings().utc_offset_minutes).month_key()
}

/// Months with at least one filed wish, newest first (the dashboard's picker).
pub fn wish_months(state: &State) -> Vec<String> {
    newest_first(state, state.wishes.values().map(|w| w.created_at))
}

/// Months with at least one ledger entry, newest first (the leaderboard's picker).
pub fn ledger_months(state: &State) -> Vec<String> {
    newest_first(state, state.ledger.values().flatten().map(|e| e.at))
}

fn newest_first(state: &State, times: impl Iterator<Item = u64>) -> Vec<String> {
    let months: BTreeSet<String> = lean::set(times.map(|ms| month_of(state, ms)));
    months.into_iter().rev().collect()
}

/// How the dashboard groups the rates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupBy {
    /// One row for the whole community (key "all").
    All,
    /// By grid (key: grid name, "-" if none).
    Grid,
    /// By category (key: category code).
    Category,
    /// By the team that last held the wish (key: team id, "-" if none).
    Team,
    /// By the month the wish was filed in community local time (key "YYYY-MM").
    Month,
}

crate::code::coded!(GroupBy {
    All => "all",
    Grid => "grid",
    Category => "category",
    Team => "team",
    Month => "month",
});

/// Dashboard figures for one group. Cancelled and merged wishes are not
/// counted (the merged one counts in its target).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rates {
    /// Group key.
    pub key: String,
    /// Wishes counted.
    pub total: u32,
    /// Of those, answered by a dispatch decision (响应).
    pub responded: u32,
    /// Of those, completed or closed (解决).
    pub resolved: u32,
    /// Evaluations given (every one, including those that sent work back).
    pub evaluations: u32,
    /// Of those, satisfied or basically satisfied (满意).
    pub satisfied: u32,
    /// Times work was sent back.
    pub rework: u32,
    /// Median filing → first response, ms.
    pub median_respond_ms: Option<u64>,
    /// Median filing → completion now standing, ms.
    pub median_resolve_ms: Option<u64>,
    /// Of those, escalated to the street (counted as the community's all the same).
    pub escalated: u32,
    /// Of the escalated, answered by the street.
    pub street_answered: u32,
    /// Median filing → (latest) escalation, ms: the community's escalation time.
    pub median_escalate_ms: Option<u64>,
    /// Median escalation → the street's first answer, ms: the street's response time.
    pub median_street_ms: Option<u64>,
}

fn ratio(n: u32, d: u32) -> Option<f64> {
    (d > 0).then(|| f64::from(n) / f64::from(d))
}

impl Rates {
    /// 响应率: responded / total.
    pub fn response_rate(&self) -> Option<f64> {
        ratio(self.responded, self.total)
    }
    /// 解决率: resolved / total.
    pub fn resolution_rate(&self) -> Option<f64> {
        ratio(self.resolved, self.total)
    }
    /// 满意率: satisfied / evaluations.
    pub fn satisfaction_rate(&self) -> Option<f64> {
        ratio(self.satisfied, self.evaluations)
    }
}

pub(crate) fn key_of(w: &Wish, by: GroupBy, offset: i32) -> String {
    match by {
        GroupBy::All => "all".into(),
        GroupBy::Grid => w.place.grid.clone().unwrap_or_else(|| "-".into()),
        GroupBy::Category => w.category.code().into(),
        GroupBy::Team => w.team.as_ref().map_or_else(|| "-".into(), |t| t.0.clone()),
        GroupBy::Month => calendar::local(w.created_at, offset).month_key(),
    }
}

fn median(v: &mut [u64]) -> Option<u64> {
    if v.is_empty() {
        return None;
    }
    lean::sort(v);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    })
}

/// The three rates and median times, one row per group, in key order
/// (grids: in the community's own order, then any others).
pub fn rates(state: &State, by: GroupBy) -> Vec<Rates> {
    rates_in(state, by, &Period::All)
}

/// Whether a wish counts in the rates of `period`: filed in it (community
/// local time at `offset`), neither cancelled nor merged.
pub(crate) fn counted(w: &Wish, period: &Period, offset: i32) -> bool {
    !matches!(w.status, Status::Cancelled | Status::Merged) && period.contains(w.created_at, offset)
}

/// One group's rates while wishes are added; medians at `finish`, over
/// every wish added (the street adds several communities' wishes).
#[derive(Default)]
pub(crate) struct RatesAcc {
    r: Rates,
    respond: Vec<u64>,
    resolve: Vec<u64>,
    escalate: Vec<u64>,
    street: Vec<u64>,
}

impl RatesAcc {
    pub(crate) fn add(&mut self, w: &Wish) {
        self.r.total += 1;
        if let Some(t) = w.responded_at {
            self.r.responded += 1;
            self.respond.push(t.saturating_sub(w.created_at));
        }
        if matches!(w.status, Status::Completed | Status::Closed)
            && let Some(t) = w.resolved_at
        {
            self.r.resolved += 1;
            self.resolve.push(t.saturating_sub(w.created_at));
        }
        self.r.evaluations += w.evaluations.len() as u32;
        self.r.satisfied += w.evaluations.iter().filter(|e| e.rating.accepts()).count() as u32;
        self.r.rework += w.rework;
        if let Some(e) = &w.escalation {
            self.r.escalated += 1;
            self.escalate.push(e.at.saturating_sub(w.created_at));
            if let Some(a) = e.answered_at {
                self.r.street_answered += 1;
                self.street.push(a.saturating_sub(e.at));
            }
        }
    }

    pub(crate) fn finish(mut self, key: String) -> Rates {
        self.r.key = key;
        self.r.median_respond_ms = median(&mut self.respond);
        self.r.median_resolve_ms = median(&mut self.resolve);
        self.r.median_escalate_ms = median(&mut self.escalate);
        self.r.median_street_ms = median(&mut self.street);
        self.r
    }
}

/// `rates` over the wishes filed in `period` (community local time).
pub fn rates_in(state: &State, by: GroupBy, period: &Period) -> Vec<Rates> {
    let offset = state.settings().utc_offset_minutes;
    let mut groups: BTreeMap<String, RatesAcc> = BTreeMap::new();
    for w in state.wishes.values().filter(|w| counted(w, period, offset)) {
        groups.entry(key_of(w, by, offset)).or_default().add(w);
    }
    let mut rows: Vec<Rates> = groups.into_iter().map(|(k, a)| a.finish(k)).collect();
    if by == GroupBy::Grid {
        // The community's own order (一、二、三), not the code points' (一、三、二).
        let grids = state
            .community
            .as_ref()
            .map(|c| c.grids.as_slice())
            .unwrap_or_default();
        let rank = |k: &str| grids.iter().position(|g| g == k).unwrap_or(usize::MAX);
        lean::sort_by_key(&mut rows, |r| rank(&r.key));
    }
    rows
}

/// The rates as CSV (header + one line per group), for the dashboard export.
/// Rates are fractions with four decimals; times are hours with one.
pub fn rates_csv(rows: &[Rates]) -> String {
    rates_csv_with("group", rows)
}

/// `rates_csv` with another name for the first column.
pub fn rates_csv_with(first: &str, rows: &[Rates]) -> String {
    fn f(x: Option<f64>) -> String {
        x.map_or(String::new(), |x| format!("{x:.4}"))
    }
    fn h(x: Option<u64>) -> String {
        x.map_or(String::new(), |x| format!("{:.1}", x as f64 / 3_600_000.0))
    }
    let mut s = format!(
        "{},total,responded,resolved,evaluations,satisfied,rework,response_rate,resolution_rate,satisfaction_rate,median_respond_h,median_resolve_h,escalated,street_answered,median_escalate_h,median_street_h\n",
        csv_cell(first)
    );
    for r in rows {
        let key = csv_cell(&r.key);
        s.push_str(&format!(
            "{key},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            r.total,
            r.responded,
            r.resolved,
            r.evaluations,
            r.satisfied,
            r.rework,
            f(r.response_rate()),
            f(r.resolution_rate()),
            f(r.satisfaction_rate()),
            h(r.median_respond_ms),
            h(r.median_resolve_ms),
            r.escalated,
            r.street_answered,
            h(r.median_escalate_ms),
            h(r.median_street_ms),
        ));
    }
    s
}

/// A CSV cell: quoted when it holds a comma, a quote or a line break.
pub fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A partner resource ranked against one wish (资源清单 ↔ 需求清单).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceMatch<'a> {
    /// The resource.
    pub resource: &'a Resource,
    /// Higher is better.
    pub score: u32,
    /// Lists the wish's category (a real match).
    pub category: bool,
    /// Takes any category (通用): ranked after real matches.
    pub general: bool,
    /// Available in the wish's preferred window (or either is unconstrained).
    pub time: bool,
    /// Serves the wish's grid (or all grids).
    pub place: bool,
}

fn time_fits(r: &Resource, want: Option<&TimeWindow>, offset_min: i32) -> bool {
    let Some(want) = want else { return true };
    if let Some(have) = &r.window
        && !have.overlaps(want)
    {
        return false;
    }
    if r.weekdays == 0 {
        return true;
    }
    // Any day touched by the wanted window (at most a week is checked).
    let mut t = want.from;
    for _ in 0..7 {
        if t >= want.to {
            break;
        }
        if r.weekdays & (1 << calendar::local(t, offset_min).weekday) != 0 {
            return true;
        }
        t = calendar::next_midnight(t, offset_min);
    }
    false
}

/// Rank active resources with capacity left for `wish`: category match
/// (8, or 3 for an all-purpose resource), time fit (4), place fit (2), then
/// capacity and id. Resources whose categories exclude the wish's are left out.
pub fn match_resources<'a>(state: &'a State, wish: &WishId) -> Vec<ResourceMatch<'a>> {
    let Some(w) = state.wishes.get(wish) else {
        return Vec::new();
    };
    let offset = state.settings().utc_offset_minutes;
    let mut out: Vec<ResourceMatch> = state
        .resources
        .values()
        .filter(|r| r.active && r.capacity > 0)
        .filter(|r| r.categories.is_empty() || r.categories.contains(&w.category))
        .map(|r| {
            let general = r.categories.is_empty();
            let category = !general;
            let time = time_fits(r, w.window.as_ref(), offset);
            let place =
                r.grids.is_empty() || w.place.grid.as_ref().is_some_and(|g| r.grids.contains(g));
            let score =
                if general { 3 } else { 8 } + if time { 4 } else { 0 } + if place { 2 } else { 0 };
            ResourceMatch {
                resource: r,
                score,
                category,
                general,
                time,
                place,
            }
        })
        .collect();
    sort_stable(&mut out, &|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.resource.capacity.cmp(&a.resource.capacity))
            .then(a.resource.id.cmp(&b.resource.id))
    });
    out
}

/// The demand list as one resource sees it: published wishes it could
/// serve (its categories, or any), best fit first — time (4) and place (2),
/// as in `match_resources` — then oldest first. Empty for a withdrawn or
/// used-up resource.
pub fn demands_for<'a>(state: &'a State, resource: &ResourceId) -> Vec<&'a Wish> {
    let Some(r) = state
        .resources
        .get(resource)
        .filter(|r| r.active && r.capacity > 0)
    else {
        return Vec::new();
    };
    let offset = state.settings().utc_offset_minutes;
    let mut out: Vec<(u32, &Wish)> = state
        .wishes
        .values()
        .filter(|w| w.status == Status::Published)
        .filter(|w| r.categories.is_empty() || r.categories.contains(&w.category))
        .map(|w| {
            let time = time_fits(r, w.window.as_ref(), offset);
            let place =
                r.grids.is_empty() || w.place.grid.as_ref().is_some_and(|g| r.grids.contains(g));
            (u32::from(time) * 4 + u32::from(place) * 2, w)
        })
        .collect();
    sort_stable(&mut out, &|(a, x), (b, y)| {
        b.cmp(a)
            .then(x.created_at.cmp(&y.created_at))
            .then(x.id.cmp(&y.id))
    });
    out.into_iter().map(|(_, w)| w).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_that_look_alike() {
        assert!(looks_alike("3号楼楼道灯不亮", "3号楼 楼道灯坏了"));
        assert!(looks_alike("楼道灯不亮", "楼道灯不亮"));
        assert!(!looks_alike("楼道灯不亮", "车棚垃圾清运"));
        // One character: no pairs, so only equal titles.
        assert!(looks_alike("灯", " 灯 "));
        assert!(!looks_alike("灯", "门"));
        assert!(!looks_alike("", ""));
        // 40 % of the shorter one's pairs: 2 of 5 is enough, 1 of 5 is not.
        assert!(looks_alike("abcdef", "abcxyz"));
        assert!(!looks_alike("abcdef", "abxyzw"));
    }

    #[test]
    fn looking_alike_is_symmetric_and_measured_on_the_shorter_title() {
        // The shorter title's pairs decide: "abc" has 2, both in the long one.
        assert!(looks_alike("abc", "abcdefghij"));
        assert!(looks_alike("abcdefghij", "abc"));
        // 10 pairs in the shorter one (15 in the other): 4 shared is 40 %,
        // 3 is not.
        assert!(looks_alike("abcdefghijk", "abcdeUVWXYZuvwxy"));
        assert!(!looks_alike("abcdefghijk", "abcdUVWXYZuvwxyz"));
        assert!(!looks_alike("abcdUVWXYZuvwxyz", "abcdefghijk"));
        // Repeated pairs count once.
        assert!(looks_alike("aaaa", "aa"));
        // Whitespace only is empty; empty never looks like anything.
        assert!(!looks_alike("  ", " "));
        assert!(!looks_alike("", "楼道灯不亮"));
        assert!(!looks_alike("楼道灯不亮", ""));
        // One character against a title: no pair on one side, not equal.
        assert!(!looks_alike("灯", "楼道灯不亮"));
        // Whitespace inside a title does not make pairs of its own.
        assert!(looks_alike("楼 道 灯", "楼道灯"));
    }

    #[test]
    fn windows_from_one_or_both_ends() {
        use crate::model::TimeWindow;
        let h = TimeWindow::DEFAULT_MS;
        assert_eq!(TimeWindow::from_ends(None, None), None);
        assert_eq!(
            TimeWindow::from_ends(Some(10), Some(20)),
            Some(TimeWindow { from: 10, to: 20 })
        );
        assert_eq!(
            TimeWindow::from_ends(Some(10), None),
            Some(TimeWindow {
                from: 10,
                to: 10 + h
            })
        );
        assert_eq!(
            TimeWindow::from_ends(None, Some(h + 5)),
            Some(TimeWindow { from: 5, to: h + 5 })
        );
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2));
    }
}
