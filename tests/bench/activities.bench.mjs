// Activity pages with a big community: a coordinator's device holding
// 1,000 activities with 20,000 attendances (demo::synthetic_activities, ~61k
// ops, from a backup file) goes through the calendar and a roster
// (tests/e2e/activity-steps.mjs), each step timed from the action to its
// visible result, median of BENCH_PAGES_RUNS runs (5). The bar:
// under 100 ms per interaction. Written to target/bench-activities.json;
// figures in BENCHMARKS.md. Run by ./dev bench; alone:
//
//   npx playwright test -c playwright.bench.config.mjs activities
import { test } from "@playwright/test";
import { writeFileSync, mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { startServer } from "../e2e/server.mjs";
import { seedAs } from "../e2e/workflow-seed.mjs";
import { activitySteps, openApp } from "../e2e/activity-steps.mjs";

const RUNS = Number.parseInt(process.env.BENCH_PAGES_RUNS || "5", 10);
const ACTIVITIES = Number.parseInt(process.env.BENCH_ACTIVITIES || "1000", 10);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test(`activity pages with ${ACTIVITIES} activities`, async ({ browser }) => {
  const server = await startServer();
  let rows;
  try {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const page = await context.newPage();
    await seedAs(page, server.url, "c1", { activities: ACTIVITIES });
    await openApp(page, server.url);
    const steps = activitySteps(page);
    const times = steps.map(() => []);
    for (let run = 0; run < RUNS; run++) {
      for (const [i, step] of steps.entries()) {
        const t0 = performance.now();
        await step.run();
        times[i].push(performance.now() - t0);
      }
    }
    rows = steps.map((s, i) => ({ step: s.name, ms: Math.round(median(times[i])), max_ms: Math.round(Math.max(...times[i])) }));
    // In the page, without Playwright's polling: from the click to the frame
    // after it (the app's reactive work runs in microtasks before it).
    const frame = (selector, text) =>
      page.evaluate(
        ([selector, text]) =>
          new Promise((resolve) => {
            const el = [...document.querySelectorAll(selector)].find((e) => e.textContent.trim() === text);
            const t0 = performance.now();
            el.click();
            requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0)));
          }),
        [selector, text],
      );
    const nav = "nav a";
    const clicks = [
      ["open the calendar", nav, "活动"],
      ["previous month", "button", "上个月"],
      ["previous month again", "button", "上个月"],
      ["next month", "button", "下个月"],
      ["back to the home page", nav, "首页"],
    ];
    const inPage = clicks.map(() => []);
    for (let run = 0; run < RUNS; run++) {
      for (const [i, [, selector, text]] of clicks.entries()) inPage[i].push(await frame(selector, text));
    }
    rows = rows.concat(
      clicks.map(([name], i) => ({ step: `in page: ${name}`, ms: Math.round(median(inPage[i])), max_ms: Math.round(Math.max(...inPage[i])) })),
    );
    await context.close();
  } finally {
    await server.kill();
  }
  console.log(`\nActivity pages, ${ACTIVITIES} activities × 20 attendances, median of ${RUNS} runs (ms; load ${loadavg().map((l) => l.toFixed(1)).join(" ")})`);
  console.table(rows);
  mkdirSync("target", { recursive: true });
  writeFileSync("target/bench-activities.json", JSON.stringify({ runs: RUNS, activities: ACTIVITIES, load: loadavg(), rows }, null, 2));
});
