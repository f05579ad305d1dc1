// The steps of using the app with a big community (10,000 wishes), shared by
// the e2e test (does each step work, and stay paged?) and the pages
// benchmark (how long each takes: tests/bench/pages.bench.mjs).
import { expect } from "@playwright/test";

/** Each step acts on `page` and waits for its visible result. */
export function bigListSteps(page, url, total) {
  const nav = (name) => page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name });
  const closed = () => page.getByRole("region", { name: /^已办结/ }).getByRole("listitem");
  return [
    {
      name: `start on the wishes page, all ${total}`,
      run: async () => {
        await page.goto(url + "/wishes");
        await expect(page.getByText(`共 ${total} 条`)).toBeVisible({ timeout: 60_000 });
        await expect(page.locator("ul.wish-list > li")).toHaveCount(Math.min(total, 50));
      },
    },
    {
      // The rows above may be the page kept at the last visit, painted while
      // the state is read (AppState::early): its controls wait for the state.
      name: "start until the list can be filtered",
      since_previous: true,
      run: async () => {
        await expect(page.getByLabel("状态", { exact: true })).toBeEnabled({ timeout: 60_000 });
      },
    },
    {
      name: "show 50 more",
      run: async () => {
        await page.getByRole("button", { name: /显示更多/ }).click();
        await expect(page.locator("ul.wish-list > li")).toHaveCount(100);
      },
    },
    {
      name: "filter by status",
      run: async () => {
        await page.getByLabel("状态", { exact: true }).selectOption("reopened");
        await expect(page.getByText(/共 \d+ 条/)).not.toHaveText(`共 ${total} 条`);
      },
    },
    {
      name: "open the board",
      run: async () => {
        await nav("派单").click();
        // A column shows its newest five, whatever the community's size.
        if (total > 50) await expect(closed()).toHaveCount(5);
        else await expect(closed().first()).toBeVisible();
      },
    },
    {
      name: "search the board",
      run: async () => {
        // A word from a closed wish's title finds it again.
        const title = (await closed().first().getByRole("link").textContent()).trim();
        await page.getByLabel("搜索", { exact: true }).fill(title.slice(0, 4));
        await expect(closed().getByRole("link", { name: title }).first()).toBeVisible();
      },
    },
    {
      name: "open the dashboard",
      run: async () => {
        await nav("看板").click();
        await expect(page.getByRole("rowheader").first()).toBeVisible();
      },
    },
    {
      name: "open the volunteers page",
      run: async () => {
        await nav("志愿者").click();
        await expect(page.getByRole("heading", { name: "积分榜" })).toBeVisible();
      },
    },
  ];
}
