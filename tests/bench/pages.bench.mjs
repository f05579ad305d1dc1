// Pages with a big community: a device holding 10,000 wishes (61k ops, from
// a backup file) and the demo community (~40 wishes) go through the same
// steps (tests/e2e/big-lists.mjs: start on the wishes page, page on, filter,
// board, search, dashboard, volunteers), each timed from the action to its
// visible result, median of BENCH_PAGES_RUNS runs (5). Reported as a table
// with the 10k/demo ratio; written to target/bench-pages.json. Figures:
// BENCHMARKS.md. Run by ./dev bench; alone:
//
//   npx playwright test -c playwright.bench.config.mjs
import { test } from "@playwright/test";
import { writeFileSync, mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { startServer } from "../e2e/server.mjs";
import { seedAs } from "../e2e/workflow-seed.mjs";
import { bigListSteps } from "../e2e/big-lists.mjs";

const RUNS = Number.parseInt(process.env.BENCH_PAGES_RUNS || "5", 10);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test("pages with 10,000 wishes against the demo community", async ({ browser }) => {
  const server = await startServer();
  const results = {};
  try {
    // The demo community's own size: what the wishes page counts.
    for (const [label, synthetic] of [["demo", 0], ["10k", 10_000]]) {
      const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
      const page = await context.newPage();
      await seedAs(page, server.url, "c1", synthetic ? { synthetic } : {});
      await page.goto(server.url + "/wishes");
      const total = synthetic || Number((await page.getByText(/共 \d+ 条/).textContent()).match(/\d+/)[0]);
      // The demo community has fewer than 100 wishes: "show more" has nothing to show.
      const steps = bigListSteps(page, server.url, total).filter((s) => total > 50 || s.name !== "show 50 more");
      const times = Object.fromEntries(steps.map((s, i) => [i, []]));
      for (let run = 0; run < RUNS; run++) {
        let previous = 0;
        for (const [i, step] of steps.entries()) {
          const t0 = performance.now();
          await step.run();
          // A step "since_previous" is timed from the start of the one before.
          times[i].push(performance.now() - (step.since_previous ? previous : t0));
          previous = t0;
        }
      }
      results[label] = { total, steps: steps.map((s, i) => ({ name: s.name.replace(/\d+$/, "N"), ms: median(times[i]) })) };
      await context.close();
    }
  } finally {
    await server.kill();
  }
  const rows = results["10k"].steps.map((s) => {
    const demo = results.demo.steps.find((d) => d.name === s.name);
    return { step: s.name, demo_ms: demo ? Math.round(demo.ms) : null, tenk_ms: Math.round(s.ms), ratio: demo ? +(s.ms / demo.ms).toFixed(2) : null };
  });
  console.log(`\nPages, median of ${RUNS} runs (ms from the action to its visible result; load ${loadavg().map((l) => l.toFixed(1)).join(" ")})`);
  console.log(`demo community: ${results.demo.total} wishes; big: ${results["10k"].total}`);
  console.table(rows);
  mkdirSync("target", { recursive: true });
  writeFileSync("target/bench-pages.json", JSON.stringify({ runs: RUNS, load: loadavg(), rows }, null, 2));
});
