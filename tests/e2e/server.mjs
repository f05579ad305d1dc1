// Starts and stops the real linli-server for a test, on 127.0.0.1 only.
import { spawn } from "node:child_process";
import { mkdtempSync, cpSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = process.env.LINLI_SERVER_BIN;
const DIST = process.env.LINLI_DIST;

export function requireEnv() {
  if (!BIN || !DIST) throw new Error("set LINLI_SERVER_BIN and LINLI_DIST (./dev test does)");
}

/** Starts a server; `addr` reuses a port (same origin keeps the service worker). */
export async function startServer({ addr = "127.0.0.1:0", dist = DIST, data, demo = false } = {}) {
  requireEnv();
  data = data || mkdtempSync(join(tmpdir(), "linli-e2e-data-"));
  const args = ["serve", "--addr", addr, "--dist", dist, "--data", data].concat(demo ? ["--demo"] : []);
  const proc = spawn(BIN, args, {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server did not start:\n" + output)), 15_000);
    const onData = (chunk) => {
      output += chunk;
      const m = /serving at (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", (c) => (output += c));
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}):\n${output}`));
    });
  });
  const exited = new Promise((resolve) => proc.on("exit", resolve));
  return {
    url,
    addr: url.replace("http://", ""),
    data,
    /** Stops the process the hard way, as a crash or power loss would. */
    async kill() {
      proc.kill("SIGKILL");
      await exited;
    },
    async stop() {
      proc.kill("SIGTERM");
      return exited;
    },
  };
}

/** A copy of the build that a browser sees as a new version. */
export function nextBuild() {
  requireEnv();
  const dir = mkdtempSync(join(tmpdir(), "linli-e2e-dist-"));
  cpSync(DIST, dir, { recursive: true });
  const sw = join(dir, "sw.js");
  const text = readFileSync(sw, "utf8");
  const next = text.replace(/const VERSION = "([^"]+)";/, 'const VERSION = "$1-next";');
  if (next === text) throw new Error("sw.js has no VERSION line");
  writeFileSync(sw, next);
  return dir;
}
