//! The findings of the outside review of the endpoint (issue 11), each as
//! the attack that worked, now refused: codes outliving their makers,
//! planted member ids, stale power on a second instance, junk in the
//! immutable log, leaking paths, contact records that outlive their wish,
//! and arithmetic on request data.
mod common;

use std::time::Duration;

use common::*;
use linli_core::model::{Category, Channel, Place, Role, Urgency};
use linli_core::protocol::{self, PrivateRecords};
use linli_core::{Op, OpKind, validate};
use linli_server::store::Store;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The real local-filesystem store in a temp dir, as `serve` opens it.
fn fs_store(dir: &std::path::Path) -> Store {
    linli_server::open_store(&linli_server::Config {
        data: dir.into(),
        no_fsync: true,
        ..Default::default()
    })
    .unwrap()
}

async fn bound_code(http: &reqwest::Client, maker: &Device, member: &Device) -> String {
    let body = json!({"role": "volunteer", "expires_in_hours": 1, "max_uses": 5,
                      "member": member.member});
    let (s, j) = maker.send(http, Method::POST, "codes", Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{j}");
    j["code"].as_str().unwrap().to_owned()
}

async fn try_join(http: &reqwest::Client, base: &str, code: &str) -> (StatusCode, Value) {
    let res = http
        .post(format!("{base}/api/v1/join"))
        .json(&json!({"code": code, "display_name": "某人"}))
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

/// Finding 1: coordinator M2 makes a code bound to c1; c1 demotes and
/// removes M2; the code must stop working (it was M2's power).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bound_code_dies_with_its_makers_power() {
    let (server, http, mut c1) = with_community(mem_store()).await;
    let m2 = member(&http, &c1, Role::Coordinator, "二号书记").await;
    let demoted = bound_code(&http, &m2, &c1).await;
    let removed = bound_code(&http, &m2, &c1).await;
    // While M2 is a coordinator, its code works.
    let (s, j) = try_join(&http, &server.url, &bound_code(&http, &m2, &c1).await).await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let op = c1.mint(OpKind::SetRole {
        member: m2.member.clone(),
        role: Role::Volunteer,
    });
    c1.push(&http, &[op]).await;
    let (s, j) = try_join(&http, &server.url, &demoted).await;
    assert_eq!((s, error_code(&j)), (StatusCode::GONE, "code_revoked"));
    let op = c1.mint(OpKind::RemoveMember {
        member: m2.member.clone(),
    });
    c1.push(&http, &[op]).await;
    let (s, j) = try_join(&http, &server.url, &removed).await;
    assert_eq!((s, error_code(&j)), (StatusCode::GONE, "code_revoked"));
}

/// Finding 3: join ids were `m-<code_id>-<n>`, so a grid worker could add
/// that member as a resident first and the next coordinator to join became
/// the resident. Ids are now random and only the member the join's own op
/// created is handed out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_mints_unguessable_members_and_never_hands_out_a_planted_one() {
    let (server, http, coord) = with_community(mem_store()).await;
    let mut g = member(&http, &coord, Role::GridWorker, "网格员").await;
    let code = coord.create_code(&http, Role::Coordinator, 3).await;
    let first = join(&http, &server.url, &code.code, "新书记").await;
    assert!(
        !first.member.as_str().contains(&code.code_id),
        "{}",
        first.member
    );
    // Plant every id the old scheme would mint next, and one like the new.
    let plants: Vec<Op> = [
        format!("m-{}-2", code.code_id),
        format!("m-{}-3", code.code_id),
        format!("{}x", first.member),
    ]
    .into_iter()
    .map(|id| {
        g.mint(OpKind::AddMember {
            member: id.into(),
            name: "冒名".into(),
            role: Role::Resident,
            skills: vec![],
            grids: vec![],
            partner: None,
        })
    })
    .collect();
    g.push(&http, &plants).await;
    for _ in 0..2 {
        let d = join(&http, &server.url, &code.code, "又一位书记").await;
        assert_eq!(d.role, Role::Coordinator);
        let planted = plants
            .iter()
            .any(|p| matches!(&p.kind, OpKind::AddMember { member, .. } if *member == d.member));
        assert!(!planted, "handed out the planted member {}", d.member);
        assert_ne!(d.member, first.member);
        // And the member really is a coordinator: it may list devices.
        let (s, j) = d.send(&http, Method::GET, "devices", None).await;
        assert_eq!(s, StatusCode::OK, "{j}");
    }
}

/// Finding 4: a coordinator removed (or demoted) through instance A kept
/// its power on instance B, whose member view was cached. Privileged
/// answers now read the log first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_and_demoted_members_lose_power_on_every_instance_at_once() {
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
    let demote = member(&http, &boss, Role::Coordinator, "降级").await;
    let remove = member(&http, &boss, Role::Coordinator, "移除").await;
    let resident = member(&http, &boss, Role::Resident, "居民").await;
    // Both are known and trusted on B first (warm caches).
    for d in [&demote, &remove, &resident] {
        let (s, j) = on_b(d).send(&http, Method::GET, "head", None).await;
        assert_eq!(s, StatusCode::OK, "{j}");
    }
    let (s, _) = on_b(&demote)
        .send(&http, Method::GET, "devices", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let ops = [
        boss.mint(OpKind::SetRole {
            member: demote.member.clone(),
            role: Role::Volunteer,
        }),
        boss.mint(OpKind::RemoveMember {
            member: remove.member.clone(),
        }),
        boss.mint(OpKind::RemoveMember {
            member: resident.member.clone(),
        }),
    ];
    boss.push(&http, &ops).await;
    // At once, on B: no codes, no device list, no contact records.
    let code = json!({"role": "coordinator", "expires_in_hours": 1, "max_uses": 1});
    let (s, j) = on_b(&demote)
        .send(&http, Method::POST, "codes", Some(code.clone()))
        .await;
    assert_eq!((s, error_code(&j)), (StatusCode::FORBIDDEN, "forbidden"));
    let (s, j) = on_b(&demote)
        .send(&http, Method::GET, "devices", None)
        .await;
    assert_eq!((s, error_code(&j)), (StatusCode::FORBIDDEN, "forbidden"));
    for (verb, path, body) in [
        (Method::POST, "codes", Some(code.clone())),
        (Method::GET, "devices", None),
        (Method::GET, "private", None),
    ] {
        let (s, j) = on_b(&remove).send(&http, verb, path, body).await;
        assert_eq!(
            (s, error_code(&j)),
            (StatusCode::FORBIDDEN, "member_inactive"),
            "{path}"
        );
    }
    let (s, j) = on_b(&resident)
        .send(&http, Method::GET, "private", None)
        .await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::FORBIDDEN, "member_inactive")
    );
    // The head reads the newest segments anyway: refused at once too.
    let (s, j) = on_b(&remove).send(&http, Method::GET, "head", None).await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::FORBIDDEN, "member_inactive")
    );
    // Segment reads and pushes may lag by at most AUTH_TTL (a push's ops
    // fold as void anyway).
    tokio::time::sleep(linli_server::hub::AUTH_TTL + Duration::from_millis(100)).await;
    let mut late = on_b(&remove);
    let op = late.wish_op("移除之后");
    let (s, j) = late.push_raw(&http, &[op]).await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::FORBIDDEN, "member_inactive")
    );
}

/// Finding 5: ops are bounded in size, and a device that keeps pushing is
/// stopped by its budget with a clear error, before the log fills with junk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junk_is_stopped_at_the_door() {
    let (_server, http, coord) = with_community(mem_store()).await;
    // A volunteer's device: a kiosk's token may push only what a kiosk may
    // author (403 kiosk_forbidden), which would hide the size checks.
    let mut kiosk = member(&http, &coord, Role::Volunteer, "志愿者").await;
    let junk = |d: &mut Device, bytes: usize| {
        let mut op = d.mint(OpKind::Unknown(
            json!({"type": "from_the_future", "blob": ""}),
        ));
        op.kind = OpKind::Unknown(json!({"type": "from_the_future", "blob": "x".repeat(bytes)}));
        op
    };
    // One op of 1 MiB: refused, whatever its kind.
    let big = junk(&mut kiosk, 1 << 20);
    let (s, j) = kiosk.push_raw(&http, &[big]).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{j}");
    kiosk.seq -= 1;
    let big = junk(&mut kiosk, validate::OP_MAX_BYTES);
    let (s, j) = kiosk.push_raw(&http, &[big]).await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_op")
    );
    assert_eq!(j["error"]["reason"], "op_too_large");
    kiosk.seq -= 1;
    // Ops just under the bound go in until the budget is spent.
    let each = validate::OP_MAX_BYTES - 400;
    let mut pushed = 0;
    let limited = loop {
        let ops: Vec<Op> = (0..50).map(|_| junk(&mut kiosk, each)).collect();
        let res = http
            .post(kiosk.url("ops"))
            .bearer_auth(&kiosk.token)
            .json(&json!({ "ops": ops }))
            .send()
            .await
            .unwrap();
        if res.status() == StatusCode::OK {
            pushed += ops.len() * each;
            assert!(
                pushed <= 2 * protocol::PUSH_BUDGET.bytes as usize,
                "never limited"
            );
            continue;
        }
        break res;
    };
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .to_owned();
    let j: Value = limited.json().await.unwrap();
    assert_eq!(error_code(&j), "rate_limited");
    let ms = j["error"]["retry_after_ms"].as_u64().unwrap();
    assert!(ms > 0 && retry.parse::<u64>().unwrap() == ms.div_ceil(1000));
    assert!(pushed as u64 <= protocol::PUSH_BUDGET.bytes, "{pushed}");
    // A retry of what was accepted costs nothing and is acknowledged.
    kiosk.seq -= 50;
    let head = coord.head(&http).await.seq;
    assert!(head > 0);
}

/// Finding 5, compaction: merged segments are bounded in bytes as well as
/// entries, so a fresh device never downloads one huge object.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merged_segments_are_bounded_in_bytes() {
    let store = mem_store();
    let (_server, http, coord) = with_community(store.clone()).await;
    let mut devices = Vec::new();
    for i in 0..4 {
        devices.push(member(&http, &coord, Role::Resident, &format!("居民{i}")).await);
    }
    // 4 devices × 20 pushes × 20 ops of ~6 KB: ≈ 10 MB in 80+ segments.
    let text = "修".repeat(validate::DESCRIPTION_MAX_CHARS);
    for round in 0..20 {
        for d in &mut devices {
            let ops: Vec<Op> = (0..20)
                .map(|_| {
                    let n = d.seq + 1;
                    d.mint(OpKind::CreateWish {
                        wish: format!("{}-{n}", d.device).into(),
                        category: Category::Repair,
                        title: format!("第{round}轮"),
                        description: text.clone(),
                        place: Place::default(),
                        urgency: Urgency::Normal,
                        window: None,
                        channel: Channel::SelfService,
                        requester: Some(d.member.clone()),
                    })
                })
                .collect();
            d.push(&http, &ops).await;
        }
    }
    let mut merged = Vec::new();
    for _ in 0..200 {
        merged = coord
            .head(&http)
            .await
            .segments
            .into_iter()
            .filter(|s| s.name.contains("-m"))
            .collect();
        if merged.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(merged.len() >= 2, "compaction did not run: {merged:?}");
    // Cut by bytes, long before the entry bound.
    let first = &merged[0];
    assert!(first.last_seq - first.first_seq + 1 < linli_server::log::MERGED_ENTRIES);
    for s in &merged {
        let (st, v) = coord
            .send(&http, Method::GET, &format!("segments/{}", s.name), None)
            .await;
        assert_eq!(st, StatusCode::OK);
        let bytes = serde_json::to_vec(&v).unwrap().len();
        assert!(
            bytes <= linli_server::log::MERGED_BYTES + validate::OP_MAX_BYTES,
            "{}: {bytes} bytes",
            s.name
        );
    }
    let log = coord.pull_after(&http, 0).await;
    check_log(&log);
    // The community, four joins, the wishes.
    assert_eq!(log.len(), 1 + 4 + 4 * 20 * 20);
}

/// Finding 6: an id of 64 Chinese characters passed validation and made
/// the private PUT answer 500 with the data path. Ids are bounded in bytes,
/// and storage errors never reach the client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_ids_are_refused_and_storage_errors_say_nothing_internal() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, http, coord) = with_community(fs_store(dir.path())).await;
    let mut r = member(&http, &coord, Role::Resident, "王大爷").await;
    let long = "修".repeat(64);
    let mut op = r.wish_op("修水管");
    if let OpKind::CreateWish { wish, .. } = &mut op.kind {
        *wish = long.clone().into();
    }
    let (s, j) = r.push_raw(&http, &[op]).await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_op")
    );
    assert_eq!(j["error"]["reason"], "id_too_long");
    r.seq -= 1;
    let rec = json!({"wish": long, "phone": "123"});
    let (s, j) = r
        .send(&http, Method::PUT, &format!("private/{long}"), Some(rec))
        .await;
    assert_eq!((s, error_code(&j)), (StatusCode::NOT_FOUND, "unknown_wish"));

    // A store that fails: the private directory is a file.
    let op = r.wish_op("修水管");
    let wish = op.kind.wish().unwrap().clone();
    r.push(&http, &[op]).await;
    let private = dir.path().join("communities/c1/private");
    let _ = std::fs::remove_dir_all(&private);
    std::fs::write(&private, b"not a directory").unwrap();
    let rec = json!({"wish": wish, "phone": "123"});
    let (s, j) = r
        .send(&http, Method::PUT, &format!("private/{wish}"), Some(rec))
        .await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::INTERNAL_SERVER_ERROR, "storage")
    );
    let msg = j["error"]["message"].as_str().unwrap();
    let root = dir.path().to_string_lossy();
    assert!(
        !msg.contains(&*root) && !msg.contains("private") && !msg.contains("os error"),
        "{msg}"
    );
}

/// Finding 7: contact records outlived their wish (and came back after a
/// reopen), world-readable. They are deleted when the wish closes, and
/// written 0600.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_records_are_deleted_when_the_wish_closes_and_private_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let (server, http, mut coord) = with_community(fs_store(dir.path())).await;
    let mut r = member(&http, &coord, Role::Resident, "王大爷").await;
    let op = r.wish_op("修水管");
    let wish = op.kind.wish().unwrap().clone();
    r.push(&http, &[op]).await;
    let rec = json!({"wish": wish, "phone": "138 0000 0000", "address": "3号楼301"});
    let (s, j) = r
        .send(&http, Method::PUT, &format!("private/{wish}"), Some(rec))
        .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let file = dir
        .path()
        .join(format!("communities/c1/private/{wish}.json"));
    assert!(file.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }
    let op = coord.mint(OpKind::Reject {
        wish: wish.clone(),
        reason: "重复".into(),
    });
    coord.push(&http, &[op]).await;
    assert!(!file.exists(), "the record outlived the rejection");
    let op = coord.mint(OpKind::Reopen {
        wish: wish.clone(),
        reason: "弄错了".into(),
    });
    coord.push(&http, &[op]).await;
    let (s, j) = coord.send(&http, Method::GET, "private", None).await;
    assert_eq!(s, StatusCode::OK);
    let p: PrivateRecords = serde_json::from_value(j).unwrap();
    assert!(p.records.is_empty(), "{:?}", p.records);

    // A record left behind (written as the wish closed elsewhere, or before
    // a crash) is swept when an instance loads the log.
    std::fs::write(
        dir.path().join("communities/c1/private/left.json"),
        br#"{"wish":"left","phone":"1"}"#,
    )
    .unwrap();
    let mut r2 = r.clone();
    let op = r2.wish_op("又一件");
    let left = op.kind.wish().unwrap().clone();
    r2.push(&http, &[op]).await;
    let op = r2.mint(OpKind::Cancel {
        wish: left.clone(),
        reason: String::new(),
    });
    r2.push(&http, &[op]).await;
    let stray = dir
        .path()
        .join(format!("communities/c1/private/{left}.json"));
    std::fs::write(&stray, br#"{"wish":"x","phone":"1"}"#).unwrap();
    let other = Server::start(server.store.clone()).await;
    let mut on_other = coord.clone();
    on_other.base = other.url.clone();
    on_other.head(&http).await;
    assert!(!stray.exists(), "a closed wish's record survived a restart");
}

/// Finding 10: `[seq u64::MAX, seq 5]` overflowed the consecutiveness check
/// (a panic in debug builds). Every count on request data is checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seq_arithmetic_never_overflows() {
    let (_server, http, coord) = with_community(mem_store()).await;
    let mut r = member(&http, &coord, Role::Resident, "王大爷").await;
    let mut a = r.wish_op("一");
    a.id.seq = u64::MAX;
    let b = r.wish_op("二");
    let (s, j) = r.push_raw(&http, &[a.clone(), b]).await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_op")
    );
    let (s, j) = r.push_raw(&http, &[a]).await;
    assert_eq!((s, error_code(&j)), (StatusCode::CONFLICT, "seq_gap"));
    assert_eq!(j["error"]["expected"], 1);
    let (s, j) = r
        .send(
            &http,
            Method::GET,
            &format!("head?since={}", u64::MAX),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let (s, _) = r
        .send(&http, Method::GET, "head?since=18446744073709551616", None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
