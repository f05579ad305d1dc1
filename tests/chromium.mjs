// How every test and benchmark starts Debian's Chromium (never a downloaded
// browser): one list of flags for playwright.config.mjs and tests/bench/.
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  // A synthetic camera (a moving test pattern) for the join-by-QR test.
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
];
