// Builds the browser app split into a main wasm and lazily loaded chunks
// (issue 18; docs/client.md "Build and chunks"). Trunk 0.21 cannot split
// (trunk-rs/trunk#1022), so Trunk keeps the HTML, CSS and static files and
// tools/precache.mjs (its post_build hook) calls this first:
//
//   cargo rustc --features split … -C link-args=--emit-relocs
//                                              split points on; relocations kept
//   wasm-split-cli                             main wasm + one wasm per chunk
//                                              + __wasm_split.js (the loaders)
//   wasm-bindgen --target web --keep-lld-exports   the main wasm's JS glue;
//                                              chunks import what main exports
//   wasm-opt -Oz (release)                     each wasm on its own
//
// then checks that every import of every chunk is exported by the main wasm
// (a missing one would fail only when the page opens), names each file by
// its content, and writes the loader into index.html.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const run = (cmd, args, opts = {}) => {
  console.log(`split.mjs: ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { stdio: "inherit", ...opts });
};
const hex = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** The chunks' imports that the main module does not export. */
export function missingImports(mainWasm, chunkWasms) {
  const exported = new Set(WebAssembly.Module.exports(new WebAssembly.Module(mainWasm)).map((e) => e.name));
  const missing = [];
  for (const [name, bytes] of Object.entries(chunkWasms)) {
    for (const imp of WebAssembly.Module.imports(new WebAssembly.Module(bytes))) {
      if (imp.module === "__wasm_split" && !exported.has(imp.name)) missing.push(`${name}: ${imp.name}`);
    }
  }
  return missing;
}

/**
 * Builds the split app into `staging` (Trunk's staging dir, holding the
 * processed index.html). Returns the names of the main wasm, the JS files
 * and the chunks, for the size report.
 */
export async function buildSplit({ source, staging, release }) {
  const profile = release ? "wasm-release" : "dev";
  const profileDir = release ? "wasm-release" : "debug";
  run(
    "cargo",
    ["rustc", "--locked", "--bin", "linli", "--features", "split", "--target", "wasm32-unknown-unknown", "--profile", profile, "--",
      "-C", "link-args=--emit-relocs"],
    { cwd: source },
  );
  const targetDir = process.env.CARGO_TARGET_DIR || join(source, "target");
  const input = join(targetDir, "wasm32-unknown-unknown", profileDir, "linli.wasm");

  const work = mkdtempSync(join(tmpdir(), "linli-split-"));
  try {
    const splitDir = join(work, "split");
    const bindgenDir = join(work, "bindgen");
    run("wasm-split-cli", ["--target", "web", "--out-name", "linli", input, splitDir]);
    run("wasm-bindgen", ["--target", "web", "--keep-lld-exports", "--no-typescript", "--out-dir", bindgenDir,
      "--out-name", "linli", join(splitDir, "linli.wasm")]);
    const chunkNames = readdirSync(splitDir).filter((n) => n.endsWith(".wasm") && n !== "linli.wasm");
    const mainPath = join(bindgenDir, "linli_bg.wasm");
    if (release) {
      run("wasm-opt", ["-Oz", "--output", mainPath, mainPath]);
      for (const n of chunkNames) run("wasm-opt", ["-Oz", "--output", join(splitDir, n), join(splitDir, n)]);
    }
    const mainWasm = readFileSync(mainPath);
    const chunks = Object.fromEntries(chunkNames.map((n) => [n, readFileSync(join(splitDir, n))]));
    const missing = missingImports(mainWasm, chunks);
    if (missing.length) {
      throw new Error(`split.mjs: chunks import what the main wasm does not export:\n  ${missing.join("\n  ")}`);
    }

    // Content-hashed names (the server caches names with ≥ 16 hex digits
    // for a year). The two JS files import each other, so they share one
    // hash, of everything.
    const chunkFile = Object.fromEntries(
      chunkNames.map((n) => [n, `${n.replace(/\.wasm$/, "")}-${hex(chunks[n]).slice(0, 16)}.wasm`]),
    );
    let glue = readFileSync(join(bindgenDir, "linli.js"), "utf8");
    let loaders = readFileSync(join(splitDir, "__wasm_split.js"), "utf8");
    const all = createHash("sha256").update(mainWasm).update(glue).update(loaders);
    for (const n of chunkNames.sort()) all.update(chunkFile[n]);
    const h = all.digest("hex").slice(0, 20);
    const names = { js: `linli-${h}.js`, wasm: `linli-${h}_bg.wasm`, loaders: `split-${h}.js` };

    const replaceOnce = (text, from, to, what) => {
      if (!text.includes(from)) throw new Error(`split.mjs: ${what} has no ${from}`);
      return text.split(from).join(to);
    };
    // Only the module specifiers: the wasm's own import name stays.
    if (!/from\s*["']\.\/__wasm_split\.js["']/.test(glue)) {
      throw new Error("split.mjs: the wasm-bindgen glue does not import ./__wasm_split.js");
    }
    glue = glue.replace(/(from\s*["'])\.\/__wasm_split\.js(["'])/g, `$1./${names.loaders}$2`);
    loaders = replaceOnce(loaders, '"./linli.js"', `"./${names.js}"`, "__wasm_split.js");
    for (const n of chunkNames) loaders = replaceOnce(loaders, `"./${n}"`, `"./${chunkFile[n]}"`, "__wasm_split.js");
    if (release) {
      const { minify } = await import("terser");
      const min = async (code) => (await minify(code, { module: true, compress: true, mangle: true })).code;
      glue = await min(glue);
      loaders = await min(loaders);
    }
    writeFileSync(join(staging, names.js), glue);
    writeFileSync(join(staging, names.loaders), loaders);
    writeFileSync(join(staging, names.wasm), mainWasm);
    for (const n of chunkNames) writeFileSync(join(staging, chunkFile[n]), chunks[n]);

    // The loader, where Trunk would have put its own. The server allows
    // this inline script by its hash (crates/server/src/security.rs).
    const htmlPath = join(staging, "index.html");
    // Trunk leaves the skipped `<link data-trunk rel="rust" data-trunk-skip>`.
    const html = readFileSync(htmlPath, "utf8").replace(/<link\s[^>]*data-trunk-skip[^>]*>/g, "");
    const tags =
      `<link rel="modulepreload" href="/${names.js}">` +
      `<link rel="modulepreload" href="/${names.loaders}">` +
      `<link rel="preload" href="/${names.wasm}" as="fetch" type="application/wasm" crossorigin>` +
      `<script type="module">import init from"/${names.js}";init({module_or_path:"/${names.wasm}"})</script>`;
    const at = html.search(/<\/head>|<body/i);
    if (at < 0) throw new Error("split.mjs: index.html has neither </head> nor <body>");
    writeFileSync(htmlPath, html.slice(0, at) + tags + html.slice(at));
    return { main: names.wasm, js: [names.js, names.loaders], chunks: Object.values(chunkFile) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
