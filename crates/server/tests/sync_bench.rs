//! Push benchmark (ignored by default): 500 simulated devices push batches
//! of ops concurrently to the real endpoint on loopback, over the local
//! filesystem store. Run:
//!
//! ```text
//! cargo test --release -p linli-server --test sync_bench -- --ignored --nocapture
//! ```
//! Knobs (environment): `BENCH_DEVICES` (500), `BENCH_BATCHES` (20 per
//! device), `BENCH_OPS` (10 per batch), `BENCH_FSYNC` (1 = fsync every
//! segment, the `serve` default; 0 = no fsync).
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use linli_core::Op;
use linli_core::model::Role;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark; run with --ignored --nocapture in release mode"]
async fn push_throughput_500_devices() {
    let devices_n = env("BENCH_DEVICES", 500) as usize;
    let batches = env("BENCH_BATCHES", 20);
    let per = env("BENCH_OPS", 10);
    let fsync = env("BENCH_FSYNC", 1) == 1;
    let dir = tempfile::tempdir().unwrap();
    let fs = object_store::local::LocalFileSystem::new_with_prefix(dir.path())
        .unwrap()
        .with_fsync(fsync);
    let server = Server::start(Arc::new(fs)).await;
    linli_server::install_tls_provider();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(devices_n)
        .build()
        .unwrap();
    let coord = community(&http, &server, "bench").await;
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
            let (http, url, code) = (http.clone(), server.url.clone(), code.clone());
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
        "push benchmark: {devices_n} devices × {batches} pushes × {per} ops = {total} ops \
         (fsync {fsync}) in {:.2} s → {:.0} ops/s, {:.0} pushes/s; push latency p50 {:.1} ms, \
         p99 {:.1} ms, max {:.1} ms; {} segments in the head after compaction; \
         {devices_n} joins took {:.2} s",
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
