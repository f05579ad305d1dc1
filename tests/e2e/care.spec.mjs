// The care list (关爱名单): a grid worker adds a household and, offline in a
// stairwell, records a visit with a note and a wish from it; back online the
// coordinator sees the visit, the note and the linked wish; a volunteer who
// is not responsible sees neither the name nor the note (page and
// IndexedDB); after the household is reassigned, the old pair's device no
// longer holds its private record.
import { test, expect } from "./csp.mjs";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { startServer } from "./server.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

let server;
test.beforeEach(async () => {
  server = await startServer({ demo: true });
});
test.afterEach(async () => {
  await server?.kill();
});

async function axe(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`)).toEqual([]);
}

/** A fresh device joined as the demo member `member`, synced once. */
async function device(browser, request, member) {
  const demo = await (await request.get(server.url + "/api/v1/demo")).json();
  const code = demo.codes.find((c) => c.member === member).code;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/join?code=${encodeURIComponent(code)}`);
  await page.getByRole("button", { name: "加入", exact: true }).click();
  await synced(page);
  return { context, page };
}

const synced = (page) => expect(page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });
/** Syncs now (the engine syncs on focus) and waits until it has. */
async function sync(page) {
  await page.evaluate(() => window.dispatchEvent(new Event("focus")));
  await synced(page);
}

/** Everything in this device's IndexedDB, as one string. */
async function everythingStored(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("linli");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const names = [...db.objectStoreNames];
          const tx = db.transaction(names);
          const out = [];
          for (const name of names) {
            const req = tx.objectStore(name).getAll();
            req.onsuccess = () => out.push(JSON.stringify(req.result));
          }
          tx.oncomplete = () => {
            db.close();
            resolve(out.join("\n"));
          };
        };
      }),
  );
}

const NAME = "王秀英奶奶";
const PHONE = "13812345678";
const NOTE = "膝盖疼，想请人帮忙买药";

test("a visit recorded offline reaches the coordinator, never a volunteer who is not responsible, and leaves the old pair's device", async ({
  browser,
  request,
}) => {
  test.setTimeout(240_000);
  const g = await device(browser, request, "g1");
  const page = g.page;

  // The grid worker puts a household on the list, 杨志强 as the pair.
  await page.goto(server.url + "/care/new");
  await page.getByLabel("类别", { exact: true }).selectOption("独居老人");
  await expect(page.getByLabel("网格", { exact: true })).toHaveValue("一网格");
  await page.getByRole("group", { name: "结对志愿者" }).getByLabel("杨志强").check();
  await page.getByLabel("姓名", { exact: true }).fill(NAME);
  await page.getByLabel("联系电话", { exact: true }).fill("call me");
  await page.getByRole("button", { name: "添加到关爱名单" }).click();
  await expect(page.getByText("电话号码格式不对").first()).toBeVisible();
  await page.getByLabel("联系电话", { exact: true }).fill(PHONE);
  await page.getByLabel("详细住址", { exact: true }).fill("3号楼2单元501");
  await page.getByRole("button", { name: "添加到关爱名单" }).click();
  await page.getByRole("link", { name: "查看这一户" }).click();
  await expect(page.getByRole("heading", { level: 1, name: NAME })).toBeVisible();
  const householdUrl = page.url();
  await sync(page);
  await axe(page);

  // In the stairwell: no signal. The visit, its note, then a wish from it.
  await g.context.setOffline(true);
  await page.getByRole("button", { name: "需要跟进" }).click();
  await expect(page.getByRole("button", { name: "需要跟进" })).toHaveAttribute("aria-pressed", "true");
  await page.getByLabel("走访记录（仅有权限的人可见）").fill(NOTE);
  await page.getByRole("button", { name: "保存走访" }).click();
  await expect(page.getByRole("status").filter({ hasText: "已保存在本机" }).first()).toBeVisible();
  await expect(page.getByText(NOTE)).toBeVisible();
  await page.getByRole("link", { name: "为这次走访登记微心愿" }).click();
  await expect(page.getByText("这条微心愿来自一次上门走访")).toBeVisible();
  await page.getByLabel("类别", { exact: true }).selectOption("elderly_care");
  await page.getByLabel("标题", { exact: true }).fill("帮王奶奶买降压药");
  await page.getByRole("button", { name: "提交心愿" }).click();
  await expect(page.getByRole("status").filter({ hasText: "已保存在本机" }).first()).toBeVisible();
  await page.goto(householdUrl);
  await expect(page.getByRole("link", { name: "帮王奶奶买降压药" })).toBeVisible();

  // Back outside: it all goes up.
  await g.context.setOffline(false);
  await sync(page);

  // The coordinator sees the household, the visit, the note and the wish.
  const c = await device(browser, request, "c1");
  await c.page.goto(server.url + "/care");
  await expect(c.page.getByRole("link", { name: NAME })).toBeVisible();
  await c.page.getByRole("link", { name: NAME }).click();
  await expect(c.page.getByText(NOTE)).toBeVisible();
  await expect(c.page.getByText("需要跟进").first()).toBeVisible();
  await expect(c.page.getByRole("link", { name: "帮王奶奶买降压药" })).toBeVisible();
  await axe(c.page);
  await c.page.goto(server.url + "/dashboard");
  await expect(c.page.getByRole("heading", { name: "本月走访覆盖率" })).toBeVisible();
  const coverage = c.page.getByRole("region", { name: "本月走访覆盖率" });
  await expect(coverage.getByRole("row", { name: /一网格/ })).toContainText("100.0%");

  // A volunteer who is not responsible: nothing on the page, nothing stored.
  const other = await device(browser, request, "v2");
  await other.page.goto(householdUrl);
  await expect(other.page.getByText("关爱名单上没有这一户，或您没有查看权限。")).toBeVisible();
  await other.page.goto(server.url + "/care");
  await expect(other.page.getByText("关爱名单只对")).toBeVisible();
  let stored = await everythingStored(other.page);
  for (const secret of [NAME, PHONE, NOTE]) expect(stored).not.toContain(secret);

  // The pair sees it, until the grid worker takes them off.
  const v = await device(browser, request, "v1");
  await v.page.goto(householdUrl);
  await expect(v.page.getByRole("heading", { level: 1, name: NAME })).toBeVisible();
  await expect(v.page.getByText(NOTE)).toBeVisible();
  expect(await everythingStored(v.page)).toContain(NAME);

  await page.goto(householdUrl);
  await page.getByRole("group", { name: "结对志愿者" }).getByLabel("杨志强").uncheck();
  await page.getByRole("button", { name: "保存调整" }).click();
  await expect(page.getByRole("status").filter({ hasText: /已保存在本机|已同步到社区/ }).first()).toBeVisible();
  await sync(page);
  await sync(v.page);
  await expect(v.page.getByText("关爱名单上没有这一户，或您没有查看权限。")).toBeVisible();
  stored = await everythingStored(v.page);
  for (const secret of [NAME, PHONE, NOTE]) expect(stored).not.toContain(secret);

  for (const d of [g, c, other, v]) await d.context.close();
});

test("the care pages read in English at phone width", async ({ browser, request }) => {
  const g = await device(browser, request, "g1");
  const page = g.page;
  await page.setViewportSize({ width: 360, height: 740 });
  await page.evaluate(() => localStorage.setItem("linli.locale", "en"));
  await page.goto(server.url + "/care/new");
  await expect(page.getByRole("heading", { level: 1, name: "Add a household" })).toBeVisible();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide).toBeLessThanOrEqual(360);
  await axe(page);
  await page.goto(server.url + "/care");
  await expect(page.getByRole("heading", { name: "Care list" })).toBeVisible();
  await axe(page);
  await g.context.close();
});
