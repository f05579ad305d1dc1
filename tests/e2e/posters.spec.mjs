// Building posters (扫码点单): a coordinator prints one poster per building;
// its QR code, read back from the page, joins a new resident who lands on
// the wish form with the building filled; a withdrawn poster is refused.
import { test, expect } from "./csp.mjs";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { startServer } from "./server.mjs";
import { joinDemo } from "./demo-join.mjs";

const require = createRequire(import.meta.url);
const jsQR = require("jsqr");
const { PNG } = require("pngjs");
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

const joinAs = (browser, request, role) => joinDemo(browser, request, server.url, (c) => c.role === role);

/** The text a QR code on the page encodes, read from its pixels. */
async function readQr(locator) {
  const png = PNG.sync.read(await locator.screenshot());
  const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(found, "a readable QR code").toBeTruthy();
  return found.data;
}

/** Pages of a PDF (each page object, not the /Pages tree). */
const pdfPages = (pdf) => (pdf.toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g) || []).length;

test("a coordinator prints one poster per building; its QR code joins a resident at that building; a withdrawn one is refused", async ({ browser, request }) => {
  test.setTimeout(180_000);
  const c = await joinAs(browser, request, "coordinator");
  const page = c.page;
  await page.goto(server.url + "/invite");
  await page.getByRole("link", { name: "打印楼栋二维码海报（扫码点单）" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "楼栋二维码海报" })).toBeVisible();
  await page.getByLabel("网格").selectOption("一网格");
  await page.getByRole("button", { name: "生成海报" }).click();
  await expect(page.getByRole("status").filter({ hasText: "已生成 12 张海报" })).toBeVisible({ timeout: 30_000 });
  const posters = page.getByRole("region", { name: /^海报：/ });
  await expect(posters).toHaveCount(12);
  const third = page.getByRole("region", { name: "海报：一网格、3号楼" });
  await expect(third).toContainText("扫码告诉我们您的需求 / 微心愿");
  await axe(page);

  // What the QR code says is the poster's link, and nothing else.
  const qr = third.getByRole("img", { name: "扫码点单的二维码：一网格、3号楼" });
  const link = await readQr(qr);
  expect(link).toBe(await qr.getAttribute("data-link"));
  expect(link).toMatch(/\/join\?code=[A-Z0-9-]+&c=[^&]+&grid=%E4%B8%80%E7%BD%91%E6%A0%BC&building=3%E5%8F%B7%E6%A5%BC$/);

  // Printed: one A4 page per building, none of the app around them.
  const pdf = await page.pdf({ format: "A4", printBackground: true });
  expect(pdfPages(pdf)).toBe(12);

  // A neighbour scans it: gives a name, joins, and the form is at 3号楼.
  const n = await browser.newContext();
  const phone = await n.newPage();
  await phone.goto(link);
  await phone.getByLabel("你的称呼").fill("楼下王奶奶");
  await phone.getByRole("button", { name: "加入", exact: true }).click();
  await expect(phone).toHaveURL(/\/wishes\?grid=.*&building=/);
  await expect(phone.getByLabel("楼栋/院落")).toHaveValue("3号楼", { timeout: 30_000 });
  await expect(phone.getByLabel("网格", { exact: true })).toHaveValue("一网格");
  // Already in: the poster goes straight to the form.
  await phone.goto(server.url + "/");
  await phone.goto(link);
  await expect(phone).toHaveURL(/\/wishes\?/);
  await expect(phone.getByLabel("楼栋/院落")).toHaveValue("3号楼");

  // The code is listed with its building; withdrawn, the poster stops working.
  await page.goto(server.url + "/invite");
  const row = page.getByRole("listitem").filter({ hasText: "楼栋海报 一网格、3号楼" });
  await expect(row).toContainText("已用 1/10000");
  await row.getByRole("button", { name: /^收回邀请码：/ }).click();
  await expect(row.getByText("已收回")).toBeVisible();
  const late = await browser.newContext();
  const other = await late.newPage();
  await other.goto(link);
  await other.getByLabel("你的称呼").fill("晚来的邻居");
  await other.getByRole("button", { name: "加入", exact: true }).click();
  await expect(other.getByText("这个邀请码已被收回，请向协调员要一个新的。")).toBeVisible();
  for (const x of [c.context, n, late]) await x.close();
});
