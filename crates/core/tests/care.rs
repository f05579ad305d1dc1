//! The care list: every rule and void reason, the visibility rule for every
//! role and relation, due dates across month ends, and coverage.

use linli_core::calendar::{self, DAY_MS};
use linli_core::care::Household;
use linli_core::care::{
    self, Frequency, HouseholdRecord, HouseholdStatus, Outcome as Found, VisitMode, VisitNote,
};
use linli_core::demo::LogBuilder;
use linli_core::ids::{HouseholdId, VisitId};
use linli_core::model::{Category, Channel, Place, Role, Urgency};
use linli_core::op::OpKind;
use linli_core::reduce::{Outcome, VoidReason};
use linli_core::validate::{self, ValidationError};
use linli_core::{MemberId, OpId, WishId};
use std::collections::BTreeSet;

/// 2024-01-31 10:00 in Beijing (02:00 UTC): a month end before a leap February.
const JAN31: u64 = 1_706_666_400_000;

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

/// c1 coordinator; g1 grid worker of 一网格, g2 of 二网格; v1, v2, v3
/// volunteers; r1 resident, p1 partner, k1 kiosk, x1 viewer.
fn community() -> LogBuilder {
    LogBuilder::community(
        JAN31,
        &["一网格", "二网格"],
        &[
            ("g1", Role::GridWorker, &["一网格"]),
            ("g2", Role::GridWorker, &["二网格"]),
            ("v1", Role::Volunteer, &[]),
            ("v2", Role::Volunteer, &[]),
            ("v3", Role::Volunteer, &["一网格"]),
            ("r1", Role::Resident, &["一网格"]),
            ("p1", Role::Partner, &[]),
            ("k1", Role::Kiosk, &[]),
            ("x1", Role::Viewer, &[]),
        ],
    )
}

fn add(h: &str, grid: &str, frequency: Frequency, responsible: &str, pair: &[&str]) -> OpKind {
    OpKind::AddHousehold {
        household: h.into(),
        category: "独居老人".into(),
        grid: grid.into(),
        building: Some("3号楼".into()),
        frequency,
        responsible: responsible.into(),
        pair: pair.iter().map(|p| MemberId::from(*p)).collect(),
    }
}

fn visit(h: &str, v: &str, date: u64, outcome: Found) -> OpKind {
    OpKind::RecordVisit {
        household: h.into(),
        visit: v.into(),
        date,
        mode: VisitMode::Home,
        outcome,
        visitors: vec![],
    }
}

fn status(h: &str, s: HouseholdStatus, reason: &str) -> OpKind {
    OpKind::SetHouseholdStatus {
        household: h.into(),
        status: s,
        reason: reason.into(),
    }
}

fn h1(b: &LogBuilder) -> &Household {
    &b.state.households[&HouseholdId::from("h1")]
}

/// h1 in 一网格, weekly, g1 responsible with v1 as pair.
fn with_household() -> LogBuilder {
    let mut b = community();
    ok(b.push("g1", add("h1", "一网格", Frequency::Weekly, "g1", &["v1"])));
    b
}

#[test]
fn who_keeps_the_list() {
    let mut b = community();
    // A grid worker adds in their grid, not in another.
    ok(b.push("g1", add("h1", "一网格", Frequency::Weekly, "g1", &[])));
    assert_eq!(
        void(b.push("g1", add("h2", "二网格", Frequency::Weekly, "g2", &[]))),
        VoidReason::Forbidden
    );
    // Volunteers, residents, partners, the kiosk and viewers keep no list.
    for who in ["v1", "r1", "p1", "k1", "x1"] {
        assert_eq!(
            void(b.push(who, add("h3", "一网格", Frequency::Weekly, "g1", &[]))),
            VoidReason::Forbidden,
            "{who}"
        );
    }
    // The coordinator anywhere.
    ok(b.push("c1", add("h2", "二网格", Frequency::Monthly, "g2", &["v2"])));
    // A grid worker may not move a household into a grid not theirs.
    let mv = OpKind::UpdateHousehold {
        household: "h1".into(),
        category: None,
        grid: Some("二网格".into()),
        building: None,
        frequency: None,
        responsible: None,
        pair: None,
    };
    assert_eq!(void(b.push("g1", mv.clone())), VoidReason::Forbidden);
    ok(b.push("c1", mv));
    assert_eq!(h1(&b).grid, "二网格");
    // …and now g1 cannot touch it, g2 can.
    assert_eq!(
        void(b.push("g1", status("h1", HouseholdStatus::Paused, "住院"))),
        VoidReason::Forbidden
    );
    ok(b.push("g2", status("h1", HouseholdStatus::Paused, "住院")));
}

#[test]
fn every_care_void_reason_is_reachable() {
    let mut seen = BTreeSet::new();
    let mut note = |r: VoidReason| {
        seen.insert(r);
    };
    let mut b = with_household();
    note(void(b.push(
        "g1",
        add("h1", "一网格", Frequency::Weekly, "g1", &[]),
    )));
    note(void(b.push("g1", visit("h9", "vv", JAN31, Found::Well))));
    note(void(b.push(
        "g1",
        OpKind::LinkVisitWish {
            visit: "nope".into(),
            wish: "w1".into(),
        },
    )));
    let mut unknown_cat = add("h2", "一网格", Frequency::Weekly, "g1", &[]);
    if let OpKind::AddHousehold { category, .. } = &mut unknown_cat {
        *category = "宠物".into();
    }
    note(void(b.push("g1", unknown_cat)));
    note(void(b.push(
        "c1",
        add("h2", "三网格", Frequency::Weekly, "g1", &[]),
    )));
    // Responsible must be a coordinator or grid worker; the pair volunteers.
    note(void(b.push(
        "c1",
        add("h2", "一网格", Frequency::Weekly, "v1", &[]),
    )));
    assert_eq!(
        void(b.push("c1", add("h2", "一网格", Frequency::Weekly, "g1", &["r1"]))),
        VoidReason::BadCarer
    );
    assert_eq!(
        void(b.push("c1", add("h2", "一网格", Frequency::Weekly, "g1", &["g1"]))),
        VoidReason::BadCarer
    );
    assert_eq!(
        void(b.push("c1", add("h2", "一网格", Frequency::Weekly, "g1", &["zz"]))),
        VoidReason::UnknownMember
    );
    note(void(b.push(
        "g1",
        visit("h1", "vv", b.now() + 2 * DAY_MS, Found::Well),
    )));
    let v = ok(b.push("v1", visit("h1", "vv", JAN31, Found::FollowUp)));
    let _ = v;
    assert_eq!(
        void(b.push("v1", visit("h1", "vv", JAN31, Found::Well))),
        VoidReason::AlreadyExists
    );
    // A wish recorded from the visit, linked once.
    ok(b.push(
        "g1",
        OpKind::CreateWish {
            wish: "w1".into(),
            category: Category::Repair,
            title: "修水龙头".into(),
            description: String::new(),
            place: Place {
                grid: Some("一网格".into()),
                building: Some("3号楼".into()),
                ..Place::default()
            },
            urgency: Urgency::Normal,
            window: None,
            channel: Channel::OnBehalf,
            requester: None,
        },
    ));
    let link = OpKind::LinkVisitWish {
        visit: "vv".into(),
        wish: "w1".into(),
    };
    // Not the volunteer's wish: forbidden.
    assert_eq!(void(b.push("v1", link.clone())), VoidReason::Forbidden);
    ok(b.push("g1", link.clone()));
    note(void(b.push("g1", link)));
    note(void(
        b.push("g1", status("h1", HouseholdStatus::Active, "")),
    ));
    ok(b.push("c1", status("h1", HouseholdStatus::Closed, "搬走了")));
    note(void(b.push("c1", visit("h1", "v2", JAN31, Found::Well))));
    let all: BTreeSet<VoidReason> = VoidReason::ALL
        .into_iter()
        .skip_while(|r| *r != VoidReason::UnknownHousehold)
        .take_while(|r| *r <= VoidReason::AlreadyLinked)
        .collect();
    let missing: Vec<_> = all.difference(&seen).collect();
    assert!(missing.is_empty(), "unreached: {missing:?}");
}

#[test]
fn visits_link_both_ways() {
    let mut b = with_household();
    ok(b.push("g1", visit("h1", "vv", JAN31, Found::FollowUp)));
    ok(b.push(
        "g1",
        OpKind::CreateWish {
            wish: "w1".into(),
            category: Category::Repair,
            title: "修水龙头".into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::Normal,
            window: None,
            channel: Channel::OnBehalf,
            requester: None,
        },
    ));
    ok(b.push(
        "g1",
        OpKind::LinkVisitWish {
            visit: "vv".into(),
            wish: "w1".into(),
        },
    ));
    assert_eq!(
        b.state.wish_visits[&WishId::from("w1")],
        VisitId::from("vv")
    );
    assert_eq!(h1(&b).visits[0].wishes, vec![WishId::from("w1")]);
    // A visit with no visitors named is the author's.
    assert_eq!(h1(&b).visits[0].visitors, vec![MemberId::from("g1")]);
}

/// The privacy rule for every role and relation.
#[test]
fn who_may_see_a_household() {
    let mut b = with_household();
    let see = |b: &LogBuilder, m: &str| care::may_see(&b.state, &m.into(), &"h1".into());
    let expect = |b: &LogBuilder, yes: &[&str]| {
        for m in [
            "c1", "g1", "g2", "v1", "v2", "v3", "r1", "p1", "k1", "x1", "zz",
        ] {
            assert_eq!(see(b, m), yes.contains(&m), "{m}");
        }
    };
    // Coordinator, the grid's grid worker, the pair; not a volunteer of
    // that grid, not another grid's worker, nobody else.
    expect(&b, &["c1", "g1", "v1"]);
    // Reassigned: the old pair loses it, the new gains it.
    ok(b.push(
        "g1",
        OpKind::UpdateHousehold {
            household: "h1".into(),
            category: None,
            grid: None,
            building: None,
            frequency: None,
            responsible: None,
            pair: Some(vec!["v2".into()]),
        },
    ));
    expect(&b, &["c1", "g1", "v2"]);
    // A responsible coordinator or worker from another grid sees it too.
    ok(b.push(
        "c1",
        OpKind::UpdateHousehold {
            household: "h1".into(),
            category: None,
            grid: None,
            building: None,
            frequency: None,
            responsible: Some("g2".into()),
            pair: None,
        },
    ));
    expect(&b, &["c1", "g1", "g2", "v2"]);
    // Paused: unchanged. Removed member: no longer.
    ok(b.push("g1", status("h1", HouseholdStatus::Paused, "住院")));
    expect(&b, &["c1", "g1", "g2", "v2"]);
    ok(b.push(
        "c1",
        OpKind::RemoveMember {
            member: "v2".into(),
        },
    ));
    expect(&b, &["c1", "g1", "g2"]);
    // Closed: coordinators only.
    ok(b.push("g1", status("h1", HouseholdStatus::Closed, "搬走了")));
    expect(&b, &["c1"]);
    assert!(!care::may_visit(&b.state, &"c1".into(), &"h1".into()));
    // A grid worker who loses the grid loses the household.
    let mut b = with_household();
    ok(b.push(
        "c1",
        OpKind::UpdateMember {
            member: "g1".into(),
            name: None,
            skills: None,
            grids: Some(vec!["二网格".into()]),
        },
    ));
    // g1 is still the responsible one, so still sees it; g2 does not.
    assert!(see(&b, "g1"));
    ok(b.push(
        "c1",
        OpKind::UpdateHousehold {
            household: "h1".into(),
            category: None,
            grid: None,
            building: None,
            frequency: None,
            responsible: Some("c1".into()),
            pair: None,
        },
    ));
    assert!(!see(&b, "g1"));
    // The kiosk's view (what a kiosk device holds) has no care list at all.
    let b2 = with_household();
    let view = linli_core::kiosk::view(&b2.state, &"k1".into(), &"dev-k1".into(), b2.now());
    assert!(view.households.is_empty() && view.visits.is_empty());
    // Who may edit the private record: coordinators and the grid's workers.
    let b = with_household();
    for (m, yes) in [("c1", true), ("g1", true), ("v1", false), ("g2", false)] {
        assert_eq!(
            care::may_edit(&b.state, &m.into(), &"h1".into()),
            yes,
            "{m}"
        );
    }
}

#[test]
fn a_volunteer_not_in_the_pair_records_nothing() {
    let mut b = with_household();
    assert_eq!(
        void(b.push("v2", visit("h1", "vv", JAN31, Found::Well))),
        VoidReason::Forbidden
    );
    // A volunteer with the grid in their grids is still not a carer.
    assert_eq!(
        void(b.push("v3", visit("h1", "vv", JAN31, Found::Well))),
        VoidReason::Forbidden
    );
    ok(b.push("v1", visit("h1", "vv", JAN31, Found::Well)));
}

fn day(ms: u64) -> i64 {
    calendar::local(ms, 480).days
}

#[test]
fn due_dates_across_month_ends_and_frequencies() {
    let jan31 = calendar::local(JAN31, 480);
    assert_eq!((jan31.year, jan31.month, jan31.day), (2024, 1, 31));
    // Monthly from 31 January: 29 February (leap year), then the 29th.
    let feb29 = Frequency::Monthly.next(&jan31);
    assert_eq!(feb29, calendar::days_from_civil(2024, 2, 29));
    let d = calendar::local(
        (feb29 as u64) * DAY_MS - 8 * 3_600_000 + 12 * 3_600_000,
        480,
    );
    assert_eq!((d.month, d.day), (2, 29));
    assert_eq!(
        Frequency::Monthly.next(&d),
        calendar::days_from_civil(2024, 3, 29)
    );
    // December rolls into the next year; 2023 February has 28 days.
    let dec = calendar::local(1_703_980_800_000, 480); // 2023-12-31 08:00 Beijing
    assert_eq!((dec.year, dec.month, dec.day), (2023, 12, 31));
    assert_eq!(
        Frequency::Monthly.next(&dec),
        calendar::days_from_civil(2024, 1, 31)
    );
    assert_eq!(calendar::month_days(2023, 2), 28);
    assert_eq!(calendar::month_days(2100, 2), 28);
    assert_eq!(calendar::month_days(2000, 2), 29);
    assert_eq!(Frequency::Weekly.next(&jan31), jan31.days + 7);
    assert_eq!(Frequency::Fortnightly.next(&jan31), jan31.days + 14);
    // days_from_civil inverts local over a few centuries.
    for days in (-50_000i64..80_000).step_by(997) {
        let l = calendar::local((days as u64).wrapping_mul(DAY_MS), 0);
        if days >= 0 {
            assert_eq!(calendar::days_from_civil(l.year, l.month, l.day), days);
        }
    }
}

#[test]
fn due_and_overdue_follow_the_last_counting_visit() {
    let mut b = with_household();
    let now = b.now();
    let due = care::due(&b.state, now);
    assert_eq!(due.len(), 1);
    // Joined on 31 January: a week later it is due.
    assert_eq!(due[0].by, day(JAN31) + 7);
    assert_eq!(due[0].days_left, 7);
    // Eight days on without a visit: overdue by a day.
    b.advance_ms(8 * DAY_MS);
    let now = b.now();
    let d = care::due(&b.state, now)[0];
    assert!(d.overdue());
    assert_eq!(d.days_left, -1);
    // "Not at home" does not count.
    ok(b.push("g1", visit("h1", "v1", now, Found::NotHome)));
    assert!(care::due(&b.state, now)[0].overdue());
    // A real visit today moves it a week on.
    ok(b.push("g1", visit("h1", "v2", now, Found::Well)));
    let d = care::due(&b.state, now)[0];
    assert_eq!(d.days_left, 7);
    // A late-recorded older visit does not move the date back.
    ok(b.push("g1", visit("h1", "v3", now - 5 * DAY_MS, Found::Well)));
    assert_eq!(care::due(&b.state, now)[0].days_left, 7);
    // Paused: nothing is due; mine lists only what one cares for.
    ok(b.push("g1", status("h1", HouseholdStatus::Paused, "住院")));
    assert!(care::due(&b.state, now).is_empty());
    ok(b.push("g1", status("h1", HouseholdStatus::Active, "")));
    assert_eq!(care::mine(&b.state, &"v1".into(), now).len(), 1);
    assert!(care::mine(&b.state, &"v2".into(), now).is_empty());
    // This week: due by Sunday.
    let d = care::due(&b.state, now)[0];
    let today = calendar::local(now, 480);
    assert_eq!(
        care::this_week(&d, &b.state, now),
        d.by <= today.days + 6 - i64::from(today.weekday)
    );
}

#[test]
fn coverage_by_grid_and_month() {
    let mut b = community();
    ok(b.push("c1", add("h1", "一网格", Frequency::Weekly, "g1", &[])));
    ok(b.push("c1", add("h2", "一网格", Frequency::Monthly, "g1", &[])));
    ok(b.push("c1", add("h3", "二网格", Frequency::Weekly, "g2", &[])));
    // January (judged at its last instant, the day they joined): all covered.
    let jan = care::coverage(&b.state, "2024-01", b.now() + 40 * DAY_MS);
    assert_eq!(
        jan.iter()
            .map(|c| (c.grid.as_str(), c.households, c.covered))
            .collect::<Vec<_>>(),
        [("一网格", 2, 2), ("二网格", 1, 1)]
    );
    // Into February: h1 visited on the 20th, h3 never.
    b.advance_ms(20 * DAY_MS);
    ok(b.push("g1", visit("h1", "v1", b.now(), Found::Well)));
    b.advance_ms(9 * DAY_MS + 14 * 3_600_000); // 29 Feb, evening
    let now = b.now();
    let feb = care::coverage(&b.state, "2024-02", now);
    // h1: due 27 Feb (visited 20th) → overdue; h2 monthly: due 29 Feb → covered.
    assert_eq!(
        (feb[0].households, feb[0].covered, feb[0].overdue),
        (2, 1, 1)
    );
    assert_eq!(
        (feb[1].households, feb[1].covered, feb[1].overdue),
        (1, 0, 1)
    );
    assert_eq!(feb[0].permille(), 500);
    // A month before anyone joined: nobody counted.
    let dec = care::coverage(&b.state, "2023-12", now);
    assert!(dec.iter().all(|c| c.households == 0));
    // Closing a household in March does not rewrite February.
    b.advance_ms(2 * DAY_MS);
    ok(b.push("c1", status("h3", HouseholdStatus::Closed, "搬走了")));
    assert_eq!(
        care::coverage(&b.state, "2024-02", b.now())[1].households,
        1
    );
    assert_eq!(
        care::coverage(&b.state, "2024-03", b.now())[1].households,
        0
    );
    let csv = care::coverage_csv(&feb, ["网格", "户数", "已覆盖", "逾期", "覆盖率%"]);
    assert!(csv.starts_with("\u{feff}网格,户数,已覆盖,逾期,覆盖率%\r\n"));
    assert!(csv.contains("一网格,2,1,1,50.0\r\n"), "{csv}");
}

#[test]
fn validation_of_care_ops_and_records() {
    let too_many = OpKind::AddHousehold {
        household: "h1".into(),
        category: "独居老人".into(),
        grid: "一网格".into(),
        building: None,
        frequency: Frequency::Weekly,
        responsible: "g1".into(),
        pair: vec!["v1".into(), "v2".into(), "v3".into()],
    };
    assert_eq!(
        validate::kind(&too_many),
        Err(ValidationError::PairTooLarge)
    );
    assert_eq!(
        validate::kind(&status("h1", HouseholdStatus::Closed, " ")),
        Err(ValidationError::ReasonRequired)
    );
    assert_eq!(
        validate::kind(&status("h1", HouseholdStatus::Active, "")),
        Ok(())
    );
    let mut s = linli_core::model::Settings::default();
    s.care.categories.clear();
    assert_eq!(
        validate::settings(&s),
        Err(ValidationError::BadCareSettings)
    );
    let r = HouseholdRecord {
        household: "h1".into(),
        name: "王奶奶".into(),
        phone: "138 0000 0000".into(),
        ..HouseholdRecord::default()
    };
    assert_eq!(r.validate(), Ok(()));
    let bad = HouseholdRecord {
        phone: "call me".into(),
        ..r.clone()
    };
    assert_eq!(bad.validate().map_err(|e| e.code()), Err("bad_phone"));
    let long = HouseholdRecord {
        notes: "字".repeat(care::NOTE_MAX_CHARS + 1),
        ..r
    };
    assert_eq!(long.validate().map_err(|e| e.code()), Err("bad_note"));
    let blank = VisitNote {
        household: "h1".into(),
        visit: "v1".into(),
        text: "  ".into(),
    };
    assert_eq!(blank.validate().map_err(|e| e.code()), Err("bad_note"));
}

#[test]
fn nothing_identifying_is_in_the_log() {
    // The op kinds carry no name, phone or free text about the household:
    // their JSON has only these keys.
    let b = with_household();
    let keys: BTreeSet<String> = b
        .log
        .iter()
        .filter(|e| e.op.kind.action().is_some_and(|a| a.on_care()))
        .flat_map(|e| {
            serde_json::to_value(&e.op.kind)
                .unwrap()
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        })
        .collect();
    let allowed: BTreeSet<String> = [
        "type",
        "household",
        "category",
        "grid",
        "building",
        "frequency",
        "responsible",
        "pair",
    ]
    .map(String::from)
    .into();
    assert_eq!(keys, allowed);
}
