//! Fuzz of the running router (issue 11, outside review): random and
//! mutated push bodies, hostile path parameters on every `/api/v1` route,
//! hostile join bodies, against a real server on a temp data directory (the
//! local filesystem store `serve` uses, so file-name limits show), for a
//! fixed time (`LINLI_FUZZ_SECS`, default 30). Every answer must show: no
//! panic (the connection answers, /api/health keeps answering), no 5xx but
//! `503 busy`, errors as `{"error":{"code","message"}}` with a code of
//! `protocol::codes`, no internal detail (data path, OS error) in an error,
//! and no success for what must be refused (no token, a foreign token,
//! forged ops, an oversized unknown-kind op). Failures are grouped and
//! printed with the seed and one request each; `LINLI_FUZZ_SEED` replays.
mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::*;
use linli_core::demo::Rng;
use linli_core::model::{Channel, Role};
use linli_core::protocol::codes;
use linli_core::{Op, OpKind};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Every code of `protocol::codes`: an answer with a code the protocol
/// does not define fails.
const CODES: &[&str] = codes::ALL;

/// Unknown kinds skip validation, so size is their only bound: an op over
/// `validate::OP_MAX_BYTES` must be refused, whatever its kind.
const UNKNOWN_OP_LIMIT: usize = linli_core::validate::OP_MAX_BYTES;

const COMMUNITY: &str = "fz";

/// The routes of `v1::router` under a community, with their path parameter.
const ROUTES: &[(&str, &str)] = &[
    ("POST", "ops"),
    ("GET", "head"),
    ("GET", "segments/{name}"),
    ("GET", "private"),
    ("PUT", "private/{wish}"),
    ("PUT", "photos/{sha256}"),
    ("GET", "photos/{sha256}"),
    ("POST", "codes"),
    ("GET", "codes"),
    ("DELETE", "codes/{code_id}"),
    ("GET", "devices"),
    ("DELETE", "devices/{device}"),
    ("PUT", "devices/{device}/name"),
    ("DELETE", "members/{member}/tokens"),
];

struct Req {
    cat: &'static str,
    /// Route and mutation, without the random parts: failures group by it.
    what: String,
    method: Method,
    path: String,
    auth: Option<Vec<u8>>,
    body: Option<Vec<u8>>,
    /// Why a success would be wrong (None: either answer may be right).
    must_refuse: Option<&'static str>,
}

struct Failure {
    count: u64,
    example: String,
}

struct Fuzz {
    http: reqwest::Client,
    base: String,
    data: String,
    seed: u64,
    rng: Rng,
    case: u64,
    sent: BTreeMap<&'static str, u64>,
    /// Answers in 2xx per category (how deep the cases got).
    ok: BTreeMap<&'static str, u64>,
    failures: BTreeMap<String, Failure>,
    /// Pushers: coordinator, kiosk, resident.
    devs: Vec<Device>,
    /// The coordinator of another community (its token is foreign here).
    foreign: Device,
    /// The coordinator of the street `fz` belongs to: its token opens
    /// `fz`'s head, segments and ops only (docs/street.md).
    street: Device,
    /// A volunteer the destructive routes may hit with its real ids.
    victim: Device,
    /// Wish ids the log holds (hostile but valid ones too).
    wishes: Vec<String>,
    code_id: String,
    segment: String,
    dead: bool,
}

fn cjk(n: usize) -> String {
    "愿".repeat(n)
}

/// Percent-encode every byte but unreserved ASCII.
fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn shorten(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(&b[..b.len().min(300)]).into_owned();
    if b.len() > 300 {
        format!("{s}… ({} bytes)", b.len())
    } else {
        s
    }
}

/// A hostile string: (label, value).
fn hostile(rng: &mut Rng) -> (&'static str, String) {
    let ctrl = char::from(rng.range(1, 31) as u8);
    match rng.range(0, 21) {
        0 => ("dotdot", "..".into()),
        1 => ("dotdot-path", "../../..".into()),
        2 => ("dot", ".".into()),
        3 => ("slash", "a/b".into()),
        4 => ("pct-2F-literal", "..%2F..%2Fcommunity.json".into()),
        5 => ("nul", "a\0b".into()),
        6 => ("pct-00-literal", "a%00b".into()),
        7 => ("control", format!("a{ctrl}b")),
        8 => ("cjk-64", cjk(64)),
        9 => ("cjk-65", cjk(65)),
        10 => ("cjk-200", cjk(200)),
        11 => ("ascii-300", "x".repeat(300)),
        12 => ("emoji", "🙂".repeat(rng.range(1, 70) as usize)),
        13 => ("empty", String::new()),
        14 => ("spaces", "  ".into()),
        15 => ("percent", "%zz%".into()),
        16 => ("json", r#"{"a":[1,2]}"#.into()),
        17 => ("backslash", r"..\..\x".into()),
        18 => ("query-fragment", "a?b#c".into()),
        19 => ("cjk-28", cjk(28)),
        20 => ("ascii-250", "y".repeat(250)),
        _ => ("mixed", format!("{}/{}%2F\u{7f}{}", cjk(10), "🙂", "..")),
    }
}

impl Fuzz {
    fn count(&mut self, cat: &'static str) {
        *self.sent.entry(cat).or_default() += 1;
    }

    fn fail(&mut self, req: &Req, status: Option<StatusCode>, text: &str, why: String) {
        let status_s = status.map_or("no answer".to_string(), |s| s.to_string());
        let key = format!("[{}] {} → {status_s}: {why}", req.cat, req.what);
        let example = format!(
            "case {} (LINLI_FUZZ_SEED={}): {} {} auth={} body={}\n      answer: {}",
            self.case,
            self.seed,
            req.method,
            shorten(req.path.as_bytes()),
            req.auth.as_deref().map_or("none".into(), shorten),
            req.body.as_deref().map_or("none".into(), shorten),
            shorten(text.as_bytes()),
        );
        let f = self
            .failures
            .entry(key)
            .or_insert(Failure { count: 0, example });
        f.count += 1;
    }

    async fn health(&mut self) {
        self.count("health");
        let ok = match self
            .http
            .get(format!("{}/api/health", self.base))
            .send()
            .await
        {
            Ok(r) => r.status() == StatusCode::OK,
            Err(_) => false,
        };
        if ok {
            *self.ok.entry("health").or_default() += 1;
        }
        if !ok {
            let req = Req {
                cat: "health",
                what: "GET /api/health".into(),
                method: Method::GET,
                path: "/api/health".into(),
                auth: None,
                body: None,
                must_refuse: None,
            };
            self.fail(&req, None, "", "the server stopped answering".into());
            self.dead = true;
        }
    }

    async fn run(&mut self, req: Req) -> Option<(StatusCode, Value)> {
        self.case += 1;
        self.count(req.cat);
        let Ok(url) = reqwest::Url::parse(&format!("{}{}", self.base, req.path)) else {
            return None;
        };
        // `..` segments are resolved by the URL parser; outside /api the
        // static files answer, which is not the API's business.
        let api = url.path().starts_with("/api");
        let mut r = self.http.request(req.method.clone(), url);
        if let Some(a) = &req.auth {
            r = r.header(AUTHORIZATION, HeaderValue::from_bytes(a).unwrap());
        }
        if let Some(b) = &req.body {
            r = r.header(CONTENT_TYPE, "application/json").body(b.clone());
        }
        let answer = match r.send().await {
            Ok(res) => {
                let status = res.status();
                res.bytes().await.map(|b| (status, b))
            }
            Err(e) => Err(e),
        };
        let (status, bytes) = match answer {
            Ok(x) => x,
            Err(e) => {
                let mut cause = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(c) = src {
                    cause = format!("{cause}: {c}");
                    src = c.source();
                }
                let why = format!("connection dropped (a handler panicked?): {cause}");
                self.fail(&req, None, "", why);
                self.health().await;
                return None;
            }
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let code = v["error"]["code"].as_str().unwrap_or("");
        if status.is_success() {
            *self.ok.entry(req.cat).or_default() += 1;
        }
        let mut why = Vec::new();
        if status.is_server_error()
            && !(status == StatusCode::SERVICE_UNAVAILABLE && code == "busy")
        {
            why.push(format!("server error {code}"));
        }
        if !status.is_success() {
            if api && !CODES.contains(&code) {
                why.push(format!("error code {code:?} is not a protocol code"));
            }
            if api && !v["error"]["message"].is_string() {
                why.push("error without a message".into());
            }
            for (leak, label) in [
                (self.data.as_str(), "the data directory path"),
                ("os error", "\"os error\""),
                ("File name too long", "\"File name too long\""),
            ] {
                if text.contains(leak) {
                    why.push(format!("the error leaks {label}"));
                }
            }
        } else if let Some(r) = req.must_refuse.filter(|_| api) {
            why.push(format!("accepted {r}"));
        }
        if !why.is_empty() {
            self.fail(&req, Some(status), &text, why.join("; "));
        }
        Some((status, v))
    }

    fn token(&self, d: &Device) -> Option<Vec<u8>> {
        Some(format!("Bearer {}", d.token).into_bytes())
    }

    fn path(&self, community: &str, rest: &str) -> String {
        format!("/api/v1/communities/{community}/{rest}")
    }

    /// A create_wish with the given id, by `d`.
    fn create_wish(d: &mut Device, wish: String) -> Op {
        let (channel, requester) = match d.role {
            Role::Kiosk => (Channel::Kiosk, None),
            _ => (Channel::SelfService, Some(d.member.clone())),
        };
        d.mint(common::create_wish(&wish, "修水管", channel, requester))
    }

    /// A valid op of `d` (the reducer may still void it).
    fn valid_op(&mut self, d: &mut Device) -> Op {
        match self.rng.range(0, 5) {
            0 | 1 => {
                let n = d.seq + 1;
                Self::create_wish(d, format!("{}-{n}", d.device))
            }
            2 => {
                // Hostile but valid ids: the log takes them, so the paths built from them must hold.
                let (_, w) = hostile(&mut self.rng);
                // Ids are bounded in bytes: 21 CJK characters are 63.
                let w = if w.trim().is_empty() || w.len() > linli_core::validate::ID_MAX_BYTES {
                    cjk(21)
                } else {
                    w
                };
                Self::create_wish(d, w)
            }
            3 if !self.wishes.is_empty() => {
                let wish = self.rng.pick(&self.wishes).clone();
                d.mint(OpKind::Note {
                    wish: wish.into(),
                    text: "上门看过".into(),
                })
            }
            _ if !self.wishes.is_empty() => {
                let wish = self.rng.pick(&self.wishes).clone();
                d.mint(OpKind::Cancel {
                    wish: wish.into(),
                    reason: String::new(),
                })
            }
            _ => {
                let n = d.seq + 1;
                Self::create_wish(d, format!("{}-{n}", d.device))
            }
        }
    }

    async fn push_case(&mut self) {
        let i = self.rng.range(0, self.devs.len() as u64 - 1) as usize;
        let mut d = self.devs[i].clone();
        let n = self.rng.range(1, 3) as usize;
        let ops: Vec<Op> = (0..n).map(|_| self.valid_op(&mut d)).collect();
        let mut vals: Vec<Value> = ops
            .iter()
            .map(|o| serde_json::to_value(o).unwrap())
            .collect();
        let k = self.rng.range(0, n as u64 - 1) as usize;
        let other = self.devs[(i + 1) % self.devs.len()].clone();
        let mut raw: Option<Vec<u8>> = None;
        let mut refuse: Option<&'static str> = None;
        let mut valid = false;
        let body_of = |vals: &[Value]| serde_json::to_vec(&json!({ "ops": vals })).unwrap();
        // A kiosk may push only the kinds a kiosk may author (docs/kiosk.md).
        let kiosk_refuses = self.devs[i].role == Role::Kiosk
            && ops.iter().any(|o| {
                o.kind
                    .action()
                    .is_some_and(|a| !linli_core::kiosk::may_push(a))
            });
        let what: String = match self.rng.range(0, 40) {
            0..=5 if kiosk_refuses => {
                refuse = Some("an op a kiosk may not author");
                "valid ops a kiosk may not author".into()
            }
            0..=5 => {
                valid = true;
                "valid ops".into()
            }
            6 => {
                vals[k]["id"]["seq"] = json!(u64::MAX);
                "seq u64::MAX".into()
            }
            7 => {
                vals = vec![vals[0].clone(), vals[0].clone()];
                vals[0]["id"]["seq"] = json!(u64::MAX);
                vals[1]["id"]["seq"] = json!(5);
                refuse = Some("[seq u64::MAX, seq 5]");
                "[seq u64::MAX, seq 5]".into()
            }
            8 => {
                vals[k]["id"]["seq"] = json!(0);
                refuse = Some("seq 0");
                "seq 0".into()
            }
            9 => {
                let v = self
                    .rng
                    .pick(&[json!(-1), json!(1.5), json!("5"), json!(1e30)])
                    .clone();
                vals[k]["id"]["seq"] = v;
                refuse = Some("a seq that is no u64");
                "seq not a u64".into()
            }
            10 => {
                vals[k]["id"]["dev"] = json!(other.device);
                refuse = Some("an op of another device");
                "op of another device".into()
            }
            11 => {
                vals[k]["author"] = json!(other.member);
                refuse = Some("an op of another author");
                "op of another author".into()
            }
            12 => {
                let (label, s) = hostile(&mut self.rng);
                let field = *self.rng.pick(&["dev", "author"]);
                if field == "dev" {
                    vals[k]["id"]["dev"] = json!(s);
                } else {
                    vals[k]["author"] = json!(s);
                }
                refuse = Some("a forged device or author");
                format!("{field}={label}")
            }
            13 => {
                let v = self
                    .rng
                    .pick(&[json!(0), json!(u64::MAX), json!(-1), json!(u32::MAX)])
                    .clone();
                let field = *self.rng.pick(&["ms", "c"]);
                vals[k]["hlc"][field] = v.clone();
                if field == "ms" && v == json!(u64::MAX) {
                    refuse = Some("a stamp in the far future");
                }
                format!("hlc.{field}={v}")
            }
            14 => {
                let v = self
                    .rng
                    .pick(&[json!(0), json!(2), json!(65535), json!(70000), json!(-1)])
                    .clone();
                vals[k]["v"] = v.clone();
                format!("v={v}")
            }
            15..=17 => {
                let size = *self
                    .rng
                    .pick(&[1 << 10, 100 << 10, 300 << 10, 900 << 10, 1_040_000]);
                vals[k]["kind"] = json!({
                    "type": format!("zz_{}", self.rng.range(0, 999)),
                    "payload": "x".repeat(size),
                });
                if size > UNKNOWN_OP_LIMIT {
                    refuse = Some("an unknown-kind op over OP_MAX_BYTES");
                    "unknown kind, payload over OP_MAX_BYTES".into()
                } else {
                    "unknown kind, payload under OP_MAX_BYTES".into()
                }
            }
            18 => {
                let mut junk = json!("leaf");
                for _ in 0..self.rng.range(1, 200) {
                    junk = json!({ "a": [junk, 1, null] });
                }
                vals[k]["kind"] = json!({ "type": "zz_nested", "junk": junk });
                "unknown kind, nested junk".into()
            }
            19 => {
                let v = self
                    .rng
                    .pick(&[
                        json!(null),
                        json!([]),
                        json!(5),
                        json!({"type": 5}),
                        json!({}),
                    ])
                    .clone();
                vals[k]["kind"] = v.clone();
                refuse = Some("a kind that is no kind");
                format!("kind={v}")
            }
            20 => {
                let (label, s) = hostile(&mut self.rng);
                let field = *self.rng.pick(&["title", "description", "wish"]);
                if vals[k]["kind"]["type"] == "create_wish" {
                    vals[k]["kind"][field] = json!(s);
                }
                format!("create_wish.{field}={label}")
            }
            21 => {
                if vals[k]["kind"]["type"] == "create_wish" {
                    vals[k]["kind"]["title"] = json!("x".repeat(200_000));
                    refuse = Some("a 200 KB title");
                }
                "huge title".into()
            }
            22 => {
                let field = *self.rng.pick(&["v", "id", "author", "hlc", "kind"]);
                vals[k].as_object_mut().unwrap().remove(field);
                refuse = Some("an op without a field");
                format!("no {field}")
            }
            23 => {
                vals[k]["zzz"] = json!("x".repeat(100_000));
                "extra field, 100 KB".into()
            }
            24 => {
                let v = self
                    .rng
                    .pick(&[json!(null), json!([]), json!("op"), json!(7)])
                    .clone();
                vals[k] = v.clone();
                refuse = Some("an op that is no object");
                format!("op={v}")
            }
            25 => {
                let b = body_of(&vals);
                let cut = self.rng.range(0, b.len() as u64 - 1) as usize;
                raw = Some(b[..cut].to_vec());
                refuse = Some("truncated JSON");
                "truncated JSON".into()
            }
            26 => {
                let mut b = body_of(&vals);
                for _ in 0..self.rng.range(1, 4) {
                    let at = self.rng.range(0, b.len() as u64 - 1) as usize;
                    b[at] = *self.rng.pick(&[0xff, 0xc3, 0x80, 0xfe]);
                }
                // A continuation byte can land inside a CJK character and
                // make another valid one (水 → 氀): then it is still UTF-8.
                if std::str::from_utf8(&b).is_ok() {
                    let at = self.rng.range(0, b.len() as u64 - 1) as usize;
                    b[at] = 0xff;
                }
                raw = Some(b);
                refuse = Some("non-UTF-8 bytes");
                "non-UTF-8 bytes".into()
            }
            27 => {
                raw = Some(serde_json::to_vec(&json!([{ "ops": vals }])).unwrap());
                refuse = Some("an array body");
                "array body".into()
            }
            28 => {
                // Same key twice: first a forged author, then the real one.
                let op = serde_json::to_string(&vals[k]).unwrap();
                let forged = format!("{{\"author\":{},{}", json!(other.member), &op[1..]);
                raw = Some(format!("{{\"ops\":[{forged}]}}").into_bytes());
                refuse = Some("duplicated keys");
                "duplicated key author".into()
            }
            29 => {
                let op = serde_json::to_string(&vals[k]).unwrap();
                raw = Some(format!("{{\"ops\":[],\"ops\":[{op}]}}").into_bytes());
                refuse = Some("duplicated keys");
                "duplicated key ops".into()
            }
            30 => {
                let depth = self.rng.range(100, 20_000) as usize;
                raw = Some(format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes());
                refuse = Some("deep nesting");
                "deeply nested arrays".into()
            }
            31 => {
                let b = *self.rng.pick(&[
                    "",
                    "null",
                    "{}",
                    r#"{"ops":null}"#,
                    r#"{"ops":{}}"#,
                    r#"{"ops":[[]]}"#,
                    r#"{"ops":"x"}"#,
                    r#"{"ops":[{"v":1,"id":{"dev":"\ud800","seq":1}}]}"#,
                ]);
                raw = Some(b.as_bytes().to_vec());
                refuse = Some("a body of the wrong shape");
                format!("body {b}")
            }
            32 => {
                vals = vec![vals[0].clone(), vals[0].clone()];
                vals[0]["id"]["seq"] = json!(u64::MAX - 1);
                vals[1]["id"]["seq"] = json!(u64::MAX);
                refuse = Some("seqs near u64::MAX");
                "[seq u64::MAX-1, seq u64::MAX]".into()
            }
            33 => {
                let s = vals[0]["id"]["seq"].as_u64().unwrap();
                vals = vec![vals[0].clone(), vals[0].clone()];
                vals[0]["id"]["seq"] = json!(s + 1);
                vals[1]["id"]["seq"] = json!(s);
                refuse = Some("descending seqs");
                "descending seqs".into()
            }
            34 => {
                let count = *self.rng.pick(&[500u64, 501]);
                let mut d2 = self.devs[i].clone();
                vals = (0..count)
                    .map(|_| serde_json::to_value(Self::create_wish(&mut d2, "批".into())).unwrap())
                    .collect();
                if count > 500 {
                    refuse = Some("501 ops");
                } else {
                    valid = true;
                }
                format!("{count} ops")
            }
            35 => {
                let mut o = other.clone();
                vals = vec![serde_json::to_value(self.valid_op(&mut o)).unwrap()];
                refuse = Some("another device's op");
                "op minted by another device".into()
            }
            36 => {
                let pad = "p".repeat(self.rng.range(1 << 20, 3 << 20) as usize);
                raw = Some(serde_json::to_vec(&json!({ "ops": vals, "pad": pad })).unwrap());
                refuse = Some("a body over 1 MiB");
                "body over 1 MiB".into()
            }
            37 => {
                vals[k]["id"]["dev"] = json!(cjk(self.rng.range(64, 300) as usize));
                refuse = Some("an op of another device");
                "dev=long cjk".into()
            }
            _ => {
                vals[k]["kind"]["type"] = json!("zz_empty");
                "unknown kind, small".into()
            }
        };
        let body = raw.unwrap_or_else(|| body_of(&vals));
        let req = Req {
            cat: "push",
            what: format!("POST ops: {what}"),
            method: Method::POST,
            path: self.path(COMMUNITY, "ops"),
            auth: self.token(&self.devs[i]),
            body: Some(body),
            must_refuse: refuse,
        };
        let Some((status, v)) = self.run(req).await else {
            return;
        };
        if status == StatusCode::OK {
            if let Some(t) = v["accepted_through"].as_u64() {
                self.devs[i].seq = t;
            }
            for val in &vals {
                let seq = val["id"]["seq"].as_u64().unwrap_or(0);
                if val["kind"]["type"] == "create_wish"
                    && seq <= self.devs[i].seq
                    && let Some(w) = val["kind"]["wish"].as_str()
                    && !self.wishes.iter().any(|x| x == w)
                    && self.wishes.len() < 200
                {
                    self.wishes.push(w.to_owned());
                }
            }
        } else if valid
            && status != StatusCode::SERVICE_UNAVAILABLE
            && status != StatusCode::TOO_MANY_REQUESTS
        {
            // A valid push refused is a bug too. After a seq_gap take the
            // endpoint's word, so one slip does not fail every later push.
            if let Some(e) = v["error"]["expected"].as_u64() {
                self.devs[i].seq = e.saturating_sub(1);
            }
            let req = Req {
                cat: "push",
                what: "POST ops: valid ops".into(),
                method: Method::POST,
                path: self.path(COMMUNITY, "ops"),
                auth: self.token(&self.devs[i]),
                body: None,
                must_refuse: None,
            };
            self.fail(
                &req,
                Some(status),
                &v.to_string(),
                "valid ops refused".into(),
            );
        }
    }

    /// A value for a path parameter: (label, path text, decoded value).
    fn param(&mut self, valid: &[String]) -> (String, String, String) {
        if !valid.is_empty() && self.rng.range(0, 4) == 0 {
            let v = self.rng.pick(valid).clone();
            let label = if v.chars().count() >= 28 && !v.is_ascii() {
                "valid, long non-ASCII"
            } else {
                "valid"
            };
            return (label.into(), pct(&v), v);
        }
        let (label, v) = hostile(&mut self.rng);
        if self.rng.range(0, 1) == 0 {
            (format!("{label} (encoded)"), pct(&v), v)
        } else {
            (format!("{label} (raw)"), v.clone(), v)
        }
    }

    async fn path_case(&mut self) {
        let (method, route) = *self.rng.pick(ROUTES);
        let mut method: Method = method.parse().unwrap();
        if self.rng.range(0, 9) == 0 {
            method = self
                .rng
                .pick(&[
                    Method::GET,
                    Method::POST,
                    Method::PUT,
                    Method::DELETE,
                    Method::PATCH,
                ])
                .clone();
        }
        let param_name = route
            .split_once('{')
            .map(|(_, r)| r.split_once('}').unwrap().0);
        let fuzz_community = param_name.is_none() || self.rng.range(0, 3) == 0;
        let (mut label, mut community, mut rest) = (
            "community=real".to_string(),
            COMMUNITY.to_string(),
            route.to_string(),
        );
        let mut decoded = String::new();
        if fuzz_community {
            let (l, p, _) = self.param(&[COMMUNITY.to_string()]);
            label = format!("community={l}");
            community = p;
        }
        if let Some(name) = param_name {
            let valid: Vec<String> = match name {
                "name" => vec![self.segment.clone()],
                "wish" => self.wishes.clone(),
                "code_id" => vec![self.code_id.clone()],
                "device" => vec![self.victim.device.to_string()],
                _ => vec![self.victim.member.to_string()],
            };
            let (l, p, d) = if fuzz_community {
                (
                    "real".to_string(),
                    pct(&valid.first().cloned().unwrap_or_default()),
                    valid.first().cloned().unwrap_or_default(),
                )
            } else {
                self.param(&valid)
            };
            if !fuzz_community {
                label = format!("{name}={l}");
            }
            rest = rest.replace(&format!("{{{name}}}"), &p);
            decoded = d;
        }
        let mut path = self.path(&community, &rest);
        if route == "head" && self.rng.range(0, 2) == 0 {
            let since = *self
                .rng
                .pick(&["-1", "18446744073709551616", "abc", "", "1e3", "%00"]);
            path = format!("{path}?since={since}");
            label = format!("{label} since={since}");
        }
        let log_route = matches!(route, "ops" | "head" | "segments/{name}");
        let (auth_label, auth, refuse) = match self.rng.range(0, 10) {
            0..=5 => {
                let d = self.rng.pick(&self.devs).clone();
                let refuse = (fuzz_community && community != COMMUNITY)
                    .then_some("a token of another community");
                (format!("{:?} token", d.role), self.token(&d), refuse)
            }
            6 => ("no token".to_string(), None, Some("no token")),
            7 => (
                "foreign token".to_string(),
                self.token(&self.foreign.clone()),
                Some("a foreign token"),
            ),
            8 => {
                let refuse = ((fuzz_community && community != COMMUNITY) || !log_route)
                    .then_some("a street member's token on a route it may not call");
                (
                    "street token".to_string(),
                    self.token(&self.street.clone()),
                    refuse,
                )
            }
            _ => {
                let t = self
                    .rng
                    .pick(&[
                        "Bearer lnt_00000000000000000000000000000000"
                            .as_bytes()
                            .to_vec(),
                        format!("Bearer {}", "t".repeat(300)).into_bytes(),
                        "Bearer 愿愿".as_bytes().to_vec(),
                        b"Basic abc".to_vec(),
                        b"Bearer ".to_vec(),
                    ])
                    .clone();
                (
                    "garbage token".to_string(),
                    Some(t),
                    Some("a garbage token"),
                )
            }
        };
        let body = match (method.as_str(), route) {
            ("POST", "ops") => Some(json!({ "ops": [] })),
            // The record's wish matches the path, or does not.
            ("PUT", _) => Some(match self.rng.range(0, 3) {
                0 | 1 => json!({"wish": decoded, "phone": "138 0000 0000", "address": "3号楼"}),
                2 => json!({"wish": "another-wish", "phone": "123"}),
                _ => json!({"wish": hostile(&mut self.rng).1, "address": cjk(300)}),
            }),
            ("POST", _) => Some(match self.rng.range(0, 3) {
                0 => json!({"role": "volunteer", "expires_in_hours": 1, "max_uses": 1}),
                1 => json!({"role": "volunteer", "expires_in_hours": 1, "max_uses": 1,
                            "member": hostile(&mut self.rng).1}),
                2 => json!({"role": hostile(&mut self.rng).1, "expires_in_hours": -1,
                            "max_uses": u64::MAX}),
                _ => json!([1, 2]),
            }),
            _ => None,
        }
        .map(|v| serde_json::to_vec(&v).unwrap());
        let req = Req {
            cat: "path",
            what: format!("{method} {route} {label}, {auth_label}"),
            method,
            path,
            auth,
            body,
            must_refuse: refuse,
        };
        self.run(req).await;
    }

    async fn join_case(&mut self) {
        let (cl, code) = hostile(&mut self.rng);
        let (nl, name) = hostile(&mut self.rng);
        let body = if self.rng.range(0, 4) == 0 {
            br#"{"code":5,"display_name":[]}"#.to_vec()
        } else {
            serde_json::to_vec(&json!({"code": code, "display_name": name})).unwrap()
        };
        let req = Req {
            cat: "join",
            what: format!("POST join code={cl} name={nl}"),
            method: Method::POST,
            path: "/api/v1/join".into(),
            auth: None,
            body: Some(body),
            must_refuse: Some("a code that does not exist"),
        };
        self.run(req).await;
    }

    /// The cases the review named, run first on every seed.
    async fn known_cases(&mut self) {
        // [seq u64::MAX, seq 5]: the consecutive-seq check adds 1 to u64::MAX.
        let mut k = self.devs[1].clone();
        let mut a = serde_json::to_value(self.valid_op(&mut k)).unwrap();
        let mut b = a.clone();
        a["id"]["seq"] = json!(u64::MAX);
        b["id"]["seq"] = json!(5);
        let req = Req {
            cat: "known",
            what: "POST ops by Kiosk: [seq u64::MAX, seq 5]".into(),
            method: Method::POST,
            path: self.path(COMMUNITY, "ops"),
            auth: self.token(&self.devs[1]),
            body: Some(serde_json::to_vec(&json!({ "ops": [a, b] })).unwrap()),
            must_refuse: Some("[seq u64::MAX, seq 5]"),
        };
        self.run(req).await;

        // A wish id of 64 CJK characters (192 bytes) made a contact record
        // whose file name was too long: ids are bounded in bytes now.
        let mut r = self.devs[2].clone();
        let wish = cjk(64);
        let op = Self::create_wish(&mut r, wish.clone());
        let (s, v) = r.push_raw(&self.http, &[op]).await;
        assert_eq!(
            (s, v["error"]["reason"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("id_too_long")),
            "a create_wish with a 64-character id: {v}"
        );
        let req = Req {
            cat: "known",
            what: "PUT private/{wish} wish=64 CJK chars, in the log, Resident token".into(),
            method: Method::PUT,
            path: self.path(COMMUNITY, &format!("private/{}", pct(&wish))),
            auth: self.token(&self.devs[2]),
            body: Some(
                serde_json::to_vec(&json!({"wish": wish, "phone": "138 0000 0000"})).unwrap(),
            ),
            must_refuse: None,
        };
        self.run(req).await;

        // An unknown kind is never validated: a ~1 MiB one fills the body limit.
        let mut k = self.devs[1].clone();
        let mut op = serde_json::to_value(self.valid_op(&mut k)).unwrap();
        op["kind"] = json!({"type": "zz_future", "payload": "x".repeat(1_040_000)});
        let req = Req {
            cat: "known",
            what: "POST ops by Kiosk: unknown kind, 1 MiB payload".into(),
            method: Method::POST,
            path: self.path(COMMUNITY, "ops"),
            auth: self.token(&self.devs[1]),
            body: Some(serde_json::to_vec(&json!({ "ops": [op] })).unwrap()),
            must_refuse: Some("an unknown-kind op over OP_MAX_BYTES"),
        };
        if let Some((StatusCode::OK, v)) = self.run(req).await {
            self.devs[1].seq = v["accepted_through"].as_u64().unwrap_or(self.devs[1].seq);
        }

        // Long non-ASCII ids on the coordinator's routes that touch storage by id.
        for route in ["codes", "devices", "members"] {
            let id = pct(&cjk(64));
            let rest = match route {
                "members" => format!("members/{id}/tokens"),
                r => format!("{r}/{id}"),
            };
            let req = Req {
                cat: "known",
                what: format!("DELETE {route}/{{id}} id=64 CJK chars, Coordinator token"),
                method: Method::DELETE,
                path: self.path(COMMUNITY, &rest),
                auth: self.token(&self.devs[0]),
                body: None,
                must_refuse: Some("an id that does not exist"),
            };
            self.run(req).await;
        }
    }

    fn report(&self, secs: f64) -> String {
        let sent: Vec<String> = self
            .sent
            .iter()
            .map(|(c, n)| format!("{c} {n} ({} 2xx)", self.ok.get(c).unwrap_or(&0)))
            .collect();
        let mut out = format!(
            "fuzz_api: seed {} (LINLI_FUZZ_SEED={} replays), {:.1} s, {} requests: {}\n",
            self.seed,
            self.seed,
            secs,
            self.sent.values().sum::<u64>(),
            sent.join(", ")
        );
        for (k, f) in &self.failures {
            out += &format!("  FAIL ×{} {k}\n      e.g. {}\n", f.count, f.example);
        }
        out
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_clean_answers() {
    let secs = env_u64("LINLI_FUZZ_SECS").unwrap_or(30);
    let seed = env_u64("LINLI_FUZZ_SEED").unwrap_or_else(now_ms);
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_fs(data.path()).await;
    // No pooled connections: a connection the server closed after one
    // answer (a 413 before the body was read) must not fail the next request.
    linli_server::install_tls_provider();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let coord = community(&http, &server, COMMUNITY).await;
    let foreign = community(&http, &server, "fz-other").await;
    let street = {
        let hub = linli_server::hub::Hub::new(server.store.clone(), None);
        let made = linli_server::admin::create_street(
            &hub,
            linli_server::admin::NewCommunity {
                id: Some("fz-street".into()),
                name: "西关街道".into(),
                coordinator_name: "王主任".into(),
                code_hours: 1,
                code_uses: 1,
            },
        )
        .await
        .unwrap();
        linli_server::admin::link_community(&hub, &made.community, &COMMUNITY.into())
            .await
            .unwrap();
        join(&http, &server.url, &made.code, "王主任").await
    };
    let kiosk = member(&http, &coord, Role::Kiosk, "服务站").await;
    let resident = member(&http, &coord, Role::Resident, "王大爷").await;
    let victim = member(&http, &coord, Role::Volunteer, "靶子").await;
    let code_id = coord.create_code(&http, Role::Volunteer, 1).await.code_id;
    let segment = coord.head(&http).await.segments[0].name.clone();
    let mut f = Fuzz {
        http,
        base: server.url.clone(),
        data: data.path().to_string_lossy().into_owned(),
        seed,
        rng: Rng::new(seed),
        case: 0,
        sent: BTreeMap::new(),
        ok: BTreeMap::new(),
        failures: BTreeMap::new(),
        devs: vec![coord, kiosk, resident],
        foreign,
        street,
        victim,
        wishes: Vec::new(),
        code_id,
        segment,
        dead: false,
    };
    println!("fuzz_api: seed {seed}, {secs} s");
    let start = Instant::now();
    f.known_cases().await;
    let deadline = start + Duration::from_secs(secs);
    while Instant::now() < deadline && !f.dead {
        match f.rng.range(0, 9) {
            0..=4 => f.push_case().await,
            5..=8 => f.path_case().await,
            _ => f.join_case().await,
        }
        if f.case.is_multiple_of(50) {
            f.health().await;
        }
    }
    if !f.dead {
        f.health().await;
    }
    let report = f.report(start.elapsed().as_secs_f64());
    assert!(f.failures.is_empty(), "{report}");
    println!("{report}");
}
