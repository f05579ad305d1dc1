// A fresh device (its own browser context) joined as one of the demo
// server's members, synced once.
import { expect } from "@playwright/test";

/** `pick(code)` chooses the demo code, e.g. `(c) => c.role === "kiosk"`. */
export async function joinDemo(browser, request, url, pick) {
  const demo = await (await request.get(url + "/api/v1/demo")).json();
  const code = demo.codes.find(pick).code;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}/join?code=${encodeURIComponent(code)}`);
  await page.getByRole("button", { name: "加入", exact: true }).click();
  await expect(page.getByRole("status", { name: /同步状态: 已同步/ })).toBeVisible({ timeout: 30_000 });
  return { context, page };
}
