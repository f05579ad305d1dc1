// Trunk post_build hook: writes the precache list and content version into
// the staged sw.js, and reports the size of the build (raw, gzip, brotli).
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

// Trunk's JS minifier gives up on wasm-bindgen's glue (`export default`),
// so a release build minifies it here (terser: −20 % brotli) and updates
// the integrity hash index.html holds for it.
if (process.env.TRUNK_PROFILE === "release") {
  const { minify } = await import("terser");
  const sri = (bytes) => "sha384-" + createHash("sha384").update(bytes).digest("base64");
  const htmlPath = join(staging, "index.html");
  let html = readFileSync(htmlPath, "utf8");
  for (const name of readdirSync(staging).filter((n) => /^linli-[0-9a-f]+\.js$/.test(n))) {
    const path = join(staging, name);
    const before = readFileSync(path);
    if (!html.includes(sri(before))) {
      console.error(`precache.mjs: index.html has no integrity hash for ${name}`);
      process.exit(1);
    }
    const { code } = await minify(before.toString("utf8"), { module: true, compress: true, mangle: true });
    writeFileSync(path, code);
    html = html.replace(sri(before), sri(Buffer.from(code)));
  }
  writeFileSync(htmlPath, html);
}

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

// Size report: what a first visit downloads, per kind; then what is
// loaded only when needed (/lazy/, not in the total).
const kinds = { wasm: /\.wasm$/, js: /^\/(?!lazy\/).*\.js$/, css: /\.css$/ };
const rows = [];
const total = { raw: 0, gzip: 0, brotli: 0 };
for (const [kind, re] of Object.entries(kinds)) {
  const bytes = Buffer.concat(files.filter((f) => re.test(f.url)).map((f) => f.bytes));
  const row = {
    kind,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
  for (const k of ["raw", "gzip", "brotli"]) total[k] += row[k];
  rows.push(row);
}
rows.push({ kind: "total", ...total });
{
  const bytes = Buffer.concat(files.filter((f) => f.url.startsWith("/lazy/")).map((f) => f.bytes));
  rows.push({
    kind: "lazy",
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  });
}
const kb = (n) => (n / 1024).toFixed(1).padStart(8) + " KB";
const table = ["kind        raw        gzip      brotli"]
  .concat(rows.map((r) => r.kind.padEnd(6) + kb(r.raw) + kb(r.gzip) + kb(r.brotli)))
  .join("\n");
console.log(`precache: ${files.length} files, version ${version}\n${table}`);
mkdirSync(join(source, "target"), { recursive: true });
writeFileSync(join(source, "target", "sizes.json"), JSON.stringify({ version, profile: process.env.TRUNK_PROFILE, rows }, null, 2));
