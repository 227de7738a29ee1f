// docs/contract.md §2.2 upgrade: 2probe/3probe, pending GET released with `6`, `5`, buffered packets
// flushed over WebSocket, polling afterwards 400 code 3, second WebSocket refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { pollHandshake, Poller, WsClient, wsUrl, withTimeout, sleep, connectClient, ack, ack1, once } from "./lib/util.mjs";
import { Socket as EioSocket } from "engine.io-client";

let srv;
before(async () => {
  srv = await startServer({ PING_INTERVAL: "10000", PING_TIMEOUT: "5000", CONNECTION_STATE_RECOVERY: "0" });
});
after(() => srv?.stop());

async function assertSecondWsRefused(sid) {
  let ws;
  try {
    ws = await WsClient.open(wsUrl(srv.url, { sid }));
  } catch (err) {
    assert.ok(err.status >= 400, `status ${err.status}`);
    return;
  }
  ws.send("2probe");
  await ws.waitClose(5000);
  assert.ok(!ws.queue.includes("3probe"), "a second websocket must not be probed");
}

test("raw upgrade sequence on /socket.io/: 2probe, 3probe, noop 6, 5, then polling gets 400 code 3", async () => {
  const { sid, open } = await pollHandshake(srv.url);
  assert.deepEqual(open.upgrades, ["websocket"]);
  const p = new Poller(srv.url, sid);
  await p.send("40");
  const seen = await p.until((x) => typeof x === "string" && x.startsWith("40{"));
  const sioSid = JSON.parse(seen.find((x) => typeof x === "string" && x.startsWith("40{")).slice(2)).sid;
  assert.ok(sioSid && sioSid !== sid);

  const pending = p.pendingGet();
  await sleep(100);
  const ws = await WsClient.open(wsUrl(srv.url, { sid }));
  try {
    ws.send("2probe");
    assert.equal(await ws.next(), "3probe");
    const released = await withTimeout(pending.promise, 3000, "pending GET released with a noop");
    assert.equal(released.status, 200);
    assert.deepEqual(released.packets, ["6"]);

    // A packet produced while the upgrade is in progress: emitted via a polling POST, answered
    // after `5` over the WebSocket.
    await p.send('42["message","during-upgrade"]');
    await sleep(100);
    ws.send("5");
    assert.equal(await ws.next(), '42["message-back","during-upgrade"]');

    ws.send('42["message","after-upgrade"]');
    assert.equal(await ws.next(), '42["message-back","after-upgrade"]');

    const get = await p.get();
    assert.equal(get.status, 400);
    assert.equal(get.text, '{"code":3,"message":"Bad request"}');
    const post = await p.post('42["message","x"]');
    assert.equal(post.status, 400);

    await assertSecondWsRefused(sid);
    // The upgraded session is still alive after the refused second websocket.
    ws.send('42["message","still"]');
    assert.equal(await ws.next(), '42["message-back","still"]');
  } finally {
    ws.close();
  }
});

test("raw upgrade on /engine.io/: echo continues over the websocket", async () => {
  const { sid } = await pollHandshake(srv.url, { path: "/engine.io/" });
  const p = new Poller(srv.url, sid, "/engine.io/");
  const pending = p.pendingGet();
  await sleep(100);
  const ws = await WsClient.open(wsUrl(srv.url, { sid, path: "/engine.io/" }));
  try {
    ws.send("2probe");
    assert.equal(await ws.next(), "3probe");
    assert.deepEqual((await withTimeout(pending.promise, 3000, "noop")).packets, ["6"]);
    ws.send("5");
    ws.send("4upgraded");
    assert.equal(await ws.next(), "4upgraded");
    ws.send(Buffer.from([9, 8, 7]));
    assert.deepEqual(await ws.next(), Buffer.from([9, 8, 7]));
    const get = await p.get();
    assert.equal(get.status, 400);
    assert.equal(get.text, '{"code":3,"message":"Bad request"}');
  } finally {
    ws.close();
  }
});

test("official socket.io-client upgrades from polling to websocket and keeps working", async () => {
  const socket = await connectClient(srv.url, "/", { mode: "upgrade" });
  try {
    assert.equal(socket.io.engine.transport.name, "websocket");
    const who = await ack1(socket, "whoami");
    assert.equal(who.transport, "websocket");
    assert.equal(who.engineId, socket.io.engine.id);
    assert.deepEqual(await ack(socket, "ack", { a: [1, 2] }, "z"), [{ a: [1, 2] }, "z"]);
  } finally {
    socket.disconnect();
  }
});

test("official engine.io-client upgrades on /engine.io/ and echoes", async () => {
  const sock = new EioSocket(srv.url, { path: "/engine.io/", transports: ["polling", "websocket"] });
  try {
    await once(sock, "upgrade", 8000);
    assert.equal(sock.transport.name, "websocket");
    sock.send("after-upgrade");
    const [msg] = await once(sock, "message");
    assert.equal(msg, "after-upgrade");
  } finally {
    sock.close();
  }
});
