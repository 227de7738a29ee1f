// CONTRACT §2.4: server-side disconnect reasons (GET /disconnect-reason) and what the official
// client observes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Manager } from "socket.io-client";
import { startServer } from "./lib/server.mjs";
import { connectClient, once, api, waitUntil, rawSio, pollHandshake, Poller, ack } from "./lib/util.mjs";

let srv;
before(async () => {
  srv = await startServer({ CONNECTION_STATE_RECOVERY: "0", PING_INTERVAL: "300", PING_TIMEOUT: "200", MAX_HTTP_BUFFER_SIZE: "1000" });
});
after(() => srv?.stop());

async function reasonOf(id, namespace = "/") {
  const q = namespace !== "/" ? `&namespace=${encodeURIComponent(namespace)}` : "";
  return waitUntil(
    async () => {
      const r = await api(srv.url, "GET", `/disconnect-reason?id=${encodeURIComponent(id)}${q}`);
      if (r.status === 200) {
        assert.deepEqual(Object.keys(r.body).sort(), ["id", "namespace", "reason"]);
        assert.equal(r.body.id, id);
        assert.equal(r.body.namespace, namespace);
        return r.body.reason;
      }
      assert.equal(r.status, 404, r.text);
      return null;
    },
    { message: `disconnect reason of ${id}`, timeout: 5000 },
  );
}

for (const mode of ["polling", "websocket"]) {
  test(`${mode}: client namespace disconnect (client sees io client disconnect)`, async () => {
    const s = await connectClient(srv.url, "/custom", { mode });
    const id = s.id;
    const p = once(s, "disconnect");
    s.disconnect();
    assert.equal((await p)[0], "io client disconnect");
    assert.equal(await reasonOf(id, "/custom"), "client namespace disconnect");
  });

  test(`${mode}: server namespace disconnect via disconnect-me and POST /disconnect (client sees io server disconnect)`, async () => {
    const s = await connectClient(srv.url, "/", { mode });
    const id = s.id;
    let p = once(s, "disconnect");
    s.emit("disconnect-me");
    assert.equal((await p)[0], "io server disconnect");
    assert.equal(await reasonOf(id), "server namespace disconnect");

    const s2 = await connectClient(srv.url, "/", { mode });
    await ack(s2, "join", "kick-me");
    const id2 = s2.id;
    p = once(s2, "disconnect");
    const r = await api(srv.url, "POST", "/disconnect", { body: { room: "kick-me" } });
    assert.deepEqual(r.body, { ok: true });
    assert.equal((await p)[0], "io server disconnect");
    assert.equal(await reasonOf(id2), "server namespace disconnect");
  });

  test(`${mode}: transport close when the client closes the connection`, async () => {
    const s = await connectClient(srv.url, "/", { mode });
    const id = s.id;
    s.io.engine.close();
    assert.equal(await reasonOf(id), "transport close");
  });
}

test("websocket: transport close on an abrupt TCP drop", async () => {
  const c = await rawSio(srv.url);
  const id = (await c.connect("/")).data.sid;
  c.ws.terminate();
  assert.equal(await reasonOf(id), "transport close");
});

test("polling: transport close on a close packet", async () => {
  const { sid } = await pollHandshake(srv.url);
  const p = new Poller(srv.url, sid);
  await p.send("40");
  const seen = await p.until((x) => typeof x === "string" && x.startsWith("40{"));
  const id = JSON.parse(seen.find((x) => typeof x === "string" && x.startsWith("40{")).slice(2)).sid;
  await p.send("1");
  assert.equal(await reasonOf(id), "transport close");
});

test("ping timeout when the client stops answering pings", async () => {
  const c = await rawSio(srv.url, { autoPong: false });
  const id = (await c.connect("/")).data.sid;
  assert.equal(await reasonOf(id), "ping timeout");
});

test("parse error for an undecodable Engine.IO packet (all namespaces of the connection)", async () => {
  const c = await rawSio(srv.url);
  const id = (await c.connect("/")).data.sid;
  const id2 = (await c.connect("/custom")).data.sid;
  c.send("9nonsense");
  assert.equal(await reasonOf(id), "parse error");
  assert.equal(await reasonOf(id2, "/custom"), "parse error");
});

test("forced close (or parse error) for a malformed Socket.IO packet", async () => {
  const c = await rawSio(srv.url);
  const id = (await c.connect("/")).data.sid;
  c.send('42["disconnect"]');
  assert.ok(["forced close", "parse error"].includes(await reasonOf(id)));
});

test("transport error for an oversize WebSocket message", async () => {
  const c = await rawSio(srv.url);
  const id = (await c.connect("/")).data.sid;
  c.send("4" + "x".repeat(5000));
  assert.equal((await c.ws.waitClose()).code, 1009);
  assert.equal(await reasonOf(id), "transport error");
});

test("transport error for an overlapping polling GET", async () => {
  const { sid } = await pollHandshake(srv.url);
  const p = new Poller(srv.url, sid);
  await p.send("40");
  const seen = await p.until((x) => typeof x === "string" && x.startsWith("40{"));
  const id = JSON.parse(seen.find((x) => typeof x === "string" && x.startsWith("40{")).slice(2)).sid;
  const first = p.pendingGet();
  await new Promise((r) => setTimeout(r, 100));
  await p.get();
  await first.promise.catch(() => null);
  assert.equal(await reasonOf(id), "transport error");
});

test("disconnect(true): the requesting socket gets server namespace disconnect, the others forced server close (Node: server namespace disconnect)", async () => {
  const manager = new Manager(srv.url, { transports: ["websocket"], reconnection: false, forceNew: true });
  const root = manager.socket("/");
  const custom = manager.socket("/custom");
  try {
    await Promise.all([once(root, "connect"), once(custom, "connect")]);
    const [rootId, customId] = [root.id, custom.id];
    const [d1, d2] = [once(root, "disconnect"), once(custom, "disconnect")];
    custom.emit("disconnect-me", true);
    assert.equal((await d1)[0], "io server disconnect");
    assert.equal((await d2)[0], "io server disconnect");
    assert.equal(await reasonOf(customId, "/custom"), "server namespace disconnect");
    // CONTRACT §2.4 names `forced server close` for the other sockets; socket.io 4.8 reports
    // `server namespace disconnect` for them. Both are accepted.
    assert.ok(["forced server close", "server namespace disconnect"].includes(await reasonOf(rootId)));
  } finally {
    manager.engine?.close();
  }
});

test("unknown socket id: 404 with an {error} body", async () => {
  const r = await api(srv.url, "GET", "/disconnect-reason?id=never-existed-12345");
  assert.equal(r.status, 404);
  assert.equal(typeof r.body.error, "string");
  const s = await connectClient(srv.url, "/");
  try {
    const live = await api(srv.url, "GET", `/disconnect-reason?id=${s.id}`);
    assert.equal(live.status, 404, "a connected socket has no disconnect reason yet");
  } finally {
    s.disconnect();
  }
});
