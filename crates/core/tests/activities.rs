//! Activities (issue 14): every rule and void reason through real ops, the
//! points they book traced to their ops, what pages ask (`activities`)
//! checked against the reducer, and an old device reading a new log.

use linli_core::activities::{self, Draft, GroupBy, Input, Phase, Place};
use linli_core::activity::{ActivityStatus, Organiser, PointsMode};
use linli_core::calendar::Period;
use linli_core::checkin;
use linli_core::demo::LogBuilder;
use linli_core::inbox::{self, Kind};
use linli_core::model::*;
use linli_core::op::{Action, LogEntry, Op, OpKind};
use linli_core::reduce::{Outcome, PointsKind, PointsReason, State, Subject, VoidReason};
use linli_core::{ActivityId, MemberId, OpId, views};
use std::collections::BTreeSet;

const T0: u64 = 1_700_000_000_000;
const MIN: u64 = 60_000;
const HOUR: u64 = 3_600_000;
const KEY: &str = "7K3M-9PQR-T2VW-XY45";

fn ok(out: (OpId, Outcome)) -> OpId {
    assert_eq!(out.1, Outcome::Applied, "op {} was not applied", out.0);
    out.0
}

fn void(out: (OpId, Outcome)) -> VoidReason {
    match out.1 {
        Outcome::Void(r) => r,
        other => panic!("op {} expected void, got {other:?}", out.0),
    }
}

fn aid(s: &str) -> ActivityId {
    s.into()
}

/// One member per role plus v2, v3; team t1 led by v1; unit u1 with p1.
fn base() -> LogBuilder {
    base_with(Settings::default())
}

fn base_with(settings: Settings) -> LogBuilder {
    let mut b = LogBuilder::new(T0);
    ok(b.push(
        "c1",
        OpKind::CreateCommunity {
            community: "cm".into(),
            name: "长寿路社区".into(),
            founder: "苏书记".into(),
            grids: vec!["一网格".into()],
            buildings: vec![],
            settings: Some(settings),
        },
    ));
    ok(b.push(
        "c1",
        OpKind::AddPartner {
            partner: "u1".into(),
            name: "社区卫生服务中心".into(),
        },
    ));
    for (id, role) in [
        ("g1", Role::GridWorker),
        ("v1", Role::Volunteer),
        ("v2", Role::Volunteer),
        ("v3", Role::Volunteer),
        ("r1", Role::Resident),
        ("p1", Role::Partner),
        ("k1", Role::Kiosk),
        ("x1", Role::Viewer),
    ] {
        ok(b.push(
            "c1",
            OpKind::AddMember {
                member: id.into(),
                name: format!("成员{id}"),
                role,
                skills: vec![],
                grids: vec![],
                partner: (role == Role::Partner).then(|| "u1".into()),
            },
        ));
    }
    ok(b.push(
        "c1",
        OpKind::CreateTeam {
            team: "t1".into(),
            name: "党员先锋队".into(),
            lead: Some("v1".into()),
            members: vec!["v1".into(), "v2".into()],
            categories: vec![],
        },
    ));
    b
}

fn create_kind(
    b: &LogBuilder,
    id: &str,
    start_in: u64,
    len: u64,
    capacity: Option<u32>,
    organiser: Option<Organiser>,
) -> OpKind {
    let start = b.now() + start_in;
    OpKind::CreateActivity {
        activity: id.into(),
        title: "红色星期六：楼道清扫".into(),
        theme: "红色星期六".into(),
        description: "清理3号楼楼道杂物".into(),
        venue: "3号楼".into(),
        start,
        end: start + len,
        capacity,
        organiser,
        sign_up_by: None,
        points: PointsMode::ByTime,
        fixed_points: None,
        check: checkin::key_check(&aid(id), KEY),
    }
}

/// An open activity `a1` starting in 2 h, lasting 3 h, with `capacity`.
fn open_activity(capacity: Option<u32>) -> LogBuilder {
    let mut b = base();
    let k = create_kind(&b, "a1", 2 * HOUR, 3 * HOUR, capacity, None);
    ok(b.push("c1", k));
    ok(b.push(
        "c1",
        OpKind::OpenActivity {
            activity: "a1".into(),
        },
    ));
    b
}

fn act<'a>(b: &'a LogBuilder, id: &str) -> &'a linli_core::activity::Activity {
    &b.state.activities[&aid(id)]
}

fn sign_up(b: &mut LogBuilder, who: &str) -> (OpId, Outcome) {
    b.push(
        who,
        OpKind::SignUp {
            activity: "a1".into(),
            member: None,
        },
    )
}

fn withdraw(b: &mut LogBuilder, who: &str) -> (OpId, Outcome) {
    b.push(
        who,
        OpKind::Withdraw {
            activity: "a1".into(),
            member: None,
        },
    )
}

fn check_in(b: &mut LogBuilder, who: &str) -> (OpId, Outcome) {
    b.push(
        who,
        OpKind::CheckIn {
            activity: "a1".into(),
            member: None,
            proof: checkin::proof(&aid("a1"), &who.into(), KEY),
        },
    )
}

fn check_in_for(b: &mut LogBuilder, author: &str, who: &str) -> (OpId, Outcome) {
    b.push(
        author,
        OpKind::CheckIn {
            activity: "a1".into(),
            member: Some(who.into()),
            proof: String::new(),
        },
    )
}

fn check_out(b: &mut LogBuilder, who: &str) -> (OpId, Outcome) {
    b.push(
        who,
        OpKind::CheckOut {
            activity: "a1".into(),
            member: None,
        },
    )
}

/// Any op by someone, to move the log clock (and so run the end pass).
fn tick(b: &mut LogBuilder) -> OpId {
    ok(b.push(
        "c1",
        OpKind::UpdateCommunity {
            name: None,
            grids: None,
            buildings: None,
        },
    ))
}

fn activity_entries(s: &State, m: &str) -> Vec<(OpId, i64, PointsKind, PointsReason, u64)> {
    s.ledger
        .get(&MemberId::from(m))
        .into_iter()
        .flatten()
        .filter(|e| e.about == Subject::Activity(aid("a1")))
        .map(|e| (e.op.clone(), e.delta, e.kind, e.reason, e.at))
        .collect()
}

#[test]
fn a_full_activity_puts_sign_ups_on_the_waiting_list_and_promotes_in_order() {
    let mut b = open_activity(Some(1));
    ok(sign_up(&mut b, "v1"));
    ok(sign_up(&mut b, "v2"));
    ok(sign_up(&mut b, "v3"));
    let a = act(&b, "a1");
    assert_eq!(a.places, vec![MemberId::from("v1")]);
    assert_eq!(a.waiting, vec![MemberId::from("v2"), "v3".into()]);
    let p = activities::place(a, &"v3".into(), b.now());
    assert_eq!(p.place, Place::Waiting { position: 2 });
    let w = inbox::items(&b.state, &"v2".into());
    assert_eq!(w[0].kind, Kind::Waiting { position: Some(1) });
    assert_eq!(w[0].about, Subject::Activity(aid("a1")));
    // The first waiting is promoted when a place frees; leaving the list promotes nobody.
    b.advance_ms(MIN);
    ok(withdraw(&mut b, "v1"));
    let a = act(&b, "a1");
    assert_eq!(a.places, vec![MemberId::from("v2")]);
    assert_eq!(a.waiting, vec![MemberId::from("v3")]);
    let items = inbox::items(&b.state, &"v2".into());
    assert_eq!(items[0].kind, Kind::Promoted);
    assert!(matches!(items[1].kind, Kind::Waiting { position: None }));
    ok(withdraw(&mut b, "v3"));
    assert!(act(&b, "a1").waiting.is_empty());
    // Raising the capacity before the start promotes too.
    ok(sign_up(&mut b, "v1"));
    ok(sign_up(&mut b, "v3"));
    ok(b.push(
        "c1",
        OpKind::UpdateActivity {
            activity: "a1".into(),
            title: None,
            theme: None,
            description: None,
            venue: None,
            start: None,
            end: None,
            capacity: Some(3),
            sign_up_by: None,
            points: None,
            fixed_points: None,
        },
    ));
    let a = act(&b, "a1");
    assert_eq!(a.places.len(), 3);
    assert!(a.waiting.is_empty());
}

/// Two phones sign up offline for the last place: the first in log order
/// gets it, whatever the stamps say; the other waits and is told.
#[test]
fn two_offline_sign_ups_for_the_last_place_first_in_log_order_wins() {
    let mut b = open_activity(Some(1));
    let early = b.mint(
        "v2",
        OpKind::SignUp {
            activity: "a1".into(),
            member: None,
        },
    );
    b.advance_ms(10 * MIN);
    let late = b.mint(
        "v1",
        OpKind::SignUp {
            activity: "a1".into(),
            member: None,
        },
    );
    assert!(early.hlc < late.hlc);
    assert_eq!(b.append(late.clone()), Outcome::Applied);
    assert_eq!(b.append(early.clone()), Outcome::Applied);
    let a = act(&b, "a1");
    assert_eq!(a.places, vec![MemberId::from("v1")]);
    assert_eq!(a.waiting, vec![MemberId::from("v2")]);
    let told = inbox::items(&b.state, &"v2".into());
    assert_eq!(told[0].op, early.id);
    assert_eq!(told[0].kind, Kind::Waiting { position: Some(1) });
    assert!(inbox::items(&b.state, &"v1".into()).is_empty());
}

#[test]
fn check_in_opens_a_lead_time_before_the_start_and_closes_at_the_end() {
    let mut b = open_activity(None);
    ok(sign_up(&mut b, "v1"));
    ok(sign_up(&mut b, "v2"));
    // 2 h before the start: too early (lead 30 min by default).
    assert_eq!(void(check_in(&mut b, "v1")), VoidReason::CheckInClosed);
    b.advance_ms(90 * MIN);
    ok(check_in(&mut b, "v1"));
    assert_eq!(void(check_in(&mut b, "v1")), VoidReason::AlreadyCheckedIn);
    // Past the end: the end pass finishes it first, then the window is shut.
    b.advance_ms(4 * HOUR);
    assert_eq!(void(check_in(&mut b, "v2")), VoidReason::CheckInClosed);
    assert_eq!(act(&b, "a1").status, ActivityStatus::Finished);
}

#[test]
fn a_self_check_in_needs_a_proof_and_walk_ins_need_room() {
    let mut b = open_activity(Some(2));
    ok(sign_up(&mut b, "v1"));
    b.advance_ms(2 * HOUR);
    assert_eq!(
        void(b.push(
            "v1",
            OpKind::CheckIn {
                activity: "a1".into(),
                member: None,
                proof: String::new(),
            },
        )),
        VoidReason::BadCheckinCode
    );
    // A malformed proof is refused before the reducer's rules.
    assert_eq!(
        void(b.push(
            "v1",
            OpKind::CheckIn {
                activity: "a1".into(),
                member: None,
                proof: "not hex".into(),
            },
        )),
        VoidReason::Invalid
    );
    ok(check_in(&mut b, "v1"));
    // r1 walks in without signing up (room for one more), v2 then finds it full.
    ok(check_in(&mut b, "r1"));
    assert!(act(&b, "a1").attendance[&"r1".into()].walk_in);
    assert_eq!(void(check_in(&mut b, "v2")), VoidReason::ActivityFull);
    // A waiting member who comes counts as a walk-in too.
    let mut b = open_activity(Some(1));
    ok(sign_up(&mut b, "v1"));
    ok(sign_up(&mut b, "v2"));
    ok(withdraw(&mut b, "v1"));
    ok(sign_up(&mut b, "v3"));
    b.advance_ms(2 * HOUR);
    assert_eq!(void(check_in(&mut b, "v3")), VoidReason::ActivityFull);
    ok(check_in(&mut b, "v2"));
}

#[test]
fn check_out_needs_a_check_in_and_counts_once() {
    let mut b = open_activity(None);
    ok(sign_up(&mut b, "v1"));
    b.advance_ms(2 * HOUR);
    assert_eq!(void(check_out(&mut b, "v1")), VoidReason::NotCheckedIn);
    ok(check_in(&mut b, "v1"));
    b.advance_ms(HOUR);
    ok(check_out(&mut b, "v1"));
    assert_eq!(void(check_out(&mut b, "v1")), VoidReason::AlreadyCheckedOut);
}

/// Hours = check-out − check-in clipped to the activity, rounded down to
/// half hours; by-time points = rounded minutes / 30; the entry points at
/// the check-out op and the activity; minutes served move with it.
#[test]
fn hours_are_clipped_rounded_and_booked_at_check_out() {
    let mut b = open_activity(None);
    let start = act(&b, "a1").start;
    ok(sign_up(&mut b, "v1"));
    b.advance_ms(100 * MIN); // 20 min before the start
    ok(check_in(&mut b, "v1"));
    b.advance_ms(20 * MIN + 110 * MIN); // 1 h 50 min after the start
    let out = ok(check_out(&mut b, "v1"));
    assert_eq!(b.now(), start + 110 * MIN);
    let a = act(&b, "a1");
    let att = &a.attendance[&"v1".into()];
    assert_eq!((att.minutes, att.points), (90, 3));
    assert_eq!(
        activity_entries(&b.state, "v1"),
        vec![(out, 3, PointsKind::Basic, PointsReason::Activity, b.now())]
    );
    assert_eq!(views::minutes_served(&b.state, &"v1".into()), 90);
    assert_eq!(views::ledger(&b.state, &"v1".into()).basic, 3);
    assert_eq!(views::leaderboard(&b.state)[0], (&MemberId::from("v1"), 3));
    let mine = inbox::items(&b.state, &"v1".into());
    assert_eq!(
        (mine[0].kind.clone(), mine[0].points),
        (Kind::Attended, Some(3))
    );
}

/// Nobody checked out: the first op stamped after the end closes the
/// attendance at the end, and the points point at that op.
#[test]
fn a_missing_check_out_closes_at_the_end() {
    let mut b = open_activity(None);
    let end = act(&b, "a1").end;
    ok(sign_up(&mut b, "v1"));
    b.advance_ms(2 * HOUR);
    ok(check_in(&mut b, "v1"));
    // Before the end, pages count the time so far, rounded.
    b.advance_ms(75 * MIN);
    let a = act(&b, "a1");
    assert_eq!(
        activities::place(a, &"v1".into(), b.now()).place,
        Place::CheckedIn { since: a.start }
    );
    assert_eq!(activities::place(a, &"v1".into(), b.now()).minutes, 60);
    assert_eq!(activities::phase(a, b.now()), Phase::CheckIn);
    // Past the end with no op yet: ended, with the hours the close will book.
    b.advance_ms(3 * HOUR);
    assert_eq!(activities::phase(act(&b, "a1"), b.now()), Phase::Ended);
    assert_eq!(
        activities::place(act(&b, "a1"), &"v1".into(), b.now()).minutes,
        180
    );
    assert_eq!(act(&b, "a1").status, ActivityStatus::Open);
    let trigger = tick(&mut b);
    let a = act(&b, "a1");
    assert_eq!(a.status, ActivityStatus::Finished);
    let att = &a.attendance[&"v1".into()];
    assert!(att.auto_out);
    assert_eq!(att.check_out.as_ref().unwrap().at, end);
    assert_eq!(
        activity_entries(&b.state, "v1"),
        vec![(trigger, 6, PointsKind::Basic, PointsReason::Activity, end)]
    );
    assert_eq!(views::minutes_served(&b.state, &"v1".into()), 180);
}

/// A check-out made offline before the end but delivered after the close
/// replaces the automatic one; the difference points at the check-out.
#[test]
fn a_late_delivered_check_out_amends_the_automatic_close() {
    let mut b = open_activity(None);
    ok(sign_up(&mut b, "v1"));
    b.advance_ms(2 * HOUR);
    ok(check_in(&mut b, "v1"));
    b.advance_ms(HOUR);
    let offline = b.mint(
        "v1",
        OpKind::CheckOut {
            activity: "a1".into(),
            member: None,
        },
    );
    b.advance_ms(3 * HOUR);
    let trigger = tick(&mut b);
    assert_eq!(b.append(offline.clone()), Outcome::Applied);
    assert_eq!(
        activity_entries(&b.state, "v1"),
        vec![
            (
                trigger,
                6,
                PointsKind::Basic,
                PointsReason::Activity,
                act(&b, "a1").end
            ),
            (
                offline.id.clone(),
                -4,
                PointsKind::Basic,
                PointsReason::Activity,
                offline.hlc.ms
            ),
        ]
    );
    assert_eq!(views::minutes_served(&b.state, &"v1".into()), 60);
    assert_eq!(act(&b, "a1").attendance[&"v1".into()].minutes, 60);
    // A check-in made in the window but delivered after the end closes at once.
    let mut b = open_activity(None);
    b.advance_ms(2 * HOUR + 2 * HOUR);
    let offline = b.mint(
        "v2",
        OpKind::CheckIn {
            activity: "a1".into(),
            member: None,
            proof: checkin::proof(&aid("a1"), &"v2".into(), KEY),
        },
    );
    b.advance_ms(2 * HOUR);
    tick(&mut b);
    assert_eq!(b.append(offline.clone()), Outcome::Applied);
    let att = &act(&b, "a1").attendance[&"v2".into()];
    assert!(att.walk_in && att.auto_out);
    assert_eq!(att.minutes, 60);
}

#[test]
fn fixed_points_and_the_no_show_rule() {
    let settings = Settings {
        points: PointsRules {
            no_show: 2,
            ..PointsRules::default()
        },
        ..Settings::default()
    };
    let mut b = base_with(settings);
    let mut k = create_kind(&b, "a1", 2 * HOUR, 3 * HOUR, None, None);
    if let OpKind::CreateActivity {
        points,
        fixed_points,
        ..
    } = &mut k
    {
        *points = PointsMode::Fixed;
        *fixed_points = Some(5);
    }
    ok(b.push("c1", k));
    ok(b.push(
        "c1",
        OpKind::OpenActivity {
            activity: "a1".into(),
        },
    ));
    ok(sign_up(&mut b, "v1"));
    ok(sign_up(&mut b, "v2"));
    b.advance_ms(2 * HOUR + 10 * MIN);
    ok(check_in(&mut b, "v1"));
    b.advance_ms(10 * MIN);
    let out = ok(check_out(&mut b, "v1"));
    b.advance_ms(4 * HOUR);
    let trigger = tick(&mut b);
    let end = act(&b, "a1").end;
    assert_eq!(
        activity_entries(&b.state, "v1"),
        vec![(
            out,
            5,
            PointsKind::Basic,
            PointsReason::Activity,
            b.now() - 4 * HOUR
        )]
    );
    assert_eq!(
        activity_entries(&b.state, "v2"),
        vec![(
            trigger.clone(),
            -2,
            PointsKind::Deduction,
            PointsReason::NoShow,
            end
        )]
    );
    assert_eq!(
        activities::place(act(&b, "a1"), &"v2".into(), b.now()).place,
        Place::NoShow
    );
    let told = inbox::items(&b.state, &"v2".into());
    assert_eq!(
        (told[0].kind.clone(), told[0].points),
        (Kind::NoShow, Some(-2))
    );
    // A coordinator's correction that v2 was there takes the deduction back
    // and books the attendance, both pointing at the correction.
    let fix = ok(b.push(
        "c1",
        OpKind::CorrectAttendance {
            activity: "a1".into(),
            member: "v2".into(),
            check_in: Some(act(&b, "a1").start),
            check_out: None,
            reason: "纸质签到表补登".into(),
        },
    ));
    let entries = activity_entries(&b.state, "v2");
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[1].0, fix);
    assert_eq!(entries[2].0, fix);
    assert_eq!(b.state.points(&"v2".into()), 5);
    // Default settings: no deduction at all.
    let mut b = open_activity(None);
    ok(sign_up(&mut b, "v2"));
    b.advance_ms(6 * HOUR);
    tick(&mut b);
    assert!(activity_entries(&b.state, "v2").is_empty());
}

#[test]
fn corrections_are_for_coordinators_with_a_reason() {
    let mut b = open_activity(None);
    ok(sign_up(&mut b, "v1"));
    b.advance_ms(2 * HOUR);
    ok(check_in(&mut b, "v1"));
    b.advance_ms(2 * HOUR);
    let out = ok(check_out(&mut b, "v1"));
    let correct = |check_in: Option<u64>, reason: &str| OpKind::CorrectAttendance {
        activity: "a1".into(),
        member: "v1".into(),
        check_in,
        check_out: None,
        reason: reason.into(),
    };
    assert_eq!(
        void(b.push("v1", correct(None, "x"))),
        VoidReason::Forbidden
    );
    assert_eq!(void(b.push("c1", correct(None, ""))), VoidReason::Invalid);
    // "Did not attend": the points go, pointing at the correction.
    let fix = ok(b.push("c1", correct(None, "未到场")));
    assert_eq!(
        activity_entries(&b.state, "v1")
            .iter()
            .map(|e| (e.0.clone(), e.1))
            .collect::<Vec<_>>(),
        vec![(out, 4), (fix, -4)]
    );
    assert_eq!(views::minutes_served(&b.state, &"v1".into()), 0);
    let a = act(&b, "a1");
    assert!(
        a.timeline
            .iter()
            .any(|t| t.step == linli_core::activity::ActivityStep::Correct && t.text == "未到场")
    );
}

#[test]
fn a_cancelled_activity_refuses_everything() {
    let mut b = open_activity(None);
    ok(sign_up(&mut b, "v1"));
    assert_eq!(
        void(b.push(
            "c1",
            OpKind::CancelActivity {
                activity: "a1".into(),
                reason: " ".into(),
            },
        )),
        VoidReason::Invalid
    );
    ok(b.push(
        "c1",
        OpKind::CancelActivity {
            activity: "a1".into(),
            reason: "暴雨预警".into(),
        },
    ));
    let told = inbox::items(&b.state, &"v1".into());
    assert_eq!(told[0].kind, Kind::ActivityCancelled);
    assert_eq!(void(sign_up(&mut b, "v2")), VoidReason::ActivityCancelled);
    assert_eq!(void(withdraw(&mut b, "v1")), VoidReason::ActivityCancelled);
    b.advance_ms(2 * HOUR);
    assert_eq!(void(check_in(&mut b, "v1")), VoidReason::ActivityCancelled);
    assert_eq!(
        void(b.push(
            "c1",
            OpKind::OpenActivity {
                activity: "a1".into(),
            },
        )),
        VoidReason::ActivityCancelled
    );
    b.advance_ms(4 * HOUR);
    tick(&mut b);
    assert_eq!(act(&b, "a1").status, ActivityStatus::Cancelled);
    assert!(b.state.activity_ends.is_empty());
    let a = act(&b, "a1");
    assert!(activities::available(&b.state, &b.state.members[&"c1".into()], a, b.now()).is_empty());
    assert_eq!(activities::phase(a, b.now()), Phase::Cancelled);
}

#[test]
fn update_and_cancel_only_before_the_start_withdraw_too() {
    let mut b = open_activity(None);
    ok(sign_up(&mut b, "v1"));
    b.advance_ms(2 * HOUR - 10 * MIN);
    ok(check_in(&mut b, "v1"));
    assert_eq!(void(withdraw(&mut b, "v1")), VoidReason::AlreadyCheckedIn);
    assert_eq!(void(withdraw(&mut b, "v2")), VoidReason::NotSignedUp);
    b.advance_ms(20 * MIN);
    // The deadline is the start; v2 comes anyway, as a walk-in.
    assert_eq!(void(sign_up(&mut b, "v2")), VoidReason::SignUpClosed);
    ok(check_in(&mut b, "v2"));
    let a = act(&b, "a1");
    assert!(a.waiting.is_empty() && a.places.contains(&"v2".into()));
    let upd = OpKind::UpdateActivity {
        activity: "a1".into(),
        title: Some("改名".into()),
        theme: None,
        description: None,
        venue: None,
        start: None,
        end: None,
        capacity: None,
        sign_up_by: None,
        points: None,
        fixed_points: None,
    };
    assert_eq!(void(b.push("c1", upd)), VoidReason::ActivityStarted);
    assert_eq!(void(withdraw(&mut b, "v2")), VoidReason::ActivityStarted);
    assert_eq!(
        void(b.push(
            "c1",
            OpKind::CancelActivity {
                activity: "a1".into(),
                reason: "x".into(),
            },
        )),
        VoidReason::ActivityStarted
    );
}

#[test]
fn sign_up_rules() {
    let mut b = base();
    let mut k = create_kind(&b, "a1", 5 * HOUR, 3 * HOUR, None, None);
    let deadline = b.now() + HOUR;
    if let OpKind::CreateActivity { sign_up_by, .. } = &mut k {
        *sign_up_by = Some(deadline);
    }
    ok(b.push("c1", k));
    assert_eq!(void(sign_up(&mut b, "v1")), VoidReason::ActivityNotOpen);
    ok(b.push(
        "c1",
        OpKind::OpenActivity {
            activity: "a1".into(),
        },
    ));
    assert_eq!(
        void(b.push(
            "c1",
            OpKind::OpenActivity {
                activity: "a1".into(),
            },
        )),
        VoidReason::WrongStatus
    );
    ok(sign_up(&mut b, "v1"));
    assert_eq!(void(sign_up(&mut b, "v1")), VoidReason::AlreadySignedUp);
    // Kiosks and viewers do not take part; a volunteer signs up only themselves.
    assert_eq!(void(sign_up(&mut b, "k1")), VoidReason::Forbidden);
    assert_eq!(void(sign_up(&mut b, "x1")), VoidReason::Forbidden);
    let for_v2 = OpKind::SignUp {
        activity: "a1".into(),
        member: Some("v2".into()),
    };
    assert_eq!(void(b.push("v3", for_v2.clone())), VoidReason::Forbidden);
    ok(b.push("c1", for_v2));
    assert_eq!(
        void(b.push(
            "c1",
            OpKind::SignUp {
                activity: "a1".into(),
                member: Some("nobody".into()),
            },
        )),
        VoidReason::UnknownMember
    );
    b.advance_ms(2 * HOUR);
    assert_eq!(void(sign_up(&mut b, "v3")), VoidReason::SignUpClosed);
    b.advance_ms(10 * HOUR);
    assert_eq!(void(sign_up(&mut b, "v3")), VoidReason::ActivityFinished);
    assert_eq!(
        void(b.push(
            "c1",
            OpKind::OpenActivity {
                activity: "a1".into(),
            },
        )),
        VoidReason::ActivityFinished
    );
}

#[test]
fn creating_activities() {
    let mut b = base();
    let k = create_kind(&b, "a1", HOUR, HOUR, None, None);
    ok(b.push("c1", k.clone()));
    assert_eq!(void(b.push("c1", k)), VoidReason::AlreadyExists);
    let mut k = create_kind(&b, "a2", HOUR, HOUR, None, None);
    if let OpKind::CreateActivity { theme, .. } = &mut k {
        *theme = "没有这个主题".into();
    }
    assert_eq!(void(b.push("c1", k)), VoidReason::UnknownTheme);
    let team = |t: &str| Some(Organiser::Team(t.into()));
    // A team lead creates for the team they lead, not for the community.
    ok(b.push("v1", create_kind(&b, "a3", HOUR, HOUR, None, team("t1"))));
    let k = create_kind(&b, "a4", HOUR, HOUR, None, None);
    assert_eq!(void(b.push("v1", k)), VoidReason::Forbidden);
    let k = create_kind(&b, "a4", HOUR, HOUR, None, team("t1"));
    assert_eq!(void(b.push("v2", k)), VoidReason::Forbidden);
    let k = create_kind(&b, "a4", HOUR, HOUR, None, team("t9"));
    assert_eq!(void(b.push("c1", k)), VoidReason::UnknownTeam);
    let unit = |u: &str| Some(Organiser::Partner(u.into()));
    let k = create_kind(&b, "a4", HOUR, HOUR, None, unit("u9"));
    assert_eq!(void(b.push("c1", k)), VoidReason::UnknownPartner);
    ok(b.push("p1", create_kind(&b, "a5", HOUR, HOUR, None, unit("u1"))));
    assert_eq!(
        void(b.push("r1", create_kind(&b, "a6", HOUR, HOUR, None, None))),
        VoidReason::Forbidden
    );
    // The organising lead may open, but not another team's member.
    ok(b.push(
        "v1",
        OpKind::OpenActivity {
            activity: "a3".into(),
        },
    ));
    assert_eq!(
        void(b.push(
            "v1",
            OpKind::OpenActivity {
                activity: "a5".into()
            }
        )),
        VoidReason::Forbidden
    );
    assert_eq!(
        void(b.push(
            "c1",
            OpKind::OpenActivity {
                activity: "a9".into()
            }
        )),
        VoidReason::UnknownActivity
    );
    // Payload limits.
    let mut k = create_kind(&b, "a7", HOUR, 8 * 24 * HOUR, None, None);
    assert_eq!(
        linli_core::validate::kind(&k),
        Err(linli_core::ValidationError::ActivityTooLong)
    );
    if let OpKind::CreateActivity { end, start, .. } = &mut k {
        *end = *start;
    }
    assert_eq!(
        linli_core::validate::kind(&k),
        Err(linli_core::ValidationError::WindowInverted)
    );
    let k = create_kind(&b, "a7", HOUR, HOUR, Some(0), None);
    assert_eq!(
        linli_core::validate::kind(&k),
        Err(linli_core::ValidationError::CapacityOutOfRange)
    );
}

#[test]
fn the_kiosk_and_organisers_check_people_in_for_them() {
    let mut b = base();
    ok(b.push(
        "v1",
        create_kind(
            &b,
            "a1",
            HOUR,
            3 * HOUR,
            None,
            Some(Organiser::Team("t1".into())),
        ),
    ));
    ok(b.push(
        "v1",
        OpKind::OpenActivity {
            activity: "a1".into(),
        },
    ));
    b.advance_ms(HOUR);
    ok(check_in_for(&mut b, "k1", "v3"));
    let att = &act(&b, "a1").attendance[&"v3".into()];
    assert!(att.verified && !att.by_self);
    assert_eq!(
        void(check_in_for(&mut b, "k1", "k1")),
        VoidReason::Forbidden
    );
    assert_eq!(
        void(check_in_for(&mut b, "v2", "r1")),
        VoidReason::Forbidden
    );
    assert_eq!(
        void(check_in_for(&mut b, "x1", "r1")),
        VoidReason::Forbidden
    );
    assert_eq!(
        void(check_in_for(&mut b, "k1", "nobody")),
        VoidReason::UnknownMember
    );
    ok(check_in_for(&mut b, "v1", "r1")); // the organising team's lead
    ok(b.push(
        "k1",
        OpKind::CheckOut {
            activity: "a1".into(),
            member: Some("v3".into()),
        },
    ));
    assert_eq!(
        void(b.push(
            "v2",
            OpKind::CheckOut {
                activity: "a1".into(),
                member: Some("r1".into()),
            },
        )),
        VoidReason::Forbidden
    );
}

/// The key stays off the log until an organiser reveals it after the end;
/// then every self check-in's proof is checked and forged ones lose their
/// points, pointing at the verification.
#[test]
fn revealing_the_key_verifies_every_self_check_in() {
    let mut b = open_activity(None);
    ok(sign_up(&mut b, "v1"));
    b.advance_ms(2 * HOUR);
    ok(check_in(&mut b, "v1"));
    // v2 was not there: a proof made up (or one read in the log, bound to v1).
    ok(b.push(
        "v2",
        OpKind::CheckIn {
            activity: "a1".into(),
            member: None,
            proof: checkin::proof(&aid("a1"), &"v1".into(), KEY),
        },
    ));
    assert!(!act(&b, "a1").attendance[&"v2".into()].verified);
    let verify = |key: &str| OpKind::VerifyCheckIns {
        activity: "a1".into(),
        key: key.into(),
    };
    assert_eq!(void(b.push("c1", verify(KEY))), VoidReason::ActivityNotOver);
    b.advance_ms(4 * HOUR);
    tick(&mut b);
    assert_eq!(activity_entries(&b.state, "v2").len(), 1);
    assert_eq!(
        void(b.push("c1", verify("0000-0000-0000-0000"))),
        VoidReason::BadCheckinCode
    );
    assert_eq!(void(b.push("v2", verify(KEY))), VoidReason::Forbidden);
    let v = ok(b.push("c1", verify(KEY)));
    let a = act(&b, "a1").clone();
    assert_eq!(a.key.as_deref(), Some("7K3M9PQRT2VWXY45"));
    assert!(a.attendance[&"v1".into()].verified);
    assert!(a.attendance[&"v2".into()].rejected);
    assert_eq!(b.state.points(&"v2".into()), 0);
    assert_eq!(activity_entries(&b.state, "v2")[1].0, v);
    assert_eq!(
        activities::place(&a, &"v2".into(), b.now()).place,
        Place::Rejected
    );
    let told = inbox::items(&b.state, &"v2".into());
    assert_eq!(
        (told[0].kind.clone(), told[0].op.clone()),
        (Kind::CheckInRejected, v)
    );
    assert_eq!(told[0].points, Some(-6));
    assert_eq!(void(b.push("c1", verify(KEY))), VoidReason::AlreadyVerified);
    // Once the key is public a self check-in proves nothing: refused.
    let late = b.mint(
        "v3",
        OpKind::CheckIn {
            activity: "a1".into(),
            member: None,
            proof: checkin::proof(&aid("a1"), &"v3".into(), KEY),
        },
    );
    let mut backdated = late.clone();
    backdated.hlc.ms = a.start;
    assert_eq!(
        b.append(backdated),
        Outcome::Void(VoidReason::CheckInClosed)
    );
}

/// Every activity void reason is reached by the tests above (collected
/// here in one scenario so a new reason without a test fails).
#[test]
fn every_activity_void_reason_is_reachable() {
    let all: BTreeSet<VoidReason> = VoidReason::ALL
        .into_iter()
        .skip_while(|r| *r != VoidReason::UnknownActivity)
        .take_while(|r| *r != VoidReason::UnknownHousehold)
        .collect();
    let mut seen = BTreeSet::new();
    let mut b = open_activity(Some(1));
    let mut note = |r: VoidReason| {
        seen.insert(r);
    };
    note(void(b.push(
        "c1",
        OpKind::OpenActivity {
            activity: "zz".into(),
        },
    )));
    let mut k = create_kind(&b, "a2", HOUR, HOUR, None, None);
    if let OpKind::CreateActivity { theme, .. } = &mut k {
        *theme = "x".into();
    }
    note(void(b.push("c1", k)));
    ok(b.push("c1", create_kind(&b, "a3", 9 * HOUR, HOUR, None, None)));
    note(void(b.push(
        "v1",
        OpKind::SignUp {
            activity: "a3".into(),
            member: None,
        },
    )));
    ok(b.push(
        "c1",
        OpKind::CancelActivity {
            activity: "a3".into(),
            reason: "x".into(),
        },
    ));
    note(void(b.push(
        "c1",
        OpKind::OpenActivity {
            activity: "a3".into(),
        },
    )));
    ok(sign_up(&mut b, "v1"));
    note(void(sign_up(&mut b, "v1")));
    note(void(withdraw(&mut b, "v3")));
    note(void(check_out(&mut b, "v1")));
    note(void(check_in(&mut b, "v1")));
    note(void(b.push(
        "c1",
        OpKind::VerifyCheckIns {
            activity: "a1".into(),
            key: KEY.into(),
        },
    )));
    b.advance_ms(2 * HOUR + MIN);
    note(void(sign_up(&mut b, "v2")));
    note(void(b.push(
        "v1",
        OpKind::CheckIn {
            activity: "a1".into(),
            member: None,
            proof: String::new(),
        },
    )));
    ok(check_in(&mut b, "v1"));
    note(void(check_in(&mut b, "v1")));
    note(void(check_in(&mut b, "v2")));
    note(void(withdraw(&mut b, "v1")));
    ok(check_out(&mut b, "v1"));
    note(void(check_out(&mut b, "v1")));
    b.advance_ms(4 * HOUR);
    note(void(sign_up(&mut b, "v2")));
    ok(b.push(
        "c1",
        OpKind::VerifyCheckIns {
            activity: "a1".into(),
            key: KEY.into(),
        },
    ));
    note(void(b.push(
        "c1",
        OpKind::VerifyCheckIns {
            activity: "a1".into(),
            key: KEY.into(),
        },
    )));
    let wrong = create_kind(&b, "a4", HOUR, HOUR, None, None);
    ok(b.push("c1", wrong));
    b.advance_ms(3 * HOUR);
    tick(&mut b);
    note(void(b.push(
        "c1",
        OpKind::VerifyCheckIns {
            activity: "a4".into(),
            key: "0000000000000000".into(),
        },
    )));
    let missing: Vec<_> = all.difference(&seen).collect();
    assert!(missing.is_empty(), "unreached: {missing:?}");
}

/// Every point an activity moved is traced to an op of the log, about the
/// activity, and the activity's records add up to the ledger.
#[test]
fn activity_points_are_traced_to_their_ops() {
    let log = linli_core::demo::community_log(7, T0);
    let s = linli_core::fold(&log);
    let ids: BTreeSet<&OpId> = log.iter().map(|e| &e.op.id).collect();
    let mut n = 0;
    for (m, entries) in &s.ledger {
        for e in entries.iter().filter(|e| e.about.activity().is_some()) {
            assert!(ids.contains(&e.op), "{m}: {e:?}");
            let a = &s.activities[e.about.activity().unwrap()];
            assert!(a.attendance.contains_key(m) || a.places.contains(m));
            n += 1;
        }
        let booked: i64 = s
            .activities
            .values()
            .filter_map(|a| a.attendance.get(m))
            .map(|x| x.points + x.no_show)
            .sum();
        let ledger: i64 = entries
            .iter()
            .filter(|e| e.about.activity().is_some())
            .map(|e| e.delta)
            .sum();
        assert_eq!(booked, ledger, "{m}");
    }
    assert!(n > 10, "the demo books activity points ({n})");
}

/// What pages offer (`activities::available`) folds without a void, and
/// what they do not offer would be void, for every member and row at every
/// stage of an activity.
#[test]
fn available_agrees_with_the_reducer() {
    let everyone = ["c1", "g1", "v1", "v2", "v3", "r1", "p1", "k1", "x1"];
    let mut stages: Vec<LogBuilder> = Vec::new();
    for organiser in [None, Some(Organiser::Team("t1".into()))] {
        let mut b = base();
        let author = if organiser.is_some() { "v1" } else { "c1" };
        ok(b.push(
            author,
            create_kind(&b, "a1", 2 * HOUR, 3 * HOUR, Some(2), organiser),
        ));
        stages.push(b.clone()); // planned
        ok(b.push(
            author,
            OpKind::OpenActivity {
                activity: "a1".into(),
            },
        ));
        stages.push(b.clone()); // open, before check-in
        ok(sign_up(&mut b, "v2"));
        ok(sign_up(&mut b, "r1"));
        ok(sign_up(&mut b, "v3")); // waits
        stages.push(b.clone()); // full
        b.advance_ms(2 * HOUR);
        ok(check_in(&mut b, "v2"));
        stages.push(b.clone()); // running
        b.advance_ms(4 * HOUR);
        stages.push(b.clone()); // ended, no op yet
        tick(&mut b);
        stages.push(b.clone()); // finished
    }
    let mut checked = 0;
    for (i, stage) in stages.iter().enumerate() {
        for who in everyone {
            let member = stage.state.members[&who.into()].clone();
            let a = stage.state.activities[&aid("a1")].clone();
            for row in activities::TABLE {
                let now = stage.now();
                let offered = activities::offered(&stage.state, &member, &a, row, now);
                let mut input = Input {
                    key: KEY.into(),
                    reason: "说明".into(),
                    check_in: Some(a.start),
                    ..Input::default()
                };
                let kind = if row.action == Action::UpdateActivity {
                    let mut d = Draft::of(&a);
                    d.title = "新标题".into();
                    d.update(&a).unwrap()
                } else {
                    if row.for_others {
                        let c = activities::candidates(&stage.state, &a, row);
                        let pick = c.iter().find(|m| m.id != member.id);
                        match pick {
                            Some(m) => input.member = Some(m.id.clone()),
                            None if offered => continue,
                            None => input.member = Some("v3".into()),
                        }
                    }
                    match row.op(&a, &member.id, &input) {
                        Ok(k) => k,
                        Err(e) => panic!("stage {i} {who} {row:?}: {e:?}"),
                    }
                };
                let mut b = stage.clone();
                let out = b.push(who, kind).1;
                if offered {
                    assert_eq!(out, Outcome::Applied, "stage {i} {who} {row:?} offered");
                } else {
                    assert!(
                        matches!(out, Outcome::Void(_)),
                        "stage {i} {who} {row:?} not offered but {out:?}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, stages.len() * 9 * activities::TABLE.len());
}

#[test]
fn organisers_and_drafts() {
    let b = base();
    let s = &b.state;
    let m = |id: &str| s.members[&id.into()].clone();
    assert_eq!(activities::organisers(s, &m("c1")).len(), 3);
    assert_eq!(
        activities::organisers(s, &m("v1")),
        vec![Some(Organiser::Team("t1".into()))]
    );
    assert!(activities::organisers(s, &m("v2")).is_empty());
    assert_eq!(
        activities::organisers(s, &m("p1")),
        vec![Some(Organiser::Partner("u1".into()))]
    );
    assert!(activities::organisers(s, &m("k1")).is_empty());
    assert_eq!(activities::themes(s)[0], "红色星期六");
    let d = Draft {
        title: " 应急演练 ".into(),
        theme: "应急演练".into(),
        description: String::new(),
        venue: "小区广场".into(),
        start: T0 + HOUR,
        end: T0 + 3 * HOUR,
        capacity: Some(30),
        organiser: None,
        sign_up_by: None,
        points: PointsMode::Fixed,
        fixed_points: Some(3),
    };
    let k = d.create("a1".into(), KEY).unwrap();
    assert!(matches!(&k, OpKind::CreateActivity { title, check, .. }
        if title == "应急演练" && checkin::key_matches(&aid("a1"), check, KEY)));
    assert_eq!(
        d.create("a1".into(), "short"),
        Err(linli_core::ValidationError::BadCode)
    );
    // A self check-in with a mistyped key is refused before it is minted.
    let mut b = open_activity(None);
    let a = act(&b, "a1").clone();
    let row = activities::TABLE
        .iter()
        .find(|r| r.action == Action::CheckIn && !r.for_others)
        .unwrap();
    let typo = Input {
        key: "7K3M-9PQR-T2VW-XY46".into(),
        ..Input::default()
    };
    assert_eq!(
        row.op(&a, &"v1".into(), &typo),
        Err(linli_core::ValidationError::BadCode)
    );
    let good = Input {
        key: "7k3m 9pqr t2vw xy45".into(),
        ..Input::default()
    };
    b.advance_ms(2 * HOUR);
    let k = row.op(&a, &"v1".into(), &good).unwrap();
    ok(b.push("v1", k));
}

#[test]
fn calendar_roster_and_participation() {
    // 2023-11-30 16:30 UTC is 00:30 on 1 December in Beijing.
    let dec1 = 1_701_361_800_000;
    let mut b = base();
    b.advance_ms(dec1 - 48 * HOUR - T0);
    let at = |b: &LogBuilder, t: u64| t - b.now();
    ok(b.push(
        "c1",
        create_kind(&b, "a1", at(&b, dec1), 2 * HOUR, Some(1), None),
    ));
    ok(b.push(
        "v1",
        create_kind(
            &b,
            "a2",
            at(&b, dec1 - HOUR),
            2 * HOUR,
            None,
            Some(Organiser::Team("t1".into())),
        ),
    ));
    ok(b.push(
        "c1",
        OpKind::OpenActivity {
            activity: "a1".into(),
        },
    ));
    ok(b.push(
        "v1",
        OpKind::OpenActivity {
            activity: "a2".into(),
        },
    ));
    ok(sign_up(&mut b, "v1"));
    ok(sign_up(&mut b, "v2"));
    ok(sign_up(&mut b, "v3"));
    ok(withdraw(&mut b, "v3"));
    assert_eq!(activities::months(&b.state), vec!["2023-11", "2023-12"]);
    let dec = activities::month(&b.state, "2023-12");
    assert_eq!(dec.len(), 1);
    assert_eq!(dec[0].id, aid("a1"));
    assert_eq!(activities::days(&b.state, "2023-12")[0].0, 1);
    assert_eq!(activities::month(&b.state, "2023-11")[0].id, aid("a2"));
    assert_eq!(activities::upcoming(&b.state, b.now()).len(), 2);
    assert_eq!(activities::mine(&b.state, &"v2".into())[0].id, aid("a1"));
    assert!(activities::today(&b.state, b.now()).is_empty());
    assert_eq!(activities::today(&b.state, dec1).len(), 2);
    b.advance_ms(at(&b, dec1));
    ok(check_in(&mut b, "v1"));
    b.advance_ms(HOUR);
    ok(check_out(&mut b, "v1"));
    let a = act(&b, "a1");
    let rows = activities::roster(&b.state, a, b.now());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].name, "成员v1");
    assert_eq!(rows[0].place, Place::CheckedOut);
    assert_eq!(rows[1].place, Place::Waiting { position: 1 });
    let csv = activities::roster_csv(
        &b.state,
        a,
        b.now(),
        [
            "姓名", "编号", "状态", "签到", "签退", "分钟", "积分", "核验",
        ],
        |p| p.code().to_owned(),
    );
    assert!(csv.starts_with("\u{feff}姓名,编号,"));
    assert!(csv.contains("成员v1,v1,checked_out,2023-12-01 00:30,2023-12-01 01:30,60,2,0\r\n"));
    b.advance_ms(3 * HOUR);
    tick(&mut b);
    let by_month = activities::participation(&b.state, GroupBy::Month, &Period::All);
    assert_eq!(
        by_month.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(),
        vec!["2023-11", "2023-12"]
    );
    assert_eq!(
        (
            by_month[1].sign_ups,
            by_month[1].attended,
            by_month[1].no_shows,
            by_month[1].waiting,
            by_month[1].minutes
        ),
        (1, 1, 0, 1, 60)
    );
    let by_team =
        activities::participation(&b.state, GroupBy::Team, &Period::Month("2023-11".into()));
    assert_eq!(by_team.len(), 1);
    assert_eq!(by_team[0].key, "t1");
    assert_eq!(by_team[0].activities, 1);
    let all = activities::participation(&b.state, GroupBy::All, &Period::All);
    assert_eq!(all[0].activities, 2);
    // By the participants' teams: v1 and v2 are in t1; v3 in none.
    let by_member_team = activities::participation(
        &b.state,
        GroupBy::MemberTeam,
        &Period::Month("2023-12".into()),
    );
    assert_eq!(
        by_member_team
            .iter()
            .map(|p| (
                p.key.as_str(),
                p.activities,
                p.sign_ups,
                p.waiting,
                p.attended,
                p.minutes
            ))
            .collect::<Vec<_>>(),
        vec![("t1", 1, 1, 1, 1, 60)]
    );
}

/// An old device (schema 1) reads a log with activity ops: it keeps every
/// one as `Unknown`, re-encodes it unchanged, folds it as `unknown_kind`
/// (seen, so never applied twice) and agrees with other old devices.
#[test]
fn an_old_device_keeps_activity_ops_as_unknown_kinds() {
    let mut b = open_activity(Some(1));
    ok(sign_up(&mut b, "v1"));
    ok(sign_up(&mut b, "v2"));
    b.advance_ms(2 * HOUR);
    ok(check_in(&mut b, "v1"));
    ok(check_out(&mut b, "v1"));
    let wire = serde_json::to_value(&b.log).unwrap();
    let old: Vec<LogEntry> = wire
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let op = &e["op"];
            let kind =
                OpKind::from_value_as(op["kind"].clone(), op["v"].as_u64().unwrap() as u16, 1)
                    .unwrap();
            if op["kind"]["type"].as_str().unwrap().contains("activity")
                || ["sign_up", "check_in", "check_out"]
                    .contains(&op["kind"]["type"].as_str().unwrap())
            {
                assert!(matches!(kind, OpKind::Unknown(_)), "{op}");
            }
            // Unchanged on the way back out.
            assert_eq!(serde_json::to_value(&kind).unwrap(), op["kind"]);
            LogEntry {
                seq: e["seq"].as_u64().unwrap(),
                op: Op {
                    v: op["v"].as_u64().unwrap() as u16,
                    id: serde_json::from_value(op["id"].clone()).unwrap(),
                    author: serde_json::from_value(op["author"].clone()).unwrap(),
                    hlc: serde_json::from_value(op["hlc"].clone()).unwrap(),
                    kind,
                },
            }
        })
        .collect();
    let s = linli_core::fold(&old);
    let activity_ops: Vec<&LogEntry> = old
        .iter()
        .filter(|e| matches!(e.op.kind, OpKind::Unknown(_)))
        .collect();
    assert_eq!(activity_ops.len(), 6);
    for e in activity_ops {
        assert_eq!(
            s.outcome(&e.op.id),
            Some(Outcome::Void(VoidReason::UnknownKind))
        );
    }
    assert!(s.activities.is_empty());
    assert_eq!(linli_core::fold(&old).hash(), s.hash());
    // And every activity op's JSON, read by the current schema, is itself.
    for e in &b.log {
        let back: Op = serde_json::from_value(serde_json::to_value(&e.op).unwrap()).unwrap();
        assert_eq!(back, e.op);
    }
}

#[test]
fn a_snapshot_mid_activity_resumes_identically() {
    let mut b = open_activity(Some(1));
    ok(sign_up(&mut b, "v1"));
    ok(sign_up(&mut b, "v2"));
    b.advance_ms(2 * HOUR);
    ok(check_in(&mut b, "v1"));
    let snap = serde_json::to_string(&b.state).unwrap();
    let mut resumed: State = serde_json::from_str(&snap).unwrap();
    assert_eq!(resumed.hash(), b.state.hash());
    b.advance_ms(4 * HOUR);
    tick(&mut b);
    resumed.apply(b.log.last().unwrap());
    assert_eq!(resumed.hash(), b.state.hash());
    assert_eq!(
        resumed.activities[&aid("a1")].status,
        ActivityStatus::Finished
    );
}

#[test]
fn payload_limits_and_settings() {
    use linli_core::ValidationError as E;
    use linli_core::validate::{kind, settings};
    let b = base();
    let mut k = create_kind(&b, "a1", HOUR, 2 * HOUR, None, None);
    if let OpKind::CreateActivity { sign_up_by, .. } = &mut k {
        *sign_up_by = Some(T0 + 10 * HOUR);
        assert_eq!(kind(&k), Err(E::SignUpAfterEnd));
    }
    let mut k = create_kind(&b, "a1", HOUR, 2 * HOUR, None, None);
    if let OpKind::CreateActivity { check, .. } = &mut k {
        *check = "ABC".into();
    }
    assert_eq!(kind(&k), Err(E::BadCode));
    let mut k = create_kind(&b, "a1", HOUR, 2 * HOUR, None, None);
    if let OpKind::CreateActivity { fixed_points, .. } = &mut k {
        *fixed_points = Some(101);
    }
    assert_eq!(kind(&k), Err(E::PointsOutOfRange));
    let correct = |i: Option<u64>, o: Option<u64>| OpKind::CorrectAttendance {
        activity: "a1".into(),
        member: "v1".into(),
        check_in: i,
        check_out: o,
        reason: "x".into(),
    };
    assert_eq!(
        kind(&correct(None, Some(1))),
        Err(E::CheckOutWithoutCheckIn)
    );
    assert_eq!(kind(&correct(Some(2), Some(1))), Err(E::WindowInverted));
    assert_eq!(kind(&correct(Some(1), Some(2))), Ok(()));
    let verify = |key: &str| OpKind::VerifyCheckIns {
        activity: "a1".into(),
        key: key.into(),
    };
    assert_eq!(kind(&verify("short")), Err(E::BadCode));
    assert_eq!(kind(&verify(KEY)), Ok(()));
    // Activity settings.
    let mut s = Settings::default();
    s.activities.round_minutes = 0;
    assert_eq!(settings(&s), Err(E::BadActivitySettings));
    let mut s = Settings::default();
    s.activities.themes.clear();
    assert_eq!(settings(&s), Err(E::BadActivitySettings));
    let mut s = Settings::default();
    s.points.no_show = -1;
    assert_eq!(settings(&s), Err(E::PointsOutOfRange));
    // Settings written before activities existed read with the defaults,
    // so old `update_settings` ops in a log still fold the same.
    let old = serde_json::json!({
        "lease_hours": 48,
        "points": {"minutes_per_point": 30, "satisfied": 2, "basically_satisfied": 1, "lapsed": 1, "not_satisfied": 2},
        "utc_offset_minutes": 480
    });
    let s: Settings = serde_json::from_value(old).unwrap();
    assert_eq!(s.activities, ActivitySettings::default());
    assert_eq!((s.points.per_attendance, s.points.no_show), (2, 0));
    assert_eq!(s.lease_hours, 48);
}
