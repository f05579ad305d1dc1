//! Street level: the street's answers in a community's log, the inbox, the
//! dashboard over several communities.

use linli_core::calendar::Period;
use linli_core::demo::LogBuilder;
use linli_core::model::*;
use linli_core::op::OpKind;
use linli_core::reduce::{Outcome, State, VoidReason};
use linli_core::street::{self, StreetAction};
use linli_core::views::{GroupBy, rates};
use linli_core::{CommunityId, WishId};
use proptest::prelude::*;

const T0: u64 = 1_700_000_000_000;
const HOUR: u64 = 3_600_000;
/// A street coordinator: a member of the street's log, not the community's.
const STREET: &str = "s-wang";
const FROM: &str = "西关街道 · 王主任";

fn applied(out: (linli_core::OpId, Outcome)) {
    assert_eq!(out.1, Outcome::Applied, "op {}", out.0);
}

fn void(out: (linli_core::OpId, Outcome)) -> VoidReason {
    match out.1 {
        Outcome::Void(r) => r,
        o => panic!("expected void, got {o:?}"),
    }
}

fn community() -> LogBuilder {
    LogBuilder::community(
        T0,
        &["一网格"],
        &[
            ("r1", Role::Resident, &[]),
            ("v1", Role::Volunteer, &[]),
            ("g1", Role::GridWorker, &["一网格"]),
        ],
    )
}

fn file(b: &mut LogBuilder, id: &str) {
    applied(b.push(
        "r1",
        OpKind::CreateWish {
            wish: id.into(),
            category: Category::Repair,
            title: "小区路面塌陷".into(),
            description: "3号楼前路面塌陷，需要市政维修".into(),
            place: Place {
                grid: Some("一网格".into()),
                building: Some("3号楼".into()),
                unit: Some("2单元".into()),
                text: None,
            },
            urgency: Urgency::High,
            window: None,
            channel: Channel::SelfService,
            requester: None,
        },
    ));
}

fn escalate(b: &mut LogBuilder, id: &str) {
    applied(b.push(
        "c1",
        OpKind::Escalate {
            wish: id.into(),
            level: Level::Street,
            note: "涉及市政道路，社区无权处理".into(),
        },
    ));
}

fn answer(
    b: &mut LogBuilder,
    who: &str,
    action: StreetAction,
    id: &str,
) -> (linli_core::OpId, Outcome) {
    let kind = street::op(action, &WishId::from(id), FROM, "城管科", "已派人处理").unwrap();
    b.push(who, kind)
}

fn wish<'a>(b: &'a LogBuilder, id: &str) -> &'a Wish {
    &b.state.wishes[&WishId::from(id)]
}

#[test]
fn accept_then_resolve_then_the_resident_accepts_without_points() {
    let mut b = community();
    file(&mut b, "w1");
    b.advance_hours(2);
    escalate(&mut b, "w1");
    b.advance_hours(5);
    assert_eq!(
        street::available(wish(&b, "w1")),
        vec![
            StreetAction::Accept,
            StreetAction::Return,
            StreetAction::Resolve
        ]
    );
    applied(answer(&mut b, STREET, StreetAction::Accept, "w1"));
    let w = wish(&b, "w1");
    assert_eq!(w.status, Status::Escalated);
    let e = w.escalation.as_ref().unwrap();
    assert_eq!(e.accepted.as_deref(), Some("城管科"));
    assert_eq!(e.answered_at, Some(T0 + 7 * HOUR));
    assert_eq!(e.at, T0 + 2 * HOUR);
    // Accepted once: the inbox offers no second accept.
    assert_eq!(
        street::available(w),
        vec![StreetAction::Return, StreetAction::Resolve]
    );
    b.advance_hours(24);
    applied(answer(&mut b, STREET, StreetAction::Resolve, "w1"));
    let w = wish(&b, "w1");
    assert_eq!(w.status, Status::Completed);
    assert!(w.completion.is_none());
    let answers = &w.escalation.as_ref().unwrap().answers;
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[1].kind, AnswerKind::Resolved);
    assert_eq!(answers[1].from, FROM);
    // The first answer stays the response time.
    assert_eq!(
        w.escalation.as_ref().unwrap().answered_at,
        Some(T0 + 7 * HOUR)
    );
    let last = w.timeline.last().unwrap();
    assert_eq!(last.step, linli_core::lifecycle::Step::StreetResolve);
    assert_eq!(street::answer_of(w, &last.op).unwrap().from, FROM);
    applied(b.push(
        "r1",
        OpKind::Evaluate {
            wish: "w1".into(),
            rating: Rating::Satisfied,
            comment: String::new(),
        },
    ));
    assert_eq!(wish(&b, "w1").status, Status::Closed);
    assert_eq!(b.state.points(&STREET.into()), 0);
    // The coordinator who escalated and the resident hear of both answers.
    for who in ["c1", "r1"] {
        let kinds: Vec<_> = linli_core::inbox::items(&b.state, &who.into())
            .into_iter()
            .filter_map(|i| match i.kind {
                linli_core::inbox::Kind::StreetAnswered { answer, from } => Some((answer, from)),
                _ => None,
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                (AnswerKind::Resolved, FROM.to_owned()),
                (AnswerKind::Accepted, FROM.to_owned())
            ],
            "{who}"
        );
    }
    assert!(linli_core::inbox::items(&b.state, &"g1".into()).is_empty());
    let r = &rates(&b.state, GroupBy::All)[0];
    assert_eq!(
        (r.total, r.resolved, r.escalated, r.street_answered),
        (1, 1, 1, 1)
    );
    assert_eq!(r.median_escalate_ms, Some(2 * HOUR));
    assert_eq!(r.median_street_ms, Some(5 * HOUR));
}

#[test]
fn a_return_reopens_with_guidance_and_a_second_escalation_keeps_the_history() {
    let mut b = community();
    file(&mut b, "w1");
    escalate(&mut b, "w1");
    applied(answer(&mut b, STREET, StreetAction::Return, "w1"));
    let w = wish(&b, "w1");
    assert_eq!(w.status, Status::Reopened);
    assert_eq!(w.timeline.last().unwrap().text, "已派人处理");
    // The community may dispatch it again, or escalate once more.
    b.advance_hours(1);
    escalate(&mut b, "w1");
    let e = wish(&b, "w1").escalation.clone().unwrap();
    assert_eq!(e.answers.len(), 1);
    assert_eq!(e.answered_at, None);
    assert_eq!(e.accepted, None);
}

#[test]
fn nobody_in_the_community_may_answer_for_the_street() {
    let mut b = community();
    file(&mut b, "w1");
    escalate(&mut b, "w1");
    for who in ["c1", "g1", "v1", "r1"] {
        assert_eq!(
            void(answer(&mut b, who, StreetAction::Resolve, "w1")),
            VoidReason::Forbidden,
            "{who}"
        );
    }
    // A removed member is still a member: no posing as the street either.
    applied(b.push(
        "c1",
        OpKind::RemoveMember {
            member: "v1".into(),
        },
    ));
    assert_eq!(
        void(answer(&mut b, "v1", StreetAction::Accept, "w1")),
        VoidReason::Forbidden
    );
    assert_eq!(wish(&b, "w1").status, Status::Escalated);
}

#[test]
fn only_escalated_wishes_take_answers() {
    let mut b = community();
    file(&mut b, "w1");
    assert_eq!(
        void(answer(&mut b, STREET, StreetAction::Accept, "w1")),
        VoidReason::WrongStatus
    );
    assert_eq!(
        void(answer(&mut b, STREET, StreetAction::Resolve, "nope")),
        VoidReason::UnknownWish
    );
    escalate(&mut b, "w1");
    applied(answer(&mut b, STREET, StreetAction::Resolve, "w1"));
    // Completed: a late return from a second street device is void.
    assert_eq!(
        void(answer(&mut b, STREET, StreetAction::Return, "w1")),
        VoidReason::WrongStatus
    );
}

#[test]
fn hostile_payloads_are_invalid() {
    let mut b = community();
    file(&mut b, "w1");
    escalate(&mut b, "w1");
    let long = "长".repeat(61);
    for kind in [
        OpKind::StreetAccept {
            wish: "w1".into(),
            holder: long.clone(),
            from: FROM.into(),
            note: String::new(),
        },
        OpKind::StreetAccept {
            wish: "w1".into(),
            holder: "城管科".into(),
            from: long.clone(),
            note: String::new(),
        },
        OpKind::StreetReturn {
            wish: "w1".into(),
            from: FROM.into(),
            guidance: " ".into(),
        },
        OpKind::StreetResolve {
            wish: "w1".into(),
            from: FROM.into(),
            report: "x".repeat(1001),
        },
    ] {
        assert_eq!(void(b.push(STREET, kind)), VoidReason::Invalid);
    }
    assert_eq!(wish(&b, "w1").status, Status::Escalated);
}

fn two_communities() -> (LogBuilder, LogBuilder) {
    let mut a = community();
    file(&mut a, "a1");
    file(&mut a, "a2");
    a.advance_hours(3);
    escalate(&mut a, "a2");
    let mut b = LogBuilder::community(T0, &["一网格"], &[("r1", Role::Resident, &[])]);
    applied(b.push(
        "c1",
        OpKind::UpdateCommunity {
            name: Some("东风社区".into()),
            grids: None,
            buildings: None,
        },
    ));
    file(&mut b, "b1");
    b.advance_hours(1);
    escalate(&mut b, "b1");
    applied(answer(&mut b, STREET, StreetAction::Accept, "b1"));
    (a, b)
}

#[test]
fn the_inbox_lists_every_escalated_wish_of_the_street_oldest_first() {
    let (a, b) = two_communities();
    let (ca, cb) = (CommunityId::from("a"), CommunityId::from("b"));
    let rows = street::inbox(&[(&ca, &a.state), (&cb, &b.state)]);
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.community.as_str(), r.wish.as_str(), r.accepted.as_deref()))
        .collect();
    assert_eq!(got, vec![("b", "b1", Some("城管科")), ("a", "a2", None)]);
    assert_eq!(rows[0].community_name, "东风社区");
    assert_eq!(rows[1].place_text, "一网格 · 3号楼");
    assert_eq!(rows[1].note, "涉及市政道路，社区无权处理");
}

#[test]
fn the_dashboard_adds_communities_and_ranks_them() {
    let (a, b) = two_communities();
    let (ca, cb) = (CommunityId::from("a"), CommunityId::from("b"));
    let d = street::dashboard(
        &[(&ca, &a.state), (&cb, &b.state)],
        GroupBy::Category,
        &Period::All,
    );
    assert_eq!(d.rows.len(), 2);
    assert_eq!(d.rows[0].1.key, "长寿路社区");
    assert_eq!(d.street.total, 3);
    assert_eq!(d.street.escalated, 2);
    assert_eq!(d.street.street_answered, 1);
    assert_eq!(d.street.median_street_ms, Some(0));
    assert_eq!(d.groups.len(), 1);
    assert_eq!(d.groups[0].key, "repair");
    assert_eq!(d.groups[0].total, 3);
    let ranked = street::ranking(&d);
    assert_eq!(
        ranked.iter().map(|r| r.rank).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let csv = street::dashboard_csv(&d, "全街道");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("community,total,"));
    assert!(lines[0].ends_with(",escalated,street_answered,median_escalate_h,median_street_h"));
    assert!(lines[1].starts_with("长寿路社区,2,"));
    assert!(lines[3].starts_with("全街道,3,"));
    assert_eq!(lines[4], "# ids,a,b");
}

proptest! {
    /// Whatever the communities hold, the street's totals are the sums of
    /// theirs, and the ranking is a permutation of them.
    #[test]
    fn street_totals_are_sums(sizes in proptest::collection::vec((0usize..6, 0usize..4), 1..5)) {
        let mut logs = Vec::new();
        for (n, (wishes, escalated)) in sizes.iter().enumerate() {
            let mut b = community();
            for i in 0..*wishes {
                let id = format!("w{n}-{i}");
                file(&mut b, &id);
                b.advance_hours(1);
                if i < *escalated {
                    escalate(&mut b, &id);
                    if i % 2 == 0 {
                        applied(answer(&mut b, STREET, StreetAction::Resolve, &id));
                    }
                }
            }
            logs.push((CommunityId::from(format!("c{n}").as_str()), b.state));
        }
        let refs: Vec<(&CommunityId, &State)> = logs.iter().map(|(c, s)| (c, s)).collect();
        let d = street::dashboard(&refs, GroupBy::Month, &Period::All);
        let sum = |f: fn(&linli_core::views::Rates) -> u32| d.rows.iter().map(|(_, r)| f(r)).sum::<u32>();
        prop_assert_eq!(d.street.total, sum(|r| r.total));
        prop_assert_eq!(d.street.escalated, sum(|r| r.escalated));
        prop_assert_eq!(d.street.street_answered, sum(|r| r.street_answered));
        prop_assert_eq!(d.groups.iter().map(|r| r.total).sum::<u32>(), d.street.total);
        // Each community's row is the community dashboard's own figure.
        for ((_, s), (_, row)) in logs.iter().zip(&d.rows) {
            let own = linli_core::views::rates(s, GroupBy::All).pop().unwrap_or_default();
            prop_assert_eq!(linli_core::views::Rates { key: row.key.clone(), ..own }, row.clone());
        }
        // A street of one community is that community, group by group.
        let (c0, s0) = &logs[0];
        let one = street::dashboard(&[(c0, s0)], GroupBy::Month, &Period::All);
        prop_assert_eq!(one.groups, linli_core::views::rates(s0, GroupBy::Month));
        let mut ranked: Vec<_> = street::ranking(&d).into_iter().map(|r| r.community).collect();
        ranked.sort();
        let mut ids: Vec<_> = logs.iter().map(|(c, _)| c.clone()).collect();
        ids.sort();
        prop_assert_eq!(ranked, ids);
        let inbox = street::inbox(&refs);
        prop_assert!(inbox.windows(2).all(|w| w[0].escalated_at <= w[1].escalated_at));
    }
}
