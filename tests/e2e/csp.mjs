// Fails a test on any Content-Security-Policy violation (or Permissions-Policy
// header error) in any page it opens, including contexts made with
// browser.newContext(): the server's policy must never block part of the app
// (docs/operations.md, "Security headers"). Specs import `test` from here.
import { test as base, expect } from "@playwright/test";

let violations = [];
const watched = new WeakSet();

async function watch(context) {
  if (watched.has(context)) return context;
  watched.add(context);
  // Init scripts come through DevTools, so the policy does not block this one.
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(
        `Content Security Policy violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`,
      );
    });
  });
  context.on("console", (msg) => {
    const text = msg.text();
    if (/Content.Security.Policy|Permissions-Policy/i.test(text)) violations.push(`${msg.location().url}: ${text}`);
  });
  return context;
}

export const test = base.extend({
  browser: [
    async ({ browser }, use) => {
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => watch(await newContext(...args));
      await use(browser);
    },
    { scope: "worker" },
  ],
  context: async ({ context }, use) => {
    await use(await watch(context));
  },
  cspViolations: [
    async ({}, use) => {
      violations = [];
      await use(violations);
      expect(violations, "Content-Security-Policy violations").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
