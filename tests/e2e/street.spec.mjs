// Street level (issue 19 §1, docs/street.md "The app"): a community
// coordinator escalates a wish; the street coordinator (another device,
// joined with the demo street's code) sees it in 上报事项, accepts it, and
// resolves it offline (synced once back online); the community and the
// resident see the street's answer in the wish's timeline; the street
// dashboard shows the communities side by side and exports CSV; the pages
// pass axe at 360 px. A member of community A cannot read B (the API, directly).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test, expect } from "./csp.mjs";
import { startServer } from "./server.mjs";
import { joinDemo } from "./demo-join.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

let server;
test.beforeEach(async () => {
  server = await startServer({ demo: true });
});
test.afterEach(async () => {
  await server?.kill();
});

const nudge = (page) => page.evaluate(() => window.dispatchEvent(new Event("focus")));
const synced = (page) => expect(page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });

/** The resident on `page` files a repair wish titled `title` and syncs it. */
async function fileWish(page, title) {
  await page.goto(server.url + "/wishes");
  await page.getByLabel("类别", { exact: true }).selectOption("repair");
  await page.getByLabel("标题", { exact: true }).fill(title);
  await page.getByRole("button", { name: "提交心愿" }).click();
  await expect(page.getByRole("status").filter({ hasText: /已保存在本机|已同步/ })).toBeVisible();
  await nudge(page);
  await synced(page);
}

/** The community coordinator on `page` escalates `title` to the street with `note`, and syncs. */
async function escalate(page, title, note) {
  await page.goto(server.url + "/board");
  await nudge(page);
  await page.getByRole("link", { name: title }).first().click({ timeout: 30_000 });
  await page.getByRole("button", { name: "上报" }).click();
  await page.getByLabel("上报到").selectOption("street");
  await page.getByLabel("说明").fill(note);
  await page.getByRole("form", { name: "上报" }).getByRole("button", { name: "上报" }).click();
  await expect(page.locator(".detail-head .chip")).toHaveText("已上报");
  await nudge(page);
  await synced(page);
}

/** The demo street's coordinator code (`protocol::Demo`). */
async function streetCode(request) {
  const demo = await (await request.get(server.url + "/api/v1/demo")).json();
  const code = demo.street?.codes.find((c) => c.role === "coordinator")?.code;
  expect(code, JSON.stringify(demo)).toBeTruthy();
  return { demo, code };
}

async function joinStreet(browser, code) {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${server.url}/join?code=${encodeURIComponent(code)}`);
  await page.getByRole("button", { name: "加入", exact: true }).click();
  await synced(page);
  return { context, page };
}

async function axe(page, what) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`), what).toEqual([]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${what} horizontal overflow`).toBeLessThanOrEqual(0);
}

test("a street accepts and (offline) resolves an escalated wish; the community and the resident see the answer", async ({ browser, request }) => {
  test.setTimeout(240_000);
  const title = "小区围墙倒塌需要街道协调";
  // The resident files a wish; the community coordinator escalates it.
  const r = await joinDemo(browser, request, server.url, (x) => x.role === "resident");
  await fileWish(r.page, title);
  const c = await joinDemo(browser, request, server.url, (x) => x.role === "coordinator");
  await escalate(c.page, title, "围墙属于产权单位，需要街道协调");

  // The street coordinator: navigation, the inbox with the community's note.
  const { code } = await streetCode(request);
  const s = await joinStreet(browser, code);
  await s.page.goto(server.url + "/street");
  await expect(s.page.getByRole("navigation", { name: "主导航" }).getByRole("link")).toHaveText(["首页", "上报事项", "街道看板", "设置"]);
  await nudge(s.page);
  const item = s.page.locator(".street-item").filter({ hasText: title });
  await expect(item).toBeVisible({ timeout: 30_000 });
  await expect(item).toContainText("围墙属于产权单位，需要街道协调");
  await expect(item).toContainText("长寿路社区");

  // Accept with a holder (required).
  await item.getByRole("button", { name: `处理：${title}` }).click();
  await item.getByRole("button", { name: "受理" }).click();
  await item.getByRole("form", { name: "受理" }).getByRole("button", { name: "受理" }).click();
  await expect(item.getByText("请填写承办单位").first()).toBeVisible();
  await item.getByLabel("承办单位").fill("城管科");
  await item.getByRole("form", { name: "受理" }).getByRole("button", { name: "受理" }).click();
  await expect(item).toContainText("已受理 · 承办：城管科");
  await nudge(s.page);
  await synced(s.page);

  // Resolve offline: saved on the device, synced once back online.
  await s.context.setOffline(true);
  const again = s.page.locator(".street-item").filter({ hasText: title });
  if (!(await again.getByRole("button", { name: "办结" }).isVisible())) {
    await again.getByRole("button", { name: `处理：${title}` }).click();
  }
  await again.getByRole("button", { name: "办结" }).click();
  await again.getByLabel("办结情况").fill("已联系产权单位修复围墙");
  await again.getByRole("form", { name: "办结" }).getByRole("button", { name: "办结" }).click();
  await expect(s.page.locator(".street-item").filter({ hasText: title })).toHaveCount(0);
  await s.context.setOffline(false);
  await nudge(s.page);
  await synced(s.page);

  // The community sees the street's steps, signed, in the timeline.
  await nudge(c.page);
  await expect(c.page.locator(".detail-head .chip")).toHaveText("待评价", { timeout: 30_000 });
  const timeline = c.page.locator(".timeline");
  await expect(timeline).toContainText("街道已受理");
  await expect(timeline).toContainText("城管科");
  await expect(timeline).toContainText("街道已办结");
  await expect(timeline).toContainText("已联系产权单位修复围墙");
  await expect(timeline).toContainText("西关街道");

  // So does the resident, on their wish's page.
  await r.page.goto(server.url + "/wishes");
  await nudge(r.page);
  await r.page.getByRole("link", { name: title }).first().click();
  await expect(r.page.locator(".timeline")).toContainText("街道已办结", { timeout: 30_000 });
  await expect(r.page.getByText("已联系产权单位修复围墙").first()).toBeVisible();

  // The dashboard: the communities side by side, the whole street, CSV.
  await s.page.goto(server.url + "/street/dashboard");
  const side = s.page.locator("#street-side-table-caption").locator("xpath=..");
  await expect(side).toContainText("长寿路社区");
  await expect(side).toContainText("全街道");
  const rows = await side.locator("tbody tr").count();
  expect(rows).toBeGreaterThanOrEqual(3);
  const [download] = await Promise.all([s.page.waitForEvent("download"), s.page.getByRole("button", { name: "导出 CSV" }).click()]);
  const csv = readFileSync(await download.path(), "utf8");
  expect(csv).toContain("长寿路社区");
  expect(csv).toContain("全街道");

  // Live: an escalation reaches the open inbox through the street's live
  // channel (GET /streets/{S}/heads), well before the 30 s round, no nudge.
  await s.page.goto(server.url + "/street");
  await synced(s.page);
  const second = "楼道外墙瓷砖脱落需要街道协调";
  await fileWish(r.page, second);
  await escalate(c.page, second, "外墙属于公共部位，需要街道协调维修资金");
  await expect(s.page.locator(".street-item").filter({ hasText: second })).toBeVisible({ timeout: 10_000 });

  // axe at 360 px (and a tablet) on both street pages.
  for (const [width, height] of [[360, 740], [1024, 768]]) {
    await s.page.setViewportSize({ width, height });
    for (const path of ["/street", "/street/dashboard"]) {
      await s.page.goto(server.url + path);
      await expect(s.page.getByRole("heading", { level: 1 })).toBeVisible();
      await axe(s.page, `${path} ${width}`);
    }
  }
  for (const x of [r, c, s]) await x.context.close();
});

test("a community's member cannot read another community; the street's member reads only its communities' logs", async ({ request }) => {
  const { demo, code } = await streetCode(request);
  const join = async (c) => (await request.post(server.url + "/api/v1/join", { data: { code: c, display_name: "测试" } })).json();
  const member = await join(demo.codes.find((x) => x.role === "coordinator").code);
  const street = await join(code);
  expect(street.street).toBe(true);
  const info = await (await request.get(`${server.url}/api/v1/streets/${street.community}`, { headers: { Authorization: `Bearer ${street.token}` } })).json();
  const other = info.communities.find((x) => x.id !== demo.community);
  expect(other, JSON.stringify(info)).toBeTruthy();
  const head = (token, c) => request.get(`${server.url}/api/v1/communities/${c}/head?since=0`, { headers: { Authorization: `Bearer ${token}` } });

  // A member of A: its own head yes, B's no.
  expect((await head(member.token, demo.community)).status()).toBe(200);
  const refused = await head(member.token, other.id);
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.code).toBe("wrong_community");
  // The street's member: both logs, never their private records.
  expect((await head(street.token, other.id)).status()).toBe(200);
  const priv = await request.get(`${server.url}/api/v1/communities/${demo.community}/private`, { headers: { Authorization: `Bearer ${street.token}` } });
  expect(priv.status()).toBe(403);
  expect((await priv.json()).error.code).toBe("street_no_access");
});

test("a street viewer reads the inbox and the dashboard but is offered no answer", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const demo = await (await request.get(server.url + "/api/v1/demo")).json();
  const v = await joinStreet(browser, demo.street.codes.find((c) => c.role === "viewer").code);
  await v.page.goto(server.url + "/street");
  await nudge(v.page);
  await expect(v.page.locator(".street-item").first()).toBeVisible({ timeout: 30_000 });
  await expect(v.page.getByText("你是街道观察员")).toBeVisible();
  await expect(v.page.getByRole("button", { name: /^处理：/ })).toHaveCount(0);
  await v.page.goto(server.url + "/street/dashboard");
  await expect(v.page.getByRole("heading", { level: 2, name: "社区排名" })).toBeVisible();
  await v.context.close();
});
