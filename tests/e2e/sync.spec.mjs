// Two devices of one community, through the real endpoint.
import { test, expect } from "./csp.mjs";
import { startServer } from "./server.mjs";

let server;
test.beforeEach(async () => {
  server = await startServer({ demo: true });
});
test.afterEach(async () => {
  await server?.kill();
});

async function demoCode(request, role) {
  const res = await request.get(server.url + "/api/v1/demo");
  expect(res.status()).toBe(200);
  const demo = await res.json();
  const code = demo.codes.find((c) => c.role === role);
  expect(code, `a demo code for ${role}`).toBeTruthy();
  return code;
}

/** Opens the app in a fresh browser context (a device) and joins by code. */
async function device(browser, code) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/join?code=${encodeURIComponent(code)}`);
  await expect(page.getByLabel("邀请码")).toHaveValue(code);
  await page.getByRole("button", { name: "加入", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "欢迎使用邻里" })).toBeVisible();
  await expect(page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });
  await page.goto(server.url + "/settings");
  return { context, page };
}

const check = (page) => page.getByTestId("state-check").textContent();

async function rename(page, name) {
  await page.getByLabel("显示的称呼").fill(name);
  await page.getByRole("button", { name: "保存称呼" }).click();
  await expect(page.getByRole("status").filter({ hasText: "已保存，联网后同步给大家。" })).toBeVisible();
}

/** Asks a device for a sync round now (what a tab regaining focus does). */
const nudge = (page) => page.evaluate(() => window.dispatchEvent(new Event("focus")));

test("two devices join by code, write while one is offline, and converge", async ({ browser, request }) => {
  const coordinator = await demoCode(request, "coordinator");
  const volunteer = await demoCode(request, "volunteer");
  const a = await device(browser, coordinator.code);
  const b = await device(browser, volunteer.code);
  await expect.poll(async () => (await check(a.page)) === (await check(b.page)), { timeout: 30_000 }).toBe(true);

  await a.context.setOffline(true);
  await rename(a.page, "王书记（在楼道里）");
  await expect(a.page.getByRole("status", { name: /离线 · 1 条待同步/ })).toBeVisible();
  await rename(b.page, "李师傅（志愿者）");
  await expect(b.page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });

  await a.context.setOffline(false);
  await a.page.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(a.page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });
  await nudge(b.page);
  await expect
    .poll(async () => {
      await nudge(a.page);
      await nudge(b.page);
      return (await check(a.page)) === (await check(b.page));
    }, { timeout: 30_000 })
    .toBe(true);
  // Each device shows the other's change.
  await a.page.goto(server.url + "/join");
  await b.page.goto(server.url + "/join");
  await expect(a.page.getByText("当前身份：王书记（在楼道里）")).toBeVisible();
  await expect(b.page.getByText("当前身份：李师傅（志愿者）")).toBeVisible();
  await a.context.close();
  await b.context.close();
});

test("a change reaches another online device at once, not at the next poll", async ({ browser, request }) => {
  const a = await device(browser, (await demoCode(request, "coordinator")).code);
  const b = await device(browser, (await demoCode(request, "volunteer")).code);
  // "Sync now" on b: its next poll is 30 s away, so anything sooner is the live channel.
  await b.page.getByRole("button", { name: "立即同步" }).click();
  await expect(b.page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible();
  await expect.poll(async () => (await check(a.page)) === (await check(b.page)), { timeout: 10_000 }).toBe(true);
  const before = await check(b.page);
  const t0 = Date.now();
  await rename(a.page, "王书记（刚改的名字）");
  await expect
    .poll(async () => {
      const [x, y] = [await check(a.page), await check(b.page)];
      return y !== before && x === y;
    }, { timeout: 10_000, intervals: [100] })
    .toBe(true);
  const ms = Date.now() - t0;
  console.log(`live sync: b painted a's change ${ms} ms after the click`);
  expect(ms).toBeLessThan(10_000);
  await a.context.close();
  await b.context.close();
});

test("a tab closed in the middle of a push loses nothing", async ({ browser, request }) => {
  const a = await device(browser, (await demoCode(request, "coordinator")).code);
  const b = await device(browser, (await demoCode(request, "volunteer")).code);
  await a.page.getByLabel("显示的称呼").fill("王书记（换了名字）");
  await a.page.getByRole("button", { name: "保存称呼" }).click();
  await a.page.close(); // the push may be in flight, or not started

  const again = await a.context.newPage();
  await again.goto(server.url + "/settings");
  await expect(again.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });
  await expect(again.getByText("待同步的修改：0 条")).toBeVisible();
  await expect
    .poll(async () => {
      await nudge(b.page);
      return (await check(again)) === (await check(b.page));
    }, { timeout: 30_000 })
    .toBe(true);
  await a.context.close();
  await b.context.close();
});

test("a wrong code is explained, in the chosen language", async ({ page }) => {
  await page.goto(server.url + "/join");
  await page.getByLabel("邀请码").fill("NOPE-0000");
  await page.getByRole("button", { name: "加入", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "没有这个邀请码" })).toBeVisible();
  await page.getByRole("button", { name: /English/ }).click();
  await page.getByLabel("Invitation code").fill("");
  await page.getByRole("button", { name: "Join", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Enter the invitation code." })).toBeVisible();
});

test("a coordinator invites a volunteer by link, sees the device, and removes it", async ({ browser, request }) => {
  const a = await device(browser, (await demoCode(request, "coordinator")).code);
  await a.page.getByRole("link", { name: "邀请成员、管理设备" }).click();
  await expect(a.page.getByRole("heading", { level: 1, name: "邀请成员与设备管理" })).toBeVisible();
  await a.page.getByLabel("加入后的身份").selectOption("volunteer");
  await a.page.getByLabel("可使用次数").selectOption("1");
  await a.page.getByRole("button", { name: "生成邀请码" }).click();
  const link = await a.page.getByTestId("invite-link").getAttribute("href");
  expect(link).toMatch(/\/join\?code=[A-Z0-9-]+$/);
  await expect(a.page.getByRole("img", { name: "邀请链接的二维码" })).toBeVisible();

  // A new volunteer opens the link on their phone.
  const context = await browser.newContext();
  const phone = await context.newPage();
  await phone.goto(link);
  await phone.getByLabel("你的称呼").fill("小赵");
  await phone.getByRole("button", { name: "加入", exact: true }).click();
  await expect(phone.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });

  // The phone names itself in its settings and files a wish.
  await phone.goto(server.url + "/settings");
  await phone.getByLabel("设备名称").fill("小赵的手机");
  await phone.getByRole("button", { name: "保存", exact: true }).click();
  await expect(phone.locator("#device-name-status")).toHaveText("已保存到本设备。");
  await phone.goto(server.url + "/wishes");
  await phone.getByLabel("类别", { exact: true }).selectOption("repair");
  await phone.getByLabel("标题", { exact: true }).fill("单元门关不上");
  await phone.getByRole("button", { name: "提交心愿" }).click();
  await phone.getByRole("link", { name: "查看这个心愿" }).click();
  const wishUrl = phone.url();
  await expect(phone.getByText("在本设备上").first()).toBeVisible();
  await phone.evaluate(() => window.dispatchEvent(new Event("focus")));
  await expect(phone.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });

  // The code is used up; the coordinator sees the new device by its name,
  // each remove button says which device it removes, and its own has none.
  await a.page.getByRole("button", { name: "刷新" }).click();
  await expect(a.page.getByText(/志愿者 · 已用 1\/1/)).toBeVisible();
  const row = a.page.getByRole("listitem").filter({ hasText: "小赵（志愿者）" });
  await expect(row).toContainText("小赵的手机");
  const own = a.page.getByRole("listitem").filter({ hasText: "本设备" });
  await expect(own).toHaveCount(1);
  await expect(own.getByRole("button")).toHaveCount(0);

  // On the wish's page the coordinator sees which device filed it, by name.
  await a.page.goto(wishUrl);
  await a.page.evaluate(() => window.dispatchEvent(new Event("focus")));
  await expect(a.page.locator(".timeline .device").first()).toHaveText("设备 小赵的手机", { timeout: 30_000 });
  await expect(a.page.getByText(/设备 d[0-9a-f]{6,}/)).toHaveCount(0);
  await a.page.goBack();

  await a.page.getByRole("button", { name: "移出这台设备：小赵的手机（小赵）" }).click();
  await expect(row.getByText("已移出")).toBeVisible();

  // The removed phone is told to join again at its next sync.
  await phone.evaluate(() => window.dispatchEvent(new Event("focus")));
  await expect(phone.getByRole("status", { name: /同步状态: 请重新加入/ })).toBeVisible({ timeout: 30_000 });
  await context.close();
  await a.context.close();
});

test("a phone scans the invitation QR code with its camera and joins; a refused camera is explained", async ({ browser, request }) => {
  const volunteer = await demoCode(request, "volunteer");
  const link = `${server.url}/join?code=${encodeURIComponent(volunteer.code)}`;
  const scan = (page) => page.getByRole("button", { name: "扫码填入邀请码" });

  // Where the browser has no barcode detector (desktop Linux) the scanner is
  // offered too: jsQR reads the frames (checkin.spec.mjs scans a real QR code
  // that way), loaded only when a scan starts.
  const plain = await browser.newContext();
  const p = await plain.newPage();
  const lazy = [];
  p.on("request", (r) => r.url().includes("/lazy/") && lazy.push(r.url()));
  await p.goto(server.url + "/join");
  await expect(p.getByLabel("邀请码")).toBeVisible();
  await expect(scan(p)).toHaveCount(1);
  expect(lazy).toEqual([]);
  await plain.close();

  // Chromium's synthetic camera stands in for the phone's. Desktop Linux has no
  // BarcodeDetector, so a small stand-in "reads" the link, but only from a live
  // camera picture that has frames: what the page wires up is real.
  const detector = (text) => {
    window.BarcodeDetector = class {
      constructor(options) {
        if (!options?.formats?.includes("qr_code")) throw new TypeError("qr_code not asked for");
      }
      async detect(source) {
        const live =
          source instanceof HTMLVideoElement &&
          source.readyState >= 2 &&
          source.videoWidth > 0 &&
          source.srcObject?.getVideoTracks()[0]?.readyState === "live";
        window.__frames = (window.__frames || 0) + (live ? 1 : 0);
        return live && window.__frames >= 2 ? [{ rawValue: text, format: "qr_code" }] : [];
      }
    };
  };
  const context = await browser.newContext({ permissions: ["camera"] });
  await context.addInitScript(detector, link);
  const page = await context.newPage();
  await page.goto(server.url + "/join");
  await expect(page.getByLabel("邀请码")).toHaveValue("");
  await scan(page).click();
  await expect(page.getByLabel("邀请码")).toHaveValue(volunteer.code, { timeout: 15_000 });
  await expect(page.getByRole("status").filter({ hasText: "已从二维码填入邀请码" })).toBeVisible();
  // The camera is off again once the code is read.
  await expect(page.getByLabel("摄像头画面")).toBeHidden();
  expect(await page.evaluate(() => document.querySelector("video").srcObject)).toBeNull();
  await page.getByLabel("你的称呼").fill("扫码的李师傅");
  await page.getByRole("button", { name: "加入", exact: true }).click();
  await expect(page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });
  await context.close();

  // The person said no to the camera: told so, and typing still works.
  const refused = await browser.newContext();
  await refused.addInitScript(detector, link);
  await refused.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("denied", "NotAllowedError"));
  });
  const r = await refused.newPage();
  await r.goto(server.url + "/join");
  await scan(r).click();
  await expect(r.getByRole("alert").filter({ hasText: "打不开摄像头" })).toBeVisible();
  await expect(scan(r)).toBeVisible();
  await r.getByLabel("邀请码").fill(volunteer.code);
  await expect(r.getByLabel("邀请码")).toHaveValue(volunteer.code);
  await refused.close();
});

test("the sync engine's chunk is fetched again after a failed download, and then syncs", async ({ browser, request }) => {
  const { code } = await demoCode(request, "volunteer");
  // No service worker: every chunk comes from the network, where this one fails twice.
  const context = await browser.newContext({ serviceWorkers: "block" });
  const page = await context.newPage();
  let asked = 0;
  await page.route(/\/split_linli_sync-[0-9a-f]+\.wasm$/, (route) => (++asked <= 2 ? route.abort() : route.continue()));
  await page.goto(`${server.url}/join?code=${encodeURIComponent(code)}`);
  await page.getByRole("button", { name: "加入", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "欢迎使用邻里" })).toBeVisible();
  await expect(page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });
  expect(asked).toBe(3);
  await context.close();
});
