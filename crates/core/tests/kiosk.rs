//! The kiosk: who may evaluate at it (walk-up wishes, finished, once), the
//! view the endpoint serves it instead of the log, and that the view is
//! enough for the kiosk's own ops to fold as they do in the log.
use linli_core::activity::ActivityStatus;
use linli_core::demo::{LogBuilder, demo_builder};
use linli_core::kiosk::{self, SlipError};
use linli_core::model::*;
use linli_core::op::OpKind;
use linli_core::reduce::{Outcome, VoidReason};
use linli_core::{DeviceId, MemberId, State, WishId, activities};

const T0: u64 = 1_700_000_000_000;

fn file(b: &mut LogBuilder, author: &str, wish: &str, channel: Channel, requester: Option<&str>) {
    let (id, out) = b.push(
        author,
        OpKind::CreateWish {
            wish: wish.into(),
            category: Category::Repair,
            title: "楼道灯坏了".into(),
            description: "3号楼2单元楼道灯不亮，电话 13800000000".into(),
            place: Place {
                grid: Some("一网格".into()),
                building: Some("3号楼".into()),
                unit: None,
                text: None,
            },
            urgency: Urgency::Normal,
            window: None,
            channel,
            requester: requester.map(MemberId::from),
        },
    );
    assert_eq!(out, Outcome::Applied, "{id}");
}

fn finish(b: &mut LogBuilder, wish: &str) {
    let w = WishId::from(wish);
    for (who, kind) in [
        ("c1", OpKind::Publish { wish: w.clone() }),
        ("v1", OpKind::Claim { wish: w.clone() }),
        (
            "v1",
            OpKind::Complete {
                wish: w.clone(),
                report: "换了灯泡".into(),
                minutes: 30,
            },
        ),
    ] {
        let (id, out) = b.push(who, kind);
        assert_eq!(out, Outcome::Applied, "{id}");
    }
}

fn evaluate(b: &mut LogBuilder, who: &str, wish: &str) -> Outcome {
    b.push(
        who,
        OpKind::Evaluate {
            wish: wish.into(),
            rating: Rating::Satisfied,
            comment: "很及时".into(),
        },
    )
    .1
}

/// A kiosk-filed wish `wk` and a resident's own `wr`, both finished, and
/// a kiosk-filed `wo` still open.
fn community() -> LogBuilder {
    let mut b = LogBuilder::community(
        T0,
        &["一网格"],
        &[
            ("g1", Role::GridWorker, &["一网格"]),
            ("v1", Role::Volunteer, &[]),
            ("r1", Role::Resident, &[]),
            ("k1", Role::Kiosk, &[]),
        ],
    );
    file(&mut b, "k1", "wk", Channel::Kiosk, None);
    file(&mut b, "r1", "wr", Channel::SelfService, Some("r1"));
    file(&mut b, "k1", "wo", Channel::Kiosk, None);
    finish(&mut b, "wk");
    finish(&mut b, "wr");
    b
}

#[test]
fn a_kiosk_evaluates_a_finished_walk_up_wish_once() {
    let mut b = community();
    assert_eq!(evaluate(&mut b, "k1", "wk"), Outcome::Applied);
    let w = &b.state.wishes[&WishId::from("wk")];
    assert_eq!(w.status, Status::Closed);
    assert_eq!(w.evaluations.len(), 1);
    // Once: the wish is closed now.
    assert_eq!(
        evaluate(&mut b, "k1", "wk"),
        Outcome::Void(VoidReason::WishClosed)
    );
}

#[test]
fn a_kiosk_may_not_evaluate_a_members_wish_or_an_unfinished_one() {
    let mut b = community();
    assert_eq!(
        evaluate(&mut b, "k1", "wr"),
        Outcome::Void(VoidReason::Forbidden),
        "the requester evaluates their own wish"
    );
    assert_eq!(
        evaluate(&mut b, "k1", "wo"),
        Outcome::Void(VoidReason::WrongStatus),
        "only a finished wish"
    );
    // A resident may not take a walk-up wish's evaluation either.
    assert_eq!(
        evaluate(&mut b, "r1", "wk"),
        Outcome::Void(VoidReason::Forbidden)
    );
}

#[test]
fn slip_codes_find_only_wishes_the_kiosk_may_evaluate() {
    let b = community();
    let s = &b.state;
    let code = kiosk::slip_code(&"wk".into());
    assert_eq!(kiosk::by_slip(s, &code).map(|w| w.id.as_str()), Ok("wk"));
    let typed = kiosk::display_slip(&code).to_lowercase();
    assert_eq!(kiosk::by_slip(s, &typed).map(|w| w.id.as_str()), Ok("wk"));
    assert_eq!(
        kiosk::by_slip(s, &kiosk::slip_code(&"wr".into())).err(),
        Some(SlipError::NotFound),
        "a member's wish"
    );
    assert_eq!(
        kiosk::by_slip(s, &kiosk::slip_code(&"wo".into())).err(),
        Some(SlipError::NotFound),
        "not finished"
    );
    assert_eq!(kiosk::by_slip(s, "12").err(), Some(SlipError::Malformed));
}

fn kiosk_device(b: &LogBuilder) -> DeviceId {
    b.state
        .seen
        .keys()
        .find(|d| d.as_str() == "dev-k1")
        .cloned()
        .expect("the kiosk pushed")
}

#[test]
fn the_view_holds_no_wish_text_and_no_other_member() {
    let b = community();
    let dev = kiosk_device(&b);
    let v = kiosk::view(&b.state, &"k1".into(), &dev, b.now());
    assert_eq!(v.seq, b.state.seq);
    assert_eq!(v.community, b.state.community);
    assert_eq!(
        v.members.keys().map(MemberId::as_str).collect::<Vec<_>>(),
        ["k1"]
    );
    // Only the finished walk-up wish, without its words, place or history.
    assert_eq!(
        v.wishes.keys().map(WishId::as_str).collect::<Vec<_>>(),
        ["wk"]
    );
    let w = &v.wishes[&WishId::from("wk")];
    assert!(w.title.is_empty() && w.description.is_empty());
    assert_eq!(w.place, Place::default());
    assert!(w.timeline.is_empty() && w.completion.is_none());
    let text = serde_json::to_string(&v).unwrap();
    for secret in [
        "楼道灯",
        "13800000000",
        "3号楼",
        "换了灯泡",
        "\"v1\"",
        "\"r1\"",
        "dev-r1",
    ] {
        assert!(!text.contains(secret), "{secret} in the kiosk view");
    }
    assert!(v.ledger.is_empty() && v.resources.is_empty() && v.served.is_empty());
    // Its own device's dedupe record only: its pending ops drop out.
    assert_eq!(v.seen.keys().collect::<Vec<_>>(), [&dev]);
}

#[test]
fn the_kiosks_ops_fold_on_the_view_as_in_the_log() {
    let mut b = community();
    let dev = kiosk_device(&b);
    let view = kiosk::view(&b.state, &"k1".into(), &dev, b.now());
    let ops = [
        b.mint(
            "k1",
            OpKind::Evaluate {
                wish: "wk".into(),
                rating: Rating::BasicallySatisfied,
                comment: String::new(),
            },
        ),
        b.mint(
            "k1",
            OpKind::CreateWish {
                wish: "wn".into(),
                category: Category::Cleaning,
                title: "垃圾没清".into(),
                description: String::new(),
                place: Place::default(),
                urgency: Urgency::Normal,
                window: None,
                channel: Channel::Kiosk,
                requester: None,
            },
        ),
    ];
    let (_, on_view) = view.rebase(&ops);
    let in_log: Vec<Outcome> = ops.iter().map(|op| b.append(op.clone())).collect();
    assert_eq!(on_view, in_log);
    assert!(in_log.iter().all(|o| *o == Outcome::Applied));
    // After they are in the log, the next view has seen them.
    let next = kiosk::view(&b.state, &"k1".into(), &dev, b.now());
    assert!(ops.iter().all(|op| next.is_seen(&op.id)));
    assert!(next.wishes.is_empty(), "evaluated: nothing left to take");
}

#[test]
fn the_view_carries_todays_activities_and_their_rosters_by_name() {
    let b = demo_builder(7, T0);
    let s: &State = &b.state;
    let a = s
        .activities
        .values()
        .find(|a| a.status == ActivityStatus::Open && !a.places.is_empty())
        .expect("an open activity with sign-ups");
    let now = a.start;
    let today = activities::today(s, now);
    assert!(!today.is_empty());
    let v = kiosk::view(s, &"k1".into(), &DeviceId::from("nobody"), now);
    assert_eq!(
        v.activities.keys().collect::<Vec<_>>(),
        today.iter().map(|a| &a.id).collect::<Vec<_>>()
    );
    for a in &today {
        for m in a.places.iter().chain(&a.waiting) {
            let kept = &v.members[m];
            assert_eq!(kept.name, s.members[m].name);
            assert!(kept.grids.is_empty() && kept.skills.is_empty() && kept.partner.is_none());
        }
    }
    let roster = a.places.len() + a.waiting.len();
    assert!(
        v.members.len()
            <= 1 + today
                .iter()
                .map(|a| a.places.len() + a.waiting.len() + a.attendance.len())
                .sum::<usize>()
    );
    assert!(roster > 0);
    assert!(v.members.len() < s.members.len(), "not every member");
    assert!(v.ledger.is_empty());
    assert_eq!(activities::today(&v, now).len(), today.len());
}
