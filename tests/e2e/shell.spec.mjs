// The walking skeleton, as a person on a phone would meet it.
import { test, expect } from "./csp.mjs";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { startServer, nextBuild } from "./server.mjs";
import { seedAs } from "./workflow-seed.mjs";

const require = createRequire(import.meta.url);
// Evaluated through DevTools: the app's CSP refuses an injected <script>.
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const ROUTES = ["/", "/wishes", "/board", "/orders", "/volunteers", "/dashboard", "/settings", "/join", "/invite", "/resources", "/admin", "/inbox", "/care", "/activities", "/pass", "/kiosk/check-in", "/activities/a1/check-in", "/activities/a1/code", "/street", "/street/dashboard"];

let server;
test.beforeEach(async () => {
  server = await startServer();
});
test.afterEach(async () => {
  await server?.kill();
});

async function waitForServiceWorker(page) {
  await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller !== null, null, {
    timeout: 30_000,
  });
}

test("loads in Chinese by default, with every route reachable from the navigation", async ({ page }) => {
  // A coordinator's device: the navigation offers every page (other roles
  // see fewer, linli_core::nav::pages).
  await seedAs(page, server.url, "c1");
  await page.goto(server.url + "/");
  await expect(page.getByRole("heading", { level: 1, name: "欢迎使用邻里" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  const nav = page.getByRole("navigation", { name: "主导航" });
  for (const [name, heading] of [
    ["心愿", "心愿清单"],
    ["派单", "派单看板"],
    ["接单", "接单"],
    ["活动", "活动"],
    ["志愿者", "志愿者与服务队"],
    ["看板", "数据看板"],
    ["设置", "设置"],
    ["首页", "欢迎使用邻里"],
  ]) {
    await nav.getByRole("link", { name, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: heading, exact: true })).toBeVisible();
    await expect(nav.getByRole("link", { name, exact: true })).toHaveAttribute("aria-current", "page");
  }
  await page.goto(server.url + "/no/such/page");
  await expect(page.getByRole("heading", { level: 1, name: "找不到这个页面" })).toBeVisible();
});

test("switching to English persists across a reload", async ({ page }) => {
  await page.goto(server.url + "/settings");
  await page.getByRole("button", { name: /^切换语言：\s*English$/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main navigation" })).toBeVisible();
  await page.getByLabel("Interface language").selectOption("zh-CN");
  await expect(page.getByRole("heading", { level: 1, name: "设置" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "设置" })).toBeVisible();
});

test("the manifest is served and describes an installable app", async ({ page, request }) => {
  const res = await request.get(server.url + "/manifest.webmanifest");
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("application/manifest+json");
  expect(res.headers()["cache-control"]).toBe("no-cache");
  const manifest = await res.json();
  expect(manifest.name).toBe("邻里");
  expect(manifest.short_name).toBeTruthy();
  expect(manifest.display).toBe("standalone");
  expect(manifest.start_url).toBe("/");
  expect(manifest.scope).toBe("/");
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
  const purposes = new Set();
  for (const icon of manifest.icons) {
    const png = await request.get(server.url + icon.src);
    expect(png.status(), icon.src).toBe(200);
    expect(png.headers()["content-type"]).toBe("image/png");
    const body = await png.body();
    // PNG signature, then IHDR width and height.
    expect(body.subarray(1, 4).toString()).toBe("PNG");
    const size = `${body.readUInt32BE(16)}x${body.readUInt32BE(20)}`;
    expect(size, icon.src).toBe(icon.sizes);
    purposes.add(`${icon.sizes} ${icon.purpose}`);
  }
  for (const want of ["192x192 any", "512x512 any", "192x192 maskable", "512x512 maskable"]) {
    expect(purposes).toContain(want);
  }
  await page.goto(server.url + "/");
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute("href", "/manifest.webmanifest");
  await waitForServiceWorker(page);
});

test("starts offline after one visit, keeps saving locally, and offers an update", async ({ page }) => {
  await page.goto(server.url + "/settings");
  await waitForServiceWorker(page);
  const field = page.getByLabel("设备名称");
  await expect(field).toBeEnabled();
  await field.fill("三网格王阿姨的手机");
  await page.getByRole("button", { name: "保存", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "已保存到本设备。" })).toBeVisible();

  // Stop the real server process: from now on only the service worker answers.
  const addr = server.addr;
  await server.kill();
  server = null;
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "设置" })).toBeVisible();
  await expect(page.getByLabel("设备名称")).toHaveValue("三网格王阿姨的手机");

  // Client-side navigation, and a full navigation to a deep link.
  // Not joined: the navigation offers home (with the way in) and settings only.
  const nav = page.getByRole("navigation", { name: "主导航" });
  await expect(nav.getByRole("link")).toHaveText(["首页", "设置"]);
  await nav.getByRole("link", { name: "首页" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "欢迎使用邻里" })).toBeVisible();
  // …and the home page shows the way in before anything else.
  await expect(page.getByRole("region", { name: "加入你的社区" }).getByRole("link", { name: "输入或扫描邀请码加入" })).toHaveAttribute("href", "/join");
  await page.goto(`http://${addr}/dashboard`);
  await expect(page.getByRole("heading", { level: 1, name: "数据看板" })).toBeVisible();
  await page.goto(`http://${addr}/wishes`);
  await expect(page.getByRole("heading", { level: 1, name: "心愿清单" })).toBeVisible();

  // Writes still work and survive a reload with no server.
  await page.goto(`http://${addr}/settings`);
  await page.getByLabel("设备名称").fill("服务中心平板");
  await page.getByRole("button", { name: "保存", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "已保存到本设备。" })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("设备名称")).toHaveValue("服务中心平板");

  // The server comes back with a new build: the app offers it, never swaps silently.
  server = await startServer({ addr, dist: nextBuild() });
  await page.reload();
  const banner = page.getByRole("alert").filter({ hasText: "有新版本可用。" });
  await expect(banner).toBeVisible({ timeout: 30_000 });
  await expect(page.getByLabel("设备名称")).toHaveValue("服务中心平板");
  const oldVersion = await page.evaluate(async () => (await caches.keys()).join(","));
  await banner.getByRole("button", { name: "重新加载" }).click();
  await expect(banner).toBeHidden({ timeout: 30_000 });
  await page.waitForFunction(
    (old) => caches.keys().then((keys) => keys.join(",") !== old && keys.every((k) => k.endsWith("-next"))),
    oldVersion,
    { timeout: 30_000 },
  );
  await expect(page.getByLabel("设备名称")).toHaveValue("服务中心平板");
});

for (const width of [360, 1024]) {
  test(`every page passes axe at ${width} px, in both languages`, async ({ page }, info) => {
    await page.setViewportSize({ width, height: width === 360 ? 740 : 768 });
    for (const lang of ["zh-CN", "en"]) {
      await page.goto(server.url + "/");
      await page.evaluate((l) => localStorage.setItem("linli.locale", l), lang);
      for (const route of ROUTES) {
        await page.goto(server.url + route);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        await page.evaluate(AXE);
        const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
        const bad = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
        expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`), `${lang} ${route}`).toEqual([]);
        // No page may scroll sideways on a phone.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${lang} ${route} horizontal overflow`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: info.outputPath(`${lang}${route.replace(/\//g, "_") || "_"}-${width}.png`), fullPage: true });
      }
    }
  });
}
