// Smoke test of the load tool tools/bench (sio-bench) against sio-server: a small fan-out and
// a small connect storm, checking counts only (no timing assertions: CI machines vary).
// The binary comes from env SIO_BENCH, default build/release/sio-bench under the repo root.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "./lib/server.mjs";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const bench = path.resolve(repo, process.env.SIO_BENCH || "build/release/sio-bench");

let srv;
before(async () => {
  assert.ok(fs.existsSync(bench), `sio-bench not found at ${bench} (build it with scripts/build, or set SIO_BENCH)`);
  srv = await startServer({}, { name: "bench" });
});
after(() => srv?.stop());

/** Runs sio-bench with --json and resolves with the parsed report (60 s at most). */
function runBench(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bench, [...args, "--url", srv.url, "--server-pid", String(srv.proc.pid), "--json", "--timeout", "20"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    proc.stdout.on("data", (c) => (out += c));
    proc.stderr.on("data", (c) => (err += c));
    const timer = setTimeout(() => proc.kill("SIGKILL"), 60000);
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`sio-bench ${args.join(" ")} exited ${code ?? signal}\n${err}\n${out}`));
      try {
        resolve(JSON.parse(out));
      } catch (e) {
        reject(new Error(`sio-bench printed no JSON: ${e.message}\n${out}\n${err}`));
      }
    });
  });
}

test("fanout: 200 clients x 5 REST emits, every message delivered", async () => {
  const r = await runBench(["--scenario", "fanout", "--clients", "200", "--messages", "5"]);
  assert.equal(r.connect.connected, 200, JSON.stringify(r.connect));
  assert.equal(r.fanout.emits_sent, 5);
  assert.equal(r.fanout.expected, 1000);
  assert.equal(r.fanout.delivered, 1000, JSON.stringify(r.fanout));
  assert.equal(r.fanout.lost, 0);
  assert.equal(r.fanout.duplicates_or_reordered, 0);
  assert.equal(r.fanout.disconnects, 0);
  assert.equal(r.fanout.latency.count, 1000);
  assert.equal(r.server.alive_at_end, true);
});

test("connect: 300 clients all connected and still connected at the end", async () => {
  const r = await runBench(["--scenario", "connect", "--clients", "300", "--inflight", "64"]);
  assert.equal(r.connect.connected, 300, JSON.stringify(r.connect));
  assert.equal(r.connect.failed, 0);
  assert.equal(r.hold.connected_at_end, 300);
  assert.equal(r.server.alive_at_end, true);
});
