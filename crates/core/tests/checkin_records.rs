//! Who holds an activity's key and who reads a member's pass (the
//! endpoint's private records for check-in): `checkin::may_hold_key`,
//! `judge_key`, `should_keep_key`, `may_write_pass`, `may_read_pass`, role
//! by role, organiser by organiser, before and after the key is revealed.

use linli_core::activity::{Organiser, PointsMode};
use linli_core::checkin::{self, ActivityKey, KeyVerdict, MemberPass};
use linli_core::demo::LogBuilder;
use linli_core::model::*;
use linli_core::op::OpKind;
use linli_core::reduce::Outcome;
use linli_core::{ActivityId, MemberId};

const T0: u64 = 1_700_000_000_000;
const HOUR: u64 = 3_600_000;
const KEY: &str = "7K3M9PQRT2VWXY45";

fn ok(b: &mut LogBuilder, author: &str, kind: OpKind) {
    let (id, out) = b.push(author, kind);
    assert_eq!(out, Outcome::Applied, "{id}");
}

/// c1, c2 coordinators; v1 leads t1 (v2 in it); v3 leads t2; p1 in unit
/// u1, p2 in u2; r1 resident; k1 kiosk; x1 viewer. Activities: a0 the
/// community's, a1 of t1, a2 of u1; all start in 2 h for 3 h.
fn community() -> LogBuilder {
    let mut b = LogBuilder::new(T0);
    ok(
        &mut b,
        "c1",
        OpKind::CreateCommunity {
            community: "cm".into(),
            name: "长寿路社区".into(),
            founder: "苏书记".into(),
            grids: vec!["一网格".into()],
            buildings: vec![],
            settings: None,
        },
    );
    for (u, n) in [("u1", "卫生服务中心"), ("u2", "物业")] {
        ok(
            &mut b,
            "c1",
            OpKind::AddPartner {
                partner: u.into(),
                name: n.into(),
            },
        );
    }
    for (id, role, unit) in [
        ("c2", Role::Coordinator, None),
        ("g1", Role::GridWorker, None),
        ("v1", Role::Volunteer, None),
        ("v2", Role::Volunteer, None),
        ("v3", Role::Volunteer, None),
        ("r1", Role::Resident, None),
        ("p1", Role::Partner, Some("u1")),
        ("p2", Role::Partner, Some("u2")),
        ("k1", Role::Kiosk, None),
        ("x1", Role::Viewer, None),
    ] {
        ok(
            &mut b,
            "c1",
            OpKind::AddMember {
                member: id.into(),
                name: format!("成员{id}"),
                role,
                skills: vec![],
                grids: vec![],
                partner: unit.map(Into::into),
            },
        );
    }
    for (t, lead, members) in [("t1", "v1", vec!["v1", "v2"]), ("t2", "v3", vec!["v3"])] {
        ok(
            &mut b,
            "c1",
            OpKind::CreateTeam {
                team: t.into(),
                name: format!("队{t}"),
                lead: Some(lead.into()),
                members: members.into_iter().map(Into::into).collect(),
                categories: vec![],
            },
        );
    }
    for (a, organiser) in [
        ("a0", None),
        ("a1", Some(Organiser::Team("t1".into()))),
        ("a2", Some(Organiser::Partner("u1".into()))),
    ] {
        let start = b.now() + 2 * HOUR;
        ok(
            &mut b,
            "c1",
            OpKind::CreateActivity {
                activity: a.into(),
                title: "红色星期六".into(),
                theme: "红色星期六".into(),
                description: String::new(),
                venue: String::new(),
                start,
                end: start + 3 * HOUR,
                capacity: None,
                organiser,
                sign_up_by: None,
                points: PointsMode::ByTime,
                fixed_points: None,
                check: checkin::key_check(&a.into(), KEY),
            },
        );
    }
    b
}

fn holders(b: &LogBuilder, a: &str) -> Vec<&'static str> {
    const ALL: [&str; 12] = [
        "c1", "c2", "g1", "v1", "v2", "v3", "r1", "p1", "p2", "k1", "x1", "nobody",
    ];
    ALL.into_iter()
        .filter(|m| checkin::may_hold_key(&b.state, &MemberId::from(*m), &ActivityId::from(a)))
        .collect()
}

fn record(a: &str, key: &str) -> ActivityKey {
    ActivityKey {
        activity: a.into(),
        key: key.into(),
    }
}

#[test]
fn only_organisers_hold_an_activitys_key() {
    let b = community();
    assert_eq!(holders(&b, "a0"), ["c1", "c2"]);
    assert_eq!(holders(&b, "a1"), ["c1", "c2", "v1"]);
    assert_eq!(holders(&b, "a2"), ["c1", "c2", "p1"]);
    assert_eq!(holders(&b, "nope"), Vec::<&str>::new());
}

#[test]
fn the_endpoint_judges_a_key_record() {
    let b = community();
    let s = &b.state;
    let judge = |m: &str, r: &ActivityKey| checkin::judge_key(s, &m.into(), r);
    assert_eq!(judge("v1", &record("a1", KEY)), Ok(()));
    assert_eq!(judge("c2", &record("a1", KEY)), Ok(()));
    assert_eq!(judge("v2", &record("a1", KEY)), Err(KeyVerdict::Forbidden));
    assert_eq!(judge("k1", &record("a1", KEY)), Err(KeyVerdict::Forbidden));
    assert_eq!(
        judge("v1", &record("a9", KEY)),
        Err(KeyVerdict::UnknownActivity)
    );
    let other = checkin::new_key([9; 10]);
    assert_eq!(
        judge("v1", &record("a1", &other)),
        Err(KeyVerdict::WrongKey)
    );
    // Stored as typed with dashes would not be the canonical form.
    assert_eq!(
        judge("v1", &record("a1", &checkin::display_key(KEY))),
        Err(KeyVerdict::WrongKey)
    );
    // A key of another activity with the same key text: same key, other commitment is fine.
    assert_eq!(judge("c1", &record("a0", KEY)), Ok(()));
}

#[test]
fn a_demoted_or_removed_organiser_loses_the_key() {
    let mut b = community();
    ok(
        &mut b,
        "c1",
        OpKind::SetRole {
            member: "c2".into(),
            role: Role::Volunteer,
        },
    );
    ok(
        &mut b,
        "c1",
        OpKind::RemoveMember {
            member: "p1".into(),
        },
    );
    assert_eq!(holders(&b, "a0"), ["c1"]);
    assert_eq!(holders(&b, "a2"), ["c1"]);
    assert_eq!(
        checkin::judge_key(&b.state, &"p1".into(), &record("a2", KEY)),
        Err(KeyVerdict::Forbidden)
    );
}

#[test]
fn a_revealed_or_cancelled_activitys_key_is_not_kept() {
    let mut b = community();
    ok(
        &mut b,
        "c1",
        OpKind::CancelActivity {
            activity: "a0".into(),
            reason: "下雨".into(),
        },
    );
    assert!(!checkin::should_keep_key(&b.state, &"a0".into()));
    assert_eq!(
        checkin::judge_key(&b.state, &"c1".into(), &record("a0", KEY)),
        Err(KeyVerdict::Retired)
    );
    ok(
        &mut b,
        "c1",
        OpKind::OpenActivity {
            activity: "a1".into(),
        },
    );
    b.advance_hours(6);
    assert!(checkin::should_keep_key(&b.state, &"a1".into()));
    ok(
        &mut b,
        "v1",
        OpKind::VerifyCheckIns {
            activity: "a1".into(),
            key: KEY.into(),
        },
    );
    assert!(!checkin::should_keep_key(&b.state, &"a1".into()));
    assert_eq!(holders(&b, "a1"), Vec::<&str>::new());
    assert_eq!(
        checkin::judge_key(&b.state, &"v1".into(), &record("a1", KEY)),
        Err(KeyVerdict::Retired)
    );
    assert!(checkin::should_keep_key(&b.state, &"a2".into()));
}

#[test]
fn a_pass_is_written_by_its_member_and_read_by_kiosks_and_coordinators() {
    let mut b = community();
    let s = &b.state;
    let writers: Vec<&str> = ["c1", "g1", "v1", "r1", "p1", "k1", "x1", "nobody"]
        .into_iter()
        .filter(|m| checkin::may_write_pass(s, &(*m).into(), &(*m).into()))
        .collect();
    assert_eq!(writers, ["c1", "g1", "v1", "r1", "p1"]);
    assert!(!checkin::may_write_pass(s, &"c1".into(), &"v1".into()));
    assert!(!checkin::may_write_pass(s, &"k1".into(), &"v1".into()));
    let readers: Vec<&str> = ["c1", "c2", "g1", "v1", "v2", "r1", "p1", "k1", "x1"]
        .into_iter()
        .filter(|m| checkin::may_read_pass(s, &(*m).into(), &"v1".into()))
        .collect();
    assert_eq!(readers, ["c1", "c2", "v1", "k1"]);
    // A kiosk has no pass of its own to read.
    assert!(!checkin::may_read_pass(s, &"k1".into(), &"k1".into()));
    ok(
        &mut b,
        "c1",
        OpKind::RemoveMember {
            member: "v1".into(),
        },
    );
    ok(
        &mut b,
        "c1",
        OpKind::RemoveMember {
            member: "k1".into(),
        },
    );
    let s = &b.state;
    assert!(!checkin::may_read_pass(s, &"c1".into(), &"v1".into()));
    assert!(!checkin::may_write_pass(s, &"v1".into(), &"v1".into()));
    assert!(!checkin::may_read_pass(s, &"k1".into(), &"v2".into()));
}

#[test]
fn a_pass_has_the_form_new_gives_it() {
    let good = MemberPass::new(
        "v1".into(),
        "00112233445566778899aabbccddeeff".into(),
        "2468",
        "tok",
    )
    .unwrap();
    assert_eq!(good.validate(), Ok(()));
    let mut bad = good.clone();
    bad.salt = "zz".into();
    assert_eq!(bad.validate(), Err("bad_pass"));
    let mut bad = good.clone();
    bad.pin = "2468".into();
    assert_eq!(bad.validate(), Err("bad_pass"));
    let mut empty = good.clone();
    empty.pin.clear();
    empty.badge.clear();
    assert_eq!(empty.validate(), Err("empty_pass"));
}
