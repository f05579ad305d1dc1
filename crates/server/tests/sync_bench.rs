//! Sync endpoint benchmarks (ignored by default), on loopback, client and
//! servers in one process. Run (`./dev bench` does, with a SeaweedFS node):
//!
//! ```text
//! cargo test --release -p linli-server --test sync_bench -- --ignored --nocapture
//! ```
//! Push: 500 simulated devices push batches of ops concurrently to the real
//! endpoint, for each setup of `BENCH_SETUPS` (default `fs:1,fs:2,s3:1,s3:2`:
//! the local filesystem or the S3 node of `LINLI_TEST_S3`, one instance or
//! two on one store with the devices split between them). Knobs:
//! `BENCH_DEVICES` (500), `BENCH_BATCHES` (20 per device), `BENCH_OPS` (10 per
//! batch), `BENCH_FSYNC` (1 = fsync every segment, the `serve` default).
//!
//! Pull: a 100k-op community (`BENCH_PULL_OPS`) seeded and compacted as the
//! endpoint does, on the S3 node; one reader fetches every segment in turn
//! through the endpoint (`head`, `GET segments/{name}`) and straight from
//! the store (a signed GET of each object), and decodes it.
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use linli_core::Op;
use linli_core::model::Role;
use linli_core::protocol::Segment;
use linli_server::store::Store;

fn env(name: &str, default: u64) -> u64 {
    env_u64(name).unwrap_or(default)
}

/// One store for a setup, and a way to open another handle on it.
struct BenchStore {
    name: String,
    open: Box<dyn Fn() -> Store>,
    _dir: Option<tempfile::TempDir>,
}

fn bench_store(kind: &str, fsync: bool) -> Option<BenchStore> {
    match kind {
        "fs" => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().to_owned();
            Some(BenchStore {
                name: format!("local filesystem (fsync {fsync})"),
                open: Box::new(move || {
                    Arc::new(
                        object_store::local::LocalFileSystem::new_with_prefix(&path)
                            .unwrap()
                            .with_fsync(fsync),
                    )
                }),
                _dir: Some(dir),
            })
        }
        "s3" => {
            let s3 = S3::from_env("sync_bench")?;
            let prefix = unique_prefix("bench");
            Some(BenchStore {
                name: "SeaweedFS (S3)".into(),
                open: Box::new(move || s3.store(&prefix)),
                _dir: None,
            })
        }
        other => panic!("BENCH_SETUPS: unknown store {other} (fs or s3)"),
    }
}

async fn push_setup(kind: &str, instances: usize) {
    let devices_n = env("BENCH_DEVICES", 500) as usize;
    let batches = env("BENCH_BATCHES", 20);
    let per = env("BENCH_OPS", 10);
    let fsync = env("BENCH_FSYNC", 1) == 1;
    let Some(store) = bench_store(kind, fsync) else {
        return;
    };
    let mut servers = Vec::new();
    for _ in 0..instances {
        servers.push(Server::start((store.open)()).await);
    }
    let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
    linli_server::install_tls_provider();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(devices_n)
        .pool_idle_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let coord = community(&http, &servers[0], "bench").await;
    let code = coord
        .create_code(&http, Role::Volunteer, devices_n as u32)
        .await
        .code;

    let t = Instant::now();
    let mut joins = Vec::new();
    let ids: Vec<usize> = (0..devices_n).collect();
    for chunk in ids.chunks(50) {
        let mut tasks = Vec::new();
        for &i in chunk {
            let (http, url, code) = (http.clone(), urls[i % instances].clone(), code.clone());
            tasks.push(tokio::spawn(async move {
                join(&http, &url, &code, &format!("志愿者{i}")).await
            }));
        }
        for t in tasks {
            joins.push(t.await.unwrap());
        }
    }
    let join_time = t.elapsed();

    // Mint everything first, so the clock measures the endpoint.
    let work: Vec<(Device, Vec<Vec<Op>>)> = joins
        .into_iter()
        .map(|mut d| {
            let b = (0..batches)
                .map(|_| (0..per).map(|_| d.wish_op("基准测试")).collect())
                .collect();
            (d, b)
        })
        .collect();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (d, batches) in work {
        let http = http.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            for ops in batches {
                let body = serde_json::to_vec(&serde_json::json!({ "ops": ops })).unwrap();
                let t = Instant::now();
                let res = http
                    .post(d.url("ops"))
                    .bearer_auth(&d.token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().is_success(), "{}", res.status());
                let _ = res.bytes().await.unwrap();
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut lat: Vec<Duration> = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed();
    lat.sort();
    let total = devices_n as u64 * batches * per;
    let q = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    let head = coord.head(&http).await;
    assert_eq!(head.seq, 1 + devices_n as u64 + total);
    println!(
        "push benchmark, {} × {instances} instance(s): {devices_n} devices × {batches} pushes \
         × {per} ops = {total} ops in {:.2} s → {:.0} ops/s, {:.0} pushes/s; push latency p50 \
         {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} segments in the head after compaction; \
         {devices_n} joins took {:.2} s",
        store.name,
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        q(0.50).as_secs_f64() * 1e3,
        q(0.99).as_secs_f64() * 1e3,
        lat[lat.len() - 1].as_secs_f64() * 1e3,
        head.segments.len(),
        join_time.as_secs_f64(),
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark; run with --ignored --nocapture in release mode"]
async fn push_throughput_500_devices() {
    let setups = std::env::var("BENCH_SETUPS").unwrap_or_else(|_| "fs:1,fs:2,s3:1,s3:2".into());
    for setup in setups.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (kind, n) = setup.split_once(':').unwrap_or((setup, "1"));
        let n: usize = n.parse().expect("BENCH_SETUPS: STORE:INSTANCES");
        push_setup(kind, n).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark; run with --ignored --nocapture in release mode"]
async fn pull_100k_from_the_store_vs_through_the_endpoint() {
    let Some(s3) = S3::from_env("sync_bench pull") else {
        return;
    };
    let ops = env("BENCH_PULL_OPS", 100_000);
    let runs = env("BENCH_PULL_RUNS", 3);
    let prefix = unique_prefix("bench-pull");
    let store = s3.store(&prefix);
    let hub = linli_server::hub::Hub::new(store.clone(), None);
    let seeded = linli_server::admin::seed_synthetic(&hub, ops, 7, 10)
        .await
        .unwrap();
    let server = Server::start(s3.store(&prefix)).await;
    let http = http();
    let d = join(&http, &server.url, &seeded.code, "读者").await;
    let head = d.head(&http).await;
    assert_eq!(head.seq, ops);

    let mut via_endpoint = Vec::new();
    let mut direct = Vec::new();
    let mut bytes = 0;
    for _ in 0..runs {
        // Through the endpoint: head, then each segment in turn, decoded.
        let t = Instant::now();
        let head = d.head(&http).await;
        let mut n = 0;
        for s in &head.segments {
            let body = d.segment_bytes(&http, &s.name).await;
            let seg: Segment = serde_json::from_slice(&body).unwrap();
            n += seg.entries.len() as u64;
        }
        assert_eq!(n, ops);
        via_endpoint.push(t.elapsed());

        // Straight from the store: the same objects by key, decoded.
        let t = Instant::now();
        let (mut n, mut b) = (0, 0);
        for s in &head.segments {
            let key = match linli_server::log::parse_name(&head.epoch, &s.name).unwrap() {
                linli_server::log::SegKey::Chain(p) => {
                    linli_server::store::chain_segment(&d.community, &head.epoch, p)
                }
                linli_server::log::SegKey::Merged(a, z) => {
                    linli_server::store::merged_segment(&d.community, &head.epoch, a, z)
                }
            };
            let body = linli_server::store::get(&store, &key)
                .await
                .unwrap()
                .unwrap();
            b += body.len();
            let seg: Segment = serde_json::from_slice(&body).unwrap();
            n += seg.entries.len() as u64;
        }
        assert_eq!(n, ops);
        direct.push(t.elapsed());
        bytes = b;
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64()
    };
    println!(
        "pull benchmark: {ops} ops in {} segments ({:.1} MB), one reader, median of {runs}: \
         through the endpoint {:.2} s, straight from SeaweedFS {:.2} s",
        head.segments.len(),
        bytes as f64 / 1e6,
        median(via_endpoint),
        median(direct),
    );
}
