//! The wish status machine, in one table. `reduce` asks `next` for every
//! status-changing step; anything not in the table is void.

use crate::model::Status;
use crate::model::Status::*;
use serde::{Deserialize, Serialize};

/// Something that happens to a wish: an op's effect, or a lease lapse.
/// Also the `step` of a timeline entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Filed (no prior status).
    Create,
    /// Opened for claiming.
    Publish,
    /// Dispatched to a member, team or partner.
    Assign,
    /// Claimed by a volunteer.
    Claim,
    /// Claimed by a partner unit.
    PartnerClaim,
    /// Given back by the holder (or a coordinator).
    Release,
    /// Lease ran out (deterministically, see `reduce`).
    Lapse,
    /// An `ExpireLease` request (its effect, if any, is a `Lapse`).
    ExpireLease,
    /// Work started.
    Start,
    /// Progress note (no status change).
    Note,
    /// Work reported done.
    Complete,
    /// Evaluated satisfied or basically satisfied.
    Accept,
    /// Evaluated not satisfied (返工).
    Rework,
    /// A coordinator reopened a closed or rejected wish.
    Reopen,
    /// Turned down.
    Reject,
    /// Merged into another wish.
    Merge,
    /// Another wish was merged into this one (no status change).
    Absorb,
    /// Passed up.
    Escalate,
    /// Withdrawn.
    Cancel,
    /// The street took it on (no status change).
    StreetAccept,
    /// The street sent it back with guidance.
    StreetReturn,
    /// The street resolved it with a report.
    StreetResolve,
}

crate::code::coded!(Step {
    Create => "create",
    Publish => "publish",
    Assign => "assign",
    Claim => "claim",
    PartnerClaim => "partner_claim",
    Release => "release",
    Lapse => "lapse",
    ExpireLease => "expire_lease",
    Start => "start",
    Note => "note",
    Complete => "complete",
    Accept => "accept",
    Rework => "rework",
    Reopen => "reopen",
    Reject => "reject",
    Merge => "merge",
    Absorb => "absorb",
    Escalate => "escalate",
    Cancel => "cancel",
    StreetAccept => "street_accept",
    StreetReturn => "street_return",
    StreetResolve => "street_resolve",
});

/// One row of the lifecycle: `step` moves a wish from any of `from` to `to`.
#[derive(Clone, Copy, Debug)]
pub struct Transition {
    /// The step.
    pub step: Step,
    /// Statuses it may start from.
    pub from: &'static [Status],
    /// Resulting status.
    pub to: Status,
}

/// Statuses from which a wish waits for a dispatch decision.
const UNDISPATCHED: &[Status] = &[Submitted, Reopened, Escalated];

/// The full lifecycle. `Note` and `Absorb` keep the status and are allowed on
/// any non-terminal wish; `Create` starts at `Submitted`.
#[rustfmt::skip]
pub const TRANSITIONS: &[Transition] = &[
    Transition { step: Step::Publish, from: UNDISPATCHED, to: Published },
    Transition { step: Step::Assign, from: &[Submitted, Published, Reopened, Escalated, Assigned], to: Assigned },
    Transition { step: Step::Claim, from: &[Published], to: Claimed },
    Transition { step: Step::PartnerClaim, from: &[Published], to: Claimed },
    Transition { step: Step::Release, from: &[Assigned, Claimed, InProgress], to: Published },
    Transition { step: Step::Lapse, from: &[Assigned, Claimed], to: Published },
    Transition { step: Step::Start, from: &[Assigned, Claimed], to: InProgress },
    Transition { step: Step::Complete, from: &[Assigned, Claimed, InProgress], to: Completed },
    Transition { step: Step::Accept, from: &[Completed], to: Closed },
    Transition { step: Step::Rework, from: &[Completed], to: Reopened },
    Transition { step: Step::Reopen, from: &[Closed, Rejected], to: Reopened },
    Transition { step: Step::Reject, from: &[Submitted, Published, Reopened, Escalated], to: Rejected },
    Transition { step: Step::Merge, from: &[Submitted, Published, Reopened, Escalated], to: Merged },
    Transition { step: Step::Escalate, from: &[Submitted, Published, Reopened, Escalated], to: Escalated },
    Transition { step: Step::Cancel, from: &[Submitted, Published, Assigned, Claimed, Reopened, Escalated], to: Cancelled },
    // The street's answers (`street`): taking it on leaves it escalated.
    Transition { step: Step::StreetAccept, from: &[Escalated], to: Escalated },
    Transition { step: Step::StreetReturn, from: &[Escalated], to: Reopened },
    Transition { step: Step::StreetResolve, from: &[Escalated], to: Completed },
];

/// The status after `step` from `from`, or `None` if the table has no such move.
pub fn next(from: Status, step: Step) -> Option<Status> {
    match step {
        Step::Note | Step::Absorb | Step::ExpireLease if !from.is_terminal() => Some(from),
        _ => TRANSITIONS
            .iter()
            .find(|t| t.step == step && t.from.contains(&from))
            .map(|t| t.to),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_appears_at_most_once() {
        for (i, a) in TRANSITIONS.iter().enumerate() {
            for b in &TRANSITIONS[i + 1..] {
                assert_ne!(a.step, b.step);
            }
        }
    }

    #[test]
    fn only_reopen_leaves_a_terminal_status() {
        for s in Status::ALL.into_iter().filter(|s| s.is_terminal()) {
            for t in TRANSITIONS {
                if t.from.contains(&s) {
                    assert_eq!(t.step, Step::Reopen, "{s:?} left by {:?}", t.step);
                }
            }
            assert_eq!(next(s, Step::Note), None);
        }
    }

    #[test]
    fn main_path() {
        let mut s = Submitted;
        for step in [
            Step::Publish,
            Step::Claim,
            Step::Start,
            Step::Complete,
            Step::Accept,
        ] {
            s = next(s, step).unwrap();
        }
        assert_eq!(s, Closed);
        assert_eq!(next(Completed, Step::Rework), Some(Reopened));
        assert_eq!(next(Reopened, Step::Publish), Some(Published));
        assert_eq!(next(InProgress, Step::Cancel), None);
        assert_eq!(next(Claimed, Step::Lapse), Some(Published));
    }
}
