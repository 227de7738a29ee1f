// docs/contract.md §2.2 heartbeat and §2.5: official clients stay connected over many intervals on both
// transports and see the configured values; raw clients that do not pong are dropped.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { connectClient, ack, wsHandshake, pollHandshake, Poller, sleep, waitUntil, api, rawSio } from "./lib/util.mjs";

const PI = 300;
const PT = 200;
let srv;
before(async () => {
  srv = await startServer({ PING_INTERVAL: String(PI), PING_TIMEOUT: String(PT), MAX_HTTP_BUFFER_SIZE: "123456", CONNECTION_STATE_RECOVERY: "0" });
});
after(() => srv?.stop());

for (const mode of ["polling", "websocket", "upgrade"]) {
  test(`official client (${mode}) stays connected over 10+ ping intervals and sees the configured values`, async () => {
    const socket = await connectClient(srv.url, "/", { mode });
    try {
      const engine = socket.io.engine;
      assert.equal(engine._pingInterval, PI);
      assert.equal(engine._pingTimeout, PT);
      assert.equal(engine._maxPayload, 123456);
      let pings = 0;
      let disconnected = null;
      engine.on("ping", () => pings++);
      socket.on("disconnect", (r) => (disconnected = r));
      await sleep(PI * 11);
      assert.equal(disconnected, null, `disconnected: ${disconnected}`);
      assert.ok(pings >= 5, `only ${pings} pings in ${PI * 11} ms`);
      assert.ok(socket.connected);
      assert.deepEqual(await ack(socket, "ack", "still", 1), ["still", 1]);
      assert.equal(engine.transport.name, mode === "polling" ? "polling" : "websocket");
    } finally {
      socket.disconnect();
    }
  });
}

test("raw websocket client that never answers pings is closed (ping timeout)", async () => {
  const c = await rawSio(srv.url, { autoPong: false });
  const { data } = await c.connect("/");
  const closed = await c.ws.waitClose(5000);
  assert.ok(c.ws.pings >= 1, "a ping `2` must have been sent before closing");
  void closed;
  const res = await waitUntil(async () => {
    const r = await api(srv.url, "GET", `/disconnect-reason?id=${data.sid}`);
    return r.status === 200 && r.body;
  }, { message: "disconnect reason" });
  assert.equal(res.reason, "ping timeout");
});

test("raw websocket client answering pings stays open over several intervals", async () => {
  const { ws } = await wsHandshake(srv.url, { path: "/engine.io/", autoPong: true });
  try {
    await sleep(PI * 8);
    assert.equal(ws.closed, null);
    assert.ok(ws.pings >= 4, `pings ${ws.pings}`);
    ws.send("4alive");
    assert.equal(await ws.next(), "4alive");
  } finally {
    ws.close();
  }
});

test("a raw websocket ping `2` arrives about every pingInterval", async () => {
  const { ws } = await wsHandshake(srv.url, { path: "/engine.io/" });
  try {
    const t0 = Date.now();
    assert.equal(await ws.next(3000), "2");
    const first = Date.now() - t0;
    assert.ok(first >= PI - 100, `first ping after ${first} ms (< pingInterval)`);
    ws.send("3");
    assert.equal(await ws.next(3000), "2");
  } finally {
    ws.close();
  }
});

test("long-polling session with no request and no pong for pingInterval+pingTimeout is gone", async () => {
  const { sid } = await pollHandshake(srv.url, { path: "/engine.io/" });
  const p = new Poller(srv.url, sid, "/engine.io/");
  await sleep((PI + PT) * 3);
  const res = await p.get();
  // A buffered close may be flushed once; the session must be unknown afterwards.
  if (res.status === 200) {
    const again = await p.get();
    assert.equal(again.status, 400);
    assert.equal(again.text, '{"code":1,"message":"Session ID unknown"}');
  } else {
    assert.equal(res.status, 400);
    assert.equal(res.text, '{"code":1,"message":"Session ID unknown"}');
  }
});

test("long-polling session answering pings stays alive", async () => {
  const { sid } = await pollHandshake(srv.url, { path: "/engine.io/" });
  const p = new Poller(srv.url, sid, "/engine.io/");
  const deadline = Date.now() + PI * 8;
  let pings = 0;
  while (Date.now() < deadline) {
    const res = await p.get();
    assert.equal(res.status, 200, res.text);
    for (const pk of res.packets) {
      if (pk === "2") {
        pings++;
        await p.send("3");
      }
    }
  }
  assert.ok(pings >= 4, `pings ${pings}`);
  await p.send("4ok");
  const seen = await p.until((x) => x === "4ok");
  assert.ok(seen.includes("4ok"));
});
