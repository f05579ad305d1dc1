// Lighthouse (12.2.3, npm; 13 needs Node 22) against the release build served
// by the real server with the demo community, in Debian's Chromium: the
// landing page a newcomer opens (/, not joined), mobile preset (simulated
// slow 4G, 4× CPU slowdown). Median of the runs by performance score, the
// top opportunities of that run, and installability (manifest, service
// worker, icons), which Lighthouse 12 no longer audits, asked from
// Chromium itself (CDP Page.getInstallabilityErrors). Figures: BENCHMARKS.md.
//
//   node tests/bench/lighthouse.mjs      (./dev bench runs it)
//
// Knobs: BENCH_LH_RUNS=3, LINLI_SERVER_BIN (target/release/linli-server),
// LINLI_DIST (dist), CHROMIUM (/usr/bin/chromium), BENCH_LH_JSON=path (the
// median run's full report).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { chromium } from "@playwright/test";
import { CHROMIUM, CHROMIUM_ARGS } from "../chromium.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const RUNS = Math.max(1, Number.parseInt(process.env.BENCH_LH_RUNS || "3", 10) || 3);
const BIN = resolve(ROOT, process.env.LINLI_SERVER_BIN || "target/release/linli-server");
const DIST = resolve(ROOT, process.env.LINLI_DIST || "dist");
const log = (...a) => console.log("[lighthouse]", ...a);

const data = mkdtempSync(join(tmpdir(), "linli-lh-"));
const server = spawn(BIN, ["serve", "--demo", "--addr", "127.0.0.1:0", "--dist", DIST, "--data", data], {
  stdio: ["ignore", "pipe", "pipe"],
});
const cleanup = () => {
  if (server.exitCode === null) server.kill("SIGTERM");
  rmSync(data, { recursive: true, force: true });
};
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

const url = await new Promise((ok, fail) => {
  let out = "";
  const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 60_000);
  const on = (c) => {
    out += c;
    const m = /serving at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
    if (m) {
      clearTimeout(timer);
      ok(m[1]);
    }
  };
  server.stdout.on("data", on);
  server.stderr.on("data", on);
  server.on("exit", (code) => fail(new Error(`server exited (${code}):\n${out}`)));
});
const page = `${url}/`;
log(`target ${page} · load ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);

// Flags: the project's set minus the fake camera; headless.
const flags = ["--headless=new", ...CHROMIUM_ARGS.filter((f) => !f.includes("fake"))];
const runs = [];
for (let i = 0; i < RUNS; i++) {
  const profile = mkdtempSync(join(tmpdir(), "linli-lh-profile-"));
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM,
    chromeFlags: flags,
    userDataDir: profile,
  });
  try {
    const result = await lighthouse(page, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "accessibility", "best-practices"],
    });
    const lhr = result.lhr;
    const score = (c) => Math.round((lhr.categories[c]?.score ?? 0) * 100);
    const ms = (a) => lhr.audits[a]?.numericValue ?? NaN;
    const run = {
      performance: score("performance"),
      accessibility: score("accessibility"),
      bestPractices: score("best-practices"),
      fcp: ms("first-contentful-paint"),
      lcp: ms("largest-contentful-paint"),
      tbt: ms("total-blocking-time"),
      si: ms("speed-index"),
      cls: lhr.audits["cumulative-layout-shift"]?.numericValue ?? NaN,
      bytes: lhr.audits["total-byte-weight"]?.numericValue ?? NaN,
      opportunities: Object.values(lhr.audits)
        .filter((a) => a.details?.type === "opportunity" && (a.details.overallSavingsMs ?? 0) > 0)
        .sort((a, b) => b.details.overallSavingsMs - a.details.overallSavingsMs)
        .slice(0, 5)
        .map((a) => `${a.id} (${Math.round(a.details.overallSavingsMs)} ms)`),
      failed: ["accessibility", "best-practices"].flatMap((c) =>
        (lhr.categories[c]?.auditRefs ?? [])
          .map((r) => lhr.audits[r.id])
          .filter((a) => a && a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary")
          .map((a) => a.id),
      ),
      report: result.report,
    };
    runs.push(run);
    log(
      `run ${i + 1}: performance ${run.performance} (FCP ${run.fcp.toFixed(0)} ms, LCP ${run.lcp.toFixed(0)} ms, ` +
        `TBT ${run.tbt.toFixed(0)} ms, SI ${run.si.toFixed(0)} ms, CLS ${run.cls.toFixed(3)}, ` +
        `${(run.bytes / 1024).toFixed(1)} KB transferred), accessibility ${run.accessibility}, ` +
        `best practices ${run.bestPractices}`,
    );
  } finally {
    await chrome.kill();
    rmSync(profile, { recursive: true, force: true });
  }
}

runs.sort((a, b) => a.performance - b.performance);
const median = runs[runs.length >> 1];
log(
  `MEDIAN of ${runs.length}: performance ${median.performance}, accessibility ${median.accessibility}, ` +
    `best practices ${median.bestPractices}; LCP ${median.lcp.toFixed(0)} ms, TBT ${median.tbt.toFixed(0)} ms, ` +
    `FCP ${median.fcp.toFixed(0)} ms, SI ${median.si.toFixed(0)} ms`,
);
log(`top opportunities: ${median.opportunities.join(", ") || "none"}`);
if (median.failed.length) log(`failed accessibility/best-practice audits: ${median.failed.join(", ")}`);
if (process.env.BENCH_LH_JSON) writeFileSync(process.env.BENCH_LH_JSON, median.report);

// Installability as Chromium decides it (the service worker must control
// the page and the manifest must be fetched: wait for both, then ask).
// A persistent profile: Chromium reports every default (incognito-like)
// Playwright context as `in-incognito`, which says nothing about the app.
const profile = mkdtempSync(join(tmpdir(), "linli-lh-install-"));
const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const p = ctx.pages()[0] ?? (await ctx.newPage());
  await p.goto(page);
  await p.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 }).catch(() => {});
  const cdp = await ctx.newCDPSession(p);
  let errors = [];
  for (let i = 0; i < 20; i++) {
    ({ installabilityErrors: errors } = await cdp.send("Page.getInstallabilityErrors"));
    if (errors.length === 0) break;
    await p.waitForTimeout(500);
  }
  const manifest = await cdp.send("Page.getAppManifest");
  log(
    errors.length === 0
      ? `installable: yes (manifest ${manifest.url.replace(url, "")}, service worker controls the page)`
      : `installable: NO — ${errors.map((e) => e.errorId).join(", ")}`,
  );
  if (errors.length) process.exitCode = 1;
} finally {
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
