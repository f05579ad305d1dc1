//! The care list's private records at the endpoint: for every role and
//! relation, allowed or refused, on two instances over one store; dropped
//! from answers after reassignment and closing; never in the log segments.
mod common;

use common::*;
use linli_core::care::{Frequency, HouseholdStatus, Outcome, VisitMode};
use linli_core::model::Role;
use linli_core::op::OpKind;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const NAME: &str = "王秀英奶奶";
const PHONE: &str = "13812345678";
const NOTE: &str = "膝盖疼，想请人帮忙买药";
const ADDRESS: &str = "3号楼2单元501";

async fn care_of(http: &reqwest::Client, d: &Device) -> Value {
    let (s, v) = d.send(http, Method::GET, "care", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn sees(v: &Value) -> (usize, usize) {
    (
        v["households"].as_array().unwrap().len(),
        v["notes"].as_array().unwrap().len(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn care_records_follow_may_see_on_every_instance() {
    let store = mem_store();
    let a = Server::start(store.clone()).await;
    let b = Server::start(store.clone()).await;
    let http = http();
    let mut boss = community(&http, &a, "c1").await;
    let on_b = |d: &Device| {
        let mut d = d.clone();
        d.base = b.url.clone();
        d
    };
    let mut g1 = member(&http, &boss, Role::GridWorker, "网格员甲").await;
    let g2 = member(&http, &boss, Role::GridWorker, "网格员乙").await;
    let mut v1 = member(&http, &boss, Role::Volunteer, "志愿者甲").await;
    let v2 = member(&http, &boss, Role::Volunteer, "志愿者乙").await;
    let r1 = member(&http, &boss, Role::Resident, "居民").await;
    let p1 = member(&http, &boss, Role::Partner, "共建").await;
    let k1 = member(&http, &boss, Role::Kiosk, "服务窗口").await;
    let setup = [
        boss.mint(OpKind::UpdateCommunity {
            name: None,
            grids: Some(vec!["一网格".into(), "二网格".into()]),
            buildings: None,
        }),
        boss.mint(OpKind::UpdateMember {
            member: g1.member.clone(),
            name: None,
            skills: None,
            grids: Some(vec!["一网格".into()]),
        }),
        boss.mint(OpKind::UpdateMember {
            member: g2.member.clone(),
            name: None,
            skills: None,
            grids: Some(vec!["二网格".into()]),
        }),
    ];
    boss.push(&http, &setup).await;
    let add = g1.mint(OpKind::AddHousehold {
        household: "h1".into(),
        category: "独居老人".into(),
        grid: "一网格".into(),
        building: Some("3号楼".into()),
        frequency: Frequency::Weekly,
        responsible: g1.member.clone(),
        pair: vec![v1.member.clone()],
    });
    g1.push(&http, &[add]).await;

    // The household record: coordinators and the grid's grid workers write.
    let rec = json!({"household": "h1", "name": NAME, "phone": PHONE, "address": ADDRESS});
    let put = |d: &Device, path: &str, body: &Value| {
        let (d, path, body) = (d.clone(), path.to_owned(), body.clone());
        let http = http.clone();
        async move { d.send(&http, Method::PUT, &path, Some(body)).await }
    };
    let (s, v) = put(&on_b(&g1), "care/households/h1", &rec).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for d in [&g2, &v1, &v2, &r1, &p1, &k1] {
        let (s, v) = put(&on_b(d), "care/households/h1", &rec).await;
        assert_eq!((s, error_code(&v)), (StatusCode::FORBIDDEN, "forbidden"));
    }
    let (s, v) = put(&boss, "care/households/h9", &json!({"household": "h9"})).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::NOT_FOUND, "unknown_household")
    );
    let (s, v) = put(&boss, "care/households/h1", &json!({"household": "h2"})).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let (s, v) = put(
        &boss,
        "care/households/h1",
        &json!({"household": "h1", "phone": "call me"}),
    )
    .await;
    assert_eq!(
        (s, error_code(&v), v["error"]["reason"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            Some("bad_phone")
        )
    );
    let huge = json!({"household": "h1", "notes": "字".repeat(353_000)});
    let (s, v) = put(&boss, "care/households/h1", &huge).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
    );

    // A visit by the pair, its note by the one who recorded it.
    let visit = v1.mint(OpKind::RecordVisit {
        household: "h1".into(),
        visit: "vis1".into(),
        date: now_ms(),
        mode: VisitMode::Home,
        outcome: Outcome::FollowUp,
        visitors: vec![],
    });
    v1.push(&http, &[visit]).await;
    let note = json!({"household": "h1", "visit": "vis1", "text": NOTE});
    let (s, v) = put(&on_b(&v1), "care/notes/vis1", &note).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for d in [&g1, &g2, &v2, &r1, &k1] {
        let (s, v) = put(&on_b(d), "care/notes/vis1", &note).await;
        assert_eq!((s, error_code(&v)), (StatusCode::FORBIDDEN, "forbidden"));
    }
    let wrong = json!({"household": "h2", "visit": "vis1", "text": NOTE});
    let (s, v) = put(&boss, "care/notes/vis1", &wrong).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::NOT_FOUND, "unknown_household")
    );
    let blank = json!({"household": "h1", "visit": "vis1", "text": "  "});
    let (s, v) = put(&boss, "care/notes/vis1", &blank).await;
    assert_eq!(
        (s, v["error"]["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_note"))
    );

    // Who reads, on the other instance.
    for (d, want) in [
        (&boss, (1, 1)),
        (&g1, (1, 1)),
        (&v1, (1, 1)),
        (&g2, (0, 0)),
        (&v2, (0, 0)),
        (&r1, (0, 0)),
        (&p1, (0, 0)),
        (&k1, (0, 0)),
    ] {
        let v = care_of(&http, &on_b(d)).await;
        assert_eq!(sees(&v), want, "{}: {v}", d.member);
        if want.0 == 1 {
            assert_eq!(v["households"][0]["name"], NAME);
            assert_eq!(v["notes"][0]["text"], NOTE);
        }
    }

    // Reassigned to v2: v1 loses it at once on B, v2 gains it.
    let re = boss.mint(OpKind::UpdateHousehold {
        household: "h1".into(),
        category: None,
        grid: None,
        building: None,
        frequency: None,
        responsible: None,
        pair: Some(vec![v2.member.clone()]),
    });
    boss.push(&http, &[re]).await;
    assert_eq!(sees(&care_of(&http, &on_b(&v1)).await), (0, 0));
    assert_eq!(sees(&care_of(&http, &on_b(&v2)).await), (1, 1));
    // The old pair can no longer write the note either.
    let (s, _) = put(&on_b(&v1), "care/notes/vis1", &note).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Closed: only coordinators.
    let close = g1.mint(OpKind::SetHouseholdStatus {
        household: "h1".into(),
        status: HouseholdStatus::Closed,
        reason: "搬去子女家".into(),
    });
    g1.push(&http, &[close]).await;
    for d in [&g1, &v2] {
        assert_eq!(sees(&care_of(&http, &on_b(d)).await), (0, 0));
    }
    assert_eq!(sees(&care_of(&http, &on_b(&boss)).await), (1, 1));
    // A removed coordinator reads nothing.
    let other = member(&http, &boss, Role::Coordinator, "副主任").await;
    assert_eq!(sees(&care_of(&http, &on_b(&other)).await), (1, 1));
    let rm = boss.mint(OpKind::RemoveMember {
        member: other.member.clone(),
    });
    boss.push(&http, &[rm]).await;
    let (s, v) = on_b(&other).send(&http, Method::GET, "care", None).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::FORBIDDEN, "member_inactive")
    );

    // Nothing private is in the log.
    let head = boss.head(&http).await;
    let mut all = Vec::new();
    for seg in head.segments_after(0) {
        all.extend_from_slice(&boss.segment_bytes(&http, &seg.name).await);
    }
    let text = String::from_utf8_lossy(&all);
    assert!(text.contains("add_household") && text.contains("record_visit"));
    // The whole address: "501" alone also turns up inside clocks and ids.
    for secret in [NAME, PHONE, NOTE, ADDRESS, "2单元501"] {
        assert!(!text.contains(secret), "{secret} is in the log");
    }
}
