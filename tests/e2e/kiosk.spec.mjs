// The service-centre tablet clears itself for the next person: after the
// community's idle time a countdown any touch cancels, then the home page
// with nothing of what was typed left on screen or behind Back.
import { test, expect } from "./csp.mjs";
import { startServer } from "./server.mjs";
import { joinDemo } from "./demo-join.mjs";

let server;
test.beforeEach(async () => {
  server = await startServer({ demo: true });
});
test.afterEach(async () => {
  await server?.kill();
});

const joinAs = (browser, request, role) => joinDemo(browser, request, server.url, (c) => c.role === role);

const nudge = (page) => page.evaluate(() => window.dispatchEvent(new Event("focus")));

test("the kiosk counts down after the idle time, a touch keeps it, and then it clears itself", async ({ browser, request }) => {
  test.setTimeout(150_000);
  // The coordinator shortens the idle time to its least, 15 s.
  const c = await joinAs(browser, request, "coordinator");
  await c.page.goto(server.url + "/admin");
  const idle = c.page.getByLabel("自助机无人操作多久后清空（秒）");
  await expect(idle).toHaveValue("60");
  await idle.fill("5");
  await c.page.getByRole("button", { name: "保存", exact: true }).first().click();
  await expect(c.page.getByText("自助机无操作等待时间应在 15 到 600 秒之间。").first()).toBeVisible();
  await idle.fill("15");
  await c.page.getByRole("button", { name: "保存", exact: true }).first().click();
  await expect(c.page.getByRole("status").filter({ hasText: "已保存在本机" }).first()).toBeVisible();
  await nudge(c.page);
  await expect(c.page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });

  const k = await joinAs(browser, request, "kiosk");
  const page = k.page;
  await page.goto(server.url + "/wishes");
  const title = page.getByLabel("标题", { exact: true });
  await title.fill("三号楼的灯坏了");
  await page.getByLabel("联系电话（不公开，选填）").fill("138 0000 1111");

  // Left alone: the warning comes; a touch keeps what was typed.
  const countdown = page.getByRole("alert").filter({ hasText: /秒后清空本页并返回首页/ });
  await expect(countdown).toBeVisible({ timeout: 20_000 });
  await countdown.getByRole("button", { name: "我还在用" }).click();
  await expect(countdown).toHaveCount(0);
  await expect(title).toHaveValue("三号楼的灯坏了");

  // Left alone again: home, empty; Back shows nothing typed either.
  await expect(countdown).toBeVisible({ timeout: 20_000 });
  await expect(page).toHaveURL(server.url + "/", { timeout: 15_000 });
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.goto(server.url + "/wishes");
  await expect(page.getByLabel("标题", { exact: true })).toHaveValue("");
  await expect(page.getByLabel("联系电话（不公开，选填）")).toHaveValue("");
  await page.goBack();
  await expect(page.getByText("三号楼的灯坏了")).toHaveCount(0);
  expect(await page.content()).not.toContain("138 0000 1111");
  for (const x of [c.context, k.context]) await x.close();
});
