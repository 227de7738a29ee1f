// docs/contract.md §2.1, §2.2: handshake shape and values on both endpoints and transports, Engine.IO
// error codes 0/1/2/3/5 with their exact JSON bodies, unknown paths.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { request, eioUrl, pollHandshake, wsHandshake, WsClient, wsUrl, withTimeout } from "./lib/util.mjs";

let srv;
before(async () => {
  srv = await startServer({ PING_INTERVAL: "4321", PING_TIMEOUT: "1234", MAX_HTTP_BUFFER_SIZE: "54321" });
});
after(() => srv?.stop());

const OPEN_POLLING = /^0\{"sid":"([^"]+)","upgrades":\["websocket"\],"pingInterval":4321,"pingTimeout":1234,"maxPayload":54321\}$/;
const OPEN_WS = /^0\{"sid":"([^"]+)","upgrades":\[\],"pingInterval":4321,"pingTimeout":1234,"maxPayload":54321\}$/;

for (const path of ["/socket.io/", "/engine.io/"]) {
  test(`${path} polling handshake: exact keys, order and configured values`, async () => {
    const { raw, packets, res } = await pollHandshake(srv.url, { path });
    assert.match(raw, OPEN_POLLING);
    assert.equal(packets.length, 1, "the first poll carries only the open packet");
    assert.match(String(res.headers["content-type"]), /^text\/plain/);
  });

  test(`${path} websocket handshake: upgrades is [] and the first frame is the open packet`, async () => {
    const { ws, raw } = await wsHandshake(srv.url, { path });
    try {
      assert.match(raw, OPEN_WS);
    } finally {
      ws.close();
    }
  });

  test(`${path} session ids are unique`, async () => {
    const ids = new Set();
    for (let i = 0; i < 10; i++) ids.add((await pollHandshake(srv.url, { path })).sid);
    const { ws, sid } = await wsHandshake(srv.url, { path });
    ws.close();
    ids.add(sid);
    assert.equal(ids.size, 11);
  });

  test(`${path} code 0 Transport unknown (missing and unknown transport)`, async () => {
    for (const url of [eioUrl(srv.url, { path, transport: null }), eioUrl(srv.url, { path, transport: "carrier-pigeon" })]) {
      const res = await request(url);
      assert.equal(res.status, 400, url);
      assert.equal(res.text, '{"code":0,"message":"Transport unknown"}');
      assert.match(String(res.headers["content-type"]), /application\/json/);
    }
  });

  test(`${path} code 1 Session ID unknown (GET and POST)`, async () => {
    const url = eioUrl(srv.url, { path, sid: "doesnotexist12345678" });
    const get = await request(url);
    assert.equal(get.status, 400);
    assert.equal(get.text, '{"code":1,"message":"Session ID unknown"}');
    const post = await request(url, { method: "POST", body: "4hello", headers: { "Content-Type": "text/plain" } });
    assert.equal(post.status, 400);
    assert.equal(post.text, '{"code":1,"message":"Session ID unknown"}');
  });

  test(`${path} code 2 Bad handshake method (POST without sid)`, async () => {
    const res = await request(eioUrl(srv.url, { path }), { method: "POST", body: "40", headers: { "Content-Type": "text/plain" } });
    assert.equal(res.status, 400);
    assert.equal(res.text, '{"code":2,"message":"Bad handshake method"}');
  });

  test(`${path} code 3 Bad request (websocket transport over plain HTTP)`, async () => {
    const res = await request(eioUrl(srv.url, { path, transport: "websocket" }));
    assert.equal(res.status, 400);
    assert.equal(res.text, '{"code":3,"message":"Bad request"}');
  });

  test(`${path} code 5 Unsupported protocol version (EIO missing, 3, non-numeric)`, async () => {
    for (const eio of [null, "3", "abc"]) {
      const res = await request(eioUrl(srv.url, { path, eio }));
      assert.equal(res.status, 400, `EIO=${eio}`);
      assert.equal(res.text, '{"code":5,"message":"Unsupported protocol version"}', `EIO=${eio}`);
    }
  });

  test(`${path} websocket upgrade with an unknown sid is refused`, async () => {
    await assert.rejects(WsClient.open(wsUrl(srv.url, { path, sid: "doesnotexist12345678" })), (err) => {
      assert.equal(err.status, 400);
      return true;
    });
  });

  test(`${path} websocket with EIO=3 never gets an open packet`, async () => {
    let ws;
    try {
      ws = await WsClient.open(wsUrl(srv.url, { path, eio: "3" }));
    } catch (err) {
      assert.ok(err.status >= 400 && err.status < 500, `status ${err.status}`);
      return;
    }
    // Node completes the upgrade, writes the error text and closes: no "0{" must arrive.
    await withTimeout(ws.closePromise, 5000, "close of an EIO=3 websocket");
    assert.ok(!ws.queue.some((m) => typeof m === "string" && m.startsWith("0{")), `got ${JSON.stringify(ws.queue)}`);
  });
}

test("any other path answers 404", async () => {
  for (const p of ["/", "/nope", "/socket.io.js", "/engine"]) {
    const res = await request(srv.url + p);
    assert.equal(res.status, 404, p);
  }
});

test("defaults: the handshake announces pingInterval 25000, pingTimeout 20000, maxPayload 1000000", async () => {
  const def = await startServer({ PING_INTERVAL: undefined, PING_TIMEOUT: undefined, MAX_HTTP_BUFFER_SIZE: undefined }, { name: "defaults" });
  try {
    for (const path of ["/socket.io/", "/engine.io/"]) {
      const { raw } = await pollHandshake(def.url, { path });
      assert.match(raw, /^0\{"sid":"[^"]+","upgrades":\["websocket"\],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000\}$/);
      const { ws, raw: wsRaw } = await wsHandshake(def.url, { path });
      ws.close();
      assert.match(wsRaw, /^0\{"sid":"[^"]+","upgrades":\[\],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000\}$/);
    }
  } finally {
    await def.stop();
  }
});
