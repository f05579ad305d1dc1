//! Scale-out on a real S3-compatible store (SeaweedFS under `./dev test`):
//! two and four endpoint processes — the real binary, `serve --store
//! s3://…` — on one bucket prefix. About 200 devices join through all of
//! them, then push at random instances with retries (some batches sent
//! twice, to two instances) while a coordinator publishes what residents
//! file; one instance is SIGKILLed mid-burst. Then every device pushes what
//! is left and pulls: no acknowledged op lost, none twice, every minted op
//! in the log once, and the same state hash on every device. A join code's
//! uses never exceed its limit across the instances.
//!
//! Needs `LINLI_TEST_S3` (see tests/common: fails under CI without it).
//! `LINLI_SCALE_DEVICES` (200) and `LINLI_SCALE_ROUNDS` (6) size it.
mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use linli_core::demo::Rng;
use linli_core::ids::WishId;
use linli_core::model::Role;
use linli_core::protocol::Segment;
use linli_core::{LogEntry, Op, OpKind};
use reqwest::StatusCode;
use serde_json::json;

fn env(name: &str, default: u64) -> u64 {
    env_u64(name).unwrap_or(default)
}

/// Push the device's outbox (500 ops a push) to random instances until all
/// of it is acknowledged (a killed instance refuses connections; a 5xx is
/// retried elsewhere). Returns the last acknowledged seq.
async fn push_until_acked(
    http: &reqwest::Client,
    d: &Device,
    outbox: &mut Vec<Op>,
    urls: &[String],
    rng: &mut Rng,
) -> u64 {
    let mut tries = 0;
    loop {
        let url = rng.pick(urls);
        let batch = &outbox[..outbox.len().min(500)];
        if let Some(r) = try_push(http, d, url, batch).await {
            outbox.retain(|o| o.id.seq > r.accepted_through);
            if outbox.is_empty() {
                return r.accepted_through;
            }
            continue;
        }
        tries += 1;
        assert!(
            tries < 300,
            "device {}: no instance took its push",
            d.device
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Segments are immutable: fetched once per instance and name (as a CDN
/// in front would), with the asking device's token.
type SegmentCache = Arc<Mutex<HashMap<(String, String), Arc<Segment>>>>;

/// The whole log as device `d` pulls it from instance `url`.
async fn pull_all(
    http: &reqwest::Client,
    d: &Device,
    url: &str,
    cache: &SegmentCache,
) -> Vec<LogEntry> {
    let mut d = d.clone();
    d.base = url.to_owned();
    let head = d.head(http).await;
    let mut log: Vec<LogEntry> = Vec::new();
    for s in head.segments_after(0) {
        let key = (url.to_owned(), s.name.clone());
        let cached = cache.lock().unwrap().get(&key).cloned();
        let seg = match cached {
            Some(seg) => seg,
            None => {
                let (st, v) = d
                    .send(
                        http,
                        reqwest::Method::GET,
                        &format!("segments/{}", s.name),
                        None,
                    )
                    .await;
                assert_eq!(st, StatusCode::OK, "segment {}: {v}", s.name);
                let seg = Arc::new(serde_json::from_value::<Segment>(v).unwrap());
                cache.lock().unwrap().insert(key, seg.clone());
                seg
            }
        };
        for e in &seg.entries {
            if e.seq > log.len() as u64 {
                assert_eq!(e.seq, log.len() as u64 + 1, "pulled log has a gap");
                log.push(e.clone());
            }
        }
    }
    assert_eq!(log.len() as u64, head.seq);
    log
}

/// Entries after `cursor` from `url`; `None` if the instance does not answer.
async fn try_pull_after(
    http: &reqwest::Client,
    d: &Device,
    url: &str,
    cursor: u64,
) -> Option<Vec<LogEntry>> {
    let get = |path: String| {
        http.get(format!("{url}{path}"))
            .bearer_auth(&d.token)
            .timeout(Duration::from_secs(10))
            .send()
    };
    let path = |rest: &str| linli_core::protocol::community_path(d.community.as_str(), rest);
    let res = get(path(&format!("head?since={cursor}"))).await.ok()?;
    if !res.status().is_success() {
        return None;
    }
    let head: linli_core::protocol::Head = res.json().await.ok()?;
    let mut out = Vec::new();
    for s in head.segments_after(cursor) {
        let res = get(path(&format!("segments/{}", s.name))).await.ok()?;
        if !res.status().is_success() {
            return None;
        }
        let seg: Segment = res.json().await.ok()?;
        for e in seg.entries {
            if e.seq == cursor + out.len() as u64 + 1 {
                out.push(e);
            }
        }
    }
    Some(out)
}

/// Join `n` devices with `code` through the instances in turn, 50 at once.
async fn join_many(
    http: &reqwest::Client,
    urls: &[String],
    code: &str,
    n: usize,
    name: &str,
) -> Vec<Device> {
    let mut out = Vec::new();
    let ids: Vec<usize> = (0..n).collect();
    for chunk in ids.chunks(50) {
        let tasks: Vec<_> = chunk
            .iter()
            .map(|&i| {
                let (http, url, code) =
                    (http.clone(), urls[i % urls.len()].clone(), code.to_owned());
                let name = format!("{name}{i}");
                tokio::spawn(async move { join(&http, &url, &code, &name).await })
            })
            .collect();
        for t in tasks {
            out.push(t.await.unwrap());
        }
    }
    out
}

/// `joins` concurrent joins with one code of `uses` uses, spread over the
/// instances: exactly `uses` succeed, the rest are told `code_used_up`.
async fn join_race(
    http: &reqwest::Client,
    urls: &[String],
    coord: &Device,
    uses: u32,
    joins: usize,
) {
    let code = coord.create_code(http, Role::Resident, uses).await;
    let tasks: Vec<_> = (0..joins)
        .map(|i| {
            let http = http.clone();
            let url = format!("{}/api/v1/join", urls[i % urls.len()]);
            let code = code.code.clone();
            tokio::spawn(async move {
                let r = http
                    .post(url)
                    .json(&json!({"code": code, "display_name": format!("抢{i}")}))
                    .send()
                    .await
                    .unwrap();
                let s = r.status();
                let v: serde_json::Value = r.json().await.unwrap();
                (s, error_code(&v).to_owned())
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let (s, code) = t.await.unwrap();
        match s {
            StatusCode::OK => ok += 1,
            StatusCode::GONE => assert_eq!(code, "code_used_up"),
            _ => panic!("join answered {s} {code}"),
        }
    }
    assert_eq!(ok, uses, "joins that succeeded with a code of {uses} uses");
}

/// What a device mints in one round: residents file wishes, volunteers
/// claim (and sometimes complete) wishes other devices filed — guessed by
/// id, so many fold as void; what matters is that every device folds the
/// same log to the same state.
fn mint(d: &mut Device, rng: &mut Rng, residents: &[String], claimed: &mut Vec<WishId>) -> Op {
    if d.role == Role::Resident {
        return d.wish_op(&format!("心愿 {}", rng.range(1, 999)));
    }
    if !claimed.is_empty() && rng.range(0, 3) == 0 {
        let wish = claimed.swap_remove(rng.range(0, claimed.len() as u64 - 1) as usize);
        return d.mint(OpKind::Complete {
            wish,
            report: "完成".into(),
            minutes: rng.range(10, 90) as u32,
        });
    }
    let wish = WishId::from(format!("{}-{}", rng.pick(residents), rng.range(1, 12)));
    claimed.push(wish.clone());
    d.mint(OpKind::Claim { wish })
}

async fn scale(instances: usize, test: &str) {
    let Some(at) = DataAt::s3(test) else {
        return;
    };
    let t0 = Instant::now();
    let devices_n = env("LINLI_SCALE_DEVICES", 200) as usize;
    let rounds = env("LINLI_SCALE_ROUNDS", 6);
    let dist = dist_dir();
    let code = cli_create(&at, "scale");
    let mut procs: Vec<Proc> = (0..instances)
        .map(|_| spawn_server(&at, dist.path()))
        .collect();
    let urls: Vec<String> = procs.iter().map(|p| p.url.clone()).collect();
    let http = http();
    let mut coord = join(&http, &urls[0], &code, "主任").await;

    // Devices join through every instance; the codes' limits hold.
    let residents_n = devices_n / 2;
    let volunteers_n = devices_n - 1 - residents_n;
    let rc = coord
        .create_code(&http, Role::Resident, residents_n as u32)
        .await;
    let vc = coord
        .create_code(&http, Role::Volunteer, volunteers_n as u32)
        .await;
    let mut devices = join_many(&http, &urls, &rc.code, residents_n, "居民").await;
    devices.extend(join_many(&http, &urls, &vc.code, volunteers_n, "志愿者").await);
    join_race(&http, &urls, &coord, 20, 60).await;
    let joined = t0.elapsed();

    // The burst. Instance 1 is killed once 30% of the pushes are acknowledged.
    let residents: Arc<Vec<String>> = Arc::new(
        devices
            .iter()
            .filter(|d| d.role == Role::Resident)
            .map(|d| d.device.to_string())
            .collect(),
    );
    let total_pushes = devices.len() as u64 * rounds;
    let acks = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let urls_all = Arc::new(urls.clone());
    let burst = Instant::now();
    let mut tasks = Vec::new();
    for (i, mut d) in devices.into_iter().enumerate() {
        let (http, urls, acks, residents) = (
            http.clone(),
            urls_all.clone(),
            acks.clone(),
            residents.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng::new(i as u64 * 7919 + instances as u64);
            let (mut outbox, mut claimed, mut acked) = (Vec::new(), Vec::new(), 0);
            for _ in 0..rounds {
                tokio::time::sleep(Duration::from_millis(rng.range(0, 40))).await;
                for _ in 0..rng.range(1, 4) {
                    outbox.push(mint(&mut d, &mut rng, &residents, &mut claimed));
                }
                let batch = outbox.clone();
                acked = push_until_acked(&http, &d, &mut outbox, &urls, &mut rng).await;
                if rng.range(0, 3) == 0 {
                    // The same batch again, on another instance: acknowledged, not appended.
                    let mut again = batch;
                    let through = push_until_acked(&http, &d, &mut again, &urls, &mut rng).await;
                    assert!(through >= acked, "device {}", d.device);
                }
                acks.fetch_add(1, Ordering::Relaxed);
            }
            (d, outbox, acked)
        }));
    }
    // The coordinator publishes what residents filed, as it appears.
    let publisher = {
        let (http, urls, done) = (http.clone(), urls_all.clone(), done.clone());
        let mut coord = coord.clone();
        tokio::spawn(async move {
            let mut rng = Rng::new(99);
            let (mut cursor, mut outbox, mut published) = (0, Vec::new(), 0u64);
            while !done.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(150)).await;
                let url = rng.pick(&urls).clone();
                let Some(entries) = try_pull_after(&http, &coord, &url, cursor).await else {
                    continue;
                };
                for e in &entries {
                    if let OpKind::CreateWish { wish, .. } = &e.op.kind {
                        outbox.push(coord.mint(OpKind::Publish { wish: wish.clone() }));
                        published += 1;
                    }
                }
                cursor += entries.len() as u64;
                if !outbox.is_empty() {
                    push_until_acked(&http, &coord, &mut outbox, &urls, &mut rng).await;
                }
            }
            (coord.seq, outbox, published)
        })
    };
    // Kill instance 1 (SIGKILL) mid-burst.
    let mut victim = procs.remove(1);
    loop {
        let n = acks.load(Ordering::Relaxed);
        if n * 10 >= total_pushes * 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    victim.child.kill().unwrap();
    victim.child.wait().unwrap();
    let acked_at_kill = acks.load(Ordering::Relaxed);
    let mut sims = Vec::new();
    for t in tasks {
        sims.push(t.await.unwrap());
    }
    done.store(true, Ordering::Relaxed);
    let (coord_seq, coord_outbox, published) = publisher.await.unwrap();
    coord.seq = coord_seq;
    let burst_time = burst.elapsed();
    assert!(
        acked_at_kill < total_pushes,
        "the kill came after the burst ({acked_at_kill} of {total_pushes})"
    );

    // Everyone pushes what is left to the live instances, then pulls.
    let settle = Instant::now();
    let live: Vec<String> = procs.iter().map(|p| p.url.clone()).collect();
    let mut rng = Rng::new(7);
    let mut everyone: Vec<(Device, Vec<Op>)> = sims.into_iter().map(|(d, o, _)| (d, o)).collect();
    everyone.push((coord, coord_outbox));
    let mut acked_by = Vec::new();
    for (d, outbox) in &mut everyone {
        let through = if outbox.is_empty() {
            d.seq
        } else {
            push_until_acked(&http, d, outbox, &live, &mut rng).await
        };
        assert_eq!(
            through, d.seq,
            "device {}: not all of its ops acknowledged",
            d.device
        );
        acked_by.push((d.device.clone(), through));
    }
    let cache: SegmentCache = Arc::default();
    let mut pulls = Vec::new();
    for (i, (d, _)) in everyone.iter().enumerate() {
        let (http, d, url, cache) = (
            http.clone(),
            d.clone(),
            live[i % live.len()].clone(),
            cache.clone(),
        );
        pulls.push(tokio::spawn(async move {
            pull_all(&http, &d, &url, &cache).await
        }));
    }
    let mut logs = Vec::new();
    for p in pulls {
        logs.push(p.await.unwrap());
    }
    let log = &logs[0];
    check_log(log);
    let (lost, duplicated) = lost_and_duplicated(log, acked_by.iter().map(|(d, n)| (d, *n)));
    // A device's state is the fold of its log: each distinct pulled log is
    // folded once (a debug-build fold of 200 logs would take minutes).
    let want = linli_core::fold(log).hash();
    let mut hashes: Vec<(&Vec<LogEntry>, String)> = vec![(log, want.clone())];
    let mut diverged = 0;
    for l in &logs {
        let h = match hashes.iter().find(|(seen, _)| *seen == l) {
            Some((_, h)) => h.clone(),
            None => {
                let h = linli_core::fold(l.as_slice()).hash();
                hashes.push((l, h.clone()));
                h
            }
        };
        diverged += usize::from(h != want);
    }
    // Every minted op is in the log, in device order.
    let mut per: HashMap<&str, Vec<u64>> = HashMap::new();
    for e in log {
        per.entry(e.op.id.device.as_str())
            .or_default()
            .push(e.op.id.seq);
    }
    for (d, _) in &everyone {
        let want: Vec<u64> = (1..=d.seq).collect();
        assert_eq!(
            per.get(d.device.as_str()),
            Some(&want),
            "device {}",
            d.device
        );
    }
    let state = linli_core::fold(log);
    let count = |role: Role| state.members.values().filter(|m| m.role == role).count();
    println!(
        "scale: {instances} instances on one S3 bucket, instance 1 SIGKILLed after \
         {acked_at_kill} of {total_pushes} pushes; {} devices, {} ops in the log \
         ({published} publishes); lost {lost}, duplicated {duplicated}, diverged {diverged}; \
         joins {:.1} s, burst {:.1} s, last pushes and pulls {:.1} s, total {:.1} s",
        everyone.len(),
        log.len(),
        joined.as_secs_f64(),
        burst_time.as_secs_f64(),
        settle.elapsed().as_secs_f64(),
        t0.elapsed().as_secs_f64(),
    );
    assert_eq!((lost, duplicated, diverged), (0, 0, 0));
    // Members: the founder, the residents (+ 20 by the raced code), the volunteers.
    assert_eq!(count(Role::Coordinator), 1);
    assert_eq!(count(Role::Resident), residents_n + 20);
    assert_eq!(count(Role::Volunteer), volunteers_n);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_bucket_lose_nothing_when_one_is_killed() {
    scale(2, "scale_two_instances").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_instances_on_one_bucket_lose_nothing_when_one_is_killed() {
    scale(4, "scale_four_instances").await;
}
