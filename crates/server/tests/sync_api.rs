//! The sync endpoint on loopback: push/pull, dedupe and gaps, hostile
//! inputs, join codes, private records, compaction, the demo, and the
//! role × endpoint matrix (every cell).
mod common;

use common::*;
use linli_core::model::{Channel, Rating, Role};
use linli_core::protocol::{CodeList, Demo, DeviceList, PrivateRecords};
use linli_core::{OpKind, Outcome};
use reqwest::Method;
use reqwest::StatusCode;
use serde_json::json;

// The core flows on every backend: in memory, the local filesystem, and a
// real S3-compatible node (SeaweedFS under ./dev test).
on_each_store!(
    push_pull_dedupe_and_gaps,
    join_codes_expire_run_out_and_can_be_withdrawn,
    concurrent_joins_never_exceed_max_uses_across_instances,
    private_records_follow_who_may_see_them,
    compaction_merges_segments_and_pull_still_works,
    demo_community_is_seeded_once_and_joinable_by_code,
    head_long_poll_wakes_on_a_push_on_either_instance,
    segments_are_the_stored_objects,
    a_device_names_itself_and_only_itself,
    a_building_poster_code_joins_residents_at_its_place,
);

/// A poster's code (扫码点单): a resident code with the grid and building
/// of one stairwell; a join through it answers the place (the app opens
/// the wish form there); the code lists it; every other use is refused.
async fn a_building_poster_code_joins_residents_at_its_place(s: TestStore) {
    let server = Server::start(s.store.clone()).await;
    let http = http();
    let mut coord = community(&http, &server, "c1").await;
    let op = coord.mint(OpKind::UpdateCommunity {
        name: None,
        grids: Some(vec!["一网格".into()]),
        buildings: Some(vec!["3号楼".into(), "4号楼".into()]),
    });
    coord.push(&http, &[op]).await;
    let code = |role: &str, place: serde_json::Value| {
        Some(json!({"role": role, "expires_in_hours": 2160, "max_uses": 10000, "place": place}))
    };
    let here = json!({"grid": "一网格", "building": "3号楼"});
    let (st, j) = coord
        .send(&http, Method::POST, "codes", code("resident", here.clone()))
        .await;
    assert_eq!(st, StatusCode::OK, "{j}");
    assert_eq!(j["place"], here);
    let secret = j["code"].as_str().unwrap().to_owned();
    let code_id = j["code_id"].as_str().unwrap().to_owned();
    for name in ["王奶奶", "李大爷"] {
        let (st, j) = post_json(
            &http,
            &format!("{}/api/v1/join", server.url),
            json!({"code": secret, "display_name": name}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{j}");
        assert_eq!(
            (j["role"].as_str(), &j["place"]),
            (Some("resident"), &here),
            "{j}"
        );
    }
    let (_, j) = coord.send(&http, Method::GET, "codes", None).await;
    let list: CodeList = serde_json::from_value(j).unwrap();
    let listed = list.codes.iter().find(|c| c.code_id == code_id).unwrap();
    assert_eq!(
        (
            listed.uses,
            listed.place.as_ref().and_then(|p| p.building.as_deref())
        ),
        (2, Some("3号楼"))
    );
    for (role, place, reason) in [
        ("volunteer", here.clone(), "place_needs_resident"),
        (
            "resident",
            json!({"grid": "一网格", "building": "9号楼"}),
            "unknown_place",
        ),
        ("resident", json!({"grid": "九网格"}), "unknown_place"),
        ("resident", json!({}), "unknown_place"),
        (
            "resident",
            json!({"building": "3号楼", "text": "北门"}),
            "unknown_place",
        ),
    ] {
        let (st, j) = coord
            .send(&http, Method::POST, "codes", code(role, place))
            .await;
        assert_eq!(
            (st, error_code(&j)),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            "{j}"
        );
        assert_eq!(j["error"]["reason"], reason, "{j}");
    }
    // Withdrawn: the poster's link is refused with its reason.
    let (st, _) = coord
        .send(&http, Method::DELETE, &format!("codes/{code_id}"), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, j) = post_json(
        &http,
        &format!("{}/api/v1/join", server.url),
        json!({"code": secret, "display_name": "赵阿姨"}),
    )
    .await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::GONE, "code_revoked"),
        "{j}"
    );
}

/// A device's own name reaches the coordinator's device list (read by a
/// second instance on the same store); nobody names another device; a name
/// too long or with a newline is refused with its reason.
async fn a_device_names_itself_and_only_itself(s: TestStore) {
    let a = Server::start(s.store.clone()).await;
    let b = Server::start(s.handle()).await;
    let http = http();
    let mut coord = community(&http, &a, "c1").await;
    let v = member(&http, &coord, Role::Volunteer, "杨志强").await;
    let name = |n: &str| Some(json!({ "name": n }));
    let own = format!("devices/{}/name", v.device);
    let (st, j) = v
        .send(&http, Method::PUT, &own, name("  三网格王阿姨的手机 "))
        .await;
    assert_eq!(
        (st, j["name"].as_str()),
        (StatusCode::OK, Some("三网格王阿姨的手机")),
        "{j}"
    );
    // Renaming overwrites.
    let (st, _) = v.send(&http, Method::PUT, &own, name("杨志强的手机")).await;
    assert_eq!(st, StatusCode::OK);
    for (bad, reason) in [
        ("机".repeat(41), "device_name_too_long"),
        ("手\n机".to_owned(), "device_name_control"),
    ] {
        let (st, j) = v.send(&http, Method::PUT, &own, name(&bad)).await;
        assert_eq!(
            (st, error_code(&j)),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
        );
        assert_eq!(j["error"]["reason"], reason, "{j}");
    }
    // Not even a coordinator names someone else's device.
    let (st, j) = coord.send(&http, Method::PUT, &own, name("x")).await;
    assert_eq!((st, error_code(&j)), (StatusCode::FORBIDDEN, "forbidden"));
    let (st, j) = v
        .send(&http, Method::PUT, &own, Some(json!({"nom": 1})))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{j}");
    coord.base = b.url.clone();
    let (st, j) = coord.send(&http, Method::GET, "devices", None).await;
    assert_eq!(st, StatusCode::OK);
    let list: DeviceList = serde_json::from_value(j).unwrap();
    let entry = list.devices.iter().find(|d| d.device == v.device).unwrap();
    assert_eq!(entry.name, "杨志强的手机");
    let unnamed = list
        .devices
        .iter()
        .find(|d| d.device == coord.device)
        .unwrap();
    assert_eq!(unnamed.name, "");
    // A removed device can no longer rename itself.
    let (st, _) = coord
        .send(
            &http,
            Method::DELETE,
            &format!("devices/{}", v.device),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, j) = v.send(&http, Method::PUT, &own, name("还在")).await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::UNAUTHORIZED, "token_revoked")
    );
}

/// What `GET segments/{name}` answers is the object at the key the name
/// maps to (docs/sync-protocol.md, "Reading the log straight from the store"):
/// a reader with the store's own URLs (or a CDN) needs no endpoint.
async fn segments_are_the_stored_objects(s: TestStore) {
    use linli_server::log::{SegKey, parse_name};
    use linli_server::store;
    let (_server, http, coord) = with_community(s.store.clone()).await;
    let mut r = member(&http, &coord, Role::Resident, "王大爷").await;
    for i in 0..3 {
        let op = r.wish_op(&format!("修水管 {i}"));
        r.push(&http, &[op]).await;
    }
    let head = r.head(&http).await;
    assert!(head.segments.len() >= 3);
    for seg in &head.segments {
        let served = r.segment_bytes(&http, &seg.name).await;
        let key = match parse_name(&head.epoch, &seg.name).unwrap() {
            SegKey::Chain(p) => store::chain_segment(&r.community, &head.epoch, p),
            SegKey::Merged(a, b) => store::merged_segment(&r.community, &head.epoch, a, b),
        };
        // Through a second client, as a reader outside the endpoint would.
        let stored = store::get(&s.handle(), &key).await.unwrap().unwrap();
        assert_eq!(served, stored, "{}", seg.name);
    }
}

async fn push_pull_dedupe_and_gaps(s: TestStore) {
    let (_server, http, coord) = with_community(s.store.clone()).await;
    assert_eq!(coord.role, Role::Coordinator);
    let mut r = member(&http, &coord, Role::Resident, "王大爷").await;
    let base = coord.head(&http).await.seq;
    assert_eq!(base, 2, "create_community + add_member of the resident");

    let ops: Vec<_> = (0..3).map(|i| r.wish_op(&format!("修水管 {i}"))).collect();
    let res = r.push(&http, &ops).await;
    assert_eq!((res.accepted_through, res.head), (3, base + 3));

    // A retry is acknowledged, not appended.
    let res = r.push(&http, &ops).await;
    assert_eq!((res.accepted_through, res.head), (3, base + 3));
    // An overlapping retry appends only the new op.
    let op4 = r.wish_op("换灯泡");
    let res = r
        .push(&http, &[ops[1].clone(), ops[2].clone(), op4.clone()])
        .await;
    assert_eq!((res.accepted_through, res.head), (4, base + 4));
    // A gap is refused with the expected seq; nothing is appended.
    let _op5 = r.wish_op("five");
    let op6 = r.wish_op("six");
    let (s, v) = r.push_raw(&http, &[op6]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(error_code(&v), "seq_gap");
    assert_eq!(v["error"]["expected"], 5);
    // An empty push tells the device where it stands.
    let res = r.push(&http, &[]).await;
    assert_eq!((res.accepted_through, res.head), (4, base + 4));

    let log = r.pull_after(&http, 0).await;
    check_log(&log);
    assert_eq!(log.len() as u64, base + 4);
    let state = linli_core::fold(&log);
    assert_eq!(state.wishes.len(), 4);
    for op in &ops {
        assert_eq!(state.outcome(&op.id), Some(Outcome::Applied));
    }
    // Pull from a cursor gives only the rest.
    let rest = r.pull_after(&http, base + 2).await;
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[0].seq, base + 3);

    // Cache headers: head never cached, segments immutable.
    let res = http
        .get(r.url("head"))
        .bearer_auth(&r.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    let head: linli_core::protocol::Head = res.json().await.unwrap();
    assert_eq!(head.epoch.len(), 16);
    let res = http
        .get(r.url(&format!("segments/{}", head.segments[0].name)))
        .bearer_auth(&r.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["cache-control"],
        "private, max-age=31536000, immutable"
    );
    assert_eq!(res.headers()["content-type"], "application/json");
    let since = http
        .get(format!("{}?since={}", r.url("head"), base + 3))
        .bearer_auth(&r.token)
        .send()
        .await
        .unwrap()
        .json::<linli_core::protocol::Head>()
        .await
        .unwrap();
    assert!(since.segments.iter().all(|s| s.last_seq > base + 3));
    assert_eq!(since.segments.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_inputs_get_json_errors_and_append_nothing() {
    let (server, http, coord) = with_community(mem_store()).await;
    let other = community(&http, &server, "c2").await;
    let mut v = member(&http, &coord, Role::Volunteer, "杨志强").await;
    let seq0 = coord.head(&http).await.seq;

    let raw = |body: &'static str| {
        http.post(v.url("ops"))
            .bearer_auth(&v.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let expect = |s: StatusCode, v: serde_json::Value, status: StatusCode, code: &str| {
        assert_eq!(s, status, "{v}");
        assert_eq!(error_code(&v), code, "{v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    };
    async fn parts(r: reqwest::Response) -> (StatusCode, serde_json::Value) {
        let s = r.status();
        (s, r.json().await.unwrap())
    }

    let (s, j) = parts(raw("{not json").await.unwrap()).await;
    expect(s, j, StatusCode::BAD_REQUEST, "malformed_json");
    let (s, j) = parts(raw(r#"{"ops": 5}"#).await.unwrap()).await;
    expect(s, j, StatusCode::BAD_REQUEST, "malformed_json");
    let (s, j) = parts(raw(r#"{"ops": [{"v":1}]}"#).await.unwrap()).await;
    expect(s, j.clone(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_op");
    assert_eq!(j["error"]["index"], 0);

    // A body over 1 MiB.
    let huge = format!(r#"{{"ops": [], "pad": "{}"}}"#, "x".repeat(2 << 20));
    let (s, j) = parts(
        http.post(v.url("ops"))
            .bearer_auth(&v.token)
            .body(huge)
            .send()
            .await
            .unwrap(),
    )
    .await;
    expect(s, j, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");

    // Too many ops.
    let mut many = v.clone();
    let ops: Vec<_> = (0..501)
        .map(|_| many.mint(OpKind::Claim { wish: "w".into() }))
        .collect();
    let (s, j) = v.push_raw(&http, &ops).await;
    expect(s, j, StatusCode::PAYLOAD_TOO_LARGE, "too_many_ops");

    // Ops of another device, or authored by someone else.
    let mut forged = v.clone();
    forged.device = "d-someone-else".into();
    let op = forged.mint(OpKind::Claim { wish: "w".into() });
    let (s, j) = v.push_raw(&http, &[op]).await;
    expect(s, j, StatusCode::FORBIDDEN, "wrong_device");
    let mut forged = v.clone();
    forged.member = coord.member.clone();
    let op = forged.mint(OpKind::Claim { wish: "w".into() });
    let (s, j) = v.push_raw(&http, &[op]).await;
    expect(s, j, StatusCode::FORBIDDEN, "wrong_author");

    // An invalid op, a future stamp, non-consecutive seqs.
    let mut bad = v.clone();
    let op = bad.wish_op("");
    let (s, j) = v.push_raw(&http, &[op]).await;
    expect(s, j.clone(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_op");
    assert_eq!(j["error"]["reason"], "title_empty");
    let mut fut = v.clone();
    let mut op = fut.wish_op("来自未来");
    op.hlc.ms += 3_600_000;
    let (s, j) = v.push_raw(&http, &[op]).await;
    expect(
        s,
        j.clone(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "stamp_in_future",
    );
    assert!(j["error"]["server_ms"].as_u64().is_some());
    let mut skip = v.clone();
    let a = skip.wish_op("a");
    skip.seq += 1;
    let b = skip.wish_op("b");
    let (s, j) = v.push_raw(&http, &[a, b]).await;
    expect(s, j.clone(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_op");
    assert_eq!(j["error"]["reason"], "not_consecutive");

    // Tokens: none, malformed header, forged, another community's.
    let op = v.clone().wish_op("x");
    let body = json!({ "ops": [op] });
    for (auth, status, code) in [
        (None, StatusCode::UNAUTHORIZED, "unauthorized"),
        (
            Some("Basic abc".to_string()),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            Some("Bearer ".to_string()),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            Some(format!("Bearer lnt_{}", "0".repeat(32))),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            Some(format!("Bearer {}x", v.token)),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            Some(format!("Bearer {}", other.token)),
            StatusCode::FORBIDDEN,
            "wrong_community",
        ),
    ] {
        let mut req = http.post(v.url("ops")).json(&body);
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let (s, j) = parts(req.send().await.unwrap()).await;
        expect(s, j, status, code);
    }
    // A valid token for an unknown community.
    let (s, j) = parts(
        http.get(format!("{}/api/v1/communities/nowhere/head", server.url))
            .bearer_auth(&v.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    expect(s, j, StatusCode::FORBIDDEN, "wrong_community");

    // Segments that do not exist, paths and methods that do not exist.
    let (s, j) = v
        .send(
            &http,
            Method::GET,
            "segments/..%2F..%2Fcommunity.json",
            None,
        )
        .await;
    expect(s, j, StatusCode::NOT_FOUND, "segment_not_found");
    let head = v.head(&http).await;
    let missing = head.segments[0].name.replace("p0000000001", "p0000000999");
    let (s, j) = v
        .send(&http, Method::GET, &format!("segments/{missing}"), None)
        .await;
    expect(s, j, StatusCode::NOT_FOUND, "segment_not_found");
    let (s, j) = parts(
        http.get(format!("{}/api/v1/nope", server.url))
            .send()
            .await
            .unwrap(),
    )
    .await;
    expect(s, j, StatusCode::NOT_FOUND, "not_found");
    let (s, j) = v.send(&http, Method::DELETE, "ops", None).await;
    expect(s, j, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");

    // Nothing of that was appended.
    assert_eq!(coord.head(&http).await.seq, seq0);

    // Revoked: the device's token stops working at once.
    let (s, _) = coord
        .send(
            &http,
            Method::DELETE,
            &format!("devices/{}", v.device),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let op = v.wish_op("after revocation");
    let (s, j) = v.push_raw(&http, &[op]).await;
    expect(s, j, StatusCode::UNAUTHORIZED, "token_revoked");
    let (s, j) = v.send(&http, Method::GET, "head", None).await;
    expect(s, j, StatusCode::UNAUTHORIZED, "token_revoked");
    assert_eq!(coord.head(&http).await.seq, seq0);
}

async fn join_codes_expire_run_out_and_can_be_withdrawn(s: TestStore) {
    let (server, http, coord) = with_community(s.store.clone()).await;
    let try_join = |code: String, name: &'static str| {
        let http = http.clone();
        let url = format!("{}/api/v1/join", server.url);
        async move {
            let r = http
                .post(url)
                .json(&json!({"code": code, "display_name": name}))
                .send()
                .await
                .unwrap();
            let s = r.status();
            (s, r.json::<serde_json::Value>().await.unwrap())
        }
    };

    let code = coord.create_code(&http, Role::Volunteer, 2).await;
    assert_eq!(code.code.len(), 14);
    // Case, spaces and dashes do not matter.
    let sloppy = code.code.to_lowercase().replace('-', " ");
    let (s, j) = try_join(sloppy, "一号").await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["role"], "volunteer");
    let (s, _) = try_join(code.code.clone(), "二号").await;
    assert_eq!(s, StatusCode::OK);
    let (s, j) = try_join(code.code.clone(), "三号").await;
    assert_eq!((s, error_code(&j)), (StatusCode::GONE, "code_used_up"));

    let (s, j) = try_join("AAAA-BBBB-CCCC".into(), "x").await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::NOT_FOUND, "code_not_found")
    );
    let (s, j) = try_join(String::new(), "x").await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::NOT_FOUND, "code_not_found")
    );
    let (s, j) = {
        let r = http
            .post(format!("{}/api/v1/join", server.url))
            .body("[]")
            .send()
            .await
            .unwrap();
        let s = r.status();
        (s, r.json::<serde_json::Value>().await.unwrap())
    };
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );

    // A new-member code needs a display name.
    let code = coord.create_code(&http, Role::Resident, 5).await;
    let (s, j) = try_join(code.code.clone(), "  ").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{j}");
    assert_eq!(j["error"]["reason"], "name_empty");
    // Withdrawn.
    let (s, j) = coord
        .send(
            &http,
            Method::DELETE,
            &format!("codes/{}", code.code_id),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["revoked"], true);
    let (s, j) = try_join(code.code.clone(), "李阿姨").await;
    assert_eq!((s, error_code(&j)), (StatusCode::GONE, "code_revoked"));
    // Expired (made directly with a zero lifetime).
    let hub = linli_server::hub::Hub::new(server.store.clone(), None);
    let (expired, _) = hub
        .make_code(
            &coord.community,
            &coord.member,
            linli_server::hub::CodeTerms {
                role: Role::Resident,
                member: None,
                place: None,
                hours: 0,
                max_uses: 5,
            },
        )
        .await
        .unwrap();
    let (s, j) = try_join(expired, "x").await;
    assert_eq!((s, error_code(&j)), (StatusCode::GONE, "code_expired"));
    // Out-of-range requests.
    let (s, j) = coord
        .send(
            &http,
            Method::POST,
            "codes",
            Some(json!({"role": "volunteer", "expires_in_hours": 0, "max_uses": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{j}");
    assert_eq!(j["error"]["reason"], "expires_out_of_range");
    let (s, j) = coord
        .send(
            &http,
            Method::POST,
            "codes",
            Some(json!({"role": "nobody", "expires_in_hours": 1, "max_uses": 1})),
        )
        .await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );

    // A code bound to a member gives a second device for the same member.
    let v = member(&http, &coord, Role::Volunteer, "杨志强").await;
    let (s, j) = coord
        .send(
            &http,
            Method::POST,
            "codes",
            Some(
                json!({"role": "viewer", "expires_in_hours": 1, "max_uses": 1, "member": v.member}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(
        j["role"], "volunteer",
        "a bound code takes the member's role"
    );
    let second = join(&http, &server.url, j["code"].as_str().unwrap(), "").await;
    assert_eq!(second.member, v.member);
    assert_ne!(second.device, v.device);

    // Listing, and revoking a member's every device.
    let (s, j) = coord.send(&http, Method::GET, "codes", None).await;
    assert_eq!(s, StatusCode::OK);
    let list: CodeList = serde_json::from_value(j).unwrap();
    assert!(list.codes.len() >= 4);
    assert!(list.codes.iter().any(|c| c.uses == 2 && c.max_uses == 2));
    let (s, j) = coord
        .send(
            &http,
            Method::DELETE,
            &format!("members/{}/tokens", v.member),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["devices"].as_array().unwrap().len(), 2);
    for d in [&v, &second] {
        let (s, j) = d.send(&http, Method::GET, "head", None).await;
        assert_eq!(
            (s, error_code(&j)),
            (StatusCode::UNAUTHORIZED, "token_revoked")
        );
    }
    let (s, j) = coord.send(&http, Method::GET, "devices", None).await;
    assert_eq!(s, StatusCode::OK);
    let list: DeviceList = serde_json::from_value(j).unwrap();
    let revoked: Vec<_> = list.devices.iter().filter(|d| d.revoked).collect();
    assert_eq!(revoked.len(), 2);
    assert!(
        list.devices
            .iter()
            .any(|d| d.device == coord.device && d.last_seen_ms.is_some())
    );
    let (s, j) = coord
        .send(&http, Method::DELETE, "devices/d-unknown", None)
        .await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::NOT_FOUND, "device_not_found")
    );
    let (s, j) = coord
        .send(&http, Method::DELETE, "members/nobody/tokens", None)
        .await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::NOT_FOUND, "member_not_found")
    );
}

async fn concurrent_joins_never_exceed_max_uses_across_instances(s: TestStore) {
    let a = Server::start(s.store.clone()).await;
    let b = Server::start(s.handle()).await;
    let http = http();
    let coord = community(&http, &a, "c1").await;
    let code = coord.create_code(&http, Role::Resident, 5).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let url = if i % 2 == 0 { &a.url } else { &b.url };
        let url = format!("{url}/api/v1/join");
        let http = http.clone();
        let code = code.code.clone();
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .json(&json!({"code": code, "display_name": format!("居民{i}")}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let s = t.await.unwrap();
        assert!(s == StatusCode::OK || s == StatusCode::GONE, "{s}");
        ok += (s == StatusCode::OK) as u32;
    }
    assert_eq!(ok, 5);
    let log = coord.pull_after(&http, 0).await;
    check_log(&log);
    let state = linli_core::fold(&log);
    let residents = state
        .members
        .values()
        .filter(|m| m.role == Role::Resident)
        .count();
    assert_eq!(residents, 5);
    assert!(state.voids.is_empty(), "{:?}", state.voids);
}

async fn private_records_follow_who_may_see_them(s: TestStore) {
    let (_server, http, mut coord) = with_community(s.store.clone()).await;
    let mut r = member(&http, &coord, Role::Resident, "王大爷").await;
    let mut v = member(&http, &coord, Role::Volunteer, "杨志强").await;
    let g = member(&http, &coord, Role::GridWorker, "李建国").await;
    let g2 = member(&http, &coord, Role::GridWorker, "赵二网").await;
    let x = member(&http, &coord, Role::Viewer, "街道").await;
    let v2 = member(&http, &coord, Role::Volunteer, "陈晓敏").await;
    // g works the wish's grid, g2 another one.
    let grids = [(&g, "一网格"), (&g2, "二网格")].map(|(d, grid)| {
        coord.mint(OpKind::UpdateMember {
            member: d.member.clone(),
            name: None,
            skills: None,
            grids: Some(vec![grid.into()]),
        })
    });
    coord.push(&http, &grids).await;

    let mut op = r.wish_op("修水管");
    if let OpKind::CreateWish { place, .. } = &mut op.kind {
        place.grid = Some("一网格".into());
    }
    let wish = op.kind.wish().unwrap().clone();
    r.push(&http, &[op]).await;
    let rec = json!({"wish": wish, "phone": "138 0000 0000", "address": "3号楼2单元301"});
    let path = format!("private/{wish}");
    let (s, j) = r.send(&http, Method::PUT, &path, Some(rec.clone())).await;
    assert_eq!(s, StatusCode::OK, "{j}");

    let sees = |d: &Device| {
        let d = d.clone();
        let http = http.clone();
        async move {
            let (s, j) = d.send(&http, Method::GET, "private", None).await;
            assert_eq!(s, StatusCode::OK, "{j}");
            let p: PrivateRecords = serde_json::from_value(j).unwrap();
            p.records.len()
        }
    };
    assert_eq!(sees(&coord).await, 1);
    assert_eq!(sees(&r).await, 1);
    assert_eq!(sees(&g).await, 1);
    assert_eq!(sees(&g2).await, 0);
    assert_eq!(sees(&v).await, 0);
    assert_eq!(sees(&x).await, 0);

    // Published and claimed: the claimer sees it, another volunteer does not.
    let p = coord.mint(OpKind::Publish { wish: wish.clone() });
    coord.push(&http, &[p]).await;
    let c = v.mint(OpKind::Claim { wish: wish.clone() });
    v.push(&http, &[c]).await;
    assert_eq!(sees(&v).await, 1);
    assert_eq!(sees(&v2).await, 0);
    // The holder may read but not write.
    let (s, j) = v.send(&http, Method::PUT, &path, Some(rec.clone())).await;
    assert_eq!((s, error_code(&j)), (StatusCode::FORBIDDEN, "forbidden"));
    // Bad records.
    let (s, j) = r
        .send(
            &http,
            Method::PUT,
            "private/w-unknown",
            Some(json!({"wish": "w-unknown"})),
        )
        .await;
    assert_eq!((s, error_code(&j)), (StatusCode::NOT_FOUND, "unknown_wish"));
    let (s, j) = r
        .send(&http, Method::PUT, &path, Some(json!({"wish": "other"})))
        .await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let (s, j) = r
        .send(
            &http,
            Method::PUT,
            &path,
            Some(json!({"wish": wish, "phone": "call me"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(j["error"]["reason"], "bad_phone");

    // Closed: nobody gets it, nobody can set it.
    let done = v.mint(OpKind::Complete {
        wish: wish.clone(),
        report: "修好了".into(),
        minutes: 30,
    });
    v.push(&http, &[done]).await;
    let ev = r.mint(OpKind::Evaluate {
        wish: wish.clone(),
        rating: Rating::Satisfied,
        comment: String::new(),
    });
    r.push(&http, &[ev]).await;
    assert_eq!(sees(&coord).await, 0);
    assert_eq!(sees(&v).await, 0);
    let (s, j) = r.send(&http, Method::PUT, &path, Some(rec)).await;
    assert_eq!((s, error_code(&j)), (StatusCode::CONFLICT, "wish_closed"));
}

async fn compaction_merges_segments_and_pull_still_works(s: TestStore) {
    let (_server, http, coord) = with_community(s.store.clone()).await;
    let mut r = member(&http, &coord, Role::Resident, "王大爷").await;
    for i in 0..150 {
        let op = r.wish_op(&format!("wish {i}"));
        r.push(&http, &[op]).await;
    }
    // Compaction runs in the background after an append.
    let mut merged = false;
    for _ in 0..100 {
        let head = r.head(&http).await;
        if head.segments.iter().any(|s| s.name.contains("-m")) && head.segments.len() < 64 {
            merged = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(merged, "no merged segments appeared");
    let log = r.pull_after(&http, 0).await;
    check_log(&log);
    assert_eq!(log.len(), 152);
    let tail = r.pull_after(&http, 100).await;
    assert_eq!(tail.len(), 52);
    assert_eq!(tail[0].seq, 101);

    // Another instance loads the same log through the manifest.
    let other = Server::start(s.handle()).await;
    let mut r2 = r.clone();
    r2.base = other.url.clone();
    let head2 = r2.head(&http).await;
    assert_eq!(head2.seq, 152);
    let log2 = r2.pull_after(&http, 0).await;
    assert_eq!(log2, log);
    // It appends after it.
    let op = r.wish_op("after compaction");
    let res = r2.push(&http, &[op]).await;
    assert_eq!(res.head, 153);
}

async fn demo_community_is_seeded_once_and_joinable_by_code(s: TestStore) {
    let server = Server::start_with(s.store.clone(), true).await;
    let http = http();
    let demo: Demo = http
        .get(format!("{}/api/v1/demo", server.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(demo.community.as_str(), "changshou-road");
    let roles: Vec<Role> = demo.codes.iter().map(|c| c.role).collect();
    for r in [
        Role::Coordinator,
        Role::GridWorker,
        Role::Volunteer,
        Role::Resident,
    ] {
        assert!(roles.contains(&r), "{r:?}");
    }
    let v1 = demo
        .codes
        .iter()
        .find(|c| c.member.as_str() == "v1")
        .unwrap();
    let a = join(&http, &server.url, &v1.code, "").await;
    let b = join(&http, &server.url, &v1.code, "另一台手机").await;
    assert_eq!((a.member.as_str(), b.member.as_str()), ("v1", "v1"));
    assert_ne!(a.device, b.device);
    let log = a.pull_after(&http, 0).await;
    check_log(&log);
    let state = linli_core::fold(&log);
    assert!(state.voids.is_empty());
    assert!(state.wishes.len() > 20);
    // The newest demo op is in the past, so a new op is not refused or odd.
    let newest = log.iter().map(|e| e.op.hlc.ms).max().unwrap();
    assert!(newest < now_ms());
    let mut a = a;
    let op = a.wish_op("新的心愿");
    a.push(&http, &[op]).await;

    // A restart on the same store finds the same demo.
    let again = Server::start_with(s.handle(), true).await;
    let demo2: Demo = http
        .get(format!("{}/api/v1/demo", again.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(demo2, demo);
    // Without --demo there is no demo endpoint.
    let plain = Server::start(mem_store()).await;
    let r = http
        .get(format!("{}/api/v1/demo", plain.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// Expected status of each endpoint for each caller, as in docs/sync-protocol.md
/// ("Role × endpoint matrix").
/// Columns: coordinator, grid worker, volunteer, resident, partner, kiosk,
/// viewer, no token, revoked token, token of another community.
const MATRIX: &[(&str, [u16; 10])] = &[
    (
        "POST ops",
        [200, 200, 200, 200, 200, 200, 403, 401, 401, 403],
    ),
    // A kiosk may push only the kinds it may author (`kiosk::may_push`).
    (
        "POST ops/claim",
        [200, 200, 200, 200, 200, 403, 403, 401, 401, 403],
    ),
    (
        "GET head",
        [200, 200, 200, 200, 200, 200, 200, 401, 401, 403],
    ),
    // A kiosk reads the kiosk view, never the log (docs/kiosk.md).
    (
        "GET segments/{name}",
        [200, 200, 200, 200, 200, 403, 200, 401, 401, 403],
    ),
    (
        "GET kiosk",
        [403, 403, 403, 403, 403, 200, 403, 401, 401, 403],
    ),
    (
        "PUT kiosk/pin",
        [200, 403, 403, 403, 403, 403, 403, 401, 401, 403],
    ),
    (
        "GET private",
        [200, 200, 200, 200, 200, 200, 200, 401, 401, 403],
    ),
    // The grid worker here works no grid, and the wish has none: a grid
    // worker sets contact details only in its own grids (the in-grid case
    // is in `private_records_follow_who_may_see_them`).
    (
        "PUT private/{wish}",
        [200, 403, 403, 200, 403, 403, 403, 401, 401, 403],
    ),
    (
        "POST codes",
        [200, 403, 403, 403, 403, 403, 403, 401, 401, 403],
    ),
    (
        "GET codes",
        [200, 403, 403, 403, 403, 403, 403, 401, 401, 403],
    ),
    (
        "DELETE codes/{id}",
        [200, 403, 403, 403, 403, 403, 403, 401, 401, 403],
    ),
    (
        "GET devices",
        [200, 403, 403, 403, 403, 403, 403, 401, 401, 403],
    ),
    (
        "DELETE devices/{device}",
        [200, 403, 403, 403, 403, 403, 403, 401, 401, 403],
    ),
    (
        "DELETE members/{member}/tokens",
        [200, 403, 403, 403, 403, 403, 403, 401, 401, 403],
    ),
    // Open311 API keys: active coordinators only (docs/open311.md).
    (
        "POST open311/keys",
        [200, 403, 403, 403, 403, 403, 403, 401, 401, 403],
    ),
    (
        "GET open311/keys",
        [200, 403, 403, 403, 403, 403, 403, 401, 401, 403],
    ),
    (
        "DELETE open311/keys/{key}",
        [200, 403, 403, 403, 403, 403, 403, 401, 401, 403],
    ),
    // Only the Open311 endpoint files on the city channel.
    (
        "POST ops/city",
        [403, 403, 403, 403, 403, 403, 403, 401, 401, 403],
    ),
    // Only the street's Open311 endpoint files for the street.
    (
        "POST ops/street_file",
        [403, 403, 403, 403, 403, 403, 403, 401, 401, 403],
    ),
    // Every device names itself, whatever its role…
    (
        "PUT devices/{own}/name",
        [200, 200, 200, 200, 200, 200, 200, 401, 401, 403],
    ),
    // …and no one another.
    (
        "PUT devices/{device}/name",
        [403, 403, 403, 403, 403, 403, 403, 401, 401, 403],
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_endpoint_matrix() {
    let (server, http, coord) = with_community(mem_store()).await;
    let other = community(&http, &server, "c2").await;
    let mut callers = vec![coord.clone()];
    for (role, name) in [
        (Role::GridWorker, "网格员"),
        (Role::Volunteer, "志愿者"),
        (Role::Resident, "居民"),
        (Role::Partner, "共建单位"),
        (Role::Kiosk, "自助机"),
        (Role::Viewer, "街道"),
    ] {
        callers.push(member(&http, &coord, role, name).await);
    }
    let mut none = coord.clone();
    none.token = String::new();
    let mut revoked = member(&http, &coord, Role::Volunteer, "被撤销").await;
    let (s, _) = coord
        .send(
            &http,
            Method::DELETE,
            &format!("devices/{}", revoked.device),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut foreign = coord.clone();
    foreign.token = other.token.clone();
    callers.extend([none, revoked.clone(), foreign]);
    revoked.seq = 0;

    // A wish filed by the resident (callers[3]) for the private PUTs.
    let mut resident = callers[3].clone();
    let op = resident.wish_op("修水管");
    let wish = op.kind.wish().unwrap().clone();
    resident.push(&http, &[op]).await;
    callers[3] = resident;
    let victim = member(&http, &coord, Role::Volunteer, "靶子").await;
    let segment = coord.head(&http).await.segments[0].name.clone();

    for (endpoint, expected) in MATRIX {
        for (col, want) in expected.iter().enumerate() {
            let caller = &mut callers[col];
            let (method, path) = endpoint.split_once(' ').unwrap();
            let path = path.strip_suffix("/claim").unwrap_or(path);
            let path = path.strip_suffix("/city").unwrap_or(path);
            let path = path.strip_suffix("/street_file").unwrap_or(path);
            let method: Method = method.parse().unwrap();
            let body = match *endpoint {
                "POST ops" => Some(json!({ "ops": [caller.wish_op("矩阵")] })),
                "POST ops/claim" => {
                    Some(json!({ "ops": [caller.mint(OpKind::Claim { wish: wish.clone() })] }))
                }
                "POST ops/city" => {
                    let n = caller.seq + 1;
                    let w = format!("{}-city-{n}", caller.device);
                    Some(
                        json!({ "ops": [caller.mint(create_wish(&w, "城市", Channel::City, None))] }),
                    )
                }
                "POST ops/street_file" => {
                    let n = caller.seq + 1;
                    let kind = OpKind::StreetFile {
                        wish: format!("{}-sf-{n}", caller.device).into(),
                        category: linli_core::model::Category::Repair,
                        title: "街道".into(),
                        description: String::new(),
                        place: Default::default(),
                        from: "西关街道 · 12345 热线".into(),
                    };
                    Some(json!({ "ops": [caller.mint(kind)] }))
                }
                "POST open311/keys" => Some(json!({"name": "12345 热线"})),
                "PUT kiosk/pin" => Some(json!({"pin": "2468"})),
                "PUT private/{wish}" => Some(json!({"wish": wish, "phone": "123"})),
                "POST codes" => {
                    Some(json!({"role": "volunteer", "expires_in_hours": 1, "max_uses": 1}))
                }
                "PUT devices/{own}/name" | "PUT devices/{device}/name" => {
                    Some(json!({"name": "值班手机"}))
                }
                _ => None,
            };
            let code_id = coord.create_code(&http, Role::Volunteer, 1).await.code_id;
            let key_id = if endpoint.contains("{key}") {
                let (s, v) = coord
                    .send(
                        &http,
                        Method::POST,
                        "open311/keys",
                        Some(json!({"name": "热线"})),
                    )
                    .await;
                assert_eq!(s, StatusCode::OK, "{v}");
                v["info"]["key_id"].as_str().unwrap().to_owned()
            } else {
                String::new()
            };
            let path = path
                .replace("{name}", &segment)
                .replace("{wish}", wish.as_str())
                .replace("{id}", &code_id)
                .replace("{key}", &key_id)
                .replace("{device}", victim.device.as_str())
                .replace("{own}", caller.device.as_str())
                .replace("{member}", victim.member.as_str());
            let (s, j) = caller.send(&http, method, &path, body).await;
            assert_eq!(s.as_u16(), *want, "{endpoint} as caller {col}: {j}");
            if *want >= 400 {
                assert!(j["error"]["code"].is_string(), "{endpoint} {col}: {j}");
            } else if endpoint.starts_with("POST ops") {
                assert_eq!(j["accepted_through"], caller.seq, "{endpoint} {col}");
            }
            if *want != 200 && endpoint.starts_with("POST ops") {
                caller.seq -= 1;
            }
        }
    }
}

/// `head?since=N&wait=MS` answers as soon as the log passes N — at once for
/// a push on the same instance, within the store probe for a push on
/// another — and after the wait when nothing happens.
async fn head_long_poll_wakes_on_a_push_on_either_instance(s: TestStore) {
    use std::time::{Duration, Instant};
    let a = Server::start(s.store.clone()).await;
    let b = Server::start(s.handle()).await;
    let http = http();
    let coord = community(&http, &a, "c1").await;
    let mut r = member(&http, &coord, Role::Resident, "王大爷").await;
    let mut watcher = coord.clone();
    let probe = linli_server::log::WAIT_PROBE;
    // Watch on A, push on A; then watch on B, push on A.
    for (watch_base, pusher_base, bound) in [
        (a.url.clone(), a.url.clone(), Duration::from_millis(900)),
        (
            b.url.clone(),
            a.url.clone(),
            probe + Duration::from_millis(900),
        ),
    ] {
        watcher.base = watch_base;
        let since = watcher.head(&http).await.seq;
        let op = r.wish_op("楼道灯坏了");
        let mut pusher = r.clone();
        pusher.base = pusher_base;
        let http2 = http.clone();
        let push = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            pusher.push(&http2, &[op]).await;
            Instant::now()
        });
        let t0 = Instant::now();
        let (s, j) = watcher
            .send(
                &http,
                Method::GET,
                &format!("head?since={since}&wait=20000"),
                None,
            )
            .await;
        let woke = Instant::now();
        let pushed = push.await.unwrap();
        assert_eq!(s, StatusCode::OK, "{j}");
        assert!(j["seq"].as_u64().unwrap() > since, "{j}");
        assert!(
            woke >= pushed - Duration::from_millis(50),
            "answered before the push"
        );
        assert!(
            woke - pushed < bound,
            "woke {:?} after the push",
            woke - pushed
        );
        assert!(t0.elapsed() < Duration::from_secs(5));
    }
    // Nothing new: answers after the wait, with the same head.
    let since = watcher.head(&http).await.seq;
    let t0 = Instant::now();
    let (s, j) = watcher
        .send(
            &http,
            Method::GET,
            &format!("head?since={since}&wait=600"),
            None,
        )
        .await;
    assert_eq!((s, j["seq"].as_u64()), (StatusCode::OK, Some(since)));
    assert!(
        t0.elapsed() >= Duration::from_millis(550),
        "{:?}",
        t0.elapsed()
    );
    let (s, j) = watcher
        .send(&http, Method::GET, "head?wait=soon", None)
        .await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
}

/// A kiosk's token reads the kiosk view, never the log: no segment, no wish
/// text, no other member; it pushes only what a kiosk may author; its PIN
/// is set by a coordinator and reaches it only as a salted hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_reads_the_kiosk_view_and_is_refused_the_log() {
    use linli_core::protocol::KioskView;
    let (_server, http, coord) = with_community(mem_store()).await;
    let mut resident = member(&http, &coord, Role::Resident, "王大爷").await;
    let op = resident.wish_op("修水管的秘密");
    let wish = op.kind.wish().unwrap().clone();
    resident.push(&http, &[op]).await;
    let mut kiosk = member(&http, &coord, Role::Kiosk, "服务大厅").await;

    let segment = coord.head(&http).await.segments[0].name.clone();
    let (s, j) = kiosk
        .send(&http, Method::GET, &format!("segments/{segment}"), None)
        .await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::FORBIDDEN, "kiosk_view_only")
    );

    let claim = kiosk.mint(OpKind::Claim { wish: wish.clone() });
    let (s, j) = kiosk.push_raw(&http, &[claim]).await;
    assert_eq!(
        (s, error_code(&j)),
        (StatusCode::FORBIDDEN, "kiosk_forbidden")
    );
    assert_eq!(j["error"]["index"], 0);
    kiosk.seq -= 1;
    let filed = kiosk.wish_op("自助机上报");
    let filed_id = filed.id.clone();
    kiosk.push(&http, &[filed]).await;

    let (s, j) = kiosk.send(&http, Method::GET, "kiosk", None).await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let text = j.to_string();
    assert!(!text.contains("修水管"), "a wish's words in the kiosk view");
    assert!(!text.contains("王大爷"), "another member in the kiosk view");
    let view: KioskView = serde_json::from_value(j).unwrap();
    assert_eq!(view.epoch, coord.head(&http).await.epoch);
    assert!(view.state.community.is_some());
    assert_eq!(view.state.seq, coord.head(&http).await.seq);
    assert!(view.state.is_seen(&filed_id), "its own op is seen");
    assert_eq!(view.state.members.len(), 1);
    assert!(view.state.wishes.is_empty());
    assert_eq!(view.pin, None);

    let (s, j) = coord
        .send(
            &http,
            Method::PUT,
            "kiosk/pin",
            Some(json!({"pin": "12a4"})),
        )
        .await;
    assert_eq!((s.as_u16(), error_code(&j)), (422, "invalid"));
    assert_eq!(j["error"]["reason"], "pin");
    let (s, j) = coord
        .send(
            &http,
            Method::PUT,
            "kiosk/pin",
            Some(json!({"pin": "2468"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let (_, j) = kiosk.send(&http, Method::GET, "kiosk", None).await;
    let view: KioskView = serde_json::from_value(j).unwrap();
    let pin = view.pin.expect("the PIN reaches the kiosk");
    assert!(pin.starts_with("pbkdf2-sha256$"), "{pin}");
    assert!(linli_core::kiosk::pin_matches(&pin, "2468"));
    assert!(!linli_core::kiosk::pin_matches(&pin, "2469"));
    // Members other than kiosks never read it.
    let (s, j) = resident.send(&http, Method::GET, "kiosk", None).await;
    assert_eq!((s, error_code(&j)), (StatusCode::FORBIDDEN, "forbidden"));
}
