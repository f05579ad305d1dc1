//! Open311 GeoReport v2 against the real server on loopback: every
//! endpoint in JSON and XML, the spec's errors with stable codes, the
//! coordinator's keys (shown once, listed, revoked, outliving a demoted
//! maker), idempotent replays, and that no response and no log segment
//! holds the requester's phone, name, email or exact address. A street's
//! endpoint (keys of the street, `jurisdiction_id` a community of it, the
//! `street_file` op), on memory, the filesystem and S3.
mod common;

use common::*;
use linli_core::model::{Channel, Role};
use linli_core::{LogEntry, OpKind};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PHONE: &str = "13912345678";
const EMAIL: &str = "wang.xm@example.com";
const ROOM: &str = "长寿路100弄3号201室";
const GIVEN: &str = "小明";

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

struct O311 {
    base: String,
    http: reqwest::Client,
}

impl O311 {
    fn new(server: &Server, c: &str) -> O311 {
        O311 {
            base: format!("{}/api/open311/v2/communities/{c}", server.url),
            http: http(),
        }
    }

    /// A street's endpoint.
    fn street(server: &Server, s: &str) -> O311 {
        O311 {
            base: format!("{}/api/open311/v2/streets/{s}", server.url),
            http: http(),
        }
    }

    async fn get(&self, rest: &str) -> (StatusCode, String, String) {
        let r = self
            .http
            .get(format!("{}/{rest}", self.base))
            .send()
            .await
            .unwrap();
        let s = r.status();
        let kind = r.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        (s, kind, r.text().await.unwrap())
    }

    async fn json(&self, rest: &str) -> (StatusCode, Value) {
        let (s, kind, body) = self.get(rest).await;
        assert!(kind.starts_with("application/json"), "{rest}: {kind}");
        (s, serde_json::from_str(&body).unwrap())
    }

    async fn post(
        &self,
        file: &str,
        body: String,
        kind: &str,
        idem: Option<&str>,
    ) -> (StatusCode, String) {
        let mut req = self
            .http
            .post(format!("{}/{file}", self.base))
            .header(reqwest::header::CONTENT_TYPE, kind)
            .body(body);
        if let Some(k) = idem {
            req = req.header("Idempotency-Key", k);
        }
        let r = req.send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    async fn file(&self, key: &str, fields: &[(&str, &str)]) -> (StatusCode, Value) {
        let mut all = vec![("api_key", key)];
        all.extend_from_slice(fields);
        let (s, body) = self
            .post(
                "requests.json",
                form(&all),
                "application/x-www-form-urlencoded",
                None,
            )
            .await;
        (s, serde_json::from_str(&body).unwrap())
    }
}

const FORM: &str = "application/x-www-form-urlencoded";

fn err(v: &Value) -> (u64, &str) {
    (
        v[0]["code"].as_u64().unwrap_or(0),
        v[0]["error_code"].as_str().unwrap_or("<none>"),
    )
}

async fn new_key(http: &reqwest::Client, coord: &Device, name: &str) -> (String, String) {
    let (s, v) = coord
        .send(
            http,
            Method::POST,
            "open311/keys",
            Some(json!({"name": name})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    (
        v["key"].as_str().unwrap().to_owned(),
        v["info"]["key_id"].as_str().unwrap().to_owned(),
    )
}

/// The contact record of `wish` as `device` reads it from the endpoint.
async fn contact(http: &reqwest::Client, device: &Device, wish: &str) -> Value {
    let (s, v) = device.send(http, Method::GET, "private", None).await;
    assert_eq!(s, StatusCode::OK);
    v["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["wish"] == wish)
        .cloned()
        .unwrap_or_else(|| panic!("a contact record of {wish}"))
}

async fn setup() -> (Server, reqwest::Client, Device) {
    let (server, http, mut coord) = with_community(mem_store()).await;
    let op = coord.mint(OpKind::UpdateCommunity {
        name: None,
        grids: Some(vec!["一网格".into()]),
        buildings: Some(vec!["3号楼".into()]),
    });
    coord.push(&http, &[op]).await;
    (server, http, coord)
}

async fn log_text(http: &reqwest::Client, coord: &Device) -> String {
    let log: Vec<LogEntry> = coord.pull_after(http, 0).await;
    serde_json::to_string(&log).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_in_json_and_xml_with_nothing_private() {
    let (server, http, coord) = setup().await;
    let (key, _) = new_key(&http, &coord, "12345 热线").await;
    let o = O311::new(&server, "c1");

    // Services: the categories, no key needed.
    let (s, v) = o.json("services.json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v.as_array().unwrap().len(), 9);
    assert_eq!(v[0]["service_code"], "repair");
    assert_eq!(v[0]["metadata"], false);
    let (s, kind, xml) = o.get("services.xml").await;
    assert_eq!(s, StatusCode::OK);
    assert!(kind.starts_with("text/xml"), "{kind}");
    assert!(
        xml.contains("<services><service><service_code>repair</service_code>"),
        "{xml}"
    );
    let (s, v) = o.json("services/repair.json").await;
    assert_eq!((s, &v["service_code"]), (StatusCode::OK, &json!("repair")));
    let (_, _, xml) = o.get("services/cleaning.xml").await;
    assert!(xml.contains("<service_definition><service_code>cleaning</service_code>"));
    let (s, v) = o.json("services/nope.json").await;
    assert_eq!(
        (s, err(&v)),
        (StatusCode::NOT_FOUND, (404, "unknown_service_code"))
    );
    let (s, _, xml) = o.get("services/nope.xml").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(xml.contains("<errors><error><code>404</code>"), "{xml}");

    // POST, form-encoded, with everything private the spec allows.
    let (s, v) = o
        .file(
            &key,
            &[
                ("service_code", "repair"),
                ("description", "楼道灯不亮\n晚上很黑"),
                ("address_id", "3号楼"),
                ("address_string", ROOM),
                ("lat", "31.2401"),
                ("long", "121.4302"),
                ("first_name", GIVEN),
                ("last_name", "王"),
                ("phone", PHONE),
                ("email", EMAIL),
                ("jurisdiction_id", "c1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let id = v[0]["service_request_id"].as_str().unwrap().to_owned();
    assert!(v[0]["service_notice"].is_string());
    assert!(v[0]["account_id"].is_null());

    // The wish is in the log on the city channel, filed by the key's identity.
    let head = coord.pull_after(&http, 0).await;
    let created = head
        .iter()
        .find_map(|e| match &e.op.kind {
            OpKind::CreateWish { wish, channel, .. } if wish.as_str() == id => {
                Some((*channel, e.op.author.clone()))
            }
            _ => None,
        })
        .expect("the wish is in the log");
    assert_eq!(created.0, Channel::City);
    let named = head.iter().any(|e| {
        matches!(&e.op.kind, OpKind::AddMember { member, name, role: Role::Kiosk, .. }
            if *member == created.1 && name == "12345 热线")
    });
    assert!(
        named,
        "the filer is the key's identity, named after the key"
    );
    let log = log_text(&http, &coord).await;
    for private in [PHONE, EMAIL, ROOM, GIVEN, "31.2401"] {
        assert!(!log.contains(private), "{private} is in the log");
    }
    // The details went where the wish form's phone goes.
    let rec = contact(&http, &coord, &id).await;
    assert_eq!(rec["phone"], PHONE);
    assert_eq!(rec["email"], EMAIL);
    assert_eq!(rec["name"], "王小明");
    assert!(rec["address"].as_str().unwrap().starts_with(ROOM));

    // GET requests, all forms; nothing private in any.
    let q = format!("api_key={key}");
    let mut shown = String::new();
    let (s, v) = o.json(&format!("requests.json?{q}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v.as_array().unwrap().len(), 1);
    let r = &v[0];
    assert_eq!(r["service_request_id"], id.as_str());
    assert_eq!(r["status"], "open");
    assert_eq!(r["service_code"], "repair");
    assert_eq!(r["address"], "3号楼");
    assert_eq!(r["agency_responsible"], "测试社区");
    assert!(
        r["requested_datetime"]
            .as_str()
            .unwrap()
            .ends_with("+08:00")
    );
    assert!(r["lat"].is_null() && r["long"].is_null());
    shown.push_str(&v.to_string());
    let (s, v) = o.json(&format!("requests/{id}.json?{q}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v[0]["service_request_id"], id.as_str());
    shown.push_str(&v.to_string());
    for rest in [
        format!("requests.xml?{q}"),
        format!("requests/{id}.xml?{q}"),
    ] {
        let (s, kind, xml) = o.get(&rest).await;
        assert_eq!(s, StatusCode::OK, "{rest}");
        assert!(kind.starts_with("text/xml"));
        assert!(xml.contains(&format!(
            "<service_requests><request><service_request_id>{id}</service_request_id><status>open</status>"
        )), "{xml}");
        shown.push_str(&xml);
    }
    for private in [PHONE, EMAIL, ROOM, GIVEN, "31.2401"] {
        assert!(!shown.contains(private), "{private} in a response");
    }
    // Filters.
    let count = |v: &Value| v.as_array().map_or(0, Vec::len);
    for (filter, n) in [
        ("status=open", 1),
        ("status=closed", 0),
        ("status=open,closed", 1),
        ("service_code=cleaning", 0),
        ("service_code=repair,cleaning", 1),
        (
            "start_date=2010-01-01T00:00:00Z&end_date=2010-02-01T00:00:00Z",
            0,
        ),
        ("end_date=2099-01-01T00:00:00%2B08:00", 0),
        ("service_request_id=nope,other", 0),
    ] {
        let (s, v) = o.json(&format!("requests.json?{q}&{filter}")).await;
        assert_eq!((s, count(&v)), (StatusCode::OK, n), "{filter}: {v}");
    }
    let (_, v) = o
        .json(&format!(
            "requests.json?{q}&service_request_id={id}&status=closed"
        ))
        .await;
    assert_eq!(count(&v), 1, "ids override the other filters");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_inputs_get_the_specs_errors() {
    let (server, http, coord) = setup().await;
    let (key, _) = new_key(&http, &coord, "12345 热线").await;
    let o = O311::new(&server, "c1");
    let q = format!("api_key={key}");
    // Keys.
    for (rest, want) in [
        ("requests.json".to_owned(), (403, "api_key_required")),
        (
            "requests.json?api_key=".to_owned(),
            (403, "api_key_required"),
        ),
        (
            "requests.json?api_key=o311_nope".to_owned(),
            (403, "invalid_api_key"),
        ),
        (
            format!("requests/x.json?api_key={}", "x".repeat(300)),
            (403, "invalid_api_key"),
        ),
        (
            format!("requests.json?{q}&start_date=monday"),
            (400, "bad_date"),
        ),
        (
            format!("requests.json?{q}&end_date=2024-02-30"),
            (400, "bad_date"),
        ),
        (
            format!("requests.json?{q}&status=pending"),
            (400, "bad_status"),
        ),
        (
            format!("requests.json?{q}&service_code=ufo"),
            (400, "unknown_service_code"),
        ),
        (
            format!("requests.json?{q}&jurisdiction_id=c2"),
            (404, "jurisdiction_not_found"),
        ),
        (
            format!("requests/nope.json?{q}"),
            (404, "request_not_found"),
        ),
        (format!("requests.json?{q}&a=%ff"), (400, "invalid")),
        ("widgets.json".to_owned(), (404, "request_not_found")),
        ("services.html".to_owned(), (404, "bad_format")),
        ("services".to_owned(), (404, "bad_format")),
    ] {
        let (s, v) = o.json(&rest).await;
        assert_eq!(
            (s.as_u16(), err(&v)),
            (want.0, (want.0 as u64, want.1)),
            "{rest}: {v}"
        );
    }
    let other = O311::new(&server, "nowhere");
    let (s, v) = other.json("services.json").await;
    assert_eq!((s.as_u16(), err(&v).1), (404, "community_not_found"));
    // A key of one community is unknown in another.
    let c2 = community(&http, &server, "c2").await;
    drop(c2);
    let (s, v) = O311::new(&server, "c2")
        .json(&format!("requests.json?{q}"))
        .await;
    assert_eq!((s.as_u16(), err(&v).1), (403, "invalid_api_key"));

    // POSTs.
    let base = [("service_code", "repair"), ("address_id", "3号楼")];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut f = vec![("api_key", key.as_str())];
        f.extend_from_slice(&base);
        f.extend_from_slice(extra);
        form(&f)
    };
    for (body, kind, want) in [
        (
            with(&[]),
            "application/json",
            (415, "unsupported_media_type"),
        ),
        (with(&[]), "text/plain", (415, "unsupported_media_type")),
        (
            form(&[("api_key", key.as_str()), ("address_id", "3号楼")]),
            FORM,
            (400, "missing_field"),
        ),
        (
            form(&[("api_key", key.as_str()), ("service_code", "repair")]),
            FORM,
            (400, "missing_field"),
        ),
        (
            form(&[
                ("api_key", key.as_str()),
                ("service_code", "ufo"),
                ("lat", "1"),
                ("long", "2"),
            ]),
            FORM,
            (400, "unknown_service_code"),
        ),
        (
            form(&[
                ("api_key", key.as_str()),
                ("service_code", "repair"),
                ("address_id", "9号楼"),
            ]),
            FORM,
            (400, "unknown_address_id"),
        ),
        (
            form(&[
                ("api_key", key.as_str()),
                ("service_code", "repair"),
                ("lat", "north"),
                ("long", "2"),
            ]),
            FORM,
            (400, "bad_location"),
        ),
        (with(&[("phone", "call me maybe")]), FORM, (400, "invalid")),
        (with(&[("email", "not an email")]), FORM, (400, "invalid")),
        (form(&base), FORM, (403, "api_key_required")),
        (
            with(&[]).replace("api_key=o311_", "api_key=o312_"),
            FORM,
            (403, "invalid_api_key"),
        ),
        ("a=%zz".to_owned(), FORM, (400, "invalid")),
    ] {
        let (s, text) = o.post("requests.json", body.clone(), kind, None).await;
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (s.as_u16(), err(&v)),
            (want.0, (want.0 as u64, want.1)),
            "{body}: {v}"
        );
    }
    // The server's body limit.
    let huge = format!("{}&description={}", with(&[]), "x".repeat(2 * 1024 * 1024));
    let (s, text) = o.post("requests.xml", huge, FORM, None).await;
    assert_eq!(s.as_u16(), 413, "{text}");
    assert!(
        text.contains("<error_code>body_too_large</error_code>"),
        "{text}"
    );
    // A bad Idempotency-Key.
    let (s, _) = o
        .post("requests.json", with(&[]), FORM, Some(&"k".repeat(201)))
        .await;
    assert_eq!(s.as_u16(), 400);
    // Wrong methods.
    let r = http
        .delete(format!("{}/services.json", o.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    let (s, _) = o.post("services.json", with(&[]), FORM, None).await;
    assert_eq!(s.as_u16(), 405);
    // None of that filed anything.
    let log = coord.pull_after(&http, 0).await;
    assert!(
        !log.iter()
            .any(|e| matches!(e.op.kind, OpKind::CreateWish { .. }))
    );

    // A replay with the same Idempotency-Key is one request; without, two.
    let mut ids = Vec::new();
    for idem in [Some("hotline-7"), Some("hotline-7"), None, None] {
        let (s, text) = o.post("requests.xml", with(&[]), FORM, idem).await;
        assert_eq!(s, StatusCode::OK, "{text}");
        let id = text
            .split("<service_request_id>")
            .nth(1)
            .and_then(|t| t.split('<').next())
            .unwrap()
            .to_owned();
        ids.push(id);
    }
    assert_eq!(ids[0], ids[1]);
    assert_ne!(ids[2], ids[3]);
    let log = coord.pull_after(&http, 0).await;
    let wishes = log
        .iter()
        .filter(|e| matches!(e.op.kind, OpKind::CreateWish { .. }))
        .count();
    assert_eq!(wishes, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_shown_once_listed_and_revoked_and_outlive_a_demoted_maker() {
    let (server, http, boss) = setup().await;
    let mut second = member(&http, &boss, Role::Coordinator, "副书记").await;
    let volunteer = member(&http, &boss, Role::Volunteer, "志愿者").await;
    let o = O311::new(&server, "c1");

    // Bad names.
    for (name, reason) in [
        ("  ", "key_name_empty"),
        (&*"热".repeat(41), "key_name_too_long"),
    ] {
        let (s, v) = boss
            .send(
                &http,
                Method::POST,
                "open311/keys",
                Some(json!({"name": name})),
            )
            .await;
        assert_eq!(
            (s.as_u16(), v["error"]["reason"].as_str()),
            (422, Some(reason))
        );
    }
    let (key, key_id) = new_key(&http, &boss, "12345 热线").await;
    assert!(key.starts_with("o311_"));
    let (s, v) = boss.send(&http, Method::GET, "open311/keys", None).await;
    assert_eq!(s, StatusCode::OK);
    let listed = v.to_string();
    assert!(
        !listed.contains(&key),
        "the key is shown once, never listed"
    );
    assert_eq!(v["keys"][0]["name"], "12345 热线");
    assert_eq!(v["keys"][0]["revoked"], false);
    assert!(v["keys"][0]["last_used_ms"].is_null());
    // Only the hash is stored.
    let stored = store_text(&server).await;
    assert!(!stored.contains(&key), "the key itself is in the store");

    let (s, _) = o
        .file(
            &key,
            &[("service_code", "greening"), ("address_id", "一网格")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = boss.send(&http, Method::GET, "open311/keys", None).await;
    assert!(v["keys"][0]["last_used_ms"].is_u64(), "{v}");
    let (s, _) = volunteer
        .send(&http, Method::GET, "open311/keys", None)
        .await;
    assert_eq!(s.as_u16(), 403);

    // The maker is demoted: the key keeps working; the maker manages no key.
    let op = second.mint(OpKind::SetRole {
        member: boss.member.clone(),
        role: Role::Volunteer,
    });
    second.push(&http, &[op]).await;
    for (method, path) in [
        (Method::GET, "open311/keys".to_owned()),
        (Method::DELETE, format!("open311/keys/{key_id}")),
    ] {
        let (s, v) = boss.send(&http, method, &path, None).await;
        assert_eq!(s.as_u16(), 403, "{path}: {v}");
    }
    let (s, v) = o
        .file(&key, &[("service_code", "repair"), ("address_id", "3号楼")])
        .await;
    assert_eq!(s, StatusCode::OK, "a key belongs to the community: {v}");

    // Another coordinator revokes it: refused at once, listed as revoked,
    // its identity retired in the log.
    let (s, v) = second
        .send(&http, Method::DELETE, "open311/keys/nope", None)
        .await;
    assert_eq!(
        (s.as_u16(), v["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (s, v) = second
        .send(
            &http,
            Method::DELETE,
            &format!("open311/keys/{key_id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["revoked"], true);
    let (s, v) = o
        .file(&key, &[("service_code", "repair"), ("address_id", "3号楼")])
        .await;
    assert_eq!((s.as_u16(), err(&v)), (403, (403, "api_key_revoked")));
    let (s, v) = o.json(&format!("requests.json?api_key={key}")).await;
    assert_eq!((s.as_u16(), err(&v).1), (403, "api_key_revoked"));
    let log = second.pull_after(&http, 0).await;
    let member = v_member(&listed);
    assert!(log.iter().any(|e| matches!(&e.op.kind,
        OpKind::RemoveMember { member: m } if m.as_str() == member)));
    // Revoking again is the same answer.
    let (s, _) = second
        .send(
            &http,
            Method::DELETE,
            &format!("open311/keys/{key_id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // The maker, removed altogether, still cannot.
    let op = second.mint(OpKind::RemoveMember {
        member: boss.member.clone(),
    });
    second.push(&http, &[op]).await;
    let (s, _) = boss.send(&http, Method::GET, "open311/keys", None).await;
    assert_eq!(s.as_u16(), 403);
}

fn v_member(listed: &str) -> String {
    let v: Value = serde_json::from_str(listed).unwrap();
    v["keys"][0]["member"].as_str().unwrap().to_owned()
}

/// Every object in the store, as text.
async fn store_text(server: &Server) -> String {
    use futures::TryStreamExt;
    use object_store::{ObjectStore as _, ObjectStoreExt as _};
    let metas: Vec<_> = server.store.list(None).try_collect().await.unwrap();
    let mut out = String::new();
    for m in metas {
        let b = server
            .store
            .get(&m.location)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        out.push_str(m.location.as_ref());
        out.push_str(&String::from_utf8_lossy(&b));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_revoked_on_one_instance_is_refused_on_another_at_once() {
    let (a, http, mut coord) = with_community(mem_store()).await;
    let b = Server::start(a.store.clone()).await;
    let op = coord.mint(OpKind::UpdateCommunity {
        name: None,
        grids: None,
        buildings: Some(vec!["3号楼".into()]),
    });
    coord.push(&http, &[op]).await;
    let (key, key_id) = new_key(&http, &coord, "12345 热线").await;
    let on_b = O311::new(&b, "c1");
    let fields = [("service_code", "repair"), ("address_id", "3号楼")];
    // Made on A, used on B (idempotent across instances too).
    let mut body = vec![("api_key", key.as_str())];
    body.extend_from_slice(&fields);
    let mut ids = Vec::new();
    for server in [&a, &b] {
        let (s, text) = O311::new(server, "c1")
            .post("requests.json", form(&body), FORM, Some("once"))
            .await;
        assert_eq!(s, StatusCode::OK, "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        ids.push(v[0]["service_request_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids[0], ids[1], "one request, whichever instance answered");
    let (s, v) = on_b.json(&format!("requests.json?api_key={key}")).await;
    assert_eq!((s, v.as_array().unwrap().len()), (StatusCode::OK, 1));
    // Revoked on A: B refuses the very next request.
    let (s, _) = coord
        .send(
            &http,
            Method::DELETE,
            &format!("open311/keys/{key_id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = on_b.file(&key, &fields).await;
    assert_eq!((s.as_u16(), err(&v).1), (403, "api_key_revoked"));
}

// ---- a street's endpoint --------------------------------------------------

on_each_store!(
    a_street_key_files_in_its_communities_and_reads_what_it_filed,
    street_keys_are_managed_by_active_street_coordinators_only,
    no_device_pushes_a_street_file,
    hostile_street_inputs_append_nothing,
);

/// Street `s1` 西关街道 with `ca` 长寿路社区 and `cb` 东关社区; street `s2`
/// with `cx`; `cu` in no street. Coordinators of `ca` and `cb`, the
/// street's founder `sc`, a second street coordinator `sc2`, a street
/// viewer `sv`.
struct Street {
    server: Server,
    http: reqwest::Client,
    a: Device,
    b: Device,
    sc: Device,
    sc2: Device,
    sv: Device,
}

async fn street_world(store: &TestStore) -> Street {
    let server = Server::start(store.store.clone()).await;
    let http = http();
    let mut codes = Vec::new();
    for (id, name, street) in [
        ("ca", "长寿路社区", false),
        ("cb", "东关社区", false),
        ("cx", "他街社区", false),
        ("cu", "无街道社区", false),
        ("s1", "西关街道", true),
        ("s2", "东关街道", true),
    ] {
        codes.push(create(&store.store, id, name, street).await);
    }
    link(&store.store, "s1", "ca").await;
    link(&store.store, "s1", "cb").await;
    link(&store.store, "s2", "cx").await;
    let a = join(&http, &server.url, &codes[0], "甲主任").await;
    let b = join(&http, &server.url, &codes[1], "乙主任").await;
    let sc = join(&http, &server.url, &codes[4], "王主任").await;
    let sc2 = member(&http, &sc, Role::Coordinator, "李主任").await;
    let sv = member(&http, &sc, Role::Viewer, "赵观察").await;
    Street {
        server,
        http,
        a,
        b,
        sc,
        sc2,
        sv,
    }
}

/// The street key's POST to community `j` (`None`: no jurisdiction_id).
async fn street_file(
    o: &O311,
    key: &str,
    j: Option<&str>,
    idem: Option<&str>,
    file: &str,
) -> (StatusCode, String) {
    let mut fields = vec![
        ("api_key", key),
        ("service_code", "repair"),
        ("description", "路灯不亮\n晚上很黑"),
        ("address_string", ROOM),
        ("first_name", GIVEN),
        ("last_name", "王"),
        ("phone", PHONE),
        ("email", EMAIL),
    ];
    if let Some(j) = j {
        fields.push(("jurisdiction_id", j));
    }
    o.post(file, form(&fields), FORM, idem).await
}

fn request_id(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap();
    v[0]["service_request_id"].as_str().unwrap().to_owned()
}

async fn seqs(http: &reqwest::Client, ds: &[&Device]) -> Vec<u64> {
    let mut out = Vec::new();
    for d in ds {
        out.push(d.head(http).await.seq);
    }
    out
}

async fn a_street_key_files_in_its_communities_and_reads_what_it_filed(store: TestStore) {
    let w = street_world(&store).await;
    let http = &w.http;
    let (key, _) = new_key(http, &w.sc, "12345 热线").await;
    let o = O311::street(&w.server, "s1");

    // Services as a community's.
    let (s, v) = o.json("services.json").await;
    assert_eq!((s, v.as_array().unwrap().len()), (StatusCode::OK, 9));
    let (s, _, xml) = o.get("services/repair.xml").await;
    assert_eq!(s, StatusCode::OK);
    assert!(xml.contains("<service_code>repair</service_code>"));
    let (s, v) = o.json("services.json?jurisdiction_id=cx").await;
    assert_eq!(
        (s, err(&v)),
        (StatusCode::NOT_FOUND, (404, "jurisdiction_not_found"))
    );

    // One request in each linked community.
    let (s, body) = street_file(&o, &key, Some("ca"), None, "requests.json").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let wa = request_id(&body);
    let (s, xml) = street_file(&o, &key, Some("cb"), None, "requests.xml").await;
    assert_eq!(s, StatusCode::OK, "{xml}");
    let wb = xml
        .split("<service_request_id>")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap()
        .to_owned();
    for private in [PHONE, EMAIL, ROOM, GIVEN] {
        assert!(!body.contains(private) && !xml.contains(private));
    }

    // Refused, and nothing appended: no jurisdiction, another street's
    // community, one in no street, none at all, the street itself.
    let before = seqs(http, &[&w.a, &w.b]).await;
    for (j, want) in [
        (None, (400, "missing_field")),
        (Some(""), (400, "missing_field")),
        (Some("cx"), (404, "jurisdiction_not_found")),
        (Some("cu"), (404, "jurisdiction_not_found")),
        (Some("nope"), (404, "jurisdiction_not_found")),
        (Some("s1"), (404, "jurisdiction_not_found")),
        (Some("s2"), (404, "jurisdiction_not_found")),
    ] {
        let (s, body) = street_file(&o, &key, j, None, "requests.json").await;
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!((s.as_u16(), err(&v)), (want.0 as u16, want), "{j:?}");
    }
    assert_eq!(seqs(http, &[&w.a, &w.b]).await, before);

    // In the community's log: a street_file by the key's id, signed, on
    // the city channel, nothing private; the contact in the private record.
    let log = w.a.pull_after(http, 0).await;
    let filed = log
        .iter()
        .find(|e| e.op.kind.wish().is_some_and(|x| x.as_str() == wa))
        .expect("the wish is in ca's log");
    assert!(
        matches!(&filed.op.kind, OpKind::StreetFile { from, .. } if from == "西关街道 · 12345 热线"),
        "{:?}",
        filed.op.kind
    );
    assert_eq!(filed.op.v, 6);
    let state = linli_core::fold(&log);
    let wish = &state.wishes[&linli_core::WishId::from(wa.as_str())];
    assert_eq!(wish.channel, Channel::City);
    assert_eq!(wish.signature.as_deref(), Some("西关街道 · 12345 热线"));
    assert_eq!(wish.requester, None);
    assert!(!state.members.contains_key(&wish.created_by));
    let text = serde_json::to_string(&log).unwrap();
    for private in [PHONE, EMAIL, ROOM, GIVEN] {
        assert!(!text.contains(private), "{private} in the log");
    }
    let rec = contact(http, &w.a, &wa).await;
    assert_eq!(rec["phone"], PHONE);

    // GET: what this key filed, across both communities.
    let q = format!("api_key={key}");
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["service_request_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (s, v) = o.json(&format!("requests.json?{q}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut got = ids(&v);
    got.sort();
    let mut want = vec![wa.clone(), wb.clone()];
    want.sort();
    assert_eq!(got, want);
    for private in [PHONE, EMAIL, ROOM, GIVEN] {
        assert!(!v.to_string().contains(private));
    }
    let (_, v) = o
        .json(&format!("requests.json?{q}&jurisdiction_id=cb"))
        .await;
    assert_eq!(ids(&v), std::slice::from_ref(&wb));
    assert_eq!(v[0]["agency_responsible"], "东关社区");
    let (s, v) = o.json(&format!("requests/{wa}.json?{q}")).await;
    assert_eq!((s, ids(&v)), (StatusCode::OK, vec![wa.clone()]));
    let (s, _, xml) = o.get(&format!("requests/{wb}.xml?{q}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(xml.contains(&wb));
    let (_, v) = o
        .json(&format!("requests.json?{q}&service_code=cleaning"))
        .await;
    assert!(ids(&v).is_empty());

    // A community's key and the street's never cross: each reads only
    // its own filings, and is unknown on the other's endpoint.
    let (ckey, _) = new_key(http, &w.a, "区平台").await;
    let oc = O311::new(&w.server, "ca");
    let (s, v) = oc
        .file(
            &ckey,
            &[("service_code", "cleaning"), ("address_string", "楼下")],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let own = v[0]["service_request_id"].as_str().unwrap().to_owned();
    let (_, v) = oc.json(&format!("requests.json?api_key={ckey}")).await;
    assert_eq!(
        ids(&v),
        std::slice::from_ref(&own),
        "a community key reads its own filings only"
    );
    let (s, v) = oc.json(&format!("requests/{wa}.json?api_key={ckey}")).await;
    assert_eq!(
        (s, err(&v)),
        (StatusCode::NOT_FOUND, (404, "request_not_found"))
    );
    let (s, v) = o.json(&format!("requests.json?api_key={ckey}")).await;
    assert_eq!(
        (s, err(&v)),
        (StatusCode::FORBIDDEN, (403, "invalid_api_key"))
    );
    let (s, v) = oc.json(&format!("requests.json?{q}")).await;
    assert_eq!(
        (s, err(&v)),
        (StatusCode::FORBIDDEN, (403, "invalid_api_key"))
    );
    let (_, v) = o.json(&format!("requests/{own}.json?{q}")).await;
    assert_eq!(err(&v), (404, "request_not_found"));

    // Idempotency-Key: the same request in the same community, another in another.
    let (_, one) = street_file(&o, &key, Some("ca"), Some("t-1"), "requests.json").await;
    let (_, two) = street_file(&o, &key, Some("ca"), Some("t-1"), "requests.json").await;
    let (_, other) = street_file(&o, &key, Some("cb"), Some("t-1"), "requests.json").await;
    assert_eq!(request_id(&one), request_id(&two));
    assert_ne!(request_id(&one), request_id(&other));

    // Ids on the wrong kind of route.
    for (path, want) in [
        (
            format!("{}/api/open311/v2/streets/nope/services.json", w.server.url),
            "street_not_found",
        ),
        (
            format!("{}/api/open311/v2/streets/ca/services.json", w.server.url),
            "street_not_found",
        ),
        (
            format!(
                "{}/api/open311/v2/communities/s1/services.json",
                w.server.url
            ),
            "community_not_found",
        ),
    ] {
        let r = http.get(&path).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(err(&v).1, want, "{path}");
    }
}

async fn street_keys_are_managed_by_active_street_coordinators_only(store: TestStore) {
    let mut w = street_world(&store).await;
    let http = &w.http;
    let street_seq = w.sc.head(http).await.seq;
    let (key, key_id) = new_key(http, &w.sc2, "12345 热线").await;
    assert!(key.starts_with("o311_"));
    // No op in the street's log for a key.
    assert_eq!(w.sc.head(http).await.seq, street_seq);
    let (s, v) = w.sc.send(http, Method::GET, "open311/keys", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["keys"][0]["key_id"], key_id.as_str());
    assert_eq!(v["keys"][0]["created_by"], w.sc2.member.as_str());
    assert!(!v.to_string().contains(&key), "the key is shown once");

    // A street viewer, a street member on a community's route, a community
    // coordinator on the street's route: refused.
    for (d, path, want) in [
        (&w.sv, "open311/keys", "forbidden"),
        (&on(&w.sc, "ca"), "open311/keys", "street_no_access"),
        (&on(&w.a, "s1"), "open311/keys", "wrong_community"),
    ] {
        for method in [Method::GET, Method::POST] {
            let (s, v) = d
                .send(http, method.clone(), path, Some(json!({"name": "x"})))
                .await;
            assert_eq!(
                (s.as_u16(), error_code(&v)),
                (403, want),
                "{method} {}",
                d.member
            );
        }
    }

    // Demoted: the key keeps working; its maker no longer manages keys.
    let demote = w.sc.mint(OpKind::SetRole {
        member: w.sc2.member.clone(),
        role: Role::Viewer,
    });
    w.sc.push(http, &[demote]).await;
    let (s, v) = w.sc2.send(http, Method::GET, "open311/keys", None).await;
    assert_eq!((s.as_u16(), error_code(&v)), (403, "forbidden"));
    // Removed from the street: refused too.
    let sc3 = member(http, &w.sc, Role::Coordinator, "孙主任").await;
    let remove = w.sc.mint(OpKind::RemoveMember {
        member: sc3.member.clone(),
    });
    w.sc.push(http, &[remove]).await;
    let (s, v) = sc3
        .send(
            http,
            Method::POST,
            "open311/keys",
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!((s.as_u16(), error_code(&v)), (403, "member_inactive"));
    let o = O311::street(&w.server, "s1");
    let (s, body) = street_file(&o, &key, Some("ca"), None, "requests.json").await;
    assert_eq!(s, StatusCode::OK, "{body}");

    // Revoked on one instance: refused on another at once; no op anywhere.
    let other = Server::start(store.handle()).await;
    let o2 = O311::street(&other, "s1");
    let (s, _) = o2.json(&format!("requests.json?api_key={key}")).await;
    assert_eq!(s, StatusCode::OK);
    let seqs_before = seqs(http, &[&w.a, &w.sc]).await;
    let (s, v) =
        w.sc.send(
            http,
            Method::DELETE,
            &format!("open311/keys/{key_id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["revoked"], true);
    assert_eq!(seqs(http, &[&w.a, &w.sc]).await, seqs_before);
    for o in [&o, &o2] {
        let (s, body) = street_file(o, &key, Some("ca"), None, "requests.json").await;
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!((s.as_u16(), err(&v)), (403, (403, "api_key_revoked")));
        let (_, v) = o.json(&format!("requests.json?api_key={key}")).await;
        assert_eq!(err(&v), (403, "api_key_revoked"));
    }
    let (s, v) =
        w.sv.send(
            http,
            Method::DELETE,
            &format!("open311/keys/{key_id}"),
            None,
        )
        .await;
    assert_eq!((s.as_u16(), error_code(&v)), (403, "forbidden"));
    drop(w.b);
}

/// `d` on the routes of community `c` (same token).
fn on(d: &Device, c: &str) -> Device {
    let mut d = d.clone();
    d.community = c.into();
    d
}

async fn no_device_pushes_a_street_file(store: TestStore) {
    let mut w = street_world(&store).await;
    let http = &w.http;
    let before = seqs(http, &[&w.a]).await;
    let kind = |wish: &str| OpKind::StreetFile {
        wish: wish.into(),
        category: linli_core::model::Category::Repair,
        title: "路灯不亮".into(),
        description: String::new(),
        place: Default::default(),
        from: "西关街道 · 12345 热线".into(),
    };
    // The community's coordinator, and the street's coordinator on the
    // community (who may push the street's answers there).
    let op = w.a.mint(kind("w-forged"));
    let (s, v) = w.a.push_raw(http, &[op]).await;
    assert_eq!((s.as_u16(), error_code(&v)), (403, "forbidden"), "{v}");
    assert_eq!(v["error"]["reason"], "street_file");
    let mut sc = on(&w.sc, "ca");
    let op = sc.mint(kind("w-forged2"));
    let (s, v) = sc.push_raw(http, &[op]).await;
    assert_eq!((s.as_u16(), error_code(&v)), (403, "forbidden"), "{v}");
    assert_eq!(v["error"]["reason"], "street_file");
    assert_eq!(seqs(http, &[&w.a]).await, before);
}

async fn hostile_street_inputs_append_nothing(store: TestStore) {
    let w = street_world(&store).await;
    let http = &w.http;
    let (key, _) = new_key(http, &w.sc, "12345 热线").await;
    let o = O311::street(&w.server, "s1");
    let before = seqs(http, &[&w.a, &w.b, &w.sc]).await;
    let long = "修".repeat(2001);
    let huge = "c".repeat(300);
    type Case<'a> = (Vec<(&'a str, &'a str)>, Option<&'a str>, (u16, &'a str));
    let cases: Vec<Case> = vec![
        (
            vec![
                ("service_code", "repair"),
                ("address_string", "x"),
                ("jurisdiction_id", "ca"),
            ],
            None,
            (403, "api_key_required"),
        ),
        (
            vec![
                ("api_key", "o311_nope"),
                ("service_code", "repair"),
                ("address_string", "x"),
                ("jurisdiction_id", "ca"),
            ],
            None,
            (403, "invalid_api_key"),
        ),
        (
            vec![
                ("api_key", &key),
                ("service_code", "nope"),
                ("address_string", "x"),
                ("jurisdiction_id", "ca"),
            ],
            None,
            (400, "unknown_service_code"),
        ),
        (
            vec![
                ("api_key", &key),
                ("service_code", "repair"),
                ("jurisdiction_id", "ca"),
            ],
            None,
            (400, "missing_field"),
        ),
        (
            vec![
                ("api_key", &key),
                ("service_code", "repair"),
                ("address_string", "x"),
                ("description", &long),
                ("jurisdiction_id", "ca"),
            ],
            None,
            (400, "invalid"),
        ),
        (
            vec![
                ("api_key", &key),
                ("service_code", "repair"),
                ("lat", "91"),
                ("long", "0"),
                ("jurisdiction_id", "ca"),
            ],
            None,
            (400, "bad_location"),
        ),
        (
            vec![
                ("api_key", &key),
                ("service_code", "repair"),
                ("address_id", "9号楼"),
                ("jurisdiction_id", "ca"),
            ],
            None,
            (400, "unknown_address_id"),
        ),
        (
            vec![
                ("api_key", &key),
                ("service_code", "repair"),
                ("address_string", "x"),
                ("jurisdiction_id", &huge),
            ],
            None,
            (404, "jurisdiction_not_found"),
        ),
        (
            vec![
                ("api_key", &key),
                ("service_code", "repair"),
                ("address_string", "x"),
                ("jurisdiction_id", "../ca"),
            ],
            None,
            (404, "jurisdiction_not_found"),
        ),
        (
            vec![
                ("api_key", &key),
                ("service_code", "repair"),
                ("address_string", "x"),
                ("jurisdiction_id", "ca"),
            ],
            Some("a b"),
            (400, "invalid"),
        ),
    ];
    for (fields, idem, want) in cases {
        let (s, body) = o.post("requests.json", form(&fields), FORM, idem).await;
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (s.as_u16(), err(&v)),
            (want.0, (want.0 as u64, want.1)),
            "{fields:?}"
        );
    }
    let (s, body) = o
        .post("requests.json", "{}".into(), "application/json", None)
        .await;
    assert_eq!(s.as_u16(), 415, "{body}");
    let (s, _, _) = o.get("requests.csv").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = o
        .json(&format!("requests.json?api_key={key}&start_date=monday"))
        .await;
    assert_eq!((s, err(&v)), (StatusCode::BAD_REQUEST, (400, "bad_date")));
    assert_eq!(seqs(http, &[&w.a, &w.b, &w.sc]).await, before);
}
