// docs/contract.md §1: lifecycle (SIGTERM/SIGINT exit 0 within 3 s with clients connected), invalid
// configuration exits non-zero naming the variable, INSTANCE_ID, readiness via /health.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, runServerToExit } from "./lib/server.mjs";
import { api, connectClient, once, withTimeout, rawSio } from "./lib/util.mjs";

for (const signal of ["SIGTERM", "SIGINT"]) {
  test(`${signal} with connected clients on both transports: clients disconnected, exit 0 within 3 s`, async () => {
    const srv = await startServer({ INSTANCE_ID: "inst-proc" });
    try {
      assert.deepEqual((await api(srv.url, "GET", "/health")).body, { status: "ok" });
      const ws = await connectClient(srv.url, "/", { mode: "websocket" });
      const poll = await connectClient(srv.url, "/custom", { mode: "polling" });
      const raw = await rawSio(srv.url);
      await raw.connect("/");
      const d1 = once(ws, "disconnect", 5000);
      const d2 = once(poll, "disconnect", 5000);
      const t0 = Date.now();
      srv.proc.kill(signal);
      const res = await withTimeout(srv.waitExit(), 5000, "server exit");
      const ms = Date.now() - t0;
      assert.equal(res.code, 0, `exit code ${res.code} signal ${res.signal}`);
      assert.ok(ms < 3000, `took ${ms} ms`);
      await Promise.all([d1, d2]);
      await raw.ws.waitClose(3000);
      ws.disconnect();
      poll.disconnect();
    } finally {
      await srv.stop();
    }
  });
}

for (const [name, value] of [
  ["PING_INTERVAL", "abc"],
  ["PING_TIMEOUT", "12abc"],
  ["CONNECT_TIMEOUT", "soon"],
  ["MAX_HTTP_BUFFER_SIZE", "1MB"],
  ["RECOVERY_MAX_DISCONNECTION_MS", "x"],
]) {
  test(`invalid configuration ${name}=${value}: non-zero exit with a message naming the variable`, async () => {
    const res = await runServerToExit({ [name]: value });
    assert.ok(res.code !== 0 && res.code !== null, `exit code ${res.code} signal ${res.signal}`);
    assert.match(res.stderr, new RegExp(name), `stderr: ${res.stderr}`);
    assert.doesNotMatch(res.stdout + res.stderr, /Listening on/);
  });
}

test("INSTANCE_ID is reported by /info and whoami; default ids are unique per process", async () => {
  const [a, b, c] = await Promise.all([startServer({ INSTANCE_ID: "given-id-1" }), startServer({}), startServer({})]);
  try {
    assert.equal((await api(a.url, "GET", "/info")).body.instance, "given-id-1");
    const s = await connectClient(a.url);
    const [who] = await new Promise((resolve) => s.emit("whoami", (...r) => resolve(r)));
    assert.equal(who.instance, "given-id-1");
    s.disconnect();
    const ib = (await api(b.url, "GET", "/info")).body.instance;
    const ic = (await api(c.url, "GET", "/info")).body.instance;
    assert.ok(ib && ic && ib !== ic);
  } finally {
    await Promise.all([a.stop(), b.stop(), c.stop()]);
  }
});

test("SIGTERM: the official client sees a transport close, not io server disconnect (a shutdown is recoverable)", async () => {
  // socket.io 4.8 closes every socket with `server shutting down` without sending DISCONNECT,
  // then closes the engine: the client observes `transport close` (and would try to reconnect
  // and recover), never `io server disconnect`.
  const srv = await startServer({});
  try {
    const ws = await connectClient(srv.url, "/", { mode: "websocket" });
    const poll = await connectClient(srv.url, "/custom", { mode: "polling" });
    const d1 = once(ws, "disconnect", 5000);
    const d2 = once(poll, "disconnect", 5000);
    srv.proc.kill("SIGTERM");
    const [[r1], [r2]] = await Promise.all([d1, d2]);
    assert.equal(r1, "transport close", "websocket client");
    // Polling: the held GET answered with a close packet (`transport close`) or cut
    // (`transport error`, as the Node reference harness does with closeAllConnections()).
    assert.ok(["transport close", "transport error"].includes(r2), `polling client: ${r2}`);
    assert.equal((await withTimeout(srv.waitExit(), 5000, "server exit")).code, 0);
    ws.disconnect();
    poll.disconnect();
  } finally {
    await srv.stop();
  }
});

test("HOST defaults to 127.0.0.1 (loopback only)", async () => {
  const srv = await startServer({ HOST: undefined });
  try {
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:/);
    assert.deepEqual((await api(srv.url, "GET", "/health")).body, { status: "ok" });
    // Bound to 127.0.0.1, not to every address: 127.0.0.2 is not served.
    await assert.rejects(api(`http://127.0.0.2:${srv.port}`, "GET", "/health"));
  } finally {
    await srv.stop();
  }
});

for (const [value, enabled] of [["false", false], ["0", false], ["1", true], [undefined, true]]) {
  test(`CONNECTION_STATE_RECOVERY=${value}: recovery ${enabled ? "enabled" : "disabled"} (/info and pid in CONNECT)`, async () => {
    const srv = await startServer({ CONNECTION_STATE_RECOVERY: value });
    try {
      assert.equal((await api(srv.url, "GET", "/info")).body.connectionStateRecovery, enabled);
      const c = await rawSio(srv.url);
      const ans = await c.connect("/");
      c.close();
      assert.equal(typeof ans.data.pid === "string", enabled, ans.raw);
    } finally {
      await srv.stop();
    }
  });
}
