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

// What the official client observes (CONTRACT §2.4, last paragraph) for server-side closes.

for (const mode of ["polling", "websocket"]) {
  test(`${mode}: official client whose pongs are suppressed: server records ping timeout, the client sees transport close`, async () => {
    // The server closes pingTimeout after its ping; the client's own timer would only fire
    // pingInterval + pingTimeout after that ping, so the client must see the server's close.
    const hb = await startServer({ CONNECTION_STATE_RECOVERY: "0", PING_INTERVAL: "1000", PING_TIMEOUT: "300" }, { name: `no pong ${mode}` });
    const s = await connectClient(hb.url, "/", { mode });
    try {
      const id = s.id;
      const engine = s.io.engine;
      const send = engine._sendPacket.bind(engine);
      engine._sendPacket = (type, ...rest) => (type === "pong" ? undefined : send(type, ...rest));
      const [reason] = await once(s, "disconnect", 5000);
      assert.equal(reason, "transport close");
      const r = await api(hb.url, "GET", `/disconnect-reason?id=${id}`);
      assert.equal(r.body?.reason, "ping timeout", r.text);
    } finally {
      s.disconnect();
      await hb.stop();
    }
  });

  test(`${mode}: official client sees ping timeout when the server stops sending pings (process stopped)`, async () => {
    const hb = await startServer({ CONNECTION_STATE_RECOVERY: "0", PING_INTERVAL: "400", PING_TIMEOUT: "300" }, { name: `SIGSTOP ${mode}` });
    const s = await connectClient(hb.url, "/", { mode });
    try {
      assert.equal(s.io.engine._pingInterval, 400);
      hb.proc.kill("SIGSTOP");
      const t0 = Date.now();
      const [reason] = await once(s, "disconnect", 5000);
      assert.equal(reason, "ping timeout");
      assert.ok(Date.now() - t0 < 2000, "detected within pingInterval + pingTimeout");
    } finally {
      hb.proc.kill("SIGCONT");
      s.disconnect();
      await hb.stop();
    }
  });
}

test("websocket: an oversize message from the official client: the client sees transport close, the server records transport error", async () => {
  const s = await connectClient(srv.url, "/", { mode: "websocket" });
  const id = s.id;
  const p = once(s, "disconnect");
  s.emit("message", "x".repeat(5000));
  assert.equal((await p)[0], "transport close");
  assert.equal(await reasonOf(id), "transport error");
});

test("polling: an oversize POST from the official client: the client sees transport error (413), the server keeps serving", async () => {
  const s = await connectClient(srv.url, "/", { mode: "polling" });
  try {
    const p = once(s, "disconnect");
    s.emit("message", "x".repeat(5000));
    assert.equal((await p)[0], "transport error");
  } finally {
    s.disconnect();
  }
  const again = await connectClient(srv.url, "/", { mode: "polling" });
  try {
    assert.deepEqual(await ack(again, "ack", 1), [1]);
  } finally {
    again.disconnect();
  }
});

test("GET /disconnect-reason keeps (at least) the last 10000 reasons", async () => {
  const c = await rawSio(srv.url);
  try {
    const N = 10000;
    const ids = [];
    // Pipelined CONNECT/DISCONNECT pairs on one connection: every CONNECT creates a new socket.
    const BATCH = 500;
    for (let done = 0; done < N; done += BATCH) {
      for (let i = 0; i < BATCH; i++) {
        c.send("40");
        c.send("41");
      }
      while (ids.length < done + BATCH) {
        const msg = await c.ws.next(10000, (m) => typeof m === "string" && m.startsWith("40"));
        ids.push(JSON.parse(msg.slice(2)).sid);
      }
      c.ws.queue.length = 0; // auth greetings
    }
    assert.equal(new Set(ids).size, N);
    for (const id of [ids[0], ids[1], ids[N / 2], ids[N - 1]]) {
      assert.equal(await reasonOf(id), "client namespace disconnect", `reason of ${id}`);
    }
  } finally {
    c.close();
  }
});
