// Making a 12-megapixel photo small in the page (issue 20): a 4000×3000
// camera-like JPEG (noise over two colours, EXIF orientation 6 and GPS;
// tests/e2e/photo-fixture.mjs) through the app's own /lazy/photo.js, the
// way the wish form does it (a Worker with OffscreenCanvas), and for
// comparison on the main thread. Median of BENCH_PHOTO_RUNS (5) runs: time
// to shrink, bytes of the photo and of its thumbnail (what is uploaded per
// photo), and the main thread's longest task meanwhile (PerformanceObserver
// "longtask": tasks over 50 ms; 0 = none). Written to
// target/bench-photos.json; figures in BENCHMARKS.md. Run by ./dev bench;
// alone:
//
//   npx playwright test -c playwright.bench.config.mjs photos
import { test } from "@playwright/test";
import { writeFileSync, mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { startServer } from "../e2e/server.mjs";
import { jpegWithExif } from "../e2e/photo-fixture.mjs";

const RUNS = Number.parseInt(process.env.BENCH_PHOTO_RUNS || "5", 10);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test("shrink a 12-megapixel photo in the page", async ({ browser }) => {
  const server = await startServer();
  try {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const page = await context.newPage();
    await page.goto(server.url + "/");
    const input = await jpegWithExif(page, 4000, 3000);
    await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const s = document.createElement("script");
          s.src = "/lazy/photo.js";
          s.onload = resolve;
          s.onerror = reject;
          document.body.appendChild(s);
        }),
    );
    const rows = [];
    for (const [mode, fn] of [
      ["worker (the app's path)", "linliShrink"],
      ["main thread", "linliShrinkOnMainThread"],
    ]) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) {
        runs.push(
          await page.evaluate(
            async ([b64, fn]) => {
              const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
              const file = new File([bytes], "IMG.jpg", { type: "image/jpeg" });
              let longest = 0;
              const seen = new PerformanceObserver((list) => {
                for (const e of list.getEntries()) longest = Math.max(longest, e.duration);
              });
              seen.observe({ type: "longtask" });
              const t0 = performance.now();
              const r = await window[fn](file);
              const ms = performance.now() - t0;
              await new Promise((res) => setTimeout(res, 50));
              seen.disconnect();
              return { ms, longest, full: r.full.length, thumb: r.thumb.length, type: r.type, w: r.width, h: r.height };
            },
            [input.toString("base64"), fn],
          ),
        );
      }
      rows.push({
        mode,
        ms: Math.round(median(runs.map((r) => r.ms))),
        longest_task_ms: Math.round(median(runs.map((r) => r.longest))),
        max_longest_task_ms: Math.round(Math.max(...runs.map((r) => r.longest))),
        photo_bytes: median(runs.map((r) => r.full)),
        thumb_bytes: median(runs.map((r) => r.thumb)),
        type: runs[0].type,
        size: `${runs[0].w}×${runs[0].h}`,
      });
    }
    const out = { input_bytes: input.length, runs: RUNS, load: loadavg().map((l) => l.toFixed(1)), rows };
    console.log(JSON.stringify(out, null, 2));
    mkdirSync("target", { recursive: true });
    writeFileSync("target/bench-photos.json", JSON.stringify(out, null, 2));
    await context.close();
  } finally {
    await server.kill();
  }
});
