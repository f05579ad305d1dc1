//! Nothing lost, nothing twice: several instances on one store under
//! concurrent pushes with retries, and the real binary killed with SIGKILL
//! in the middle of a stream of pushes, then restarted on the same data.
mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use linli_core::demo::Rng;
use linli_core::model::Role;
use linli_core::{LogEntry, Op};

/// Every op a device minted is in the log exactly once, in device order.
fn check_devices(log: &[LogEntry], devices: &[Device]) {
    check_log(log);
    let mut per: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for e in log {
        per.entry(e.op.id.device.as_str())
            .or_default()
            .push(e.op.id.seq);
    }
    for d in devices {
        let seqs = per.get(d.device.as_str()).cloned().unwrap_or_default();
        let want: Vec<u64> = (1..=d.seq).collect();
        assert_eq!(seqs, want, "device {}", d.device);
    }
}

/// Many devices push through several instances on one store at once, each
/// batch sometimes retried on the other instance.
async fn many_devices_on(store: linli_server::store::Store, store2: linli_server::store::Store) {
    let a = Server::start(store).await;
    let b = Server::start(store2).await;
    let http = http();
    let coord = community(&http, &a, "shared").await;
    let mut devices = Vec::new();
    for i in 0..24 {
        let role = if i % 2 == 0 {
            Role::Resident
        } else {
            Role::Volunteer
        };
        devices.push(member(&http, &coord, role, &format!("成员{i}")).await);
    }
    let urls = Arc::new([a.url.clone(), b.url.clone()]);
    let mut tasks = Vec::new();
    for (i, mut d) in devices.into_iter().enumerate() {
        let http = http.clone();
        let urls = urls.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng::new(i as u64 + 1);
            for _ in 0..15 {
                let n = rng.range(1, 6);
                let ops: Vec<Op> = (0..n).map(|_| d.wish_op("并发")).collect();
                let first = rng.range(0, 1) as usize;
                let res = try_push(&http, &d, &urls[first], &ops).await.unwrap();
                assert_eq!(res.accepted_through, d.seq);
                if rng.range(0, 2) == 0 {
                    // A retry on the other instance is acknowledged, not appended.
                    let again = try_push(&http, &d, &urls[1 - first], &ops).await.unwrap();
                    assert_eq!(again.accepted_through, d.seq);
                }
            }
            d
        }));
    }
    let mut devices = Vec::new();
    for t in tasks {
        devices.push(t.await.unwrap());
    }
    let log = coord.pull_after(&http, 0).await;
    check_devices(&log, &devices);
    let mut via_b = coord.clone();
    via_b.base = b.url.clone();
    assert_eq!(via_b.pull_after(&http, 0).await, log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_in_memory_store() {
    let store = mem_store();
    many_devices_on(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_directory() {
    let dir = tempfile::tempdir().unwrap();
    let open = || -> linli_server::store::Store {
        Arc::new(object_store::local::LocalFileSystem::new_with_prefix(dir.path()).unwrap())
    };
    many_devices_on(open(), open()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_s3_bucket() {
    if let Some(s) = TestStore::new(Backend::S3, "two_instances_on_one_s3_bucket") {
        many_devices_on(s.store.clone(), s.handle()).await;
    }
}

/// Creates that landed but came back `AlreadyExists` (object_store's retry
/// after a lost answer; every third), and `AlreadyExists` for creates that
/// never landed (S3's 409; every fifth): segments, code use slots, device
/// and token records are decided by reading back, so nothing is lost,
/// doubled, or refused (each member joins by a code of one use).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_a_store_whose_creates_come_back_ambiguous() {
    use linli_server::faults::{Fault, Faulty};
    let won = Faulty::wrap(mem_store(), Fault::WonButAlreadyExists { every: 3 });
    let store = Faulty::wrap(won, Fault::ConflictNotWritten { every: 5 });
    many_devices_on(store.clone(), store).await;
}

/// A store that lets a second create of one key succeed (as Garage 2.5
/// does with `If-None-Match: *`) would let two instances both own a log
/// position: the endpoint refuses to start on it, saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_without_create_only_writes_is_refused_at_start() {
    use linli_server::faults::{Fault, Faulty};
    let inner = mem_store();
    let dist = tempfile::tempdir().unwrap();
    let config = linli_server::Config {
        dist: dist.path().into(),
        store: Some(Faulty::wrap(inner.clone(), Fault::IgnoresCreate)),
        demo: true,
        ..Default::default()
    };
    let Err(err) = linli_server::app(&config).await else {
        panic!("the endpoint started on a store without create-only writes");
    };
    let msg = err.to_string();
    for word in ["create-only", "If-None-Match", "SeaweedFS"] {
        assert!(msg.contains(word), "{msg}");
    }
    // Nothing was written (the demo was not seeded; the marker is gone).
    let left = linli_server::store::list(&inner, &object_store::path::Path::from(""))
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_loses_no_acknowledged_op() {
    let (place, _dir) = DataAt::dir();
    sigkill_mid_stream(place).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_on_s3_loses_no_acknowledged_op() {
    if let Some(place) = DataAt::s3("sigkill_mid_stream_on_s3") {
        sigkill_mid_stream(place).await;
    }
}

async fn sigkill_mid_stream(place: DataAt) {
    let dist = dist_dir();
    let code = cli_create(&place, "kill");
    let mut p = spawn_server(&place, dist.path());
    let http = http();
    let coord = join(&http, &p.url, &code, "主任").await;
    let mut devices = Vec::new();
    for i in 0..6 {
        devices.push(member(&http, &coord, Role::Resident, &format!("居民{i}")).await);
    }

    // Each device streams batches; `acked` is what the server confirmed.
    let stop_at = Instant::now() + Duration::from_millis(600);
    let mut tasks = Vec::new();
    for (i, mut d) in devices.into_iter().enumerate() {
        let http = http.clone();
        let url = p.url.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng::new(i as u64 + 7);
            let mut outbox: Vec<Op> = Vec::new();
            let mut acked = 0;
            // Push until the server dies (and a little longer).
            while Instant::now() < stop_at + Duration::from_millis(800) {
                for _ in 0..rng.range(1, 20) {
                    outbox.push(d.wish_op("断电测试"));
                }
                match try_push(&http, &d, &url, &outbox).await {
                    Some(r) => {
                        acked = r.accepted_through;
                        outbox.retain(|o| o.id.seq > acked);
                    }
                    None => break,
                }
            }
            (d, outbox, acked)
        }));
    }
    tokio::time::sleep(stop_at - Instant::now()).await;
    p.child.kill().unwrap(); // SIGKILL
    p.child.wait().unwrap();
    let mut states = Vec::new();
    for t in tasks {
        states.push(t.await.unwrap());
    }
    assert!(
        states.iter().any(|(_, _, acked)| *acked > 0),
        "some pushes were acknowledged before the kill"
    );

    // Restart on the same data: acknowledged ops are all there, once; the
    // devices retry their outboxes (deduped or appended exactly once).
    let p2 = spawn_server(&place, dist.path());
    let mut devices = Vec::new();
    for (mut d, mut outbox, acked) in states {
        d.base = p2.url.clone();
        let head_log = d.pull_after(&http, 0).await;
        let have = head_log
            .iter()
            .filter(|e| e.op.id.device == d.device)
            .count() as u64;
        assert!(have >= acked, "device {} lost acknowledged ops", d.device);
        outbox.push(d.wish_op("重启之后"));
        let r = try_push(&http, &d, &p2.url, &outbox).await.unwrap();
        assert_eq!(r.accepted_through, d.seq);
        devices.push(d);
    }
    let mut c = coord.clone();
    c.base = p2.url.clone();
    let log = c.pull_after(&http, 0).await;
    check_devices(&log, &devices);
    let state = linli_core::fold(&log);
    assert!(state.voids.is_empty(), "{:?}", state.voids);
    let mut p2 = p2;
    p2.child.kill().unwrap();
    p2.child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_data_directory() {
    let (place, _dir) = DataAt::dir();
    two_processes(place).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_s3_bucket() {
    if let Some(place) = DataAt::s3("two_processes_on_one_s3_bucket") {
        two_processes(place).await;
    }
}

async fn two_processes(place: DataAt) {
    let dist = dist_dir();
    let code = cli_create(&place, "twoproc");
    let mut procs = [
        spawn_server(&place, dist.path()),
        spawn_server(&place, dist.path()),
    ];
    let http = http();
    let coord = join(&http, &procs[0].url, &code, "主任").await;
    let mut devices = Vec::new();
    for i in 0..8 {
        devices.push(member(&http, &coord, Role::Volunteer, &format!("志愿者{i}")).await);
    }
    let urls = Arc::new([procs[0].url.clone(), procs[1].url.clone()]);
    let mut tasks = Vec::new();
    for (i, mut d) in devices.into_iter().enumerate() {
        let http = http.clone();
        let urls = urls.clone();
        tasks.push(tokio::spawn(async move {
            for k in 0..10 {
                let ops: Vec<Op> = (0..3).map(|_| d.wish_op("两个进程")).collect();
                let r = try_push(&http, &d, &urls[(i + k) % 2], &ops).await.unwrap();
                assert_eq!(r.accepted_through, d.seq);
            }
            d
        }));
    }
    let mut devices = Vec::new();
    for t in tasks {
        devices.push(t.await.unwrap());
    }
    let log = coord.pull_after(&http, 0).await;
    check_devices(&log, &devices);
    for p in &mut procs {
        p.child.kill().unwrap();
        p.child.wait().unwrap();
    }
}
