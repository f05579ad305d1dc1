//! What happened to a member's own work (issue 13): the inbox. Derived
//! from the folded state alone — the points ledger, which links every
//! change to its op, and the wishes' timelines, which keep void ops with
//! their reasons — so every device shows the same inbox, offline too.
//! Activities add their own lines (a sign-up that went to the waiting
//! list, a promotion, a cancellation, a rejected check-in, attendance
//! points and no-shows), from the activities' timelines and the ledger.

use crate::activity::ActivityStep;
use crate::ids::{MemberId, OpId};
use crate::lifecycle::Step;
use crate::model::{AnswerKind, Assignee};
use crate::reduce::{PointsReason, State, Subject, VoidReason};

/// One thing that happened to the member's work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// When (HLC ms of the causing op).
    pub at: u64,
    /// The wish or activity concerned.
    pub about: Subject,
    /// The causing op (with `about`, a stable key for lists: one op may
    /// finish several activities).
    pub op: OpId,
    /// What happened.
    pub kind: Kind,
    /// The points it moved, if any.
    pub points: Option<i64>,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The member's completion was booked (service points).
    Completed,
    /// The resident was satisfied (or basically satisfied).
    Accepted,
    /// The resident was not satisfied: the work goes back (返工).
    Rework,
    /// The member's claim lapsed.
    Lapsed,
    /// Someone else's claim came first in log order.
    LostClaim {
        /// Who holds it (the claim or assignment that came first).
        winner: Option<MemberId>,
        /// When theirs was made (HLC ms).
        winner_at: Option<u64>,
    },
    /// The wish was assigned to the member (or a team or unit of theirs).
    Assigned,
    /// Points for attending an activity (or their correction).
    Attended,
    /// A no-show deduction: a place held, no check-in.
    NoShow,
    /// The member's sign-up came when the activity was full (another
    /// sign-up came first in log order): on the waiting list.
    Waiting {
        /// Place on the waiting list now (1 = next), `None` once off it.
        position: Option<usize>,
    },
    /// A place became free and the member has it.
    Promoted,
    /// An activity the member signed up for was called off.
    ActivityCancelled,
    /// The member's check-in did not match the activity's code.
    CheckInRejected,
    /// The street answered a wish the member escalated or asked for.
    StreetAnswered {
        /// Taken on, sent back or resolved.
        answer: AnswerKind,
        /// The street's signature.
        from: String,
    },
}

impl Kind {
    /// Stable code (for translations).
    pub fn code(&self) -> &'static str {
        match self {
            Kind::Completed => "completed",
            Kind::Accepted => "accepted",
            Kind::Rework => "rework",
            Kind::Lapsed => "lapsed",
            Kind::LostClaim { .. } => "lost_claim",
            Kind::Assigned => "assigned",
            Kind::Attended => "attended",
            Kind::NoShow => "no_show",
            Kind::Waiting { .. } => "waiting",
            Kind::Promoted => "promoted",
            Kind::ActivityCancelled => "activity_cancelled",
            Kind::CheckInRejected => "check_in_rejected",
            Kind::StreetAnswered { .. } => "street_answered",
        }
    }
}

/// The member's inbox, newest first.
pub fn items(state: &State, member: &MemberId) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    for a in state.activities.values() {
        for t in a
            .timeline
            .iter()
            .filter(|t| t.void.is_none() && t.member.as_ref() == Some(member))
        {
            let kind = match t.step {
                ActivityStep::Wait => Kind::Waiting {
                    position: a.waiting.iter().position(|m| m == member).map(|p| p + 1),
                },
                ActivityStep::Promote => Kind::Promoted,
                ActivityStep::RejectCheckIn => Kind::CheckInRejected,
                _ => continue,
            };
            out.push(Item {
                at: t.at,
                about: Subject::Activity(a.id.clone()),
                op: t.op.clone(),
                kind,
                points: None,
            });
        }
        let involved = a.places.contains(member) || a.waiting.contains(member);
        if involved
            && let Some(t) = a
                .timeline
                .iter()
                .find(|t| t.step == ActivityStep::Cancel && t.void.is_none())
            && t.by.as_ref() != Some(member)
        {
            out.push(Item {
                at: t.at,
                about: Subject::Activity(a.id.clone()),
                op: t.op.clone(),
                kind: Kind::ActivityCancelled,
                points: None,
            });
        }
    }
    for e in state.ledger.get(member).into_iter().flatten() {
        // One op may move an activity's points twice (a correction that
        // turns a no-show into an attendance) or explain them (a rejected
        // check-in): one item per op and subject, with the sum.
        if let Some(i) = out.iter_mut().find(|i| i.op == e.op && i.about == e.about) {
            i.points = Some(i.points.unwrap_or(0) + e.delta);
            continue;
        }
        let kind = match e.reason {
            PointsReason::Service => Kind::Completed,
            PointsReason::Satisfied | PointsReason::BasicallySatisfied => Kind::Accepted,
            PointsReason::NotSatisfied => Kind::Rework,
            PointsReason::Lapsed => Kind::Lapsed,
            PointsReason::Activity => Kind::Attended,
            PointsReason::NoShow => Kind::NoShow,
        };
        out.push(Item {
            at: e.at,
            about: e.about.clone(),
            op: e.op.clone(),
            kind,
            points: Some(e.delta),
        });
    }
    for w in state.wishes.values() {
        for t in &w.timeline {
            let mine = t.by.as_ref() == Some(member);
            let lost = mine
                && matches!(t.step, Step::Claim | Step::PartnerClaim)
                && t.void == Some(VoidReason::AlreadyClaimed);
            if lost {
                // The claim that held the wish when ours came: the last
                // applied claim or assignment before it.
                let winner = w
                    .timeline
                    .iter()
                    .take_while(|x| x.op != t.op)
                    .filter(|x| {
                        x.void.is_none()
                            && matches!(x.step, Step::Claim | Step::PartnerClaim | Step::Assign)
                    })
                    .last();
                out.push(Item {
                    at: t.at,
                    about: Subject::Wish(w.id.clone()),
                    op: t.op.clone(),
                    kind: Kind::LostClaim {
                        winner: winner.and_then(|x| x.by.clone()),
                        winner_at: winner.map(|x| x.at),
                    },
                    points: None,
                });
            }
        }
        // The street's answers, for whoever escalated it (the escalation
        // standing at the answer) and the resident it is for.
        for a in w.escalation.iter().flat_map(|e| &e.answers) {
            let escalator = w
                .timeline
                .iter()
                .take_while(|x| x.op != a.op)
                .filter(|x| x.void.is_none() && x.step == Step::Escalate)
                .last()
                .and_then(|x| x.by.as_ref());
            if escalator == Some(member) || w.requester.as_ref() == Some(member) {
                out.push(Item {
                    at: a.at,
                    about: Subject::Wish(w.id.clone()),
                    op: a.op.clone(),
                    kind: Kind::StreetAnswered {
                        answer: a.kind,
                        from: a.from.clone(),
                    },
                    points: None,
                });
            }
        }
        // Assigned: while the member holds the wish through an assignment.
        let assigned = !w.status.is_terminal()
            && matches!(
                w.holder,
                Some(Assignee::Member(_) | Assignee::Team(_) | Assignee::Partner(_))
            )
            && state.holds(member, w);
        if assigned
            && let Some(t) = w.timeline.iter().rev().find(|x| {
                x.void.is_none()
                    && matches!(x.step, Step::Assign | Step::Claim | Step::PartnerClaim)
            })
            && t.step == Step::Assign
            && t.by.as_ref() != Some(member)
        {
            out.push(Item {
                at: t.at,
                about: Subject::Wish(w.id.clone()),
                op: t.op.clone(),
                kind: Kind::Assigned,
                points: None,
            });
        }
    }
    crate::lean::sort_stable(&mut out, &|a, b| {
        b.at.cmp(&a.at)
            .then_with(|| b.op.cmp(&a.op))
            .then_with(|| a.about.cmp(&b.about))
    });
    out
}

/// How many items are newer than `seen_at` (the newest `at` the member
/// has looked at).
pub fn unread(items: &[Item], seen_at: u64) -> usize {
    items.iter().take_while(|i| i.at > seen_at).count()
}
