//! Every lifecycle transition and every void reason, through real ops.

use linli_core::demo::LogBuilder;
use linli_core::lifecycle::Step;
use linli_core::model::*;
use linli_core::op::{Action, OpKind};
use linli_core::permissions::{Rule, rule};
use linli_core::reduce::{Outcome, PointsKind, PointsReason, VoidReason};
use linli_core::{OpId, WishId};
use std::collections::BTreeSet;

const T0: u64 = 1_700_000_000_000;
const HOUR: u64 = 3_600_000;
const GRID: &str = "一网格";

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

fn member(b: &mut LogBuilder, id: &str, role: Role) {
    ok(b.push(
        "c1",
        OpKind::AddMember {
            member: id.into(),
            name: format!("成员{id}"),
            role,
            skills: vec![Category::Repair],
            grids: vec![GRID.into()],
            partner: (role == Role::Partner).then(|| "u1".into()),
        },
    ));
}

/// A community with one member of each role, a team and a partner unit.
fn base() -> LogBuilder {
    let mut b = LogBuilder::new(T0);
    ok(b.push(
        "c1",
        OpKind::CreateCommunity {
            community: "cm".into(),
            name: "长寿路社区".into(),
            founder: "苏书记".into(),
            grids: vec![GRID.into(), "二网格".into()],
            buildings: vec!["3号楼".into()],
            settings: None,
        },
    ));
    ok(b.push(
        "c1",
        OpKind::AddPartner {
            partner: "u1".into(),
            name: "市第三人民医院".into(),
        },
    ));
    member(&mut b, "g1", Role::GridWorker);
    member(&mut b, "v1", Role::Volunteer);
    member(&mut b, "v2", Role::Volunteer);
    member(&mut b, "r1", Role::Resident);
    member(&mut b, "p1", Role::Partner);
    member(&mut b, "k1", Role::Kiosk);
    member(&mut b, "x1", Role::Viewer);
    ok(b.push(
        "c1",
        OpKind::CreateTeam {
            team: "t1".into(),
            name: "党员先锋队".into(),
            lead: Some("v1".into()),
            members: vec!["v1".into(), "v2".into()],
            categories: vec![Category::Repair],
        },
    ));
    ok(b.push(
        "p1",
        OpKind::AddResource {
            resource: "res1".into(),
            partner: "u1".into(),
            title: "周六义诊".into(),
            categories: vec![Category::Medical],
            capacity: 5,
            window: None,
            weekdays: 0b0010_0000,
            grids: vec![],
        },
    ));
    b
}

fn create(b: &mut LogBuilder, author: &str, wish: &str, channel: Channel) -> (OpId, Outcome) {
    b.push(
        author,
        OpKind::CreateWish {
            wish: wish.into(),
            category: Category::Repair,
            title: "楼道灯坏了".into(),
            description: "3号楼2单元楼道灯不亮".into(),
            place: Place {
                grid: Some(GRID.into()),
                building: Some("3号楼".into()),
                unit: Some("2单元".into()),
                text: None,
            },
            urgency: Urgency::High,
            window: None,
            channel,
            requester: None,
        },
    )
}

fn w(id: &str) -> WishId {
    id.into()
}

fn wish<'a>(b: &'a LogBuilder, id: &str) -> &'a Wish {
    &b.state.wishes[&w(id)]
}

/// A published wish `w1` filed by resident r1.
fn published() -> LogBuilder {
    let mut b = base();
    ok(create(&mut b, "r1", "w1", Channel::SelfService));
    ok(b.push("c1", OpKind::Publish { wish: w("w1") }));
    b
}

fn claimed() -> LogBuilder {
    let mut b = published();
    ok(b.push("v1", OpKind::Claim { wish: w("w1") }));
    b
}

fn completed(minutes: u32) -> LogBuilder {
    let mut b = claimed();
    ok(b.push("v1", OpKind::Start { wish: w("w1") }));
    ok(b.push(
        "v1",
        OpKind::Complete {
            wish: w("w1"),
            report: "换了灯泡".into(),
            minutes,
        },
    ));
    b
}

fn evaluate(b: &mut LogBuilder, who: &str, rating: Rating) -> (OpId, Outcome) {
    b.push(
        who,
        OpKind::Evaluate {
            wish: w("w1"),
            rating,
            comment: String::new(),
        },
    )
}

#[test]
fn bootstrap_makes_the_author_coordinator() {
    let b = base();
    let c = &b.state.members[&"c1".into()];
    assert_eq!(c.role, Role::Coordinator);
    assert_eq!(c.name, "苏书记");
    assert_eq!(b.state.community.as_ref().unwrap().settings.lease_hours, 72);
}

#[test]
fn create_self_sets_requester_and_submitted() {
    let mut b = base();
    ok(create(&mut b, "r1", "w1", Channel::SelfService));
    let x = wish(&b, "w1");
    assert_eq!(x.status, Status::Submitted);
    assert_eq!(x.requester, Some("r1".into()));
    assert_eq!(x.timeline[0].step, Step::Create);
}

#[test]
fn grid_worker_files_on_behalf_and_kiosk_at_kiosk() {
    let mut b = base();
    ok(create(&mut b, "g1", "w1", Channel::OnBehalf));
    ok(create(&mut b, "k1", "w2", Channel::Kiosk));
    assert_eq!(
        void(create(&mut b, "k1", "w3", Channel::SelfService)),
        VoidReason::Forbidden
    );
    assert_eq!(
        void(create(&mut b, "r1", "w4", Channel::OnBehalf)),
        VoidReason::Forbidden
    );
    assert_eq!(wish(&b, "w1").requester, None);
}

#[test]
fn publish_marks_the_response() {
    let b = published();
    let x = wish(&b, "w1");
    assert_eq!(x.status, Status::Published);
    assert_eq!(x.responded_at, Some(x.timeline[1].at));
}

#[test]
fn claim_takes_a_lease_of_the_community_length() {
    let b = claimed();
    let x = wish(&b, "w1");
    assert_eq!(x.status, Status::Claimed);
    assert_eq!(x.holder, Some(Assignee::Member("v1".into())));
    let l = x.lease.as_ref().unwrap();
    assert_eq!(l.deadline - l.since, 72 * HOUR);
    assert_eq!(l.by, Some("v1".into()));
}

#[test]
fn first_claim_in_log_order_wins() {
    let mut b = published();
    // Both minted offline; the sequencer happens to take v2's first.
    let a = b.mint("v1", OpKind::Claim { wish: w("w1") });
    let c = b.mint("v2", OpKind::Claim { wish: w("w1") });
    assert_eq!(b.append(c), Outcome::Applied);
    assert_eq!(
        b.append(a.clone()),
        Outcome::Void(VoidReason::AlreadyClaimed)
    );
    assert_eq!(
        b.state.outcome(&a.id),
        Some(Outcome::Void(VoidReason::AlreadyClaimed))
    );
    let x = wish(&b, "w1");
    assert_eq!(x.holder, Some(Assignee::Member("v2".into())));
    assert_eq!(
        x.timeline.last().unwrap().void,
        Some(VoidReason::AlreadyClaimed)
    );
}

#[test]
fn duplicate_op_id_changes_nothing() {
    let mut b = published();
    let op = b.mint("v1", OpKind::Claim { wish: w("w1") });
    assert_eq!(b.append(op.clone()), Outcome::Applied);
    let h = b.state.hash();
    assert_eq!(b.append(op), Outcome::Duplicate);
    assert_eq!(b.state.hash(), h);
}

#[test]
fn assign_to_member_team_and_partner() {
    let mut b = base();
    ok(create(&mut b, "r1", "w1", Channel::SelfService));
    ok(b.push(
        "c1",
        OpKind::Assign {
            wish: w("w1"),
            to: Assignee::Member("v2".into()),
        },
    ));
    assert_eq!(wish(&b, "w1").status, Status::Assigned);
    assert_eq!(wish(&b, "w1").lease.as_ref().unwrap().by, Some("v2".into()));
    // Re-assign to a team: any team member may start.
    ok(b.push(
        "c1",
        OpKind::Assign {
            wish: w("w1"),
            to: Assignee::Team("t1".into()),
        },
    ));
    assert_eq!(wish(&b, "w1").lease.as_ref().unwrap().by, None);
    assert_eq!(wish(&b, "w1").team, Some("t1".into()));
    ok(b.push("v1", OpKind::Start { wish: w("w1") }));
    assert_eq!(wish(&b, "w1").status, Status::InProgress);
    ok(create(&mut b, "r1", "w2", Channel::SelfService));
    ok(b.push(
        "c1",
        OpKind::Assign {
            wish: w("w2"),
            to: Assignee::Partner("u1".into()),
        },
    ));
    ok(b.push("p1", OpKind::Start { wish: w("w2") }));
}

#[test]
fn assigned_volunteer_can_start_others_cannot() {
    let mut b = base();
    ok(create(&mut b, "r1", "w1", Channel::SelfService));
    ok(b.push(
        "c1",
        OpKind::Assign {
            wish: w("w1"),
            to: Assignee::Member("v1".into()),
        },
    ));
    assert_eq!(
        void(b.push("v2", OpKind::Start { wish: w("w1") })),
        VoidReason::NotHolder
    );
    ok(b.push("v1", OpKind::Start { wish: w("w1") }));
    assert!(
        wish(&b, "w1").lease.is_none(),
        "starting work ends the lease"
    );
}

#[test]
fn partner_claims_a_demand_with_its_resource() {
    let mut b = published();
    ok(b.push(
        "p1",
        OpKind::PartnerClaim {
            wish: w("w1"),
            partner: "u1".into(),
            resource: Some("res1".into()),
        },
    ));
    assert_eq!(wish(&b, "w1").holder, Some(Assignee::Partner("u1".into())));
    assert_eq!(wish(&b, "w1").status, Status::Claimed);
}

#[test]
fn release_returns_to_the_pool_without_deduction() {
    let mut b = claimed();
    ok(b.push("v1", OpKind::Release { wish: w("w1") }));
    let x = wish(&b, "w1");
    assert_eq!(x.status, Status::Published);
    assert!(x.holder.is_none() && x.lease.is_none());
    assert!(b.state.leases.is_empty());
    assert_eq!(b.state.points(&"v1".into()), 0);
}

#[test]
fn lease_lapses_at_the_first_op_stamped_after_the_deadline() {
    let mut b = claimed();
    b.advance_hours(71);
    ok(b.push(
        "c1",
        OpKind::Note {
            wish: w("w1"),
            text: "还没人来".into(),
        },
    ));
    assert_eq!(wish(&b, "w1").status, Status::Claimed);
    b.advance_hours(2);
    // Any op by anyone, about anything, carries the time forward.
    let trigger = ok(create(&mut b, "r1", "w2", Channel::SelfService));
    let x = wish(&b, "w1");
    assert_eq!(x.status, Status::Published);
    assert!(x.holder.is_none());
    let last = x.timeline.last().unwrap();
    assert_eq!((last.step, &last.op), (Step::Lapse, &trigger));
    let ledger = &b.state.ledger[&"v1".into()];
    assert_eq!(ledger.len(), 1);
    assert_eq!(
        (ledger[0].delta, ledger[0].kind, ledger[0].reason),
        (-1, PointsKind::Deduction, PointsReason::Lapsed)
    );
    assert_eq!(ledger[0].op, trigger);
    // The lapsed volunteer is told plainly.
    assert_eq!(
        void(b.push("v1", OpKind::Start { wish: w("w1") })),
        VoidReason::NotHolder
    );
}

#[test]
fn holder_note_renews_the_lease() {
    let mut b = claimed();
    b.advance_hours(70);
    ok(b.push(
        "v1",
        OpKind::Note {
            wish: w("w1"),
            text: "约了周六上门".into(),
        },
    ));
    b.advance_hours(10);
    ok(create(&mut b, "r1", "w2", Channel::SelfService));
    assert_eq!(wish(&b, "w1").status, Status::Claimed);
}

#[test]
fn late_delivered_offline_ops_are_judged_by_their_own_stamps() {
    let mut b = published();
    // v1 claims and starts offline; others keep working online for 4 days.
    let claim = b.mint("v1", OpKind::Claim { wish: w("w1") });
    b.advance_hours(1);
    let start = b.mint("v1", OpKind::Start { wish: w("w1") });
    b.advance_hours(96);
    ok(create(&mut b, "r1", "w2", Channel::SelfService));
    assert_eq!(b.append(claim), Outcome::Applied);
    assert_eq!(b.append(start), Outcome::Applied);
    assert_eq!(wish(&b, "w1").status, Status::InProgress);
}

#[test]
fn expire_lease_op() {
    let mut b = claimed();
    assert_eq!(
        void(b.push("v2", OpKind::ExpireLease { wish: w("w1") })),
        VoidReason::LeaseNotExpired
    );
    b.advance_hours(73);
    let id = ok(b.push("v2", OpKind::ExpireLease { wish: w("w1") }));
    let x = wish(&b, "w1");
    assert_eq!(x.status, Status::Published);
    assert_eq!(x.timeline.last().unwrap().op, id);
    assert_eq!(
        void(b.push("v2", OpKind::ExpireLease { wish: w("w1") })),
        VoidReason::NoLease
    );
    assert_eq!(
        void(b.push("x1", OpKind::ExpireLease { wish: w("w1") })),
        VoidReason::Forbidden
    );
}

#[test]
fn complete_books_basic_points_per_started_half_hour() {
    let b = completed(45);
    let x = wish(&b, "w1");
    assert_eq!(x.status, Status::Completed);
    assert_eq!(x.completion.as_ref().unwrap().minutes, 45);
    assert!(x.resolved_at.is_some());
    let l = &b.state.ledger[&"v1".into()];
    assert_eq!((l[0].delta, l[0].kind), (2, PointsKind::Basic));
}

#[test]
fn complete_without_start_is_allowed_for_the_holder() {
    let mut b = claimed();
    ok(b.push(
        "v1",
        OpKind::Complete {
            wish: w("w1"),
            report: "顺手修好".into(),
            minutes: 30,
        },
    ));
    assert_eq!(wish(&b, "w1").status, Status::Completed);
}

#[test]
fn satisfied_closes_with_bonus() {
    let mut b = completed(60);
    ok(evaluate(&mut b, "r1", Rating::Satisfied));
    let x = wish(&b, "w1");
    assert_eq!(x.status, Status::Closed);
    assert!(x.closed_at.is_some());
    assert_eq!(b.state.points(&"v1".into()), 2 + 2);
    assert_eq!(
        void(b.push(
            "v1",
            OpKind::Note {
                wish: w("w1"),
                text: "x".into()
            }
        )),
        VoidReason::WishClosed
    );
}

#[test]
fn basically_satisfied_closes_with_smaller_bonus() {
    let mut b = completed(30);
    ok(evaluate(&mut b, "c1", Rating::BasicallySatisfied));
    assert_eq!(wish(&b, "w1").status, Status::Closed);
    assert_eq!(b.state.points(&"v1".into()), 1 + 1);
}

#[test]
fn not_satisfied_reopens_counts_rework_and_deducts() {
    let mut b = completed(30);
    ok(evaluate(&mut b, "r1", Rating::NotSatisfied));
    let x = wish(&b, "w1");
    assert_eq!(x.status, Status::Reopened);
    assert_eq!(x.rework, 1);
    assert!(x.holder.is_none() && x.resolved_at.is_none());
    assert_eq!(b.state.points(&"v1".into()), 1 - 2);
    // Rework: dispatched and claimed again.
    ok(b.push("c1", OpKind::Publish { wish: w("w1") }));
    ok(b.push("v2", OpKind::Claim { wish: w("w1") }));
    assert_eq!(wish(&b, "w1").status, Status::Claimed);
}

/// Issue 13: hours went down after a rework (12.8 → 12.5 h after redoing a
/// 45-minute job in 30) because only a wish's latest completion counted.
/// Time served counts every completion, as points do.
#[test]
fn time_served_counts_every_completion_through_rework() {
    use linli_core::views::minutes_served;
    let mut b = completed(45);
    assert_eq!(minutes_served(&b.state, &"v1".into()), 45);
    ok(evaluate(&mut b, "r1", Rating::NotSatisfied));
    ok(b.push("c1", OpKind::Publish { wish: w("w1") }));
    ok(b.push("v1", OpKind::Claim { wish: w("w1") }));
    ok(b.push(
        "v1",
        OpKind::Complete {
            wish: w("w1"),
            report: "重新换了".into(),
            minutes: 30,
        },
    ));
    assert_eq!(minutes_served(&b.state, &"v1".into()), 75);
    assert_eq!(
        wish(&b, "w1").completion.as_ref().map(|c| c.minutes),
        Some(30)
    );
    // A void completion serves nothing.
    assert_eq!(
        void(b.push(
            "v2",
            OpKind::Complete {
                wish: w("w1"),
                report: "不是我的".into(),
                minutes: 600,
            }
        )),
        VoidReason::NotHolder
    );
    assert_eq!(minutes_served(&b.state, &"v2".into()), 0);
}

#[test]
fn only_the_requester_or_dispatch_may_evaluate() {
    let mut b = completed(30);
    assert_eq!(
        void(evaluate(&mut b, "v2", Rating::Satisfied)),
        VoidReason::Forbidden
    );
    assert_eq!(
        void(evaluate(&mut b, "k1", Rating::Satisfied)),
        VoidReason::Forbidden
    );
    ok(evaluate(&mut b, "g1", Rating::Satisfied)); // grid worker, wish in their grid
}

#[test]
fn evaluate_before_completion_is_wrong_status() {
    let mut b = claimed();
    assert_eq!(
        void(evaluate(&mut b, "r1", Rating::Satisfied)),
        VoidReason::WrongStatus
    );
}

#[test]
fn coordinator_reopens_closed_and_rejected() {
    let mut b = completed(30);
    ok(evaluate(&mut b, "r1", Rating::Satisfied));
    ok(b.push(
        "c1",
        OpKind::Reopen {
            wish: w("w1"),
            reason: "灯又坏了".into(),
        },
    ));
    let x = wish(&b, "w1");
    assert_eq!((x.status, x.rework), (Status::Reopened, 1));
    assert!(x.closed_at.is_none());
    ok(b.push(
        "c1",
        OpKind::Reject {
            wish: w("w1"),
            reason: "属物业维修范围".into(),
        },
    ));
    ok(b.push(
        "c1",
        OpKind::Reopen {
            wish: w("w1"),
            reason: "物业不处理".into(),
        },
    ));
    assert_eq!(wish(&b, "w1").rework, 1);
    assert_eq!(
        void(b.push(
            "c1",
            OpKind::Reopen {
                wish: w("w1"),
                reason: "x".into()
            }
        )),
        VoidReason::WrongStatus
    );
}

#[test]
fn reject_needs_a_reason_and_closes() {
    let mut b = base();
    ok(create(&mut b, "r1", "w1", Channel::SelfService));
    assert_eq!(
        void(b.push(
            "c1",
            OpKind::Reject {
                wish: w("w1"),
                reason: " ".into()
            }
        )),
        VoidReason::Invalid
    );
    ok(b.push(
        "c1",
        OpKind::Reject {
            wish: w("w1"),
            reason: "重复提交".into(),
        },
    ));
    assert_eq!(wish(&b, "w1").status, Status::Rejected);
    assert_eq!(wish(&b, "w1").rejection.as_deref(), Some("重复提交"));
    assert_eq!(
        void(b.push("c1", OpKind::Publish { wish: w("w1") })),
        VoidReason::WishClosed
    );
}

#[test]
fn merge_links_both_wishes() {
    let mut b = base();
    ok(create(&mut b, "r1", "w1", Channel::SelfService));
    ok(create(&mut b, "g1", "w2", Channel::OnBehalf));
    ok(b.push(
        "g1",
        OpKind::Merge {
            wish: w("w2"),
            into: w("w1"),
        },
    ));
    assert_eq!(wish(&b, "w2").status, Status::Merged);
    assert_eq!(wish(&b, "w2").merged_into, Some(w("w1")));
    assert_eq!(wish(&b, "w1").duplicates, vec![w("w2")]);
    assert_eq!(wish(&b, "w1").timeline.last().unwrap().step, Step::Absorb);
    // Into a merged (terminal) wish: void.
    ok(create(&mut b, "r1", "w3", Channel::SelfService));
    assert_eq!(
        void(b.push(
            "c1",
            OpKind::Merge {
                wish: w("w3"),
                into: w("w2")
            }
        )),
        VoidReason::WishClosed
    );
    assert_eq!(
        void(b.push(
            "c1",
            OpKind::Merge {
                wish: w("w3"),
                into: w("nope")
            }
        )),
        VoidReason::UnknownWish
    );
}

/// A wish of another category asks for other help: never its duplicate.
fn other_category(b: &mut LogBuilder, id: &str) {
    ok(b.push(
        "r1",
        OpKind::CreateWish {
            wish: id.into(),
            category: Category::Cleaning,
            title: "楼道有杂物".into(),
            description: String::new(),
            place: Place {
                grid: Some(GRID.into()),
                ..Place::default()
            },
            urgency: Urgency::Normal,
            window: None,
            channel: Channel::SelfService,
            requester: None,
        },
    ));
}

#[test]
fn merge_only_within_one_category() {
    let mut b = base();
    ok(create(&mut b, "r1", "w1", Channel::SelfService));
    other_category(&mut b, "w2");
    let into = |b: &mut LogBuilder, wish: &str, into: &str| {
        b.push(
            "c1",
            OpKind::Merge {
                wish: w(wish),
                into: w(into),
            },
        )
    };
    assert_eq!(
        void(into(&mut b, "w2", "w1")),
        VoidReason::DifferentCategory
    );
    assert_eq!(
        void(into(&mut b, "w1", "w2")),
        VoidReason::DifferentCategory
    );
    assert_eq!(wish(&b, "w1").status, Status::Submitted);
    assert!(wish(&b, "w1").duplicates.is_empty());
    ok(create(&mut b, "g1", "w3", Channel::OnBehalf));
    ok(into(&mut b, "w3", "w1"));
}

#[test]
fn escalate_then_dispatch() {
    let mut b = base();
    ok(create(&mut b, "r1", "w1", Channel::SelfService));
    ok(b.push(
        "c1",
        OpKind::Escalate {
            wish: w("w1"),
            level: Level::Street,
            note: "涉及产权".into(),
        },
    ));
    assert_eq!(wish(&b, "w1").status, Status::Escalated);
    assert_eq!(
        wish(&b, "w1").escalation.as_ref().unwrap().level,
        Level::Street
    );
    ok(b.push("c1", OpKind::Publish { wish: w("w1") }));
    assert_eq!(wish(&b, "w1").status, Status::Published);
}

#[test]
fn cancel_before_work_starts_only() {
    let mut b = claimed();
    ok(b.push(
        "r1",
        OpKind::Cancel {
            wish: w("w1"),
            reason: "自己修好了".into(),
        },
    ));
    assert_eq!(wish(&b, "w1").status, Status::Cancelled);
    assert!(b.state.leases.is_empty());
    let mut b = claimed();
    ok(b.push("v1", OpKind::Start { wish: w("w1") }));
    assert_eq!(
        void(b.push(
            "r1",
            OpKind::Cancel {
                wish: w("w1"),
                reason: String::new()
            }
        )),
        VoidReason::WorkStarted
    );
    assert_eq!(
        void(b.push(
            "v2",
            OpKind::Cancel {
                wish: w("w1"),
                reason: String::new()
            }
        )),
        VoidReason::Forbidden
    );
}

#[test]
fn membership_and_teams() {
    let mut b = base();
    // Grid workers may register residents only.
    ok(b.push(
        "g1",
        OpKind::AddMember {
            member: "r9".into(),
            name: "王大爷".into(),
            role: Role::Resident,
            skills: vec![],
            grids: vec![],
            partner: None,
        },
    ));
    assert_eq!(
        void(b.push(
            "g1",
            OpKind::AddMember {
                member: "v9".into(),
                name: "x".into(),
                role: Role::Volunteer,
                skills: vec![],
                grids: vec![],
                partner: None
            }
        )),
        VoidReason::Forbidden
    );
    // Members update themselves only.
    ok(b.push(
        "v1",
        OpKind::UpdateMember {
            member: "v1".into(),
            name: None,
            skills: Some(vec![Category::Greening]),
            grids: None,
        },
    ));
    assert_eq!(
        void(b.push(
            "v1",
            OpKind::UpdateMember {
                member: "v2".into(),
                name: Some("x".into()),
                skills: None,
                grids: None
            }
        )),
        VoidReason::Forbidden
    );
    // Team lead manages the team.
    ok(b.push(
        "v1",
        OpKind::SetTeamMembers {
            team: "t1".into(),
            members: vec!["v1".into()],
        },
    ));
    assert_eq!(
        void(b.push(
            "v2",
            OpKind::SetTeamMembers {
                team: "t1".into(),
                members: vec![]
            }
        )),
        VoidReason::Forbidden
    );
    // Removed members can no longer act.
    ok(b.push(
        "c1",
        OpKind::RemoveMember {
            member: "v2".into(),
        },
    ));
    assert_eq!(
        void(b.push(
            "v2",
            OpKind::Note {
                wish: w("w1"),
                text: "x".into()
            }
        )),
        VoidReason::UnknownAuthor
    );
}

/// Review finding 2: nobody widens their own power by editing themselves.
/// A grid worker may rename themselves but not add grids (which would let
/// it act on wishes anywhere); a team lead may change members but not hand
/// the lead on; a grid worker may not tie a new resident to a partner unit.
#[test]
fn self_updates_never_widen_power() {
    let mut b = base();
    ok(create(&mut b, "c1", "w2", Channel::OnBehalf));
    // w3 is in the other grid, which g1 does not have.
    ok(b.push(
        "c1",
        OpKind::CreateWish {
            wish: "w3".into(),
            category: Category::Repair,
            title: "二网格的事".into(),
            description: String::new(),
            place: Place {
                grid: Some("二网格".into()),
                ..Place::default()
            },
            urgency: Urgency::Normal,
            window: None,
            channel: Channel::OnBehalf,
            requester: None,
        },
    ));
    let widen = |grids: Vec<&str>| OpKind::UpdateMember {
        member: "g1".into(),
        name: Some("新名字".into()),
        skills: None,
        grids: Some(grids.into_iter().map(Into::into).collect()),
    };
    assert_eq!(
        void(b.push("g1", widen(vec![GRID, "二网格"]))),
        VoidReason::Forbidden
    );
    assert_eq!(b.state.members[&"g1".into()].grids, vec![GRID.to_string()]);
    // Still refused: the cancel in a grid g1 does not have.
    assert_eq!(
        void(b.push(
            "g1",
            OpKind::Cancel {
                wish: w("w3"),
                reason: String::new()
            }
        )),
        VoidReason::Forbidden
    );
    // Naming the grids it already has, and renaming, is fine.
    ok(b.push("g1", widen(vec![GRID])));
    // A coordinator may change anyone's grids.
    ok(b.push(
        "c1",
        OpKind::UpdateMember {
            member: "g1".into(),
            name: None,
            skills: None,
            grids: Some(vec!["二网格".into()]),
        },
    ));
    // The team lead keeps the lead as it is, or the op is void.
    let lead = |l: &str| OpKind::UpdateTeam {
        team: "t1".into(),
        name: None,
        lead: Some(l.into()),
        categories: None,
    };
    assert_eq!(void(b.push("v1", lead("v2"))), VoidReason::Forbidden);
    ok(b.push("v1", lead("v1")));
    ok(b.push("c1", lead("v2")));
    // A grid worker registers residents, never partner staff.
    assert_eq!(
        void(b.push(
            "g1",
            OpKind::AddMember {
                member: "r8".into(),
                name: "李阿姨".into(),
                role: Role::Resident,
                skills: vec![],
                grids: vec![],
                partner: Some("u1".into()),
            }
        )),
        VoidReason::Forbidden
    );
}

/// Nobody is identified at a kiosk, so a kiosk wish names no requester
/// (else the named member would read what was typed at the kiosk).
#[test]
fn a_kiosk_wish_names_no_requester() {
    let mut b = base();
    let kiosk = |wish: &str, requester: Option<&str>| OpKind::CreateWish {
        wish: wish.into(),
        category: Category::Repair,
        title: "窗口登记".into(),
        description: String::new(),
        place: Place::default(),
        urgency: Urgency::Normal,
        window: None,
        channel: Channel::Kiosk,
        requester: requester.map(Into::into),
    };
    assert_eq!(
        void(b.push("k1", kiosk("w7", Some("r1")))),
        VoidReason::Forbidden
    );
    ok(b.push("k1", kiosk("w8", None)));
    assert_eq!(wish(&b, "w8").requester, None);
}

#[test]
fn every_void_reason_is_reachable() {
    use VoidReason::*;
    let mut seen = BTreeSet::new();
    let mut note = |r: VoidReason| {
        seen.insert(r);
    };

    // no_community
    let mut b = LogBuilder::new(T0);
    note(void(b.push("c1", OpKind::Publish { wish: w("w1") })));
    // already_exists, forbidden, unknown_author, invalid, unknown_kind…
    let mut b = published();
    note(void(b.push(
        "c1",
        OpKind::CreateCommunity {
            community: "x".into(),
            name: "x".into(),
            founder: "x".into(),
            grids: vec![],
            buildings: vec![],
            settings: None,
        },
    )));
    note(void(create(&mut b, "r1", "w1", Channel::SelfService)));
    note(void(b.push("x1", OpKind::Claim { wish: w("w1") })));
    note(void(b.push("nobody", OpKind::Claim { wish: w("w1") })));
    note(void(b.push(
        "c1",
        OpKind::Note {
            wish: w("w1"),
            text: String::new(),
        },
    )));
    note(void(b.push(
        "c1",
        OpKind::Unknown(serde_json::json!({"type": "check_in"})),
    )));
    note(void(b.push("v1", OpKind::Claim { wish: w("w404") })));
    note(void(b.push(
        "c1",
        OpKind::Assign {
            wish: w("w1"),
            to: Assignee::Member("ghost".into()),
        },
    )));
    note(void(b.push(
        "c1",
        OpKind::Assign {
            wish: w("w1"),
            to: Assignee::Team("ghost".into()),
        },
    )));
    note(void(b.push(
        "c1",
        OpKind::Assign {
            wish: w("w1"),
            to: Assignee::Partner("ghost".into()),
        },
    )));
    note(void(b.push(
        "c1",
        OpKind::Assign {
            wish: w("w1"),
            to: Assignee::Member("r1".into()),
        },
    )));
    note(void(b.push(
        "p1",
        OpKind::PartnerClaim {
            wish: w("w1"),
            partner: "u1".into(),
            resource: Some("ghost".into()),
        },
    )));
    note(void(b.push("c1", OpKind::Start { wish: w("w1") })));
    note(void(b.push("v1", OpKind::ExpireLease { wish: w("w1") })));
    note(void(b.push("v2", OpKind::Start { wish: w("w1") })));
    ok(b.push("v1", OpKind::Claim { wish: w("w1") }));
    note(void(b.push("v2", OpKind::Claim { wish: w("w1") })));
    note(void(b.push("v2", OpKind::ExpireLease { wish: w("w1") })));
    ok(b.push("v1", OpKind::Start { wish: w("w1") }));
    note(void(b.push(
        "r1",
        OpKind::Cancel {
            wish: w("w1"),
            reason: String::new(),
        },
    )));
    note(void(b.push(
        "c1",
        OpKind::RemoveMember {
            member: "c1".into(),
        },
    )));
    other_category(&mut b, "w3");
    note(void(b.push(
        "c1",
        OpKind::Merge {
            wish: w("w3"),
            into: w("w1"),
        },
    )));
    ok(create(&mut b, "r1", "w2", Channel::SelfService));
    ok(b.push(
        "r1",
        OpKind::Cancel {
            wish: w("w2"),
            reason: String::new(),
        },
    ));
    note(void(b.push("c1", OpKind::Publish { wish: w("w2") })));
    // The activity reasons are reached in tests/activities.rs, the care
    // list's in tests/care.rs.
    let all: BTreeSet<_> = VoidReason::ALL
        .into_iter()
        .take_while(|r| *r != UnknownActivity)
        .collect();
    let missing: Vec<_> = all.difference(&seen).collect();
    assert!(missing.is_empty(), "unreached: {missing:?}");
    let _ = (Forbidden, UnknownAuthor);
}

/// A valid payload for every action, about existing things in `published()`.
fn sample(action: Action) -> OpKind {
    match action {
        Action::CreateCommunity => OpKind::CreateCommunity {
            community: "x".into(),
            name: "x".into(),
            founder: "x".into(),
            grids: vec![],
            buildings: vec![],
            settings: None,
        },
        Action::UpdateCommunity => OpKind::UpdateCommunity {
            name: Some("新名".into()),
            grids: None,
            buildings: None,
        },
        Action::UpdateSettings => OpKind::UpdateSettings {
            settings: Settings::default(),
        },
        Action::AddMember => OpKind::AddMember {
            member: "new".into(),
            name: "新人".into(),
            role: Role::Volunteer,
            skills: vec![],
            grids: vec![],
            partner: None,
        },
        Action::UpdateMember => OpKind::UpdateMember {
            member: "v2".into(),
            name: Some("改名".into()),
            skills: None,
            grids: None,
        },
        Action::SetRole => OpKind::SetRole {
            member: "v2".into(),
            role: Role::Resident,
        },
        Action::RemoveMember => OpKind::RemoveMember {
            member: "v2".into(),
        },
        Action::CreateTeam => OpKind::CreateTeam {
            team: "t9".into(),
            name: "法律援助队".into(),
            lead: None,
            members: vec![],
            categories: vec![],
        },
        Action::UpdateTeam => OpKind::UpdateTeam {
            team: "t1".into(),
            name: Some("x".into()),
            lead: None,
            categories: None,
        },
        Action::SetTeamMembers => OpKind::SetTeamMembers {
            team: "t1".into(),
            members: vec![],
        },
        Action::AddPartner => OpKind::AddPartner {
            partner: "u9".into(),
            name: "x".into(),
        },
        Action::AddResource => OpKind::AddResource {
            resource: "res9".into(),
            partner: "u1".into(),
            title: "x".into(),
            categories: vec![],
            capacity: 1,
            window: None,
            weekdays: 0,
            grids: vec![],
        },
        Action::UpdateResource => OpKind::UpdateResource {
            resource: "res1".into(),
            title: Some("y".into()),
            categories: None,
            capacity: None,
            window: None,
            weekdays: None,
            grids: None,
        },
        Action::RemoveResource => OpKind::RemoveResource {
            resource: "res1".into(),
        },
        Action::CreateWish => OpKind::CreateWish {
            wish: "w9".into(),
            category: Category::Other,
            title: "x".into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::Low,
            window: None,
            channel: Channel::OnBehalf,
            requester: None,
        },
        Action::Publish => OpKind::Publish { wish: w("w1") },
        Action::Assign => OpKind::Assign {
            wish: w("w1"),
            to: Assignee::Member("v1".into()),
        },
        Action::Claim => OpKind::Claim { wish: w("w1") },
        Action::PartnerClaim => OpKind::PartnerClaim {
            wish: w("w1"),
            partner: "u1".into(),
            resource: None,
        },
        Action::Release => OpKind::Release { wish: w("w1") },
        Action::ExpireLease => OpKind::ExpireLease { wish: w("w1") },
        Action::Start => OpKind::Start { wish: w("w1") },
        Action::Note => OpKind::Note {
            wish: w("w1"),
            text: "x".into(),
        },
        Action::Complete => OpKind::Complete {
            wish: w("w1"),
            report: "x".into(),
            minutes: 10,
        },
        Action::Evaluate => OpKind::Evaluate {
            wish: w("w1"),
            rating: Rating::Satisfied,
            comment: String::new(),
        },
        Action::Reopen => OpKind::Reopen {
            wish: w("w1"),
            reason: "x".into(),
        },
        Action::Reject => OpKind::Reject {
            wish: w("w1"),
            reason: "x".into(),
        },
        Action::Merge => OpKind::Merge {
            wish: w("w1"),
            into: w("w0"),
        },
        Action::Escalate => OpKind::Escalate {
            wish: w("w1"),
            level: Level::District,
            note: "x".into(),
        },
        Action::Cancel => OpKind::Cancel {
            wish: w("w1"),
            reason: String::new(),
        },
        Action::CreateActivity => OpKind::CreateActivity {
            activity: "a9".into(),
            title: "x".into(),
            theme: "其他".into(),
            description: String::new(),
            venue: String::new(),
            start: T0 + 100 * HOUR,
            end: T0 + 102 * HOUR,
            capacity: None,
            organiser: None,
            sign_up_by: None,
            points: Default::default(),
            fixed_points: None,
            check: "0".repeat(64),
        },
        Action::UpdateActivity => OpKind::UpdateActivity {
            activity: "a1".into(),
            title: Some("y".into()),
            theme: None,
            description: None,
            venue: None,
            start: None,
            end: None,
            capacity: None,
            sign_up_by: None,
            points: None,
            fixed_points: None,
        },
        Action::OpenActivity => OpKind::OpenActivity {
            activity: "a1".into(),
        },
        Action::CancelActivity => OpKind::CancelActivity {
            activity: "a1".into(),
            reason: "x".into(),
        },
        Action::SignUp => OpKind::SignUp {
            activity: "a1".into(),
            member: None,
        },
        Action::Withdraw => OpKind::Withdraw {
            activity: "a1".into(),
            member: None,
        },
        // For someone else: the one thing the kiosk's `desk` rule allows.
        Action::CheckIn => OpKind::CheckIn {
            activity: "a1".into(),
            member: Some("v2".into()),
            proof: String::new(),
        },
        Action::CheckOut => OpKind::CheckOut {
            activity: "a1".into(),
            member: Some("v2".into()),
        },
        Action::CorrectAttendance => OpKind::CorrectAttendance {
            activity: "a1".into(),
            member: "v2".into(),
            check_in: None,
            check_out: None,
            reason: "x".into(),
        },
        Action::VerifyCheckIns => OpKind::VerifyCheckIns {
            activity: "a1".into(),
            key: "0".repeat(16),
        },
        Action::AddHousehold => OpKind::AddHousehold {
            household: "h9".into(),
            category: "独居老人".into(),
            grid: "一网格".into(),
            building: None,
            frequency: linli_core::care::Frequency::Weekly,
            responsible: "c1".into(),
            pair: vec![],
        },
        Action::UpdateHousehold => OpKind::UpdateHousehold {
            household: "h1".into(),
            category: None,
            grid: None,
            building: None,
            frequency: None,
            responsible: None,
            pair: None,
        },
        Action::SetHouseholdStatus => OpKind::SetHouseholdStatus {
            household: "h1".into(),
            status: linli_core::care::HouseholdStatus::Paused,
            reason: "住院".into(),
        },
        Action::RecordVisit => OpKind::RecordVisit {
            household: "h1".into(),
            visit: "v9".into(),
            date: 1,
            mode: linli_core::care::VisitMode::Home,
            outcome: linli_core::care::Outcome::Well,
            visitors: vec![],
        },
        Action::LinkVisitWish => OpKind::LinkVisitWish {
            visit: "v9".into(),
            wish: "w1".into(),
        },
        Action::AttachPhotos => OpKind::AttachPhotos {
            wish: "w1".into(),
            stage: linli_core::photos::Stage::Request,
            photos: vec![linli_core::photos::PhotoRef {
                sha256: "a".repeat(64),
                bytes: 1000,
                thumb: "b".repeat(64),
                thumb_bytes: 100,
                volunteers: false,
            }],
        },
        Action::StreetAccept => OpKind::StreetAccept {
            wish: "w1".into(),
            holder: "城管科".into(),
            from: "西关街道 · 王".into(),
            note: String::new(),
        },
        Action::StreetReturn => OpKind::StreetReturn {
            wish: "w1".into(),
            from: "西关街道 · 王".into(),
            guidance: "x".into(),
        },
        Action::StreetResolve => OpKind::StreetResolve {
            wish: "w1".into(),
            from: "西关街道 · 王".into(),
            report: "x".into(),
        },
        Action::StreetFile => OpKind::StreetFile {
            wish: "w9".into(),
            category: Category::Repair,
            title: "路灯不亮".into(),
            description: String::new(),
            place: Default::default(),
            from: "西关街道 · 12345 热线".into(),
        },
    }
}

/// The matrix, enforced: a `No` cell is always `forbidden` in the reducer,
/// a `Yes` cell never is.
#[test]
fn permission_matrix_is_enforced_by_the_reducer() {
    let roles = [
        (Role::Coordinator, "c1"),
        (Role::GridWorker, "g1"),
        (Role::Volunteer, "v1"),
        (Role::Resident, "r1"),
        (Role::Partner, "p1"),
        (Role::Kiosk, "k1"),
        (Role::Viewer, "x1"),
    ];
    let mut fresh = published();
    ok(create(&mut fresh, "r1", "w0", Channel::SelfService));
    // An open activity "a1" starting in 10 minutes, so every activity op
    // meets a live one.
    let now = fresh.now();
    ok(fresh.push(
        "c1",
        OpKind::CreateActivity {
            activity: "a1".into(),
            title: "红色星期六".into(),
            theme: "红色星期六".into(),
            description: String::new(),
            venue: String::new(),
            start: now + 600_000,
            end: now + 3 * HOUR,
            capacity: None,
            organiser: None,
            sign_up_by: None,
            points: Default::default(),
            fixed_points: None,
            check: "0".repeat(64),
        },
    ));
    ok(fresh.push(
        "c1",
        OpKind::OpenActivity {
            activity: "a1".into(),
        },
    ));
    for action in Action::ALL {
        for (role, who) in roles {
            let mut b = fresh.clone();
            let out = b.push(who, sample(action)).1;
            match (action, rule(role, action)) {
                (Action::CreateCommunity, _) => {
                    assert_eq!(out, Outcome::Void(VoidReason::AlreadyExists))
                }
                (_, Rule::No) => assert_eq!(
                    out,
                    Outcome::Void(VoidReason::Forbidden),
                    "{role:?} {action:?}"
                ),
                (_, Rule::Yes) => assert_ne!(
                    out,
                    Outcome::Void(VoidReason::Forbidden),
                    "{role:?} {action:?}"
                ),
                _ => {}
            }
        }
    }
}

/// `State::allows`, which pages use to offer actions, says exactly what the
/// reducer's permission check says, for every role and wish action, on a
/// published wish and on one claimed by v1.
#[test]
fn allows_agrees_with_the_reducer() {
    // The actions on an existing wish: those after `CreateWish` in matrix order.
    let on_wish: Vec<Action> = Action::ALL
        .into_iter()
        .skip_while(|a| *a != Action::CreateWish)
        .skip(1)
        .filter(|a| {
            !a.on_activity() && !a.on_care() && *a != Action::AttachPhotos && !a.by_street()
        })
        .collect();
    let mut checked = 0;
    for fresh in [published(), claimed()] {
        let mut fresh = fresh;
        ok(create(&mut fresh, "r1", "w0", Channel::SelfService));
        for action in on_wish.iter().copied() {
            for who in ["c1", "g1", "v1", "v2", "r1", "p1", "k1", "x1"] {
                let member = fresh.state.members[&who.into()].clone();
                let allowed = fresh.state.allows(&member, action, wish(&fresh, "w1"));
                let mut b = fresh.clone();
                let out = b.push(who, sample(action)).1;
                let refused = matches!(
                    out,
                    Outcome::Void(VoidReason::Forbidden | VoidReason::NotHolder)
                );
                assert_eq!(allowed, !refused, "{who} {action:?}: {out:?}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 2 * 15 * 8);
}

#[test]
fn settings_change_keeps_existing_leases() {
    let mut b = claimed();
    let s = Settings {
        lease_hours: 1,
        ..Settings::default()
    };
    ok(b.push("c1", OpKind::UpdateSettings { settings: s }));
    b.advance_hours(2);
    ok(create(&mut b, "r1", "w2", Channel::SelfService));
    assert_eq!(wish(&b, "w1").status, Status::Claimed);
}

#[test]
fn snapshot_round_trip_resumes_identically() {
    let mut b = completed(30);
    let snap = serde_json::to_string(&b.state).unwrap();
    let mut resumed: linli_core::State = serde_json::from_str(&snap).unwrap();
    assert_eq!(resumed.hash(), b.state.hash());
    ok(evaluate(&mut b, "r1", Rating::Satisfied));
    resumed.apply(b.log.last().unwrap());
    assert_eq!(resumed.hash(), b.state.hash());
    assert_eq!(resumed.seq, b.log.len() as u64);
}

/// Every member of `base()`, one per role, plus a second volunteer.
const EVERYONE: [&str; 8] = ["c1", "g1", "v1", "v2", "r1", "p1", "k1", "x1"];

fn refused(out: Outcome) -> bool {
    matches!(
        out,
        Outcome::Void(VoidReason::Forbidden | VoidReason::NotHolder)
    )
}

/// `rules::filing_channels`, which the wish form offers, is exactly the
/// channels the reducer accepts a new wish on from each member, the usual
/// one for the role first.
#[test]
fn filing_channels_agree_with_the_reducer() {
    let fresh = base();
    for who in EVERYONE {
        let member = fresh.state.members[&who.into()].clone();
        let offered = linli_core::rules::filing_channels(&fresh.state, &member);
        // The city channel is the Open311 endpoint's alone (devices may not
        // push it: `v1::push`), so no form offers it.
        assert!(!offered.contains(&Channel::City), "{who}");
        for channel in Channel::ALL.iter().copied().filter(|c| *c != Channel::City) {
            let mut b = fresh.clone();
            let out = create(&mut b, who, "w9", channel).1;
            assert_eq!(
                offered.contains(&channel),
                !refused(out),
                "{who} {channel:?}: {out:?}"
            );
        }
        let first = offered.first().copied();
        let usual = match member.role {
            Role::Coordinator | Role::GridWorker => Some(Channel::OnBehalf),
            Role::Volunteer | Role::Resident => Some(Channel::SelfService),
            Role::Kiosk => Some(Channel::Kiosk),
            Role::Partner | Role::Viewer => None,
        };
        assert_eq!(first, usual, "{who}");
    }
}

/// `rules::assignees`, which the assign form offers, is exactly whom the
/// reducer lets a coordinator assign the wish to.
#[test]
fn assignees_agree_with_the_reducer() {
    let mut fresh = published();
    ok(fresh.push(
        "c1",
        OpKind::RemoveMember {
            member: "v2".into(),
        },
    ));
    let offered = linli_core::rules::assignees(&fresh.state, wish(&fresh, "w1"));
    let candidates: Vec<Assignee> = fresh
        .state
        .members
        .keys()
        .map(|m| Assignee::Member(m.clone()))
        .chain([
            Assignee::Member("ghost".into()),
            Assignee::Team("t1".into()),
            Assignee::Team("ghost".into()),
            Assignee::Partner("u1".into()),
            Assignee::Partner("ghost".into()),
        ])
        .collect();
    for to in candidates {
        let mut b = fresh.clone();
        let out = b
            .push(
                "c1",
                OpKind::Assign {
                    wish: w("w1"),
                    to: to.clone(),
                },
            )
            .1;
        assert_eq!(
            offered.contains(&to),
            out == Outcome::Applied,
            "{to:?}: {out:?}"
        );
    }
    // The volunteer with the skill in the wish's grid comes first.
    assert_eq!(offered[0], Assignee::Member("v1".into()));
}

/// `rules::merge_targets`, which the merge form offers, is exactly the
/// wishes the reducer merges this one into: open, same category, not itself.
#[test]
fn merge_targets_agree_with_the_reducer() {
    let mut fresh = published();
    ok(create(&mut fresh, "r1", "w0", Channel::SelfService));
    other_category(&mut fresh, "w2");
    ok(create(&mut fresh, "r1", "w3", Channel::SelfService));
    ok(fresh.push(
        "r1",
        OpKind::Cancel {
            wish: w("w3"),
            reason: String::new(),
        },
    ));
    let offered: Vec<WishId> = linli_core::rules::merge_targets(&fresh.state, wish(&fresh, "w1"))
        .into_iter()
        .map(|o| o.id.clone())
        .collect();
    assert_eq!(offered, vec![w("w0")]);
    for into in ["w0", "w1", "w2", "w3", "w404"] {
        let mut b = fresh.clone();
        let out = b
            .push(
                "c1",
                OpKind::Merge {
                    wish: w("w1"),
                    into: w(into),
                },
            )
            .1;
        assert_eq!(
            offered.contains(&w(into)),
            out == Outcome::Applied,
            "{into}: {out:?}"
        );
    }
}

/// `permissions::sees_lists`: a role that sees no lists (the kiosk) may do
/// nothing that reveals data and never reads a contact record, not even of
/// the wish it filed; every other role sees them.
#[test]
fn sees_lists_agrees_with_the_reducer() {
    let mut b = published();
    ok(create(&mut b, "k1", "w5", Channel::Kiosk));
    for who in EVERYONE {
        let m = b.state.members[&who.into()].clone();
        let sees = linli_core::permissions::sees_lists(m.role);
        assert_eq!(sees, m.role != Role::Kiosk, "{who}");
        if !sees {
            for a in Action::ALL {
                let allowed = rule(m.role, a) != Rule::No;
                // …checks people in and out of activities (today's rosters)
                // and takes a walk-up resident's evaluation by slip code;
                // it attaches photos to what it files (and never reads
                // them back: `photos::may_see`).
                assert_eq!(
                    allowed,
                    matches!(
                        a,
                        Action::CreateWish
                            | Action::ExpireLease
                            | Action::CheckIn
                            | Action::CheckOut
                            | Action::Evaluate
                            | Action::AttachPhotos
                    ),
                    "{a:?}"
                );
            }
            for wid in b.state.wishes.keys() {
                assert!(!linli_core::private::may_see(&b.state, &m.id, wid), "{wid}");
            }
        }
    }
    assert!(linli_core::private::may_see(
        &b.state,
        &"c1".into(),
        &w("w5")
    ));
}

/// `permissions::manages_resources`, which decides who gets the resource
/// list, agrees with the reducer on adding a resource for one's own unit.
#[test]
fn manages_resources_agrees_with_the_reducer() {
    let fresh = base();
    for who in EVERYONE {
        let role = fresh.state.members[&who.into()].role;
        let mut b = fresh.clone();
        let out = b.push(who, sample(Action::AddResource)).1;
        assert_eq!(
            linli_core::permissions::manages_resources(role),
            !refused(out),
            "{who}: {out:?}"
        );
    }
}

/// `actions::available`, the buttons of the wish page, against the reducer:
/// for every entry of `actions::TABLE`, every member and a wish in each
/// stage, an offered action folds without a permission or lifecycle void,
/// and an action not offered folds with one. The input is what the form
/// would send (the first choice the core lists, a text, minutes).
#[test]
fn available_agrees_with_the_reducer() {
    use linli_core::actions::{self, Choice, Input, TABLE};
    use linli_core::rules;
    fn input(b: &LogBuilder, member: &Member, choice: Option<Choice>) -> Input {
        let w1 = wish(b, "w1");
        let choice = match choice {
            Some(Choice::Assignee) => rules::assignees(&b.state, w1)[0].key(),
            Some(Choice::MergeInto) => rules::merge_targets(&b.state, w1)[0].id.to_string(),
            None => String::new(),
        };
        Input {
            choice,
            minutes: Some(30),
            text: "说明".into(),
            ..Input::for_member(member)
        }
    }
    let stages: Vec<(&str, LogBuilder)> = vec![
        ("submitted", {
            let mut b = base();
            ok(create(&mut b, "r1", "w1", Channel::SelfService));
            b
        }),
        ("published", published()),
        ("claimed", claimed()),
        ("in progress", {
            let mut b = claimed();
            ok(b.push("v1", OpKind::Start { wish: w("w1") }));
            b
        }),
        ("completed", completed(30)),
        ("closed", {
            let mut b = completed(30);
            ok(evaluate(&mut b, "r1", Rating::Satisfied));
            b
        }),
        ("rejected", {
            let mut b = published();
            ok(b.push(
                "c1",
                OpKind::Reject {
                    wish: w("w1"),
                    reason: "x".into(),
                },
            ));
            b
        }),
    ];
    let lifecycle_or_permission = |out: Outcome| {
        matches!(
            out,
            Outcome::Void(
                VoidReason::Forbidden
                    | VoidReason::NotHolder
                    | VoidReason::WrongStatus
                    | VoidReason::AlreadyClaimed
                    | VoidReason::WorkStarted
                    | VoidReason::WishClosed
                    | VoidReason::LeaseNotExpired
                    | VoidReason::NoLease
            )
        )
    };
    let mut offered = 0;
    for (stage, mut fresh) in stages {
        // Another open repair to merge into, filed before the stage's ops.
        ok(create(&mut fresh, "r1", "w0", Channel::SelfService));
        for a in TABLE {
            for who in EVERYONE {
                let member = fresh.state.members[&who.into()].clone();
                let now = fresh.now();
                let shown = actions::available(&fresh.state, &member, wish(&fresh, "w1"), now)
                    .iter()
                    .any(|x| x.action == a.action);
                let Ok(kind) = a.op(w("w1"), &input(&fresh, &member, a.needs.choice)) else {
                    // No op to make (a partner claim by a member of no unit).
                    assert!(!shown, "{stage} {who} {:?}", a.action);
                    continue;
                };
                let mut b = fresh.clone();
                let out = b.push(who, kind).1;
                assert_eq!(
                    shown,
                    !lifecycle_or_permission(out),
                    "{stage} {who} {:?}: {out:?}",
                    a.action
                );
                offered += shown as u32;
            }
        }
    }
    assert!(offered > 40, "{offered}");

    // A lease past due: everyone but the viewer is offered the lease check,
    // and it applies.
    let mut b = claimed();
    b.advance_hours(73);
    let lease = actions::entry_of(Action::ExpireLease).unwrap();
    for who in EVERYONE {
        let member = b.state.members[&who.into()].clone();
        let shown = actions::may(
            &b.state,
            &member,
            wish(&b, "w1"),
            Action::ExpireLease,
            b.now(),
        );
        let mut c = b.clone();
        let out = c
            .push(who, lease.op(w("w1"), &Input::for_member(&member)).unwrap())
            .1;
        assert_eq!(shown, out == Outcome::Applied, "{who}: {out:?}");
        assert_eq!(shown, who != "x1");
    }
}
