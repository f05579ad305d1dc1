// City systems (Open311, docs/open311.md): a coordinator makes an API key
// on 邀请成员、管理设备 (shown once), a city system posts a request with it
// (a form POST, as GeoReport v2 has it), and the dispatch page shows the
// wish with its channel and the key's name; the section passes axe. A
// street coordinator makes a street's key the same way; a POST with
// jurisdiction_id files into a community of the street, signed.
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

test("a key made in the UI files a wish the dispatch page shows with its channel", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const c = await joinDemo(browser, request, server.url, (x) => x.role === "coordinator");
  const page = c.page;
  await page.goto(server.url + "/invite");
  await expect(page.getByRole("heading", { name: "城市系统接入（Open311）" })).toBeVisible();
  await page.getByRole("button", { name: "生成 API 密钥" }).click();
  await expect(page.getByText("请填写密钥名称。").first()).toBeVisible();
  await page.getByLabel("密钥名称").fill("12345 热线");
  await page.getByRole("button", { name: "生成 API 密钥" }).click();
  const key = (await page.getByTestId("open311-key").textContent()).trim();
  expect(key).toMatch(/^o311_[0-9a-f]{32}$/);
  const list = page.getByTestId("open311-keys");
  await expect(list).toContainText("12345 热线");
  await expect(list).toContainText("尚未使用");
  expect(await list.textContent()).not.toContain(key);
  const endpoint = (await page.getByTestId("open311-endpoint").textContent()).trim();
  expect(endpoint).toMatch(/\/api\/open311\/v2\/communities\/[^/]+\/$/);

  // A city system posts a request (form-encoded), then reads it back.
  const res = await request.post(endpoint + "requests.json", {
    form: {
      api_key: key,
      service_code: "repair",
      description: "路灯不亮（12345 转办）",
      address_string: "长寿路 100 弄 3 号",
      phone: "13912345678",
    },
  });
  expect(res.status()).toBe(200);
  const [posted] = await res.json();
  const back = await request.get(`${endpoint}requests/${posted.service_request_id}.json?api_key=${key}`);
  const [shown] = await back.json();
  expect(shown.status).toBe("open");
  expect(JSON.stringify(shown)).not.toContain("13912345678");

  // The key is shown once: after a reload only its row is there.
  await page.reload();
  await expect(page.getByTestId("open311-key")).toHaveCount(0);
  await expect(page.getByTestId("open311-keys")).not.toContainText("尚未使用");

  // The dispatch page shows it with its channel; the wish page too.
  await page.goto(server.url + "/board");
  await nudge(page);
  const item = page.locator(".wish-item").filter({ hasText: "路灯不亮（12345 转办）" });
  await expect(item).toBeVisible({ timeout: 30_000 });
  await expect(item.getByTestId("city-chip")).toHaveText("城市系统 · 12345 热线");
  await item.getByRole("link", { name: "路灯不亮（12345 转办）" }).click();
  await expect(page.getByText("城市系统转办（Open311）")).toBeVisible();
  // Its requester's phone reaches the coordinator as the wish form's does.
  await expect(page.getByText("13912345678")).toBeVisible({ timeout: 30_000 });

  // Revoked: the city system is refused.
  await page.goto(server.url + "/invite");
  await page.getByRole("button", { name: "撤销密钥“12345 热线”" }).click();
  await expect(page.getByTestId("open311-keys")).toContainText("已撤销");
  const refused = await request.get(`${endpoint}requests.json?api_key=${key}`);
  expect(refused.status()).toBe(403);
  expect((await refused.json())[0].error_code).toBe("api_key_revoked");

  await axeKeys(page);
  await c.context.close();
});

/** The key section passes axe at 360 px and on a tablet, in both languages. */
async function axeKeys(page) {
  for (const [width, height] of [[360, 740], [1280, 800]]) {
    await page.setViewportSize({ width, height });
    for (const lang of ["zh-CN", "en"]) {
      await page.evaluate((l) => localStorage.setItem("linli.locale", l), lang);
      await page.goto(server.url + "/invite");
      await expect(page.locator("#open311-title")).toBeVisible();
      await page.evaluate(AXE);
      // This section only: the rest of /invite is the invitations spec's.
      const result = await page.evaluate(() =>
        window.axe.run(document.querySelector('section[aria-labelledby="open311-title"]'), { resultTypes: ["violations"] }),
      );
      const bad = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
      expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`), `${lang} ${width}`).toEqual([]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${lang} ${width} horizontal overflow`).toBeLessThanOrEqual(0);
    }
  }
  await page.evaluate(() => localStorage.setItem("linli.locale", "zh-CN"));
}

test("a street's key made on the street device files into a community of the street, signed", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const demo = await (await request.get(server.url + "/api/v1/demo")).json();
  const code = demo.street?.codes.find((x) => x.role === "coordinator")?.code;
  expect(code, JSON.stringify(demo)).toBeTruthy();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/join?code=${encodeURIComponent(code)}`);
  await page.getByRole("button", { name: "加入", exact: true }).click();
  await expect(page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });

  // The street coordinator makes a key on the street's /invite.
  await page.goto(server.url + "/invite");
  await expect(page.getByRole("heading", { name: "城市系统接入（Open311）" })).toBeVisible();
  await expect(page.getByTestId("open311-jurisdictions")).toContainText(demo.community);
  await page.getByLabel("密钥名称").fill("12345 热线");
  await page.getByRole("button", { name: "生成 API 密钥" }).click();
  const key = (await page.getByTestId("open311-key").textContent()).trim();
  expect(key).toMatch(/^o311_[0-9a-f]{32}$/);
  await expect(page.getByTestId("open311-keys")).toContainText("12345 热线");
  const endpoint = (await page.getByTestId("open311-endpoint").textContent()).trim();
  expect(endpoint).toMatch(/\/api\/open311\/v2\/streets\/[^/]+\/$/);

  // A city system files into the demo community (jurisdiction_id), then reads it back.
  const res = await request.post(endpoint + "requests.json", {
    form: {
      api_key: key,
      jurisdiction_id: demo.community,
      service_code: "repair",
      description: "井盖松动（街道 12345 转办）",
      address_string: "长寿路 100 弄门口",
      phone: "13912345678",
    },
  });
  expect(res.status(), await res.text()).toBe(200);
  const [posted] = await res.json();
  const back = await request.get(`${endpoint}requests.json?api_key=${key}`);
  expect((await back.json()).map((r) => r.service_request_id)).toEqual([posted.service_request_id]);
  const missing = await request.post(endpoint + "requests.json", { form: { api_key: key, service_code: "repair", address_string: "x" } });
  expect((await missing.json())[0].error_code).toBe("missing_field");
  await axeKeys(page);
  await context.close();

  // The community's dispatch page shows it signed by the street's key.
  const c = await joinDemo(browser, request, server.url, (x) => x.role === "coordinator");
  await c.page.goto(server.url + "/board");
  await nudge(c.page);
  const item = c.page.locator(".wish-item").filter({ hasText: "井盖松动（街道 12345 转办）" });
  await expect(item).toBeVisible({ timeout: 30_000 });
  await expect(item.getByTestId("city-chip")).toHaveText("城市系统 · 西关街道 · 12345 热线");
  await item.getByRole("link", { name: "井盖松动（街道 12345 转办）" }).click();
  await expect(c.page.getByText("城市系统转办（Open311）")).toBeVisible();
  await expect(c.page.locator(".facts")).toContainText("西关街道 · 12345 热线");
  await c.context.close();
});
