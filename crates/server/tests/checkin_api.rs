//! The check-in records (issue 14): activity keys (`…/private/activities`)
//! for those who organise the activity, member passes (`…/private/passes`)
//! written by their member and read by kiosks and coordinators. Every role
//! and relation allowed or refused, a wrong key, a demoted or removed
//! organiser, huge bodies, and two instances on one store agreeing.
mod common;

use common::*;
use linli_core::activity::{Organiser, PointsMode};
use linli_core::checkin::{self, MemberPass};
use linli_core::model::Role;
use linli_core::protocol::{ActivityKeys, MemberPasses};
use linli_core::{OpKind, Outcome};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_each_store!(
    activity_keys_reach_the_organisers_on_every_instance,
    member_passes_are_written_by_their_member_and_read_by_kiosks,
);

const KEY: &str = "7K3M9PQRT2VWXY45";
const HOUR: u64 = 3_600_000;

/// The same device talking to another instance.
fn on(d: &Device, server: &Server) -> Device {
    let mut d = d.clone();
    d.base = server.url.clone();
    d
}

fn create(
    coord: &mut Device,
    id: &str,
    start: u64,
    organiser: Option<Organiser>,
) -> linli_core::Op {
    coord.mint(OpKind::CreateActivity {
        activity: id.into(),
        title: "红色星期六：楼道清扫".into(),
        theme: "红色星期六".into(),
        description: String::new(),
        venue: "3号楼".into(),
        start,
        end: start + HOUR,
        capacity: None,
        organiser,
        sign_up_by: None,
        points: PointsMode::ByTime,
        fixed_points: None,
        check: checkin::key_check(&id.into(), KEY),
    })
}

async fn keys_seen(http: &reqwest::Client, d: &Device) -> Vec<String> {
    let (s, j) = d.send(http, Method::GET, "private/activities", None).await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let k: ActivityKeys = serde_json::from_value(j).unwrap();
    k.keys.into_iter().map(|k| k.activity.0).collect()
}

async fn put_key(http: &reqwest::Client, d: &Device, id: &str, key: &str) -> (StatusCode, String) {
    let (s, j) = d
        .send(
            http,
            Method::PUT,
            &format!("private/activities/{id}"),
            Some(json!({"activity": id, "key": key})),
        )
        .await;
    (s, error_code(&j).to_string())
}

async fn all_applied(http: &reqwest::Client, d: &Device) {
    let state = linli_core::fold(&d.pull_after(http, 0).await);
    assert!(state.voids.is_empty(), "{:?}", state.voids);
}

async fn activity_keys_reach_the_organisers_on_every_instance(s: TestStore) {
    let a = Server::start(s.store.clone()).await;
    let b = Server::start(s.handle()).await;
    let http = http();
    let mut coord = community(&http, &a, "c1").await;
    let coord2 = member(&http, &coord, Role::Coordinator, "副主任").await;
    let lead = member(&http, &coord, Role::Volunteer, "杨队长").await;
    let v = member(&http, &coord, Role::Volunteer, "陈晓敏").await;
    let g = member(&http, &coord, Role::GridWorker, "李建国").await;
    let r = member(&http, &coord, Role::Resident, "王大爷").await;
    let k = member(&http, &coord, Role::Kiosk, "服务中心平板").await;
    let x = member(&http, &coord, Role::Viewer, "街道").await;
    let start = now_ms() + 2 * HOUR;
    let ops = vec![
        coord.mint(OpKind::CreateTeam {
            team: "t1".into(),
            name: "党员先锋队".into(),
            lead: Some(lead.member.clone()),
            members: vec![lead.member.clone(), v.member.clone()],
            categories: vec![],
        }),
        create(&mut coord, "a1", start, Some(Organiser::Team("t1".into()))),
        create(&mut coord, "a2", start, None),
        // Over an hour ago: finished by the next op's stamp.
        create(
            &mut coord,
            "a3",
            now_ms() - 3 * HOUR,
            Some(Organiser::Team("t1".into())),
        ),
    ];
    coord.push(&http, &ops).await;
    all_applied(&http, &coord).await;

    // The team's lead shares the key through instance a …
    assert_eq!(
        put_key(&http, &lead, "a1", KEY).await,
        (StatusCode::OK, "<no error code>".into())
    );
    assert_eq!(put_key(&http, &coord, "a2", KEY).await.0, StatusCode::OK);
    assert_eq!(put_key(&http, &lead, "a3", KEY).await.0, StatusCode::OK);
    // … and every organiser reads it on instance b; nobody else does.
    for (d, want) in [
        (&coord, vec!["a1", "a2", "a3"]),
        (&coord2, vec!["a1", "a2", "a3"]),
        (&lead, vec!["a1", "a3"]),
        (&v, vec![]),
        (&g, vec![]),
        (&r, vec![]),
        (&k, vec![]),
        (&x, vec![]),
    ] {
        assert_eq!(keys_seen(&http, &on(d, &b)).await, want, "{}", d.member);
    }
    let (s_, j) = on(&coord2, &b)
        .send(&http, Method::GET, "private/activities/a1", None)
        .await;
    assert_eq!(s_, StatusCode::OK, "{j}");
    assert_eq!(j["key"], KEY);
    for d in [&v, &g, &r, &k, &x] {
        let (s_, j) = on(d, &b)
            .send(&http, Method::GET, "private/activities/a1", None)
            .await;
        assert_eq!(
            (s_, error_code(&j)),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{}",
            d.member
        );
        assert_eq!(
            put_key(&http, d, "a1", KEY).await,
            (StatusCode::FORBIDDEN, "forbidden".into())
        );
    }
    // The lead organises a1, not the community's own a2.
    assert_eq!(put_key(&http, &lead, "a2", KEY).await.1, "forbidden");

    // Bad keys and bad records.
    let other = checkin::new_key([3; 10]);
    assert_eq!(
        put_key(&http, &lead, "a1", &other).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "wrong_key".into())
    );
    assert_eq!(
        put_key(&http, &lead, "a1", &checkin::display_key(KEY))
            .await
            .1,
        "wrong_key"
    );
    assert_eq!(put_key(&http, &lead, "a1", "").await.1, "wrong_key");
    assert_eq!(
        put_key(&http, &coord, "nope", KEY).await,
        (StatusCode::NOT_FOUND, "unknown_activity".into())
    );
    let (s_, j) = coord
        .send(
            &http,
            Method::PUT,
            "private/activities/a1",
            Some(json!({"activity": "a2", "key": KEY})),
        )
        .await;
    assert_eq!(
        (s_, error_code(&j)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let (s_, j) = coord
        .send(
            &http,
            Method::PUT,
            "private/activities/a1",
            Some(json!({"key": KEY})),
        )
        .await;
    assert_eq!(
        (s_, error_code(&j)),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    let huge = json!({"activity": "a1", "key": "K".repeat(2 << 20)});
    let (s_, j) = coord
        .send(&http, Method::PUT, "private/activities/a1", Some(huge))
        .await;
    assert_eq!(
        (s_, error_code(&j)),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
    );
    let (s_, j) = coord
        .send(&http, Method::GET, "private/activities/a9", None)
        .await;
    assert_eq!(
        (s_, error_code(&j)),
        (StatusCode::NOT_FOUND, "unknown_activity")
    );

    // The key revealed (a3) or the activity cancelled (a2): no longer kept.
    let ops = vec![
        coord.mint(OpKind::VerifyCheckIns {
            activity: "a3".into(),
            key: KEY.into(),
        }),
        coord.mint(OpKind::CancelActivity {
            activity: "a2".into(),
            reason: "下雨".into(),
        }),
    ];
    coord.push(&http, &ops).await;
    all_applied(&http, &coord).await;
    assert_eq!(keys_seen(&http, &on(&coord, &b)).await, ["a1"]);
    assert_eq!(
        put_key(&http, &coord, "a3", KEY).await,
        (StatusCode::CONFLICT, "key_retired".into())
    );
    assert_eq!(put_key(&http, &coord, "a2", KEY).await.1, "key_retired");
    let (s_, j) = coord
        .send(&http, Method::GET, "private/activities/a3", None)
        .await;
    assert_eq!((s_, error_code(&j)), (StatusCode::CONFLICT, "key_retired"));

    // A demoted lead and a demoted coordinator lose it at once; a removed one too.
    let ops = vec![
        coord.mint(OpKind::UpdateTeam {
            team: "t1".into(),
            name: None,
            lead: Some(v.member.clone()),
            categories: None,
        }),
        coord.mint(OpKind::SetRole {
            member: coord2.member.clone(),
            role: Role::Volunteer,
        }),
    ];
    coord.push(&http, &ops).await;
    all_applied(&http, &coord).await;
    assert_eq!(keys_seen(&http, &on(&lead, &b)).await, Vec::<String>::new());
    assert_eq!(
        keys_seen(&http, &on(&coord2, &b)).await,
        Vec::<String>::new()
    );
    assert_eq!(keys_seen(&http, &on(&v, &b)).await, ["a1"]);
    assert_eq!(put_key(&http, &lead, "a1", KEY).await.1, "forbidden");
    let rm = coord.mint(OpKind::RemoveMember {
        member: v.member.clone(),
    });
    coord.push(&http, &[rm]).await;
    let (s_, j) = on(&v, &b)
        .send(&http, Method::GET, "private/activities", None)
        .await;
    assert_eq!(s_, StatusCode::FORBIDDEN, "{j}");
    assert_eq!(put_key(&http, &v, "a1", KEY).await.0, StatusCode::FORBIDDEN);
}

fn pass(member: &str, pin: &str) -> MemberPass {
    MemberPass::new(
        member.into(),
        "0123456789abcdef0123456789abcdef".into(),
        pin,
        "badge-token",
    )
    .unwrap()
}

async fn passes_seen(http: &reqwest::Client, d: &Device) -> Vec<String> {
    let (s, j) = d.send(http, Method::GET, "private/passes", None).await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let p: MemberPasses = serde_json::from_value(j).unwrap();
    p.passes.into_iter().map(|p| p.member.0).collect()
}

async fn member_passes_are_written_by_their_member_and_read_by_kiosks(s: TestStore) {
    let a = Server::start(s.store.clone()).await;
    let b = Server::start(s.handle()).await;
    let http = http();
    let mut coord = community(&http, &a, "c1").await;
    let v = member(&http, &coord, Role::Volunteer, "陈晓敏").await;
    let v2 = member(&http, &coord, Role::Volunteer, "杨志强").await;
    let r = member(&http, &coord, Role::Resident, "王大爷").await;
    let k = member(&http, &coord, Role::Kiosk, "服务中心平板").await;
    let x = member(&http, &coord, Role::Viewer, "街道").await;
    let put = |d: &Device, whose: &str, body: serde_json::Value| {
        let (d, http, path) = (d.clone(), http.clone(), format!("private/passes/{whose}"));
        async move {
            let (s, j) = d.send(&http, Method::PUT, &path, Some(body)).await;
            (s, error_code(&j).to_string())
        }
    };
    let vm = v.member.to_string();
    let mine = serde_json::to_value(pass(&vm, "2468")).unwrap();
    assert_eq!(put(&v, &vm, mine.clone()).await.0, StatusCode::OK);
    let rm_ = r.member.to_string();
    assert_eq!(
        put(&r, &rm_, serde_json::to_value(pass(&rm_, "")).unwrap())
            .await
            .0,
        StatusCode::OK
    );
    // Only the member sets their own pass.
    for d in [&coord, &v2, &k, &x] {
        assert_eq!(
            put(d, &vm, mine.clone()).await,
            (StatusCode::FORBIDDEN, "forbidden".into())
        );
    }
    let km = k.member.to_string();
    assert_eq!(
        put(&k, &km, serde_json::to_value(pass(&km, "1234")).unwrap())
            .await
            .1,
        "forbidden"
    );
    let xm = x.member.to_string();
    assert_eq!(
        put(&x, &xm, serde_json::to_value(pass(&xm, "1234")).unwrap())
            .await
            .1,
        "forbidden"
    );
    // Malformed passes: a PIN in clear, no hashes, another member in the body, huge.
    let mut clear = pass(&vm, "2468");
    clear.pin = "2468".into();
    let (s_, code) = put(&v, &vm, serde_json::to_value(clear).unwrap()).await;
    assert_eq!(
        (s_, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
    );
    let (s_, j) = v
        .send(
            &http,
            Method::PUT,
            &format!("private/passes/{vm}"),
            Some(json!({"member": vm, "salt": "0123456789abcdef"})),
        )
        .await;
    assert_eq!(
        (s_, j["error"]["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("empty_pass"))
    );
    assert_eq!(
        put(
            &v,
            &vm,
            serde_json::to_value(pass("other", "2468")).unwrap()
        )
        .await
        .1,
        "bad_request"
    );
    let huge = json!({"member": vm, "salt": "a".repeat(2 << 20)});
    assert_eq!(
        put(&v, &vm, huge).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large".into())
    );

    // A coordinator reads every pass, a member their own; a kiosk only the
    // passes of today's rosters (none yet), on either instance.
    let all = {
        let mut all = vec![vm.clone(), rm_.clone()];
        all.sort();
        all
    };
    assert_eq!(passes_seen(&http, &on(&k, &b)).await, Vec::<String>::new());
    let start = now_ms() - 10 * 60_000;
    let ops = vec![
        create(&mut coord, "today", start, None),
        coord.mint(OpKind::OpenActivity {
            activity: "today".into(),
        }),
        coord.mint(OpKind::CheckIn {
            activity: "today".into(),
            member: Some(v.member.clone()),
            proof: String::new(),
        }),
    ];
    coord.push(&http, &ops).await;
    all_applied(&http, &coord).await;
    assert_eq!(passes_seen(&http, &on(&k, &b)).await, [vm.as_str()]);
    assert_eq!(passes_seen(&http, &on(&coord, &b)).await, all);
    assert_eq!(passes_seen(&http, &on(&v, &b)).await, [vm.as_str()]);
    assert_eq!(passes_seen(&http, &on(&v2, &b)).await, Vec::<String>::new());
    assert_eq!(passes_seen(&http, &on(&x, &b)).await, Vec::<String>::new());
    let (s_, j) = on(&k, &b)
        .send(&http, Method::GET, &format!("private/passes/{vm}"), None)
        .await;
    assert_eq!(s_, StatusCode::OK, "{j}");
    let got: MemberPass = serde_json::from_value(j).unwrap();
    assert!(got.check_pin("2468") && got.check_badge("badge-token") && !got.check_pin("2469"));
    for d in [&v2, &r, &x] {
        let (s_, j) = d
            .send(&http, Method::GET, &format!("private/passes/{vm}"), None)
            .await;
        assert_eq!((s_, error_code(&j)), (StatusCode::FORBIDDEN, "forbidden"));
    }
    let v2m = v2.member.to_string();
    let (s_, j) = k
        .send(&http, Method::GET, &format!("private/passes/{v2m}"), None)
        .await;
    assert_eq!((s_, error_code(&j)), (StatusCode::NOT_FOUND, "not_found"));

    // A removed member's pass is no longer handed out (and is deleted).
    let op = coord.mint(OpKind::RemoveMember {
        member: v.member.clone(),
    });
    assert_eq!(coord.push(&http, &[op]).await.accepted_through, coord.seq);
    let state = linli_core::fold(&coord.pull_after(&http, 0).await);
    assert!(matches!(
        state.outcome(&linli_core::OpId::new(coord.device.clone(), coord.seq)),
        Some(Outcome::Applied)
    ));
    assert_eq!(passes_seen(&http, &on(&k, &b)).await, Vec::<String>::new());
    assert_eq!(passes_seen(&http, &on(&coord, &a)).await, [rm_.as_str()]);
    // A demoted kiosk reads nothing but its own.
    let op = coord.mint(OpKind::SetRole {
        member: k.member.clone(),
        role: Role::Resident,
    });
    coord.push(&http, &[op]).await;
    assert_eq!(passes_seen(&http, &on(&k, &b)).await, Vec::<String>::new());
}
