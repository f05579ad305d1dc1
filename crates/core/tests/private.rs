//! Who reads and who writes a wish's contact record (`private::may_see`,
//! `private::may_write`), role by role, grid by grid, open and closed.

use linli_core::demo::LogBuilder;
use linli_core::model::*;
use linli_core::op::OpKind;
use linli_core::private::{may_see, may_write};
use linli_core::reduce::Outcome;
use linli_core::{MemberId, WishId};

const GRID: &str = "一网格";

fn push(b: &mut LogBuilder, author: &str, kind: OpKind) {
    let (id, out) = b.push(author, kind);
    assert_eq!(out, Outcome::Applied, "{id}");
}

fn wish(b: &mut LogBuilder, author: &str, id: &str, channel: Channel, requester: Option<&str>) {
    push(
        b,
        author,
        OpKind::CreateWish {
            wish: id.into(),
            category: Category::Repair,
            title: "楼道灯坏了".into(),
            description: String::new(),
            place: Place {
                grid: Some(GRID.into()),
                ..Place::default()
            },
            urgency: Urgency::Normal,
            window: None,
            channel,
            requester: requester.map(Into::into),
        },
    );
}

/// c1 coordinator; g1 grid worker of the wish's grid, g2 of another; v1
/// holds w1 after claiming it, v2 does not; r1 requested w1; r2 did not;
/// k1 filed w2 at the kiosk.
fn community() -> LogBuilder {
    let mut b = LogBuilder::community(
        1_700_000_000_000,
        &[GRID, "二网格"],
        &[
            ("g1", Role::GridWorker, &[GRID]),
            ("g2", Role::GridWorker, &["二网格"]),
            ("v1", Role::Volunteer, &[]),
            ("v2", Role::Volunteer, &[]),
            ("r1", Role::Resident, &[]),
            ("r2", Role::Resident, &[]),
            ("k1", Role::Kiosk, &[]),
            ("x1", Role::Viewer, &[]),
        ],
    );
    wish(&mut b, "r1", "w1", Channel::SelfService, None);
    push(&mut b, "c1", OpKind::Publish { wish: "w1".into() });
    push(&mut b, "v1", OpKind::Claim { wish: "w1".into() });
    wish(&mut b, "k1", "w2", Channel::Kiosk, None);
    b
}

fn who(
    b: &LogBuilder,
    f: fn(&linli_core::State, &MemberId, &WishId) -> bool,
    w: &str,
) -> Vec<&'static str> {
    ["c1", "g1", "g2", "v1", "v2", "r1", "r2", "k1", "x1"]
        .into_iter()
        .filter(|m| f(&b.state, &(*m).into(), &w.into()))
        .collect()
}

#[test]
fn readers_of_an_open_wish() {
    let b = community();
    assert_eq!(who(&b, may_see, "w1"), ["c1", "g1", "v1", "r1"]);
    // The kiosk filed w2 but never reads back what was typed at it.
    assert_eq!(who(&b, may_see, "w2"), ["c1", "g1"]);
    assert_eq!(who(&b, may_see, "nope"), Vec::<&str>::new());
}

#[test]
fn writers_of_an_open_wish() {
    let b = community();
    // The holder reads the phone but does not set it.
    assert_eq!(who(&b, may_write, "w1"), ["c1", "g1", "r1"]);
    assert_eq!(who(&b, may_write, "w2"), ["c1", "g1", "k1"]);
}

#[test]
fn a_closed_wish_is_the_coordinators_alone_and_nobody_writes() {
    let mut b = community();
    push(
        &mut b,
        "c1",
        OpKind::Reject {
            wish: "w2".into(),
            reason: "重复".into(),
        },
    );
    assert_eq!(who(&b, may_see, "w2"), ["c1"]);
    assert_eq!(who(&b, may_write, "w2"), Vec::<&str>::new());
}

#[test]
fn a_removed_member_reads_nothing() {
    let mut b = community();
    push(
        &mut b,
        "c1",
        OpKind::RemoveMember {
            member: "g1".into(),
        },
    );
    push(
        &mut b,
        "c1",
        OpKind::RemoveMember {
            member: "r1".into(),
        },
    );
    assert_eq!(who(&b, may_see, "w1"), ["c1", "v1"]);
}
