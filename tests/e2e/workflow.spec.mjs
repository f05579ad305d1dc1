// The four-unit workflow (点单 → 派单 → 接单 → 评单) on real devices: each
// browser context is one person's phone, seeded with the demo community.
import { test, expect } from "./csp.mjs";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { startServer } from "./server.mjs";
import { joinDemo } from "./demo-join.mjs";
import { seedAs } from "./workflow-seed.mjs";
import { bigListSteps } from "./big-lists.mjs";

const require = createRequire(import.meta.url);
// Evaluated through DevTools: the app's CSP refuses an injected <script>.
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

let server;
test.afterEach(async () => {
  await server?.kill();
  server = null;
});

async function axe(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`)).toEqual([]);
}

/** Screenshots of a page at phone and tablet widths, and axe at both. */
async function shots(page, name) {
  for (const [w, h] of [[360, 780], [1024, 768]]) {
    await page.setViewportSize({ width: w, height: h });
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    expect(sideways, `${name} scrolls sideways at ${w}px`).toBe(false);
    await page.screenshot({ path: test.info().outputPath(`${name}-${w}.png`), fullPage: true });
    await axe(page);
  }
}

/** A device of `member` (its own context) opens `path` and is told `text`. */
async function expectRefused(browser, member, path, text) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await seedAs(page, server.url, member);
  await page.goto(server.url + path);
  await expect(page.getByText(text)).toBeVisible();
  await context.close();
}

// One device at a time, seeded from a backup of the demo community (as a
// phone moved from another one): every role's screens, axe, screenshots.
test.describe("one device per role", () => {
  test.beforeEach(async () => {
    server = await startServer();
  });

  test("a resident files a wish: inline errors in both languages, then it shows in my wishes and its page", async ({ page }) => {
    await seedAs(page, server.url, "r1");
    await page.goto(server.url + "/wishes");
    await expect(page.getByRole("heading", { level: 1, name: "心愿清单" })).toBeVisible();
    // A resident's navigation offers what a resident uses: no 派单, 接单 or 看板.
    await expect(page.getByRole("navigation", { name: "主导航" }).getByRole("link")).toHaveText(["首页", "心愿", "活动", "设置"]);
    const form = page.getByRole("form").or(page.locator("form.wish-form"));
    await page.getByRole("button", { name: "提交心愿" }).click();
    await expect(page.getByText("请选择类别。").first()).toBeVisible();
    await page.getByLabel("类别", { exact: true }).selectOption("repair");
    await page.getByRole("button", { name: "提交心愿" }).click();
    await expect(page.getByText("请填写标题。").first()).toBeVisible();
    await expect(page.getByLabel("标题", { exact: true })).toHaveAttribute("aria-invalid", "true");
    await axe(page);

    await page.getByRole("button", { name: /^切换语言/ }).click();
    await expect(page.getByText("Please enter a title.").first()).toBeVisible();
    await page.getByRole("button", { name: /^Switch language/ }).click();

    await page.getByLabel("标题", { exact: true }).fill("5号楼门口路灯不亮");
    await page.getByLabel("详细描述（选填）").fill("晚上回家看不清台阶");
    await page.getByLabel("楼栋/院落").selectOption("5号楼");
    await page.getByLabel("紧急程度", { exact: true }).selectOption("high");
    await page.getByRole("button", { name: "提交心愿" }).click();
    await expect(page.getByRole("status").filter({ hasText: "已保存在本机" })).toBeVisible();

    const mine = page.getByRole("list").filter({ hasText: "5号楼门口路灯不亮" });
    await expect(mine).toBeVisible();
    await page.getByRole("link", { name: "5号楼门口路灯不亮" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "5号楼门口路灯不亮" })).toBeVisible();
    await expect(page.getByText("提交了心愿")).toBeVisible();
    await expect(page.getByRole("button", { name: "撤销心愿" })).toBeVisible();
    await page.screenshot({ path: test.info().outputPath("wish-detail-360.png"), fullPage: true });
    await axe(page);
  });

  test("a coordinator dispatches from the board: filters, publish, reject with a reason, reopen, assign", async ({ page }) => {
    await seedAs(page, server.url, "c1");
    await page.goto(server.url + "/board");
    await expect(page.getByRole("heading", { level: 1, name: "派单看板" })).toBeVisible();
    const inbox = page.getByRole("region", { name: /^待派单/ });
    await expect(inbox.getByRole("listitem").first()).toBeVisible();
    await shots(page, "board");

    await page.getByLabel("类别", { exact: true }).selectOption("legal_aid");
    await expect(page.getByRole("region", { name: /^已办结/ }).getByRole("listitem").first()).toBeVisible();
    await page.getByLabel("类别", { exact: true }).selectOption("");
    await page.getByLabel("已等待").selectOption("30");
    await expect(page.getByRole("region", { name: /^已办结/ }).getByRole("listitem").first()).toBeVisible();
    await page.getByLabel("已等待").selectOption("");

    // On a phone the pickers fold away under a summary of what is chosen.
    await page.setViewportSize({ width: 360, height: 780 });
    await page.reload();
    await expect(page.getByLabel("搜索")).toBeVisible();
    await expect(page.getByLabel("类别", { exact: true })).toBeHidden();
    await expect(page.getByTestId("filter-summary")).toHaveText("（未筛选）");
    await page.screenshot({ path: test.info().outputPath("board-folded-360.png") });
    await page.getByText("更多筛选").click();
    await page.getByLabel("类别", { exact: true }).selectOption("legal_aid");
    await expect(page.getByTestId("filter-summary")).toHaveText(/^已选：\S+/);
    await page.getByLabel("类别", { exact: true }).selectOption("");
    await expect(page.getByTestId("filter-summary")).toHaveText("（未筛选）");
    await page.getByText("更多筛选").click();
    await expect(page.getByLabel("类别", { exact: true })).toBeHidden();
    await expect(page.getByRole("region", { name: /^已办结/ }).getByRole("listitem").first()).toBeVisible();
    await page.setViewportSize({ width: 1280, height: 720 });

    // Open the first wish waiting for dispatch.
    const first = inbox.getByRole("listitem").first().getByRole("link");
    const title = await first.textContent();
    await first.click();
    await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await page.getByRole("button", { name: "驳回", exact: true }).click();
    await page.getByRole("form", { name: "驳回" }).getByRole("button", { name: "驳回" }).click();
    await expect(page.getByRole("status").filter({ hasText: "请填写原因。" })).toBeVisible();
    await page.getByLabel("原因", { exact: true }).fill("属于物业责任，已转物业");
    await page.getByRole("form", { name: "驳回" }).getByRole("button", { name: "驳回" }).click();
    await expect(page.locator(".detail-head .chip")).toHaveText("已驳回");
    await expect(page.getByText("属于物业责任，已转物业").first()).toBeVisible();

    await page.getByRole("button", { name: "重新打开" }).click();
    await page.getByLabel("原因", { exact: true }).fill("物业不处理，社区接手");
    await page.getByRole("form", { name: "重新打开" }).getByRole("button", { name: "重新打开" }).click();
    await expect(page.locator(".detail-head .chip")).toHaveText("返工待派");

    await page.getByRole("button", { name: "派单", exact: true }).click();
    await page.getByLabel("派给").selectOption({ label: "杨志强（志愿者）" });
    await page.getByRole("form", { name: "派单" }).getByRole("button", { name: "派单" }).click();
    await expect(page.locator(".detail-head .chip")).toHaveText("已派单");
    await expect(page.getByText(/还剩 \d+ 天/)).toBeVisible();
    const timeline = page.getByRole("region", { name: "经过" }).or(page.locator("ol.timeline"));
    await expect(timeline.getByText("驳回", { exact: true })).toBeVisible();
    await expect(timeline.getByText("派单", { exact: true })).toBeVisible();
    await shots(page, "wish-detail");
    // The same page in English: statuses, steps and actions are words, not codes.
    await page.getByRole("button", { name: /^切换语言/ }).click();
    await expect(page.locator(".detail-head .chip")).toHaveText("Assigned");
    await expect(page.getByRole("heading", { name: "History" })).toBeVisible();
    await expect(page.getByText("rejected it", { exact: true })).toBeVisible();
    await shots(page, "wish-detail-en");
    await page.goto(server.url + "/board");
    await expect(page.getByRole("heading", { level: 1, name: "Dispatch board" }).or(page.getByRole("heading", { level: 1 }))).toBeVisible();
    await shots(page, "board-en");
  });

  test("a volunteer claims an open order, starts, completes with hours, and earns points", async ({ page }) => {
    await seedAs(page, server.url, "v1");
    await page.goto(server.url + "/volunteers");
    const totalBefore = await page.locator(".stats-line strong").textContent();
    await page.goto(server.url + "/orders");
    await expect(page.getByRole("heading", { level: 1, name: "接单" })).toBeVisible();
    await shots(page, "orders");
    const open = page.getByRole("region", { name: "可接的任务" }).or(page.locator("section[aria-labelledby=orders-open]"));
    const item = open.getByRole("listitem").first();
    const title = (await item.getByRole("link").textContent()).trim();
    await item.getByRole("button", { name: /^接单：/ }).click();
    const mine = page.locator("section[aria-labelledby=orders-mine]");
    await expect(mine.getByRole("link", { name: title })).toBeVisible();
    // The claimed card stays where it was, saying where the order went.
    await expect(open.getByRole("listitem").first()).toContainText(title);
    await expect(open.getByRole("listitem").first()).toContainText("你接了这一单");
    await expect(open.getByRole("listitem").first().getByRole("button", { name: /^接单：/ })).toHaveCount(0);
    await expect(mine.getByText(/认领还剩/).first()).toBeVisible();
    await mine.getByRole("button", { name: `开始服务：${title}` }).click();
    await mine.getByRole("link", { name: title }).click();
    await expect(page.locator(".detail-head .chip")).toHaveText("服务中");

    // On a phone the form comes on screen with the cursor in its first field.
    await page.setViewportSize({ width: 360, height: 780 });
    await page.getByRole("button", { name: "完成服务" }).click();
    await expect(page.getByLabel("服务时长（分钟）")).toBeFocused();
    await expect(page.getByRole("form", { name: "完成服务" })).toBeInViewport();
    await page.screenshot({ path: test.info().outputPath("wish-form-open-360.png") });
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.getByLabel("服务时长（分钟）").fill("0");
    await page.getByRole("form", { name: "完成服务" }).getByRole("button", { name: "完成服务" }).click();
    await expect(page.getByRole("status").filter({ hasText: "请简要写明完成情况。" })).toBeVisible();
    await page.getByLabel("完成情况").fill("已更换灯泡");
    await page.getByRole("form", { name: "完成服务" }).getByRole("button", { name: "完成服务" }).click();
    await expect(page.getByRole("status").filter({ hasText: "服务时长应在 1 到 6000 分钟之间。" })).toBeVisible();
    await page.getByLabel("服务时长（分钟）").fill("45");
    await page.getByRole("form", { name: "完成服务" }).getByRole("button", { name: "完成服务" }).click();
    await expect(page.locator(".detail-head .chip")).toHaveText("待评价");

    await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "志愿者" }).click();
    await expect(page.locator(".stats-line strong")).not.toHaveText(totalBefore);
    await expect(page.getByRole("cell", { name: "服务时长" }).first()).toBeVisible();
    await expect(page.getByRole("cell", { name: "+2" }).first()).toBeVisible();
    await shots(page, "volunteers");
    await page.getByLabel("月份").selectOption("");
    await expect(page.getByRole("button", { name: "杨志强" })).toHaveAttribute("aria-pressed", "true");
    // A volunteer reads their own ledger and, as a team lead, their team's
    // (v1 leads 党员先锋队: v1, v2, v5); other names are plain text.
    await expect(page.getByLabel("查看谁的积分").locator("option")).toHaveCount(3);
    const board = page.getByRole("region", { name: "积分榜表格" });
    await expect(board.getByRole("row")).not.toHaveCount(0);
    expect(await board.getByRole("button").count()).toBeLessThanOrEqual(3);
    expect(await board.getByRole("row").count()).toBeGreaterThan(4);
  });

  test("a resident evaluates: not satisfied sends the work back", async ({ page }) => {
    await seedAs(page, server.url, "r1");
    await page.goto(server.url + "/wishes");
    await page.getByLabel("状态", { exact: true }).selectOption("completed");
    const item = page.locator("ul.wish-list > li").first();
    await expect(item).toBeVisible();
    await item.getByRole("link").click();
    await page.getByRole("button", { name: "评价", exact: true }).click();
    await page.getByLabel("不满意").check();
    await page.getByLabel("意见（选填）").fill("灯还是不亮");
    await page.getByRole("form", { name: "评价" }).getByRole("button", { name: "评价" }).click();
    await expect(page.locator(".detail-head .chip")).toHaveText("返工待派");
    await expect(page.getByText("评价：不满意，返工")).toBeVisible();
    await shots(page, "wishes-detail-resident");
    await page.goto(server.url + "/wishes");
    await shots(page, "wishes");
    // A resident sees the leaderboard's totals and only their own ledger.
    await page.goto(server.url + "/volunteers");
    await expect(page.getByRole("region", { name: "积分榜表格" })).toBeVisible();
    await expect(page.getByLabel("查看谁的积分")).toHaveCount(0);
    await expect(page.getByRole("region", { name: "积分榜表格" }).getByRole("button")).toHaveCount(0);
  });

  test("the dashboard shows the three rates for a chosen month", async ({ page }) => {
    await seedAs(page, server.url, "c1");
    await page.goto(server.url + "/dashboard");
    await expect(page.getByRole("heading", { level: 1, name: "数据看板" })).toBeVisible();
    await expect(page.getByText("响应率").first()).toBeVisible();
    await page.getByLabel("分组").selectOption("category");
    await expect(page.getByRole("rowheader").first()).toBeVisible();
    await page.getByLabel("月份").selectOption("");
    await expect(page.getByRole("rowheader", { name: "维修" })).toBeVisible();
    // The chart has a line per row of the table, and each bar is as long as its rate.
    const chart = page.getByRole("figure", { name: /三率对比/ });
    // (The rates table's rows: the activity participation table below has its own.)
    const rates = page.getByRole("region", { name: "响应率、解决率和满意率" });
    await expect(chart.getByRole("listitem")).toHaveCount(await rates.getByRole("rowheader").count());
    const repair = chart.getByRole("listitem").filter({ hasText: "维修" });
    const rate = Number((await repair.locator(".chart-label").first().textContent()).match(/([\d.]+)%/)[1]);
    const width = Number((await repair.locator(".bar.response").getAttribute("style")).match(/width: ([\d.]+)%/)[1]);
    expect(Math.abs(rate - width)).toBeLessThanOrEqual(0.5);
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "导出 CSV" }).click();
    const csv = await (await download).path();
    const text = (await import("node:fs")).readFileSync(csv, "utf8");
    expect(text).toContain("group,total,responded,resolved");
    expect(text).toContain("repair,");
    await shots(page, "dashboard");
  });

  test("a grid worker records a wish on behalf of a resident; the kiosk files one and shows nothing personal", async ({ browser }) => {
    const g = await (await browser.newContext()).newPage();
    await seedAs(g, server.url, "g1");
    await g.goto(server.url + "/wishes");
    await expect(g.getByLabel("上门走访，代居民登记")).toBeChecked();
    await g.getByLabel("代哪位居民登记").selectOption({ label: "王大爷" });
    await g.getByLabel("类别", { exact: true }).selectOption("elderly_care");
    await g.getByLabel("标题", { exact: true }).fill("独居老人需要助浴");
    await g.getByLabel("网格").selectOption("一网格");
    await g.getByLabel("联系电话（不公开，选填）").fill("abc");
    await g.getByRole("button", { name: "提交心愿" }).click();
    await expect(g.getByText("电话号码只能包含数字").first()).toBeVisible();
    await g.getByLabel("联系电话（不公开，选填）").fill("138 0000 0000");
    await g.getByRole("button", { name: "提交心愿" }).click();
    await g.getByRole("link", { name: "查看这个心愿" }).click();
    await expect(g.getByText("上门走访代登记")).toBeVisible();
    await expect(g.locator(".fact").filter({ hasText: "居民" }).first()).toContainText("王大爷");
    // In their own grid a grid worker triages: publish, merge, escalate — not assign or reject.
    await expect(g.getByRole("button", { name: "发布接单" })).toBeVisible();
    await expect(g.getByRole("button", { name: "上报" })).toBeVisible();
    await expect(g.getByRole("button", { name: "派单", exact: true })).toHaveCount(0);
    await expect(g.getByRole("button", { name: "驳回" })).toHaveCount(0);
    await g.getByRole("button", { name: "上报" }).click();
    await g.getByLabel("上报到").selectOption("street");
    await g.getByLabel("说明").fill("需要街道协调护理员");
    await g.getByRole("form", { name: "上报" }).getByRole("button", { name: "上报" }).click();
    await expect(g.locator(".detail-head .chip")).toHaveText("已上报");

    const k = await (await browser.newContext()).newPage();
    await seedAs(k, server.url, "k1");
    await k.goto(server.url + "/wishes");
    await expect(k.getByText("在服务窗口登记")).toBeVisible();
    await expect(k.getByRole("heading", { name: "我的心愿" })).toHaveCount(0);
    await k.getByLabel("类别", { exact: true }).selectOption("paperwork");
    await k.getByLabel("标题", { exact: true }).fill("咨询高龄补贴");
    await k.getByRole("button", { name: "提交心愿" }).click();
    await expect(k.getByRole("status").filter({ hasText: "已保存在本机" })).toBeVisible();
    await expect(k.getByLabel("标题", { exact: true })).toHaveValue("");
    await expect(k.getByRole("link", { name: "查看这个心愿" })).toHaveCount(0);
    await k.goto(server.url + "/board");
    await expect(k.getByRole("link", { name: "咨询高龄补贴" })).toHaveCount(0);
    await shots(k, "kiosk-board");
  });

  test("a partner unit claims an open demand with one of its resources", async ({ page }) => {
    await seedAs(page, server.url, "p1");
    await page.goto(server.url + "/orders");
    const open = page.locator("section[aria-labelledby=orders-open]");
    const item = open.getByRole("listitem").first();
    await expect(item.getByRole("button", { name: /^认领服务：/ })).toBeVisible();
    await item.getByRole("link").click();
    const resources = page.locator("section[aria-labelledby=resources-title]");
    await expect(resources.getByRole("heading", { name: "可用的共建资源" })).toBeVisible();
    await resources.getByRole("button", { name: "认领服务：周六志愿者20人" }).click();
    await expect(page.locator(".detail-head .chip")).toHaveText("已接单");
    await expect(page.locator(".fact").filter({ hasText: "当前承接" })).toContainText("共建单位：市第三人民医院");
    await expect(resources).toHaveCount(0);
    await shots(page, "wish-detail-partner");
  });

  test("a partner unit keeps its resource list: add, see the demands it fits, change the quantity, withdraw", async ({ page }) => {
    await seedAs(page, server.url, "p1");
    await page.goto(server.url + "/");
    await page.getByRole("link", { name: "资源清单" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "资源清单" })).toBeVisible();
    const list = page.getByRole("region", { name: "现有资源" });
    const saturday = list.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "周六志愿者20人" }) });
    await expect(saturday.getByText(/^可对接的需求：\d+ 个$/)).toBeVisible();
    // A partner sees only its own unit's resources, and adds to its own unit.
    await expect(page.getByLabel("共建单位")).toHaveCount(0);

    const add = page.getByRole("region", { name: "添加资源" });
    await add.getByRole("button", { name: "添加资源" }).click();
    await expect(page.getByRole("status").filter({ hasText: "请填写名称。" })).toBeVisible();
    await add.getByLabel("资源名称").fill("义诊：每周二上午");
    await add.getByLabel("名额/数量").fill("8");
    await add.getByLabel("医疗").check();
    await add.getByLabel("周二").check();
    await add.getByRole("button", { name: "添加资源" }).click();
    await expect(page.getByRole("status").filter({ hasText: "已保存在本机" })).toBeVisible();
    const clinic = list.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "义诊：每周二上午" }) });
    await expect(clinic.getByText("医疗 · 周二 · 全部网格", { exact: false })).toBeVisible();
    await expect(add.getByLabel("资源名称")).toHaveValue("");
    await shots(page, "resources");

    // Used up: no demands are offered to it; withdrawn: gone from the list.
    await clinic.getByLabel("名额/数量").fill("0");
    await clinic.getByRole("button", { name: "更新数量：义诊：每周二上午" }).click();
    await expect(clinic.getByText("可对接的需求：0 个")).toBeVisible();
    await clinic.getByRole("button", { name: "撤下：义诊：每周二上午" }).click();
    await expect(list.getByRole("heading", { name: "义诊：每周二上午" })).toHaveCount(0);
    await page.reload();
    await expect(list.getByRole("heading", { name: "周六志愿者20人" })).toBeVisible();
    await expect(list.getByRole("heading", { name: "义诊：每周二上午" })).toHaveCount(0);
  });

  test("a coordinator adds a resource for any partner unit; a volunteer is told the list is not theirs", async ({ page }) => {
    await seedAs(page, server.url, "c1");
    await page.goto(server.url + "/resources");
    const add = page.getByRole("region", { name: "添加资源" });
    await add.getByLabel("资源名称").fill("社区活动室（可容纳30人）");
    await add.getByRole("button", { name: "添加资源" }).click();
    await expect(page.getByRole("status").filter({ hasText: "请选择共建单位。" })).toBeVisible();
    await add.getByLabel("共建单位").selectOption({ index: 1 });
    await add.getByRole("button", { name: "添加资源" }).click();
    const room = page.getByRole("region", { name: "现有资源" }).getByRole("heading", { name: "社区活动室（可容纳30人）" });
    await expect(room).toBeVisible();
    await page.getByRole("button", { name: /^切换语言/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Resources" })).toBeVisible();
    await shots(page, "resources-en");
    await page.getByRole("button", { name: /^Switch language/ }).click();

    await expectRefused(page.context().browser(), "v1", "/resources", "资源清单由共建单位和协调员管理。");
  });

  test("a coordinator runs the community: roles, removal, the last coordinator kept, teams, units, grids and the claim period", async ({ page }) => {
    await seedAs(page, server.url, "c1");
    await page.goto(server.url + "/");
    await page.getByRole("link", { name: "社区管理" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "社区管理" })).toBeVisible();
    const saved = page.getByRole("status").filter({ hasText: "已保存在本机" });
    const members = page.getByRole("region", { name: "成员" });
    const row = (name) => members.getByRole("listitem").filter({ has: page.getByText(name, { exact: true }) });

    // A resident becomes a volunteer; another member leaves.
    await members.getByLabel("李阿姨的角色").selectOption("volunteer");
    await members.getByRole("button", { name: "改角色：李阿姨" }).click();
    await expect(saved).toBeVisible();
    await expect(row("李阿姨").locator(".chip")).toHaveText("志愿者");
    await members.getByRole("button", { name: "移出社区：杨双锁" }).click();
    await members.getByRole("group", { name: /确定把杨双锁移出社区吗/ }).getByRole("button", { name: "确定移出" }).click();
    await expect(row("杨双锁")).toHaveCount(0);
    // Two coordinators: one may go, the last one may not (the reducer says so).
    await members.getByRole("button", { name: "移出社区：王润梅" }).click();
    await members.getByRole("button", { name: "确定移出" }).click();
    await expect(row("王润梅")).toHaveCount(0);
    // Nobody is offered removing themself; the last coordinator cannot
    // step down either.
    await expect(row("苏琼芬").getByText("你自己")).toBeVisible();
    await expect(members.getByRole("button", { name: "移出社区：苏琼芬" })).toHaveCount(0);
    await members.getByLabel("苏琼芬的角色").selectOption("volunteer");
    await members.getByRole("button", { name: "改角色：苏琼芬" }).click();
    await expect(page.getByRole("status").filter({ hasText: "社区至少要保留一位协调员。" })).toBeVisible();
    await expect(row("苏琼芬").locator(".chip").first()).toHaveText("协调员");

    // A new team led by the new volunteer; she is on it as well.
    const teams = page.getByRole("region", { name: "服务队" });
    const form = teams.getByRole("form", { name: "新建服务队" });
    await form.getByLabel("服务队名称").fill("绿化小队");
    await form.getByLabel("队长").selectOption({ label: "李阿姨" });
    await form.getByLabel("绿化").check();
    await form.getByLabel("杨志强").check();
    await form.getByRole("button", { name: "新建服务队" }).click();
    await expect(saved).toBeVisible();
    const team = teams.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "绿化小队" }) });
    await expect(team.getByText(/杨志强/).first()).toBeVisible();
    await expect(team.getByText(/李阿姨/).first()).toBeVisible();
    await expect(team.getByLabel("队长")).toHaveValue(/.+/);

    // A partner unit, then grids and the claim period.
    const units = page.getByRole("region", { name: "共建单位" });
    await units.getByLabel("单位名称").fill("社区卫生服务站");
    await units.getByRole("button", { name: "添加单位" }).click();
    await expect(units.getByText("社区卫生服务站")).toBeVisible();
    const community = page.getByRole("region", { name: "网格、楼栋和认领期限" });
    await community.getByLabel("网格（每行一个）").fill("一网格\n二网格\n三网格\n四网格\n四网格");
    await community.getByLabel("认领期限（小时）").fill("0");
    await community.getByRole("button", { name: "保存" }).click();
    await expect(page.getByRole("status").filter({ hasText: "认领期限应在 1 到 720 小时之间。" })).toBeVisible();
    await community.getByLabel("认领期限（小时）").fill("48");
    await community.getByRole("button", { name: "保存" }).click();
    await expect(saved).toBeVisible();
    await shots(page, "admin");

    await page.goto(server.url + "/wishes");
    await expect(page.getByLabel("网格", { exact: true }).locator("option", { hasText: "四网格" })).toHaveCount(1);
    await page.goto(server.url + "/admin");
    await expect(page.getByLabel("认领期限（小时）")).toHaveValue("48");
    await expect(page.getByRole("region", { name: "服务队" }).getByRole("heading", { name: "绿化小队" })).toBeVisible();
  });

  test("a team lead changes the members of their own team, and only that", async ({ browser, page }) => {
    await seedAs(page, server.url, "v1");
    await page.goto(server.url + "/");
    await page.getByRole("link", { name: "我带的服务队：1 个" }).click();
    const teams = page.getByRole("region", { name: "服务队" });
    await expect(teams.getByRole("heading", { level: 3 })).toHaveText(["党员先锋队"]);
    await expect(teams.getByRole("form", { name: "新建服务队" })).toHaveCount(0);
    await expect(page.getByRole("region", { name: "成员" })).toHaveCount(0);
    const team = teams.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "党员先锋队" }) });
    await expect(team.locator("p.hint")).toContainText("陈晓敏");
    // Only a coordinator hands the lead on: no lead picker here.
    await expect(team.getByLabel("队长", { exact: true })).toHaveCount(0);
    await team.getByLabel("陈晓敏").uncheck();
    await team.getByRole("button", { name: "保存服务队：党员先锋队" }).click();
    await expect(page.getByRole("status").filter({ hasText: "已保存在本机" })).toBeVisible();
    await expect(team.locator("p.hint")).not.toContainText("陈晓敏");
    await shots(page, "admin-team-lead");

    // A volunteer who leads no team is told the page is not theirs.
    await expectRefused(browser, "v2", "/admin", "社区管理只对协调员和服务队队长开放。");
  });

  test("lists stay paged with 10,000 wishes (timings: ./dev bench)", async ({ page }) => {
    test.setTimeout(180_000);
    await seedAs(page, server.url, "c1", { synthetic: 10_000 });
    for (const step of bigListSteps(page, server.url, 10_000)) {
      await test.step(step.name, step.run);
    }
  });
});

// Several devices of the demo community, through the real endpoint.
test.describe("devices in sync", () => {
  test.beforeEach(async () => {
    server = await startServer({ demo: true });
  });

  /** Joins a fresh device as demo member `member` (c1, g1, v1, v2, r1, k1). */
  async function device(browser, request, member) {
    return joinDemo(browser, request, server.url, (c) => c.member === member);
  }

  /** Asks for a sync round now and waits until nothing is pending. */
  async function sync(page) {
    await page.evaluate(() => window.dispatchEvent(new Event("focus")));
    await expect(page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });
  }

  /** Opens a wish by title from the board's search (coordinator) or a list. */
  async function openFromBoard(page, title) {
    await page.goto(server.url + "/board");
    await page.getByLabel("搜索", { exact: true }).fill(title);
    await page.getByRole("link", { name: title }).first().click();
    await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  }

  const status = (page) => page.locator(".detail-head .chip");

  /** On the wish's page: complete the work with a report and minutes. */
  async function complete(page, report, minutes) {
    await page.getByRole("button", { name: "完成服务" }).click();
    await page.getByLabel("完成情况").fill(report);
    await page.getByLabel("服务时长（分钟）").fill(minutes);
    await page.getByRole("form", { name: "完成服务" }).getByRole("button", { name: "完成服务" }).click();
    await expect(status(page)).toHaveText("待评价");
  }

  /** On the wish's page: the resident is satisfied, and the wish closes. */
  async function accept(page) {
    await page.getByRole("button", { name: "评价", exact: true }).click();
    await page.getByLabel("满意", { exact: true }).check();
    await page.getByRole("form", { name: "评价" }).getByRole("button", { name: "评价" }).click();
    await expect(status(page)).toHaveText("已办结");
  }

  /** The volunteer `v` completes; once synced, the resident `r` accepts; both sync. */
  async function doneAndAccepted(v, r, report, minutes) {
    await complete(v, report, minutes);
    await sync(v);
    await expectStatus(r, "待评价");
    await accept(r);
    await sync(r);
  }

  /** Polls: sync `page`, then expect the wish page's status chip to read `text`. */
  async function expectStatus(page, text) {
    await expect
      .poll(async () => {
        await page.evaluate(() => window.dispatchEvent(new Event("focus")));
        return (await status(page).textContent())?.trim();
      }, { timeout: 30_000 })
      .toBe(text);
  }

  test("resident, coordinator and volunteer: file, dispatch, claim offline, complete, rework, close; points everywhere", async ({
    browser,
    request,
  }) => {
    test.setTimeout(180_000);
    const resident = await device(browser, request, "r1");
    const coordinator = await device(browser, request, "c1");
    const volunteer = await device(browser, request, "v1");
    const title = `2号楼路灯不亮 ${Date.now() % 100000}`;

    // 点单
    const r = resident.page;
    await r.goto(server.url + "/wishes");
    await r.getByLabel("类别", { exact: true }).selectOption("repair");
    await r.getByLabel("标题", { exact: true }).fill(title);
    await r.getByLabel("楼栋/院落").selectOption("2号楼");
    await r.getByRole("button", { name: "提交心愿" }).click();
    await r.getByRole("link", { name: "查看这个心愿" }).click();
    await expect(status(r)).toHaveText("待派单");
    await sync(r);

    // 派单
    const c = coordinator.page;
    await sync(c);
    await openFromBoard(c, title);
    await c.getByRole("button", { name: "发布接单" }).click();
    await expect(status(c)).toHaveText("待接单");
    await sync(c);

    // 接单, offline from claim to completion
    const v = volunteer.page;
    await sync(v);
    await v.goto(server.url + "/orders");
    await expect(v.getByRole("button", { name: `接单：${title}` })).toBeVisible();
    await volunteer.context.setOffline(true);
    await v.getByRole("button", { name: `接单：${title}` }).click();
    const mine = v.locator("section[aria-labelledby=orders-mine]");
    await expect(mine.getByText(/认领还剩 2 天/)).toBeVisible();
    await mine.getByRole("button", { name: `开始服务：${title}` }).click();
    await mine.getByRole("link", { name: title }).click();
    await expect(status(v)).toHaveText("服务中");
    // No phone yet, and the page says why: the claim has not synced.
    const waiting = v.getByRole("region", { name: "联系方式（不公开）" });
    await expect(waiting).toContainText("你的接单还没有同步到社区");
    await complete(v, "换了灯泡", "60");
    await expect(v.getByText("待同步").first()).toBeVisible();
    await volunteer.context.setOffline(false);
    await v.evaluate(() => window.dispatchEvent(new Event("online")));
    await sync(v);
    await expect(v.getByTestId("contact-waiting")).toHaveCount(0);

    // 评单: not satisfied → reopened
    await expectStatus(r, "待评价");
    await r.getByRole("button", { name: "评价", exact: true }).click();
    await r.getByLabel("不满意").check();
    await r.getByLabel("意见（选填）").fill("晚上还是不亮");
    await r.getByRole("form", { name: "评价" }).getByRole("button", { name: "评价" }).click();
    await expect(status(r)).toHaveText("返工待派");
    await sync(r);

    // The volunteer is told: a count on 消息, and the inbox names the wish.
    await sync(v);
    const inboxLink = v.getByRole("link", { name: /^消息：[1-9]\d* 条新消息$/ });
    await expect(inboxLink).toBeVisible();
    await inboxLink.click();
    const reworked = v.getByRole("listitem").filter({ hasText: "居民评价不满意，需要返工" });
    await expect(reworked).toContainText(title);
    await expect(reworked).toContainText("积分 -2");
    await expect(reworked).toContainText("新");
    await expect(v.getByRole("listitem").filter({ hasText: title }).filter({ hasText: "你完成了服务" })).toContainText("积分 +2");
    await expect(v.getByRole("link", { name: "消息：0 条新消息" })).toBeVisible();
    await shots(v, "inbox");
    await reworked.getByRole("link", { name: title }).click();

    // Dispatched again, done again, accepted.
    await expectStatus(c, "返工待派");
    await c.getByRole("button", { name: "发布接单" }).click();
    await sync(c);
    await expectStatus(v, "待接单");
    await v.getByRole("button", { name: "接单", exact: true }).click();
    await expect(status(v)).toHaveText("已接单");
    await doneAndAccepted(v, r, "换了整套灯具", "90");

    // Points and the timeline reach every device.
    await expectStatus(c, "已办结");
    await expect(c.getByText("评价：不满意，返工")).toBeVisible();
    await c.goto(server.url + "/volunteers");
    await c.getByLabel("查看谁的积分").selectOption({ label: "杨志强（志愿者）" });
    const rows = c.getByRole("row").filter({ hasText: title });
    // 60 min → +2, not satisfied −2, 90 min → +3, satisfied +2.
    await expect(rows).toHaveCount(4);
    await expect(rows.filter({ hasText: "不满意评价" })).toContainText("-2");
    await expectStatus(v, "已办结");
    await c.goto(server.url + "/dashboard");
    await expect(c.getByText("满意率").first()).toBeVisible();

    for (const d of [resident, coordinator, volunteer]) await d.context.close();
  });

  /** Contact records in this device's IndexedDB (pulled and pending), by wish id. */
  async function storedContacts(page) {
    return page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open("linli");
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(["private", "private_outbox"]);
            const out = {};
            for (const name of ["private", "private_outbox"]) {
              const req = tx.objectStore(name).getAll();
              req.onsuccess = () => (out[name] = req.result.map((t) => JSON.parse(t).wish));
            }
            tx.oncomplete = () => {
              db.close();
              resolve(out);
            };
          };
        }),
    );
  }

  test("a phone typed offline reaches the coordinator, the volunteer only once assigned, and leaves with the close", async ({
    browser,
    request,
  }) => {
    test.setTimeout(180_000);
    const resident = await device(browser, request, "r1");
    const coordinator = await device(browser, request, "c1");
    const volunteer = await device(browser, request, "v1");
    const title = `厨房水管漏水 ${Date.now() % 100000}`;
    const phone = "138 0013 8000";
    const contact = (page) => page.getByRole("region", { name: "联系方式（不公开）" });

    // Filed offline: the phone waits on the resident's phone with the wish.
    const r = resident.page;
    await r.goto(server.url + "/wishes");
    await resident.context.setOffline(true);
    await r.getByLabel("类别", { exact: true }).selectOption("repair");
    await r.getByLabel("标题", { exact: true }).fill(title);
    await r.getByLabel("联系电话（不公开，选填）").fill("12345abc");
    await r.getByRole("button", { name: "提交心愿" }).click();
    await expect(r.getByText("电话号码只能包含数字、空格、+ 和 -，最多 20 位。").first()).toBeVisible();
    await r.getByLabel("联系电话（不公开，选填）").fill(phone);
    await r.getByRole("button", { name: "提交心愿" }).click();
    await r.getByRole("link", { name: "查看这个心愿" }).click();
    const url = r.url();
    await expect(contact(r).getByRole("link", { name: phone })).toBeVisible();
    const wish = decodeURIComponent(url.split("/wishes/")[1]);
    expect((await storedContacts(r)).private_outbox).toEqual([wish]);
    await resident.context.setOffline(false);
    await r.evaluate(() => window.dispatchEvent(new Event("online")));
    await sync(r);
    await expect.poll(async () => (await storedContacts(r)).private_outbox).toEqual([]);
    expect((await storedContacts(r)).private).toEqual([wish]);
    await expect(contact(r).getByRole("link", { name: phone })).toBeVisible();

    // The coordinator sees it; a volunteer not (yet) holding the wish does not.
    const c = coordinator.page;
    await sync(c);
    await c.goto(url);
    await expect(c.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await expect(contact(c).getByRole("link", { name: phone })).toBeVisible();
    const v = volunteer.page;
    await sync(v);
    await v.goto(url);
    await expect(v.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await expect(contact(v)).toHaveCount(0);
    expect((await storedContacts(v)).private).not.toContain(wish);

    // Assigned to the volunteer: the phone arrives with the next sync.
    await c.getByRole("button", { name: "派单", exact: true }).click();
    await c.getByLabel("派给").selectOption({ label: "杨志强（志愿者）" });
    await c.getByRole("form", { name: "派单" }).getByRole("button", { name: "派单" }).click();
    await expect(status(c)).toHaveText("已派单");
    await sync(c);
    await expectStatus(v, "已派单");
    await expect(contact(v).getByRole("link", { name: phone })).toBeVisible({ timeout: 30_000 });
    expect((await storedContacts(v)).private).toContain(wish);
    await v.screenshot({ path: test.info().outputPath("wish-detail-contact-360.png"), fullPage: true });

    // Done and accepted: every device but the coordinator's forgets it.
    await doneAndAccepted(v, r, "换了水管接头", "45");
    await expectStatus(v, "已办结");
    await expect(contact(v)).toHaveCount(0);
    await expect.poll(async () => (await storedContacts(v)).private).not.toContain(wish);
    await expect(contact(r)).toHaveCount(0);
    await expect.poll(async () => (await storedContacts(r)).private).not.toContain(wish);

    for (const d of [resident, coordinator, volunteer]) await d.context.close();
  });

  test("a partner unit joins by code and claims a published demand from its resource list; the coordinator sees it", async ({
    browser,
    request,
  }) => {
    test.setTimeout(120_000);
    const partner = await device(browser, request, "p1");
    const coordinator = await device(browser, request, "c1");
    const p = partner.page;
    await p.goto(server.url + "/");
    await p.getByRole("link", { name: "资源清单" }).click();
    const saturday = p.getByRole("region", { name: "现有资源" }).getByRole("listitem").filter({ has: p.getByRole("heading", { name: "周六志愿者20人" }) });
    const demand = saturday.getByRole("listitem").getByRole("link").first();
    const title = (await demand.textContent()).trim();
    await demand.click();
    await expect(p.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await p.locator("section[aria-labelledby=resources-title]").getByRole("button", { name: "认领服务：周六志愿者20人" }).click();
    await expect(status(p)).toHaveText("已接单");
    await sync(p);
    await sync(coordinator.page);
    await openFromBoard(coordinator.page, title);
    await expect(coordinator.page.locator(".fact").filter({ hasText: "当前承接" })).toContainText("市第三人民医院");
    for (const d of [partner, coordinator]) await d.context.close();
  });

  test("two volunteers claim the same order offline: after sync one has it, the other is told", async ({ browser, request }) => {
    test.setTimeout(120_000);
    const coordinator = await device(browser, request, "c1");
    const a = await device(browser, request, "v1");
    const b = await device(browser, request, "v2");
    const c = coordinator.page;
    const title = `车棚垃圾清运 ${Date.now() % 100000}`;
    await c.goto(server.url + "/wishes");
    await c.getByLabel("类别", { exact: true }).selectOption("cleaning");
    await c.getByLabel("标题", { exact: true }).fill(title);
    await c.getByRole("button", { name: "提交心愿" }).click();
    await c.getByRole("link", { name: "查看这个心愿" }).click();
    await c.getByRole("button", { name: "发布接单" }).click();
    await sync(c);

    for (const d of [a, b]) {
      await sync(d.page);
      await d.page.goto(server.url + "/orders");
      await expect(d.page.getByRole("button", { name: `接单：${title}` })).toBeVisible();
      await d.context.setOffline(true);
      await d.page.getByRole("button", { name: `接单：${title}` }).click();
      await expect(d.page.locator("section[aria-labelledby=orders-mine]").getByRole("link", { name: title })).toBeVisible();
    }
    for (const d of [a, b]) {
      await d.context.setOffline(false);
      await d.page.evaluate(() => window.dispatchEvent(new Event("online")));
      await sync(d.page);
    }
    await sync(a.page);
    // a pushed first, so a's claim is first in the log.
    await expect(a.page.locator("section[aria-labelledby=orders-mine]").getByRole("link", { name: title })).toBeVisible();
    // b is told which order, who took it and when, in a bar that stays in view.
    const told = b.page.getByRole("alert").filter({ hasText: title });
    await expect(told).toBeVisible({ timeout: 30_000 });
    await expect(told).toContainText(/没有接到单：杨志强 在 \d{4}-\d\d-\d\d \d\d:\d\d 先接了/);
    await expect(told.getByRole("link", { name: title })).toBeVisible();
    await expect(b.page.locator("section[aria-labelledby=orders-mine]").getByRole("link", { name: title })).toHaveCount(0);
    await expect(b.page.getByRole("button", { name: `接单：${title}` })).toHaveCount(0);
    // Nothing left saying the lost claim is saved and waiting to sync.
    await expect(b.page.getByText("已保存在本机，联网后自动同步。")).toHaveCount(0);
    await expect(a.page.getByText("已同步到社区。")).toBeVisible();
    await b.page.screenshot({ path: test.info().outputPath("orders-lost-claim-360.png"), fullPage: true });
    for (const d of [coordinator, a, b]) await d.context.close();
  });
});
