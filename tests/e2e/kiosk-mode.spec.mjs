// The service-centre tablet in kiosk mode (docs/kiosk.md): its token reads
// the kiosk view, never the log; its home is the walk-up screen; leaving it
// needs the coordinator's PIN, and wrong PINs wait; filing offline syncs
// later; a walk-up resident evaluates a finished service by its slip code.
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

const joinAs = (browser, request, role) => joinDemo(browser, request, server.url, (c) => c.role === role);
const nudge = (page) => page.evaluate(() => window.dispatchEvent(new Event("focus")));
const synced = (page) => expect(page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });

/** A token of the demo's member with `role`, through the API. */
async function apiJoin(request, role) {
  const demo = await (await request.get(server.url + "/api/v1/demo")).json();
  const code = demo.codes.find((c) => c.role === role).code;
  const res = await request.post(server.url + "/api/v1/join", { data: { code, display_name: "测试" } });
  expect(res.status()).toBe(200);
  const j = await res.json();
  const base = `${server.url}/api/v1/communities/${encodeURIComponent(j.community)}`;
  const get = (rest) => request.get(`${base}/${rest}`, { headers: { authorization: `Bearer ${j.token}` } });
  return { ...j, get };
}

test("the kiosk token is refused the log segments and receives the kiosk view", async ({ request }) => {
  const coord = await apiJoin(request, "coordinator");
  const kiosk = await apiJoin(request, "kiosk");
  const head = await (await coord.get("head")).json();
  const name = head.segments[0].name;
  expect((await coord.get(`segments/${name}`)).status()).toBe(200);
  const refused = await kiosk.get(`segments/${name}`);
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.code).toBe("kiosk_view_only");
  // The kiosk view: the community, no wish text, no member but itself and
  // today's rosters; the coordinator has none.
  const res = await kiosk.get("kiosk");
  expect(res.status()).toBe(200);
  const view = await res.json();
  expect(view.epoch).toBe(head.epoch);
  expect(view.state.seq).toBe(head.seq);
  expect(view.state.community.name).toBe("长寿路社区");
  const wishes = Object.values(view.state.wishes);
  expect(wishes.every((w) => w.title === "" && !w.description && w.status === "completed")).toBe(true);
  const full = await (await coord.get(`segments/${name}`)).json();
  const members = new Set(full.entries.filter((e) => e.op.kind.type === "add_member").map((e) => e.op.kind.member));
  expect(Object.keys(view.state.members).length).toBeLessThan(members.size);
  expect(view.state.ledger).toEqual({});
  expect((await coord.get("kiosk")).status()).toBe(403);
});

test("leaving kiosk mode needs the PIN; wrong PINs are refused and wait, also after a reload", async ({ browser, request }) => {
  test.setTimeout(150_000);
  // The coordinator sets the PIN on 社区管理.
  const c = await joinAs(browser, request, "coordinator");
  await c.page.goto(server.url + "/admin");
  const newPin = c.page.getByLabel("新的 PIN 码（4–8 位数字）");
  await newPin.fill("12");
  await c.page.getByRole("button", { name: "设置 PIN 码" }).click();
  await expect(c.page.getByText("PIN 码应为 4 到 8 位数字。")).toBeVisible();
  await newPin.fill("2468");
  await c.page.getByRole("button", { name: "设置 PIN 码" }).click();
  await expect(c.page.getByText("PIN 码已设置。服务窗口平板下次同步后生效。")).toBeVisible();

  const k = await joinAs(browser, request, "kiosk");
  const page = k.page;
  await page.goto(server.url + "/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("服务窗口");
  await expect(page.getByRole("link", { name: /我要许愿/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /评价服务/ })).toBeVisible();
  await expect(page.locator(".bottom-nav a")).toHaveCount(0);
  // Every other page sends it home.
  for (const route of ["/settings", "/board", "/admin", "/invite"]) {
    await page.goto(server.url + route);
    await expect(page).toHaveURL(server.url + "/");
    await expect(page.getByRole("link", { name: /评价服务/ })).toBeVisible();
  }

  await page.getByRole("link", { name: "工作人员退出服务窗口模式" }).click();
  await expect(page).toHaveURL(server.url + "/kiosk/leave");
  const pin = page.getByLabel("PIN 码", { exact: true });
  const leave = page.getByRole("button", { name: "退出", exact: true });
  for (let i = 0; i < 2; i++) {
    await pin.fill("1111");
    await leave.click();
    await expect(page.getByText("PIN 码不对。", { exact: true })).toBeVisible();
    await expect(page).toHaveURL(server.url + "/kiosk/leave");
    await page.getByLabel("PIN 码", { exact: true }).focus();
  }
  await pin.fill("1111");
  await leave.click();
  await expect(page.getByText("PIN 码不对。请 30 秒后再试。")).toBeVisible();
  // A reload does not reset the wait: even the right PIN waits.
  await page.reload();
  await page.getByLabel("PIN 码", { exact: true }).fill("2468");
  await page.getByRole("button", { name: "退出", exact: true }).click();
  await expect(page.getByText(/输错次数太多，请 \d+ 秒后再试。/)).toBeVisible();
  await expect(page).toHaveURL(server.url + "/kiosk/leave");
  await page.waitForTimeout(30_500);
  await page.getByLabel("PIN 码", { exact: true }).fill("2468");
  await page.getByRole("button", { name: "退出", exact: true }).click();
  await expect(page).toHaveURL(server.url + "/settings");
  await expect(page.getByText("本机已暂时退出服务窗口模式。")).toBeVisible();
  // Back in kiosk mode by the button (a reload): other pages are closed again.
  await page.getByRole("button", { name: "回到服务窗口模式" }).click();
  await expect(page).toHaveURL(server.url + "/");
  await expect(page.getByRole("link", { name: /评价服务/ })).toBeVisible();
  await page.goto(server.url + "/settings");
  await expect(page).toHaveURL(server.url + "/");
  for (const x of [c.context, k.context]) await x.close();
});

test("the kiosk screens pass axe in both languages at 360 px and on a 10-inch tablet", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const k = await joinAs(browser, request, "kiosk");
  const page = k.page;
  for (const [width, height] of [[360, 740], [1280, 800], [800, 1280]]) {
    await page.setViewportSize({ width, height });
    for (const lang of ["zh-CN", "en"]) {
      await page.evaluate((l) => localStorage.setItem("linli.locale", l), lang);
      for (const route of ["/", "/kiosk/evaluate", "/kiosk/leave", "/wishes"]) {
        await page.goto(server.url + route);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        await page.evaluate(AXE);
        const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
        const bad = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
        expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`), `${lang} ${route} ${width}`).toEqual([]);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${lang} ${route} ${width} horizontal overflow`).toBeLessThanOrEqual(0);
        if (route === "/") {
          // Big targets: every action at least 48 px high.
          const heights = await page.locator(".kiosk-action").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
          expect(heights.length).toBeGreaterThanOrEqual(2);
          for (const h of heights) expect(h).toBeGreaterThanOrEqual(48);
        }
      }
    }
  }
  await k.context.close();
});

test("a wish filed at the kiosk offline is uploaded once it is online", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const k = await joinAs(browser, request, "kiosk");
  const page = k.page;
  await page.goto(server.url + "/");
  await page.getByRole("link", { name: /我要许愿/ }).click();
  await k.context.setOffline(true);
  await page.getByLabel("类别", { exact: true }).selectOption("repair");
  await page.getByLabel("标题", { exact: true }).fill("自助机离线登记的路灯");
  await page.getByLabel("联系电话（不公开，选填）").fill("13900001111");
  await page.getByRole("button", { name: "提交心愿" }).click();
  await expect(page.getByRole("status").filter({ hasText: "已保存在本机" }).first()).toBeVisible();
  await k.context.setOffline(false);
  await nudge(page);
  await synced(page);
  // In the log for everyone else; nothing of it kept on the kiosk.
  const c = await joinAs(browser, request, "coordinator");
  await c.page.goto(server.url + "/wishes");
  await expect(c.page.getByText("自助机离线登记的路灯").first()).toBeVisible({ timeout: 30_000 });
  const kept = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open("linli");
        open.onsuccess = () => {
          const db = open.result;
          const stores = ["log", "log_chunks", "outbox", "snapshot"];
          const tx = db.transaction(stores, "readonly");
          const out = {};
          let n = 0;
          for (const s of stores) {
            const r = tx.objectStore(s).getAll();
            r.onsuccess = () => {
              out[s] = JSON.stringify(r.result);
              if (++n === stores.length) resolve(out);
            };
          }
        };
      }),
  );
  expect(kept.log).toBe("[]");
  expect(kept.log_chunks).toBe("[]");
  expect(kept.outbox).toBe("[]");
  expect(kept.snapshot).not.toContain("自助机离线登记的路灯");
  for (const x of [c.context, k.context]) await x.close();
});

test("a walk-up resident evaluates a finished service at the kiosk by the code on the slip", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const kioskApi = await apiJoin(request, "kiosk");
  const view = await (await kioskApi.get("kiosk")).json();
  const ids = Object.keys(view.state.wishes);
  expect(ids.length, "the demo has finished walk-up wishes").toBeGreaterThan(0);
  const id = ids[0];
  // The slip's code, as the coordinator's wish page shows it.
  const c = await joinAs(browser, request, "coordinator");
  await c.page.goto(`${server.url}/wishes/${encodeURIComponent(id)}`);
  const slip = c.page.locator(".slip-code");
  await expect(slip).toContainText("评价码：");
  const code = (await slip.textContent()).replace("评价码：", "").trim();
  expect(code).toMatch(/^[0-9A-Z]{3}-[0-9A-Z]{3}$/);

  const k = await joinAs(browser, request, "kiosk");
  const page = k.page;
  await page.goto(server.url + "/");
  await page.getByRole("link", { name: /评价服务/ }).click();
  await expect(page).toHaveURL(server.url + "/kiosk/evaluate");
  const field = page.getByLabel("评价码", { exact: true });
  await field.fill("12");
  await page.getByRole("button", { name: "查找" }).click();
  await expect(page.getByText("评价码是 6 位字母和数字，请核对回执后重新输入。")).toBeVisible();
  await field.fill(code.toLowerCase().replace("-", " "));
  await page.getByRole("button", { name: "查找" }).click();
  await expect(page.getByRole("heading", { name: "找到了这项服务" })).toBeVisible();
  await page.getByLabel("满意", { exact: true }).check();
  await page.getByLabel("想说的话（可不填）").fill("师傅很耐心");
  await page.getByRole("button", { name: "提交评价" }).click();
  await expect(page.getByText("谢谢您的评价！")).toBeVisible();
  // Once: the same code finds nothing now.
  await page.getByLabel("评价码", { exact: true }).fill(code);
  await page.getByRole("button", { name: "查找" }).click();
  await expect(page.getByText(/没有找到待评价的服务/)).toBeVisible();
  await nudge(page);
  await synced(page);
  // In the log: the wish is closed, with the kiosk's evaluation.
  await nudge(c.page);
  await c.page.reload();
  await expect(c.page.getByText("师傅很耐心").first()).toBeVisible({ timeout: 30_000 });
  await expect(c.page.locator(".slip-code")).toHaveCount(0);
  for (const x of [c.context, k.context]) await x.close();
});
