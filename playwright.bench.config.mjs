// Browser benchmarks that drive the app's pages (./dev bench): the e2e
// settings, with the bench files and a longer time limit.
import { defineConfig } from "@playwright/test";
import base from "./playwright.config.mjs";

export default defineConfig({
  ...base,
  testDir: "tests/bench",
  testMatch: /.*\.bench\.mjs$/,
  outputDir: "target/bench-results",
  timeout: 20 * 60_000,
});
