//! The deterministic reducer. `apply` folds one sequenced op into `State`;
//! the same log gives the same state on every device, byte for byte.
//!
//! Order of checks for an op: duplicate id → lease lapses due at the op's
//! stamp → unknown kind → bootstrap → payload validation → author is an
//! active member → permission matrix → target exists → terminal wish →
//! relation (holder, requester, grid…) → lifecycle table → data checks.
//! Every check happens before any mutation, so a void op changes nothing
//! but the op's own bookkeeping (seen id, void record, timeline line).
//!
//! Lease rule: a claim or assignment carries a deadline = stamp of the op
//! that granted or last renewed it (claim, assign, partner claim, a holder's
//! note) + the community's lease hours at that time. Before each new op the
//! reducer lapses every lease whose deadline is earlier than *that op's own*
//! HLC milliseconds, attributing the lapse (and the holder's deduction) to
//! that op. Starting work ends the lease. So a lapse is a function of log
//! data only, and an offline volunteer's own later-delivered ops are judged
//! by the times they were made. `ExpireLease` is how anyone forces the check.

use crate::activity::{self, Activity, Organiser};
use crate::care::{self, Household};
use crate::ids::{
    ActivityId, DeviceId, HouseholdId, MemberId, OpId, PartnerId, ResourceId, TeamId, VisitId,
    WishId,
};
use crate::lifecycle::{self, Step};
use crate::model::*;
use crate::op::{LogEntry, Op, OpKind};
use crate::permissions::{self, Rule};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Result of applying one op.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "reason")]
pub enum Outcome {
    /// The op changed the state.
    Applied,
    /// The op stays in the log but had no effect, for this reason.
    Void(VoidReason),
    /// The op id was already folded; nothing changed.
    Duplicate,
}

/// Why an op was void. Codes are stable; the UI words them
/// ("someone else took this order" for `already_claimed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoidReason {
    /// The author's role may not do this (permission matrix).
    Forbidden,
    /// The author is not an active member.
    UnknownAuthor,
    /// The log has no `CreateCommunity` yet.
    NoCommunity,
    /// The id to create is taken (or the community already exists).
    AlreadyExists,
    /// The payload failed validation.
    Invalid,
    /// A kind from a newer schema; kept but skipped.
    UnknownKind,
    /// No such wish.
    UnknownWish,
    /// No such member.
    UnknownMember,
    /// No such team.
    UnknownTeam,
    /// No such partner unit.
    UnknownPartner,
    /// No such resource (or not the claiming unit's).
    UnknownResource,
    /// Someone else holds the wish: the first claim in log order won.
    AlreadyClaimed,
    /// The wish is closed, rejected, merged or cancelled.
    WishClosed,
    /// The lifecycle has no such move from the wish's status.
    WrongStatus,
    /// Only the holder may do this (and the author no longer holds it, e.g. the claim lapsed).
    NotHolder,
    /// Too late to cancel: work has started.
    WorkStarted,
    /// `ExpireLease` before the deadline.
    LeaseNotExpired,
    /// `ExpireLease` on a wish without a lease.
    NoLease,
    /// Assignee cannot take orders (resident, kiosk, viewer or inactive).
    BadAssignee,
    /// Would leave the community without an active coordinator.
    LastCoordinator,
    /// A merge into a wish of another category (a duplicate asks for the same help).
    DifferentCategory,
    /// No such activity.
    UnknownActivity,
    /// The theme is not one of the community's activity themes.
    UnknownTheme,
    /// The activity was called off: it refuses everything.
    ActivityCancelled,
    /// Sign-up is not open yet (the activity is only planned).
    ActivityNotOpen,
    /// Too late: the activity has started (update, cancel, withdraw).
    ActivityStarted,
    /// The activity's end has passed.
    ActivityFinished,
    /// Only after the end (revealing the check-in key).
    ActivityNotOver,
    /// Past the sign-up deadline.
    SignUpClosed,
    /// Already holds a place or waits for one.
    AlreadySignedUp,
    /// Holds no place and does not wait for one.
    NotSignedUp,
    /// No place left for a walk-in.
    ActivityFull,
    /// Outside the check-in window (lead time before the start until the
    /// end), or a self check-in after the key was revealed.
    CheckInClosed,
    /// Already checked in (a second check-in is a duplicate).
    AlreadyCheckedIn,
    /// Check-out without a check-in.
    NotCheckedIn,
    /// Already checked out.
    AlreadyCheckedOut,
    /// The check-in code does not match (a missing or malformed proof, or
    /// a revealed key that is not the activity's).
    BadCheckinCode,
    /// The key was revealed already.
    AlreadyVerified,
    /// No such household on the care list.
    UnknownHousehold,
    /// No such visit.
    UnknownVisit,
    /// The household is closed (off the list).
    HouseholdClosed,
    /// The category is not one of the community's care categories.
    UnknownCareCategory,
    /// The grid is not one of the community's grids.
    UnknownGrid,
    /// The responsible member is not an active coordinator or grid worker,
    /// or a pair member not an active volunteer or grid worker.
    BadCarer,
    /// A visit dated more than a day after it was recorded.
    VisitInFuture,
    /// The wish is linked to a visit already.
    AlreadyLinked,
    /// More than `photos::MAX_PHOTOS` photos on one stage of a wish.
    TooManyPhotos,
}

crate::code::coded!(VoidReason {
    Forbidden => "forbidden",
    UnknownAuthor => "unknown_author",
    NoCommunity => "no_community",
    AlreadyExists => "already_exists",
    Invalid => "invalid",
    UnknownKind => "unknown_kind",
    UnknownWish => "unknown_wish",
    UnknownMember => "unknown_member",
    UnknownTeam => "unknown_team",
    UnknownPartner => "unknown_partner",
    UnknownResource => "unknown_resource",
    AlreadyClaimed => "already_claimed",
    WishClosed => "wish_closed",
    WrongStatus => "wrong_status",
    NotHolder => "not_holder",
    WorkStarted => "work_started",
    LeaseNotExpired => "lease_not_expired",
    NoLease => "no_lease",
    BadAssignee => "bad_assignee",
    LastCoordinator => "last_coordinator",
    DifferentCategory => "different_category",
    UnknownActivity => "unknown_activity",
    UnknownTheme => "unknown_theme",
    ActivityCancelled => "activity_cancelled",
    ActivityNotOpen => "activity_not_open",
    ActivityStarted => "activity_started",
    ActivityFinished => "activity_finished",
    ActivityNotOver => "activity_not_over",
    SignUpClosed => "sign_up_closed",
    AlreadySignedUp => "already_signed_up",
    NotSignedUp => "not_signed_up",
    ActivityFull => "activity_full",
    CheckInClosed => "check_in_closed",
    AlreadyCheckedIn => "already_checked_in",
    NotCheckedIn => "not_checked_in",
    AlreadyCheckedOut => "already_checked_out",
    BadCheckinCode => "bad_checkin_code",
    AlreadyVerified => "already_verified",
    UnknownHousehold => "unknown_household",
    UnknownVisit => "unknown_visit",
    HouseholdClosed => "household_closed",
    UnknownCareCategory => "unknown_care_category",
    UnknownGrid => "unknown_grid",
    BadCarer => "bad_carer",
    VisitInFuture => "visit_in_future",
    AlreadyLinked => "already_linked",
    TooManyPhotos => "too_many_photos",
});

/// Which part of the points formula an entry belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointsKind {
    /// 基础积分: time served.
    Basic,
    /// 正向积分: good evaluations.
    Positive,
    /// 反向扣分: lapses and not-satisfied results.
    Deduction,
}

crate::code::coded!(PointsKind {
    Basic => "basic",
    Positive => "positive",
    Deduction => "deduction",
});

/// What caused a ledger entry (stable codes for the UI).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointsReason {
    /// Minutes served on a completed order.
    Service,
    /// Satisfied evaluation.
    Satisfied,
    /// Basically satisfied evaluation.
    BasicallySatisfied,
    /// Claim lapsed.
    Lapsed,
    /// Not satisfied evaluation.
    NotSatisfied,
    /// Attendance at an activity (time served or a fixed amount); a
    /// correction or a rejected check-in books the difference.
    Activity,
    /// A place held at an activity's end without a check-in.
    NoShow,
}

crate::code::coded!(PointsReason {
    Service => "service",
    Satisfied => "satisfied",
    BasicallySatisfied => "basically_satisfied",
    Lapsed => "lapsed",
    NotSatisfied => "not_satisfied",
    Activity => "activity",
    NoShow => "no_show",
});

/// What a ledger entry (or an inbox item) is about: a wish or an activity.
/// JSON `{"wish":"w1"}` or `{"activity":"a1"}`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A wish (order points, lapses).
    Wish(WishId),
    /// An activity (attendance, no-shows).
    Activity(ActivityId),
}

impl Subject {
    /// The wish, if it is one.
    pub fn wish(&self) -> Option<&WishId> {
        match self {
            Subject::Wish(w) => Some(w),
            Subject::Activity(_) => None,
        }
    }

    /// The activity, if it is one.
    pub fn activity(&self) -> Option<&ActivityId> {
        match self {
            Subject::Activity(a) => Some(a),
            Subject::Wish(_) => None,
        }
    }
}

/// One line of a member's points ledger; `op` is the op that caused it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsEntry {
    /// Causing op (for a lapse: the op whose stamp passed the deadline;
    /// for an activity's automatic close: the op whose stamp passed its end).
    pub op: OpId,
    /// The wish or activity concerned.
    pub about: Subject,
    /// When (HLC ms of the causing op; for what an activity's end books:
    /// the end).
    pub at: u64,
    /// Signed change.
    pub delta: i64,
    /// Basic, positive or deduction.
    pub kind: PointsKind,
    /// Why.
    pub reason: PointsReason,
}

/// Op sequence numbers already folded for one device: everything up to
/// `upto`, plus any seen above a gap.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSeen {
    /// All of 1..=upto are seen.
    pub upto: u64,
    /// Seen numbers above `upto + 1`.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub extra: BTreeSet<u64>,
}

impl DeviceSeen {
    /// Whether `seq` was folded.
    pub fn contains(&self, seq: u64) -> bool {
        seq <= self.upto || self.extra.contains(&seq)
    }

    fn insert(&mut self, seq: u64) {
        if seq == self.upto + 1 {
            self.upto = seq;
            while self.extra.remove(&(self.upto + 1)) {
                self.upto += 1;
            }
        } else if seq > self.upto {
            self.extra.insert(seq);
        }
    }
}

/// Everything a device knows after folding a log. Serializable, so a device
/// can snapshot it and resume folding from `seq`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Log position of the last folded entry (the pull cursor; not hashed).
    pub seq: u64,
    /// Largest HLC milliseconds seen in the log so far.
    pub clock: u64,
    /// The community (after bootstrap).
    pub community: Option<Community>,
    /// Members by id.
    pub members: BTreeMap<MemberId, Member>,
    /// Teams by id.
    pub teams: BTreeMap<TeamId, Team>,
    /// Partner units by id.
    pub partners: BTreeMap<PartnerId, PartnerUnit>,
    /// Resources by id.
    pub resources: BTreeMap<ResourceId, Resource>,
    /// Wishes by id.
    pub wishes: BTreeMap<WishId, Wish>,
    /// Points ledger per member, in log order.
    pub ledger: BTreeMap<MemberId, Vec<PointsEntry>>,
    /// Void ops and why (every folded op not listed here was applied).
    #[serde(with = "crate::pairs")]
    pub voids: BTreeMap<OpId, VoidReason>,
    /// Folded op ids per device (dedupe).
    pub seen: BTreeMap<DeviceId, DeviceSeen>,
    /// Lease index: (deadline, wish) for every wish with a lease.
    pub leases: BTreeSet<(u64, WishId)>,
    /// Minutes served per member: every applied completion counts, a
    /// redone job too (a wish keeps only its latest completion). No serde
    /// default on purpose: a snapshot from before it is refolded.
    pub served: BTreeMap<MemberId, u64>,
    /// Activities by id (schema 2; a snapshot from before is refolded).
    pub activities: BTreeMap<ActivityId, Activity>,
    /// Index of (end, activity) for every planned or open activity: the
    /// end pass (`activity::end_due`) pops those whose end has passed.
    pub activity_ends: BTreeSet<(u64, ActivityId)>,
    /// The care list by household (schema 3; a snapshot from before is refolded).
    pub households: BTreeMap<HouseholdId, Household>,
    /// Which household each visit belongs to.
    pub visits: BTreeMap<VisitId, HouseholdId>,
    /// The visit each wish was recorded from (`link_visit_wish`).
    pub wish_visits: BTreeMap<WishId, VisitId>,
    /// Photos by wish, in log order (schema 4; a snapshot from before is refolded).
    pub photos: BTreeMap<WishId, Vec<crate::photos::Photo>>,
}

impl State {
    /// An empty state (before the bootstrap op).
    pub fn new() -> Self {
        Self::default()
    }

    /// Fold one sequenced entry.
    pub fn apply(&mut self, entry: &LogEntry) -> Outcome {
        apply(self, entry)
    }

    /// What happened to an op, if it has been folded; `None` means pending.
    pub fn outcome(&self, id: &OpId) -> Option<Outcome> {
        let seen = self.seen.get(&id.device)?.contains(id.seq);
        seen.then(|| match self.voids.get(id) {
            Some(r) => Outcome::Void(*r),
            None => Outcome::Applied,
        })
    }

    /// Whether this op id was already folded.
    pub fn is_seen(&self, id: &OpId) -> bool {
        self.seen
            .get(&id.device)
            .is_some_and(|d| d.contains(id.seq))
    }

    /// Community settings (defaults before bootstrap).
    pub fn settings(&self) -> Settings {
        self.community
            .as_ref()
            .map(|c| c.settings.clone())
            .unwrap_or_default()
    }

    /// Whether `member` holds `wish` (directly, through a team or a unit).
    pub fn holds(&self, member: &MemberId, wish: &Wish) -> bool {
        match &wish.holder {
            Some(Assignee::Member(m)) => m == member,
            Some(Assignee::Team(t)) => self
                .teams
                .get(t)
                .is_some_and(|t| t.members.binary_search(member).is_ok()),
            Some(Assignee::Partner(p)) => self
                .members
                .get(member)
                .is_some_and(|m| m.partner.as_ref() == Some(p)),
            None => false,
        }
    }

    /// Whether `member` may do `action` on `wish` by the permission matrix
    /// and the same relation checks the reducer makes (holder, requester,
    /// own grid), so a page offers exactly what would not fold as void for
    /// want of permission. For a partner claim the reducer checks the unit
    /// named in the op; here any member of a unit qualifies (the page
    /// offers that unit's own resources only). Lifecycle is not checked.
    pub fn allows(&self, member: &Member, action: crate::op::Action, wish: &Wish) -> bool {
        if !member.active {
            return false;
        }
        let rule = permissions::rule(member.role, action);
        let target = match (rule, &member.partner) {
            (Rule::OwnUnit, Some(unit)) => Target::Unit(unit),
            _ => Target::Wish(wish),
        };
        permit(self, rule, member, target).is_ok()
    }

    /// Whether `member` may file a wish on `channel`: the permission
    /// matrix's channel rule, as the reducer checks it.
    pub fn may_file_on(&self, member: &Member, channel: Channel) -> bool {
        let rule = permissions::rule(member.role, crate::op::Action::CreateWish);
        member.active
            && rule != Rule::No
            && permit(self, rule, member, Target::Channel(channel)).is_ok()
    }

    /// Whether `to` may be assigned a wish (the reducer's `bad_assignee`
    /// and `unknown_*` checks): an active coordinator, grid worker,
    /// volunteer or partner member — returned, as they answer for the lease
    /// — or an existing team or partner unit (`None`: nobody answers).
    pub fn assignable(&self, to: &Assignee) -> Result<Option<MemberId>, VoidReason> {
        match to {
            Assignee::Member(m) => {
                let m = self.members.get(m).ok_or(VoidReason::UnknownMember)?;
                let takes_orders = matches!(
                    m.role,
                    Role::Coordinator | Role::GridWorker | Role::Volunteer | Role::Partner
                );
                if m.active && takes_orders {
                    Ok(Some(m.id.clone()))
                } else {
                    Err(VoidReason::BadAssignee)
                }
            }
            Assignee::Team(t) => self
                .teams
                .get(t)
                .map(|_| None)
                .ok_or(VoidReason::UnknownTeam),
            Assignee::Partner(p) => self
                .partners
                .get(p)
                .map(|_| None)
                .ok_or(VoidReason::UnknownPartner),
        }
    }

    /// Whether `wish` may be merged into `into` (the reducer's data check
    /// for `merge`): `into` exists, is still open and asks for the same kind
    /// of help (a duplicate of a repair is not a cleaning).
    pub fn mergeable(&self, wish: &Wish, into: &WishId) -> Result<(), VoidReason> {
        let target = self.wishes.get(into).ok_or(VoidReason::UnknownWish)?;
        if target.status.is_terminal() {
            return Err(VoidReason::WishClosed);
        }
        if target.category != wish.category {
            return Err(VoidReason::DifferentCategory);
        }
        Ok(())
    }

    /// Sum of a member's points.
    pub fn points(&self, member: &MemberId) -> i64 {
        self.ledger
            .get(member)
            .map_or(0, |l| l.iter().map(|e| e.delta).sum())
    }

    /// Apply the device's pending (not yet sequenced) ops on top of a copy
    /// of this state: the optimistic view. Returns the state and each op's outcome.
    pub fn rebase(&self, pending: &[Op]) -> (State, Vec<Outcome>) {
        let mut s = self.clone();
        let outs = pending.iter().map(|op| apply_op(&mut s, op)).collect();
        (s, outs)
    }

    fn set_lease(&mut self, wish: &WishId, lease: Option<Lease>) {
        if let Some(w) = self.wishes.get_mut(wish) {
            if let Some(old) = w.lease.take() {
                self.leases.remove(&(old.deadline, wish.clone()));
            }
            if let Some(new) = lease {
                self.leases.insert((new.deadline, wish.clone()));
                w.lease = Some(new);
            }
        }
    }

    pub(crate) fn book(&mut self, member: &MemberId, entry: PointsEntry) {
        if entry.delta != 0 {
            self.ledger.entry(member.clone()).or_default().push(entry);
        }
    }
}

/// Fold a whole log from scratch.
pub fn fold<'a>(log: impl IntoIterator<Item = &'a LogEntry>) -> State {
    let mut s = State::new();
    for e in log {
        apply(&mut s, e);
    }
    s
}

/// Fold one sequenced entry into `state`.
pub fn apply(state: &mut State, entry: &LogEntry) -> Outcome {
    state.seq = state.seq.max(entry.seq);
    apply_op(state, &entry.op)
}

/// Apply one op (sequenced or pending). Duplicates change nothing.
pub fn apply_op(state: &mut State, op: &Op) -> Outcome {
    if state.is_seen(&op.id) {
        return Outcome::Duplicate;
    }
    state
        .seen
        .entry(op.id.device.clone())
        .or_default()
        .insert(op.id.seq);
    state.clock = state.clock.max(op.hlc.ms);
    let lapsed = lapse_due(state, op);
    activity::end_due(state, op);
    match exec(state, op, &lapsed) {
        Ok(()) => Outcome::Applied,
        Err(reason) => {
            state.voids.insert(op.id.clone(), reason);
            if let Some(aid) = op.kind.activity()
                && let Some(step) = activity::step_of(&op.kind)
                && !matches!(op.kind, OpKind::CreateActivity { .. })
                && let Some(a) = state.activities.get_mut(aid)
            {
                a.timeline.push(activity::ActivityEntry {
                    op: op.id.clone(),
                    by: Some(op.author.clone()),
                    member: activity::subject_of(op),
                    at: op.hlc.ms,
                    step,
                    void: Some(reason),
                    text: activity::text_of(&op.kind),
                });
            }
            if let Some(wid) = op.kind.wish()
                && let Some(step) = op.kind.step().filter(|s| *s != Step::Create)
                && let Some(w) = state.wishes.get_mut(wid)
            {
                w.timeline.push(TimelineEntry {
                    op: op.id.clone(),
                    by: Some(op.author.clone()),
                    at: op.hlc.ms,
                    step,
                    void: Some(reason),
                    text: text_of(&op.kind),
                });
            }
            Outcome::Void(reason)
        }
    }
}

/// Lapse every lease whose deadline is before `op`'s stamp.
fn lapse_due(state: &mut State, op: &Op) -> Vec<WishId> {
    let now = op.hlc.ms;
    let mut lapsed = Vec::new();
    while let Some((deadline, _)) = state.leases.first() {
        if *deadline >= now {
            break;
        }
        let Some((_, wid)) = state.leases.pop_first() else {
            break;
        };
        let rules = state.settings().points;
        let Some(w) = state.wishes.get_mut(&wid) else {
            continue;
        };
        let Some(lease) = w.lease.take() else {
            continue;
        };
        if let Some(to) = lifecycle::next(w.status, Step::Lapse) {
            w.status = to;
        }
        w.holder = None;
        w.timeline.push(TimelineEntry {
            op: op.id.clone(),
            by: lease.by.clone(),
            at: now,
            step: Step::Lapse,
            void: None,
            text: String::new(),
        });
        if let Some(m) = &lease.by {
            state.book(
                m,
                PointsEntry {
                    op: op.id.clone(),
                    about: Subject::Wish(wid.clone()),
                    at: now,
                    delta: -rules.lapsed,
                    kind: PointsKind::Deduction,
                    reason: PointsReason::Lapsed,
                },
            );
        }
        lapsed.push(wid);
    }
    lapsed
}

pub(crate) fn text_of(k: &OpKind) -> String {
    match k {
        OpKind::Note { text, .. } => text.clone(),
        OpKind::Complete { report, .. } => report.clone(),
        OpKind::Evaluate { comment, .. } => comment.clone(),
        OpKind::Reopen { reason, .. }
        | OpKind::Reject { reason, .. }
        | OpKind::Cancel { reason, .. } => reason.clone(),
        OpKind::Escalate { note, .. } | OpKind::StreetAccept { note, .. } => note.clone(),
        OpKind::StreetReturn { guidance, .. } => guidance.clone(),
        OpKind::StreetResolve { report, .. } => report.clone(),
        _ => String::new(),
    }
}

/// What a permission rule is checked against.
pub(crate) enum Target<'a> {
    Wish(&'a Wish),
    /// An activity's organiser (`None`: the community): `lead` is the
    /// organising team's lead, `unit` a member of the organising unit.
    Organiser(Option<&'a Organiser>),
    Member(&'a MemberId),
    NewMember(Role),
    Team(&'a Team),
    Unit(&'a PartnerId),
    Channel(Channel),
}

pub(crate) fn permit(
    state: &State,
    rule: Rule,
    author: &Member,
    target: Target<'_>,
) -> Result<(), VoidReason> {
    use VoidReason::{Forbidden, NotHolder};
    let ok = match (rule, target) {
        (Rule::No, _) => false,
        (Rule::Yes, _) => true,
        (Rule::Holder, Target::Wish(w)) => {
            return if state.holds(&author.id, w) {
                Ok(())
            } else {
                Err(NotHolder)
            };
        }
        (Rule::Requester, Target::Wish(w)) => w.requester.as_ref() == Some(&author.id),
        (Rule::Walkup, Target::Wish(w)) => w.requester.is_none(),
        (Rule::InGrid, Target::Wish(w)) => w
            .place
            .grid
            .as_ref()
            .is_some_and(|g| author.grids.contains(g)),
        (Rule::Myself, Target::Member(m)) => *m == author.id,
        (Rule::ResidentsOnly, Target::NewMember(role)) => role == Role::Resident,
        (Rule::TeamLead, Target::Team(t)) => t.lead.as_ref() == Some(&author.id),
        (Rule::TeamLead, Target::Organiser(Some(Organiser::Team(t)))) => state
            .teams
            .get(t)
            .is_some_and(|t| t.lead.as_ref() == Some(&author.id)),
        (Rule::OwnUnit, Target::Organiser(Some(Organiser::Partner(p)))) => {
            author.partner.as_ref() == Some(p)
        }
        (Rule::OwnUnit, Target::Unit(p)) => author.partner.as_ref() == Some(p),
        (Rule::OwnChannel, Target::Channel(c)) => match author.role {
            Role::Resident | Role::Volunteer => c == Channel::SelfService,
            Role::GridWorker => matches!(c, Channel::SelfService | Channel::OnBehalf),
            // An Open311 key's identity is a kiosk-role member too.
            Role::Kiosk => matches!(c, Channel::Kiosk | Channel::City),
            _ => false,
        },
        _ => false,
    };
    if ok { Ok(()) } else { Err(Forbidden) }
}

/// The void reason for a lifecycle move the table does not have.
pub(crate) fn no_move(status: Status, step: Step) -> VoidReason {
    match step {
        Step::Claim | Step::PartnerClaim if status.is_held() => VoidReason::AlreadyClaimed,
        Step::Cancel if matches!(status, Status::InProgress | Status::Completed) => {
            VoidReason::WorkStarted
        }
        _ if status.is_terminal() => VoidReason::WishClosed,
        _ => VoidReason::WrongStatus,
    }
}

fn exec(state: &mut State, op: &Op, lapsed: &[WishId]) -> Result<(), VoidReason> {
    use VoidReason as V;
    let action = op.kind.action().ok_or(V::UnknownKind)?;
    if let OpKind::CreateCommunity {
        community,
        name,
        founder,
        grids,
        buildings,
        settings,
    } = &op.kind
    {
        if state.community.is_some() {
            return Err(V::AlreadyExists);
        }
        crate::validate::kind(&op.kind).map_err(|_| V::Invalid)?;
        state.community = Some(Community {
            id: community.clone(),
            name: name.clone(),
            grids: grids.clone(),
            buildings: buildings.clone(),
            settings: settings.clone().unwrap_or_default(),
            created_op: op.id.clone(),
            created_at: op.hlc,
        });
        state.members.insert(
            op.author.clone(),
            Member {
                id: op.author.clone(),
                name: founder.clone(),
                role: Role::Coordinator,
                skills: Vec::new(),
                grids: Vec::new(),
                partner: None,
                active: true,
            },
        );
        return Ok(());
    }
    if state.community.is_none() {
        return Err(V::NoCommunity);
    }
    crate::validate::kind(&op.kind).map_err(|_| V::Invalid)?;
    if crate::street::by_street(&op.kind) {
        return crate::street::exec(state, op);
    }
    let author = match state.members.get(&op.author) {
        Some(m) if m.active => m.clone(),
        _ => return Err(V::UnknownAuthor),
    };
    let rule = permissions::rule(author.role, action);
    if rule == Rule::No {
        return Err(V::Forbidden);
    }
    match &op.kind {
        OpKind::CreateCommunity { .. } | OpKind::Unknown(_) => Err(V::UnknownKind),
        OpKind::UpdateCommunity {
            name,
            grids,
            buildings,
        } => {
            let c = state.community.as_mut().ok_or(V::NoCommunity)?;
            if let Some(n) = name {
                c.name = n.clone();
            }
            if let Some(g) = grids {
                c.grids = g.clone();
            }
            if let Some(b) = buildings {
                c.buildings = b.clone();
            }
            Ok(())
        }
        OpKind::UpdateSettings { settings } => {
            let c = state.community.as_mut().ok_or(V::NoCommunity)?;
            c.settings = settings.clone();
            Ok(())
        }
        OpKind::AddMember {
            member,
            name,
            role,
            skills,
            grids,
            partner,
        } => {
            permit(state, rule, &author, Target::NewMember(*role))?;
            // Tying a member to a partner unit makes them a holder of its
            // wishes: a coordinator's call, not a grid worker's.
            if rule != Rule::Yes && partner.is_some() {
                return Err(V::Forbidden);
            }
            if state.members.contains_key(member) {
                return Err(V::AlreadyExists);
            }
            if let Some(p) = partner
                && !state.partners.contains_key(p)
            {
                return Err(V::UnknownPartner);
            }
            state.members.insert(
                member.clone(),
                Member {
                    id: member.clone(),
                    name: name.clone(),
                    role: *role,
                    skills: sorted(skills),
                    grids: grids.clone(),
                    partner: partner.clone(),
                    active: true,
                },
            );
            Ok(())
        }
        OpKind::UpdateMember {
            member,
            name,
            skills,
            grids,
        } => {
            if !state.members.get(member).is_some_and(|m| m.active) {
                return Err(V::UnknownMember);
            }
            permit(state, rule, &author, Target::Member(member))?;
            let m = state.members.get_mut(member).ok_or(V::UnknownMember)?;
            // Grids are power (a grid worker acts on wishes in them): a
            // member may rename themselves, never widen their own reach.
            if rule != Rule::Yes && grids.as_ref().is_some_and(|g| *g != m.grids) {
                return Err(V::Forbidden);
            }
            if let Some(n) = name {
                m.name = n.clone();
            }
            if let Some(s) = skills {
                m.skills = sorted(s);
            }
            if let Some(g) = grids {
                m.grids = g.clone();
            }
            Ok(())
        }
        OpKind::SetRole { member, role } => {
            permit(state, rule, &author, Target::Member(member))?;
            let m = state
                .members
                .get(member)
                .filter(|m| m.active)
                .ok_or(V::UnknownMember)?;
            if m.role == Role::Coordinator && *role != Role::Coordinator && last_coordinator(state)
            {
                return Err(V::LastCoordinator);
            }
            if let Some(m) = state.members.get_mut(member) {
                m.role = *role;
            }
            Ok(())
        }
        OpKind::RemoveMember { member } => {
            permit(state, rule, &author, Target::Member(member))?;
            let m = state
                .members
                .get(member)
                .filter(|m| m.active)
                .ok_or(V::UnknownMember)?;
            if m.role == Role::Coordinator && last_coordinator(state) {
                return Err(V::LastCoordinator);
            }
            if let Some(m) = state.members.get_mut(member) {
                m.active = false;
            }
            Ok(())
        }
        OpKind::CreateTeam {
            team,
            name,
            lead,
            members,
            categories,
        } => {
            if state.teams.contains_key(team) {
                return Err(V::AlreadyExists);
            }
            if lead
                .iter()
                .chain(members)
                .any(|m| !state.members.contains_key(m))
            {
                return Err(V::UnknownMember);
            }
            state.teams.insert(
                team.clone(),
                Team {
                    id: team.clone(),
                    name: name.clone(),
                    lead: lead.clone(),
                    members: sorted(members),
                    categories: sorted(categories),
                },
            );
            Ok(())
        }
        OpKind::UpdateTeam {
            team,
            name,
            lead,
            categories,
        } => {
            let t = state.teams.get(team).ok_or(V::UnknownTeam)?;
            permit(state, rule, &author, Target::Team(t))?;
            // Leadership is handed out by coordinators only.
            if rule != Rule::Yes && lead.is_some() && *lead != t.lead {
                return Err(V::Forbidden);
            }
            if lead
                .as_ref()
                .is_some_and(|l| !state.members.contains_key(l))
            {
                return Err(V::UnknownMember);
            }
            let t = state.teams.get_mut(team).ok_or(V::UnknownTeam)?;
            if let Some(n) = name {
                t.name = n.clone();
            }
            if let Some(l) = lead {
                t.lead = Some(l.clone());
            }
            if let Some(c) = categories {
                t.categories = sorted(c);
            }
            Ok(())
        }
        OpKind::SetTeamMembers { team, members } => {
            let t = state.teams.get(team).ok_or(V::UnknownTeam)?;
            permit(state, rule, &author, Target::Team(t))?;
            if members.iter().any(|m| !state.members.contains_key(m)) {
                return Err(V::UnknownMember);
            }
            let t = state.teams.get_mut(team).ok_or(V::UnknownTeam)?;
            t.members = sorted(members);
            Ok(())
        }
        OpKind::AddPartner { partner, name } => {
            if state.partners.contains_key(partner) {
                return Err(V::AlreadyExists);
            }
            state.partners.insert(
                partner.clone(),
                PartnerUnit {
                    id: partner.clone(),
                    name: name.clone(),
                },
            );
            Ok(())
        }
        OpKind::AddResource {
            resource,
            partner,
            title,
            categories,
            capacity,
            window,
            weekdays,
            grids,
        } => {
            if !state.partners.contains_key(partner) {
                return Err(V::UnknownPartner);
            }
            permit(state, rule, &author, Target::Unit(partner))?;
            if state.resources.contains_key(resource) {
                return Err(V::AlreadyExists);
            }
            state.resources.insert(
                resource.clone(),
                Resource {
                    id: resource.clone(),
                    partner: partner.clone(),
                    title: title.clone(),
                    categories: sorted(categories),
                    capacity: *capacity,
                    window: *window,
                    weekdays: *weekdays,
                    grids: grids.clone(),
                    active: true,
                },
            );
            Ok(())
        }
        OpKind::UpdateResource {
            resource,
            title,
            categories,
            capacity,
            window,
            weekdays,
            grids,
        } => {
            let r = state
                .resources
                .get(resource)
                .filter(|r| r.active)
                .ok_or(V::UnknownResource)?;
            permit(state, rule, &author, Target::Unit(&r.partner))?;
            let r = state
                .resources
                .get_mut(resource)
                .ok_or(V::UnknownResource)?;
            if let Some(t) = title {
                r.title = t.clone();
            }
            if let Some(c) = categories {
                r.categories = sorted(c);
            }
            if let Some(c) = capacity {
                r.capacity = *c;
            }
            if let Some(w) = window {
                r.window = Some(*w);
            }
            if let Some(d) = weekdays {
                r.weekdays = *d;
            }
            if let Some(g) = grids {
                r.grids = g.clone();
            }
            Ok(())
        }
        OpKind::RemoveResource { resource } => {
            let r = state
                .resources
                .get(resource)
                .filter(|r| r.active)
                .ok_or(V::UnknownResource)?;
            permit(state, rule, &author, Target::Unit(&r.partner))?;
            if let Some(r) = state.resources.get_mut(resource) {
                r.active = false;
            }
            Ok(())
        }
        OpKind::CreateWish {
            wish,
            channel,
            requester,
            ..
        } => {
            permit(state, rule, &author, Target::Channel(*channel))?;
            if state.wishes.contains_key(wish) {
                return Err(V::AlreadyExists);
            }
            // Nobody is identified at a kiosk: naming a requester there would
            // show the details typed at the kiosk to whoever was named.
            // The same for a city system (Open311): it files for someone
            // it cannot name as a member.
            if matches!(channel, Channel::Kiosk | Channel::City) && requester.is_some() {
                return Err(V::Forbidden);
            }
            let requester = if *channel == Channel::SelfService {
                match requester {
                    Some(r) if *r != author.id => return Err(V::Forbidden),
                    _ => Some(author.id.clone()),
                }
            } else {
                requester.clone()
            };
            if let Some(r) = &requester
                && !state.members.contains_key(r)
            {
                return Err(V::UnknownMember);
            }
            if let Some(w) = new_wish(op, requester) {
                state.wishes.insert(wish.clone(), w);
            }
            Ok(())
        }
        _ if action.on_activity() => activity::exec(state, op, &author, rule),
        _ if action.on_care() => care::exec(state, op, &author, rule),
        // The matrix says which roles (`Rule::Photos`); on which wish, `photos::exec`.
        OpKind::AttachPhotos { .. } => crate::photos::exec(state, op, &author.id),
        kind => wish_op(state, op, &author, rule, kind, lapsed),
    }
}

/// The wish a `CreateWish` or a `StreetFile` makes, as filed: status
/// submitted, filed by the op's author, the first timeline step.
pub(crate) fn new_wish(op: &Op, requester: Option<MemberId>) -> Option<Wish> {
    let (wish, category, title, description, place) = match &op.kind {
        OpKind::CreateWish {
            wish,
            category,
            title,
            description,
            place,
            ..
        }
        | OpKind::StreetFile {
            wish,
            category,
            title,
            description,
            place,
            ..
        } => (wish, *category, title, description, place),
        _ => return None,
    };
    let (urgency, window, channel, signature) = match &op.kind {
        OpKind::CreateWish {
            urgency,
            window,
            channel,
            ..
        } => (*urgency, *window, *channel, None),
        OpKind::StreetFile { from, .. } => {
            (Urgency::Normal, None, Channel::City, Some(from.clone()))
        }
        _ => return None,
    };
    let at = op.hlc.ms;
    Some(Wish {
        id: wish.clone(),
        category,
        title: title.clone(),
        description: description.clone(),
        place: place.clone(),
        urgency,
        window,
        channel,
        requester,
        created_by: op.author.clone(),
        signature,
        created_op: op.id.clone(),
        created_at: at,
        status: Status::Submitted,
        holder: None,
        lease: None,
        team: None,
        rejection: None,
        merged_into: None,
        duplicates: Vec::new(),
        escalation: None,
        completion: None,
        evaluations: Vec::new(),
        rework: 0,
        responded_at: None,
        resolved_at: None,
        closed_at: None,
        timeline: vec![TimelineEntry {
            op: op.id.clone(),
            by: Some(op.author.clone()),
            at,
            step: Step::Create,
            void: None,
            text: String::new(),
        }],
    })
}

fn sorted<T: Ord + Clone>(v: &[T]) -> Vec<T> {
    let mut v = v.to_vec();
    crate::lean::sort(&mut v);
    v.dedup();
    v
}

fn last_coordinator(state: &State) -> bool {
    state
        .members
        .values()
        .filter(|m| m.active && m.role == Role::Coordinator)
        .count()
        <= 1
}

/// Ops on an existing wish: the lifecycle.
fn wish_op(
    state: &mut State,
    op: &Op,
    author: &Member,
    rule: Rule,
    kind: &OpKind,
    lapsed: &[WishId],
) -> Result<(), VoidReason> {
    use VoidReason as V;
    let wid = kind.wish().ok_or(V::Invalid)?;
    let step = kind.step().ok_or(V::Invalid)?;
    let at = op.hlc.ms;
    let settings = state.settings();
    let w = state.wishes.get(wid).ok_or(V::UnknownWish)?;
    if w.status.is_terminal() && step != Step::Reopen {
        return Err(V::WishClosed);
    }
    let target = match kind {
        OpKind::PartnerClaim { partner, .. } => Target::Unit(partner),
        _ => Target::Wish(w),
    };
    permit(state, rule, author, target)?;
    let to = lifecycle::next(w.status, step).ok_or_else(|| no_move(w.status, step))?;
    let lease_for = |by: Option<MemberId>| Lease {
        by,
        op: op.id.clone(),
        since: at,
        deadline: at.saturating_add(settings.lease_ms()),
    };

    // Per-step data checks (still no mutation), producing the new holder/lease.
    let mut new_lease: Option<Option<Lease>> = None; // Some(x): set lease to x
    let mut new_holder: Option<Option<Assignee>> = None;
    match kind {
        OpKind::Assign { to: who, .. } => {
            let by = state.assignable(who)?;
            new_holder = Some(Some(who.clone()));
            new_lease = Some(Some(lease_for(by)));
        }
        OpKind::Claim { .. } => {
            new_holder = Some(Some(Assignee::Member(author.id.clone())));
            new_lease = Some(Some(lease_for(Some(author.id.clone()))));
        }
        OpKind::PartnerClaim {
            partner, resource, ..
        } => {
            if let Some(r) = resource
                && !state
                    .resources
                    .get(r)
                    .is_some_and(|r| r.active && &r.partner == partner)
            {
                return Err(V::UnknownResource);
            }
            new_holder = Some(Some(Assignee::Partner(partner.clone())));
            new_lease = Some(Some(lease_for(Some(author.id.clone()))));
        }
        OpKind::ExpireLease { .. } => {
            if !lapsed.contains(wid) {
                return Err(if w.lease.is_some() {
                    V::LeaseNotExpired
                } else {
                    V::NoLease
                });
            }
            // The lapse itself was recorded by `lapse_due`, attributed to this op.
            return Ok(());
        }
        OpKind::Release { .. } | OpKind::Cancel { .. } => {
            new_holder = Some(None);
            new_lease = Some(None);
        }
        OpKind::Start { .. } | OpKind::Complete { .. } => new_lease = Some(None),
        OpKind::Note { .. } => {
            if let Some(l) = &w.lease
                && state.holds(&author.id, w)
            {
                new_lease = Some(Some(lease_for(l.by.clone())));
            }
        }
        OpKind::Evaluate { rating, .. } if !rating.accepts() => new_holder = Some(None),
        OpKind::Merge { into, .. } => state.mergeable(w, into)?,
        _ => {}
    }

    // ---- mutation from here on: nothing below can fail ----
    if let Some(l) = new_lease {
        state.set_lease(wid, l);
    }
    let rules = settings.points;
    let mut bookings: Vec<(MemberId, PointsEntry)> = Vec::new();
    let entry = |delta: i64, kind: PointsKind, reason: PointsReason| PointsEntry {
        op: op.id.clone(),
        about: Subject::Wish(wid.clone()),
        at,
        delta,
        kind,
        reason,
    };
    let Some(w) = state.wishes.get_mut(wid) else {
        return Err(V::UnknownWish);
    };
    w.status = to;
    if let Some(h) = new_holder {
        if let Some(Assignee::Team(t)) = &h {
            w.team = Some(t.clone());
        }
        w.holder = h;
    }
    let responds = matches!(
        step,
        Step::Publish
            | Step::Assign
            | Step::PartnerClaim
            | Step::Reject
            | Step::Merge
            | Step::Escalate
    );
    if responds && w.responded_at.is_none() {
        w.responded_at = Some(at);
    }
    let mut absorb_into: Option<WishId> = None;
    let mut served: Option<(MemberId, u64)> = None;
    match kind {
        OpKind::Complete {
            report, minutes, ..
        } => {
            w.completion = Some(Completion {
                by: author.id.clone(),
                op: op.id.clone(),
                at,
                report: report.clone(),
                minutes: *minutes,
            });
            w.resolved_at = Some(at);
            served = Some((author.id.clone(), u64::from(*minutes)));
            let per = u64::from(rules.minutes_per_point.max(1));
            let basic = u64::from(*minutes).div_ceil(per) as i64;
            bookings.push((
                author.id.clone(),
                entry(basic, PointsKind::Basic, PointsReason::Service),
            ));
        }
        OpKind::Evaluate {
            rating, comment, ..
        } => {
            w.evaluations.push(Evaluation {
                by: author.id.clone(),
                op: op.id.clone(),
                at,
                rating: *rating,
                comment: comment.clone(),
            });
            let doer = w.completion.as_ref().map(|c| c.by.clone());
            let (delta, kind, reason) = match rating {
                Rating::Satisfied => (
                    rules.satisfied,
                    PointsKind::Positive,
                    PointsReason::Satisfied,
                ),
                Rating::BasicallySatisfied => (
                    rules.basically_satisfied,
                    PointsKind::Positive,
                    PointsReason::BasicallySatisfied,
                ),
                Rating::NotSatisfied => (
                    -rules.not_satisfied,
                    PointsKind::Deduction,
                    PointsReason::NotSatisfied,
                ),
            };
            if rating.accepts() {
                w.closed_at = Some(at);
            } else {
                w.rework += 1;
                w.resolved_at = None;
            }
            if let Some(d) = doer {
                bookings.push((d, entry(delta, kind, reason)));
            }
        }
        OpKind::Reopen { .. } => {
            if w.closed_at.is_some() {
                w.rework += 1;
            }
            w.closed_at = None;
            w.resolved_at = None;
            w.rejection = None;
            w.holder = None;
        }
        OpKind::Reject { reason, .. } => w.rejection = Some(reason.clone()),
        OpKind::Merge { into, .. } => {
            w.merged_into = Some(into.clone());
            absorb_into = Some(into.clone());
        }
        OpKind::Escalate { level, note, .. } => {
            let answers = w.escalation.take().map(|e| e.answers).unwrap_or_default();
            w.escalation = Some(Escalation {
                level: *level,
                note: note.clone(),
                op: op.id.clone(),
                at,
                answered_at: None,
                accepted: None,
                answers,
            });
        }
        _ => {}
    }
    w.timeline.push(TimelineEntry {
        op: op.id.clone(),
        by: Some(author.id.clone()),
        at,
        step,
        void: None,
        text: text_of(kind),
    });
    if let Some(into) = absorb_into
        && let Some(t) = state.wishes.get_mut(&into)
    {
        t.duplicates.push(wid.clone());
        t.timeline.push(TimelineEntry {
            op: op.id.clone(),
            by: Some(author.id.clone()),
            at,
            step: Step::Absorb,
            void: None,
            text: wid.to_string(),
        });
    }
    for (m, e) in bookings {
        state.book(&m, e);
    }
    if let Some((m, minutes)) = served {
        *state.served.entry(m).or_default() += minutes;
    }
    Ok(())
}
