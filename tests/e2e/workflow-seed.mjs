// Seeds a browser with the demo community as one of its members, through
// the Settings page's backup import (what moving to a new phone does).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "@playwright/test";

const ROOT = resolve(import.meta.dirname, "../..");
const EXAMPLE = join(ROOT, "target/debug/examples/demo_backup");

/** A backup file of the demo community for `member` (c1, g1, v1, r1, k1…);
 * with `synthetic: n`, of the load-test community of n wishes instead (`street: n`:
 * the same with one wish in 200 escalated to the street); with
 * `activities: n`, of n activities with 20 attendances each. */
export function demoBackup(member, { synthetic, street, activities, device = `e2e-${member}-${Date.now()}` } = {}) {
  const args = (synthetic ? ["--synthetic", String(synthetic)] : [])
    .concat(street ? ["--street", String(street)] : [])
    .concat(activities ? ["--activities", String(activities)] : [])
    .concat([member, "now", device]);
  const text = existsSync(EXAMPLE)
    ? execFileSync(EXAMPLE, args, { encoding: "utf8", maxBuffer: 256 << 20 })
    : execFileSync("cargo", ["run", "-q", "-p", "linli-core", "--example", "demo_backup", "--", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 256 << 20,
      });
  const path = join(mkdtempSync(join(tmpdir(), "linli-demo-")), `${member}.json`);
  writeFileSync(path, text);
  return path;
}

/** Drops this device's (unused) identity, so an import adopts the backup's. */
async function forgetIdentity(page) {
  await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open("linli");
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction("meta", "readwrite");
          tx.objectStore("meta").delete("writer");
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

/** Opens the app in `page` and imports the demo backup as `member`. A fresh
 * device mints its identity at first start, so the test drops it first. */
export async function seedAs(page, url, member, options = {}) {
  await page.goto(url + "/settings");
  await expect(page.getByLabel("设备名称")).toBeEnabled();
  await forgetIdentity(page);
  await page.getByLabel("导入备份文件").setInputFiles(demoBackup(member, options));
  if (member === "k1") {
    // A kiosk leaves settings at once: a locked kiosk shows only its own
    // screens (docs/kiosk.md).
    await expect(page).toHaveURL(url + "/", { timeout: 10_000 });
    await expect(page.getByRole("link", { name: /评价服务/ })).toBeVisible();
    return;
  }
  await expect(page.getByRole("status").filter({ hasText: "本设备已接管备份中的设备身份" })).toBeVisible({
    timeout: options.synthetic || options.activities ? 120_000 : 10_000,
  });
}
