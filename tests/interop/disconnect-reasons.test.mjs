// docs/contract.md §2.4: server-side disconnect reasons (GET /disconnect-reason) and what the official
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
    // docs/contract.md §2.4 names `forced server close` for the other sockets; socket.io 4.8 reports
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

// What the official client observes (docs/contract.md §2.4, last paragraph) for server-side closes.

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
  // 10 connections x 1000 CONNECT/DISCONNECT cycles, alternating "/" and "/custom" (socket.io
  // closes a connection that re-CONNECTs a namespace in the same tick as its DISCONNECT): every
  // CONNECT creates a new socket.
  const N = 10000;
  const CONNS = 10;
  const PER = N / CONNS;
  const nspOf = (i) => (i % 2 ? "/custom" : "/");
  const head = (type, nsp) => (nsp === "/" ? `4${type}` : `4${type}${nsp},`);
  const conns = await Promise.all(Array.from({ length: CONNS }, () => rawSio(srv.url)));
  try {
    const perConn = await Promise.all(
      conns.map(async (c) => {
        const ids = [];
        c.send(head(0, nspOf(0)));
        for (let i = 0; i < PER; i++) {
          const nsp = nspOf(i);
          const msg = await c.ws.next(10000, (m) => typeof m === "string" && m.startsWith(head(0, nsp)));
          ids.push([JSON.parse(msg.slice(head(0, nsp).length)).sid, nsp]);
          c.ws.queue.length = 0; // auth greetings
          c.send(head(1, nsp));
          if (i + 1 < PER) c.send(head(0, nspOf(i + 1)));
        }
        return ids;
      }),
    );
    assert.equal(new Set(perConn.flat().map(([id]) => id)).size, N);
    // Wait until the very last disconnects are recorded, then check the oldest ones are kept.
    for (const ids of perConn) await reasonOf(...ids[PER - 1]);
    for (const [id, nsp] of [...perConn.map((ids) => ids[0]), perConn[3][501], perConn[9][PER - 1]]) {
      assert.equal(await reasonOf(id, nsp), "client namespace disconnect", `reason of ${id} on ${nsp}`);
    }
  } finally {
    for (const c of conns) c.close();
  }
});
