//! The actions a member may take on a wish, in one table (`TABLE`): for
//! each, its `Action` (the permission row and the label `action.<code>`),
//! the lifecycle step it takes, what its form needs and how its op is made.
//! The wish page renders exactly this table, so adding a wish action is one
//! entry here plus its strings; `available` is what a member is offered,
//! tested against the reducer (`available_agrees_with_the_reducer`).

use crate::code::coded;
use crate::ids::{PartnerId, WishId};
use crate::lifecycle::{self, Step};
use crate::model::{Assignee, Level, Member, Rating, Wish};
use crate::op::{Action, OpKind};
use crate::reduce::State;
use crate::validate::{self, ValidationError};

/// A choice the form offers from a list the core makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// Whom to assign the wish to (`rules::assignees`, keys `Assignee::key`).
    Assignee,
    /// Which wish it duplicates (`rules::merge_targets`, keys are wish ids).
    MergeInto,
}

coded!(Choice {
    Assignee => "assignee",
    MergeInto => "merge_into",
});

/// The text a form asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    /// A note (a progress note, or one for the office a wish is passed to).
    Note,
    /// Why (reject, reopen, cancel).
    Reason,
    /// What was done (complete).
    Report,
    /// A comment on the work (evaluate).
    Comment,
}

coded!(Text {
    Note => "note",
    Reason => "reason",
    Report => "report",
    Comment => "comment",
});

/// The text field of a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextField {
    /// Which text.
    pub text: Text,
    /// Whether the op is refused without it (`validate::kind` decides; the
    /// form marks the field).
    pub required: bool,
}

/// What an action's form asks for. Nothing: the button makes the op at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Needs {
    /// A choice from a list.
    pub choice: Option<Choice>,
    /// Street or district (`Level`).
    pub level: bool,
    /// A verdict (`Rating`).
    pub rating: bool,
    /// Minutes served (`validate::MINUTES_RANGE`).
    pub minutes: bool,
    /// A text.
    pub text: Option<TextField>,
}

impl Needs {
    const NOTHING: Needs = Needs {
        choice: None,
        level: false,
        rating: false,
        minutes: false,
        text: None,
    };

    const fn text(text: Text, required: bool) -> Needs {
        Needs {
            text: Some(TextField { text, required }),
            ..Needs::NOTHING
        }
    }

    const fn choice(choice: Choice) -> Needs {
        Needs {
            choice: Some(choice),
            ..Needs::NOTHING
        }
    }

    /// Whether the form asks for nothing (one press makes the op).
    pub fn nothing(&self) -> bool {
        *self == Needs::NOTHING
    }
}

/// What the member filled in; only the fields `Needs` asks for are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// The key of the chosen item (`Choice`).
    pub choice: String,
    /// The level.
    pub level: Level,
    /// The verdict.
    pub rating: Rating,
    /// Minutes served, if the text was a number.
    pub minutes: Option<u32>,
    /// The text (trimmed when the op is made).
    pub text: String,
    /// The member's partner unit (a partner claim is made for it).
    pub partner: Option<PartnerId>,
}

impl Input {
    /// An empty input for `member`.
    pub fn for_member(member: &Member) -> Input {
        Input {
            choice: String::new(),
            level: Level::Street,
            rating: Rating::Satisfied,
            minutes: None,
            text: String::new(),
            partner: member.partner.clone(),
        }
    }

    fn text(&self) -> String {
        self.text.trim().to_owned()
    }
}

type Make = fn(WishId, &Input) -> Result<OpKind, ValidationError>;

/// One action on a wish.
#[derive(Clone, Copy, Debug)]
pub struct WishAction {
    /// The action (permission row, `action.<code>` label).
    pub action: Action,
    /// The lifecycle step it takes (evaluate: either verdict from completed).
    pub step: Step,
    /// What its form asks for.
    pub needs: Needs,
    /// Shown less prominently: it turns the wish down or gives it up.
    pub quiet: bool,
    make: Make,
}

impl WishAction {
    /// The op for `wish` from the form's input, checked as every op is
    /// before it is minted (`validate::kind`).
    pub fn op(&self, wish: WishId, input: &Input) -> Result<OpKind, ValidationError> {
        let kind = (self.make)(wish, input)?;
        validate::kind(&kind)?;
        Ok(kind)
    }
}

const fn entry(action: Action, step: Step, needs: Needs, quiet: bool, make: Make) -> WishAction {
    WishAction {
        action,
        step,
        needs,
        quiet,
        make,
    }
}

/// Every action on a wish, in the order the page shows them.
pub const TABLE: &[WishAction] = &[
    entry(
        Action::ExpireLease,
        Step::ExpireLease,
        Needs::NOTHING,
        false,
        |wish, _| Ok(OpKind::ExpireLease { wish }),
    ),
    entry(
        Action::Claim,
        Step::Claim,
        Needs::NOTHING,
        false,
        |wish, _| Ok(OpKind::Claim { wish }),
    ),
    entry(
        Action::PartnerClaim,
        Step::PartnerClaim,
        Needs::NOTHING,
        false,
        |wish, i| {
            Ok(OpKind::PartnerClaim {
                wish,
                partner: i.partner.clone().ok_or(ValidationError::IdEmpty)?,
                resource: None,
            })
        },
    ),
    entry(
        Action::Start,
        Step::Start,
        Needs::NOTHING,
        false,
        |wish, _| Ok(OpKind::Start { wish }),
    ),
    entry(
        Action::Complete,
        Step::Complete,
        Needs {
            minutes: true,
            ..Needs::text(Text::Report, true)
        },
        false,
        |wish, i| {
            Ok(OpKind::Complete {
                wish,
                report: i.text(),
                minutes: i.minutes.ok_or(ValidationError::MinutesOutOfRange)?,
            })
        },
    ),
    entry(
        Action::Evaluate,
        Step::Accept,
        Needs {
            rating: true,
            ..Needs::text(Text::Comment, false)
        },
        false,
        |wish, i| {
            Ok(OpKind::Evaluate {
                wish,
                rating: i.rating,
                comment: i.text(),
            })
        },
    ),
    entry(
        Action::Publish,
        Step::Publish,
        Needs::NOTHING,
        false,
        |wish, _| Ok(OpKind::Publish { wish }),
    ),
    entry(
        Action::Assign,
        Step::Assign,
        Needs::choice(Choice::Assignee),
        false,
        |wish, i| {
            let to = Assignee::from_key(&i.choice).ok_or(ValidationError::IdEmpty)?;
            Ok(OpKind::Assign { wish, to })
        },
    ),
    entry(
        Action::Merge,
        Step::Merge,
        Needs::choice(Choice::MergeInto),
        false,
        |wish, i| {
            Ok(OpKind::Merge {
                wish,
                into: i.choice.as_str().into(),
            })
        },
    ),
    entry(
        Action::Reject,
        Step::Reject,
        Needs::text(Text::Reason, true),
        true,
        |wish, i| {
            Ok(OpKind::Reject {
                wish,
                reason: i.text(),
            })
        },
    ),
    entry(
        Action::Escalate,
        Step::Escalate,
        Needs {
            level: true,
            ..Needs::text(Text::Note, true)
        },
        false,
        |wish, i| {
            Ok(OpKind::Escalate {
                wish,
                level: i.level,
                note: i.text(),
            })
        },
    ),
    entry(
        Action::Reopen,
        Step::Reopen,
        Needs::text(Text::Reason, true),
        false,
        |wish, i| {
            Ok(OpKind::Reopen {
                wish,
                reason: i.text(),
            })
        },
    ),
    entry(
        Action::Note,
        Step::Note,
        Needs::text(Text::Note, true),
        false,
        |wish, i| {
            Ok(OpKind::Note {
                wish,
                text: i.text(),
            })
        },
    ),
    entry(
        Action::Release,
        Step::Release,
        Needs::NOTHING,
        true,
        |wish, _| Ok(OpKind::Release { wish }),
    ),
    entry(
        Action::Cancel,
        Step::Cancel,
        Needs::text(Text::Reason, false),
        true,
        |wish, i| {
            Ok(OpKind::Cancel {
                wish,
                reason: i.text(),
            })
        },
    ),
];

/// The table entry of `action`, if it is an action on a wish.
pub fn entry_of(action: Action) -> Option<&'static WishAction> {
    TABLE.iter().find(|a| a.action == action)
}

/// Whether `member` is offered `a` on `wish` at `now_ms`: the permission
/// matrix with the reducer's relation checks (`State::allows`) and the
/// lifecycle allow it; a lease check only once the lease is past due.
pub fn offered(state: &State, member: &Member, wish: &Wish, a: &WishAction, now_ms: u64) -> bool {
    let due =
        a.step != Step::ExpireLease || wish.lease.as_ref().is_some_and(|l| l.deadline < now_ms);
    due && lifecycle::next(wish.status, a.step).is_some() && state.allows(member, a.action, wish)
}

/// The actions `member` is offered on `wish` at `now_ms`, in table order.
pub fn available(
    state: &State,
    member: &Member,
    wish: &Wish,
    now_ms: u64,
) -> Vec<&'static WishAction> {
    TABLE
        .iter()
        .filter(|a| offered(state, member, wish, a, now_ms))
        .collect()
}

/// Whether `member` is offered `action` on `wish` (a quick button in a list).
pub fn may(state: &State, member: &Member, wish: &Wish, action: Action, now_ms: u64) -> bool {
    entry_of(action).is_some_and(|a| offered(state, member, wish, a, now_ms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

    fn input() -> Input {
        Input {
            choice: "w2".into(),
            level: Level::District,
            rating: Rating::Satisfied,
            minutes: Some(45),
            text: " 说明 ".into(),
            partner: Some("u1".into()),
        }
    }

    /// Every action on a wish has exactly one entry, and each entry makes an
    /// op of its own action that takes its own step, from what it asks for.
    #[test]
    fn every_wish_action_has_one_entry_that_makes_its_op() {
        let on_wish: Vec<Action> = Action::ALL
            .into_iter()
            .skip_while(|a| *a != Action::CreateWish)
            .skip(1)
            .filter(|a| {
                !a.on_activity() && !a.on_care() && *a != Action::AttachPhotos && !a.by_street()
            })
            .collect();
        assert_eq!(TABLE.len(), on_wish.len());
        for action in on_wish {
            let a = entry_of(action).unwrap_or_else(|| panic!("{action:?} has no entry"));
            let mut i = input();
            if a.needs.choice == Some(Choice::Assignee) {
                i.choice = Assignee::Member("v1".into()).key();
            }
            let kind = a.op("w1".into(), &i).unwrap();
            assert_eq!(kind.action(), Some(action));
            assert_eq!(kind.step(), Some(a.step), "{action:?}");
            assert_eq!(kind.wish(), Some(&"w1".into()));
            // A required text, and the rest of what the form asks for, is needed.
            if let Some(t) = a.needs.text {
                let blank = Input {
                    text: "  ".into(),
                    ..i.clone()
                };
                assert_eq!(a.op("w1".into(), &blank).is_err(), t.required, "{action:?}");
            }
            if a.needs.minutes {
                let none = Input {
                    minutes: None,
                    ..i.clone()
                };
                assert_eq!(
                    a.op("w1".into(), &none),
                    Err(ValidationError::MinutesOutOfRange)
                );
            }
            if a.needs.choice.is_some() {
                let none = Input {
                    choice: String::new(),
                    ..i.clone()
                };
                assert_eq!(a.op("w1".into(), &none), Err(ValidationError::IdEmpty));
            }
            if a.needs.nothing() && a.action != Action::PartnerClaim {
                let empty = Input::for_member(&Member {
                    id: "m".into(),
                    name: "m".into(),
                    role: Role::Volunteer,
                    skills: vec![],
                    grids: vec![],
                    partner: None,
                    active: true,
                });
                assert!(a.op("w1".into(), &empty).is_ok(), "{action:?}");
            }
        }
    }

    #[test]
    fn texts_are_trimmed_and_keys_round_trip() {
        let a = entry_of(Action::Note).unwrap();
        assert_eq!(
            a.op("w1".into(), &input()),
            Ok(OpKind::Note {
                wish: "w1".into(),
                text: "说明".into()
            })
        );
        for to in [
            Assignee::Member("m1".into()),
            Assignee::Team("t1".into()),
            Assignee::Partner("u1".into()),
        ] {
            assert_eq!(Assignee::from_key(&to.key()), Some(to));
        }
        assert_eq!(Assignee::from_key("x:1"), None);
        assert_eq!(Assignee::from_key("m1"), None);
    }
}
