// Live sync: time from a resident's "提交心愿" on device A to the wish painted
// on the coordinator's 派单 board on device B (both online, real server on
// loopback, the long-polled head as the live channel; the 30 s poll would
// be far slower). BENCH_LIVE_SAMPLES samples (20); median and p95, written
// to target/bench-live.json. Figures: BENCHMARKS.md. Run by ./dev bench; alone:
//
//   npx playwright test -c playwright.bench.config.mjs tests/bench/live.bench.mjs
import { test, expect } from "@playwright/test";
import { writeFileSync, mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { startServer } from "../e2e/server.mjs";

const SAMPLES = Number.parseInt(process.env.BENCH_LIVE_SAMPLES || "20", 10);
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];

async function device(browser, url, code) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();
  await page.goto(`${url}/join?code=${encodeURIComponent(code)}`);
  await page.getByRole("button", { name: "加入", exact: true }).click();
  await expect(page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });
  return { context, page };
}

test("live sync: a wish filed on one device, painted on another", async ({ browser, request }) => {
  const server = await startServer({ demo: true });
  const samples = [];
  try {
    const demo = await (await request.get(server.url + "/api/v1/demo")).json();
    const code = (role) => demo.codes.find((c) => c.role === role).code;
    const a = await device(browser, server.url, code("resident"));
    const b = await device(browser, server.url, code("coordinator"));
    await a.page.goto(server.url + "/wishes");
    await b.page.goto(server.url + "/board");
    for (let i = 0; i < SAMPLES; i++) {
      const title = `实时同步测试 ${i}`;
      await a.page.getByLabel("类别", { exact: true }).selectOption("repair");
      await a.page.getByLabel("标题", { exact: true }).fill(title);
      const t0 = performance.now();
      await a.page.getByRole("button", { name: "提交心愿" }).click();
      await expect(b.page.getByText(title).first()).toBeVisible({ timeout: 40_000 });
      samples.push(performance.now() - t0);
    }
    await a.context.close();
    await b.context.close();
  } finally {
    await server.kill();
  }
  const row = {
    samples: samples.length,
    median_ms: Math.round(pct(samples, 0.5)),
    p95_ms: Math.round(pct(samples, 0.95)),
    max_ms: Math.round(Math.max(...samples)),
  };
  console.log(`\nLive sync, push on A → painted on B (load ${loadavg().map((l) => l.toFixed(1)).join(" ")})`);
  console.table([row]);
  mkdirSync("target", { recursive: true });
  writeFileSync("target/bench-live.json", JSON.stringify({ load: loadavg(), ...row, all_ms: samples.map(Math.round) }, null, 2));
});
