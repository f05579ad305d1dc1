//! What happened to a member's own work (issue 13): the inbox. Derived
//! from the folded state alone — the points ledger, which links every
//! change to its op, and the wishes' timelines, which keep void ops with
//! their reasons — so every device shows the same inbox, offline too.

use crate::ids::{MemberId, OpId, WishId};
use crate::lifecycle::Step;
use crate::model::Assignee;
use crate::reduce::{PointsReason, State, VoidReason};

/// One thing that happened to the member's work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// When (HLC ms of the causing op).
    pub at: u64,
    /// The wish concerned.
    pub wish: WishId,
    /// The causing op (stable key for lists).
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
        }
    }
}

/// The member's inbox, newest first.
pub fn items(state: &State, member: &MemberId) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    for e in state.ledger.get(member).into_iter().flatten() {
        let kind = match e.reason {
            PointsReason::Service => Kind::Completed,
            PointsReason::Satisfied | PointsReason::BasicallySatisfied => Kind::Accepted,
            PointsReason::NotSatisfied => Kind::Rework,
            PointsReason::Lapsed => Kind::Lapsed,
        };
        out.push(Item {
            at: e.at,
            wish: e.wish.clone(),
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
                    wish: w.id.clone(),
                    op: t.op.clone(),
                    kind: Kind::LostClaim {
                        winner: winner.and_then(|x| x.by.clone()),
                        winner_at: winner.map(|x| x.at),
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
                wish: w.id.clone(),
                op: t.op.clone(),
                kind: Kind::Assigned,
                points: None,
            });
        }
    }
    crate::lean::sort_stable(&mut out, &|a, b| {
        b.at.cmp(&a.at).then_with(|| b.op.cmp(&a.op))
    });
    out
}

/// How many items are newer than `seen_at` (the newest `at` the member
/// has looked at).
pub fn unread(items: &[Item], seen_at: u64) -> usize {
    items.iter().take_while(|i| i.at > seen_at).count()
}
