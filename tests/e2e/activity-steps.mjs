// The steps of using the activity pages with a big community (1,000
// activities, 20,000 attendances: demo::synthetic_activities), shared by the
// e2e check that they work and the pages benchmark that times them
// (tests/bench/activities.bench.mjs). Every step is a client-side
// interaction (no reload), waiting for its visible result.
import { expect } from "@playwright/test";

/** Loads the app once (the device's whole store), on the settings page. */
export async function openApp(page, url) {
  await page.goto(url + "/settings");
  await expect(page.getByRole("heading", { level: 1, name: "设置" })).toBeVisible({ timeout: 60_000 });
}

export function activitySteps(page) {
  const nav = (name) => page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name, exact: true });
  const month = () => page.getByRole("region", { name: /\d+年\d+月/ }).or(page.locator("section[aria-labelledby='act-month-title']"));
  const monthTitle = () => page.locator("#act-month-title");
  const rows = () => page.getByRole("region", { name: "活动名单" }).getByRole("row");
  let title = "";
  return [
    {
      name: "open the calendar",
      run: async () => {
        await nav("活动").click();
        await expect(page.getByRole("heading", { level: 2, name: "即将开始" })).toBeVisible();
      },
    },
    {
      name: "previous month",
      run: async () => {
        title = await monthTitle().textContent();
        await page.getByRole("button", { name: "上个月" }).click();
        await expect(monthTitle()).not.toHaveText(title);
        await expect(month().locator("li.activity-item").first()).toBeVisible();
      },
    },
    {
      name: "previous month again",
      run: async () => {
        title = await monthTitle().textContent();
        await page.getByRole("button", { name: "上个月" }).click();
        await expect(monthTitle()).not.toHaveText(title);
        await expect(month().locator("li.activity-item").first()).toBeVisible();
      },
    },
    {
      name: "open an activity",
      run: async () => {
        const link = month().locator("a.wish-title").last();
        title = (await link.textContent()).trim();
        await link.click();
        await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
      },
    },
    {
      name: "open its roster",
      run: async () => {
        await page.getByRole("link", { name: "名单", exact: true }).click();
        await expect(rows()).toHaveCount(21);
      },
    },
    {
      name: "correct an attendance",
      run: async () => {
        await page.getByLabel("更正原因").fill("补登记");
        await page.getByRole("button", { name: "保存更正" }).click();
        await expect(page.getByRole("status").filter({ hasText: "已保存在本机" })).toBeVisible();
        await expect(rows().filter({ hasText: "已更正" }).first()).toBeVisible();
      },
    },
    {
      name: "leave for the home page",
      run: async () => {
        await nav("首页").click();
        await expect(page.getByRole("heading", { level: 1, name: "欢迎使用邻里" })).toBeVisible();
      },
    },
  ];
}
