//! Activities (活动): the model and the reducer's rules for them (issue 14).
//! Pages ask `activities` (what a member may do, their place, the roster,
//! the calendar); this module is what the log does to an activity.
//!
//! Status: `planned` → (`open_activity`) `open` → `finished` or
//! `cancelled`. **Finished is derived from time, like a lease lapse:**
//! before each op the reducer finishes every planned or open activity whose
//! end is earlier than *that op's own stamp* (`end_due`), attributing what
//! that does to the op. Finishing closes every attendance still checked in
//! at the activity's end (`auto_check_out`) and books its points and any
//! no-show deduction. So the same log gives the same points everywhere, and
//! no clock is read. Pages show an activity past its end that no op has
//! finished yet as ended (`activities::phase`), with the same hours
//! (`activities::minutes`).
//!
//! Every rule below is judged by the op's own stamp (an offline check-in
//! delivered a day late counts at the time it was made) and by log order
//! (the first sign-up in the log gets the last place).

use crate::checkin;
use crate::code::coded;
use crate::ids::{ActivityId, MemberId, OpId, PartnerId, TeamId};
use crate::model::{Member, Role};
use crate::op::{Op, OpKind};
use crate::permissions::Rule;
use crate::reduce::{
    PointsEntry, PointsKind, PointsReason, State, Subject, Target, VoidReason, permit,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who organises an activity (absent: the community itself).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Organiser {
    /// A volunteer service team; its lead may manage the activity.
    Team(TeamId),
    /// A co-construction unit; its members may manage the activity.
    Partner(PartnerId),
}

/// How an attendance earns points.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PointsMode {
    /// By time served: rounded minutes / `minutes_per_point` (1 per half hour).
    #[default]
    ByTime,
    /// A fixed amount per attendance.
    Fixed,
}

coded!(PointsMode {
    ByTime => "by_time",
    Fixed => "fixed",
});

/// Where an activity is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    /// Announced, sign-up not open yet.
    Planned,
    /// Sign-up open (and check-in, in its window).
    Open,
    /// Its end has passed (at some op's stamp): attendances are closed.
    Finished,
    /// Called off before it started. Refuses everything but reading.
    Cancelled,
}

coded!(ActivityStatus {
    Planned => "planned",
    Open => "open",
    Finished => "finished",
    Cancelled => "cancelled",
});

/// The points rule of one activity, fixed when it is created (from the op
/// and `Settings` then; a later settings change does not move it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPoints {
    /// By time or fixed.
    pub mode: PointsMode,
    /// Points per attendance when fixed.
    pub fixed: i64,
    /// Minutes per point when by time.
    pub minutes_per_point: u32,
    /// Minutes served are rounded down to a multiple of this.
    pub round_minutes: u32,
    /// Deduction for a no-show (0: none).
    pub no_show: i64,
}

/// A moment something was recorded, and the op that recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    /// When (epoch ms): the op's stamp, a corrected time, or the end.
    pub at: u64,
    /// The op.
    pub op: OpId,
}

/// One member's attendance at an activity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    /// Arrival.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_in: Option<Mark>,
    /// Departure (for an automatic close: the end, and the op that closed it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_out: Option<Mark>,
    /// Closed at the activity's end because nobody checked out.
    #[serde(default)]
    pub auto_out: bool,
    /// Checked in by the member's own op (with a proof), not by an
    /// organiser or the kiosk.
    #[serde(default)]
    pub by_self: bool,
    /// The proof of a self check-in (kept until verified).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub proof: String,
    /// An organiser, the kiosk, a correction or the revealed key vouches for it.
    #[serde(default)]
    pub verified: bool,
    /// The proof did not match the revealed key: no attendance.
    #[serde(default)]
    pub rejected: bool,
    /// A coordinator set the times.
    #[serde(default)]
    pub corrected: bool,
    /// Took a place at check-in without having signed up (走进来).
    #[serde(default)]
    pub walk_in: bool,
    /// Minutes credited so far (rounded).
    #[serde(default)]
    pub minutes: u32,
    /// Attendance points booked so far.
    #[serde(default)]
    pub points: i64,
    /// No-show deduction booked so far (≤ 0).
    #[serde(default)]
    pub no_show: i64,
}

impl Attendance {
    /// Checked in and not rejected.
    pub fn attended(&self) -> bool {
        self.check_in.is_some() && !self.rejected
    }
}

/// What happened to an activity (a line of its timeline).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStep {
    /// Planned.
    Create,
    /// Changed.
    Update,
    /// Sign-up opened.
    Open,
    /// Called off.
    Cancel,
    /// Signed up with a place.
    SignUp,
    /// Signed up, but full: on the waiting list.
    Wait,
    /// Moved from the waiting list to a place.
    Promote,
    /// Gave up a place or left the waiting list.
    Withdraw,
    /// Arrived.
    CheckIn,
    /// Left.
    CheckOut,
    /// Closed at the end without a check-out.
    AutoCheckOut,
    /// Attendance corrected by a coordinator.
    Correct,
    /// The key was revealed and the proofs checked.
    Verify,
    /// A self check-in whose proof did not match.
    RejectCheckIn,
    /// The end passed.
    End,
}

coded!(ActivityStep {
    Create => "create",
    Update => "update",
    Open => "open",
    Cancel => "cancel",
    SignUp => "sign_up",
    Wait => "wait",
    Promote => "promote",
    Withdraw => "withdraw",
    CheckIn => "check_in",
    CheckOut => "check_out",
    AutoCheckOut => "auto_check_out",
    Correct => "correct",
    Verify => "verify",
    RejectCheckIn => "reject_check_in",
    End => "end",
});

/// One line of an activity's history; void ops are listed too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// The op (for `end` and `auto_check_out`: the op whose stamp passed the end).
    pub op: OpId,
    /// Whose op it was (none for what the end did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<MemberId>,
    /// The member it concerns (sign-ups, attendance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<MemberId>,
    /// When (the op's stamp; for the end, the end).
    pub at: u64,
    /// What happened.
    pub step: ActivityStep,
    /// Set when the op was void.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<VoidReason>,
    /// Reason text (cancel, correction).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// An activity and everything that happened at it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// Id.
    pub id: ActivityId,
    /// Title.
    pub title: String,
    /// Theme (one of the community's themes when it was set).
    pub theme: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Where (free text, public).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub venue: String,
    /// Start (epoch ms).
    pub start: u64,
    /// End (epoch ms).
    pub end: u64,
    /// Places (none: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Organising team or unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organiser: Option<Organiser>,
    /// Sign-up deadline.
    pub sign_up_by: u64,
    /// Points rule.
    pub points: ActivityPoints,
    /// How long before the start check-in opens (ms, from settings at creation).
    pub check_in_lead_ms: u64,
    /// Commitment to the key (`checkin::key_check`).
    pub check: String,
    /// The key, once revealed by `verify_check_ins`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Status.
    pub status: ActivityStatus,
    /// Why it was called off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    /// Who planned it.
    pub created_by: MemberId,
    /// The `create_activity` op.
    pub created_op: OpId,
    /// When (HLC ms).
    pub created_at: u64,
    /// Members holding a place, in the order they got it (walk-ins too).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<MemberId>,
    /// The waiting list, first come first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waiting: Vec<MemberId>,
    /// Attendance by member (also no-shows once a deduction was booked).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attendance: BTreeMap<MemberId, Attendance>,
    /// History in log order.
    #[serde(default)]
    pub timeline: Vec<ActivityEntry>,
}

impl Activity {
    /// Whether there is room for one more place.
    pub fn has_room(&self) -> bool {
        self.capacity.is_none_or(|c| self.places.len() < c as usize)
    }

    /// When check-in opens (`check_in_lead_ms` before the start).
    pub fn check_in_from(&self) -> u64 {
        self.start.saturating_sub(self.check_in_lead_ms)
    }

    /// Whether `at` is inside the check-in window (lead time before the
    /// start until the end, both included).
    pub fn check_in_window(&self, at: u64) -> bool {
        (self.check_in_from()..=self.end).contains(&at)
    }

    /// Minutes and points an attendance is worth if it closes at `out`
    /// (a missing check-out closes at the end): the time between check-in
    /// and `out` clipped to the activity, rounded down to the community's
    /// step; points by that time or fixed. Nothing for an attendance not
    /// (or no longer) attended.
    pub fn worth(&self, att: &Attendance, out: Option<u64>) -> (u32, i64) {
        let Some(i) = att.check_in.as_ref().filter(|_| !att.rejected) else {
            return (0, 0);
        };
        let out = out.unwrap_or(self.end);
        let clip = |t: u64| t.clamp(self.start, self.end);
        let ms = clip(out).saturating_sub(clip(i.at));
        let step = u64::from(self.points.round_minutes.max(1));
        let minutes = (ms / 60_000 / step * step).min(u64::from(u32::MAX)) as u32;
        let points = match self.points.mode {
            PointsMode::ByTime => i64::from(minutes / self.points.minutes_per_point.max(1)),
            PointsMode::Fixed => self.points.fixed,
        };
        (minutes, points)
    }

    fn entry(&mut self, op: &Op, member: Option<&MemberId>, step: ActivityStep) {
        self.timeline.push(ActivityEntry {
            op: op.id.clone(),
            by: Some(op.author.clone()),
            member: member.cloned(),
            at: op.hlc.ms,
            step,
            void: None,
            text: text_of(&op.kind),
        });
    }

    fn promote(&mut self, op: &Op) {
        while self.has_room() && !self.waiting.is_empty() {
            let m = self.waiting.remove(0);
            self.places.push(m.clone());
            self.entry(op, Some(&m), ActivityStep::Promote);
        }
    }
}

/// The text an activity op carries into its timeline.
pub(crate) fn text_of(k: &OpKind) -> String {
    match k {
        OpKind::CancelActivity { reason, .. } | OpKind::CorrectAttendance { reason, .. } => {
            reason.clone()
        }
        _ => String::new(),
    }
}

/// The timeline step of an activity op (for void lines too).
pub(crate) fn step_of(k: &OpKind) -> Option<ActivityStep> {
    Some(match k {
        OpKind::CreateActivity { .. } => ActivityStep::Create,
        OpKind::UpdateActivity { .. } => ActivityStep::Update,
        OpKind::OpenActivity { .. } => ActivityStep::Open,
        OpKind::CancelActivity { .. } => ActivityStep::Cancel,
        OpKind::SignUp { .. } => ActivityStep::SignUp,
        OpKind::Withdraw { .. } => ActivityStep::Withdraw,
        OpKind::CheckIn { .. } => ActivityStep::CheckIn,
        OpKind::CheckOut { .. } => ActivityStep::CheckOut,
        OpKind::CorrectAttendance { .. } => ActivityStep::Correct,
        OpKind::VerifyCheckIns { .. } => ActivityStep::Verify,
        _ => return None,
    })
}

/// The member an activity op concerns: the named one, else the author.
pub(crate) fn subject_of(op: &Op) -> Option<MemberId> {
    match &op.kind {
        OpKind::SignUp { member, .. }
        | OpKind::Withdraw { member, .. }
        | OpKind::CheckIn { member, .. }
        | OpKind::CheckOut { member, .. } => {
            Some(member.clone().unwrap_or_else(|| op.author.clone()))
        }
        OpKind::CorrectAttendance { member, .. } => Some(member.clone()),
        _ => None,
    }
}

/// Roles that take part in activities (and so sign up, attend, earn).
pub fn takes_part(role: Role) -> bool {
    !matches!(role, Role::Kiosk | Role::Viewer)
}

impl State {
    /// Whether `member` organises `activity`: a coordinator, the lead of the
    /// organising team, or a member of the organising unit. Organisers
    /// sign up, check in and out on others' behalf and reveal the key.
    pub fn organises(&self, member: &Member, activity: &Activity) -> bool {
        self.would_organise(member, activity.organiser.as_ref())
    }

    /// Whether `member` organises activities of `organiser` (`None`: the
    /// community's own, which only coordinators run).
    pub fn would_organise(&self, member: &Member, organiser: Option<&Organiser>) -> bool {
        if !member.active {
            return false;
        }
        if member.role == Role::Coordinator {
            return true;
        }
        let rule = crate::permissions::rule(member.role, crate::op::Action::UpdateActivity);
        rule != Rule::No && permit(self, rule, member, Target::Organiser(organiser)).is_ok()
    }

    /// Whether `author`, whose matrix rule for the action is `rule`, may
    /// act for `member` at `activity`: `Y` anyone (coordinators), `att`
    /// themselves or anyone as an organiser, `desk` anyone but themselves
    /// (the kiosk). The member must be active and take part.
    pub fn may_act_for(
        &self,
        author: &Member,
        rule: Rule,
        member: &MemberId,
        activity: &Activity,
    ) -> Result<(), VoidReason> {
        let m = self
            .members
            .get(member)
            .filter(|m| m.active)
            .ok_or(VoidReason::UnknownMember)?;
        if !takes_part(m.role) {
            return Err(VoidReason::Forbidden);
        }
        let ok = match rule {
            Rule::Yes => true,
            Rule::Attendee => *member == author.id || self.organises(author, activity),
            Rule::ForOthers => *member != author.id,
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(VoidReason::Forbidden)
        }
    }
}

fn get<'a>(state: &'a State, id: &ActivityId) -> Result<&'a Activity, VoidReason> {
    let a = state
        .activities
        .get(id)
        .ok_or(VoidReason::UnknownActivity)?;
    if a.status == ActivityStatus::Cancelled {
        return Err(VoidReason::ActivityCancelled);
    }
    Ok(a)
}

fn get_mut<'a>(state: &'a mut State, id: &ActivityId) -> Result<&'a mut Activity, VoidReason> {
    state
        .activities
        .get_mut(id)
        .ok_or(VoidReason::UnknownActivity)
}

fn theme_known(state: &State, theme: &str) -> Result<(), VoidReason> {
    if state
        .settings()
        .activities
        .themes
        .iter()
        .any(|t| t == theme)
    {
        Ok(())
    } else {
        Err(VoidReason::UnknownTheme)
    }
}

/// Finish every planned or open activity whose end is before `op`'s stamp:
/// close open attendances at the end and book what they and the no-shows
/// are worth, attributed to `op`.
pub(crate) fn end_due(state: &mut State, op: &Op) {
    let now = op.hlc.ms;
    while let Some((end, _)) = state.activity_ends.first() {
        if *end >= now {
            break;
        }
        let Some((_, id)) = state.activity_ends.pop_first() else {
            break;
        };
        let Some(a) = state.activities.get_mut(&id) else {
            continue;
        };
        if !matches!(a.status, ActivityStatus::Planned | ActivityStatus::Open) {
            continue;
        }
        a.status = ActivityStatus::Finished;
        let end = a.end;
        let mut members: Vec<MemberId> = a.places.clone();
        for (m, att) in &mut a.attendance {
            members.push(m.clone());
            if att.check_in.is_some() && att.check_out.is_none() {
                att.check_out = Some(Mark {
                    at: end,
                    op: op.id.clone(),
                });
                att.auto_out = true;
                a.timeline.push(ActivityEntry {
                    op: op.id.clone(),
                    by: None,
                    member: Some(m.clone()),
                    at: end,
                    step: ActivityStep::AutoCheckOut,
                    void: None,
                    text: String::new(),
                });
            }
        }
        a.timeline.push(ActivityEntry {
            op: op.id.clone(),
            by: None,
            member: None,
            at: end,
            step: ActivityStep::End,
            void: None,
            text: String::new(),
        });
        members.sort();
        members.dedup();
        for m in members {
            settle(state, &id, &m, &op.id, end);
        }
    }
}

/// Book the difference between what `member`'s attendance at `id` is
/// worth now and what was booked for it, as entries pointing at `op`
/// (check-out, correction, verification, or the op that passed the end),
/// and move the minutes served by the same difference.
pub(crate) fn settle(state: &mut State, id: &ActivityId, member: &MemberId, op: &OpId, at: u64) {
    let Some(a) = state.activities.get_mut(id) else {
        return;
    };
    let finished = a.status == ActivityStatus::Finished;
    let att = a.attendance.get(member).cloned().unwrap_or_default();
    let closed = att.check_out.is_some() || finished;
    let (minutes, points) = if closed {
        a.worth(&att, att.check_out.as_ref().map(|m| m.at))
    } else {
        (0, 0)
    };
    let no_show = if finished
        && !att.attended()
        && !att.walk_in
        && a.places.contains(member)
        && a.points.no_show > 0
    {
        -a.points.no_show
    } else {
        0
    };
    let d_points = points - att.points;
    let d_no_show = no_show - att.no_show;
    let d_minutes = i64::from(minutes) - i64::from(att.minutes);
    if d_points == 0 && d_no_show == 0 && d_minutes == 0 {
        return;
    }
    let rec = a.attendance.entry(member.clone()).or_default();
    rec.minutes = minutes;
    rec.points = points;
    rec.no_show = no_show;
    let entry = |delta, kind, reason| PointsEntry {
        op: op.clone(),
        about: Subject::Activity(id.clone()),
        at,
        delta,
        kind,
        reason,
    };
    state.book(
        member,
        entry(d_points, PointsKind::Basic, PointsReason::Activity),
    );
    state.book(
        member,
        entry(d_no_show, PointsKind::Deduction, PointsReason::NoShow),
    );
    if d_minutes != 0 {
        let served = state.served.entry(member.clone()).or_default();
        *served = served.saturating_add_signed(d_minutes);
    }
}

/// Apply an activity op (after the envelope, author and matrix checks).
/// All checks come before the first mutation.
pub(crate) fn exec(
    state: &mut State,
    op: &Op,
    author: &Member,
    rule: Rule,
) -> Result<(), VoidReason> {
    use VoidReason as V;
    let at = op.hlc.ms;
    match &op.kind {
        OpKind::CreateActivity {
            activity,
            title,
            theme,
            description,
            venue,
            start,
            end,
            capacity,
            organiser,
            sign_up_by,
            points,
            fixed_points,
            check,
        } => {
            match organiser {
                Some(Organiser::Team(t)) if !state.teams.contains_key(t) => {
                    return Err(V::UnknownTeam);
                }
                Some(Organiser::Partner(p)) if !state.partners.contains_key(p) => {
                    return Err(V::UnknownPartner);
                }
                _ => {}
            }
            permit(state, rule, author, Target::Organiser(organiser.as_ref()))?;
            if state.activities.contains_key(activity) {
                return Err(V::AlreadyExists);
            }
            theme_known(state, theme)?;
            let settings = state.settings();
            let a = Activity {
                id: activity.clone(),
                title: title.clone(),
                theme: theme.clone(),
                description: description.clone(),
                venue: venue.clone(),
                start: *start,
                end: *end,
                capacity: *capacity,
                organiser: organiser.clone(),
                sign_up_by: sign_up_by.unwrap_or(*start),
                points: ActivityPoints {
                    mode: *points,
                    fixed: fixed_points.map_or(settings.points.per_attendance, i64::from),
                    minutes_per_point: settings.points.minutes_per_point,
                    round_minutes: settings.activities.round_minutes,
                    no_show: settings.points.no_show,
                },
                check_in_lead_ms: u64::from(settings.activities.check_in_lead_minutes) * 60_000,
                check: check.clone(),
                key: None,
                status: ActivityStatus::Planned,
                cancel_reason: None,
                created_by: author.id.clone(),
                created_op: op.id.clone(),
                created_at: at,
                places: Vec::new(),
                waiting: Vec::new(),
                attendance: BTreeMap::new(),
                timeline: Vec::new(),
            };
            state.activity_ends.insert((a.end, a.id.clone()));
            let a = state.activities.entry(activity.clone()).or_insert(a);
            a.entry(op, None, ActivityStep::Create);
            Ok(())
        }
        OpKind::UpdateActivity {
            activity,
            title,
            theme,
            description,
            venue,
            start,
            end,
            capacity,
            sign_up_by,
            points,
            fixed_points,
        } => {
            let a = get(state, activity)?;
            permit(state, rule, author, Target::Organiser(a.organiser.as_ref()))?;
            if a.status == ActivityStatus::Finished {
                return Err(V::ActivityFinished);
            }
            if at >= a.start {
                return Err(V::ActivityStarted);
            }
            if let Some(t) = theme {
                theme_known(state, t)?;
            }
            let (s, e) = (start.unwrap_or(a.start), end.unwrap_or(a.end));
            let by = sign_up_by.unwrap_or(a.sign_up_by.min(e));
            if s >= e || by > e || e - s > crate::validate::ACTIVITY_MAX_MS {
                return Err(V::Invalid);
            }
            let old_end = a.end;
            let a = get_mut(state, activity)?;
            if let Some(t) = title {
                a.title = t.clone();
            }
            if let Some(t) = theme {
                a.theme = t.clone();
            }
            if let Some(d) = description {
                a.description = d.clone();
            }
            if let Some(p) = venue {
                a.venue = p.clone();
            }
            (a.start, a.end, a.sign_up_by) = (s, e, by);
            if let Some(c) = capacity {
                a.capacity = (*c > 0).then_some(*c);
            }
            if let Some(p) = points {
                a.points.mode = *p;
            }
            if let Some(f) = fixed_points {
                a.points.fixed = i64::from(*f);
            }
            a.entry(op, None, ActivityStep::Update);
            a.promote(op);
            state.activity_ends.remove(&(old_end, activity.clone()));
            state.activity_ends.insert((e, activity.clone()));
            Ok(())
        }
        OpKind::OpenActivity { activity } => {
            let a = get(state, activity)?;
            permit(state, rule, author, Target::Organiser(a.organiser.as_ref()))?;
            match a.status {
                ActivityStatus::Planned => {}
                ActivityStatus::Finished => return Err(V::ActivityFinished),
                _ => return Err(V::WrongStatus),
            }
            let a = get_mut(state, activity)?;
            a.status = ActivityStatus::Open;
            a.entry(op, None, ActivityStep::Open);
            Ok(())
        }
        OpKind::CancelActivity { activity, reason } => {
            let a = get(state, activity)?;
            permit(state, rule, author, Target::Organiser(a.organiser.as_ref()))?;
            if a.status == ActivityStatus::Finished {
                return Err(V::ActivityFinished);
            }
            if at >= a.start {
                return Err(V::ActivityStarted);
            }
            let end = a.end;
            let a = get_mut(state, activity)?;
            a.status = ActivityStatus::Cancelled;
            a.cancel_reason = Some(reason.clone());
            a.entry(op, None, ActivityStep::Cancel);
            state.activity_ends.remove(&(end, activity.clone()));
            Ok(())
        }
        OpKind::SignUp { activity, .. } => {
            let who = subject_of(op).ok_or(V::Invalid)?;
            let a = get(state, activity)?;
            state.may_act_for(author, rule, &who, a)?;
            match a.status {
                ActivityStatus::Open => {}
                ActivityStatus::Finished => return Err(V::ActivityFinished),
                _ => return Err(V::ActivityNotOpen),
            }
            if at > a.sign_up_by {
                return Err(V::SignUpClosed);
            }
            if a.places.contains(&who) || a.waiting.contains(&who) {
                return Err(V::AlreadySignedUp);
            }
            let a = get_mut(state, activity)?;
            if a.has_room() {
                a.places.push(who.clone());
                a.entry(op, Some(&who), ActivityStep::SignUp);
            } else {
                a.waiting.push(who.clone());
                a.entry(op, Some(&who), ActivityStep::Wait);
            }
            Ok(())
        }
        OpKind::Withdraw { activity, .. } => {
            let who = subject_of(op).ok_or(V::Invalid)?;
            let a = get(state, activity)?;
            state.may_act_for(author, rule, &who, a)?;
            if a.status == ActivityStatus::Finished {
                return Err(V::ActivityFinished);
            }
            if at >= a.start {
                return Err(V::ActivityStarted);
            }
            if a.attendance.get(&who).is_some_and(Attendance::attended) {
                return Err(V::AlreadyCheckedIn);
            }
            if !a.places.contains(&who) && !a.waiting.contains(&who) {
                return Err(V::NotSignedUp);
            }
            let a = get_mut(state, activity)?;
            a.places.retain(|m| *m != who);
            a.waiting.retain(|m| *m != who);
            a.entry(op, Some(&who), ActivityStep::Withdraw);
            a.promote(op);
            Ok(())
        }
        OpKind::CheckIn {
            activity, proof, ..
        } => {
            let who = subject_of(op).ok_or(V::Invalid)?;
            let a = get(state, activity)?;
            state.may_act_for(author, rule, &who, a)?;
            if a.status == ActivityStatus::Planned {
                return Err(V::ActivityNotOpen);
            }
            let by_self = who == author.id;
            if by_self && a.key.is_some() {
                return Err(V::CheckInClosed);
            }
            if by_self && !checkin::is_hex(proof, checkin::PROOF_HEX) {
                return Err(V::BadCheckinCode);
            }
            if !a.check_in_window(at) {
                return Err(V::CheckInClosed);
            }
            if a.attendance.get(&who).is_some_and(Attendance::attended) {
                return Err(V::AlreadyCheckedIn);
            }
            let walk_in = !a.places.contains(&who);
            if walk_in && !a.has_room() {
                return Err(V::ActivityFull);
            }
            let finished = a.status == ActivityStatus::Finished;
            let a = get_mut(state, activity)?;
            if walk_in {
                a.waiting.retain(|m| *m != who);
                a.places.push(who.clone());
            }
            let rec = a.attendance.entry(who.clone()).or_default();
            rec.check_in = Some(Mark {
                at,
                op: op.id.clone(),
            });
            rec.check_out = None;
            rec.auto_out = false;
            rec.by_self = by_self;
            rec.proof = if by_self {
                proof.clone()
            } else {
                String::new()
            };
            rec.verified = !by_self;
            rec.rejected = false;
            rec.corrected = false;
            rec.walk_in = walk_in;
            a.entry(op, Some(&who), ActivityStep::CheckIn);
            if finished {
                // Made in the window, delivered after the end: closes at once.
                let end = a.end;
                if let Some(rec) = a.attendance.get_mut(&who) {
                    rec.check_out = Some(Mark {
                        at: end,
                        op: op.id.clone(),
                    });
                    rec.auto_out = true;
                }
                settle(state, activity, &who, &op.id, at);
            }
            Ok(())
        }
        OpKind::CheckOut { activity, .. } => {
            let who = subject_of(op).ok_or(V::Invalid)?;
            let a = get(state, activity)?;
            state.may_act_for(author, rule, &who, a)?;
            if a.status == ActivityStatus::Planned {
                return Err(V::ActivityNotOpen);
            }
            let att = a
                .attendance
                .get(&who)
                .filter(|x| x.attended())
                .ok_or(V::NotCheckedIn)?;
            // An automatic close gives way to a real check-out made before the end.
            let amends = att.auto_out && !att.corrected && at < a.end;
            if att.check_out.is_some() && !amends {
                return Err(V::AlreadyCheckedOut);
            }
            let a = get_mut(state, activity)?;
            if let Some(rec) = a.attendance.get_mut(&who) {
                rec.check_out = Some(Mark {
                    at,
                    op: op.id.clone(),
                });
                rec.auto_out = false;
            }
            a.entry(op, Some(&who), ActivityStep::CheckOut);
            settle(state, activity, &who, &op.id, at);
            Ok(())
        }
        OpKind::CorrectAttendance {
            activity,
            member,
            check_in,
            check_out,
            ..
        } => {
            let a = get(state, activity)?;
            permit(state, rule, author, Target::Organiser(a.organiser.as_ref()))?;
            if a.status == ActivityStatus::Planned {
                return Err(V::ActivityNotOpen);
            }
            if !state.members.contains_key(member) {
                return Err(V::UnknownMember);
            }
            let finished = a.status == ActivityStatus::Finished;
            let end = a.end;
            let a = get_mut(state, activity)?;
            let rec = a.attendance.entry(member.clone()).or_default();
            let was_walk_in = rec.walk_in;
            let mark = |t: u64| Mark {
                at: t,
                op: op.id.clone(),
            };
            rec.check_in = check_in.map(mark);
            rec.check_out = check_in.and(check_out.map(mark));
            rec.auto_out = false;
            if finished && rec.check_in.is_some() && rec.check_out.is_none() {
                rec.check_out = Some(mark(end));
                rec.auto_out = true;
            }
            rec.by_self = false;
            rec.proof.clear();
            rec.verified = true;
            rec.rejected = false;
            rec.corrected = true;
            let present = check_in.is_some();
            if present && !a.places.contains(member) {
                rec.walk_in = true;
                a.waiting.retain(|m| m != member);
                a.places.push(member.clone());
            } else if !present && was_walk_in {
                rec.walk_in = false;
                a.places.retain(|m| m != member);
            }
            a.entry(op, Some(member), ActivityStep::Correct);
            settle(state, activity, member, &op.id, at);
            Ok(())
        }
        OpKind::VerifyCheckIns { activity, key } => {
            let a = get(state, activity)?;
            permit(state, rule, author, Target::Organiser(a.organiser.as_ref()))?;
            if a.status != ActivityStatus::Finished {
                return Err(V::ActivityNotOver);
            }
            if a.key.is_some() {
                return Err(V::AlreadyVerified);
            }
            if !checkin::key_matches(activity, &a.check, key) {
                return Err(V::BadCheckinCode);
            }
            let key = checkin::normalize_key(key).unwrap_or_default();
            let a = get_mut(state, activity)?;
            a.key = Some(key.clone());
            a.entry(op, None, ActivityStep::Verify);
            let mut rejected = Vec::new();
            for (m, rec) in &mut a.attendance {
                if rec.by_self && !rec.corrected && rec.check_in.is_some() {
                    let ok = rec.proof == checkin::proof(activity, m, &key);
                    rec.verified = ok;
                    rec.rejected = !ok;
                    if !ok {
                        rejected.push(m.clone());
                    }
                }
            }
            for m in &rejected {
                a.entry(op, Some(m), ActivityStep::RejectCheckIn);
            }
            for m in rejected {
                settle(state, activity, &m, &op.id, at);
            }
            Ok(())
        }
        _ => Err(V::Invalid),
    }
}
