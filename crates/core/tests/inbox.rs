//! The inbox: what happened to a member's own work, from the log alone.

use linli_core::MemberId;
use linli_core::demo::LogBuilder;
use linli_core::inbox::{Kind, items, unread};
use linli_core::model::*;
use linli_core::op::OpKind;
use linli_core::reduce::Outcome;

const HOUR: u64 = 3_600_000;

fn push(b: &mut LogBuilder, author: &str, kind: OpKind) -> Outcome {
    b.advance_ms(1000);
    b.push(author, kind).1
}

fn community() -> LogBuilder {
    LogBuilder::community(
        1_700_000_000_000,
        &[],
        &[
            ("v1", Role::Volunteer, &[]),
            ("v2", Role::Volunteer, &[]),
            ("r1", Role::Resident, &[]),
        ],
    )
}

fn wish(b: &mut LogBuilder, id: &str) {
    push(
        b,
        "r1",
        OpKind::CreateWish {
            wish: id.into(),
            category: Category::Repair,
            title: "楼道灯坏了".into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::Normal,
            window: None,
            channel: Channel::SelfService,
            requester: None,
        },
    );
    push(b, "c1", OpKind::Publish { wish: id.into() });
}

fn kinds(b: &LogBuilder, m: &str) -> Vec<(String, &'static str, Option<i64>)> {
    items(&b.state, &MemberId::from(m))
        .into_iter()
        .map(|i| (i.about.wish().unwrap().0.clone(), i.kind.code(), i.points))
        .collect()
}

/// v2 loses the claim to v1 (told who and when); v1 completes, the resident
/// is not satisfied (rework), v1 redoes it and the resident is satisfied.
#[test]
fn lost_claim_rework_and_acceptance_reach_the_right_inbox() {
    let mut b = community();
    wish(&mut b, "w1");
    let first = b.mint("v1", OpKind::Claim { wish: "w1".into() });
    let second = b.mint("v2", OpKind::Claim { wish: "w1".into() });
    let won_at = first.hlc.ms;
    assert_eq!(b.append(first), Outcome::Applied);
    assert!(matches!(b.append(second), Outcome::Void(_)));
    let v2 = items(&b.state, &"v2".into());
    assert_eq!(v2.len(), 1);
    assert_eq!(
        v2[0].kind,
        Kind::LostClaim {
            winner: Some("v1".into()),
            winner_at: Some(won_at)
        }
    );
    let done = |b: &mut LogBuilder| {
        push(
            b,
            "v1",
            OpKind::Complete {
                wish: "w1".into(),
                report: "换了灯泡".into(),
                minutes: 30,
            },
        )
    };
    done(&mut b);
    let rate = |b: &mut LogBuilder, rating| {
        push(
            b,
            "r1",
            OpKind::Evaluate {
                wish: "w1".into(),
                rating,
                comment: String::new(),
            },
        )
    };
    assert_eq!(rate(&mut b, Rating::NotSatisfied), Outcome::Applied);
    let k = kinds(&b, "v1");
    assert_eq!(k[0].1, "rework");
    assert!(k[0].2.unwrap() < 0);
    assert_eq!(k[1].1, "completed");
    // Not the resident's, not the other volunteer's.
    assert!(kinds(&b, "r1").is_empty());
    assert_eq!(kinds(&b, "v2").len(), 1);
    // Redone and accepted: newest first, and unread counts what is new.
    let seen = items(&b.state, &"v1".into())[0].at;
    push(
        &mut b,
        "c1",
        OpKind::Assign {
            wish: "w1".into(),
            to: Assignee::Member("v1".into()),
        },
    );
    assert_eq!(kinds(&b, "v1")[0].1, "assigned");
    done(&mut b);
    assert_eq!(rate(&mut b, Rating::Satisfied), Outcome::Applied);
    let v1 = items(&b.state, &"v1".into());
    assert_eq!(
        v1.iter().map(|i| i.kind.code()).collect::<Vec<_>>(),
        ["accepted", "completed", "rework", "completed"],
        "the assignment is no longer news once the wish is closed"
    );
    assert_eq!(unread(&v1, seen), 2);
    assert_eq!(unread(&v1, v1[0].at), 0);
}

#[test]
fn a_lapsed_claim_is_in_the_inbox_with_its_deduction() {
    let mut b = community();
    wish(&mut b, "w2");
    push(&mut b, "v1", OpKind::Claim { wish: "w2".into() });
    b.advance_ms(100 * HOUR);
    // Any op stamped after the deadline lapses the lease.
    wish(&mut b, "w3");
    let k = kinds(&b, "v1");
    assert_eq!(k.len(), 1, "{k:?}");
    assert_eq!((k[0].0.as_str(), k[0].1), ("w2", "lapsed"));
    assert!(k[0].2.unwrap() < 0);
}
