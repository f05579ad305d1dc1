// The four-unit workflow (点单 → 派单 → 接单 → 评单) on real devices: each
// browser context is one person's phone, seeded with the demo community.
import { test, expect } from "@playwright/test";
import { createRequire } from "node:module";
import { startServer } from "./server.mjs";
import { seedAs } from "./workflow-seed.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");

let server;
test.beforeEach(async () => {
  server = await startServer();
});
test.afterEach(async () => {
  await server?.kill();
});

async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`)).toEqual([]);
}

test("a resident files a wish: inline errors in both languages, then it shows in my wishes and its page", async ({ page }) => {
  await seedAs(page, server.url, "r1");
  await page.goto(server.url + "/wishes");
  await expect(page.getByRole("heading", { level: 1, name: "心愿清单" })).toBeVisible();
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
  await expect(mine.getByText(/认领还剩/).first()).toBeVisible();
  await mine.getByRole("button", { name: `开始服务：${title}` }).click();
  await mine.getByRole("link", { name: title }).click();
  await expect(page.locator(".detail-head .chip")).toHaveText("服务中");

  await page.getByRole("button", { name: "完成服务" }).click();
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
  await shots(page, "dashboard");
});
