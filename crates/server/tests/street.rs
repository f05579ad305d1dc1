//! Street level (街道) at the endpoint, on loopback (docs/street.md, "The
//! endpoint"): a street member's token on its communities (the role ×
//! endpoint matrix for street coordinators and viewers, on a linked
//! community, an unlinked one and another street's), removal, role change
//! and revocation taking effect as for community members, the street's
//! answers going into a community's log and folding there, `GET
//! /streets/{s}`, pushes to a street's own log, the CLI and the demo.
mod common;

use common::*;
use linli_core::ids::{CommunityId, MemberId, WishId};
use linli_core::model::{AnswerKind, Level, Role};
use linli_core::protocol::{self, Demo, JoinResponse, StreetHeads, StreetInfo};
use linli_core::{OpKind, Outcome, VoidReason};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_each_store!(
    street_endpoint_matrix,
    a_community_member_never_reads_another_community,
    a_removed_or_demoted_street_coordinator_is_refused_as_a_member_would_be,
    a_revoked_street_device_is_refused,
    street_answers_fold_in_the_community,
    street_ops_from_anyone_else_or_on_the_wrong_wish_fold_void,
    hostile_street_inputs_get_json_errors,
    street_info_lists_the_linked_communities,
    a_street_log_takes_members_and_no_wishes,
    the_demo_seeds_a_street_with_three_communities,
    a_link_made_while_serving_opens_the_community_within_auth_ttl,
    street_heads_wake_when_any_community_moves,
);

/// Street `s1` (西关街道) with community `ca` (linked); street `s2` with
/// community `cb`; community `cu` in no street. Each with its coordinator.
struct World {
    server: Server,
    http: reqwest::Client,
    /// Coordinators of `ca`, `cb`, `cu`.
    a: Device,
    b: Device,
    u: Device,
    /// Street `s1`'s founder (a street coordinator) and a street viewer.
    sc: Device,
    sv: Device,
    /// Street `s2`'s founder.
    tc: Device,
}

async fn world(store: linli_server::store::Store) -> World {
    let server = Server::start(store.clone()).await;
    let http = http();
    let mut codes = Vec::new();
    for (id, name, street) in [
        ("ca", "长寿路社区", false),
        ("cb", "东关社区", false),
        ("cu", "无街道社区", false),
        ("s1", "西关街道", true),
        ("s2", "东关街道", true),
    ] {
        codes.push(create(&store, id, name, street).await);
    }
    link(&store, "s1", "ca").await;
    link(&store, "s2", "cb").await;
    let a = join(&http, &server.url, &codes[0], "甲主任").await;
    let b = join(&http, &server.url, &codes[1], "乙主任").await;
    let u = join(&http, &server.url, &codes[2], "丙主任").await;
    let sc = join(&http, &server.url, &codes[3], "王主任").await;
    let sv = member(&http, &sc, Role::Viewer, "街道观察员").await;
    let tc = join(&http, &server.url, &codes[4], "东主任").await;
    World {
        server,
        http,
        a,
        b,
        u,
        sc,
        sv,
        tc,
    }
}

/// `d` calling the routes of community `c` (same token, same device).
fn on(d: &Device, c: &str) -> Device {
    let mut d = d.clone();
    d.community = CommunityId::from(c);
    d
}

/// A wish filed by `d` and escalated to the street by `coord` (both of
/// `coord`'s community); its id.
async fn escalated(http: &reqwest::Client, coord: &mut Device) -> WishId {
    let op = coord.wish_op("楼道外墙脱落");
    let wish = op.kind.wish().unwrap().clone();
    let esc = coord.mint(OpKind::Escalate {
        wish: wish.clone(),
        level: Level::Street,
        note: "涉及产权划分，需街道协调".into(),
    });
    coord.push(http, &[op, esc]).await;
    wish
}

fn accept(wish: &WishId) -> OpKind {
    OpKind::StreetAccept {
        wish: wish.clone(),
        holder: "街道城管科".into(),
        from: "西关街道 · 王主任".into(),
        note: "本周内派人查看".into(),
    }
}

fn resolve(wish: &WishId) -> OpKind {
    OpKind::StreetResolve {
        wish: wish.clone(),
        from: "西关街道 · 王主任".into(),
        report: "已协调物业完成外墙修补".into(),
    }
}

/// `GET url` with bearer `token`: the status and the JSON body.
async fn get_as(http: &reqwest::Client, url: String, token: &str) -> (u16, Value) {
    let res = http.get(url).bearer_auth(token).send().await.unwrap();
    let st = res.status().as_u16();
    (st, res.json().await.unwrap())
}

/// The community's log as its coordinator pulls it, folded by linli-core.
async fn folded(http: &reqwest::Client, d: &Device) -> linli_core::State {
    linli_core::fold(&d.pull_after(http, 0).await)
}

/// Expected (status, error code) of each route of a linked community for:
/// the street's coordinator, the street's viewer (both on `ca`); the
/// street's coordinator on `cu` (in no street) and on `cb` (another
/// street's). "" = success.
const MATRIX: &[(&str, [(u16, &str); 4])] = &[
    (
        "GET head",
        [
            (200, ""),
            (200, ""),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "GET segments/{name}",
        [
            (200, ""),
            (200, ""),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    // The street's answers: coordinators only.
    (
        "POST ops/street",
        [
            (200, ""),
            (403, "forbidden"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    // Anything else a street member may not push.
    (
        "POST ops",
        [
            (403, "forbidden"),
            (403, "forbidden"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "GET kiosk",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "PUT kiosk/pin",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "GET private",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "PUT private/{wish}",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "GET care",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "GET photos/{photo}",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "GET private/activities",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "GET private/passes",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "POST codes",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "GET codes",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "GET devices",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "DELETE devices/{device}",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "PUT devices/{own}/name",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "DELETE members/{member}/tokens",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "POST open311/keys",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
    (
        "GET open311/keys",
        [
            (403, "street_no_access"),
            (403, "street_no_access"),
            (403, "wrong_community"),
            (403, "wrong_community"),
        ],
    ),
];

/// The role × endpoint matrix for street members (docs/sync-protocol.md):
/// on a linked community the log and the street's answers only, every
/// other route `street_no_access`; on an unlinked community or another
/// street's, `wrong_community` everywhere.
async fn street_endpoint_matrix(s: TestStore) {
    let mut w = world(s.store).await;
    let http = w.http.clone();
    let segment = w.a.head(&http).await.segments[0].name.clone();
    let mut callers = [
        on(&w.sc, "ca"),
        on(&w.sv, "ca"),
        on(&w.sc, "cu"),
        on(&w.sc, "cb"),
    ];
    for (endpoint, expected) in MATRIX {
        for (col, (want, code)) in expected.iter().enumerate() {
            let (method, path) = endpoint.split_once(' ').unwrap();
            let path = path.strip_suffix("/street").unwrap_or(path);
            // A fresh escalated wish in the caller's target community, for
            // the street's answer.
            let target = match col {
                2 => &mut w.u,
                3 => &mut w.b,
                _ => &mut w.a,
            };
            let wish = escalated(&http, target).await;
            let caller = &mut callers[col];
            let body = match *endpoint {
                "POST ops/street" => Some(json!({ "ops": [caller.mint(accept(&wish))] })),
                "POST ops" => Some(json!({ "ops": [caller.wish_op("街道点单")] })),
                "PUT kiosk/pin" => Some(json!({"pin": "2468"})),
                "PUT private/{wish}" => Some(json!({"wish": wish, "phone": "123"})),
                "POST codes" => {
                    Some(json!({"role": "volunteer", "expires_in_hours": 1, "max_uses": 1}))
                }
                "PUT devices/{own}/name" => Some(json!({"name": "街道手机"})),
                "POST open311/keys" => Some(json!({"name": "12345 热线"})),
                _ => None,
            };
            let path = path
                .replace("{name}", &segment)
                .replace("{wish}", wish.as_str())
                .replace("{photo}", &"0".repeat(64))
                .replace("{device}", w.a.device.as_str())
                .replace("{own}", caller.device.as_str())
                .replace("{member}", w.a.member.as_str());
            let (st, j) = caller
                .send(&http, method.parse::<Method>().unwrap(), &path, body)
                .await;
            assert_eq!(st.as_u16(), *want, "{endpoint} as caller {col}: {j}");
            if code.is_empty() {
                if endpoint.starts_with("POST ops") {
                    assert_eq!(j["accepted_through"], caller.seq, "{endpoint} {col}");
                }
            } else {
                assert_eq!(error_code(&j), *code, "{endpoint} as caller {col}: {j}");
            }
            if *want != 200 && endpoint.starts_with("POST ops") {
                caller.seq -= 1;
            }
        }
    }
    // The accepted wishes show the street's answer in the community.
    let state = folded(&http, &w.a).await;
    let answered = state
        .wishes
        .values()
        .filter(|x| x.escalation.as_ref().is_some_and(|e| !e.answers.is_empty()))
        .count();
    assert_eq!(answered, 1, "one street answer was pushed to ca");
    assert!(state.voids.is_empty(), "{:?}", state.voids);
}

/// A community member reads its own community only; a street member's
/// token on no route at all (`/communities/{missing}`) is refused the
/// same way, without saying whether the community exists.
async fn a_community_member_never_reads_another_community(s: TestStore) {
    let w = world(s.store).await;
    let http = &w.http;
    for (who, target) in [(&w.a, "cb"), (&w.a, "cu"), (&w.b, "ca"), (&w.a, "s1")] {
        for path in ["head", "private", "codes"] {
            let (st, j) = on(who, target).send(http, Method::GET, path, None).await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{target} {path}: {j}");
            assert_eq!(error_code(&j), "wrong_community", "{target} {path}: {j}");
        }
    }
    for target in ["nope", "s2"] {
        let (st, j) = on(&w.sc, target)
            .send(http, Method::GET, "head", None)
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{target}: {j}");
        assert_eq!(error_code(&j), "wrong_community", "{j}");
    }
}

/// A street coordinator removed from the street (RemoveMember in the street
/// log, pushed on one instance) is refused on the other within `AUTH_TTL`
/// for the log and at once for a `Fresh::Now` route; one demoted to viewer
/// can no longer answer.
async fn a_removed_or_demoted_street_coordinator_is_refused_as_a_member_would_be(s: TestStore) {
    let w = world(s.store.clone()).await;
    let other = Server::start(s.handle()).await;
    let third = Server::start(s.handle()).await;
    let http = &w.http;
    let mut founder = w.sc.clone();
    let x = member(http, &founder, Role::Coordinator, "李科长").await;
    let y = member(http, &founder, Role::Coordinator, "赵科长").await;
    let mut x_b = on(&x, "ca");
    x_b.base = other.url.clone();
    let mut x_c = x_b.clone();
    x_c.base = third.url.clone();
    // X reads ca on instances B and C: they now hold the street log and
    // X's token.
    x_b.head(http).await;
    x_c.head(http).await;
    let removal = founder.mint(OpKind::RemoveMember {
        member: x.member.clone(),
    });
    let demotion = founder.mint(OpKind::SetRole {
        member: y.member.clone(),
        role: Role::Viewer,
    });
    founder.push(http, &[removal, demotion]).await;
    // On the instance that took the push: at once.
    let (st, j) = on(&x, "ca").send(http, Method::GET, "head", None).await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::FORBIDDEN, "member_inactive"),
        "{j}"
    );
    // On C: a `Now` route reads the street log first (and then would
    // refuse the route anyway)…
    let (st, j) = x_c.send(http, Method::GET, "codes", None).await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::FORBIDDEN, "member_inactive"),
        "{j}"
    );
    // …and on B the log within AUTH_TTL (B may serve X until then).
    let t0 = std::time::Instant::now();
    let mut served = 0;
    loop {
        let (st, j) = x_b.send(http, Method::GET, "head", None).await;
        if st == StatusCode::FORBIDDEN {
            assert_eq!(error_code(&j), "member_inactive", "{j}");
            break;
        }
        assert!(
            t0.elapsed() < linli_server::hub::AUTH_TTL + std::time::Duration::from_secs(2),
            "still served {:?} after the removal",
            t0.elapsed()
        );
        served += 1;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    eprintln!(
        "B served the removed street coordinator {served} more times, for {:?}",
        t0.elapsed()
    );
    // The demoted one still reads, but answers no more.
    let mut a = w.a.clone();
    let wish = escalated(http, &mut a).await;
    let mut y_a = on(&y, "ca");
    y_a.head(http).await;
    let op = y_a.mint(accept(&wish));
    let (st, j) = y_a.push_raw(http, &[op]).await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{j}"
    );
}

/// A street coordinator revokes a street device: refused on the street's
/// communities as on the street.
async fn a_revoked_street_device_is_refused(s: TestStore) {
    let w = world(s.store).await;
    let http = &w.http;
    let x = member(http, &w.sc, Role::Coordinator, "李科长").await;
    on(&x, "ca").head(http).await;
    let (st, j) =
        w.sc.send(http, Method::DELETE, &format!("devices/{}", x.device), None)
            .await;
    assert_eq!(st, StatusCode::OK, "{j}");
    for c in ["ca", "s1"] {
        let (st, j) = on(&x, c).send(http, Method::GET, "head", None).await;
        assert_eq!(
            (st, error_code(&j)),
            (StatusCode::UNAUTHORIZED, "token_revoked"),
            "{c}: {j}"
        );
    }
}

/// Accept, then resolve: both ops land in the community's log, authored
/// by the street member, and the community folds the answer.
async fn street_answers_fold_in_the_community(s: TestStore) {
    let w = world(s.store).await;
    let http = &w.http;
    let mut a = w.a.clone();
    let wish = escalated(http, &mut a).await;
    let mut sc = on(&w.sc, "ca");
    // The street device pulls the community's log and sees the wish.
    let seen = linli_core::fold(&sc.pull_after(http, 0).await);
    assert_eq!(
        seen.wishes[&wish].status,
        linli_core::model::Status::Escalated
    );
    let acc = sc.mint(accept(&wish));
    sc.push(http, std::slice::from_ref(&acc)).await;
    let state = folded(http, &a).await;
    assert_eq!(state.outcome(&acc.id), Some(Outcome::Applied));
    let esc = state.wishes[&wish].escalation.clone().unwrap();
    assert_eq!(esc.accepted.as_deref(), Some("街道城管科"));
    assert_eq!(esc.answers.len(), 1);
    assert_eq!(esc.answers[0].kind, AnswerKind::Accepted);
    assert_eq!(esc.answers[0].by, w.sc.member);
    assert_eq!(esc.answers[0].from, "西关街道 · 王主任");
    assert!(esc.answered_at.is_some());
    assert_eq!(
        state.wishes[&wish].status,
        linli_core::model::Status::Escalated
    );
    let res = sc.mint(resolve(&wish));
    sc.push(http, std::slice::from_ref(&res)).await;
    let state = folded(http, &a).await;
    assert_eq!(state.outcome(&res.id), Some(Outcome::Applied));
    assert_eq!(
        state.wishes[&wish].status,
        linli_core::model::Status::Completed
    );
    // The street member is no member of the community.
    assert!(!state.members.contains_key(&w.sc.member));
    // The same ops again are a retry: nothing changes.
    let again = sc.push(http, &[acc, res]).await;
    assert_eq!(again.accepted_through, sc.seq);
    assert_eq!(folded(http, &a).await.hash(), state.hash());
}

/// A community coordinator cannot pose as the street: its street op is
/// taken into the log and folds `Void(forbidden)`. A street op on a wish
/// that is not escalated, or on no wish, folds void with its reason.
async fn street_ops_from_anyone_else_or_on_the_wrong_wish_fold_void(s: TestStore) {
    let w = world(s.store).await;
    let http = &w.http;
    let mut a = w.a.clone();
    let wish = escalated(http, &mut a).await;
    let posing = a.mint(accept(&wish));
    a.push(http, std::slice::from_ref(&posing)).await;
    let plain = a.wish_op("普通点单");
    let open = plain.kind.wish().unwrap().clone();
    a.push(http, &[plain]).await;
    let mut sc = on(&w.sc, "ca");
    let on_open = sc.mint(resolve(&open));
    let on_none = sc.mint(accept(&WishId::from("no-such-wish")));
    sc.push(http, &[on_open.clone(), on_none.clone()]).await;
    let state = folded(http, &a).await;
    assert_eq!(
        state.outcome(&posing.id),
        Some(Outcome::Void(VoidReason::Forbidden))
    );
    assert!(
        state.wishes[&wish]
            .escalation
            .as_ref()
            .unwrap()
            .answers
            .is_empty()
    );
    assert!(
        matches!(state.outcome(&on_open.id), Some(Outcome::Void(r)) if r != VoidReason::Forbidden),
        "{:?}",
        state.outcome(&on_open.id)
    );
    assert_eq!(
        state.outcome(&on_none.id),
        Some(Outcome::Void(VoidReason::UnknownWish))
    );
}

/// Bad street inputs get JSON errors with known codes, and nothing is
/// appended: a `from` over 60 characters, another member's op, a huge
/// `since`, a street token on odd community ids, a viewer's push.
async fn hostile_street_inputs_get_json_errors(s: TestStore) {
    let w = world(s.store).await;
    let http = &w.http;
    let mut a = w.a.clone();
    let wish = escalated(http, &mut a).await;
    let mut sc = on(&w.sc, "ca");
    let before = a.head(http).await.seq;
    let huge = sc.mint(OpKind::StreetAccept {
        wish: wish.clone(),
        holder: "街道城管科".into(),
        from: "街".repeat(61),
        note: String::new(),
    });
    let (st, j) = sc.push_raw(http, &[huge]).await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_op"),
        "{j}"
    );
    sc.seq -= 1;
    let empty = sc.mint(OpKind::StreetAccept {
        wish: wish.clone(),
        holder: String::new(),
        from: "西关街道".into(),
        note: String::new(),
    });
    let (st, j) = sc.push_raw(http, &[empty]).await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_op"),
        "{j}"
    );
    sc.seq -= 1;
    // An op in another member's name (the community coordinator's).
    let mut forged = sc.mint(accept(&wish));
    forged.author = a.member.clone();
    let (st, j) = sc.push_raw(http, &[forged]).await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::FORBIDDEN, "wrong_author"),
        "{j}"
    );
    sc.seq -= 1;
    // A street op mixed with a wish: the whole push is refused.
    let ok = sc.mint(accept(&wish));
    let bad = sc.mint(linli_core::OpKind::Note {
        wish: wish.clone(),
        text: "街道备注".into(),
    });
    let (st, j) = sc.push_raw(http, &[ok, bad]).await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{j}"
    );
    assert_eq!(j["error"]["index"], 1, "{j}");
    sc.seq -= 2;
    let (st, j) = sc
        .send(http, Method::GET, "head?since=18446744073709551615", None)
        .await;
    assert_eq!(st, StatusCode::OK, "{j}");
    let (st, j) = sc
        .send(
            http,
            Method::GET,
            "head?since=99999999999999999999999",
            None,
        )
        .await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::BAD_REQUEST, "bad_request"),
        "{j}"
    );
    let mut sv = on(&w.sv, "ca");
    let op = sv.mint(accept(&wish));
    let (st, j) = sv.push_raw(http, &[op]).await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{j}"
    );
    for odd in ["%2e%2e", "ca%2Fhead", &"x".repeat(300)] {
        let (st, j) = on(&w.sc, odd).send(http, Method::GET, "head", None).await;
        assert!(st.is_client_error(), "{odd}: {st} {j}");
        assert!(j["error"]["code"].is_string(), "{odd}: {j}");
    }
    assert_eq!(a.head(http).await.seq, before, "nothing was appended");
}

/// `GET /streets/{s}`: its members see the street's name and communities
/// by name then id; nobody else does.
async fn street_info_lists_the_linked_communities(s: TestStore) {
    let w = world(s.store.clone()).await;
    let http = &w.http;
    create(&s.store, "cz", "白云社区", false).await;
    create(&s.store, "cy", "白云社区", false).await;
    link(&s.store, "s1", "cz").await;
    link(&s.store, "s1", "cy").await;
    let url = format!("{}/api/v1/streets/s1", w.server.url);
    for d in [&w.sc, &w.sv] {
        let res = http.get(&url).bearer_auth(&d.token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let info: StreetInfo = res.json().await.unwrap();
        assert_eq!(info.street, CommunityId::from("s1"));
        assert_eq!(info.name, "西关街道");
        let ids: Vec<&str> = info.communities.iter().map(|c| c.id.as_str()).collect();
        // 白云社区 (cy, cz) sorts before 长寿路社区 (ca) by code point.
        assert_eq!(ids, ["cy", "cz", "ca"]);
        assert_eq!(info.communities[2].name, "长寿路社区");
    }
    let get = |token: String, street: &'static str| {
        let http = http.clone();
        let url = format!("{}/api/v1/streets/{street}", w.server.url);
        async move {
            let (st, j) = get_as(&http, url, &token).await;
            (st, error_code(&j).to_owned())
        }
    };
    assert_eq!(
        get(w.a.token.clone(), "s1").await,
        (403, "wrong_community".into())
    );
    assert_eq!(
        get(w.tc.token.clone(), "s1").await,
        (403, "wrong_community".into())
    );
    assert_eq!(get(String::new(), "s1").await, (401, "unauthorized".into()));
    // A community's own member on its community's id: not a street.
    assert_eq!(
        get(w.a.token.clone(), "ca").await,
        (404, "not_found".into())
    );
    // A street member on a community of its street: not a street either.
    assert_eq!(
        get(w.sc.token.clone(), "ca").await,
        (404, "not_found".into())
    );
}

/// A street's own log takes its members (in street roles) and name; no
/// wishes; its codes make street coordinators and viewers only; a join
/// through its code says `street: true`.
async fn a_street_log_takes_members_and_no_wishes(s: TestStore) {
    let w = world(s.store).await;
    let http = &w.http;
    let mut sc = w.sc.clone();
    let wish = sc.wish_op("街道自己的点单");
    let (st, j) = sc.push_raw(http, &[wish]).await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{j}"
    );
    assert_eq!(j["error"]["reason"], "street_log", "{j}");
    sc.seq -= 1;
    let add = sc.mint(OpKind::AddMember {
        member: MemberId::from("jd-new"),
        name: "新来的科员".into(),
        role: Role::Viewer,
        skills: Vec::new(),
        grids: Vec::new(),
        partner: None,
    });
    sc.push(http, &[add]).await;
    let (st, j) = sc
        .send(
            http,
            Method::POST,
            "codes",
            Some(json!({"role": "volunteer", "expires_in_hours": 1, "max_uses": 1})),
        )
        .await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        "{j}"
    );
    assert_eq!(j["error"]["reason"], "street_role", "{j}");
    let code = sc.create_code(http, Role::Viewer, 1).await;
    let (st, j) = post_json(
        http,
        &format!("{}/api/v1/join", w.server.url),
        json!({"code": code.code, "display_name": "观察员二"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{j}");
    let joined: JoinResponse = serde_json::from_value(j).unwrap();
    assert!(joined.street);
    assert_eq!(joined.community, CommunityId::from("s1"));
    let code = w.a.create_code(http, Role::Volunteer, 1).await;
    let (_, j) = post_json(
        http,
        &format!("{}/api/v1/join", w.server.url),
        json!({"code": code.code, "display_name": "志愿者"}),
    )
    .await;
    assert_eq!(
        j.get("street"),
        None,
        "a community's join leaves it out: {j}"
    );
}

/// `serve --demo` seeds 西关街道 with the demo community and two smaller
/// ones, offers a street coordinator's and a street viewer's code, and
/// seeds it once (a second instance on the store answers the same).
async fn the_demo_seeds_a_street_with_three_communities(s: TestStore) {
    let server = Server::start_with(s.store.clone(), true).await;
    let again = Server::start_with(s.handle(), true).await;
    let http = http();
    let demo: Demo = http
        .get(format!("{}/api/v1/demo", server.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let demo2: Demo = http
        .get(format!("{}/api/v1/demo", again.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(demo, demo2);
    let street = demo.street.clone().expect("the demo has a street");
    assert_eq!(street.street, CommunityId::from("demo-street"));
    let roles: Vec<Role> = street.codes.iter().map(|c| c.role).collect();
    assert_eq!(roles, [Role::Coordinator, Role::Viewer]);
    let coord = join(&http, &server.url, &street.codes[0].code, "").await;
    let info: StreetInfo = http
        .get(format!("{}/api/v1/streets/demo-street", server.url))
        .bearer_auth(&coord.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info.name, "西关街道");
    assert_eq!(info.communities.len(), 3);
    let (mut escalated, mut answered) = (0, 0);
    for c in &info.communities {
        let state = linli_core::fold(&on(&coord, c.id.as_str()).pull_after(&http, 0).await);
        assert!(state.voids.is_empty(), "{}: {:?}", c.id, state.voids);
        escalated += state
            .wishes
            .values()
            .filter(|w| w.status == linli_core::model::Status::Escalated)
            .count();
        answered += state
            .wishes
            .values()
            .filter_map(|w| w.escalation.as_ref())
            .filter(|e| e.answers.iter().any(|a| a.by == coord.member))
            .count();
    }
    assert!(escalated >= 5, "{escalated} escalated wishes in the street");
    // The street's answers in the two smaller communities, by this very
    // street coordinator (the code is bound to jd-c1).
    assert_eq!(answered, 6);
    assert!(info.communities.iter().any(|c| c.id == demo.community));
}

/// `street add-community` run while instances serve: an instance that
/// found no link a moment ago lets the street in within `AUTH_TTL` (it
/// reads "no link" again after that), and keeps the link from then on.
async fn a_link_made_while_serving_opens_the_community_within_auth_ttl(s: TestStore) {
    let w = world(s.store.clone()).await;
    let http = &w.http;
    let sc_u = on(&w.sc, "cu");
    let (st, j) = sc_u.send(http, Method::GET, "head", None).await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::FORBIDDEN, "wrong_community"),
        "{j}"
    );
    link(&s.handle(), "s1", "cu").await;
    let t0 = std::time::Instant::now();
    loop {
        let (st, j) = sc_u.send(http, Method::GET, "head", None).await;
        if st == StatusCode::OK {
            break;
        }
        assert_eq!(error_code(&j), "wrong_community", "{j}");
        assert!(
            t0.elapsed() < linli_server::hub::AUTH_TTL + std::time::Duration::from_secs(2),
            "the link made {:?} ago is not seen",
            t0.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Now in the street's list too, and still not in the other street's.
    let info: StreetInfo = http
        .get(format!("{}/api/v1/streets/s1", w.server.url))
        .bearer_auth(&w.sc.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = info.communities.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["cu", "ca"], "无街道社区 sorts before 长寿路社区");
    let (st, j) = on(&w.tc, "cu").send(http, Method::GET, "head", None).await;
    assert_eq!(
        (st, error_code(&j)),
        (StatusCode::FORBIDDEN, "wrong_community"),
        "{j}"
    );
}

/// The CLI: `street create` prints a street coordinator's code and QR;
/// `street add-community` links once, says so again for the same pair,
/// and refuses a second street, a missing community and a street.
#[test]
fn cli_creates_streets_and_links_communities() {
    let (place, _guard) = DataAt::dir();
    cli_create(&place, "ca");
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(bin());
        cmd.args(args);
        place.apply(&mut cmd);
        let out = cmd.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&["street", "create", "--name", "西关街道", "--id", "s1"]);
    assert!(ok, "{err}");
    assert!(out.contains("street coordinator join code: "), "{out}");
    assert!(
        out.contains('█') || out.contains('▀'),
        "a QR code is printed"
    );
    let (ok, _, err) = run(&["street", "create", "--name", "东关街道", "--id", "s2"]);
    assert!(ok, "{err}");
    let (ok, out, err) = run(&[
        "street",
        "add-community",
        "--street",
        "s1",
        "--community",
        "ca",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("added to street s1"), "{out}");
    let (ok, out, _) = run(&[
        "street",
        "add-community",
        "--street",
        "s1",
        "--community",
        "ca",
    ]);
    assert!(ok && out.contains("already in street s1"), "{out}");
    for (args, says) in [
        (
            ["--street", "s2", "--community", "ca"],
            "already belongs to street s1",
        ),
        (
            ["--street", "s1", "--community", "nope"],
            "no community or street nope",
        ),
        (["--street", "s1", "--community", "s2"], "is a street"),
        (["--street", "ca", "--community", "s2"], "not a street"),
    ] {
        let mut all = vec!["street", "add-community"];
        all.extend(args);
        let (ok, _, err) = run(&all);
        assert!(!ok, "{args:?}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

/// `GET /streets/{s}/heads?since=…&wait=`: the street device's live channel
/// answers at once when a community is past what the device holds, waits
/// while none is, wakes when one moves, and is refused like `GET
/// /streets/{s}` to anyone else or for bad input.
async fn street_heads_wake_when_any_community_moves(s: TestStore) {
    let mut w = world(s.store.clone()).await;
    create(&s.store, "cz", "白云社区", false).await;
    link(&s.store, "s1", "cz").await;
    let http = w.http.clone();
    let base = format!("{}/api/v1/streets/s1/heads", w.server.url);
    let heads = |token: String, query: String| {
        let http = http.clone();
        let url = format!("{base}?{query}");
        async move { get_as(&http, url, &token).await }
    };
    let seqs = |v: &Value| -> Vec<(String, u64)> {
        let h: StreetHeads = serde_json::from_value(v.clone()).unwrap();
        h.heads
            .into_iter()
            .map(|h| (h.community.to_string(), h.seq))
            .collect()
    };
    // Without a wait: every linked community, in the street's order.
    let (st, now) = heads(w.sc.token.clone(), String::new()).await;
    assert_eq!(st, 200, "{now}");
    let now = seqs(&now);
    assert_eq!(
        now.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
        ["cz", "ca"]
    );
    let held = protocol::street_since(
        &now.iter()
            .map(|(c, n)| (CommunityId::from(c.as_str()), *n))
            .collect::<Vec<_>>(),
    );
    // Behind on one, or naming none of them: answered at once, whatever the wait.
    for query in [
        format!("since=ca:0,cz:{}&wait=20000", now[0].1),
        "since=elsewhere:0&wait=20000".to_owned(),
        "wait=20000".to_owned(),
    ] {
        let t0 = std::time::Instant::now();
        let (st, _) = heads(w.sv.token.clone(), query.clone()).await;
        assert_eq!(st, 200, "{query}");
        assert!(t0.elapsed() < std::time::Duration::from_secs(5), "{query}");
    }
    // Up to date: the wait runs out and says the same seqs.
    let t0 = std::time::Instant::now();
    let (st, same) = heads(w.sc.token.clone(), format!("since={held}&wait=300")).await;
    assert_eq!((st, seqs(&same)), (200, now.clone()));
    assert!(t0.elapsed() >= std::time::Duration::from_millis(300));
    // Up to date and waiting: an escalation in ca wakes it long before 20 s.
    let waiting = tokio::spawn(heads(
        w.sc.token.clone(),
        format!("since={held}&wait=20000"),
    ));
    // Waiting on cz only: ca's move does not wake it.
    let only_cz = tokio::spawn(heads(
        w.sc.token.clone(),
        format!("since=cz:{}&wait=1500", now[0].1),
    ));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let t0 = std::time::Instant::now();
    escalated(&http, &mut w.a).await;
    let (st, moved) = waiting.await.unwrap();
    assert_eq!(st, 200);
    assert!(t0.elapsed() < std::time::Duration::from_secs(10));
    let moved = seqs(&moved);
    assert!(moved[1].1 > now[1].1, "{moved:?}");
    assert_eq!(moved[0], now[0]);
    let (st, _) = only_cz.await.unwrap();
    assert_eq!(st, 200);
    assert!(t0.elapsed() >= std::time::Duration::from_millis(1000));
    // Refused: another street's coordinator, a community's member, no token; bad input.
    let refused = |v: &Value| error_code(v).to_owned();
    let (st, v) = heads(w.tc.token.clone(), String::new()).await;
    assert_eq!((st, refused(&v).as_str()), (403, "wrong_community"));
    let (st, v) = heads(w.a.token.clone(), String::new()).await;
    assert_eq!((st, refused(&v).as_str()), (403, "wrong_community"));
    let (st, v) = heads(String::new(), String::new()).await;
    assert_eq!((st, refused(&v).as_str()), (401, "unauthorized"));
    for bad in [
        "since=ca",
        "since=ca:x",
        "wait=soon",
        &format!("since={}", vec!["c:1"; 201].join(",")),
    ] {
        let (st, v) = heads(w.sc.token.clone(), bad.to_owned()).await;
        assert_eq!((st, refused(&v).as_str()), (400, "bad_request"), "{bad}");
    }
}
