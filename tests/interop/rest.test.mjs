// docs/contract.md §5: the REST API (auth, errors, emit, emit-with-ack, sockets, join/leave, disconnect,
// server-side-emit, peers, server-count, info, health).
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { api, connectClient, ack, ack1, once, sleep, waitUntil, pollHandshake, Poller, rawSio } from "./lib/util.mjs";

const TOKEN = "s3cr3t-token";
let srv;
let open; // no API_TOKEN
before(async () => {
  [srv, open] = await Promise.all([
    startServer(
      { API_TOKEN: TOKEN, CONNECTION_STATE_RECOVERY: "0", INSTANCE_ID: "inst-rest", PING_INTERVAL: "2500", PING_TIMEOUT: "1500", CONNECT_TIMEOUT: "7000", MAX_HTTP_BUFFER_SIZE: "200000" },
      { name: "token" },
    ),
    startServer({}, { name: "no token" }),
  ]);
});
after(() => Promise.all([srv?.stop(), open?.stop()]));

const call = (method, path, body, extra = {}) => api(srv.url, method, path, { body, token: TOKEN, ...extra });

function assertError(res, status, what) {
  assert.equal(res.status, status, `${what}: ${res.status} ${res.text}`);
  assert.match(String(res.headers["content-type"]), /application\/json/, what);
  assert.ok(res.body && typeof res.body.error === "string" && res.body.error.length > 0, `${what}: body ${res.text}`);
}

const clients = [];
async function client(nsp = "/", opts = {}) {
  const s = await connectClient(srv.url, nsp, { mode: "websocket", ...opts });
  clients.push(s);
  return s;
}
after(() => {
  for (const c of clients) c.disconnect();
});

/** Collects `event` arguments per socket. */
function inbox(sockets, event) {
  const box = new Map(sockets.map((s) => [s, []]));
  for (const s of sockets) s.on(event, (...a) => box.get(s).push(a));
  return box;
}

describe("auth, health, info, errors", () => {
  test("GET /health needs no token", async () => {
    const r = await api(srv.url, "GET", "/health");
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: "ok" });
    assert.match(String(r.headers["content-type"]), /application\/json/);
  });

  test("every other endpoint requires the bearer token (401 + WWW-Authenticate: Bearer)", async () => {
    const endpoints = [
      ["GET", "/info"], ["POST", "/emit"], ["POST", "/emit-with-ack"], ["GET", "/sockets"], ["POST", "/sockets/join"],
      ["POST", "/sockets/leave"], ["POST", "/disconnect"], ["POST", "/server-side-emit"], ["GET", "/peers"],
      ["GET", "/server-count"], ["GET", "/disconnect-reason?id=x"],
    ];
    for (const [method, path] of endpoints) {
      for (const headers of [{}, { Authorization: "Bearer wrong" }, { Authorization: TOKEN }, { Authorization: `Basic ${TOKEN}` }]) {
        const r = await api(srv.url, method, path, { body: method === "POST" ? { event: "x" } : undefined, headers });
        assertError(r, 401, `${method} ${path} ${JSON.stringify(headers)}`);
        assert.match(String(r.headers["www-authenticate"]), /^Bearer/, `${method} ${path}`);
      }
    }
    // Without API_TOKEN no auth is needed.
    assert.equal((await api(open.url, "GET", "/info")).status, 200);
  });

  test("GET /info describes the instance with the configured values", async () => {
    const r = await call("GET", "/info");
    assert.equal(r.status, 200);
    assert.match(String(r.headers["content-type"]), /application\/json/);
    const { implementation, ...rest } = r.body;
    assert.equal(typeof implementation, "string");
    assert.ok(implementation.length > 0);
    assert.deepEqual(rest, {
      instance: "inst-rest",
      clustered: false,
      connectionStateRecovery: false,
      pingInterval: 2500,
      pingTimeout: 1500,
      connectTimeout: 7000,
      maxHttpBufferSize: 200000,
      namespaces: ["/", "/custom", "/secure"],
    });
    const d = (await api(open.url, "GET", "/info")).body;
    assert.equal(d.connectionStateRecovery, true);
    assert.equal(d.pingInterval, 25000);
    assert.equal(d.pingTimeout, 20000);
    assert.equal(d.connectTimeout, 45000);
    assert.equal(d.maxHttpBufferSize, 1000000);
    assert.equal(typeof d.instance, "string");
    assert.ok(d.instance.length > 0);
    assert.notEqual(d.instance, (await api(srv.url, "GET", "/info", { token: TOKEN })).body.instance);
  });

  test("unknown route 404, known route with wrong method 405, all with {error}", async () => {
    assertError(await call("GET", "/nope"), 404, "GET /nope");
    assertError(await call("POST", "/emits", { event: "x" }), 404, "POST /emits");
    for (const [method, path] of [["POST", "/health"], ["GET", "/emit"], ["PUT", "/emit"], ["DELETE", "/info"], ["GET", "/emit-with-ack"], ["POST", "/sockets"], ["GET", "/sockets/join"], ["GET", "/disconnect"], ["POST", "/peers"], ["POST", "/server-count"], ["POST", "/disconnect-reason"]]) {
      const r = await api(srv.url, method, path, { token: TOKEN, body: method === "GET" || method === "DELETE" ? undefined : { event: "x" } });
      assertError(r, 405, `${method} ${path}`);
    }
  });

  test("400 for invalid JSON, non-object bodies and bad fields; 404 for unknown namespaces; 413 for > 1 MiB", async () => {
    for (const body of ["{not json", "[1,2]", '"str"', "42", "null", ""]) {
      assertError(await call("POST", "/emit", body), 400, `body ${body}`);
    }
    const bad = [
      {},
      { event: "" },
      { event: 7 },
      { event: "disconnect" },
      { event: "connect_error" },
      { event: "removeListener" },
      { event: "x", data: 1, args: [1] },
      { event: "x", args: "no" },
      { event: "x", room: 5 },
      { event: "x", room: [""] },
      { event: "x", except: {} },
    ];
    for (const body of bad) assertError(await call("POST", "/emit", body), 400, `emit ${JSON.stringify(body)}`);
    for (const body of [{}, { join: 5 }, { join: "" }, { join: ["a", 1] }]) {
      assertError(await call("POST", "/sockets/join", body), 400, `join ${JSON.stringify(body)}`);
    }
    assertError(await call("POST", "/sockets/leave", {}), 400, "leave without leave");
    assertError(await call("POST", "/server-side-emit", {}), 400, "server-side-emit without event");
    assertError(await call("POST", "/emit-with-ack", { event: "disconnecting" }), 400, "emit-with-ack reserved event");
    for (const path of ["/emit-with-ack", "/server-side-emit"]) {
      for (const body of [{ event: "x", data: 1, args: [1] }, { event: "x", args: "no" }, { event: "" }, { event: "newListener" }, { event: "x", room: 5 }]) {
        assertError(await call("POST", path, body), 400, `${path} ${JSON.stringify(body)}`);
      }
    }

    assertError(await call("POST", "/emit", { event: "x", namespace: "/nope" }), 404, "emit unknown namespace");
    assertError(await call("POST", "/emit-with-ack", { event: "x", namespace: "/nope" }), 404, "emit-with-ack unknown namespace");
    assertError(await call("POST", "/sockets/join", { join: "a", namespace: "/nope" }), 404, "join unknown namespace");
    assertError(await call("POST", "/disconnect", { namespace: "/admin" }), 404, "disconnect unknown namespace");
    assertError(await call("GET", "/sockets?namespace=/nope"), 404, "sockets unknown namespace");
    assertError(await call("GET", "/server-count?namespace=/nope"), 404, "server-count unknown namespace");
    assertError(await call("GET", "/peers?namespace=/nope"), 404, "peers unknown namespace");

    // Several times: the 413 goes out while the client is still sending, and closing with its
    // bytes unread used to reset the connection before the answer was read (most tries).
    const big = JSON.stringify({ event: "x", data: "a".repeat(2 * 1024 * 1024) });
    for (let i = 0; i < 10; i++) {
      const r = await call("POST", "/emit", big).catch((e) => ({ status: "reset", error: e }));
      if (r.status !== "reset") assertError(r, 413, `oversize body, try ${i}`);
      else assert.fail(`oversize body, try ${i}: connection reset without a 413 (${r.error})`);
    }
    // Just under 1 MiB is accepted.
    const ok = await call("POST", "/emit", JSON.stringify({ event: "x", data: "a".repeat(1024 * 1024 - 100) }));
    assert.equal(ok.status, 200, ok.text);
  });
});

describe("emit", () => {
  test("POST /emit: data, args, no payload; room, except, namespace; binary-free JSON arguments", async () => {
    const [a, b, c] = await Promise.all([client(), client(), client()]);
    const cu = await client("/custom");
    await ack(a, "join", ["red", "both"]);
    await ack(b, "join", ["blue", "both"]);
    const box = inbox([a, b, c, cu], "news");

    assert.deepEqual((await call("POST", "/emit", { event: "news", data: { n: 1 }, room: "red" })).body, { ok: true });
    assert.deepEqual((await call("POST", "/emit", { event: "news", args: [2, "two", null], room: ["red", "blue"], except: "red" })).body, { ok: true });
    assert.deepEqual((await call("POST", "/emit", { event: "news", room: "both", except: ["blue"] })).body, { ok: true });
    assert.deepEqual((await call("POST", "/emit", { event: "news", data: "custom-only", namespace: "/custom" })).body, { ok: true });
    assert.deepEqual((await call("POST", "/emit", { event: "news", args: [], room: "blue", local: true })).body, { ok: true });
    await waitUntil(() => box.get(a).length === 2 && box.get(b).length === 2 && box.get(cu).length === 1, { message: "emits delivered" });
    await sleep(200);
    assert.deepEqual(box.get(a), [[{ n: 1 }], []]);
    assert.deepEqual(box.get(b), [[2, "two", null], []]);
    assert.deepEqual(box.get(c), []);
    assert.deepEqual(box.get(cu), [["custom-only"]]);

    // No room: every socket of the namespace.
    const allP = Promise.all([a, b, c].map((s) => once(s, "all")));
    await call("POST", "/emit", { event: "all", data: true });
    assert.deepEqual(await allP, [[true], [true], [true]]);

    // volatile to an idle websocket client is delivered.
    const v = once(c, "vol");
    assert.deepEqual((await call("POST", "/emit", { event: "vol", data: 1, volatile: true, room: c.id })).body, { ok: true });
    assert.deepEqual(await v, [1]);
  });

  test("POST /emit answers once every local client has been written to (the broadcast leaves a slice per loop turn)", async () => {
    // 600 connections are five slices of the server's flush list. The frames are in this
    // process's socket buffers before the answer is written, so by the time the answer is read
    // every client has read its frame (same or earlier poll phase, then one setImmediate).
    const n = 600;
    const raws = await Promise.all(
      Array.from({ length: n }, async () => {
        const c = await rawSio(srv.url);
        assert.equal((await c.connect("/")).type, 0);
        return c;
      }),
    );
    try {
      const got = (c) => c.ws.queue.some((m) => typeof m === "string" && m.startsWith('42["written-first"'));
      const r = await call("POST", "/emit", { event: "written-first", data: 1 });
      assert.equal(r.status, 200, r.text);
      await new Promise((resolve) => setImmediate(resolve));
      const missing = raws.filter((c) => !got(c)).length;
      assert.equal(missing, 0, `${missing} of ${n} clients had not been written to when the answer came`);
    } finally {
      for (const c of raws) c.close();
    }
  });

  test("POST /emit-with-ack collects the first ack argument of every targeted client, or times out", async () => {
    const [a, b, c] = await Promise.all([client("/custom"), client("/custom"), client("/custom")]);
    await ack(a, "join", "acks");
    await ack(b, "join", "acks");
    await ack(c, "join", "acks");
    a.on("ask", (q, cb) => cb(`a:${q}`, "ignored-second-arg"));
    b.on("ask", (q, cb) => cb({ from: "b", q }));
    c.on("ask", (q, cb) => cb(null));

    const r = await call("POST", "/emit-with-ack", { namespace: "/custom", room: "acks", event: "ask", data: 7 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.timedOut, false);
    const sortKey = (x) => JSON.stringify(x);
    assert.deepEqual(r.body.responses.map(sortKey).sort(), ["a:7", { from: "b", q: 7 }, null].map(sortKey).sort());

    // One client does not answer: timedOut with the answers received.
    c.off("ask");
    const t0 = Date.now();
    const t = await call("POST", "/emit-with-ack", { namespace: "/custom", room: "acks", event: "ask", args: [8], timeout: 500 });
    assert.equal(t.status, 200, t.text);
    assert.equal(t.body.timedOut, true);
    assert.ok(Date.now() - t0 >= 400, "answered before the timeout");
    assert.deepEqual(t.body.responses.map(sortKey).sort(), ["a:8", { from: "b", q: 8 }].map(sortKey).sort());

    // except + nobody targeted: immediate empty answer.
    const e = await call("POST", "/emit-with-ack", { namespace: "/custom", room: "acks", except: "acks", event: "ask", timeout: 5000 });
    assert.deepEqual(e.body, { timedOut: false, responses: [] });
    const n = await call("POST", "/emit-with-ack", { room: "nobody-here", event: "ask" });
    assert.deepEqual(n.body, { timedOut: false, responses: [] });
  });
});

describe("sockets, join, leave, disconnect", () => {
  test("GET /sockets: count and sockets sorted by id with sorted rooms (own id included) and data", async () => {
    const ns = "/secure";
    const [a, b, c] = await Promise.all([
      client(ns, { auth: { token: "ok", user: "ann" } }),
      client(ns, { auth: { token: "ok", user: "ben" } }),
      client(ns, { auth: { token: "ok" } }),
    ]);
    await ack(a, "join", ["z-room", "grp"]);
    await ack(b, "join", "grp");
    await ack(c, "join", "other");
    const r = await call("GET", `/sockets?room=grp&namespace=${encodeURIComponent(ns)}`);
    assert.equal(r.status, 200, r.text);
    const expected = [
      { id: a.id, rooms: [a.id, "grp", "z-room"].sort(), data: { instance: "inst-rest", user: "ann" } },
      { id: b.id, rooms: [b.id, "grp"].sort(), data: { instance: "inst-rest", user: "ben" } },
    ].sort((x, y) => (x.id < y.id ? -1 : 1));
    assert.deepEqual(r.body, { count: 2, sockets: expected });

    const union = await call("GET", `/sockets?room=grp&room=other&except=z-room&namespace=${encodeURIComponent(ns)}`);
    assert.deepEqual(union.body.sockets.map((s) => s.id).sort(), [b.id, c.id].sort());
    assert.equal(union.body.count, 2);
    for (let i = 1; i < union.body.sockets.length; i++) assert.ok(union.body.sockets[i - 1].id < union.body.sockets[i].id);

    const allSecure = await call("GET", `/sockets?namespace=${encodeURIComponent(ns)}`);
    assert.ok(allSecure.body.count >= 3);
    assert.equal(allSecure.body.count, allSecure.body.sockets.length);
    const none = await call("GET", "/sockets?room=empty-room");
    assert.deepEqual(none.body, { count: 0, sockets: [] });
  });

  test("POST /sockets/join and /sockets/leave change rooms of the targeted sockets only", async () => {
    const [a, b] = await Promise.all([client("/custom"), client("/custom")]);
    await ack(a, "join", "src");
    assert.deepEqual((await call("POST", "/sockets/join", { namespace: "/custom", room: "src", join: ["j1", "j2"] })).body, { ok: true });
    assert.deepEqual((await ack1(a, "whoami")).rooms, ["j1", "j2", "src"]);
    assert.deepEqual((await ack1(b, "whoami")).rooms, []);
    assert.deepEqual((await call("POST", "/sockets/join", { namespace: "/custom", room: b.id, join: "single" })).body, { ok: true });
    assert.deepEqual((await ack1(b, "whoami")).rooms, ["single"]);
    assert.deepEqual((await call("POST", "/sockets/leave", { namespace: "/custom", room: "src", leave: "j1" })).body, { ok: true });
    assert.deepEqual((await ack1(a, "whoami")).rooms, ["j2", "src"]);
    assert.deepEqual((await call("POST", "/sockets/leave", { namespace: "/custom", leave: ["j2", "single"], except: "src", local: true })).body, { ok: true });
    assert.deepEqual((await ack1(a, "whoami")).rooms, ["j2", "src"]);
    assert.deepEqual((await ack1(b, "whoami")).rooms, []);
  });

  test("POST /disconnect disconnects targeted sockets; close:true closes their whole connection", async () => {
    const [a, b] = await Promise.all([client(), client()]);
    await ack(a, "join", "bye");
    const aId = a.id;
    const d = once(a, "disconnect");
    assert.deepEqual((await call("POST", "/disconnect", { room: "bye" })).body, { ok: true });
    assert.equal((await d)[0], "io server disconnect");
    assert.ok(b.connected);
    const reason = await waitUntil(async () => {
      const r = await call("GET", `/disconnect-reason?id=${aId}`);
      return r.status === 200 && r.body.reason;
    });
    assert.equal(reason, "server namespace disconnect");

    // close:true — the /custom socket of the same connection goes too.
    const { Manager } = await import("socket.io-client");
    const m = new Manager(srv.url, { transports: ["websocket"], reconnection: false, forceNew: true });
    const root = m.socket("/");
    const custom = m.socket("/custom");
    try {
      await Promise.all([once(root, "connect"), once(custom, "connect")]);
      await ack(root, "join", "close-me");
      const rootId = root.id;
      const [d1, d2] = [once(root, "disconnect"), once(custom, "disconnect")];
      assert.deepEqual((await call("POST", "/disconnect", { room: "close-me", close: true })).body, { ok: true });
      await Promise.all([d1, d2]);
      assert.equal((await call("GET", `/disconnect-reason?id=${rootId}`)).body.reason, "server namespace disconnect");
      assert.ok(b.connected);
    } finally {
      m.engine?.close();
    }
    assertError(await call("POST", "/disconnect", { close: "yes" }), 400, "close must be a boolean");
  });

  test("GET /disconnect-reason: {id, namespace, reason}, 404 when unknown, 400 without id", async () => {
    const s = await client("/custom");
    const id = s.id;
    s.disconnect();
    const r = await waitUntil(async () => {
      const x = await call("GET", `/disconnect-reason?id=${id}&namespace=/custom`);
      return x.status === 200 && x;
    });
    assert.deepEqual(r.body, { id, namespace: "/custom", reason: "client namespace disconnect" });
    assertError(await call("GET", "/disconnect-reason?id=unknown-id-000000000"), 404, "unknown id");
    assertError(await call("GET", "/disconnect-reason"), 400, "missing id");
  });
});

describe("cluster endpoints, standalone", () => {
  test("GET /peers answers no peers; GET /server-count answers 1", async () => {
    for (const q of ["", "?namespace=/custom", "?namespace=/secure"]) {
      assert.deepEqual((await call("GET", `/peers${q}`)).body, { timedOut: false, responses: [] });
      assert.deepEqual((await call("GET", `/server-count${q}`)).body, { count: 1 });
    }
  });

  test("POST /server-side-emit is a no-op for local clients and answers {ok:true}", async () => {
    const s = await client();
    let got = false;
    s.on("relayed", () => (got = true));
    s.on("contract:relay", () => (got = true));
    assert.deepEqual((await call("POST", "/server-side-emit", { event: "relayed", data: 1 })).body, { ok: true });
    assert.deepEqual((await call("POST", "/server-side-emit", { event: "relayed", args: [1, 2], room: "r", namespace: "/custom" })).body, { ok: true });
    await sleep(300);
    assert.equal(got, false, "standalone server-side-emit reaches no local client");
  });
});

describe("ack timeouts, local, volatile, content type", () => {
  test("POST /emit-with-ack: default timeout is 2000 ms", async () => {
    const s = await client("/custom");
    await ack(s, "join", "silent-default");
    s.on("never-acked", () => {}); // receives the event, never calls the ack
    const t0 = Date.now();
    const r = await call("POST", "/emit-with-ack", { namespace: "/custom", room: "silent-default", event: "never-acked" });
    const ms = Date.now() - t0;
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { timedOut: true, responses: [] });
    assert.ok(ms >= 1500, `answered after ${ms} ms: the default timeout is 2000 ms`);
    assert.ok(ms < 4500, `answered after ${ms} ms: the default timeout is 2000 ms`);
  });

  test("POST /emit-with-ack: timeout above 30000 is accepted (capped), huge values do not overflow; invalid ones are 400", async () => {
    const s = await client("/custom");
    await ack(s, "join", "slow-acker");
    s.on("late", (v, cb) => setTimeout(() => cb(`late:${v}`), 300));
    for (const timeout of [30000, 60000, 1e12, 1e300]) {
      const r = await call("POST", "/emit-with-ack", { namespace: "/custom", room: "slow-acker", event: "late", data: 1, timeout });
      assert.equal(r.status, 200, `timeout ${timeout}: ${r.text}`);
      assert.deepEqual(r.body, { timedOut: false, responses: ["late:1"] }, `timeout ${timeout}`);
    }
    for (const timeout of [0, -1, "1000", true, [1000], { ms: 1 }]) {
      assertError(await call("POST", "/emit-with-ack", { room: "slow-acker", event: "late", timeout }), 400, `timeout ${JSON.stringify(timeout)}`);
    }
  });

  test("local:true on /sockets/join, /sockets/leave and /disconnect is accepted and applied standalone; non-boolean local is 400", async () => {
    const [a, b] = await Promise.all([client("/custom"), client("/custom")]);
    await ack(a, "join", "loc-src");
    assert.deepEqual((await call("POST", "/sockets/join", { namespace: "/custom", room: "loc-src", join: ["loc-1", "loc-2"], local: true })).body, { ok: true });
    assert.deepEqual((await ack1(a, "whoami")).rooms, ["loc-1", "loc-2", "loc-src"]);
    assert.deepEqual((await ack1(b, "whoami")).rooms, []);
    assert.deepEqual((await call("POST", "/sockets/leave", { namespace: "/custom", room: "loc-src", leave: "loc-1", local: true })).body, { ok: true });
    assert.deepEqual((await ack1(a, "whoami")).rooms, ["loc-2", "loc-src"]);
    assert.deepEqual((await call("POST", "/sockets/join", { namespace: "/custom", room: "loc-src", join: "loc-3", local: false })).body, { ok: true });
    assert.deepEqual((await ack1(a, "whoami")).rooms, ["loc-2", "loc-3", "loc-src"]);

    const aId = a.id;
    const d = once(a, "disconnect");
    assert.deepEqual((await call("POST", "/disconnect", { namespace: "/custom", room: "loc-src", local: true })).body, { ok: true });
    assert.equal((await d)[0], "io server disconnect");
    assert.equal((await call("GET", `/disconnect-reason?id=${aId}&namespace=/custom`)).body.reason, "server namespace disconnect");
    assert.ok(b.connected, "only the targeted socket is disconnected");
    assert.deepEqual(await ack(b, "ack", "alive"), ["alive"]);

    for (const [path, body] of [
      ["/sockets/join", { join: "x", local: "yes" }],
      ["/sockets/leave", { leave: "x", local: 1 }],
      ["/disconnect", { room: "nobody", local: "true" }],
      ["/emit", { event: "x", local: {} }],
    ]) {
      assertError(await call("POST", path, body), 400, `${path} ${JSON.stringify(body)}`);
    }
  });

  test("POST /emit volatile:true to a polling client with no GET pending is dropped; the normal emit after it arrives", async () => {
    const { sid } = await pollHandshake(srv.url);
    const p = new Poller(srv.url, sid);
    await p.send("40");
    const seen = await p.until((x) => typeof x === "string" && x.startsWith('42["auth"'));
    const sioId = JSON.parse(seen.find((x) => typeof x === "string" && x.startsWith("40{")).slice(2)).sid;
    // No GET is held now.
    assert.deepEqual((await call("POST", "/emit", { room: sioId, event: "vol", data: 1, volatile: true })).body, { ok: true });
    assert.deepEqual((await call("POST", "/emit", { room: sioId, event: "normal", data: 2 })).body, { ok: true });
    const got = await p.until((x) => x === '42["normal",2]');
    assert.deepEqual(got.filter((x) => typeof x === "string" && x.startsWith('42["vol"')), [], "volatile packet must be dropped");
    await p.send("1");
  });

  test("successful answers are JSON (Content-Type: application/json)", async () => {
    for (const [method, path, body] of [
      ["GET", "/info"], ["POST", "/emit", { event: "ct" }], ["POST", "/emit-with-ack", { event: "ct", room: "nobody" }], ["GET", "/sockets"],
      ["POST", "/sockets/join", { join: "ct", room: "nobody" }], ["POST", "/sockets/leave", { leave: "ct" }], ["POST", "/disconnect", { room: "nobody" }],
      ["POST", "/server-side-emit", { event: "ct" }], ["GET", "/peers"], ["GET", "/server-count"],
    ]) {
      const r = await call(method, path, body);
      assert.equal(r.status, 200, `${method} ${path}: ${r.text}`);
      assert.match(String(r.headers["content-type"]), /^application\/json/, `${method} ${path}`);
      assert.ok(r.body && typeof r.body === "object", `${method} ${path}: ${r.text}`);
    }
  });
});

// The 30000 ms cap itself, for POST /emit-with-ack and the request-ack event. Takes 30 s of
// wall time (mostly waiting), which the parallel runner overlaps with the other files.
test("timeout 60000 is capped at 30000 ms (POST /emit-with-ack and request-ack)", async () => {
  const s = await client("/custom");
  await ack(s, "join", "cap-30s");
  s.on("never-acked", () => {});
  const t0 = Date.now();
  const viaEvent = new Promise((resolve, reject) => {
    s.timeout(45000).emit("request-ack", { event: "never-acked", timeout: 60000 }, (err, res) => (err ? reject(err) : resolve([res, Date.now() - t0])));
  });
  const r = await call("POST", "/emit-with-ack", { namespace: "/custom", room: "cap-30s", event: "never-acked", timeout: 60000 }, { timeout: 45000 });
  const restMs = Date.now() - t0;
  assert.deepEqual(r.body, { timedOut: true, responses: [] });
  assert.ok(restMs >= 29000 && restMs < 36000, `REST answered after ${restMs} ms`);
  const [res, eventMs] = await viaEvent;
  assert.deepEqual(res, { timedOut: true, args: [] });
  assert.ok(eventMs >= 29000 && eventMs < 36000, `request-ack answered after ${eventMs} ms`);
});
