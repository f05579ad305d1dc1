// Initial pull benchmark: a fresh browser joins a community of N ops and
// pulls the whole log until the app is usable (linli), against PouchDB
// replicating the same N documents from pouchdb-server (npm) into
// IndexedDB, in the same run, alternating, medians. Figures: BENCHMARKS.md.
//
//   node tests/bench/pull.mjs          (./dev bench runs it)
//
// Knobs (environment):
//   BENCH_PULL_OPS=100000   ops in the log = documents in PouchDB
//   BENCH_PULL_RUNS=3       runs of each side (alternating which goes first)
//   BENCH_PULL_SIDES=linli,pouchdb   which sides to run
//   BENCH_POUCH_BATCH=100   PouchDB replication batch_size (100 is its default)
//   BENCH_PULL_TIMEOUT=600  seconds a single run may take
//   BENCH_PULL_PROFILE=1    one more linli run (not timed) under the CPU
//                           profiler: where the main thread's time went
//   LINLI_SERVER_BIN (target/release/linli-server), LINLI_DIST (dist),
//   CHROMIUM (/usr/bin/chromium)
//
// Everything listens on 127.0.0.1. Each run is a new Chromium profile on
// disk (so IndexedDB is on disk, as on a phone), started before the clock.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, cpus, totalmem, loadavg } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { CHROMIUM, CHROMIUM_ARGS } from "../chromium.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const int = (name, dflt) => {
  const v = Number.parseInt(process.env[name] ?? "", 10);
  return Number.isFinite(v) && v > 0 ? v : dflt;
};
const OPS = int("BENCH_PULL_OPS", 100_000);
const RUNS = int("BENCH_PULL_RUNS", 3);
const POUCH_BATCH = int("BENCH_POUCH_BATCH", 100);
const TIMEOUT_MS = int("BENCH_PULL_TIMEOUT", 600) * 1000;
const PROFILE = process.env.BENCH_PULL_PROFILE === "1";
const SIDES = (process.env.BENCH_PULL_SIDES || "linli,pouchdb").split(",").map((s) => s.trim());
const BIN = resolve(ROOT, process.env.LINLI_SERVER_BIN || "target/release/linli-server");
const DIST = resolve(ROOT, process.env.LINLI_DIST || "dist");
const POUCH_SERVER = join(ROOT, "node_modules/pouchdb-server/bin/pouchdb-server");
const POUCH_BROWSER = join(ROOT, "node_modules/pouchdb/dist/pouchdb.min.js");

const log = (...a) => console.log("[pull]", ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const secs = (ms) => (ms / 1000).toFixed(2);

const children = [];
function run(cmd, args, opts = {}) {
  const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
  children.push(proc);
  return proc;
}
function cleanup() {
  for (const p of children) if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

/** Resolves with the first match of `re` in the process's output. */
function waitFor(proc, re, what, ms = 60_000) {
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${out}`)), ms);
    const on = (chunk) => {
      out += chunk;
      const m = re.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    proc.stdout.on("data", on);
    proc.stderr.on("data", on);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}):\n${out}`));
    });
  });
}

async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

async function json(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method || "GET"} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

// ── linli: seed, serve ──────────────────────────────────────────────────────

async function seedLinli(data) {
  const t = Date.now();
  const proc = run(BIN, ["bench-seed", "--data", data, "--ops", String(OPS), "--code-uses", "10000"]);
  let out = "";
  proc.stdout.on("data", (c) => (out += c));
  proc.stderr.on("data", (c) => (out += c));
  const code = await new Promise((r) => proc.on("exit", r));
  if (code !== 0) throw new Error(`bench-seed failed (${code}):\n${out}`);
  const seeded = JSON.parse(out.trim().split("\n").pop());
  log(`seeded ${seeded.ops} ops (${seeded.merged_segments} merged + ${seeded.chain_segments} chain segments) in ${secs(Date.now() - t)} s`);
  return seeded;
}

async function startLinli(data) {
  const proc = run(BIN, ["serve", "--addr", "127.0.0.1:0", "--dist", DIST, "--data", data]);
  const m = await waitFor(proc, /serving at (http:\/\/127\.0\.0\.1:\d+)\//, "linli-server");
  return m[1];
}

/** The log's entries as the endpoint serves them (one join, bound code: no op added). */
async function linliEntries(url, seeded) {
  const joined = await json(`${url}/api/v1/join`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code: seeded.code, display_name: "bench loader" }),
  });
  const auth = { headers: { authorization: `Bearer ${joined.token}` } };
  const base = `${url}/api/v1/communities/${joined.community}`;
  const head = await json(`${base}/head`, auth);
  const entries = [];
  for (const s of head.segments) {
    const seg = await json(`${base}/segments/${encodeURIComponent(s.name)}`, auth);
    for (const e of seg.entries) if (e.seq > entries.length) entries.push(e);
  }
  if (entries.length !== head.seq) throw new Error(`pulled ${entries.length} of ${head.seq} entries`);
  return { entries, head };
}

// ── PouchDB: serve, load ────────────────────────────────────────────────────

async function startPouch(dir) {
  const port = await freePort();
  // pouchdb-server writes config.json and log.txt into its working directory.
  const proc = run(process.execPath, [POUCH_SERVER, "--in-memory", "--no-stdout-logs", "--host", "127.0.0.1", "--port", String(port)], { cwd: dir });
  proc.stdout.on("data", () => {});
  proc.stderr.on("data", () => {});
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(url + "/");
      if (r.ok) return url;
    } catch {}
    if (proc.exitCode !== null) throw new Error(`pouchdb-server exited (${proc.exitCode})`);
    await sleep(100);
  }
  throw new Error("pouchdb-server did not start");
}

async function loadPouch(url, entries) {
  const t = Date.now();
  await json(`${url}/bench`, { method: "PUT" });
  const BATCH = 2000;
  for (let i = 0; i < entries.length; i += BATCH) {
    // Each log entry ({seq, op}) as one document, keyed by its seq.
    const docs = entries.slice(i, i + BATCH).map((e) => ({ _id: String(e.seq).padStart(10, "0"), ...e }));
    const res = await json(`${url}/bench/_bulk_docs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ docs }),
    });
    const bad = res.find((r) => !r.ok);
    if (bad) throw new Error(`_bulk_docs: ${JSON.stringify(bad)}`);
  }
  const info = await json(`${url}/bench`);
  if (info.doc_count !== entries.length) throw new Error(`pouchdb-server holds ${info.doc_count} docs`);
  log(`loaded ${info.doc_count} docs into pouchdb-server in ${secs(Date.now() - t)} s`);
}

// ── the browser runs ────────────────────────────────────────────────────────

async function browser() {
  const profile = mkdtempSync(join(tmpdir(), "linli-bench-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] || (await context.newPage());
  return {
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Resource timings of the page (same clock as performance.now()). */
const resources = (page) =>
  page.evaluate(() =>
    performance.getEntriesByType("resource").map((r) => ({
      name: r.name,
      start: r.startTime,
      responseStart: r.responseStart,
      end: r.responseEnd,
      bytes: r.transferSize,
      body: r.decodedBodySize,
    })),
  );

async function runLinli(url, seeded, { profile = false } = {}) {
  const b = await browser();
  try {
    const { page } = b;
    const cdp = profile ? await page.context().newCDPSession(page) : null;
    await page.goto(`${url}/join?code=${encodeURIComponent(seeded.code)}`);
    await page.getByLabel("邀请码").waitFor();
    // The app shell is loaded and its service worker installed (a person
    // takes longer than that to read the page), so neither is in the time.
    await page.evaluate(() =>
      Promise.race([navigator.serviceWorker?.ready, new Promise((r) => setTimeout(r, 10_000))]),
    );
    await page.evaluate(() => {
      performance.setResourceTimingBufferSize(100_000);
      window.__synced = null;
      const done = () =>
        [...document.querySelectorAll('[role="status"]')].some((e) => /同步状态: 已同步/.test(e.getAttribute("aria-label") || ""));
      new MutationObserver(() => {
        if (window.__synced === null && done()) window.__synced = performance.now();
      }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
      window.__t0 = performance.now();
    });
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
      await cdp.send("Profiler.start");
    }
    await page.getByRole("button", { name: "加入", exact: true }).click();
    await page.waitForFunction(() => window.__synced !== null, null, { timeout: TIMEOUT_MS, polling: 200 });
    const cpu = cdp ? summarize((await cdp.send("Profiler.stop")).profile) : null;
    const { t0, t1 } = await page.evaluate(() => ({ t0: window.__t0, t1: window.__synced }));
    const res = (await resources(page)).filter((r) => r.start >= t0 - 1);
    // Check: the whole log is in the store and folded.
    await page.goto(`${url}/settings`);
    const want = `本机已有社区记录：${seeded.ops} 条`;
    await page.getByText(want).waitFor({ timeout: 60_000 });
    return { ms: t1 - t0, phases: linliPhases(res, t0, t1), cpu };
  } finally {
    await b.close();
  }
}

/** Main-thread time of a CPU profile by kind (the wasm has no names). */
function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const kinds = new Map();
  const js = new Map();
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] || 0) / 1000;
    const { functionName: fn, url } = byId.get(id).callFrame;
    let kind;
    if (fn === "(idle)") kind = "idle (waiting: network, IndexedDB commits)";
    else if (fn === "(garbage collector)") kind = "garbage collection";
    else if (fn === "(program)") kind = "browser (program)";
    else if (url.startsWith("wasm://") || /^\$|wasm-function/.test(fn)) kind = "wasm (JSON decode, fold, encode)";
    else if (/\/linli-[0-9a-f]+\.js$/.test(url)) kind = "wasm-bindgen glue (JS)";
    else {
      kind = "other JS / browser APIs";
      const k = `${fn || "(anonymous)"} ${url.split("/").pop()}`;
      js.set(k, (js.get(k) || 0) + dt);
    }
    kinds.set(kind, (kinds.get(kind) || 0) + dt);
  });
  const top = [...js].sort((a, b) => b[1] - a[1]).slice(0, 6);
  return { kinds: [...kinds].sort((a, b) => b[1] - a[1]), top };
}

/** Where linli's time went, from resource timings of one run. */
function linliPhases(res, t0, t1) {
  const segs = res.filter((r) => r.name.includes("/segments/")).sort((a, b) => a.start - b.start);
  const api = res.filter((r) => r.name.includes("/api/"));
  if (!segs.length) return null;
  let net = 0;
  let ttfb = 0;
  let between = 0;
  for (let i = 0; i < segs.length; i++) {
    net += segs[i].end - segs[i].start;
    ttfb += segs[i].responseStart - segs[i].start;
    if (i + 1 < segs.length) between += Math.max(0, segs[i + 1].start - segs[i].end);
  }
  return {
    segments: segs.length,
    requests: api.length,
    bytes: api.reduce((s, r) => s + (r.bytes || 0), 0),
    body: api.reduce((s, r) => s + (r.body || 0), 0),
    beforeFirst: segs[0].start - t0, // join, head, store setup
    network: net, // segment requests, first byte to last
    ttfb,
    between, // after a segment arrived, before the next is asked: parse, IDB, fold
    after: t1 - segs[segs.length - 1].end, // last segment's parse/IDB/fold, snapshot, private, status
  };
}

async function runPouch(url, count) {
  const b = await browser();
  try {
    const { page } = b;
    // The test page and PouchDB's browser build on pouchdb-server's origin
    // (no CORS), answered by Playwright; the routes go before the clock.
    await page.route(`${url}/__bench/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === "/__bench/pouchdb.min.js") return route.fulfill({ path: POUCH_BROWSER, contentType: "text/javascript" });
      return route.fulfill({
        contentType: "text/html",
        body: '<!doctype html><meta charset="utf-8"><title>pouch</title><script src="/__bench/pouchdb.min.js"></script>',
      });
    });
    await page.goto(`${url}/__bench/index.html`);
    await page.waitForFunction(() => typeof window.PouchDB === "function");
    await page.unrouteAll();
    const out = await page.evaluate(
      async ({ remote, batch }) => {
        performance.setResourceTimingBufferSize(100_000);
        const local = new PouchDB("bench-local");
        const t0 = performance.now();
        const result = await PouchDB.replicate(remote, local, { batch_size: batch });
        const t1 = performance.now();
        const info = await local.info();
        const api = performance
          .getEntriesByType("resource")
          .filter((r) => r.startTime >= t0 - 1 && r.name.startsWith(remote));
        return {
          ms: t1 - t0,
          adapter: local.adapter,
          docs: info.doc_count,
          written: result.docs_written,
          requests: api.length,
          bytes: api.reduce((s, r) => s + (r.transferSize || 0), 0),
          network: api.reduce((s, r) => s + (r.responseEnd - r.startTime), 0),
        };
      },
      { remote: `${url}/bench`, batch: POUCH_BATCH },
    );
    if (out.docs !== count) throw new Error(`PouchDB replicated ${out.docs} of ${count} docs`);
    return out;
  } finally {
    await b.close();
  }
}

// ── main ────────────────────────────────────────────────────────────────────

async function main() {
  if (!existsSync(BIN)) throw new Error(`no server binary at ${BIN} (cargo build --release -p linli-server)`);
  if (!existsSync(join(DIST, "index.html"))) throw new Error(`no app build in ${DIST} (trunk build --release)`);
  const work = mkdtempSync(join(tmpdir(), "linli-bench-pull-"));
  log(`${OPS} ops, ${RUNS} runs per side (${SIDES.join(", ")}); work dir ${work}`);
  const data = join(work, "data");
  const seeded = await seedLinli(data);
  const linliUrl = await startLinli(data);
  const { entries } = await linliEntries(linliUrl, seeded);
  const json_bytes = entries.reduce((s, e) => s + JSON.stringify(e).length, 0);
  log(`log: ${entries.length} entries, ${(json_bytes / 1e6).toFixed(1)} MB of JSON (${Math.round(json_bytes / entries.length)} B/entry)`);

  let pouchUrl = null;
  if (SIDES.includes("pouchdb")) {
    if (!existsSync(POUCH_SERVER) || !existsSync(POUCH_BROWSER)) throw new Error("pouchdb-server / pouchdb missing from node_modules (npm ci)");
    pouchUrl = await startPouch(work);
    await loadPouch(pouchUrl, entries);
  }
  entries.length = 0;

  const results = { linli: [], pouchdb: [] };
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 === 0 ? ["linli", "pouchdb"] : ["pouchdb", "linli"];
    for (const side of order) {
      if (!SIDES.includes(side)) continue;
      const r = side === "linli" ? await runLinli(linliUrl, seeded) : await runPouch(pouchUrl, seeded.ops);
      results[side].push(r);
      const extra =
        side === "linli"
          ? r.phases
            ? `${r.phases.segments} segments; before first ${secs(r.phases.beforeFirst)} s, segment requests ${secs(r.phases.network)} s, between segments ${secs(r.phases.between)} s, after last ${secs(r.phases.after)} s`
            : ""
          : `${r.requests} requests, adapter ${r.adapter}, request time ${secs(r.network)} s`;
      log(`run ${i + 1} ${side}: ${secs(r.ms)} s  (${extra})`);
    }
  }

  console.log(`\nInitial pull of ${seeded.ops} ops into a fresh browser (Chromium ${CHROMIUM}), ${RUNS} runs each, alternating\n`);
  console.log("| side | runs (s) | median (s) | ops/s | requests | transferred |");
  console.log("|---|---|---|---|---|---|");
  const med = {};
  for (const side of ["linli", "pouchdb"]) {
    const rs = results[side];
    if (!rs.length) continue;
    med[side] = median(rs.map((r) => r.ms));
    const reqs = side === "linli" ? rs[0].phases?.requests : rs[0].requests;
    const bytes = side === "linli" ? rs[0].phases?.bytes : rs[0].bytes;
    const label = side === "linli" ? "linli (join → 已同步)" : `PouchDB ${POUCH_BATCH}/batch (replicate.from → complete)`;
    console.log(
      `| ${label} | ${rs.map((r) => secs(r.ms)).join(", ")} | ${secs(med[side])} | ${Math.round(seeded.ops / (med[side] / 1000))} | ${reqs ?? "?"} | ${bytes ? (bytes / 1e6).toFixed(1) + " MB" : "?"} |`,
    );
  }
  if (results.linli.length && results.linli[0].phases) {
    const p = (k) => median(results.linli.map((r) => r.phases[k]));
    console.log(
      `\nlinli phases (medians): join+head before the first segment ${secs(p("beforeFirst"))} s; ` +
        `segment requests ${secs(p("network"))} s (of it first byte ${secs(p("ttfb"))} s); ` +
        `between segments (parse, IndexedDB, fold) ${secs(p("between"))} s; after the last segment arrived ${secs(p("after"))} s`,
    );
  }
  if (PROFILE && SIDES.includes("linli")) {
    const r = await runLinli(linliUrl, seeded, { profile: true });
    console.log(`\nlinli under the CPU profiler (one more run, ${secs(r.ms)} s): main thread`);
    for (const [k, ms] of r.cpu.kinds) console.log(`  ${k}: ${secs(ms)} s`);
    console.log(`  of other JS: ${r.cpu.top.map(([k, ms]) => `${k} ${secs(ms)} s`).join("; ")}`);
  }
  if (med.linli && med.pouchdb) {
    const ratio = med.pouchdb / med.linli;
    console.log(`\nratio PouchDB / linli: ${ratio.toFixed(2)}×  (target ≥ 10× with batch_size 1000, issue 18: ${ratio >= 10 && POUCH_BATCH >= 1000 ? "met" : ratio >= 10 ? "met at this batch size; the target is against 1000" : "NOT met"})`);
  }
  if (med.linli) {
    const scaled = (med.linli * 100_000) / seeded.ops;
    console.log(`linli: ${secs(med.linli)} s for ${seeded.ops} ops (target ≤ 5 s for 100k: ${scaled <= 5_000 ? "met" : "NOT met"}${seeded.ops === 100_000 ? "" : ", scaled"})`);
  }
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model?.trim()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, load average at the end ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  rmSync(work, { recursive: true, force: true });
}

main().then(
  () => {
    cleanup();
    process.exit(0);
  },
  (e) => {
    console.error(e);
    cleanup();
    process.exit(1);
  },
);
