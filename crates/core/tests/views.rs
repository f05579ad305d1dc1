//! Derived views over the demo community.

use linli_core::demo::demo_builder;
use linli_core::model::*;
use linli_core::op::OpKind;
use linli_core::views::*;
use linli_core::{MemberId, WishId};

const T0: u64 = 1_700_000_000_000;

#[test]
fn board_puts_every_wish_in_its_column_in_priority_order() {
    let s = demo_builder(1, T0).state;
    let cols = board(&s);
    assert_eq!(cols.len(), Column::ALL.len());
    let total: usize = cols.iter().map(|(_, v)| v.len()).sum();
    assert_eq!(total, s.wishes.len());
    for (c, v) in &cols {
        assert!(!v.is_empty(), "empty column {c:?}");
        for w in v {
            assert_eq!(Column::of(w.status), *c);
        }
        for pair in v.windows(2) {
            assert!(pair[0].urgency >= pair[1].urgency);
        }
    }
    let grid1 = board_where(&s, |w| w.place.grid.as_deref() == Some("一网格"));
    assert!(
        grid1
            .iter()
            .flat_map(|(_, v)| v)
            .all(|w| w.place.grid.as_deref() == Some("一网格"))
    );
}

#[test]
fn open_orders_rank_own_grid_and_skills_first() {
    let mut b = demo_builder(1, T0);
    // Two fresh published orders: one fits v1 (一网格, repair), one does not.
    for (id, cat, grid) in [
        ("fit", Category::Repair, "一网格"),
        ("far", Category::LegalAid, "三网格"),
    ] {
        b.push(
            "c1",
            OpKind::CreateWish {
                wish: id.into(),
                category: cat,
                title: "测试".into(),
                description: String::new(),
                place: Place {
                    grid: Some(grid.into()),
                    ..Place::default()
                },
                urgency: Urgency::Normal,
                window: None,
                channel: Channel::OnBehalf,
                requester: None,
            },
        );
        b.push("c1", OpKind::Publish { wish: id.into() });
    }
    let list = open_orders(&b.state, &MemberId::from("v1"));
    assert!(list.iter().all(|r| r.wish.status == Status::Published));
    let pos = |id: &str| list.iter().position(|r| r.wish.id.as_str() == id).unwrap();
    assert!(pos("fit") < pos("far"));
    let fit = &list[pos("fit")];
    assert_eq!(fit.fits, vec![Fit::Grid, Fit::Skill, Fit::Team]);
}

#[test]
fn my_orders_and_ledger_agree_with_the_state() {
    let s = demo_builder(3, T0).state;
    for m in ["v1", "v2", "v3", "v4", "v5", "p1"] {
        let id = MemberId::from(m);
        let mine = my_orders(&s, &id);
        assert!(mine.holding.iter().all(|w| s.holds(&id, w)));
        let l = ledger(&s, &id);
        assert_eq!(l.total, s.points(&id));
        assert_eq!(l.total, l.basic + l.positive + l.deduction);
        assert!(l.deduction <= 0 && l.basic >= 0 && l.positive >= 0);
        for e in l.entries {
            assert!(
                s.outcome(&e.op).is_some(),
                "ledger entry points at a folded op"
            );
        }
    }
    let requested = my_orders(&s, &MemberId::from("r1")).requested;
    assert!(!requested.is_empty());
    let top = leaderboard(&s);
    assert!(top.windows(2).all(|p| p[0].1 >= p[1].1));
}

#[test]
fn rates_count_what_they_say() {
    let s = demo_builder(5, T0).state;
    let all = rates(&s, GroupBy::All);
    assert_eq!(all.len(), 1);
    let r = &all[0];
    let counted = s
        .wishes
        .values()
        .filter(|w| !matches!(w.status, Status::Cancelled | Status::Merged))
        .count() as u32;
    assert_eq!(r.total, counted);
    assert!(r.responded <= r.total && r.resolved <= r.total && r.satisfied <= r.evaluations);
    assert!(r.response_rate().unwrap() > 0.5);
    assert!(
        r.satisfaction_rate().unwrap() < 1.0,
        "not-satisfied results count against"
    );
    assert!(r.median_respond_ms.unwrap() > 0);
    assert!(r.median_resolve_ms.unwrap() >= r.median_respond_ms.unwrap());
    for by in [
        GroupBy::Grid,
        GroupBy::Category,
        GroupBy::Team,
        GroupBy::Month,
    ] {
        let rows = rates(&s, by);
        assert_eq!(rows.iter().map(|r| r.total).sum::<u32>(), r.total, "{by:?}");
        if by == GroupBy::Grid {
            // The community's grid order (see the test below); each once.
            let mut keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), rows.len());
        } else {
            assert!(rows.windows(2).all(|p| p[0].key < p[1].key));
        }
    }
    let months = rates(&s, GroupBy::Month);
    assert!(months.len() >= 2 && months[0].key.starts_with("2023-"));
    let csv = rates_csv(&rates(&s, GroupBy::Grid));
    assert!(csv.starts_with("group,total,"));
    assert_eq!(csv.lines().count(), 1 + 3);
    assert!(csv.contains("一网格,"));
}

#[test]
fn resources_are_ranked_by_category_time_and_place() {
    let mut b = demo_builder(1, T0);
    // A medical wish for a Saturday morning (China time) in 三网格.
    let sat = 1_700_265_600_000 - 8 * 3_600_000 + 9 * 3_600_000; // 2023-11-18 09:00 +08
    b.push(
        "c1",
        OpKind::CreateWish {
            wish: "med".into(),
            category: Category::Medical,
            title: "上门测量血压".into(),
            description: String::new(),
            place: Place {
                grid: Some("三网格".into()),
                ..Place::default()
            },
            urgency: Urgency::Normal,
            window: Some(TimeWindow {
                from: sat,
                to: sat + 3 * 3_600_000,
            }),
            channel: Channel::OnBehalf,
            requester: None,
        },
    );
    let m = match_resources(&b.state, &WishId::from("med"));
    let ids: Vec<&str> = m.iter().map(|r| r.resource.id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["res1", "res5"],
        "medical first, then the all-purpose one"
    );
    assert!(m[0].time && m[0].place && m[0].category && !m[0].general);
    // The all-purpose resource is 通用, not 类别对口 (issue 13, item 11).
    assert!(!m[1].category && m[1].general);
    // On a Monday the Saturday clinic does not fit in time.
    let mon = sat + 2 * 86_400_000;
    b.push(
        "c1",
        OpKind::CreateWish {
            wish: "med2".into(),
            category: Category::Medical,
            title: "康复指导".into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::Normal,
            window: Some(TimeWindow {
                from: mon,
                to: mon + 3_600_000,
            }),
            channel: Channel::OnBehalf,
            requester: None,
        },
    );
    let m = match_resources(&b.state, &WishId::from("med2"));
    assert!(!m[0].time);
    assert!(match_resources(&b.state, &WishId::from("nope")).is_empty());
}

/// The reverse view: one resource's demand list agrees with
/// `match_resources` wish by wish, and keeps only published wishes.
#[test]
fn a_resource_sees_the_published_demands_it_could_serve() {
    let mut b = demo_builder(1, T0);
    let sat = 1_700_265_600_000 - 8 * 3_600_000 + 9 * 3_600_000;
    for (id, grid) in [("med-a", "三网格"), ("med-b", "一网格")] {
        b.push(
            "c1",
            OpKind::CreateWish {
                wish: id.into(),
                category: Category::Medical,
                title: "上门测量血压".into(),
                description: String::new(),
                place: Place {
                    grid: Some(grid.into()),
                    ..Place::default()
                },
                urgency: Urgency::Normal,
                window: Some(TimeWindow {
                    from: sat,
                    to: sat + 3_600_000,
                }),
                channel: Channel::OnBehalf,
                requester: None,
            },
        );
    }
    b.push(
        "c1",
        OpKind::Publish {
            wish: "med-a".into(),
        },
    );
    let s = &b.state;
    for r in s.resources.values() {
        let demands = demands_for(s, &r.id);
        for w in s.wishes.values() {
            let listed = demands.iter().any(|d| d.id == w.id);
            let matches = match_resources(s, &w.id)
                .iter()
                .any(|m| m.resource.id == r.id);
            assert_eq!(
                listed,
                matches && w.status == Status::Published,
                "{} for {}",
                r.id.as_str(),
                w.id.as_str()
            );
        }
    }
    let clinic = demands_for(s, &"res1".into());
    assert!(clinic.iter().any(|w| w.id.as_str() == "med-a"));
    assert!(
        !clinic.iter().any(|w| w.id.as_str() == "med-b"),
        "not published"
    );
    assert!(demands_for(s, &"nope".into()).is_empty());
}

#[test]
fn overdue_lists_leases_past_their_deadline() {
    let b = demo_builder(1, T0);
    let now = b.now();
    assert!(
        overdue(&b.state, now).is_empty(),
        "the demo's live claims are fresh"
    );
    let later = overdue(&b.state, now + 100 * 3_600_000);
    assert!(!later.is_empty());
    assert!(
        later
            .iter()
            .all(|w| matches!(w.status, Status::Claimed | Status::Assigned))
    );
}

/// 2023-11-30T21:00Z: 05:00 on 1 December in Beijing.
const BEIJING_DEC_1_0500: u64 = 1_701_378_000_000;

/// Months are the community's: a wish filed at 05:00 on the 1st in Beijing
/// counts in December under the default offset (UTC+8) and in November at
/// UTC; the rates of a month count it accordingly.
#[test]
fn months_follow_the_community_offset_across_midnight_of_the_1st() {
    use linli_core::calendar::Period;
    use linli_core::demo::LogBuilder;
    use linli_core::model::Settings;
    let mut b = LogBuilder::new(BEIJING_DEC_1_0500);
    b.push(
        "c1",
        OpKind::CreateCommunity {
            community: "cm".into(),
            name: "长寿路社区".into(),
            founder: "苏书记".into(),
            grids: vec![],
            buildings: vec![],
            settings: None,
        },
    );
    b.push(
        "c1",
        OpKind::CreateWish {
            wish: "w1".into(),
            category: Category::Repair,
            title: "路灯不亮".into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::Normal,
            window: None,
            channel: Channel::OnBehalf,
            requester: None,
        },
    );
    let s = &b.state;
    assert_eq!(s.wishes[&WishId::from("w1")].created_at, BEIJING_DEC_1_0500);
    assert_eq!(month_of(s, BEIJING_DEC_1_0500), "2023-12");
    assert_eq!(wish_months(s), vec!["2023-12".to_owned()]);
    let dec = Period::Month("2023-12".into());
    let nov = Period::Month("2023-11".into());
    assert_eq!(rates_in(s, GroupBy::All, &dec)[0].total, 1);
    assert!(rates_in(s, GroupBy::All, &nov).is_empty());
    assert_eq!(rates(s, GroupBy::Month)[0].key, "2023-12");

    b.push(
        "c1",
        OpKind::UpdateSettings {
            settings: Settings {
                utc_offset_minutes: 0,
                ..Settings::default()
            },
        },
    );
    let s = &b.state;
    assert_eq!(wish_months(s), vec!["2023-11".to_owned()]);
    assert_eq!(rates_in(s, GroupBy::All, &nov)[0].total, 1);
    assert!(rates_in(s, GroupBy::All, &dec).is_empty());
}

/// The leaderboard and the rates of each month add up to the reducer's
/// totals over all time (points per member, wishes counted).
#[test]
fn monthly_leaderboards_and_rates_add_up_to_the_reducers_totals() {
    use linli_core::calendar::Period;
    // Starts ten days before the end of November, so the demo spans months.
    let s = demo_builder(3, BEIJING_DEC_1_0500 - 10 * 86_400_000).state;
    let months = ledger_months(&s);
    assert!(months.len() >= 2, "{months:?}");
    assert!(months.windows(2).all(|m| m[0] > m[1]), "newest first");
    let mut sums: std::collections::BTreeMap<&MemberId, i64> = Default::default();
    for m in &months {
        for (member, points) in leaderboard_in(&s, &Period::Month(m.clone())) {
            *sums.entry(member).or_default() += points;
        }
    }
    for (member, total) in leaderboard(&s) {
        assert_eq!(sums[member], total);
        assert_eq!(total, s.points(member));
    }
    let all = rates(&s, GroupBy::All)[0].clone();
    let months = wish_months(&s);
    let by_month: u32 = months
        .iter()
        .map(|m| rates_in(&s, GroupBy::All, &Period::Month(m.clone()))[0].total)
        .sum();
    assert_eq!(by_month, all.total);
    let keys: Vec<String> = rates(&s, GroupBy::Month)
        .into_iter()
        .map(|r| r.key)
        .collect();
    let mut newest = keys.clone();
    newest.reverse();
    assert!(newest.iter().all(|k| months.contains(k)));
}

/// Rates by grid follow the community's own grid order (issue 13: the
/// dashboard showed 一、三、二 because rows came in code-point order).
#[test]
fn rates_by_grid_follow_the_communitys_order() {
    use linli_core::demo::LogBuilder;
    let grids = ["一网格", "二网格", "三网格"];
    let mut b = LogBuilder::community(1_700_000_000_000, &grids, &[]);
    for (i, g) in grids.iter().rev().chain([&"别处"]).enumerate() {
        b.push(
            "c1",
            OpKind::CreateWish {
                wish: format!("w{i}").into(),
                category: Category::Repair,
                title: "楼道灯坏了".into(),
                description: String::new(),
                place: Place {
                    grid: Some(g.to_string()),
                    ..Place::default()
                },
                urgency: Urgency::Normal,
                window: None,
                channel: Channel::OnBehalf,
                requester: None,
            },
        );
    }
    let keys: Vec<String> = rates(&b.state, GroupBy::Grid)
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(keys, ["一网格", "二网格", "三网格", "别处"]);
}

/// The wish form's duplicate hint: open wishes of the same category and
/// place whose title looks alike, never a closed one, at most `limit`.
#[test]
fn look_alikes_keep_to_open_wishes_of_the_category_and_place() {
    let s = demo_builder(1, T0).state;
    let open = s
        .wishes
        .values()
        .find(|w| !w.status.is_terminal() && w.place.grid.is_some())
        .expect("an open wish with a grid");
    let grid = open.place.grid.as_deref();
    let building = open.place.building.as_deref();
    let found = look_alikes(&s, open.category, &open.title, grid, building, 100);
    assert!(found.iter().any(|w| w.id == open.id), "its own title");
    for w in &found {
        assert!(!w.status.is_terminal(), "{} is closed", w.id);
        assert_eq!(w.category, open.category);
        assert_eq!(w.place.grid.as_deref(), grid);
        if building.is_some() {
            assert_eq!(w.place.building.as_deref(), building);
        }
        assert!(looks_alike(&w.title, &open.title));
    }
    assert_eq!(
        look_alikes(&s, open.category, &open.title, None, None, 1).len(),
        1
    );
    let other = Category::ALL
        .into_iter()
        .find(|c| *c != open.category)
        .unwrap();
    let elsewhere = look_alikes(&s, other, &open.title, grid, building, 100);
    assert!(
        elsewhere.iter().all(|w| w.id != open.id),
        "another category"
    );
    let other_grid = look_alikes(
        &s,
        open.category,
        &open.title,
        Some("no such grid"),
        None,
        100,
    );
    assert!(other_grid.is_empty(), "another grid");
    assert!(look_alikes(&s, open.category, " 灯 ", None, None, 100).is_empty());
    let closed = s
        .wishes
        .values()
        .find(|w| w.status.is_terminal())
        .expect("a closed wish");
    let hint = look_alikes(&s, closed.category, &closed.title, None, None, 100);
    assert!(
        hint.iter().all(|w| w.id != closed.id),
        "never a closed wish"
    );
}

#[test]
fn the_first_page_is_the_top_of_the_list_the_role_opens_on() {
    let s = demo_builder(1, T0).state;
    // A coordinator opens on every wish, newest first; a resident on their own.
    let c = first_page(&s, &MemberId::from("c1"), Role::Coordinator, 5);
    assert!(c.all);
    assert_eq!(c.total, s.wishes.len());
    let all = wish_list(&s, &MemberId::from("c1"), false, "", "");
    assert!(all.windows(2).all(|p| p[0].created_at >= p[1].created_at));
    assert_eq!(
        c.wishes,
        all.iter().take(5).map(|w| (*w).clone()).collect::<Vec<_>>()
    );
    let r = first_page(&s, &MemberId::from("r1"), Role::Resident, 50);
    assert!(!r.all);
    let mine = my_orders(&s, &MemberId::from("r1")).requested;
    assert_eq!(r.total, mine.len());
    assert_eq!(r.wishes.len(), mine.len().min(50));
    assert!(
        r.wishes
            .iter()
            .all(|w| w.requester.as_ref() == Some(&r.member) || w.created_by == r.member)
    );
    // Filters: a status code and words of the title.
    let open = wish_list(&s, &MemberId::from("c1"), false, "published", "");
    assert!(!open.is_empty() && open.iter().all(|w| w.status.code() == "published"));
    let title = &all[0].title;
    let found = wish_list(&s, &MemberId::from("c1"), false, "", title);
    assert!(found.iter().any(|w| w.id == all[0].id));
    assert!(wish_list(&s, &MemberId::from("c1"), false, "", "不会出现的词语").is_empty());
    // Round trip: what the device keeps decodes to the same page.
    let kept: FirstPage = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(kept, c);
    assert!(lists_all_first(Role::Viewer) && lists_all_first(Role::GridWorker));
    assert!(!lists_all_first(Role::Volunteer) && !lists_all_first(Role::Partner));
}
