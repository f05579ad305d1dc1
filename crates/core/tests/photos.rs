//! Photos on wishes (`photos`): who attaches, who sees (`photos::may_see`,
//! which reuses `private::may_see` for request photos), limits, what a
//! device keeps and evicts first, and that an older reader still folds a log
//! with photos.

use linli_core::demo::LogBuilder;
use linli_core::model::*;
use linli_core::op::{Action, OpKind};
use linli_core::photos::{self, MAX_PHOTOS, Part, PhotoRef, Stage};
use linli_core::reduce::{Outcome, VoidReason};
use linli_core::validate::{self, ValidationError};
use linli_core::{MemberId, Op, State, WishId};

const GRID: &str = "一网格";
const PEOPLE: [&str; 9] = ["c1", "g1", "g2", "v1", "v2", "r1", "r2", "k1", "x1"];

fn push(b: &mut LogBuilder, author: &str, kind: OpKind) {
    let (id, out) = b.push(author, kind);
    assert_eq!(out, Outcome::Applied, "{id}");
}

fn refused(b: &mut LogBuilder, author: &str, kind: OpKind) -> VoidReason {
    match b.push(author, kind).1 {
        Outcome::Void(r) => r,
        other => panic!("applied: {other:?}"),
    }
}

fn photo(n: u8, volunteers: bool) -> PhotoRef {
    PhotoRef {
        sha256: format!("{n:02x}").repeat(32),
        bytes: 150_000,
        thumb: format!("{:02x}", n + 100).repeat(32),
        thumb_bytes: 9_000,
        volunteers,
    }
}

fn attach(wish: &str, stage: Stage, photos: Vec<PhotoRef>) -> OpKind {
    OpKind::AttachPhotos {
        wish: wish.into(),
        stage,
        photos,
    }
}

fn wish(b: &mut LogBuilder, author: &str, id: &str, channel: Channel) {
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
            requester: None,
        },
    );
}

/// As in tests/private.rs: c1 coordinator; g1 grid worker of the wish's
/// grid, g2 of another; v1 claims w1, v2 does not; r1 filed w1 with one
/// private photo and one marked fine for volunteers.
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
    wish(&mut b, "r1", "w1", Channel::SelfService);
    push(
        &mut b,
        "r1",
        attach("w1", Stage::Request, vec![photo(1, false), photo(2, true)]),
    );
    push(&mut b, "c1", OpKind::Publish { wish: "w1".into() });
    b
}

fn seers(state: &State, wish: &str, n: usize) -> Vec<&'static str> {
    let w: WishId = wish.into();
    let p = &photos::of(state, &w)[n];
    PEOPLE
        .into_iter()
        .filter(|m| photos::may_see(state, &(*m).into(), &w, p))
        .collect()
}

fn complete(b: &mut LogBuilder) {
    push(b, "v1", OpKind::Start { wish: "w1".into() });
    push(
        b,
        "v1",
        OpKind::Complete {
            wish: "w1".into(),
            report: "换了灯泡".into(),
            minutes: 30,
        },
    );
}

#[test]
fn the_op_carries_hashes_and_sizes_only() {
    let b = community();
    let list = photos::of(&b.state, &"w1".into());
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].by, MemberId::from("r1"));
    assert!(!list[0].photo.volunteers && list[1].photo.volunteers);
    let json = serde_json::to_value(attach("w1", Stage::Request, vec![photo(1, true)])).unwrap();
    let mut keys: Vec<&str> = json["photos"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        ["bytes", "sha256", "thumb", "thumb_bytes", "volunteers"]
    );
    assert_eq!(json["type"], "attach_photos");
}

#[test]
fn request_photos_are_seen_as_contact_details_unless_marked_for_volunteers() {
    let mut b = community();
    // Private: exactly `private::may_see` (v1 does not hold w1 yet).
    assert_eq!(seers(&b.state, "w1", 0), ["c1", "g1", "r1"]);
    let contact: Vec<&str> = PEOPLE
        .into_iter()
        .filter(|m| linli_core::private::may_see(&b.state, &(*m).into(), &"w1".into()))
        .collect();
    assert_eq!(seers(&b.state, "w1", 0), contact);
    // Marked for volunteers: every volunteer, grid worker and partner too.
    assert_eq!(
        seers(&b.state, "w1", 1),
        ["c1", "g1", "g2", "v1", "v2", "r1"]
    );
    // The holder sees the private one once it claims.
    push(&mut b, "v1", OpKind::Claim { wish: "w1".into() });
    assert_eq!(seers(&b.state, "w1", 0), ["c1", "g1", "v1", "r1"]);
}

#[test]
fn completion_photos_are_for_requester_coordinators_and_holder() {
    let mut b = community();
    push(&mut b, "v1", OpKind::Claim { wish: "w1".into() });
    complete(&mut b);
    push(
        &mut b,
        "v1",
        attach("w1", Stage::Completion, vec![photo(7, true)]),
    );
    let list = photos::of(&b.state, &"w1".into());
    assert_eq!(list[2].stage, Stage::Completion);
    // The flag means nothing on a completion photo.
    assert!(!list[2].photo.volunteers);
    assert_eq!(seers(&b.state, "w1", 2), ["c1", "v1", "r1"]);
}

#[test]
fn after_close_only_coordinators_see_and_devices_drop_the_rest() {
    let mut b = community();
    push(&mut b, "v1", OpKind::Claim { wish: "w1".into() });
    complete(&mut b);
    push(
        &mut b,
        "v1",
        attach("w1", Stage::Completion, vec![photo(7, false)]),
    );
    assert_eq!(photos::keep(&b.state, &"v1".into()).len(), 6);
    push(
        &mut b,
        "r1",
        OpKind::Evaluate {
            wish: "w1".into(),
            rating: Rating::Satisfied,
            comment: String::new(),
        },
    );
    for n in 0..3 {
        assert_eq!(seers(&b.state, "w1", n), ["c1"]);
    }
    assert!(photos::keep(&b.state, &"v1".into()).is_empty());
    assert!(photos::keep(&b.state, &"r1".into()).is_empty());
    assert_eq!(photos::keep(&b.state, &"c1".into()).len(), 6);
}

#[test]
fn who_may_attach() {
    let mut b = community();
    // Request photos: the writers of contact details only.
    let p = || vec![photo(9, false)];
    assert_eq!(
        refused(&mut b, "v2", attach("w1", Stage::Request, p())),
        VoidReason::Forbidden
    );
    assert_eq!(
        refused(&mut b, "r2", attach("w1", Stage::Request, p())),
        VoidReason::Forbidden
    );
    assert_eq!(
        refused(&mut b, "x1", attach("w1", Stage::Request, p())),
        VoidReason::Forbidden
    );
    assert_eq!(
        refused(&mut b, "r1", attach("nope", Stage::Request, p())),
        VoidReason::UnknownWish
    );
    // Completion photos: not before the work is reported, and only by whoever reported it.
    push(&mut b, "v1", OpKind::Claim { wish: "w1".into() });
    assert_eq!(
        refused(&mut b, "v1", attach("w1", Stage::Completion, p())),
        VoidReason::WrongStatus
    );
    complete(&mut b);
    assert_eq!(
        refused(&mut b, "c1", attach("w1", Stage::Completion, p())),
        VoidReason::NotHolder
    );
    push(&mut b, "v1", attach("w1", Stage::Completion, p()));
    // A kiosk attaches to what it filed.
    wish(&mut b, "k1", "w2", Channel::Kiosk);
    push(
        &mut b,
        "k1",
        attach("w2", Stage::Request, vec![photo(3, false)]),
    );
    assert_eq!(seers(&b.state, "w2", 0), ["c1", "g1"]);
}

#[test]
fn at_most_three_per_stage_and_a_hash_counts_once() {
    let mut b = community();
    // Again photo 1: already there, not added twice.
    push(
        &mut b,
        "r1",
        attach("w1", Stage::Request, vec![photo(1, false)]),
    );
    assert_eq!(photos::of(&b.state, &"w1".into()).len(), 2);
    push(
        &mut b,
        "r1",
        attach("w1", Stage::Request, vec![photo(3, false)]),
    );
    assert_eq!(
        refused(
            &mut b,
            "r1",
            attach("w1", Stage::Request, vec![photo(4, false)])
        ),
        VoidReason::TooManyPhotos
    );
    assert_eq!(photos::of(&b.state, &"w1".into()).len(), MAX_PHOTOS);
}

#[test]
fn validation_limits() {
    let ok = |v: Vec<PhotoRef>| validate::kind(&attach("w1", Stage::Request, v));
    assert_eq!(ok(vec![photo(1, false)]), Ok(()));
    assert_eq!(ok(vec![]), Err(ValidationError::TooManyPhotos));
    assert_eq!(
        ok((1..=4).map(|n| photo(n, false)).collect()),
        Err(ValidationError::TooManyPhotos)
    );
    assert_eq!(
        ok(vec![photo(1, false), photo(1, false)]),
        Err(ValidationError::BadPhoto)
    );
    let bad = |f: fn(&mut PhotoRef)| {
        let mut p = photo(1, false);
        f(&mut p);
        ok(vec![p])
    };
    assert_eq!(
        bad(|p| p.sha256 = "A".repeat(64)),
        Err(ValidationError::BadPhoto)
    );
    assert_eq!(
        bad(|p| p.thumb = "ab".into()),
        Err(ValidationError::BadPhoto)
    );
    assert_eq!(bad(|p| p.bytes = 0), Err(ValidationError::BadPhoto));
    assert_eq!(
        bad(|p| p.bytes = photos::PHOTO_MAX_BYTES + 1),
        Err(ValidationError::BadPhoto)
    );
    assert_eq!(
        bad(|p| p.thumb_bytes = photos::THUMB_MAX_BYTES + 1),
        Err(ValidationError::BadPhoto)
    );
    assert_eq!(
        bad(|p| p.thumb = p.sha256.clone()),
        Err(ValidationError::BadPhoto)
    );
}

#[test]
fn the_timeline_shows_photos_at_filing_and_at_the_standing_completion() {
    let mut b = community();
    push(&mut b, "v1", OpKind::Claim { wish: "w1".into() });
    complete(&mut b);
    let w = &b.state.wishes[&WishId::from("w1")];
    let stages: Vec<_> = w
        .timeline
        .iter()
        .map(|e| photos::stage_of_entry(w, e))
        .collect();
    assert_eq!(stages[0], Some(Stage::Request));
    assert_eq!(stages.last(), Some(&Some(Stage::Completion)));
    assert_eq!(stages.iter().flatten().count(), 2);
}

#[test]
fn find_by_either_hash() {
    let b = community();
    let (w, p, part) = photos::find(&b.state, &photo(2, true).thumb).unwrap();
    assert_eq!((w.as_str(), part), ("w1", Part::Thumb));
    assert!(p.photo.volunteers);
    let (_, _, part) = photos::find(&b.state, &photo(1, true).sha256).unwrap();
    assert_eq!(part, Part::Full);
    assert!(photos::find(&b.state, &"c".repeat(64)).is_none());
}

#[test]
fn eviction_takes_thumbnails_of_closed_wishes_first() {
    let mut b = community();
    wish(&mut b, "r1", "w3", Channel::SelfService);
    push(
        &mut b,
        "r1",
        attach("w3", Stage::Request, vec![photo(5, false)]),
    );
    push(
        &mut b,
        "r1",
        OpKind::Cancel {
            wish: "w3".into(),
            reason: String::new(),
        },
    );
    let order = photos::eviction_order(&b.state);
    let p5 = photo(5, false);
    assert_eq!(order[0], p5.thumb);
    assert_eq!(order[1], p5.sha256);
    // Then the open wish's full images; its thumbnails stay.
    assert_eq!(order[2..], [photo(1, false).sha256, photo(2, false).sha256]);
}

#[test]
fn an_older_reader_folds_a_log_with_photos() {
    let b = community();
    let entries = b.log.clone();
    let mut old = State::new();
    for e in &entries {
        let json = serde_json::to_value(&e.op).unwrap();
        let kind = OpKind::from_value_as(
            json["kind"].clone(),
            e.op.v,
            Action::AttachPhotos.since() - 1,
        )
        .unwrap();
        let op = Op {
            kind,
            ..e.op.clone()
        };
        old.apply(&linli_core::LogEntry { seq: e.seq, op });
    }
    assert_eq!(old.wishes.len(), b.state.wishes.len());
    assert!(old.photos.is_empty());
    let attach_op = &entries
        .iter()
        .find(|e| e.op.kind.action() == Some(Action::AttachPhotos))
        .unwrap()
        .op;
    assert_eq!(
        old.outcome(&attach_op.id),
        Some(Outcome::Void(VoidReason::UnknownKind))
    );
}
