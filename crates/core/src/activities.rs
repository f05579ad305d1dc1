//! What activity pages ask (issue 14), answered from the reducer's own
//! rules (`activity`): which actions a member is offered on an activity and
//! what each needs (`available`, `ActivityAction::op`), the create/edit
//! form (`Draft`, `organisers`, `themes`), a member's place (`place`), the
//! roster (`roster`, `roster_csv`), the calendar in community time
//! (`month`, `days`, `months`, `upcoming`, `mine`, `today`), where an
//! activity is in time (`phase`) and participation by month or team
//! (`participation`). `available` is tested against the reducer
//! (`tests/activities.rs`, `available_agrees_with_the_reducer`).

use crate::activity::{Activity, ActivityStatus, Attendance, Organiser, PointsMode, takes_part};
use crate::calendar::{self, Period};
use crate::checkin;
use crate::code::coded;
use crate::ids::{ActivityId, MemberId};
use crate::model::Member;
use crate::op::{Action, OpKind};
use crate::permissions::{self, Rule};
use crate::reduce::State;
use crate::validate::{self, ValidationError};
use std::collections::BTreeMap;

// ---------------------------------------------------------------- time

/// Where an activity is at a wall-clock instant (for labels and filters;
/// the reducer decides by op stamps, `activity` module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// Announced, sign-up not open yet.
    Planned,
    /// Sign-up open.
    SignUp,
    /// Sign-up closed, check-in not open yet.
    SignUpClosed,
    /// Check-in open (lead time before the start until the end).
    CheckIn,
    /// Past its end, not yet finished by an op (it will be, with the same hours).
    Ended,
    /// Finished.
    Finished,
    /// Called off.
    Cancelled,
}

coded!(Phase {
    Planned => "planned",
    SignUp => "sign_up",
    SignUpClosed => "sign_up_closed",
    CheckIn => "check_in",
    Ended => "ended",
    Finished => "finished",
    Cancelled => "cancelled",
});

/// The phase of `a` at `now_ms`.
pub fn phase(a: &Activity, now_ms: u64) -> Phase {
    match a.status {
        ActivityStatus::Cancelled => Phase::Cancelled,
        ActivityStatus::Finished => Phase::Finished,
        _ if now_ms > a.end => Phase::Ended,
        ActivityStatus::Planned => Phase::Planned,
        ActivityStatus::Open if a.check_in_window(now_ms) => Phase::CheckIn,
        ActivityStatus::Open if now_ms <= a.sign_up_by => Phase::SignUp,
        ActivityStatus::Open => Phase::SignUpClosed,
    }
}

/// Minutes an attendance counts at `now_ms`: what was credited once it is
/// closed; while the member is still in, the time so far (rounded as the
/// end will round it); after the end, as if closed at the end.
pub fn minutes(a: &Activity, att: &Attendance, now_ms: u64) -> u32 {
    if att.check_out.is_some() || a.status == ActivityStatus::Finished {
        return att.minutes;
    }
    a.worth(att, Some(now_ms.min(a.end))).0
}

// ---------------------------------------------------------------- my place

/// A member's place at an activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Not signed up.
    None,
    /// Holds a place.
    SignedUp,
    /// On the waiting list at `position` (1 = next).
    Waiting {
        /// 1-based.
        position: usize,
    },
    /// Checked in at `since`, not out yet.
    CheckedIn {
        /// Arrival (epoch ms).
        since: u64,
    },
    /// Checked out (or closed at the end).
    CheckedOut,
    /// Held a place and never checked in; the activity is over.
    NoShow,
    /// The check-in's code did not match.
    Rejected,
}

impl Place {
    /// Stable code (`activity.place.<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            Place::None => "none",
            Place::SignedUp => "signed_up",
            Place::Waiting { .. } => "waiting",
            Place::CheckedIn { .. } => "checked_in",
            Place::CheckedOut => "checked_out",
            Place::NoShow => "no_show",
            Place::Rejected => "rejected",
        }
    }
}

/// What a member sees of their own place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MyPlace {
    /// Where they stand.
    pub place: Place,
    /// Minutes served (`minutes`).
    pub minutes: u32,
    /// Points booked for it so far (attendance and no-show).
    pub points: i64,
    /// Came without signing up.
    pub walk_in: bool,
    /// Vouched for (organiser, kiosk, correction or the revealed key); a
    /// self check-in is unverified until the key is revealed.
    pub verified: bool,
}

/// `member`'s place at `a` at `now_ms`.
pub fn place(a: &Activity, member: &MemberId, now_ms: u64) -> MyPlace {
    let att = a.attendance.get(member);
    let over = a.status == ActivityStatus::Finished || now_ms > a.end;
    let place = match att {
        Some(x) if x.rejected => Place::Rejected,
        Some(x) if x.check_in.is_some() => match (&x.check_out, &x.check_in) {
            (None, Some(i)) if !over => Place::CheckedIn { since: i.at },
            _ => Place::CheckedOut,
        },
        _ => {
            if let Some(p) = a.waiting.iter().position(|m| m == member) {
                Place::Waiting { position: p + 1 }
            } else if a.places.contains(member) {
                if over && a.status != ActivityStatus::Cancelled {
                    Place::NoShow
                } else {
                    Place::SignedUp
                }
            } else {
                Place::None
            }
        }
    };
    MyPlace {
        place,
        minutes: att.map_or(0, |x| minutes(a, x, now_ms)),
        points: att.map_or(0, |x| x.points + x.no_show),
        walk_in: att.is_some_and(|x| x.walk_in),
        verified: att.is_some_and(|x| x.verified),
    }
}

// ---------------------------------------------------------------- actions

/// What an action's form asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Nothing: one press makes the op.
    Nothing,
    /// The activity's key (scanned from the QR or typed): a self check-in
    /// makes its proof from it; revealing it verifies the check-ins.
    Key,
    /// A member (organisers and the kiosk acting for someone: `candidates`).
    Member,
    /// A reason (cancel).
    Reason,
    /// The edit form (`Draft`).
    Draft,
    /// A member, times and a reason (correction).
    Correction,
}

coded!(Needs {
    Nothing => "nothing",
    Key => "key",
    Member => "member",
    Reason => "reason",
    Draft => "draft",
    Correction => "correction",
});

/// One action on an activity, as a page offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActivityAction {
    /// The op's action (permission row; label `activity.action.<code>`,
    /// or `activity.action.<code>_for` when `for_others`).
    pub action: Action,
    /// Done for someone else (organiser, kiosk).
    pub for_others: bool,
    /// What its form asks for.
    pub needs: Needs,
    /// Shown less prominently (gives something up).
    pub quiet: bool,
}

const fn row(action: Action, for_others: bool, needs: Needs, quiet: bool) -> ActivityAction {
    ActivityAction {
        action,
        for_others,
        needs,
        quiet,
    }
}

/// Every action on an activity, in the order the page shows them.
pub const TABLE: &[ActivityAction] = &[
    row(Action::CheckIn, false, Needs::Key, false),
    row(Action::CheckOut, false, Needs::Nothing, false),
    row(Action::SignUp, false, Needs::Nothing, false),
    row(Action::OpenActivity, false, Needs::Nothing, false),
    row(Action::CheckIn, true, Needs::Member, false),
    row(Action::CheckOut, true, Needs::Member, false),
    row(Action::SignUp, true, Needs::Member, false),
    row(Action::UpdateActivity, false, Needs::Draft, false),
    row(Action::CorrectAttendance, true, Needs::Correction, false),
    row(Action::VerifyCheckIns, false, Needs::Key, false),
    row(Action::Withdraw, false, Needs::Nothing, true),
    row(Action::Withdraw, true, Needs::Member, true),
    row(Action::CancelActivity, false, Needs::Reason, true),
];

/// What the member filled in; only what `Needs` asks for is read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input {
    /// The key, as scanned or typed.
    pub key: String,
    /// The member acted for.
    pub member: Option<MemberId>,
    /// The reason.
    pub reason: String,
    /// Corrected arrival (none: did not attend).
    pub check_in: Option<u64>,
    /// Corrected departure (none: at the end).
    pub check_out: Option<u64>,
}

impl ActivityAction {
    /// The op `author` makes on `activity` from `input`, checked as every op
    /// is before it is minted (`validate::kind`). A self check-in carries
    /// the proof made from the key; a key that is not the activity's is
    /// refused here (`bad_code`), so a typo never reaches the log.
    pub fn op(
        &self,
        a: &Activity,
        author: &MemberId,
        input: &Input,
    ) -> Result<OpKind, ValidationError> {
        let activity = a.id.clone();
        let member = if self.for_others {
            Some(input.member.clone().ok_or(ValidationError::IdEmpty)?)
        } else {
            None
        };
        let key_ok = || {
            if checkin::key_matches(&a.id, &a.check, &input.key) {
                Ok(())
            } else {
                Err(ValidationError::BadCode)
            }
        };
        let kind = match self.action {
            Action::SignUp => OpKind::SignUp { activity, member },
            Action::Withdraw => OpKind::Withdraw { activity, member },
            Action::CheckIn => {
                let proof = if self.for_others {
                    String::new()
                } else {
                    key_ok()?;
                    checkin::proof(&a.id, author, &input.key)
                };
                OpKind::CheckIn {
                    activity,
                    member,
                    proof,
                }
            }
            Action::CheckOut => OpKind::CheckOut { activity, member },
            Action::OpenActivity => OpKind::OpenActivity { activity },
            Action::CancelActivity => OpKind::CancelActivity {
                activity,
                reason: input.reason.trim().to_owned(),
            },
            Action::CorrectAttendance => OpKind::CorrectAttendance {
                activity,
                member: member.ok_or(ValidationError::IdEmpty)?,
                check_in: input.check_in,
                check_out: input.check_in.and(input.check_out),
                reason: input.reason.trim().to_owned(),
            },
            Action::VerifyCheckIns => {
                key_ok()?;
                OpKind::VerifyCheckIns {
                    activity,
                    key: checkin::normalize_key(&input.key).unwrap_or_default(),
                }
            }
            // The edit form makes its op with `Draft::update`.
            _ => return Err(ValidationError::IdEmpty),
        };
        validate::kind(&kind)?;
        Ok(kind)
    }
}

/// Whether `member` may run `a` (update, open, cancel, verify): the
/// matrix's rule against the organiser, as the reducer checks it.
pub fn manages(state: &State, member: &Member, a: &Activity) -> bool {
    member.active
        && permissions::rule(member.role, Action::UpdateActivity) != Rule::No
        && state.organises(member, a)
}

fn acts_for_others(state: &State, member: &Member, a: &Activity, action: Action) -> bool {
    member.active
        && match permissions::rule(member.role, action) {
            Rule::Yes | Rule::ForOthers => true,
            Rule::Attendee => state.organises(member, a),
            _ => false,
        }
}

/// Whether `member` is offered `row` on `a` at `now_ms`.
pub fn offered(
    state: &State,
    member: &Member,
    a: &Activity,
    row: &ActivityAction,
    now_ms: u64,
) -> bool {
    use ActivityStatus as S;
    if !member.active || permissions::rule(member.role, row.action) == Rule::No {
        return false;
    }
    let me = &member.id;
    let att = a.attendance.get(me);
    let attended = att.is_some_and(Attendance::attended);
    let signed = a.places.contains(me) || a.waiting.contains(me);
    let over = now_ms > a.end || a.status == S::Finished;
    let live = matches!(a.status, S::Planned | S::Open) && !over;
    match (row.action, row.for_others) {
        (Action::OpenActivity, _) => a.status == S::Planned && !over && manages(state, member, a),
        (Action::UpdateActivity | Action::CancelActivity, _) => {
            live && now_ms < a.start && manages(state, member, a)
        }
        (Action::VerifyCheckIns, _) => {
            over && a.status != S::Cancelled && a.key.is_none() && manages(state, member, a)
        }
        (Action::CorrectAttendance, _) => matches!(a.status, S::Open | S::Finished),
        (Action::SignUp, false) => {
            takes_part(member.role)
                && a.status == S::Open
                && !over
                && now_ms <= a.sign_up_by
                && !signed
                && !attended
        }
        (Action::SignUp, true) => {
            a.status == S::Open
                && !over
                && now_ms <= a.sign_up_by
                && acts_for_others(state, member, a, Action::SignUp)
        }
        (Action::Withdraw, false) => live && now_ms < a.start && signed && !attended,
        (Action::Withdraw, true) => {
            live && now_ms < a.start
                && !(a.places.is_empty() && a.waiting.is_empty())
                && acts_for_others(state, member, a, Action::Withdraw)
        }
        (Action::CheckIn, false) => {
            takes_part(member.role)
                && matches!(a.status, S::Open | S::Finished)
                && a.key.is_none()
                && a.check_in_window(now_ms)
                && !attended
                && (a.places.contains(me) || a.has_room())
        }
        (Action::CheckIn, true) => {
            matches!(a.status, S::Open | S::Finished)
                && a.check_in_window(now_ms)
                && acts_for_others(state, member, a, Action::CheckIn)
        }
        // After the end the end pass closes an attendance first.
        (Action::CheckOut, false) => {
            a.status == S::Open
                && now_ms <= a.end
                && attended
                && att.is_some_and(|x| x.check_out.is_none())
        }
        (Action::CheckOut, true) => {
            a.status == S::Open
                && now_ms <= a.end
                && a.attendance
                    .values()
                    .any(|x| x.attended() && x.check_out.is_none())
                && acts_for_others(state, member, a, Action::CheckOut)
        }
        _ => false,
    }
}

/// The actions `member` is offered on `a` at `now_ms`, in table order.
pub fn available(
    state: &State,
    member: &Member,
    a: &Activity,
    now_ms: u64,
) -> Vec<&'static ActivityAction> {
    if a.status == ActivityStatus::Cancelled {
        return Vec::new();
    }
    TABLE
        .iter()
        .filter(|r| offered(state, member, a, r, now_ms))
        .collect()
}

/// Members an organiser or the kiosk may pick for `row` on `a`: for a
/// check-out those still in; for a check-in those with a place first, then
/// everyone else who takes part; for a withdrawal those signed up; for a
/// sign-up those who are not; for a correction everyone who takes part.
/// Sorted by name, then id, within each group.
pub fn candidates<'a>(state: &'a State, a: &Activity, row: &ActivityAction) -> Vec<&'a Member> {
    let mut v: Vec<&Member> = state
        .members
        .values()
        .filter(|m| m.active && takes_part(m.role))
        .filter(|m| {
            let att = a.attendance.get(&m.id);
            let attended = att.is_some_and(Attendance::attended);
            let signed = a.places.contains(&m.id) || a.waiting.contains(&m.id);
            match row.action {
                Action::CheckOut => attended && att.is_some_and(|x| x.check_out.is_none()),
                Action::CheckIn => !attended && (a.places.contains(&m.id) || a.has_room()),
                Action::Withdraw => signed && !attended,
                Action::SignUp => !signed && !attended,
                _ => true,
            }
        })
        .collect();
    v.sort_by(|x, y| {
        (!a.places.contains(&x.id), &x.name, &x.id).cmp(&(
            !a.places.contains(&y.id),
            &y.name,
            &y.id,
        ))
    });
    v
}

// ---------------------------------------------------------------- the form

/// The create/edit form of an activity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// Title.
    pub title: String,
    /// Theme (`themes`).
    pub theme: String,
    /// Description.
    pub description: String,
    /// Where.
    pub venue: String,
    /// Start (epoch ms).
    pub start: u64,
    /// End (epoch ms).
    pub end: u64,
    /// Places (none: no limit).
    pub capacity: Option<u32>,
    /// Organiser (`organisers`).
    pub organiser: Option<Organiser>,
    /// Sign-up deadline (none: the start).
    pub sign_up_by: Option<u64>,
    /// Points rule.
    pub points: PointsMode,
    /// Fixed points (none: the community's default).
    pub fixed_points: Option<u32>,
}

impl Draft {
    /// The form filled with `a` (to edit it).
    pub fn of(a: &Activity) -> Draft {
        Draft {
            title: a.title.clone(),
            theme: a.theme.clone(),
            description: a.description.clone(),
            venue: a.venue.clone(),
            start: a.start,
            end: a.end,
            capacity: a.capacity,
            organiser: a.organiser.clone(),
            sign_up_by: Some(a.sign_up_by),
            points: a.points.mode,
            fixed_points: u32::try_from(a.points.fixed).ok(),
        }
    }

    /// The `create_activity` op for a new activity `id` whose key is `key`
    /// (`checkin::new_key`; the page keeps the key, the op only its check).
    pub fn create(&self, id: ActivityId, key: &str) -> Result<OpKind, ValidationError> {
        if checkin::normalize_key(key).is_none() {
            return Err(ValidationError::BadCode);
        }
        let kind = OpKind::CreateActivity {
            check: checkin::key_check(&id, key),
            activity: id,
            title: self.title.trim().to_owned(),
            theme: self.theme.clone(),
            description: self.description.trim().to_owned(),
            venue: self.venue.trim().to_owned(),
            start: self.start,
            end: self.end,
            capacity: self.capacity,
            organiser: self.organiser.clone(),
            sign_up_by: self.sign_up_by,
            points: self.points,
            fixed_points: self.fixed_points,
        };
        validate::kind(&kind)?;
        Ok(kind)
    }

    /// The `update_activity` op that changes `a` into this draft (only the
    /// fields that differ; the organiser is not changed by an edit).
    pub fn update(&self, a: &Activity) -> Result<OpKind, ValidationError> {
        let was = Draft::of(a);
        let changed =
            |new: &String, old: &String| (new.trim() != old).then(|| new.trim().to_owned());
        let kind = OpKind::UpdateActivity {
            activity: a.id.clone(),
            title: changed(&self.title, &was.title),
            theme: (self.theme != was.theme).then(|| self.theme.clone()),
            description: changed(&self.description, &was.description),
            venue: changed(&self.venue, &was.venue),
            start: Some(self.start),
            end: Some(self.end),
            capacity: (self.capacity != was.capacity).then_some(self.capacity.unwrap_or(0)),
            sign_up_by: Some(self.sign_up_by.unwrap_or(self.start)),
            points: (self.points != was.points).then_some(self.points),
            fixed_points: self.fixed_points.filter(|f| Some(*f) != was.fixed_points),
        };
        validate::kind(&kind)?;
        Ok(kind)
    }
}

/// The themes a new activity may have (`Settings::activities.themes`).
pub fn themes(state: &State) -> Vec<String> {
    state.settings().activities.themes
}

/// Organisers `member` may name for a new activity: a coordinator none
/// (the community), any team or unit; a volunteer the teams they lead; a
/// partner member their unit. Empty: the member may not create activities.
pub fn organisers(state: &State, member: &Member) -> Vec<Option<Organiser>> {
    let rule = permissions::rule(member.role, Action::CreateActivity);
    if !member.active || rule == Rule::No {
        return Vec::new();
    }
    let all = std::iter::once(None)
        .chain(state.teams.keys().map(|t| Some(Organiser::Team(t.clone()))))
        .chain(
            state
                .partners
                .keys()
                .map(|p| Some(Organiser::Partner(p.clone()))),
        );
    all.filter(|o| rule == Rule::Yes || state.would_organise(member, o.as_ref()))
        .collect()
}

// ---------------------------------------------------------------- roster

/// A person on an activity's roster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterRow<'a> {
    /// Who.
    pub member: &'a MemberId,
    /// Their name (the id if unknown).
    pub name: &'a str,
    /// Where they stand.
    pub place: Place,
    /// Arrival.
    pub check_in: Option<u64>,
    /// Departure (the end for an automatic close).
    pub check_out: Option<u64>,
    /// Closed at the end without a check-out.
    pub auto_out: bool,
    /// Came without signing up.
    pub walk_in: bool,
    /// Vouched for (see `MyPlace::verified`).
    pub verified: bool,
    /// Corrected by a coordinator.
    pub corrected: bool,
    /// Minutes (`minutes`).
    pub minutes: u32,
    /// Points booked (attendance and no-show).
    pub points: i64,
}

/// The roster of `a` at `now_ms`: people with a place (in the order they
/// got it), then the waiting list in order, then anyone else with an
/// attendance record (a rejected or corrected-away one).
pub fn roster<'a>(state: &'a State, a: &'a Activity, now_ms: u64) -> Vec<RosterRow<'a>> {
    let mut order: Vec<&MemberId> = a.places.iter().chain(&a.waiting).collect();
    for m in a.attendance.keys() {
        if !order.contains(&m) {
            order.push(m);
        }
    }
    order
        .into_iter()
        .map(|m| {
            let att = a.attendance.get(m);
            let mine = place(a, m, now_ms);
            RosterRow {
                member: m,
                name: state.members.get(m).map_or(m.as_str(), |x| x.name.as_str()),
                place: mine.place,
                check_in: att.and_then(|x| x.check_in.as_ref()).map(|x| x.at),
                check_out: att.and_then(|x| x.check_out.as_ref()).map(|x| x.at),
                auto_out: att.is_some_and(|x| x.auto_out),
                walk_in: mine.walk_in,
                verified: mine.verified,
                corrected: att.is_some_and(|x| x.corrected),
                minutes: mine.minutes,
                points: mine.points,
            }
        })
        .collect()
}

/// Local "YYYY-MM-DD HH:MM" of `ms` in community time.
pub fn local_time(ms: u64, offset_min: i32) -> String {
    let d = calendar::local(ms, offset_min);
    let local_ms = ms as i64 + i64::from(offset_min) * 60_000;
    let of_day = local_ms.rem_euclid(calendar::DAY_MS as i64) / 60_000;
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.year,
        d.month,
        d.day,
        of_day / 60,
        of_day % 60
    )
}

pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The roster as CSV with a UTF-8 BOM (Excel and WPS then read Chinese
/// right): `header` names the columns in the page's language (name, member
/// id, place, check-in, check-out, minutes, points, verified); `place`
/// words the place codes. Times in community local time.
pub fn roster_csv(
    state: &State,
    a: &Activity,
    now_ms: u64,
    header: [&str; 8],
    place_word: impl Fn(&Place) -> String,
) -> String {
    let offset = state.settings().utc_offset_minutes;
    let mut s = String::from("\u{feff}");
    s.push_str(&header.map(csv_field).join(","));
    s.push_str("\r\n");
    for r in roster(state, a, now_ms) {
        let t = |x: Option<u64>| x.map_or(String::new(), |x| local_time(x, offset));
        let line = [
            csv_field(r.name),
            csv_field(r.member.as_str()),
            csv_field(&place_word(&r.place)),
            t(r.check_in),
            t(r.check_out),
            r.minutes.to_string(),
            r.points.to_string(),
            if r.verified { "1" } else { "0" }.to_owned(),
        ];
        s.push_str(&line.join(","));
        s.push_str("\r\n");
    }
    s
}

// ---------------------------------------------------------------- calendar

fn by_start(x: &&Activity, y: &&Activity) -> std::cmp::Ordering {
    x.start.cmp(&y.start).then(x.id.cmp(&y.id))
}

/// Activities starting in `month` ("YYYY-MM", community local time), by start.
pub fn month<'a>(state: &'a State, month: &str) -> Vec<&'a Activity> {
    let offset = state.settings().utc_offset_minutes;
    let p = Period::Month(month.to_owned());
    let mut v: Vec<&Activity> = state
        .activities
        .values()
        .filter(|a| p.contains(a.start, offset))
        .collect();
    v.sort_by(by_start);
    v
}

/// The month's activities grouped by local day of the start (day of month,
/// activities by start), days in order.
pub fn days<'a>(state: &'a State, month_key: &str) -> Vec<(u32, Vec<&'a Activity>)> {
    let offset = state.settings().utc_offset_minutes;
    let mut out: Vec<(u32, Vec<&Activity>)> = Vec::new();
    for a in month(state, month_key) {
        let day = calendar::local(a.start, offset).day;
        match out.last_mut() {
            Some((d, v)) if *d == day => v.push(a),
            _ => out.push((day, vec![a])),
        }
    }
    out
}

/// Months with at least one activity, oldest first (the calendar's pager).
pub fn months(state: &State) -> Vec<String> {
    let offset = state.settings().utc_offset_minutes;
    let set: std::collections::BTreeSet<String> = state
        .activities
        .values()
        .map(|a| calendar::local(a.start, offset).month_key())
        .collect();
    set.into_iter().collect()
}

/// Activities not over at `now_ms` and not cancelled, soonest first.
pub fn upcoming(state: &State, now_ms: u64) -> Vec<&Activity> {
    let mut v: Vec<&Activity> = state
        .activities
        .values()
        .filter(|a| {
            !matches!(
                a.status,
                ActivityStatus::Cancelled | ActivityStatus::Finished
            ) && a.end >= now_ms
        })
        .collect();
    v.sort_by(by_start);
    v
}

/// Activities `member` signed up for, waits for or attended, newest start first.
pub fn mine<'a>(state: &'a State, member: &MemberId) -> Vec<&'a Activity> {
    let mut v: Vec<&Activity> = state
        .activities
        .values()
        .filter(|a| {
            a.places.contains(member)
                || a.waiting.contains(member)
                || a.attendance.contains_key(member)
        })
        .collect();
    v.sort_by(|x, y| by_start(y, x));
    v
}

/// Today's activities for the kiosk: open ones whose check-in window meets
/// the local day of `now_ms`, by start.
pub fn today(state: &State, now_ms: u64) -> Vec<&Activity> {
    let offset = state.settings().utc_offset_minutes;
    let day = calendar::local(now_ms, offset).days;
    let mut v: Vec<&Activity> = state
        .activities
        .values()
        .filter(|a| {
            a.status == ActivityStatus::Open
                && calendar::local(a.check_in_from(), offset).days <= day
                && calendar::local(a.end, offset).days >= day
        })
        .collect();
    v.sort_by(by_start);
    v
}

// ---------------------------------------------------------------- participation

/// How participation is grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupBy {
    /// One row (key "all").
    All,
    /// By the month of the start, community time (key "YYYY-MM").
    Month,
    /// By organising team (key: team id; "-" for none, "p:<unit>" for a unit).
    Team,
    /// By theme (key: the theme).
    Theme,
    /// By the teams the participants belong to (key: team id, "-" for
    /// none; a member of two teams counts in both). `activities` counts the
    /// activities with anyone of the team.
    MemberTeam,
}

coded!(GroupBy {
    All => "all",
    Month => "month",
    Team => "team",
    Theme => "theme",
    MemberTeam => "member_team",
});

/// Participation in one group of activities (cancelled ones not counted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Participation {
    /// Group key.
    pub key: String,
    /// Activities.
    pub activities: u32,
    /// Places taken by sign-up (not walk-ins).
    pub sign_ups: u32,
    /// Still on a waiting list.
    pub waiting: u32,
    /// Attendances (checked in, not rejected).
    pub attended: u32,
    /// Of those, walk-ins.
    pub walk_ins: u32,
    /// Places held at a finished activity without a check-in.
    pub no_shows: u32,
    /// Minutes credited.
    pub minutes: u64,
}

/// Participation grouped `by`, over activities starting in `period`, in key order.
pub fn participation(state: &State, by: GroupBy, period: &Period) -> Vec<Participation> {
    let offset = state.settings().utc_offset_minutes;
    let mut groups: BTreeMap<String, Participation> = BTreeMap::new();
    let teams_of = |m: &MemberId| -> Vec<String> {
        let t: Vec<String> = state
            .teams
            .values()
            .filter(|t| t.members.binary_search(m).is_ok())
            .map(|t| t.id.0.clone())
            .collect();
        if t.is_empty() {
            vec!["-".to_owned()]
        } else {
            t
        }
    };
    for a in state.activities.values() {
        if a.status == ActivityStatus::Cancelled || !period.contains(a.start, offset) {
            continue;
        }
        let key = match by {
            GroupBy::All => "all".to_owned(),
            GroupBy::Month => calendar::local(a.start, offset).month_key(),
            GroupBy::Team => match &a.organiser {
                Some(Organiser::Team(t)) => t.0.clone(),
                Some(Organiser::Partner(p)) => format!("p:{p}"),
                None => "-".to_owned(),
            },
            GroupBy::Theme => a.theme.clone(),
            GroupBy::MemberTeam => String::new(),
        };
        // Each person's line goes to the activity's group, or to each of
        // their teams.
        let keys = |m: &MemberId| {
            if by == GroupBy::MemberTeam {
                teams_of(m)
            } else {
                vec![key.clone()]
            }
        };
        let mut counted: Vec<String> = Vec::new();
        let mut count = |groups: &mut BTreeMap<String, Participation>, k: &String| {
            if !counted.contains(k) {
                counted.push(k.clone());
                groups.entry(k.clone()).or_default().activities += 1;
            }
        };
        if by != GroupBy::MemberTeam {
            count(&mut groups, &key);
        }
        for m in &a.waiting {
            for k in keys(m) {
                count(&mut groups, &k);
                groups.entry(k).or_default().waiting += 1;
            }
        }
        for m in &a.places {
            let att = a.attendance.get(m);
            let attended = att.is_some_and(Attendance::attended);
            let walk_in = att.is_some_and(|x| x.walk_in);
            for k in keys(m) {
                count(&mut groups, &k);
                let g = groups.entry(k).or_default();
                if !walk_in {
                    g.sign_ups += 1;
                }
                if attended {
                    g.attended += 1;
                    g.walk_ins += u32::from(walk_in);
                } else if a.status == ActivityStatus::Finished && !walk_in {
                    g.no_shows += 1;
                }
            }
        }
        for (m, x) in &a.attendance {
            for k in keys(m) {
                groups.entry(k).or_default().minutes += u64::from(x.minutes);
            }
        }
    }
    groups
        .into_iter()
        .map(|(key, mut p)| {
            p.key = key;
            p
        })
        .collect()
}
