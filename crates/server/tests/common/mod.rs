//! Shared helpers of the sync tests: a real server on a loopback port, a
//! community made by the admin code, devices that join by code and mint
//! ops the way the app does.
#![allow(dead_code)]

use std::sync::Arc;

use linli_core::ids::{CommunityId, DeviceId, MemberId, OpId};
use linli_core::model::{Category, Channel, Place, Role, Urgency};
use linli_core::protocol::{
    CreateCodeRequest, CreateCodeResponse, Head, JoinResponse, PushResponse, Segment,
};
use linli_core::{Clock, LogEntry, Op, OpKind};
use linli_server::store::Store;
use reqwest::StatusCode;
use serde_json::Value;

pub fn mem_store() -> Store {
    Arc::new(object_store::memory::InMemory::new())
}

pub struct Server {
    pub url: String,
    pub store: Store,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dist: tempfile::TempDir,
}

impl Server {
    /// A server over `store` on 127.0.0.1, random port.
    pub async fn start(store: Store) -> Server {
        Self::start_with(store, false).await
    }

    pub async fn start_with(store: Store, demo: bool) -> Server {
        let dist = tempfile::tempdir().unwrap();
        let config = linli_server::Config {
            dist: dist.path().into(),
            data: dist.path().join("unused"),
            demo,
            store: Some(store.clone()),
            no_fsync: true,
            ..Default::default()
        };
        Self::launch(config, store, dist).await
    }

    /// A server on the local filesystem under `data`, as `linli-server
    /// serve` runs (real file names, so their limits show). `store` is a
    /// second handle on the same directory, as the admin CLI opens it.
    pub async fn start_fs(data: &std::path::Path) -> Server {
        let dist = tempfile::tempdir().unwrap();
        let config = linli_server::Config {
            dist: dist.path().into(),
            data: data.into(),
            demo: false,
            store: None,
            no_fsync: true,
            ..Default::default()
        };
        let store = linli_server::open_store(&config).unwrap();
        Self::launch(config, store, dist).await
    }

    async fn launch(config: linli_server::Config, store: Store, dist: tempfile::TempDir) -> Server {
        std::fs::write(dist.path().join("index.html"), "<!doctype html>").unwrap();
        let app = linli_server::app(&config).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        // The real serve loop (limits, timeouts), as the binary runs it.
        tokio::spawn(async move {
            linli_server::serve_router(listener, app, config.limits, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Server {
            url,
            store,
            shutdown: Some(tx),
            _dist: dist,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn http() -> reqwest::Client {
    linli_server::install_tls_provider();
    reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap()
}

/// Create a community in `store` (as the CLI does); returns its id and
/// the founder's join code.
pub async fn create_community(store: &Store, id: &str) -> (CommunityId, String) {
    let hub = linli_server::hub::Hub::new(store.clone(), None);
    let c = linli_server::admin::create_community(
        &hub,
        linli_server::admin::NewCommunity {
            id: Some(id.into()),
            name: "测试社区".into(),
            coordinator_name: "主任".into(),
            code_hours: 24,
            code_uses: 50,
        },
    )
    .await
    .unwrap();
    (c.community, c.code)
}

/// One joined device: its identity, token, and its own op numbering.
#[derive(Clone, Debug)]
pub struct Device {
    pub base: String,
    pub community: CommunityId,
    pub member: MemberId,
    pub device: DeviceId,
    pub token: String,
    pub role: Role,
    pub seq: u64,
    pub clock: Clock,
}

pub async fn join(http: &reqwest::Client, base: &str, code: &str, name: &str) -> Device {
    let res = http
        .post(format!("{base}/api/v1/join"))
        .json(&serde_json::json!({"code": code, "display_name": name}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "join: {}",
        res.text().await.unwrap()
    );
    let j: JoinResponse = res.json().await.unwrap();
    Device {
        base: base.into(),
        community: j.community,
        member: j.member,
        device: j.device,
        token: j.token,
        role: j.role,
        seq: 0,
        clock: Clock::new(),
    }
}

pub fn now_ms() -> u64 {
    linli_server::hub::now_ms()
}

impl Device {
    pub fn url(&self, rest: &str) -> String {
        format!(
            "{}{}",
            self.base,
            linli_core::protocol::community_path(self.community.as_str(), rest)
        )
    }

    /// Mint the next op of this device.
    pub fn mint(&mut self, kind: OpKind) -> Op {
        self.seq += 1;
        let hlc = self.clock.tick(now_ms());
        Op::new(
            OpId::new(self.device.clone(), self.seq),
            self.member.clone(),
            hlc,
            kind,
        )
    }

    pub fn wish_op(&mut self, title: &str) -> Op {
        let n = self.seq + 1;
        let channel = match self.role {
            Role::Kiosk => Channel::Kiosk,
            Role::GridWorker => Channel::OnBehalf,
            _ => Channel::SelfService,
        };
        let requester = (channel == Channel::SelfService).then(|| self.member.clone());
        self.mint(OpKind::CreateWish {
            wish: format!("{}-{n}", self.device).into(),
            category: Category::Repair,
            title: title.into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::Normal,
            window: None,
            channel,
            requester,
        })
    }

    pub async fn send(
        &self,
        http: &reqwest::Client,
        method: reqwest::Method,
        rest: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = http
            .request(method, self.url(rest))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, v)
    }

    pub async fn push_raw(&self, http: &reqwest::Client, ops: &[Op]) -> (StatusCode, Value) {
        self.send(
            http,
            reqwest::Method::POST,
            "ops",
            Some(serde_json::json!({ "ops": ops })),
        )
        .await
    }

    pub async fn push(&self, http: &reqwest::Client, ops: &[Op]) -> PushResponse {
        let (s, v) = self.push_raw(http, ops).await;
        assert_eq!(s, StatusCode::OK, "push: {v}");
        serde_json::from_value(v).unwrap()
    }

    pub async fn head(&self, http: &reqwest::Client) -> Head {
        let (s, v) = self.send(http, reqwest::Method::GET, "head", None).await;
        assert_eq!(s, StatusCode::OK, "head: {v}");
        serde_json::from_value(v).unwrap()
    }

    /// Pull every entry after `cursor`, segment by segment.
    pub async fn pull_after(&self, http: &reqwest::Client, cursor: u64) -> Vec<LogEntry> {
        let head = self.head(http).await;
        let mut out: Vec<LogEntry> = Vec::new();
        let mut at = cursor;
        for s in head.segments_after(cursor) {
            let (st, v) = self
                .send(
                    http,
                    reqwest::Method::GET,
                    &format!("segments/{}", s.name),
                    None,
                )
                .await;
            assert_eq!(st, StatusCode::OK, "segment {}: {v}", s.name);
            let seg: Segment = serde_json::from_value(v).unwrap();
            for e in seg.entries {
                if e.seq > at {
                    assert_eq!(e.seq, at + 1, "pulled log has a gap");
                    at = e.seq;
                    out.push(e);
                }
            }
        }
        out
    }

    pub async fn create_code(
        &self,
        http: &reqwest::Client,
        role: Role,
        uses: u32,
    ) -> CreateCodeResponse {
        let body = serde_json::to_value(CreateCodeRequest {
            role,
            expires_in_hours: 24,
            max_uses: uses,
            member: None,
        })
        .unwrap();
        let (s, v) = self
            .send(http, reqwest::Method::POST, "codes", Some(body))
            .await;
        assert_eq!(s, StatusCode::OK, "create code: {v}");
        serde_json::from_value(v).unwrap()
    }
}

/// A community with a coordinator device, on a running server.
pub async fn community(http: &reqwest::Client, server: &Server, id: &str) -> Device {
    let (_, code) = create_community(&server.store, id).await;
    join(http, &server.url, &code, "主任").await
}

/// Join a new member of `role` (through a code the coordinator makes).
pub async fn member(http: &reqwest::Client, coord: &Device, role: Role, name: &str) -> Device {
    let code = coord.create_code(http, role, 1).await;
    join(http, &coord.base, &code.code, name).await
}

pub fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<no error code>")
}

/// Every acknowledged op appears exactly once, seqs are 1..=n.
pub fn check_log(log: &[LogEntry]) {
    let mut ids = std::collections::BTreeSet::new();
    for (i, e) in log.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "seqs are not contiguous");
        assert!(ids.insert(e.op.id.clone()), "op {} appears twice", e.op.id);
    }
}
