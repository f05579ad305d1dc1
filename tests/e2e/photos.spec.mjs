// Photos on wishes (issue 20) in real Chromium against the real server: a
// resident files a wish with a photo offline (Playwright's file chooser; a
// JPEG with EXIF orientation 6 and GPS tags made here), goes online; what
// is uploaded is small, upright and without EXIF; the coordinator sees the
// photo; an unassigned volunteer sees none and holds none in IndexedDB;
// the assigned volunteer completes with a photo; the resident sees it;
// after the wish closes the volunteer's device holds neither, the
// coordinator's still does.
import { test, expect } from "./csp.mjs";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { startServer } from "./server.mjs";
import { joinDemo } from "./demo-join.mjs";
import { jpegWithExif } from "./photo-fixture.mjs";

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

const device = (browser, request, member) => joinDemo(browser, request, server.url, (c) => c.member === member);
const synced = (page) => expect(page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });
async function sync(page) {
  await page.evaluate(() => window.dispatchEvent(new Event("focus")));
  await synced(page);
}
const status = (page) => page.locator(".detail-head .chip");
async function expectStatus(page, text) {
  await expect
    .poll(async () => {
      await page.evaluate(() => window.dispatchEvent(new Event("focus")));
      return (await status(page).textContent())?.trim();
    }, { timeout: 30_000 })
    .toBe(text);
}

/** The keys of this device's photo stores. */
async function heldPhotos(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("linli");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(["photos", "photo_outbox"]);
          const out = {};
          for (const name of ["photos", "photo_outbox"]) {
            const req = tx.objectStore(name).getAllKeys();
            req.onsuccess = () => (out[name] = req.result);
          }
          tx.oncomplete = () => {
            db.close();
            resolve(out);
          };
        };
      }),
  );
}

/** Picks `file` through the chooser the control labelled `label` opens. */
async function pick(page, label, file) {
  const chooser = page.waitForEvent("filechooser");
  await page.getByLabel(label, { exact: true }).click();
  await (await chooser).setFiles(file);
}

/** Width and height of the image in `img`, once loaded. */
const natural = (img) => img.evaluate((el) => (el.complete && el.naturalWidth ? [el.naturalWidth, el.naturalHeight] : null));

test("a photo taken offline goes up small, upright and stripped, and reaches exactly who may see it", async ({ browser, request }) => {
  test.setTimeout(240_000);
  const title = `楼道扶手松了 ${Date.now() % 100000}`;
  const resident = await device(browser, request, "r1");
  const r = resident.page;
  const fixture = {
    name: "IMG_0001.jpg",
    mimeType: "image/jpeg",
    buffer: await jpegWithExif(r, 1600, 1200),
  };
  expect(fixture.buffer.includes(Buffer.from("Exif\0\0"))).toBe(true);
  const uploads = [];
  r.on("request", (req) => {
    if (req.method() === "PUT" && req.url().includes("/photos/")) uploads.push(req.postDataBuffer());
  });

  // Offline in the stairwell: file the wish with a photo.
  await r.goto(server.url + "/wishes");
  await resident.context.setOffline(true);
  await r.getByLabel("类别", { exact: true }).selectOption("repair");
  await r.getByLabel("标题", { exact: true }).fill(title);
  await pick(r, "拍照或选照片", fixture);
  await expect(r.getByRole("img", { name: "已选的第 1 张照片" })).toBeVisible({ timeout: 30_000 });
  await r.getByRole("button", { name: "提交心愿" }).click();
  await expect(r.getByRole("status").filter({ hasText: "已保存在本机" }).first()).toBeVisible();
  await expect(r.getByRole("img", { name: "已选的第 1 张照片" })).toHaveCount(0);
  let held = await heldPhotos(r);
  expect(held.photo_outbox).toHaveLength(2);
  await r.getByRole("link", { name: "查看这个心愿" }).click();
  await expect(r.getByRole("img", { name: `${title}：求助照片 1` })).toBeVisible();

  // Online: the op, then its photo and thumbnail.
  await resident.context.setOffline(false);
  await r.evaluate(() => window.dispatchEvent(new Event("online")));
  await sync(r);
  await expect.poll(async () => (await heldPhotos(r)).photo_outbox.length, { timeout: 30_000 }).toBe(0);
  expect((await heldPhotos(r)).photos).toHaveLength(2);
  expect(uploads).toHaveLength(2);
  for (const body of uploads) {
    expect(body.subarray(0, 4).toString("latin1")).toBe("RIFF");
    expect(body.length).toBeLessThanOrEqual(200_000);
    expect(body.includes(Buffer.from("Exif"))).toBe(false);
  }
  expect(Math.min(...uploads.map((b) => b.length))).toBeLessThanOrEqual(15_000);
  // The storage card counts them.
  const residentUrl = r.url();
  await r.goto(server.url + "/settings");
  await expect(r.getByTestId("photo-usage")).toContainText("照片：2 张");
  await expect(r.getByTestId("photo-usage")).toContainText("待上传 0 张");
  await r.goto(residentUrl);

  // The coordinator sees it, full size on tap: portrait, ≤ 1280 px.
  const coordinator = await device(browser, request, "c1");
  const c = coordinator.page;
  await c.goto(server.url + "/board");
  await c.getByLabel("搜索", { exact: true }).fill(title);
  await c.getByRole("link", { name: title }).first().click();
  const wishUrl = c.url();
  const thumb = c.getByRole("button", { name: `${title}：求助照片 1` });
  await expect(thumb).toBeVisible();
  // The timeline shows it beside the filing too.
  await expect(c.locator(".timeline .photo-strip img")).toHaveCount(1);
  await thumb.click();
  const full = c.getByTestId("photo-full");
  await expect(full).toBeVisible();
  await expect.poll(() => natural(full)).toEqual([960, 1280]);
  await c.getByRole("button", { name: "发布接单" }).click();
  await sync(c);

  // An unassigned volunteer: nothing on the page, nothing stored.
  const other = await device(browser, request, "v2");
  await other.page.goto(wishUrl);
  await expect(other.page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(other.page.getByTestId("wish-photos")).toHaveCount(0);
  held = await heldPhotos(other.page);
  expect(held.photos).toEqual([]);
  expect(held.photo_outbox).toEqual([]);

  // The volunteer who claims it sees it, and completes with a photo.
  const volunteer = await device(browser, request, "v1");
  const v = volunteer.page;
  await v.goto(wishUrl);
  await v.getByRole("button", { name: "接单", exact: true }).click();
  await expect(status(v)).toHaveText("已接单");
  await sync(v);
  await sync(v);
  await expect(v.getByRole("img", { name: `${title}：求助照片 1` })).toBeVisible();
  await v.getByRole("button", { name: "完成服务" }).click();
  await v.getByLabel("完成情况").fill("扶手已加固");
  await v.getByLabel("服务时长（分钟）").fill("30");
  await pick(v, "拍照或选照片", { ...fixture, name: "after.jpg", buffer: await jpegWithExif(v, 1200, 900) });
  await expect(v.getByRole("img", { name: "已选的第 1 张照片" })).toBeVisible({ timeout: 30_000 });
  await expect(v.getByLabel("可以给志愿者看")).toHaveCount(0);
  await v.getByRole("form", { name: "完成服务" }).getByRole("button", { name: "完成服务" }).click();
  await expect(status(v)).toHaveText("待评价");
  await expect(v.getByRole("img", { name: `${title}：完成照片 1` })).toBeVisible();
  await sync(v);
  await expect.poll(async () => (await heldPhotos(v)).photo_outbox.length, { timeout: 30_000 }).toBe(0);

  // The resident sees the completion photo, and accepts.
  await expectStatus(r, "待评价");
  await sync(r);
  await expect(r.getByRole("img", { name: `${title}：完成照片 1` })).toBeVisible();
  await expect(r.locator(".timeline .photo-strip img")).toHaveCount(2);
  await r.setViewportSize({ width: 360, height: 740 });
  await axe(r);
  expect(await r.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await r.getByRole("button", { name: "评价", exact: true }).click();
  await r.getByLabel("满意", { exact: true }).check();
  await r.getByRole("form", { name: "评价" }).getByRole("button", { name: "评价" }).click();
  await expect(status(r)).toHaveText("已办结");
  await sync(r);

  // Closed: the volunteer's and the resident's devices drop every photo; the coordinator keeps them.
  await expectStatus(v, "已办结");
  await expect.poll(async () => (await heldPhotos(v)).photos.length, { timeout: 30_000 }).toBe(0);
  await expect(v.getByTestId("wish-photos")).toHaveCount(0);
  await sync(r);
  await expect.poll(async () => (await heldPhotos(r)).photos.length, { timeout: 30_000 }).toBe(0);
  await expectStatus(c, "已办结");
  await expect(c.getByRole("img", { name: `${title}：完成照片 1` })).toBeVisible();
  expect((await heldPhotos(c)).photos.length).toBeGreaterThanOrEqual(2);

  for (const d of [resident, coordinator, other, volunteer]) await d.context.close();
});

test("the photo picker reads in English at phone width and on a tablet", async ({ browser, request }) => {
  const r = await device(browser, request, "r1");
  const page = r.page;
  await page.evaluate(() => localStorage.setItem("linli.locale", "en"));
  for (const size of [{ width: 360, height: 740 }, { width: 1024, height: 768 }]) {
    await page.setViewportSize(size);
    await page.goto(server.url + "/wishes");
    await pick(page, "Take or choose photos", {
      name: "a.jpg",
      mimeType: "image/jpeg",
      buffer: await jpegWithExif(page, 800, 600),
    });
    await expect(page.getByRole("img", { name: "Chosen photo 1" })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByLabel("Fine to show to volunteers")).toBeVisible();
    await axe(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
  }
  await r.context.close();
});
