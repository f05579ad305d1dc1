//! The care list (关爱名单) and door-to-door visits (上门走访). The shared log
//! holds only what a list needs without identifying anyone: a household's
//! id, category, grid and building, visit frequency, who is responsible,
//! its status, and each visit's date, mode, outcome and visitors. Names,
//! exact addresses, phones, health notes and visit notes are private
//! records (`HouseholdRecord`, `VisitNote`) that the endpoint hands only to
//! those `may_see` allows. See docs/care.md.

use crate::calendar::{self, DAY_MS, LocalDay};
use crate::code::coded;
use crate::ids::{HouseholdId, MemberId, OpId, VisitId, WishId};
use crate::model::{Member, Role};
use crate::op::{Op, OpKind};
use crate::permissions::Rule;
use crate::reduce::{State, VoidReason};
use serde::{Deserialize, Serialize};

/// How often a household is to be visited.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Every 7 days.
    #[default]
    Weekly,
    /// Every 14 days.
    Fortnightly,
    /// By the same day of the next month (the 31st → the month's last day).
    Monthly,
}

coded!(Frequency {
    Weekly => "weekly",
    Fortnightly => "fortnightly",
    Monthly => "monthly",
});

impl Frequency {
    /// The local day by which the next visit is due after a visit on `from`.
    pub fn next(self, from: &LocalDay) -> i64 {
        match self {
            Frequency::Weekly => from.days + 7,
            Frequency::Fortnightly => from.days + 14,
            Frequency::Monthly => {
                let (y, m) = if from.month == 12 {
                    (from.year + 1, 1)
                } else {
                    (from.year, from.month + 1)
                };
                calendar::days_from_civil(y, m, from.day.min(calendar::month_days(y, m)))
            }
        }
    }
}

/// Where a household stands on the list.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdStatus {
    /// Visited at its frequency.
    #[default]
    Active,
    /// Not visited for now (in hospital, staying with family); no visit is due.
    Paused,
    /// Off the list; only coordinators still see its private record.
    Closed,
}

coded!(HouseholdStatus {
    Active => "active",
    Paused => "paused",
    Closed => "closed",
});

/// How a visit was made.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum VisitMode {
    /// At the household's home (上门).
    #[default]
    Home,
    /// By phone.
    Phone,
    /// The person came to the service centre.
    Centre,
}

coded!(VisitMode {
    Home => "home",
    Phone => "phone",
    Centre => "centre",
});

/// What a visit found.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// All well.
    #[default]
    Well,
    /// Needs a follow-up (often a wish recorded on their behalf).
    FollowUp,
    /// Nobody at home: the visit does not count, the next is still due.
    NotHome,
    /// Urgent: needs help now.
    Urgent,
}

coded!(Outcome {
    Well => "well",
    FollowUp => "follow_up",
    NotHome => "not_home",
    Urgent => "urgent",
});

impl Outcome {
    /// Whether the visit counts as one (someone was seen or spoken to).
    pub fn counts(self) -> bool {
        self != Outcome::NotHome
    }
}

/// One visit, as the log has it (its notes are a private `VisitNote`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    /// Visit id (minted by the recording device).
    pub id: VisitId,
    /// When it took place (epoch ms; may be earlier than the op).
    pub date: u64,
    /// How.
    pub mode: VisitMode,
    /// What it found.
    pub outcome: Outcome,
    /// Who went (sorted).
    pub visitors: Vec<MemberId>,
    /// Who recorded it.
    pub by: MemberId,
    /// The op that recorded it.
    pub op: OpId,
    /// Wishes recorded on the household's behalf from this visit.
    pub wishes: Vec<WishId>,
}

/// A household on the care list, without anything that identifies it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    /// Household id.
    pub id: HouseholdId,
    /// Category, one of `CareSettings::categories` (独居老人 …).
    pub category: String,
    /// Grid (网格).
    pub grid: String,
    /// Building or courtyard, if known.
    pub building: Option<String>,
    /// Visit frequency.
    pub frequency: Frequency,
    /// The grid worker (or coordinator) responsible.
    pub responsible: MemberId,
    /// Volunteers who visit too (at most two, sorted).
    pub pair: Vec<MemberId>,
    /// Current status.
    pub status: HouseholdStatus,
    /// Why it is paused or closed.
    pub reason: String,
    /// When it was put on the list.
    pub created_at: u64,
    /// Every status since then, `(at, status)` in log order, starting with
    /// `(created_at, Active)`: coverage of a past month reads it.
    pub history: Vec<(u64, HouseholdStatus)>,
    /// Visits in log order.
    pub visits: Vec<Visit>,
}

impl Household {
    /// Whether `member` is responsible for the household or one of its pair.
    pub fn cares(&self, member: &MemberId) -> bool {
        self.responsible == *member || self.pair.contains(member)
    }

    /// The status at instant `at` (by the history).
    pub fn status_at(&self, at: u64) -> Option<HouseholdStatus> {
        self.history
            .iter()
            .take_while(|(t, _)| *t <= at)
            .last()
            .map(|(_, s)| *s)
    }

    /// The last counting visit on or before `at`.
    pub fn last_visit(&self, at: u64) -> Option<&Visit> {
        self.visits
            .iter()
            .filter(|v| v.outcome.counts() && v.date <= at)
            .max_by_key(|v| v.date)
    }
}

/// Care-list rules a coordinator sets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareSettings {
    /// Household categories, in display order.
    pub categories: Vec<String>,
}

impl Default for CareSettings {
    fn default() -> Self {
        Self {
            categories: ["独居老人", "残疾人", "困难家庭", "其他"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// Whether `member` may see the household's private record and visit
/// notes — THE care privacy rule, used by the endpoint (serving and
/// refusing) and the app (keeping or dropping): an active coordinator; while
/// the household is not closed, also the grid workers of its grid and the
/// people responsible for it. Nobody else: not other volunteers, partners,
/// residents, the kiosk or viewers.
pub fn may_see(state: &State, member: &MemberId, household: &HouseholdId) -> bool {
    let (Some(m), Some(h)) = (state.members.get(member), state.households.get(household)) else {
        return false;
    };
    if !m.active {
        return false;
    }
    if m.role == Role::Coordinator {
        return true;
    }
    h.status != HouseholdStatus::Closed && (in_grid(m, h) || h.cares(member))
}

/// Whether `member` may record a visit to the household (and write its
/// notes): who may see it, except that the household must not be closed.
pub fn may_visit(state: &State, member: &MemberId, household: &HouseholdId) -> bool {
    may_see(state, member, household)
        && state
            .households
            .get(household)
            .is_some_and(|h| h.status != HouseholdStatus::Closed)
}

/// Whether `member` may change the household's private record (name,
/// address, phone, health notes): coordinators and grid workers of its grid.
pub fn may_edit(state: &State, member: &MemberId, household: &HouseholdId) -> bool {
    let (Some(m), Some(h)) = (state.members.get(member), state.households.get(household)) else {
        return false;
    };
    m.active
        && match m.role {
            Role::Coordinator => true,
            Role::GridWorker => h.status != HouseholdStatus::Closed && in_grid(m, h),
            _ => false,
        }
}

fn in_grid(m: &Member, h: &Household) -> bool {
    m.role == Role::GridWorker && m.grids.contains(&h.grid)
}

/// A household's private details: never in `State` or an op.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdRecord {
    /// The household.
    pub household: HouseholdId,
    /// Name(s) of the people living there.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Exact address (room number).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    /// Phone.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    /// Health and circumstances notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// The free-text note of one visit: private, like the household record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitNote {
    /// The household.
    pub household: HouseholdId,
    /// The visit.
    pub visit: VisitId,
    /// What was found, in the visitor's words.
    pub text: String,
}

/// Longest name in a household record.
pub const NAME_MAX_CHARS: usize = 60;
/// Longest note (household notes, visit notes).
pub const NOTE_MAX_CHARS: usize = 2000;

/// Why a private care record is unacceptable (stable codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// Phone of the wrong form (as for contact records).
    #[error("phone number is invalid")]
    BadPhone,
    /// Address over the limit.
    #[error("address is too long")]
    AddressTooLong,
    /// Name over `NAME_MAX_CHARS`.
    #[error("name is too long")]
    NameTooLong,
    /// Note over `NOTE_MAX_CHARS`, or a blank visit note.
    #[error("note is empty or too long")]
    BadNote,
}

impl RecordError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            RecordError::BadPhone => "bad_phone",
            RecordError::AddressTooLong => "address_too_long",
            RecordError::NameTooLong => "name_too_long",
            RecordError::BadNote => "bad_note",
        }
    }
}

impl HouseholdRecord {
    /// Check the record before storing it.
    pub fn validate(&self) -> Result<(), RecordError> {
        let contact = crate::private::ContactRecord {
            wish: WishId::from(""),
            phone: self.phone.clone(),
            address: self.address.clone(),
            ..Default::default()
        };
        contact.validate().map_err(|e| match e {
            crate::private::ContactError::BadPhone => RecordError::BadPhone,
            crate::private::ContactError::AddressTooLong => RecordError::AddressTooLong,
            // Neither is set above.
            crate::private::ContactError::BadName | crate::private::ContactError::BadEmail => {
                RecordError::NameTooLong
            }
        })?;
        if self.name.chars().count() > NAME_MAX_CHARS {
            return Err(RecordError::NameTooLong);
        }
        if self.notes.chars().count() > NOTE_MAX_CHARS {
            return Err(RecordError::BadNote);
        }
        Ok(())
    }
}

impl VisitNote {
    /// Check the note before storing it.
    pub fn validate(&self) -> Result<(), RecordError> {
        let n = self.text.trim().chars().count();
        if n == 0 || n > NOTE_MAX_CHARS {
            return Err(RecordError::BadNote);
        }
        Ok(())
    }
}

/// A visit may be dated at most this far after the op that records it
/// (clock skew between phones; a visit is recorded after it happens).
pub const VISIT_AHEAD_MS: u64 = DAY_MS;

fn sorted(v: &[MemberId]) -> Vec<MemberId> {
    let mut v = v.to_vec();
    crate::lean::sort(&mut v);
    v.dedup();
    v
}

/// The responsible member must be an active coordinator or grid worker; the
/// pair active volunteers (or grid workers), not the responsible one.
fn people_ok(state: &State, responsible: &MemberId, pair: &[MemberId]) -> Result<(), VoidReason> {
    let active = |m: &MemberId, roles: &[Role]| {
        state
            .members
            .get(m)
            .is_some_and(|m| m.active && roles.contains(&m.role))
    };
    for m in std::iter::once(responsible).chain(pair) {
        if !state.members.contains_key(m) {
            return Err(VoidReason::UnknownMember);
        }
    }
    if !active(responsible, &[Role::Coordinator, Role::GridWorker])
        || pair
            .iter()
            .any(|p| p == responsible || !active(p, &[Role::Volunteer, Role::GridWorker]))
    {
        return Err(VoidReason::BadCarer);
    }
    Ok(())
}

fn grid_ok(state: &State, grid: &str) -> Result<(), VoidReason> {
    let known = state
        .community
        .as_ref()
        .is_some_and(|c| c.grids.iter().any(|g| g == grid));
    if known {
        Ok(())
    } else {
        Err(VoidReason::UnknownGrid)
    }
}

fn category_ok(state: &State, category: &str) -> Result<(), VoidReason> {
    if state
        .settings()
        .care
        .categories
        .iter()
        .any(|c| c == category)
    {
        Ok(())
    } else {
        Err(VoidReason::UnknownCareCategory)
    }
}

/// The matrix rule's relation for a household: `Yes`; `InGrid` = the
/// author's grids hold `grid`; `Carer` = may visit it.
fn permit(
    state: &State,
    rule: Rule,
    author: &Member,
    grid: &str,
    household: Option<&HouseholdId>,
) -> Result<(), VoidReason> {
    let ok = match rule {
        Rule::Yes => true,
        Rule::InGrid => author.grids.iter().any(|g| g == grid),
        Rule::Carer => household.is_some_and(|h| may_visit(state, &author.id, h)),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(VoidReason::Forbidden)
    }
}

/// Apply a care op (after the envelope, author and matrix checks). All
/// checks come before the first mutation.
pub(crate) fn exec(
    state: &mut State,
    op: &Op,
    author: &Member,
    rule: Rule,
) -> Result<(), VoidReason> {
    use VoidReason as V;
    let at = op.hlc.ms;
    match &op.kind {
        OpKind::AddHousehold {
            household,
            category,
            grid,
            building,
            frequency,
            responsible,
            pair,
        } => {
            permit(state, rule, author, grid, None)?;
            if state.households.contains_key(household) {
                return Err(V::AlreadyExists);
            }
            grid_ok(state, grid)?;
            category_ok(state, category)?;
            people_ok(state, responsible, pair)?;
            state.households.insert(
                household.clone(),
                Household {
                    id: household.clone(),
                    category: category.clone(),
                    grid: grid.clone(),
                    building: building.clone(),
                    frequency: *frequency,
                    responsible: responsible.clone(),
                    pair: sorted(pair),
                    status: HouseholdStatus::Active,
                    reason: String::new(),
                    created_at: at,
                    history: vec![(at, HouseholdStatus::Active)],
                    visits: Vec::new(),
                },
            );
            Ok(())
        }
        OpKind::UpdateHousehold {
            household,
            category,
            grid,
            building,
            frequency,
            responsible,
            pair,
        } => {
            let h = state.households.get(household).ok_or(V::UnknownHousehold)?;
            permit(state, rule, author, &h.grid, Some(household))?;
            if let Some(g) = grid {
                // Moving it needs the power over the new grid too.
                permit(state, rule, author, g, None)?;
                grid_ok(state, g)?;
            }
            if h.status == HouseholdStatus::Closed {
                return Err(V::HouseholdClosed);
            }
            if let Some(c) = category {
                category_ok(state, c)?;
            }
            people_ok(
                state,
                responsible.as_ref().unwrap_or(&h.responsible),
                pair.as_deref().unwrap_or(&h.pair),
            )?;
            let h = state
                .households
                .get_mut(household)
                .ok_or(V::UnknownHousehold)?;
            if let Some(c) = category {
                h.category = c.clone();
            }
            if let Some(g) = grid {
                h.grid = g.clone();
            }
            if let Some(b) = building {
                h.building = Some(b.clone()).filter(|b| !b.is_empty());
            }
            if let Some(f) = frequency {
                h.frequency = *f;
            }
            if let Some(r) = responsible {
                h.responsible = r.clone();
            }
            if let Some(p) = pair {
                h.pair = sorted(p);
            }
            Ok(())
        }
        OpKind::SetHouseholdStatus {
            household,
            status,
            reason,
        } => {
            let h = state.households.get(household).ok_or(V::UnknownHousehold)?;
            permit(state, rule, author, &h.grid, Some(household))?;
            if h.status == HouseholdStatus::Closed && rule != Rule::Yes {
                // Reopening a closed household is a coordinator's call.
                return Err(V::HouseholdClosed);
            }
            if h.status == *status {
                return Err(V::WrongStatus);
            }
            let h = state
                .households
                .get_mut(household)
                .ok_or(V::UnknownHousehold)?;
            h.status = *status;
            h.reason = reason.clone();
            h.history.push((at, *status));
            Ok(())
        }
        OpKind::RecordVisit {
            household,
            visit,
            date,
            mode,
            outcome,
            visitors,
        } => {
            let h = state.households.get(household).ok_or(V::UnknownHousehold)?;
            permit(state, rule, author, &h.grid, Some(household))?;
            if h.status == HouseholdStatus::Closed {
                return Err(V::HouseholdClosed);
            }
            if state.visits.contains_key(visit) {
                return Err(V::AlreadyExists);
            }
            if *date > at.saturating_add(VISIT_AHEAD_MS) {
                return Err(V::VisitInFuture);
            }
            if visitors.iter().any(|v| !state.members.contains_key(v)) {
                return Err(V::UnknownMember);
            }
            let mut visitors = sorted(visitors);
            if visitors.is_empty() {
                visitors.push(author.id.clone());
            }
            state.visits.insert(visit.clone(), household.clone());
            let h = state
                .households
                .get_mut(household)
                .ok_or(V::UnknownHousehold)?;
            h.visits.push(Visit {
                id: visit.clone(),
                date: *date,
                mode: *mode,
                outcome: *outcome,
                visitors,
                by: author.id.clone(),
                op: op.id.clone(),
                wishes: Vec::new(),
            });
            Ok(())
        }
        OpKind::LinkVisitWish { visit, wish } => {
            let household = state.visits.get(visit).ok_or(V::UnknownVisit)?.clone();
            let grid = state
                .households
                .get(&household)
                .map(|h| h.grid.clone())
                .ok_or(V::UnknownHousehold)?;
            permit(state, rule, author, &grid, Some(&household))?;
            let w = state.wishes.get(wish).ok_or(V::UnknownWish)?;
            // Only a wish the author recorded (or any, for a coordinator).
            if rule != Rule::Yes && w.created_by != author.id {
                return Err(V::Forbidden);
            }
            if state.wish_visits.contains_key(wish) {
                return Err(V::AlreadyLinked);
            }
            state.wish_visits.insert(wish.clone(), visit.clone());
            let v = state
                .households
                .get_mut(&household)
                .and_then(|h| h.visits.iter_mut().find(|v| v.id == *visit))
                .ok_or(V::UnknownVisit)?;
            v.wishes.push(wish.clone());
            Ok(())
        }
        _ => Err(V::UnknownKind),
    }
}

/// When a household's next visit is due, seen at instant `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due<'a> {
    /// The household.
    pub household: &'a Household,
    /// Local day number (`LocalDay::days`) by which the next visit is due.
    pub by: i64,
    /// Days from today to that day (negative: overdue by that many days).
    pub days_left: i64,
}

impl Due<'_> {
    /// Past the day it was due.
    pub fn overdue(&self) -> bool {
        self.days_left < 0
    }
}

/// The local day by which `h`'s next visit is due, judged at `at` from the
/// visits on or before it: one period after the last counting visit, or
/// after the day it joined the list. `None` unless it is active at `at`.
pub fn due_day(h: &Household, at: u64, offset_min: i32) -> Option<i64> {
    if h.status_at(at) != Some(HouseholdStatus::Active) {
        return None;
    }
    let base = h.last_visit(at).map_or(h.created_at, |v| v.date);
    Some(h.frequency.next(&calendar::local(base, offset_min)))
}

/// Every active household's next visit at `now`, soonest first (overdue
/// ones lead).
pub fn due<'a>(state: &'a State, now: u64) -> Vec<Due<'a>> {
    let offset = state.settings().utc_offset_minutes;
    let today = calendar::local(now, offset).days;
    let mut out: Vec<Due<'a>> = state
        .households
        .values()
        .filter_map(|h| {
            let by = due_day(h, now, offset)?;
            Some(Due {
                household: h,
                by,
                days_left: by - today,
            })
        })
        .collect();
    crate::lean::sort_stable(&mut out, &|a, b| {
        (a.by, &a.household.id).cmp(&(b.by, &b.household.id))
    });
    out
}

/// The households `member` is responsible for or visits in a pair, soonest
/// due first ("my visits").
pub fn mine<'a>(state: &'a State, member: &MemberId, now: u64) -> Vec<Due<'a>> {
    due(state, now)
        .into_iter()
        .filter(|d| d.household.cares(member))
        .collect()
}

/// Whether a due date falls on or before the end of the local week (Sunday)
/// of `now`, overdue ones included: "due this week".
pub fn this_week(d: &Due<'_>, state: &State, now: u64) -> bool {
    let today = calendar::local(now, state.settings().utc_offset_minutes);
    d.by <= today.days + 6 - i64::from(today.weekday)
}

/// Households a list shows to `member`: every one for coordinators; a grid
/// worker's grids and what they are responsible for; a volunteer's pairs.
/// Closed ones only for coordinators.
pub fn listed<'a>(state: &'a State, member: &MemberId) -> Vec<&'a Household> {
    state
        .households
        .values()
        .filter(|h| may_see(state, member, &h.id))
        .collect()
}

/// Coverage in one grid: of the households active at the evaluation
/// instant, how many had a counting visit within their frequency.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// The grid.
    pub grid: String,
    /// Households active at the instant.
    pub households: u32,
    /// Of those, visited within their frequency (not overdue).
    pub covered: u32,
    /// Of those, overdue.
    pub overdue: u32,
}

impl Coverage {
    /// Covered share in per mille (0 with no household), for rates.
    pub fn permille(&self) -> u32 {
        (self.covered * 1000)
            .checked_div(self.households)
            .unwrap_or(0)
    }
}

/// Coverage by grid for a month ("YYYY-MM", community time), judged at the
/// month's last instant, or at `now` for the running month. A household
/// counts if it was on the list and active then; it is covered if it was
/// not overdue then. Grids in the community's order, then any other.
pub fn coverage(state: &State, month: &str, now: u64) -> Vec<Coverage> {
    let offset = state.settings().utc_offset_minutes;
    let at = month_end(month, offset).map_or(now, |end| end.min(now));
    let today = calendar::local(at, offset).days;
    let mut grids: Vec<Coverage> = state
        .community
        .iter()
        .flat_map(|c| &c.grids)
        .map(|g| Coverage {
            grid: g.clone(),
            ..Coverage::default()
        })
        .collect();
    for h in state.households.values().filter(|h| h.created_at <= at) {
        let Some(by) = due_day(h, at, offset) else {
            continue;
        };
        let row = match grids.iter().position(|c| c.grid == h.grid) {
            Some(i) => &mut grids[i],
            None => {
                grids.push(Coverage {
                    grid: h.grid.clone(),
                    ..Coverage::default()
                });
                grids.last_mut().expect("just pushed")
            }
        };
        row.households += 1;
        if by < today {
            row.overdue += 1;
        } else {
            row.covered += 1;
        }
    }
    grids
}

/// The last millisecond of a month key in community time.
fn month_end(month: &str, offset_min: i32) -> Option<u64> {
    let (y, m) = month.split_once('-')?;
    let (y, m): (i64, u32) = (y.parse().ok()?, m.parse().ok()?);
    if !(1..=12).contains(&m) {
        return None;
    }
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let start =
        calendar::days_from_civil(ny, nm, 1) * DAY_MS as i64 - i64::from(offset_min) * 60_000;
    u64::try_from(start - 1).ok()
}

/// Coverage as CSV (UTF-8 BOM, CRLF): grid, households, covered, overdue,
/// rate in percent — for the dashboard's export.
pub fn coverage_csv(rows: &[Coverage], header: [&str; 5]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{}.{}\r\n",
            crate::activities::csv_field(&r.grid),
            r.households,
            r.covered,
            r.overdue,
            r.permille() / 10,
            r.permille() % 10
        ));
    }
    out
}

/// One private care record as a device keeps and uploads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CareItem {
    /// A household's record.
    Household(HouseholdRecord),
    /// A visit's note.
    Note(VisitNote),
}

impl CareItem {
    /// The key a device stores it under: one record per household, one note
    /// per visit.
    pub fn key(&self) -> String {
        match self {
            CareItem::Household(r) => format!("h/{}", r.household),
            CareItem::Note(n) => format!("n/{}", n.visit),
        }
    }

    /// The household it belongs to.
    pub fn household(&self) -> &HouseholdId {
        match self {
            CareItem::Household(r) => &r.household,
            CareItem::Note(n) => &n.household,
        }
    }

    /// Check it before keeping it.
    pub fn validate(&self) -> Result<(), RecordError> {
        match self {
            CareItem::Household(r) => r.validate(),
            CareItem::Note(n) => n.validate(),
        }
    }
}

/// The items of an endpoint answer (`protocol::CareRecords`).
pub fn items(households: &[HouseholdRecord], notes: &[VisitNote]) -> Vec<CareItem> {
    households
        .iter()
        .cloned()
        .map(CareItem::Household)
        .chain(notes.iter().cloned().map(CareItem::Note))
        .collect()
}
