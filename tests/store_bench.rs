//! Store benchmarks in headless Chromium (`./dev bench`): linli's store vs
//! raw IndexedDB vs Dexie doing the same work in the same page, plus start,
//! write → visible and filter times. Built only with `--features bench`.
#![cfg(all(target_arch = "wasm32", feature = "bench"))]

use linli::store::Store;
use linli_core::replica::{Replica, Writer};
use linli_core::{LogEntry, OpKind, demo, views};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const START: u64 = 1_700_000_000_000;
/// Dexie's ES module, loaded from a blob URL so it shares this page's origin.
const DEXIE: &str = include_str!("../node_modules/dexie/dist/dexie.mjs");

#[wasm_bindgen(inline_js = r#"
export function now() { return performance.now(); }
export async function importBlob(source) {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  return (await import(url)).default;
}
export async function rawPut(name, entries) {
  await new Promise((ok) => { const r = indexedDB.deleteDatabase(name); r.onsuccess = r.onerror = r.onblocked = ok; });
  const db = await new Promise((ok, err) => {
    const r = indexedDB.open(name, 1);
    r.onupgradeneeded = () => r.result.createObjectStore("log", { keyPath: "seq" });
    r.onsuccess = () => ok(r.result); r.onerror = () => err(r.error);
  });
  const t0 = performance.now();
  await new Promise((ok, err) => {
    const tx = db.transaction("log", "readwrite");
    const store = tx.objectStore("log");
    for (const e of entries) store.put(e);
    tx.oncomplete = ok; tx.onerror = tx.onabort = () => err(tx.error);
  });
  const t = performance.now() - t0;
  db.close();
  return t;
}
export async function dexiePut(Dexie, name, entries) {
  await Dexie.delete(name);
  const db = new Dexie(name);
  db.version(1).stores({ log: "seq" });
  await db.open();
  const t0 = performance.now();
  await db.table("log").bulkPut(entries);
  const t = performance.now() - t0;
  db.close();
  return t;
}
"#)]
extern "C" {
    fn now() -> f64;
    #[wasm_bindgen(js_name = importBlob)]
    async fn import_blob(source: &str) -> JsValue;
    #[wasm_bindgen(js_name = rawPut)]
    async fn raw_put(name: &str, entries: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = dexiePut)]
    async fn dexie_put(dexie: &JsValue, name: &str, entries: JsValue) -> JsValue;
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[xs.len() / 2]
}

/// Lets IndexedDB settle between runs.
async fn tick() {
    let p = js_sys::Promise::new(&mut |ok, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&ok, 50)
            .unwrap();
    });
    let _ = JsFuture::from(p).await;
}

#[wasm_bindgen_test]
async fn bench_store() {
    const RUNS: usize = 5;
    let log: Vec<LogEntry> = demo::synthetic_log(1700, 1, START)
        .into_iter()
        .take(10_000)
        .collect();
    assert_eq!(log.len(), 10_000);
    let as_objects = serde_wasm_bindgen::to_value(&log).unwrap();
    let dexie = import_blob(DEXIE).await;

    let (mut linli, mut raw, mut dex) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..RUNS {
        let name = format!("bench-linli-{run}");
        Store::delete(&name).await.unwrap();
        let store = Store::open(&name).await.unwrap();
        let t0 = now();
        store.append_log(&log, None).await.unwrap();
        linli.push(now() - t0);
        store.close();
        Store::delete(&name).await.unwrap();
        tick().await;
        raw.push(
            raw_put(&format!("bench-raw-{run}"), as_objects.clone())
                .await
                .as_f64()
                .unwrap(),
        );
        tick().await;
        dex.push(
            dexie_put(&dexie, &format!("bench-dexie-{run}"), as_objects.clone())
                .await
                .as_f64()
                .unwrap(),
        );
        tick().await;
    }
    let (l, r, d) = (median(linli), median(raw), median(dex));
    console_log!(
        "BENCH write 10k ops (median of {RUNS}): linli {l:.1} ms, raw IndexedDB {r:.1} ms, Dexie bulkPut {d:.1} ms; linli/Dexie {:.2}x, linli/raw {:.2}x",
        l / d,
        l / r
    );

    // Cold start with 10k wishes stored: open, read, fold (with and without snapshot).
    let big = demo::synthetic_log(10_000, 2, START);
    let name = "bench-start";
    Store::delete(name).await.unwrap();
    let store = Store::open(name).await.unwrap();
    store.append_log(&big, None).await.unwrap();
    store.close();
    let mut cold = Vec::new();
    for _ in 0..3 {
        let t0 = now();
        let store = Store::open(name).await.unwrap();
        let loaded = store.load().await.unwrap();
        let replica = Replica::new(loaded.confirmed, loaded.outbox);
        cold.push(now() - t0);
        assert_eq!(replica.view().wishes.len(), 10_000);
        store.close();
    }
    let store = Store::open(name).await.unwrap();
    let state = store.load().await.unwrap().confirmed;
    store.write_snapshot(&state).await.unwrap();
    store.close();
    let mut warm = Vec::new();
    for _ in 0..3 {
        let t0 = now();
        let store = Store::open(name).await.unwrap();
        let loaded = store.load().await.unwrap();
        let replica = Replica::new(loaded.confirmed, loaded.outbox);
        warm.push(now() - t0);
        assert_eq!(replica.view().wishes.len(), 10_000);
        store.close();
    }
    console_log!(
        "BENCH start with 10k wishes ({} ops): full replay {:.0} ms, from snapshot {:.0} ms",
        big.len(),
        median(cold),
        median(warm)
    );

    // Local write → in the state the page renders from.
    let store = Store::open(name).await.unwrap();
    let mut replica = Replica::new(state.clone(), Vec::new());
    let mut writer = Writer::new("bench-device".into());
    let mut writes = Vec::new();
    for i in 0..50 {
        let t0 = now();
        let op = writer
            .mint(
                "m1".into(),
                OpKind::ExpireLease {
                    wish: format!("w{i}").into(),
                },
                START,
            )
            .unwrap();
        store.append_local(&op, &writer).await.unwrap();
        replica.push_local(op);
        writes.push(now() - t0);
    }
    console_log!(
        "BENCH local write → state (outbox transaction + apply), median of 50: {:.1} ms",
        median(writes)
    );

    // Filter and search over 10k wishes: a category and a word of a title.
    let sample = replica.view().wishes.values().nth(4321).unwrap();
    let (category, term) = (
        sample.category,
        sample.title.chars().take(2).collect::<String>(),
    );
    let mut filters = Vec::new();
    for _ in 0..20 {
        let t0 = now();
        let cols = views::board_where(replica.view(), |w| {
            w.category == category && w.title.contains(&term)
        });
        filters.push(now() - t0);
        assert!(cols.iter().map(|(_, v)| v.len()).sum::<usize>() > 0);
    }
    console_log!(
        "BENCH filter + search over 10k wishes, median of 20: {:.2} ms",
        median(filters)
    );
    store.close();
    Store::delete(name).await.unwrap();
}
