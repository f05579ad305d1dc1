// The newcomer's landing page, painted from index.html before the app's wasm
// is here (tools/prerender.mjs), then handed over to the app with nothing
// read differently and nothing moved.
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

/** Holds every wasm download until the returned function is called. */
async function holdWasm(page) {
  let release;
  const held = new Promise((r) => (release = r));
  await page.route(/\.wasm$/, async (route) => {
    await held;
    await route.continue().catch(() => {});
  });
  return release;
}

/** What a reader meets: the markup (without Leptos' comment markers and the
 * landing page's id), the texts and the place of every text element. */
function reading(page) {
  return page.evaluate(() => {
    const apps = document.querySelectorAll("body > .app");
    const root = apps[0];
    const markup = root.outerHTML.replace(/<!--[^>]*-->/g, "").replace(' id="landing"', "");
    const box = (e) =>
      ["x", "y", "width", "height"].map((k) => Math.round(e.getBoundingClientRect()[k])).join(",");
    return {
      apps: apps.length,
      markup,
      lang: document.documentElement.lang,
      header: root.querySelector(".app-header").innerText,
      nav: root.querySelector("nav").innerText,
      main: root.querySelector("main").innerText,
      boxes: [...root.querySelectorAll("h1, h2, p, a, button, li")].map((e) => `${e.tagName} ${box(e)}`),
    };
  });
}

test("a newcomer sees the landing page before the wasm arrives, and the app takes its place unchanged", async ({ browser }) => {
  for (const width of [360, 1024]) {
    // A first visit each time: no service worker yet (one would serve the
    // wasm from its cache, past the route that holds it).
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    const release = await holdWasm(page);
    await page.goto(server.url + "/", { waitUntil: "domcontentloaded" });
    await expect(page.getByRole("heading", { level: 1, name: "欢迎使用邻里" })).toBeVisible();
    await expect(page.getByRole("link", { name: "输入或扫描邀请码加入" })).toHaveAttribute("href", "/join");
    await expect(page.locator("#landing")).toHaveCount(1);
    const before = await reading(page);
    expect(before.lang).toBe("zh-CN");

    release();
    await expect(page.locator("#landing")).toHaveCount(0);
    await expect(page.locator("body > .app")).toHaveCount(1);
    expect(await reading(page)).toEqual(before);
    // The app's links work as they did: the join page opens.
    await page.getByRole("link", { name: "输入或扫描邀请码加入" }).click();
    await expect(page).toHaveURL(server.url + "/join");
    await context.close();
  }
});

test("in English on a device set to English; its language switch works before the app is here", async ({ page }) => {
  await page.addInitScript(() => {
    if (!localStorage.getItem("linli.locale")) localStorage.setItem("linli.locale", "en");
  });
  const release = await holdWasm(page);
  await page.goto(server.url + "/", { waitUntil: "domcontentloaded" });
  await expect(page.getByRole("heading", { level: 1, name: "Welcome to Linli" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  const english = await reading(page);

  await page.getByRole("button", { name: "Switch language: 中文" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "欢迎使用邻里" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  expect(await page.evaluate(() => localStorage.getItem("linli.locale"))).toBe("zh-CN");
  const chinese = await reading(page);

  // The app starts in the language chosen meanwhile, where the page was.
  release();
  await expect(page.locator("#landing")).toHaveCount(0);
  await expect(page.locator("body > .app")).toHaveCount(1);
  expect(await reading(page)).toEqual(chinese);

  // And a switch in the app reads as the English landing page did.
  await page.getByRole("button", { name: /切换语言/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Welcome to Linli" })).toBeVisible();
  expect(await reading(page)).toEqual(english);
});

test("not painted on another path, nor on a device that has joined", async ({ page }) => {
  // Whether index.html's script ever added the landing page, at any time.
  await page.addInitScript(() => {
    window.__landing = false;
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) if (n.id === "landing") window.__landing = true;
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(server.url + "/wishes");
  await expect(page.locator("body > .app")).toHaveCount(1);
  expect(await page.evaluate(() => window.__landing)).toBe(false);

  await seedAs(page, server.url, "r1");
  expect(await page.evaluate(() => localStorage.getItem("linli.joined"))).toBe("1");
  await page.goto(server.url + "/");
  await expect(page.getByRole("heading", { level: 1, name: "欢迎使用邻里" })).toBeVisible();
  await expect(page.getByRole("link", { name: "输入或扫描邀请码加入" })).toHaveCount(0);
  expect(await page.evaluate(() => window.__landing)).toBe(false);
});
