// docs/contract.md §2.3 events/acks/binary and §4 application events, with the official client over
// polling only, websocket only and polling→websocket upgrade.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { connectClient, ack, ack1, once, sleep, waitUntil, api, TRANSPORT_MODES, rawSio, withTimeout } from "./lib/util.mjs";

let srv;
let info;
before(async () => {
  srv = await startServer({ CONNECTION_STATE_RECOVERY: "0", INSTANCE_ID: "inst-events" });
  info = (await api(srv.url, "GET", "/info")).body;
});
after(() => srv?.stop());

const bin = (...bytes) => Buffer.from(bytes);
const DEEP = () => ({
  a: bin(1, 2, 3),
  list: [bin(4), "x", { deeper: [null, { buf: bin(5, 6), n: 7 }] }],
  s: "text",
});
const ERROR_SHAPE = (v) => v && typeof v === "object" && typeof v.error === "string" && v.error.length > 0 && Object.keys(v).length === 1;

/** Normalises received binary (Buffer / ArrayBuffer) to Buffer, recursively. */
function norm(v) {
  if (Buffer.isBuffer(v)) return Buffer.from(v);
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
}

for (const mode of Object.keys(TRANSPORT_MODES)) {
  describe(`official client, ${mode}`, () => {
    const clients = [];
    const connect = async (nsp = "/", opts = {}) => {
      const s = await connectClient(srv.url, nsp, { mode, ...opts });
      clients.push(s);
      return s;
    };
    after(() => {
      for (const c of clients) c.disconnect();
    });

    test("message → message-back with the same arguments", async () => {
      const s = await connect();
      const args = ["str", 42, 1.5, null, true, { nested: { arr: [1, "two", { three: 3 }] } }, ["x"], "üñí\u0000\u001e\n"];
      const p = once(s, "message-back");
      s.emit("message", ...args);
      assert.deepEqual(await p, args);
      const p2 = once(s, "message-back");
      s.emit("message");
      assert.deepEqual(await p2, []);
    });

    test("message-with-ack and ack acknowledge with all the arguments", async () => {
      const s = await connect("/custom");
      assert.deepEqual(await ack(s, "message-with-ack", 1, "a", { b: [2] }), [1, "a", { b: [2] }]);
      assert.deepEqual(await ack(s, "ack", "x", null, [1, 2]), ["x", null, [1, 2]]);
      assert.deepEqual(await ack(s, "ack"), []);
    });

    test("echo returns binary at any depth (client→server→client) and does not call a supplied ack", async () => {
      const s = await connect("/secure", { auth: { token: "ok" } });
      let acked = false;
      const p = once(s, "echo");
      s.emit("echo", bin(0, 255), DEEP(), "plain", () => (acked = true));
      const got = norm(await p);
      assert.deepEqual(got, [bin(0, 255), DEEP(), "plain"]);
      await sleep(300);
      assert.equal(acked, false, "echo must not call the ack");
    });

    test("binary acknowledgements at depth (server→client BINARY_ACK)", async () => {
      const s = await connect();
      const got = norm(await ack(s, "ack", DEEP(), bin(9), [bin(), bin(1, 1)]));
      assert.deepEqual(got, [DEEP(), bin(9), [bin(), bin(1, 1)]]);
    });

    test("many acknowledgements in flight are matched exactly", async () => {
      const s = await connect();
      const N = 200;
      const results = await Promise.all(
        Array.from({ length: N }, (_, i) => ack(s, i % 2 ? "ack" : "message-with-ack", i, `v${i}`)),
      );
      results.forEach((r, i) => assert.deepEqual(r, [i, `v${i}`]));
    });

    test("an event without a handler is not acknowledged and does not disconnect", async () => {
      const s = await connect();
      let called = false;
      s.emit("no-such-event", 1, () => (called = true));
      await sleep(400);
      assert.equal(called, false);
      assert.ok(s.connected);
      assert.deepEqual(await ack(s, "ack", "ok"), ["ok"]);
    });

    test("whoami reports id, nsp, instance, engineId, transport, auth, query, rooms, recovered, data", async () => {
      const auth = { user: "carol", token: "ok", extra: [1] };
      const s = await connect("/secure", { auth, query: { foo: "bar", n: "1" } });
      const w = await ack1(s, "whoami");
      assert.equal(w.id, s.id);
      assert.equal(w.nsp, "/secure");
      assert.equal(w.instance, "inst-events");
      assert.equal(w.instance, info.instance);
      assert.equal(w.engineId, s.io.engine.id);
      assert.equal(w.transport, mode === "polling" ? "polling" : "websocket");
      assert.deepEqual(w.auth, auth);
      assert.equal(w.query.foo, "bar");
      assert.equal(w.query.n, "1");
      assert.deepEqual(w.rooms, []);
      assert.equal(w.recovered, false);
      assert.deepEqual(w.data, { instance: "inst-events", user: "carol" });
      const s2 = await connect("/", { auth: { user: 12 } });
      assert.deepEqual((await ack1(s2, "whoami")).data, { instance: "inst-events", user: null });
    });

    test("join/leave acknowledge all rooms sorted without the socket id; invalid input answers {error}", async () => {
      const s = await connect();
      assert.deepEqual(await ack(s, "join", "b-room"), [{ rooms: ["b-room"] }]);
      assert.deepEqual(await ack(s, "join", ["c-room", "a-room", "b-room"]), [{ rooms: ["a-room", "b-room", "c-room"] }]);
      assert.deepEqual(await ack(s, "leave", "b-room"), [{ rooms: ["a-room", "c-room"] }]);
      assert.deepEqual(await ack(s, "leave", ["a-room", "not-joined"]), [{ rooms: ["c-room"] }]);
      assert.deepEqual((await ack1(s, "whoami")).rooms, ["c-room"]);
      for (const bad of [42, "", [1], ["ok", ""], null, { room: "x" }]) {
        assert.ok(ERROR_SHAPE(await ack1(s, "join", bad)), `join ${JSON.stringify(bad)}`);
        assert.ok(ERROR_SHAPE(await ack1(s, "leave", bad)), `leave ${JSON.stringify(bad)}`);
      }
      s.emit("join", 42); // invalid without ack: ignored
      s.emit("join", "no-ack-room"); // valid without ack
      await waitUntil(async () => (await ack1(s, "whoami")).rooms.includes("no-ack-room"), { message: "join without ack" });
      assert.ok(s.connected);
    });

    test("room-emit broadcasts to room/except, never to the sender; invalid input answers {error}", async () => {
      const [a, b, c, d] = await Promise.all([connect(), connect(), connect(), connect()]);
      await ack(a, "join", "r1");
      await ack(b, "join", ["r1", "vip"]);
      await ack(c, "join", "r1");
      const inbox = new Map([a, b, c, d].map((s) => [s, []]));
      for (const s of [a, b, c, d]) s.on("hello", (...args) => inbox.get(s).push(norm(args)));

      assert.deepEqual(await ack(a, "room-emit", { event: "hello", args: [1, { x: bin(2) }], room: "r1" }), [{ ok: true }]);
      await waitUntil(() => inbox.get(b).length && inbox.get(c).length, { message: "room broadcast" });
      assert.deepEqual(inbox.get(b), [[1, { x: bin(2) }]]);
      assert.deepEqual(inbox.get(c), [[1, { x: bin(2) }]]);

      assert.deepEqual(await ack(a, "room-emit", { event: "hello", args: ["2nd"], room: "r1", except: "vip" }), [{ ok: true }]);
      await waitUntil(() => inbox.get(c).length === 2, { message: "except broadcast" });

      // No room: every other socket of the namespace (d included). Other tests' sockets of the
      // same namespace may receive it too; only a..d are checked.
      assert.deepEqual(await ack(a, "room-emit", { event: "hello" }), [{ ok: true }]);
      await waitUntil(() => inbox.get(d).length === 1 && inbox.get(b).length === 2 && inbox.get(c).length === 3, { message: "namespace broadcast" });
      await sleep(200);
      assert.deepEqual(inbox.get(a), [], "the sender never receives its own room-emit");
      assert.deepEqual(inbox.get(b), [[1, { x: bin(2) }], []]);
      assert.deepEqual(inbox.get(c), [[1, { x: bin(2) }], ["2nd"], []]);
      assert.deepEqual(inbox.get(d), [[]]);

      for (const bad of [
        undefined,
        "hello",
        { args: [1] },
        { event: "" },
        { event: 5 },
        { event: "disconnect" },
        { event: "connect" },
        { event: "hello", args: "notarray" },
        { event: "hello", room: 5 },
        { event: "hello", room: "" },
        { event: "hello", except: [3] },
      ]) {
        assert.ok(ERROR_SHAPE(await ack1(a, "room-emit", bad)), `room-emit ${JSON.stringify(bad)}`);
      }
      await sleep(100);
      assert.deepEqual(inbox.get(d), [[]], "invalid room-emit must not broadcast");
      assert.ok(a.connected);
    });

    test("request-ack: server emits with an ack and reports the client's answer or a timeout", async () => {
      const s = await connect("/custom");
      s.on("question", (x, y, cb) => cb(x + y, "sum", bin(7)));
      s.on("silent", () => {});
      const r = norm(await ack1(s, "request-ack", { event: "question", args: [2, 3] }));
      assert.deepEqual(r, { timedOut: false, args: [5, "sum", bin(7)] });
      const t = await ack1(s, "request-ack", { event: "silent", args: [1], timeout: 300 });
      assert.deepEqual(t, { timedOut: true, args: [] });
      s.on("noargs", (cb) => cb());
      assert.deepEqual(await ack1(s, "request-ack", { event: "noargs" }), { timedOut: false, args: [] });
      for (const bad of [{}, { event: "" }, { event: "disconnect" }, { event: "question", args: 5 }, { event: "question", timeout: "x" }, 7]) {
        assert.ok(ERROR_SHAPE(await ack1(s, "request-ack", bad)), `request-ack ${JSON.stringify(bad)}`);
      }
      assert.ok(s.connected);
    });

    test("volatile-burst: volatile events in order without duplicates, then <event>:done with count", async () => {
      const s = await connect();
      const got = [];
      s.on("volatile", (i) => got.push(i));
      const done = once(s, "volatile:done");
      assert.deepEqual(await ack(s, "volatile-burst", { count: 50 }), [{ ok: true }]);
      assert.deepEqual(await done, [50]);
      await sleep(100);
      for (let i = 1; i < got.length; i++) assert.ok(got[i] > got[i - 1], `reordered or duplicated: ${got}`);
      assert.ok(got.every((i) => Number.isInteger(i) && i >= 0 && i < 50));
      if (mode !== "polling") assert.ok(got.length > 0, "an idle websocket is writable: some volatile packets must arrive");

      const custom = [];
      s.on("tick", (i) => custom.push(i));
      const done2 = once(s, "tick:done");
      s.emit("volatile-burst", { event: "tick", count: 3 }); // no ack: still runs
      assert.deepEqual(await done2, [3]);

      for (const bad of [{}, { count: -1 }, { count: "5" }, { count: 1.5 }, { event: "disconnect", count: 1 }, { event: "", count: 1 }, null]) {
        assert.ok(ERROR_SHAPE(await ack1(s, "volatile-burst", bad)), `volatile-burst ${JSON.stringify(bad)}`);
      }
      assert.ok(s.connected);
    });

    test("disconnect-me disconnects the socket (io server disconnect); recorded as server namespace disconnect", async () => {
      const s = await connect("/custom");
      const id = s.id;
      const p = once(s, "disconnect");
      s.emit("disconnect-me");
      assert.equal((await p)[0], "io server disconnect");
      const r = await waitUntil(async () => {
        const res = await api(srv.url, "GET", `/disconnect-reason?id=${id}&namespace=/custom`);
        return res.status === 200 && res.body;
      }, { message: "reason" });
      assert.deepEqual(r, { id, namespace: "/custom", reason: "server namespace disconnect" });
    });
  });
}

test("volatile-burst count is capped at 10000", async () => {
  const s = await connectClient(srv.url, "/", { mode: "websocket" });
  try {
    let n = 0;
    s.on("cap", () => n++);
    const done = once(s, "cap:done", 20000);
    s.emit("volatile-burst", { event: "cap", count: 50000 });
    assert.deepEqual(await done, [10000]);
    assert.ok(n <= 10000);
  } finally {
    s.disconnect();
  }
});

test("raw: acks use the client's id; output JSON escapes control characters", async () => {
  const c = await rawSio(srv.url);
  try {
    await c.connect("/");
    c.send('4217["ack","a\\u001eb"]');
    const a = await c.nextPacket((p) => p.type === 3);
    assert.equal(a.raw, '4317["a\\u001eb"]');
    const nsAns = await c.connect("/custom");
    assert.equal(nsAns.type, 0);
    c.send('42/custom,9["ack",1]');
    assert.equal((await c.nextPacket((p) => p.type === 3 && p.nsp === "/custom")).raw, "43/custom,9[1]");
    c.send('451-3["ack",{"_placeholder":true,"num":0}]');
    c.send(Buffer.from([1, 2]));
    const b = await c.nextPacket((p) => p.type === 6);
    assert.equal(b.raw, '461-3[{"_placeholder":true,"num":0}]');
    assert.deepEqual(await c.ws.next(2000, (m) => Buffer.isBuffer(m)), Buffer.from([1, 2]));
  } finally {
    c.close();
  }
});

// Every C0 control character, DEL, U+2028/U+2029, quotes and backslashes.
const CONTROL = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join("") + "\u007f\u2028\u2029\"\\/";

for (const mode of ["polling", "websocket"]) {
  test(`${mode}: message and echo round-trip strings with control characters (\\u001e included)`, async () => {
    const s = await connectClient(srv.url, "/", { mode });
    try {
      const args = [CONTROL, { [CONTROL]: [CONTROL, `a\u001eb`] }, "\u001e", "4\u001e42[\"x\"]", "b\u001e"];
      const back = once(s, "message-back");
      s.emit("message", ...args);
      assert.deepEqual(await back, args);
      const echo = once(s, "echo");
      s.emit("echo", ...args, Buffer.from([0x1e]));
      assert.deepEqual(norm(await echo), [...args, Buffer.from([0x1e])]);
      // The connection is intact afterwards (a raw \x1e in a polling payload would split packets).
      assert.deepEqual(await ack(s, "ack", "after"), ["after"]);
      assert.ok(s.connected);
    } finally {
      s.disconnect();
    }
  });
}

test("raw websocket: every control character is JSON-escaped on output", async () => {
  const c = await rawSio(srv.url);
  try {
    await c.connect("/");
    c.send(`42${JSON.stringify(["message", CONTROL])}`);
    const back = await c.nextPacket((p) => p.type === 2 && p.data[0] === "message-back");
    assert.deepEqual(back.data, ["message-back", CONTROL]);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(back.raw, /[\u0000-\u001f]/, `raw control character in ${JSON.stringify(back.raw)}`);
  } finally {
    c.close();
  }
});

test("request-ack: default timeout is 2000 ms; timeouts above 30000 are accepted (capped); invalid ones answer {error}", async () => {
  const s = await connectClient(srv.url, "/", { mode: "websocket" });
  try {
    s.on("never", () => {});
    const t0 = Date.now();
    const r = await new Promise((resolve, reject) => {
      s.timeout(10000).emit("request-ack", { event: "never" }, (err, res) => (err ? reject(err) : resolve(res)));
    });
    const ms = Date.now() - t0;
    assert.deepEqual(r, { timedOut: true, args: [] });
    assert.ok(ms >= 1500 && ms < 4500, `answered after ${ms} ms: the default timeout is 2000 ms`);

    s.on("late", (v, cb) => setTimeout(() => cb(v), 300));
    for (const timeout of [30000, 60000, 1e12, 1e300]) {
      assert.deepEqual(await ack1(s, "request-ack", { event: "late", args: [timeout], timeout }), { timedOut: false, args: [timeout] }, `timeout ${timeout}`);
    }
    for (const timeout of [0, -5, "2000", true, [1]]) {
      assert.ok(ERROR_SHAPE(await ack1(s, "request-ack", { event: "late", args: [1], timeout })), `timeout ${JSON.stringify(timeout)}`);
    }
    assert.ok(s.connected);
  } finally {
    s.disconnect();
  }
});

test("websocket volatile-burst of 10000 while writes are in flight: some dropped, the rest in order, no duplicates, :done last", async () => {
  const s = await connectClient(srv.url, "/", { mode: "websocket" });
  try {
    const got = [];
    let doneAt = -1;
    s.on("vb", (i) => got.push(i));
    const done = new Promise((resolve) => s.once("vb:done", (n) => { doneAt = got.length; resolve(n); }));
    // Let the writes of the connection (CONNECT answer, auth greeting, this ack) complete first.
    assert.deepEqual(await ack(s, "ack", "idle"), ["idle"]);
    await sleep(150);
    assert.deepEqual(await ack(s, "volatile-burst", { event: "vb", count: 10000 }), [{ ok: true }]);
    assert.equal(await withTimeout(done, 15000, "vb:done"), 10000);
    await sleep(200);
    assert.ok(got.length > 0, `the first volatile packet finds an idle transport and must be delivered (got ${got.length})`);
    assert.equal(got[0], 0, `the first volatile packet is written at once (got ${got.slice(0, 5)})`);
    assert.ok(got.length < 10000, "volatile packets emitted while a write is in progress must be dropped (all 10000 arrived)");
    for (let i = 1; i < got.length; i++) assert.ok(got[i] > got[i - 1], `reordered or duplicated at ${i}: ${got.slice(Math.max(0, i - 3), i + 3)}`);
    assert.ok(got.every((i) => Number.isInteger(i) && i >= 0 && i < 10000));
    assert.equal(doneAt, got.length, "no volatile packet after :done");
    assert.deepEqual(await ack(s, "ack", "after-burst"), ["after-burst"]);
  } finally {
    s.disconnect();
  }
});

test("acknowledgement ids are per socket: the same id in flight on / and /custom of one connection", async () => {
  const c = await rawSio(srv.url);
  try {
    await c.connect("/");
    await c.connect("/custom");
    c.send('425["ack","root"]');
    c.send('42/custom,5["ack","custom"]');
    c.send('426["message-with-ack","root6"]');
    c.send('42/custom,6["message-with-ack","custom6"]');
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await c.nextPacket((p) => p.type === 3)).raw);
    assert.deepEqual(answers.sort(), ['435["root"]', '436["root6"]', '43/custom,5["custom"]', '43/custom,6["custom6"]'].sort());
  } finally {
    c.close();
  }
});
