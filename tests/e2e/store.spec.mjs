// The device's store as people meet it: several tabs, a full disk, a tab
// closed in the middle of a write.
import { test, expect } from "./csp.mjs";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "./server.mjs";

let server;
test.beforeEach(async () => {
  server = await startServer();
});
test.afterEach(async () => {
  await server?.kill();
});

/** A valid backup file of `n` log entries (what another device exported). */
function backupFile(n, padding = 0) {
  const note = "x".repeat(padding);
  const log = Array.from({ length: n }, (_, i) => ({
    seq: i + 1,
    op: {
      v: 1,
      id: { dev: "dev-other", seq: i + 1 },
      author: "m-other",
      hlc: { ms: 1_700_000_000_000 + i, c: 0 },
      kind: { type: "expire_lease", wish: `w${i}${note ? "-" + note : ""}`.slice(0, 60) },
    },
  }));
  const dir = mkdtempSync(join(tmpdir(), "linli-backup-"));
  const path = join(dir, "backup.json");
  writeFileSync(path, JSON.stringify({ format: "linli-backup", version: 1, writer: null, session: null, log, outbox: [] }));
  return path;
}

/** Counts the log entries held straight from IndexedDB: the records of
 *  `log_chunks` are JSON arrays of entries (and the old `log` stays empty). */
async function countLogEntries(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open("linli");
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction(["log", "log_chunks"]);
          const legacy = tx.objectStore("log").count();
          const all = tx.objectStore("log_chunks").getAll();
          tx.oncomplete = () => {
            db.close();
            if (legacy.result !== 0) reject(new Error(`${legacy.result} records left in the old log store`));
            const seqs = new Set(all.result.flatMap((chunk) => JSON.parse(chunk).map((e) => e.seq)));
            resolve(seqs.size);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

const status = (page, text) => page.getByRole("status").filter({ hasText: text });

test("a write in one tab appears in the other; one tab syncs, and the other takes over", async ({ context }) => {
  const a = await context.newPage();
  await a.goto(server.url + "/settings");
  await expect(a.getByTestId("sync-leader")).toHaveText("这个标签页负责同步。");
  const b = await context.newPage();
  await b.goto(server.url + "/settings");
  await expect(b.getByTestId("sync-leader")).toHaveText("另一个标签页正在负责同步。");
  await expect(b.getByLabel("设备名称")).toBeEnabled();

  await a.getByLabel("设备名称").fill("居委会电脑");
  await a.getByRole("button", { name: "保存", exact: true }).click();
  await expect(status(a, "已保存到本设备。")).toBeVisible();
  await expect(b.getByLabel("设备名称")).toHaveValue("居委会电脑");

  const locks = await b.evaluate(() => navigator.locks.query());
  expect(locks.held.filter((l) => l.name === "linli-sync")).toHaveLength(1);
  expect(locks.pending.filter((l) => l.name === "linli-sync")).toHaveLength(1);

  await a.close();
  await expect(b.getByTestId("sync-leader")).toHaveText("这个标签页负责同步。");
});

test("a full disk is reported and leaves the store as it was", async ({ page }) => {
  // Chromium's quota override (DevTools protocol) makes real QuotaExceededErrors;
  // it is set before the app opens its database.
  await page.goto("about:blank");
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Storage.overrideQuotaForOrigin", { origin: server.url, quotaSize: 256 * 1024 });
  await page.goto(server.url + "/settings");
  await expect(page.getByLabel("设备名称")).toBeEnabled();
  await page.getByLabel("导入备份文件").setInputFiles(backupFile(5000, 40));
  await expect(status(page, "本机存储已满")).toBeVisible({ timeout: 30_000 });
  expect(await countLogEntries(page)).toBe(0);

  // With room again, the same file goes in whole.
  await cdp.send("Storage.overrideQuotaForOrigin", { origin: server.url });
  await page.getByLabel("导入备份文件").setInputFiles(backupFile(5000, 40));
  await expect(status(page, "已导入：新增记录 5000 条")).toBeVisible({ timeout: 30_000 });
  expect(await countLogEntries(page)).toBe(5000);
});

test("a tab closed in the middle of a write leaves all of it or none", async ({ context }) => {
  const file = backupFile(20000);
  const page = await context.newPage();
  await page.goto(server.url + "/settings");
  await expect(page.getByLabel("设备名称")).toBeEnabled();
  await page.getByLabel("导入备份文件").setInputFiles(file);
  await page.waitForTimeout(150);
  await page.close();

  const again = await context.newPage();
  await again.goto(server.url + "/settings");
  await expect(again.getByLabel("设备名称")).toBeEnabled();
  const n = await countLogEntries(again);
  expect([0, 20000]).toContain(n);
  await expect(again.getByText(`本机已有社区记录：${n === 0 ? 0 : 20000} 条`)).toBeVisible();
});
