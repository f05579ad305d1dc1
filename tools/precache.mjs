// Trunk post_build hook: builds the app's wasm (split into chunks, by
// tools/split.mjs), writes the precache list and content version into the
// staged sw.js, and reports the size of the build (raw, gzip, brotli):
// what the first visit needs before the landing page works, and everything
// the service worker precaches.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync, statSync, mkdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const staging = process.env.TRUNK_STAGING_DIR;
const source = process.env.TRUNK_SOURCE_DIR || process.cwd();
if (!staging) {
  console.error("precache.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk hook)");
  process.exit(1);
}

// The app itself: the split wasm, its chunks and their JS, written into
// the staging dir with the loader in index.html (tools/split.mjs).
const { buildSplit } = await import("./split.mjs");
const app = await buildSplit({ source, staging, release: process.env.TRUNK_PROFILE === "release" });

// The newcomer's landing page as static HTML, painted before the wasm is
// here (tools/prerender.mjs).
const { prerender } = await import("./prerender.mjs");
prerender({ source, staging });

// The QR decoder for browsers without BarcodeDetector (desktop Linux
// Chromium, Firefox): npm jsqr's UMD build as /lazy/jsqr.js, minified in a
// release build. Nothing loads it at start; src/pages/scan.rs adds its
// script tag when a scan starts without BarcodeDetector. It is precached
// like every file here, so scanning works offline.
{
  const from = join(source, "node_modules", "jsqr", "dist", "jsQR.js");
  let code = readFileSync(from, "utf8");
  if (process.env.TRUNK_PROFILE === "release") {
    const { minify } = await import("terser");
    code = (await minify(code, { compress: true, mangle: true })).code;
  }
  mkdirSync(join(staging, "lazy"), { recursive: true });
  writeFileSync(join(staging, "lazy", "jsqr.js"), code);
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const files = walk(staging)
  .map((path) => ({ path, url: "/" + relative(staging, path).split(sep).join("/") }))
  .filter((f) => f.url !== "/sw.js")
  .sort((a, b) => (a.url < b.url ? -1 : 1));

const all = createHash("sha256");
for (const f of files) {
  f.bytes = readFileSync(f.path);
  all.update(f.url + "\0" + createHash("sha256").update(f.bytes).digest("hex") + "\n");
}
const version = all.digest("hex").slice(0, 16);
const swPath = join(staging, "sw.js");
const sw = readFileSync(swPath, "utf8");
if (!sw.includes("__LINLI_PRECACHE__")) {
  console.error("precache.mjs: sw.js has no __LINLI_PRECACHE__ placeholder");
  process.exit(1);
}
writeFileSync(
  swPath,
  sw.replace("__LINLI_VERSION__", version).replace("__LINLI_PRECACHE__", JSON.stringify(files.map((f) => f.url))),
);

// Size report. "first load": what a first visit downloads before the
// landing page works (index.html, the CSS, the JS it loads, the main wasm).
// "chunks": the lazily loaded page chunks; "lazy": /lazy/ (jsQR). "all":
// everything precached but the icons and the manifest. Each file is compressed on its own (as served),
// gzip level 9 and brotli quality 11 as a static host would precompress.
const chunkSet = new Set(app.chunks.map((n) => "/" + n));
const firstJs = new Set(app.js.map((n) => "/" + n).concat(["/pwa.js"]));
const kinds = {
  html: (u) => u === "/index.html",
  wasm: (u) => u === "/" + app.main,
  js: (u) => firstJs.has(u),
  css: (u) => /\.css$/.test(u),
};
const measure = (kind, list) => {
  const row = { kind, files: list.length, raw: 0, gzip: 0, brotli: 0 };
  for (const f of list) {
    row.raw += f.bytes.length;
    row.gzip += gzipSync(f.bytes, { level: 9 }).length;
    row.brotli += brotliCompressSync(f.bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  return row;
};
const rows = Object.entries(kinds).map(([kind, test]) => measure(kind, files.filter((f) => test(f.url))));
const firstLoad = files.filter((f) => Object.values(kinds).some((test) => test(f.url)));
// "first paint": what a newcomer's landing page paints from (index.html with
// it prerendered, and the CSS), before the wasm (tools/prerender.mjs).
rows.push(measure("first paint", files.filter((f) => kinds.html(f.url) || kinds.css(f.url))));
rows.push(measure("first load", firstLoad));
rows.push(measure("chunks", files.filter((f) => chunkSet.has(f.url))));
rows.push(measure("lazy", files.filter((f) => f.url.startsWith("/lazy/"))));
rows.push(measure("all", files.filter((f) => !/\.(png|webmanifest)$/.test(f.url))));
const kb = (n) => (n / 1024).toFixed(1).padStart(8) + " KB";
const table = ["kind           files      raw        gzip      brotli"]
  .concat(rows.map((r) => r.kind.padEnd(12) + String(r.files).padStart(6) + kb(r.raw) + kb(r.gzip) + kb(r.brotli)))
  .join("\n");
const brotli = (kind) => (rows.find((r) => r.kind === kind).brotli / 1024).toFixed(1);
console.log(`precache: ${files.length} files, version ${version}\n${table}`);
console.log(`landing page painted after ${brotli("first paint")} KB brotli; first load ${brotli("first load")} KB brotli (budget 180); everything precached ${brotli("all")} KB brotli (budget 350)`);
mkdirSync(join(source, "target"), { recursive: true });
writeFileSync(join(source, "target", "sizes.json"), JSON.stringify({ version, profile: process.env.TRUNK_PROFILE, rows }, null, 2));
