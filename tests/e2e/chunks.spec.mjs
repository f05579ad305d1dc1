// Route splitting (issue 18, docs/client.md "Build and chunks"): the pages
// outside home/join are lazily loaded wasm chunks. Every chunk must open
// offline once the service worker is installed, and a chunk that cannot be
// fetched must leave the app working with a message, not abort it.
import { test, expect } from "./csp.mjs";
import { startServer } from "./server.mjs";
import { seedAs } from "./workflow-seed.mjs";

let server;
test.beforeEach(async () => {
  server = await startServer();
});
test.afterEach(async () => {
  await server?.kill();
});

test("after one visit to the home page, every chunk's pages and English open offline", async ({ page }) => {
  await seedAs(page, server.url, "c1");
  await page.goto(server.url + "/");
  await expect(page.getByRole("heading", { level: 1, name: "欢迎使用邻里" })).toBeVisible();
  await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller !== null, null, {
    timeout: 30_000,
  });
  // Every wasm of the build is in the cache before the server goes away.
  const cached = await page.evaluate(async () => {
    const cache = await caches.open((await caches.keys()).find((k) => k.startsWith("linli-shell-")));
    return (await cache.keys()).map((r) => new URL(r.url).pathname).filter((p) => p.endsWith(".wasm"));
  });
  expect(cached.filter((p) => p.startsWith("/split_")).length).toBeGreaterThanOrEqual(6);

  const addr = server.addr;
  await server.kill();
  server = null;
  for (const [path, heading] of [
    ["/wishes", "心愿清单"],
    ["/activities", "活动"],
    ["/care", "关爱走访"],
    ["/dashboard", "数据看板"],
    ["/street", "上报事项"],
    ["/settings", "设置"],
  ]) {
    await page.goto(`http://${addr}${path}`);
    await expect(page.getByRole("heading", { level: 1, name: heading, exact: true })).toBeVisible();
  }
  await page.getByRole("button", { name: /^切换语言：\s*English$/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
});

test.describe("without a service worker", () => {
  test.use({ serviceWorkers: "block" });

  test("a chunk that cannot be fetched shows a message, and the next visit loads it", async ({ page }) => {
    await seedAs(page, server.url, "c1");
    let refuse = true;
    await page.route(/\/split_linli_activities-[0-9a-f]+\.wasm$/, (route) => (refuse ? route.abort() : route.continue()));
    await page.goto(server.url + "/");
    await expect(page.getByRole("heading", { level: 1, name: "欢迎使用邻里" })).toBeVisible();
    const nav = page.getByRole("navigation", { name: "主导航" });
    await nav.getByRole("link", { name: "活动", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: "这一页还没有下载" })).toBeVisible();
    await expect(page.getByRole("alert")).toContainText("联网后再打开这一页");
    // The rest of the app still works…
    await nav.getByRole("link", { name: "心愿", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: "心愿清单" })).toBeVisible();
    // …and a failed load is not remembered: back online, the page opens.
    refuse = false;
    await nav.getByRole("link", { name: "活动", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: "活动", exact: true })).toBeVisible();
  });
});
