// Activities (issue 14) on real devices against the real server: a
// coordinator creates an activity with one place and opens it; two
// volunteers sign up while offline; the log decides who has the place and
// who waits; a withdrawal promotes the one waiting; the roster and its CSV
// say so. axe and 360 px on every activity page, in both languages.
import { test, expect } from "./csp.mjs";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { startServer } from "./server.mjs";
import { joinDemo } from "./demo-join.mjs";
import { seedAs } from "./workflow-seed.mjs";
import { activitySteps, openApp } from "./activity-steps.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

let server;
test.afterEach(async () => {
  await server?.kill();
  server = null;
});

async function axe(page, what) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`), what).toEqual([]);
}

/** axe and no sideways scroll at 360 and 1024 px, in Chinese and English. */
async function checkPage(page, name) {
  for (const lang of ["zh-CN", "en"]) {
    const current = await page.locator("html").getAttribute("lang");
    if (current !== lang) {
      await page.getByRole("button", { name: /^(切换语言|Switch language)/ }).click();
      await expect(page.locator("html")).toHaveAttribute("lang", lang);
    }
    for (const [w, h] of [[360, 780], [1024, 768]]) {
      await page.setViewportSize({ width: w, height: h });
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
      expect(sideways, `${name} scrolls sideways at ${w}px in ${lang}`).toBe(false);
      await page.screenshot({ path: test.info().outputPath(`${name}-${lang}-${w}.png`), fullPage: true });
      await axe(page, `${name} ${lang} ${w}`);
    }
  }
  await page.getByRole("button", { name: /^(切换语言|Switch language)/ }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
}

/** Asks a device for a sync round now (what a tab regaining focus does). */
const nudge = (page) => page.evaluate(() => window.dispatchEvent(new Event("focus")));
const synced = (page) => expect(page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });

/** "YYYY-MM-DDTHH:MM" `days` from now at `hour`:00 in community time (UTC+8). */
function communityTime(days, hour) {
  const d = new Date(Date.now() + days * 86_400_000 + 8 * 3_600_000);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, "0")}:00`;
}

test("one place, two offline sign-ups: one has it, one waits, a withdrawal promotes; roster and CSV", async ({ browser, request }) => {
  server = await startServer({ demo: true });
  const demo = await (await request.get(server.url + "/api/v1/demo")).json();
  const name = (m) => demo.codes.find((c) => c.member === m).name;
  const coord = await joinDemo(browser, request, server.url, (c) => c.member === "c1");
  const c = coord.page;

  // The calendar, then the form: errors first, then a real activity.
  await c.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "活动", exact: true }).click();
  await expect(c.getByRole("heading", { level: 1, name: "活动" })).toBeVisible();
  await checkPage(c, "calendar");
  await c.getByRole("link", { name: "新建活动" }).click();
  await expect(c.getByRole("heading", { level: 1, name: "新建活动" })).toBeVisible();
  await c.getByRole("button", { name: "创建活动" }).click();
  await expect(c.getByText("请填写标题。").first()).toBeVisible();
  await checkPage(c, "form");
  const title = "重阳节敬老包饺子";
  await c.getByLabel("活动名称").fill(title);
  await c.getByRole("button", { name: "创建活动" }).click();
  await expect(c.getByText("请填写时间。").first()).toBeVisible();
  await expect(c.getByLabel("开始时间")).toHaveAttribute("aria-invalid", "true");
  await c.getByLabel("地点").fill("社区活动室");
  await c.getByLabel("开始时间").fill(communityTime(2, 9));
  await c.getByLabel("结束时间").fill(communityTime(2, 8));
  await c.getByRole("button", { name: "创建活动" }).click();
  await expect(c.getByLabel("开始时间")).toHaveAttribute("aria-invalid", "true");
  await c.getByLabel("结束时间").fill(communityTime(2, 11));
  await c.getByLabel("名额（选填）").fill("1");
  await c.getByRole("button", { name: "创建活动" }).click();
  await expect(c.getByRole("heading", { level: 1, name: title })).toBeVisible();
  const id = new URL(c.url()).pathname.split("/")[2];
  // The key is kept on this device, for the code and the verification.
  const key = await c.evaluate(
    (id) =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open("linli");
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const get = req.result.transaction("meta").objectStore("meta").get("checkin");
          get.onsuccess = () => {
            const held = typeof get.result === "string" ? JSON.parse(get.result) : get.result;
            resolve((held?.keys || []).find((k) => k.activity === id)?.key);
          };
          get.onerror = () => reject(get.error);
        };
      }),
    id,
  );
  expect(key).toMatch(/^[0-9A-Z]{16}$/);
  await expect(c.getByText("筹备中")).toBeVisible();
  await c.getByRole("button", { name: "开放报名" }).click();
  await expect(c.getByText("报名中")).toBeVisible();
  await expect(c.getByRole("link", { name: "签到二维码" })).toHaveAttribute("href", `/activities/${id}/code`);
  await synced(c);
  await checkPage(c, "detail");

  // Two volunteers open it, go offline, and both take the last place.
  const a = await joinDemo(browser, request, server.url, (x) => x.member === "v1");
  const b = await joinDemo(browser, request, server.url, (x) => x.member === "v2");
  for (const v of [a, b]) {
    await v.page.goto(`${server.url}/activities/${id}`);
    await expect(v.page.getByRole("heading", { level: 1, name: title })).toBeVisible({ timeout: 30_000 });
    await expect(v.page.getByTestId("my-place")).toHaveText("未报名");
    await v.context.setOffline(true);
  }
  for (const v of [a, b]) {
    await v.page.getByRole("button", { name: "报名", exact: true }).click();
    await expect(v.page.getByTestId("my-place")).toHaveText("已报名");
    await expect(v.page.getByRole("status", { name: /离线 · 1 条待同步/ })).toBeVisible();
  }
  // a comes back first: its sign-up is first in the log.
  for (const v of [a, b]) {
    await v.context.setOffline(false);
    await v.page.evaluate(() => window.dispatchEvent(new Event("online")));
    await synced(v.page);
  }
  await expect
    .poll(async () => {
      await nudge(a.page);
      await nudge(b.page);
      return [await a.page.getByTestId("my-place").textContent(), await b.page.getByTestId("my-place").textContent()];
    }, { timeout: 30_000 })
    .toEqual(["已报名", "候补第 1 位"]);
  await b.page.goto(server.url + "/inbox");
  await expect(b.page.getByText(/您是候补第 1 位|已进入候补名单/).first()).toBeVisible();

  // The roster: one place, one waiting.
  await c.goto(`${server.url}/activities/${id}/roster`);
  await nudge(c);
  const rows = c.getByRole("region", { name: "活动名单" }).getByRole("row");
  await expect(rows.nth(1)).toContainText(name("v1"));
  await expect(rows.nth(1)).toContainText("已报名");
  await expect(rows.nth(2)).toContainText(name("v2"));
  await expect(rows.nth(2)).toContainText("候补第 1 位");

  // a withdraws: b is promoted, and told.
  await a.page.getByRole("button", { name: "取消报名" }).click();
  await expect(a.page.getByTestId("my-place")).toHaveText("未报名");
  await synced(a.page);
  await b.page.goto(`${server.url}/activities/${id}`);
  await expect
    .poll(async () => {
      await nudge(b.page);
      return b.page.getByTestId("my-place").textContent();
    }, { timeout: 30_000 })
    .toBe("已报名");
  await b.page.goto(server.url + "/inbox");
  await expect(b.page.getByText(/有名额空出，已为您补上/).first()).toBeVisible();
  // The inbox links to the activity's page.
  await b.page.getByRole("link", { name: title }).first().click();
  await expect(b.page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(b.page.getByTestId("my-place")).toHaveText("已报名");

  await expect
    .poll(async () => {
      await nudge(c);
      return rows.count();
    }, { timeout: 30_000 })
    .toBe(2);
  await expect(rows.nth(1)).toContainText(name("v2"));
  await expect(rows.nth(1)).toContainText("已报名");
  await checkPage(c, "roster");

  // The CSV: a UTF-8 BOM, then the header and the Chinese title in the name.
  const [download] = await Promise.all([c.waitForEvent("download"), c.getByRole("button", { name: "导出名单（CSV）" }).click()]);
  expect(download.suggestedFilename()).toContain(title);
  const bytes = readFileSync(await download.path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.toString("utf8");
  expect(text).toContain("姓名,成员编号,状态");
  expect(text).toContain(`${name("v2")},v2,已报名`);

  // The organiser edits it (the form comes filled in), then calls it off with a reason.
  await c.goto(`${server.url}/activities/${id}`);
  await c.getByRole("link", { name: "修改活动" }).click();
  await expect(c.getByRole("heading", { level: 1, name: "修改活动" })).toBeVisible();
  await expect(c.getByLabel("活动名称")).toHaveValue(title);
  await expect(c.getByLabel("开始时间")).toHaveValue(communityTime(2, 9));
  await c.getByLabel("地点").fill("社区食堂");
  await c.getByRole("button", { name: "保存修改" }).click();
  await expect(c.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(c.getByText("社区食堂")).toBeVisible();
  // a, offline, signs up again while the organiser calls it off: a's op
  // comes back void, and a is told why.
  await a.page.goto(`${server.url}/activities/${id}`);
  await expect(a.page.getByText("社区食堂")).toBeVisible({ timeout: 30_000 });
  await a.context.setOffline(true);
  await a.page.getByRole("button", { name: "报名", exact: true }).click();
  await expect(a.page.getByTestId("my-place")).toHaveText("候补第 1 位");
  await c.getByRole("button", { name: "取消活动" }).click();
  const form = c.getByRole("form", { name: "取消活动" });
  await form.getByRole("button", { name: "取消活动" }).click();
  await expect(c.getByText("请填写原因。").first()).toBeVisible();
  await c.getByLabel("取消原因").fill("天气预报有大雨");
  await form.getByRole("button", { name: "取消活动" }).click();
  await expect(c.getByText("活动已取消： 天气预报有大雨")).toBeVisible();
  await expect(c.locator(".detail-head").getByText("已取消")).toBeVisible();
  await synced(c);
  await b.page.goto(`${server.url}/activities/${id}`);
  await expect
    .poll(async () => {
      await nudge(b.page);
      return b.page.getByText("活动已取消： 天气预报有大雨").count();
    }, { timeout: 30_000 })
    .toBe(1);
  await expect(b.page.getByText("现在没有可以做的事。")).toBeVisible();
  await a.context.setOffline(false);
  await a.page.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(a.page.getByRole("alert").filter({ hasText: "你的一项操作没有生效：该活动已取消。" })).toBeVisible({ timeout: 30_000 });
  await expect(a.page.getByText("活动已取消： 天气预报有大雨")).toBeVisible();
  await expect(a.page.getByTestId("my-place")).toHaveText("未报名");
  // The timeline names who did what; the void sign-up says why.
  const timeline = a.page.locator("ol.timeline");
  await expect(timeline.locator("li").filter({ hasText: "取消了活动" })).toContainText("天气预报有大雨");
  await expect(timeline.locator("li.void")).toContainText("该活动已取消。");
  await expect(timeline.locator("li").filter({ hasText: "候补转正" })).toContainText(name("v2"));

  for (const v of [coord, a, b]) await v.context.close();
});

test("the demo's month of activities renders in every state, and the dashboard shows participation", async ({ browser, request }) => {
  server = await startServer({ demo: true });
  const coord = await joinDemo(browser, request, server.url, (c) => c.member === "c1");
  const c = coord.page;
  await c.goto(server.url + "/activities");
  await expect(c.getByRole("heading", { level: 2, name: "即将开始" })).toBeVisible();
  // Walk back through the months until every finished demo activity showed.
  const seen = new Set();
  for (let i = 0; i < 3; i++) {
    for (const chip of await c.locator(".chip[class*='phase-']").allTextContents()) seen.add(chip);
    await c.getByRole("button", { name: "上个月" }).click();
  }
  expect([...seen]).toEqual(expect.arrayContaining(["已结束", "报名中"]));
  // Each demo activity's page opens, with its place and roster.
  await c.getByRole("button", { name: "本月" }).click();
  const links = await c.locator("a.wish-title").evaluateAll((as) => [...new Set(as.map((a) => a.getAttribute("href")))]);
  expect(links.length).toBeGreaterThan(0);
  for (const href of links) {
    await c.goto(server.url + href);
    await expect(c.getByTestId("my-place")).toBeVisible();
    await c.goto(server.url + href + "/roster");
    await expect(c.getByRole("heading", { level: 1, name: "活动名单" })).toBeVisible();
  }
  await c.goto(server.url + "/dashboard");
  await expect(c.getByRole("heading", { level: 2, name: "活动参与" })).toBeVisible();
  await c.getByLabel("月份").selectOption("");
  await expect(c.getByRole("region", { name: "活动参与表" }).getByRole("rowheader").first()).toBeVisible();
  await coord.context.close();
});

test("the benchmark's steps work on a community of 200 activities", async ({ page }) => {
  // The same steps tests/bench/activities.bench.mjs times with 1,000; 200
  // span two months before the current one, whatever today's date.
  server = await startServer();
  await seedAs(page, server.url, "c1", { activities: 200 });
  await openApp(page, server.url);
  for (const step of activitySteps(page)) await step.run();
});
