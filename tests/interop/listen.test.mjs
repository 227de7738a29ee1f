// docs/contract.md §1 / issue: PORT may be a Unix socket path; "port already in use" is one clear line
// and exit 1; HOST chooses the bind address.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer, runServerToExit, serverCommand } from "./lib/server.mjs";
import { api } from "./lib/util.mjs";

function getOverUnixSocket(socketPath, urlPath) {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: urlPath, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("PORT as a Unix socket path: HTTP, Engine.IO and REST served on it; the file is removed on exit", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sio-unix-"));
  const socketPath = path.join(dir, "sio.sock");
  const [cmd, ...args] = serverCommand();
  const proc = spawn(cmd, args, { env: { ...process.env, PORT: socketPath }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout.on("data", (c) => (output += c));
  proc.stderr.on("data", (c) => (output += c));
  const exited = new Promise((resolve) => proc.on("exit", (code) => resolve(code)));
  try {
    const deadline = Date.now() + 10000;
    while (!/Listening on unix:/.test(output)) {
      assert.ok(Date.now() < deadline, `no "Listening on unix:" line: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(output, new RegExp(`Listening on unix:${socketPath.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
    const health = await getOverUnixSocket(socketPath, "/health");
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(health.body), { status: "ok" });
    const handshake = await getOverUnixSocket(socketPath, "/socket.io/?EIO=4&transport=polling");
    assert.equal(handshake.status, 200);
    assert.match(handshake.body, /^0\{"sid":"[\w-]{20}","upgrades":\["websocket"\]/);
  } finally {
    proc.kill("SIGTERM");
    assert.equal(await exited, 0);
  }
  assert.equal(fs.existsSync(socketPath), false, "socket file left behind");
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a port already in use: exit 1 with one clear line naming the port", async () => {
  const first = await startServer({});
  try {
    const res = await runServerToExit({ PORT: String(first.port) });
    assert.equal(res.code, 1, `exit code ${res.code}`);
    assert.match(res.stderr + res.stdout, new RegExp(`${first.port}.*already in use|already in use.*${first.port}`));
    // The first instance is unaffected.
    assert.deepEqual((await api(first.url, "GET", "/health")).body, { status: "ok" });
  } finally {
    await first.stop();
  }
});

test("HOST selects the bind address (127.0.0.2 is served, 127.0.0.1 is not)", async () => {
  const srv = await startServer({ HOST: "127.0.0.2" });
  try {
    assert.match(srv.url, /^http:\/\/127\.0\.0\.2:/);
    assert.deepEqual((await api(srv.url, "GET", "/health")).body, { status: "ok" });
    await assert.rejects(api(`http://127.0.0.1:${srv.port}`, "GET", "/health"));
  } finally {
    await srv.stop();
  }
});
