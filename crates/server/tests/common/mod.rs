//! Shared helpers of the sync tests: a real server on a loopback port, a
//! community made by the admin code, devices that join by code and mint
//! ops the way the app does.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

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

/// The S3-compatible store the tests may use: `./dev test` starts a
/// SeaweedFS node and sets `LINLI_TEST_S3=http://127.0.0.1:PORT/BUCKET`,
/// `LINLI_TEST_S3_KEY` and `LINLI_TEST_S3_SECRET`.
#[derive(Clone, Debug)]
pub struct S3 {
    pub endpoint: String,
    pub bucket: String,
    pub key: String,
    pub secret: String,
}

impl S3 {
    /// The node from the environment. Without one a test that needs it
    /// fails under CI (`CI=true`) and is skipped (`None`) elsewhere.
    pub fn from_env(test: &str) -> Option<S3> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let Some(url) = var("LINLI_TEST_S3") else {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(
                !ci,
                "{test}: LINLI_TEST_S3 is not set under CI; ./dev test starts SeaweedFS and sets it"
            );
            eprintln!("{test}: skipped: LINLI_TEST_S3 is not set (./dev test sets it)");
            return None;
        };
        let (endpoint, bucket) = url
            .trim_end_matches('/')
            .rsplit_once('/')
            .filter(|(e, b)| e.starts_with("http") && !b.is_empty())
            .unwrap_or_else(|| panic!("LINLI_TEST_S3={url}: expected http://HOST:PORT/BUCKET"));
        Some(S3 {
            endpoint: endpoint.into(),
            bucket: bucket.into(),
            key: var("LINLI_TEST_S3_KEY").expect("LINLI_TEST_S3_KEY is not set"),
            secret: var("LINLI_TEST_S3_SECRET").expect("LINLI_TEST_S3_SECRET is not set"),
        })
    }

    /// A client for the bucket under `prefix` (as `--store s3://…` opens it).
    pub fn store(&self, prefix: &str) -> Store {
        linli_server::install_tls_provider();
        let s3 = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_bucket_name(&self.bucket)
            .with_access_key_id(&self.key)
            .with_secret_access_key(&self.secret)
            .with_region("us-east-1")
            .with_allow_http(true)
            .with_conditional_put(object_store::aws::S3ConditionalPut::ETagMatch)
            .build()
            .unwrap();
        Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
    }

    /// `--store` for the binary.
    pub fn url(&self, prefix: &str) -> String {
        format!("s3://{}/{prefix}", self.bucket)
    }

    /// The environment the binary reads the node from.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", self.key.clone()),
            ("AWS_SECRET_ACCESS_KEY", self.secret.clone()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ALLOW_HTTP", "true".into()),
        ]
    }
}

/// A key prefix of its own for one test run in a shared bucket.
pub fn unique_prefix(test: &str) -> String {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("linli-tests/{test}-{hex}")
}

/// Where a parameterised test keeps its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Memory,
    Fs,
    S3,
}

/// One backend's store for a test, and how to open more handles on the
/// same data (another instance).
pub struct TestStore {
    pub backend: Backend,
    pub store: Store,
    dir: Option<tempfile::TempDir>,
    s3: Option<(S3, String)>,
}

impl TestStore {
    /// `None`: the backend is not available here (S3 outside CI).
    pub fn new(backend: Backend, test: &str) -> Option<TestStore> {
        Some(match backend {
            Backend::Memory => TestStore {
                backend,
                store: mem_store(),
                dir: None,
                s3: None,
            },
            Backend::Fs => {
                let dir = tempfile::tempdir().unwrap();
                TestStore {
                    backend,
                    store: fs_store(dir.path()),
                    dir: Some(dir),
                    s3: None,
                }
            }
            Backend::S3 => {
                let s3 = S3::from_env(test)?;
                let prefix = unique_prefix(test);
                TestStore {
                    backend,
                    store: s3.store(&prefix),
                    dir: None,
                    s3: Some((s3, prefix)),
                }
            }
        })
    }

    /// Another handle on the same data, as a second process would open it.
    pub fn handle(&self) -> Store {
        match (&self.dir, &self.s3) {
            (Some(dir), _) => fs_store(dir.path()),
            (_, Some((s3, prefix))) => s3.store(prefix),
            _ => self.store.clone(),
        }
    }
}

fn fs_store(dir: &std::path::Path) -> Store {
    Arc::new(object_store::local::LocalFileSystem::new_with_prefix(dir).unwrap())
}

/// `on_each_store!(f, g)`: for each `async fn f(TestStore)` a module `f`
/// with the tests `memory`, `fs` and `s3` (skipped without a node, outside CI).
#[macro_export]
macro_rules! on_each_store {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            async fn run(backend: Backend) {
                if let Some(s) = TestStore::new(backend, stringify!($name)) {
                    super::$name(s).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn memory() {
                run(Backend::Memory).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn fs() {
                run(Backend::Fs).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn s3() {
                run(Backend::S3).await;
            }
        }
    )*};
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
        write_index(dist.path());
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

/// A server over `store` with a community `c1`, a client, and the
/// founder's device (a coordinator): the start of most API tests.
pub async fn with_community(store: Store) -> (Server, reqwest::Client, Device) {
    let server = Server::start(store).await;
    let http = http();
    let coord = community(&http, &server, "c1").await;
    (server, http, coord)
}

/// The one page a `dist/` needs for the server to start.
fn write_index(dir: &std::path::Path) {
    std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
}

/// A `dist/` directory for a spawned `linli-server` process.
pub fn dist_dir() -> tempfile::TempDir {
    let dist = tempfile::tempdir().unwrap();
    write_index(dist.path());
    dist
}

/// A whole-number setting from the environment (seeds, sizes, seconds).
pub fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

pub fn http() -> reqwest::Client {
    linli_server::install_tls_provider();
    reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        // Under the server's header timeout (10 s), which closes idle
        // keep-alive connections: reusing one as it closes fails the request.
        .pool_idle_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// A community or a street, made as the CLI makes them; its founder's code.
pub async fn create(store: &Store, id: &str, name: &str, street: bool) -> String {
    let hub = linli_server::hub::Hub::new(store.clone(), None);
    let req = linli_server::admin::NewCommunity {
        id: Some(id.into()),
        name: name.into(),
        coordinator_name: "主任".into(),
        code_hours: 24,
        code_uses: 50,
    };
    let made = if street {
        linli_server::admin::create_street(&hub, req).await
    } else {
        linli_server::admin::create_community(&hub, req).await
    };
    made.unwrap().code
}

pub async fn link(store: &Store, s: &str, c: &str) {
    let hub = linli_server::hub::Hub::new(store.clone(), None);
    linli_server::admin::link_community(&hub, &s.into(), &c.into())
        .await
        .unwrap();
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
    Device::joined(base, res.json().await.unwrap())
}

/// A repair wish `wish` titled `title`, filed on `channel` for `requester`.
pub fn create_wish(
    wish: &str,
    title: &str,
    channel: Channel,
    requester: Option<MemberId>,
) -> OpKind {
    OpKind::CreateWish {
        wish: wish.into(),
        category: Category::Repair,
        title: title.into(),
        description: String::new(),
        place: Place::default(),
        urgency: Urgency::Normal,
        window: None,
        channel,
        requester,
    }
}

/// POSTs `body` as JSON; the status and the answer (JSON, or its text).
pub async fn post_json(http: &reqwest::Client, url: &str, body: Value) -> (StatusCode, Value) {
    let res = http.post(url).json(&body).send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub fn now_ms() -> u64 {
    linli_server::hub::now_ms()
}

impl Device {
    /// The device a join answer made, at endpoint `base`, before its first op.
    pub fn joined(base: &str, j: JoinResponse) -> Device {
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
        let wish = format!("{}-{n}", self.device);
        self.mint(create_wish(&wish, title, channel, requester))
    }

    pub async fn send(
        &self,
        http: &reqwest::Client,
        method: reqwest::Method,
        rest: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut tries = 0;
        loop {
            let mut req = http
                .request(method.clone(), self.url(rest))
                .bearer_auth(&self.token);
            if let Some(b) = &body {
                req = req.json(b);
            }
            let answer = match req.send().await {
                Ok(res) => {
                    let status = res.status();
                    res.text().await.map(|t| (status, t))
                }
                Err(e) => Err(e),
            };
            match answer {
                Ok((status, text)) => {
                    let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
                    return (status, v);
                }
                // A kept-alive connection the server closed (its 10 s idle
                // timeout) just as a starved client reused it: browsers
                // retry an idempotent request then, and so do we.
                Err(e) if method == reqwest::Method::GET && !e.is_timeout() && tries < 3 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("{method} {rest}: {e}"),
            }
        }
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

    /// The bytes `GET segments/{name}` answers, undecoded.
    pub async fn segment_bytes(&self, http: &reqwest::Client, name: &str) -> bytes::Bytes {
        http.get(self.url(&format!("segments/{name}")))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
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
            place: None,
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

/// Acknowledged ops missing from `log` (every seq of a device up to what
/// the endpoint acknowledged to it), and ops in it more than once.
pub fn lost_and_duplicated<'a>(
    log: &[LogEntry],
    acked: impl IntoIterator<Item = (&'a DeviceId, u64)>,
) -> (u64, u64) {
    let mut times: std::collections::BTreeMap<(&str, u64), u64> = Default::default();
    for e in log {
        *times
            .entry((e.op.id.device.as_str(), e.op.id.seq))
            .or_default() += 1;
    }
    let duplicated = times.values().map(|n| n - 1).sum();
    let lost = acked
        .into_iter()
        .map(|(d, upto)| {
            (1..=upto)
                .filter(|q| !times.contains_key(&(d.as_str(), *q)))
                .count() as u64
        })
        .sum();
    (lost, duplicated)
}

/// Every acknowledged op appears exactly once, seqs are 1..=n.
pub fn check_log(log: &[LogEntry]) {
    let mut ids = std::collections::BTreeSet::new();
    for (i, e) in log.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "seqs are not contiguous");
        assert!(ids.insert(e.op.id.clone()), "op {} appears twice", e.op.id);
    }
}

/// Push `ops` to `base`; `None` on a network error or a 5xx.
pub async fn try_push(
    http: &reqwest::Client,
    d: &Device,
    base: &str,
    ops: &[Op],
) -> Option<PushResponse> {
    let mut d = d.clone();
    d.base = base.to_owned();
    let res = http
        .post(d.url("ops"))
        .bearer_auth(&d.token)
        .json(&serde_json::json!({ "ops": ops }))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .ok()?;
    let status = res.status();
    if status.is_server_error() {
        return None;
    }
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        res.text().await.unwrap_or_default()
    );
    res.json().await.ok()
}

/// The real binary, its address read from its first line.
pub struct Proc {
    pub child: Child,
    pub url: String,
    /// Its stderr (warnings, errors, panics), shown if the test fails.
    log: tempfile::NamedTempFile,
}

/// A process a test started ends with the test, also when it fails; then
/// the end of its log is printed with the failure.
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let text = std::fs::read_to_string(self.log.path()).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(30)..].join("\n");
            eprintln!(
                "--- stderr of the server at {} (last 30 lines) ---\n{tail}",
                self.url
            );
        }
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_linli-server")
}

/// Where a process keeps its data: a directory, or a prefix of the test
/// bucket (`--store s3://…` and the AWS_* environment).
#[derive(Clone)]
pub enum DataAt {
    Dir(std::path::PathBuf),
    S3(S3, String),
}

impl DataAt {
    /// A fresh one of each kind; the directory lives as long as the guard.
    pub fn dir() -> (DataAt, tempfile::TempDir) {
        let d = tempfile::tempdir().unwrap();
        (DataAt::Dir(d.path().into()), d)
    }

    pub fn s3(test: &str) -> Option<DataAt> {
        Some(DataAt::S3(S3::from_env(test)?, unique_prefix(test)))
    }

    /// The command line and environment that point a command here.
    pub fn apply(&self, cmd: &mut Command) {
        match self {
            DataAt::Dir(d) => {
                cmd.arg("--data").arg(d);
            }
            DataAt::S3(s3, prefix) => {
                cmd.arg("--store").arg(s3.url(prefix)).envs(s3.env());
            }
        }
    }
}

pub fn spawn_server(place: &DataAt, dist: &std::path::Path) -> Proc {
    let mut cmd = Command::new(bin());
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--dist"])
        .arg(dist);
    place.apply(&mut cmd);
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut child = cmd
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(log.reopen().unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .map(|a| format!("http://{a}"))
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Proc { child, url, log }
}

/// `community create` through the CLI; returns the founder's code.
pub fn cli_create(place: &DataAt, id: &str) -> String {
    let mut cmd = Command::new(bin());
    cmd.args(["community", "create", "--name", "长寿路", "--id", id]);
    place.apply(&mut cmd);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains('█') || text.contains('▀'),
        "a QR code is printed"
    );
    text.lines()
        .find_map(|l| l.strip_prefix("coordinator join code: "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned()
}
