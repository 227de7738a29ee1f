// docs/contract.md §5/§6 with sharded instances: two sio-server instances A and B, each running
// THREADS=2 event loops (shards), plus a Node reference peer N, over one private Redis.
//
// In a sharded process loop 0 holds the Redis connections and the RedisAdapter of each namespace;
// loop 1 posts the cluster part of every operation (publish, broadcast-with-ack, fetchSockets,
// remote join/leave/disconnect, serverSideEmit, serverCount) to loop 0 and gets the answers back,
// and everything arriving from Redis is fanned out from loop 0 to every loop. Each test pins its
// REST requests and its clients to a known loop and fails when one of those cross-loop paths breaks.
//
// Which loop serves a request is made explicit (as in tests/interop/shards.test.mjs): a keep-alive
// agent owning exactly one TCP connection makes an Engine.IO handshake on it (a request without
// sid is served by the loop that accepted the connection) and the first character of the new sid
// tells the loop (base64url index % THREADS). The REST calls and the clients' WebSocket upgrades
// then go through that same connection (checked by its local port / by the engineId of whoami).
import { test, describe, before, after, afterEach } from "node:test";
import crypto from "node:crypto";
import assert from "node:assert/strict";
import { Emitter } from "@socket.io/redis-emitter";
import { connectClient, ack, ack1, once, waitUntil, closeAll } from "../interop/lib/util.mjs";
import { startInstance, waitServerCount, record, whoami, isNodeReferenceCommand } from "./lib/cluster.mjs";
import { startRedis } from "./lib/redis.mjs";
import { THREADS, shardOf, openConnection, connectionOn } from "../interop/lib/loops.mjs";

const ENV = { THREADS: String(THREADS) };
const LOOPS = [0, 1];
const other = (loop) => (loop + 1) % THREADS;
const WAIT = 15000; // generous: the machine may be busy
const uniq = (prefix = "x") => `${prefix}-${crypto.randomBytes(4).toString("hex")}`;
const byId = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const sorted = (list) => [...list].sort(byId);
const asBuf = (v) => (Buffer.isBuffer(v) ? v : v instanceof ArrayBuffer ? Buffer.from(v) : ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : null);

// Connections pinned to a loop (tests/interop/lib/loops.mjs): Socket.IO handshakes probe the
// loop and are closed at once; generous timeouts for a busy machine.
const PIN = { path: "/socket.io/", closeProbes: true, timeout: 30000 };

// ---------------------------------------------------------------------------------------------

const skipReason = isNodeReferenceCommand(process.env.SIO_SERVER)
  ? "SIO_SERVER is the Node reference, which has no event-loop shards (THREADS); this file checks the sharded sio-server"
  : false;

describe("sharded instances (THREADS=2) in a cluster with a Node reference peer", { skip: skipReason }, () => {
  let redis;
  let A;
  let B;
  let N;
  const clients = [];
  const conns = [];

  before(async () => {
    redis = await startRedis();
    A = await startInstance("cpp", { redisUrl: redis.url, env: ENV, name: "A threads=2" });
    B = await startInstance("cpp", { redisUrl: redis.url, env: ENV, name: "B threads=2" });
    N = await startInstance("node", { redisUrl: redis.url, name: "N node reference" });
    assert.ok(!A.isNodeReference && !B.isNodeReference, "A and B must be the sharded sio-server");
    assert.ok(N.isNodeReference, "N must be the Node reference");
    await waitServerCount([A, B, N], 3, { timeout: 20000 });
  });

  afterEach(() => {
    closeAll(clients);
    for (const c of conns.splice(0)) c.close();
  });

  after(async () => {
    closeAll(clients);
    for (const c of conns.splice(0)) c.close();
    await Promise.all([A, B, N].filter(Boolean).map((i) => i.stop()));
    await redis?.stop();
  });

  /** Keep-alive REST connection to `inst` verified to be served by `loop` (closed after the test). */
  async function restOn(inst, loop) {
    const c = await connectionOn(inst, loop, PIN);
    conns.push(c);
    return c;
  }

  /** An official websocket client whose connection was accepted by `loop` of `inst` (checked with whoami). */
  async function clientOn(inst, loop, nsp = "/", opts = {}) {
    const c = await connectionOn(inst, loop, PIN);
    try {
      const s = await connectClient(inst.url, nsp, { mode: "websocket", agent: c.agent, timeout: WAIT, ...opts });
      clients.push(s);
      const who = await ack1(s, "whoami");
      assert.equal(who.engineId, s.io.engine.id);
      assert.equal(who.instance, inst.id);
      assert.equal(shardOf(who.engineId), loop, `engine id ${who.engineId} of a connection accepted by loop ${loop} of ${inst.id}`);
      assert.equal(shardOf(s.id), loop, `socket id ${s.id} made on loop ${loop} of ${inst.id}`);
      s.loop = loop;
      s.sid0 = s.id; // socket.id is unset once disconnected
      s.inst = inst;
      s.label = `${inst === A ? "A" : "B"}/loop${loop}/${s.id}`;
      return s;
    } finally {
      c.close(); // frees the agent; the upgraded socket belongs to the client now
    }
  }

  /** An official websocket client of the Node peer. */
  async function clientOfNode(nsp = "/", opts = {}) {
    const s = await connectClient(N.url, nsp, { mode: "websocket", timeout: WAIT, ...opts });
    clients.push(s);
    assert.equal((await ack1(s, "whoami")).instance, N.id);
    s.sid0 = s.id;
    s.inst = N;
    s.label = `N/${s.id}`;
    return s;
  }

  /**
   * Clients spread over the cluster: two on each loop of A (a0, a0b, a1, a1b), one on each loop
   * of B (b0, b1), two on the Node peer (n, nb).
   */
  async function spread(nsp = "/") {
    const f = {};
    f.a0 = await clientOn(A, 0, nsp);
    f.a0b = await clientOn(A, 0, nsp);
    f.a1 = await clientOn(A, 1, nsp);
    f.a1b = await clientOn(A, 1, nsp);
    f.b0 = await clientOn(B, 0, nsp);
    f.b1 = await clientOn(B, 1, nsp);
    f.n = await clientOfNode(nsp);
    f.nb = await clientOfNode(nsp);
    f.onA = [f.a0, f.a0b, f.a1, f.a1b];
    f.all = [...f.onA, f.b0, f.b1, f.n, f.nb];
    f.aLoop = (loop) => (loop === 0 ? f.a0 : f.a1);
    f.aLoopB = (loop) => (loop === 0 ? f.a0b : f.a1b);
    return f;
  }

  async function join(socket, room) {
    const res = await ack1(socket, "join", room);
    assert.ok(res?.rooms, `join failed on ${socket.label}: ${JSON.stringify(res)}`);
    return res;
  }

  /** Records `event` on every socket; returns a Map socket -> recorder. */
  function recordAll(sockets, event) {
    return new Map(sockets.map((s) => [s, record(s, event)]));
  }

  /** Sends a sentinel with `send(token)` and waits until every socket in `sockets` got it on `event`. */
  async function barrierVia(send, sockets, event) {
    const recs = recordAll(sockets, event);
    const token = uniq("bar");
    await send(token);
    await Promise.all([...recs.entries()].map(([s, r]) => r.next((a) => a[0] === token, WAIT).catch((e) => {
      throw new Error(`barrier ${event} not received by ${s.label}: ${e.message}`);
    })));
    for (const s of sockets) s.off(event);
  }

  /** REST /emit barrier on `conn` (a pinned connection or an instance). */
  function restBarrier(conn, sockets, namespace = "/") {
    return barrierVia(
      async (token) => {
        const r = conn.request ? await conn.api("POST", "/emit", { event: "barrier", data: token, namespace }) : await conn.api("POST", "/emit", { body: { event: "barrier", data: token, namespace } });
        assert.deepEqual(r.body, { ok: true }, r.text);
      },
      sockets,
      "barrier",
    );
  }

  function assertCounts(recs, expected, what) {
    for (const [s, rec] of recs) {
      const want = expected(s);
      assert.equal(rec.count(), want, `${what}: ${s.label} got ${rec.count()} (expected ${want}): ${JSON.stringify(rec.events).slice(0, 300)}`);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 1. REST /emit from either loop of A

  for (const loop of LOOPS) {
    test(`POST /emit served by loop ${loop} of A reaches clients on both loops of A, on B and on the Node peer, once each (everyone, room+except, local, /custom)`, async () => {
      const f = await spread();
      const rest = await restOn(A, loop);

      // Everyone.
      const ev = uniq("all");
      const recs = recordAll(f.all, ev);
      const args = [loop, { x: [1, "two", null] }];
      let r = await rest.api("POST", "/emit", { event: ev, args });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, { ok: true });
      for (const [s, rec] of recs) assert.deepEqual(await rec.next(() => true, WAIT), args, s.label);

      // A room spanning every instance and both loops of A, minus an except room (one client on
      // the loop serving the request, one on B, one on the Node peer).
      const room = uniq("room");
      const ex = uniq("ex");
      for (const s of f.all) await join(s, room);
      for (const s of [f.aLoop(loop), f.b0, f.nb]) await join(s, ex);
      const excluded = new Set([f.aLoop(loop), f.b0, f.nb]);
      const ev2 = uniq("room-ex");
      const recs2 = recordAll(f.all, ev2);
      r = await rest.api("POST", "/emit", { event: ev2, data: "r", room, except: ex });
      assert.deepEqual(r.body, { ok: true }, r.text);
      for (const [s, rec] of recs2) if (!excluded.has(s)) assert.deepEqual(await rec.next(() => true, WAIT), ["r"], s.label);

      // local: true reaches both loops of A (this process) and is not published.
      const evLocal = uniq("local");
      const recsLocal = recordAll(f.all, evLocal);
      r = await rest.api("POST", "/emit", { event: evLocal, data: "l", local: true });
      assert.deepEqual(r.body, { ok: true }, r.text);
      for (const s of f.onA) assert.deepEqual(await recsLocal.get(s).next(() => true, WAIT), ["l"], s.label);

      await restBarrier(rest, f.all);
      assertCounts(recs, () => 1, "emit to everyone");
      assertCounts(recs2, (s) => (excluded.has(s) ? 0 : 1), "emit to room except");
      assertCounts(recsLocal, (s) => (f.onA.includes(s) ? 1 : 0), "local emit (A's loops only)");

      // /custom: clients on both loops of A, on B and on N.
      const custom = [await clientOn(A, 0, "/custom"), await clientOn(A, 1, "/custom"), await clientOn(B, other(loop), "/custom"), await clientOfNode("/custom")];
      const ev3 = uniq("custom");
      const recs3 = recordAll([...custom, f.a0, f.a1], ev3);
      r = await rest.api("POST", "/emit", { event: ev3, data: "c", namespace: "/custom" });
      assert.deepEqual(r.body, { ok: true }, r.text);
      for (const s of custom) assert.deepEqual(await recs3.get(s).next(() => true, WAIT), ["c"], s.label);
      await restBarrier(rest, custom, "/custom");
      await restBarrier(rest, [f.a0, f.a1]);
      assertCounts(recs3, (s) => (custom.includes(s) ? 1 : 0), "/custom emit");
    });
  }

  // ---------------------------------------------------------------------------------------------
  // 1b. socket broadcasts (room-emit) from a client of either loop of A

  for (const loop of LOOPS) {
    test(`room-emit from a client on loop ${loop} of A reaches the room on both loops of A, on B and on the Node peer (binary), sender excluded`, async () => {
      const f = await spread();
      const sender = f.aLoop(loop);
      const room = uniq("room");
      for (const s of f.all) if (s !== f.nb) await join(s, room);
      const members = f.all.filter((s) => s !== f.nb);
      const ev = uniq("rbin");
      const recs = recordAll(f.all, ev);
      const args = [Buffer.from([1, 2, 3]), { deep: [Buffer.from("xyz")] }, "t"];
      assert.deepEqual(await ack1(sender, "room-emit", { event: ev, args, room }), { ok: true });
      for (const s of members) {
        if (s === sender) continue;
        const got = await recs.get(s).next(() => true, WAIT);
        assert.deepEqual(asBuf(got[0]), Buffer.from([1, 2, 3]), s.label);
        assert.deepEqual(asBuf(got[1].deep[0]), Buffer.from("xyz"), s.label);
        assert.equal(got[2], "t", s.label);
      }
      const rest = await restOn(A, loop);
      await restBarrier(rest, f.all);
      assertCounts(recs, (s) => (s === sender || s === f.nb ? 0 : 1), "room-emit");
    });
  }

  // ---------------------------------------------------------------------------------------------
  // 2. Broadcasts published by the Node peer (and by B) reach A's clients on both loops

  test("broadcasts published by the Node peer (REST, client room-emit, except) and by B reach A's clients on both loops, once each", async () => {
    const f = await spread();
    const room = uniq("room");
    for (const s of [f.a0, f.a1, f.b1, f.n]) await join(s, room);

    const evAll = uniq("n-all");
    const evRoom = uniq("n-room");
    const evExcept = uniq("n-except");
    const evClient = uniq("n-client");
    const evB = uniq("b-room");
    const recs = {
      all: recordAll(f.all, evAll),
      room: recordAll(f.all, evRoom),
      except: recordAll(f.all, evExcept),
      client: recordAll(f.all, evClient),
      b: recordAll(f.all, evB),
    };
    let r = await N.api("POST", "/emit", { body: { event: evAll, args: ["from-node", 1] } });
    assert.deepEqual(r.body, { ok: true }, r.text);
    r = await N.api("POST", "/emit", { body: { event: evRoom, data: "room", room } });
    assert.deepEqual(r.body, { ok: true }, r.text);
    // except by socket id: a socket of loop 1 of A excluded by a broadcast coming from the Node peer.
    r = await N.api("POST", "/emit", { body: { event: evExcept, data: "ex", except: [f.a1.sid0, f.a0b.sid0] } });
    assert.deepEqual(r.body, { ok: true }, r.text);
    assert.deepEqual(await ack1(f.n, "room-emit", { event: evClient, args: [Buffer.from("nb"), "c"], room }), { ok: true });
    r = await B.api("POST", "/emit", { body: { event: evB, data: "from-B", room } });
    assert.deepEqual(r.body, { ok: true }, r.text);

    for (const s of f.onA) assert.deepEqual(await recs.all.get(s).next(() => true, WAIT), ["from-node", 1], s.label);
    for (const s of [f.a0, f.a1]) {
      assert.deepEqual(await recs.room.get(s).next(() => true, WAIT), ["room"], s.label);
      const got = await recs.client.get(s).next(() => true, WAIT);
      assert.deepEqual(asBuf(got[0]), Buffer.from("nb"), s.label);
      assert.equal(got[1], "c");
      assert.deepEqual(await recs.b.get(s).next(() => true, WAIT), ["from-B"], s.label);
    }
    for (const s of [f.a0, f.a1b]) assert.deepEqual(await recs.except.get(s).next(() => true, WAIT), ["ex"], s.label);

    // Barriers from both publishers (each publishes in order on its connection).
    await barrierVia(async (token) => assert.equal((await N.api("POST", "/emit", { body: { event: "barrier", data: token } })).status, 200), f.all, "barrier");
    await barrierVia(async (token) => assert.equal((await B.api("POST", "/emit", { body: { event: "barrier", data: token } })).status, 200), f.all, "barrier");
    const inRoom = new Set([f.a0, f.a1, f.b1, f.n]);
    assertCounts(recs.all, () => 1, "Node /emit to everyone");
    assertCounts(recs.room, (s) => (inRoom.has(s) ? 1 : 0), "Node /emit to a room");
    assertCounts(recs.except, (s) => (s === f.a1 || s === f.a0b ? 0 : 1), "Node /emit with except socket ids");
    assertCounts(recs.client, (s) => (inRoom.has(s) && s !== f.n ? 1 : 0), "Node client room-emit");
    assertCounts(recs.b, (s) => (inRoom.has(s) ? 1 : 0), "B /emit to a room");
  });

  // ---------------------------------------------------------------------------------------------
  // 3. fetchSockets, socketsJoin/Leave, disconnectSockets from either loop of A

  for (const loop of LOOPS) {
    test(`GET /sockets served by loop ${loop} of A lists the sockets of both loops of A, of B and of the Node peer (room, except, /custom)`, async () => {
      const f = await spread();
      const room = uniq("room");
      const ex = uniq("ex");
      for (const s of f.all) await join(s, room);
      for (const s of [f.a1b, f.a0b, f.nb]) await join(s, ex);
      const rest = await restOn(A, loop);
      const instanceOf = (s) => s.inst.id;
      const expected = sorted(f.all.map((s) => s.sid0)).map((id) => {
        const s = f.all.find((x) => x.sid0 === id);
        const rooms = [id, room];
        if ([f.a1b, f.a0b, f.nb].includes(s)) rooms.push(ex);
        return { id, rooms: sorted(rooms), data: { instance: instanceOf(s), user: null } };
      });
      let r = await rest.api("GET", `/sockets?room=${room}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, { count: expected.length, sockets: expected }, `GET /sockets?room= from loop ${loop}`);

      r = await rest.api("GET", `/sockets?room=${room}&except=${ex}`);
      assert.deepEqual(
        r.body.sockets.map((s) => s.id),
        sorted(f.all.filter((s) => ![f.a1b, f.a0b, f.nb].includes(s)).map((s) => s.sid0)),
        `GET /sockets?room&except from loop ${loop}`,
      );

      // Without a room: everyone of ours is listed (sockets of earlier tests may still be closing).
      r = await rest.api("GET", "/sockets");
      assert.equal(r.status, 200, r.text);
      const listed = new Set(r.body.sockets.map((s) => s.id));
      for (const s of f.all) assert.ok(listed.has(s.sid0), `${s.label} missing from GET /sockets (loop ${loop}): ${r.text.slice(0, 500)}`);
      assert.equal(r.body.count, r.body.sockets.length);

      // /custom: only the /custom sockets, of every instance and both loops of A.
      const custom = [await clientOn(A, 0, "/custom"), await clientOn(A, 1, "/custom"), await clientOn(B, 0, "/custom"), await clientOfNode("/custom")];
      const croom = uniq("croom");
      for (const s of custom) await join(s, croom);
      await join(f.a0, croom); // a / socket in a room of the same name
      r = await rest.api("GET", `/sockets?namespace=%2Fcustom&room=${croom}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.sockets.map((s) => s.id), sorted(custom.map((s) => s.sid0)), `GET /sockets?namespace=/custom from loop ${loop}`);
      assert.deepEqual(sorted(r.body.sockets.map((s) => s.data.instance)), sorted([A.id, A.id, B.id, N.id]));
    });
  }

  for (const loop of LOOPS) {
    test(`POST /sockets/join, /emit to that room and /sockets/leave served by loop ${loop} of A apply on both loops of A, on B and on the Node peer`, async () => {
      const f = await spread();
      const rest = await restOn(A, loop);
      const picked = [f.a0, f.a1, f.b1, f.n];
      const others = f.all.filter((s) => !picked.includes(s));
      const j = uniq("joined");
      let r = await rest.api("POST", "/sockets/join", { room: picked.map((s) => s.sid0), join: [j, "extra-" + j] });
      assert.deepEqual([r.status, r.body], [200, { ok: true }], r.text);
      for (const s of picked) {
        await waitUntil(async () => (await whoami(s)).rooms.includes(j), { timeout: WAIT, interval: 50, message: `${s.label} joined ${j}` });
      }
      for (const s of picked) assert.deepEqual((await whoami(s)).rooms, sorted([j, "extra-" + j]), s.label);
      for (const s of others) assert.deepEqual((await whoami(s)).rooms, [], s.label);

      r = await rest.api("GET", `/sockets?room=${j}`);
      assert.deepEqual(r.body.sockets.map((s) => s.id), sorted(picked.map((s) => s.sid0)), `GET /sockets?room=${j}`);

      const ev = uniq("to-joined");
      const recs = recordAll(f.all, ev);
      r = await rest.api("POST", "/emit", { event: ev, data: loop, room: j });
      assert.deepEqual(r.body, { ok: true }, r.text);
      for (const s of picked) assert.deepEqual(await recs.get(s).next(() => true, WAIT), [loop], s.label);
      await restBarrier(rest, f.all);
      assertCounts(recs, (s) => (picked.includes(s) ? 1 : 0), "emit to the joined room");

      r = await rest.api("POST", "/sockets/leave", { room: j, leave: [j, "extra-" + j] });
      assert.deepEqual([r.status, r.body], [200, { ok: true }], r.text);
      for (const s of picked) {
        await waitUntil(async () => (await whoami(s)).rooms.length === 0, { timeout: WAIT, interval: 50, message: `${s.label} left ${j}` });
      }
      assert.deepEqual((await rest.api("GET", `/sockets?room=${j}`)).body, { count: 0, sockets: [] });
    });
  }

  for (const loop of LOOPS) {
    test(`POST /disconnect served by loop ${loop} of A for a room spanning both loops of A, B and the Node peer`, async () => {
      const f = await spread();
      const rest = await restOn(A, loop);
      const room = uniq("out");
      const members = [f.a0, f.a1, f.b0, f.b1, f.n];
      const stay = f.all.filter((s) => !members.includes(s));
      for (const s of members) await join(s, room);
      const gone = members.map((s) => once(s, "disconnect", WAIT).then(([reason]) => [s, reason]));
      const r = await rest.api("POST", "/disconnect", { room });
      assert.deepEqual([r.status, r.body], [200, { ok: true }], r.text);
      for (const [s, reason] of await Promise.all(gone)) assert.equal(reason, "io server disconnect", s.label);
      for (const s of stay) {
        assert.ok(s.connected, `${s.label} must stay connected`);
        assert.deepEqual(await ack(s, "ack", "alive"), ["alive"], s.label);
      }
      for (const s of members) {
        const x = await waitUntil(
          async () => {
            const q = await s.inst.api("GET", `/disconnect-reason?id=${encodeURIComponent(s.sid0)}`);
            return q.status === 200 && q.body;
          },
          { timeout: WAIT, message: `disconnect reason of ${s.label}` },
        );
        assert.equal(x.reason, "server namespace disconnect", s.label);
      }
      assert.deepEqual((await rest.api("GET", `/sockets?room=${room}`)).body, { count: 0, sockets: [] });
    });
  }

  // ---------------------------------------------------------------------------------------------
  // 4. emit-with-ack from either loop of A

  for (const loop of LOOPS) {
    test(`POST /emit-with-ack served by loop ${loop} of A collects one response from every client of the cluster (both loops of A, B, Node peer)`, async () => {
      const f = await spread();
      const rest = await restOn(A, loop);
      // Only our clients in the whole cluster (clients of earlier tests are gone).
      const ours = sorted(f.all.map((s) => s.sid0));
      await waitUntil(
        async () => {
          const r = await rest.api("GET", "/sockets");
          return r.status === 200 && JSON.stringify(r.body.sockets.map((s) => s.id)) === JSON.stringify(ours);
        },
        { timeout: WAIT, interval: 100, message: "GET /sockets lists exactly the clients of this test" },
      );
      const ev = uniq("ask");
      for (const s of f.all) s.on(ev, (q, cb) => cb({ id: s.sid0, q }));
      const t0 = Date.now();
      let r = await rest.api("POST", "/emit-with-ack", { event: ev, data: loop, timeout: 12000 });
      const ms = Date.now() - t0;
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.timedOut, false, r.text);
      assert.deepEqual(sorted(r.body.responses.map((x) => x.id)), ours, `one response per client (asked on loop ${loop}): ${r.text}`);
      for (const x of r.body.responses) assert.equal(x.q, loop);
      assert.ok(ms < 11000, `answered after ${ms} ms: must not wait for the timeout once every client answered`);

      // A room with one silent member on each loop of A: timedOut with the answers of the others.
      const room = uniq("room");
      const members = [f.a0, f.a0b, f.a1, f.a1b, f.b0, f.n];
      const silent = [f.a0b, f.a1b];
      for (const s of members) await join(s, room);
      const ev2 = uniq("ask2");
      for (const s of members) if (!silent.includes(s)) s.on(ev2, (cb) => cb({ id: s.sid0 }));
      const heard = recordAll(silent, ev2);
      r = await rest.api("POST", "/emit-with-ack", { event: ev2, room, timeout: 2000 });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.timedOut, true, r.text);
      assert.deepEqual(sorted(r.body.responses.map((x) => x.id)), sorted(members.filter((s) => !silent.includes(s)).map((s) => s.sid0)), r.text);
      for (const s of silent) assert.equal(heard.get(s).count(), 1, `${s.label} got the event`);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // 5. server count, peers, server-side emits

  test("GET /server-count from both loops of A counts the instances (3), not the loops; B and the Node peer count 3 too", async () => {
    for (const loop of LOOPS) {
      const rest = await restOn(A, loop);
      for (const ns of ["/", "/custom", "/secure"]) {
        for (let i = 0; i < 3; i++) {
          const r = await rest.api("GET", `/server-count?namespace=${encodeURIComponent(ns)}`);
          assert.equal(r.status, 200, r.text);
          assert.deepEqual(r.body, { count: 3 }, `A loop ${loop} /server-count?namespace=${ns}`);
        }
      }
      assert.deepEqual((await rest.api("GET", "/server-count")).body, { count: 3 });
    }
    for (const inst of [B, N]) {
      for (const ns of ["/", "/custom", "/secure"]) {
        const r = await inst.api("GET", `/server-count?namespace=${encodeURIComponent(ns)}`);
        assert.deepEqual(r.body, { count: 3 }, `${inst.id} /server-count?namespace=${ns} (one subscriber per instance)`);
      }
    }
  });

  test("GET /peers from both loops of A lists B and the Node peer once each; B and the Node peer see A once", async () => {
    for (const loop of [1, 0]) {
      const rest = await restOn(A, loop);
      for (const q of ["", "?namespace=%2Fcustom", "?namespace=%2Fsecure"]) {
        const t0 = Date.now();
        const r = await rest.api("GET", `/peers${q}`);
        const ms = Date.now() - t0;
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.timedOut, false, `A loop ${loop} /peers${q}: ${r.text}`);
        assert.deepEqual(sorted(r.body.responses.map((x) => x.instance)), sorted([B.id, N.id]), `A loop ${loop} /peers${q}: ${r.text}`);
        assert.equal(r.body.responses.length, 2, r.text);
        assert.ok(ms < 4500, `A loop ${loop} /peers${q} took ${ms} ms (must answer once every peer answered)`);
      }
    }
    for (const [inst, others] of [
      [B, [A.id, N.id]],
      [N, [A.id, B.id]],
    ]) {
      const r = await inst.api("GET", "/peers");
      assert.equal(r.status, 200, r.text);
      assert.deepEqual({ timedOut: r.body.timedOut, ids: sorted(r.body.responses.map((x) => x.instance)) }, { timedOut: false, ids: sorted(others) }, `${inst.id} /peers: ${r.text}`);
    }
  });

  for (const loop of LOOPS) {
    test(`POST /server-side-emit served by loop ${loop} of A makes B and the Node peer relay (contract:relay) to their clients once, and A does not`, async () => {
      const f = await spread();
      const rest = await restOn(A, loop);
      const room = uniq("room");
      const members = [f.a0, f.a1, f.b1, f.n];
      for (const s of members) await join(s, room);
      const evRoom = uniq("relay-room");
      const evAll = uniq("relay-all");
      const recRoom = recordAll(f.all, evRoom);
      const recAll = recordAll(f.all, evAll);
      const args = [1, { x: [2, "y"] }, null];
      let r = await rest.api("POST", "/server-side-emit", { event: evRoom, args, room });
      assert.deepEqual([r.status, r.body], [200, { ok: true }], r.text);
      r = await rest.api("POST", "/server-side-emit", { event: evAll, data: "all" });
      assert.deepEqual([r.status, r.body], [200, { ok: true }], r.text);
      for (const s of [f.b1, f.n]) assert.deepEqual(await recRoom.get(s).next(() => true, WAIT), args, s.label);
      for (const s of [f.b0, f.b1, f.n, f.nb]) assert.deepEqual(await recAll.get(s).next(() => true, WAIT), ["all"], s.label);

      // Barriers: a later relay from the same loop of A reaches B's and N's clients after the
      // earlier ones; relays from B and from N reach A's clients on both loops.
      const remote = [f.b0, f.b1, f.n, f.nb];
      await barrierVia(async (token) => assert.deepEqual((await rest.api("POST", "/server-side-emit", { event: "relay-barrier", data: token })).body, { ok: true }), remote, "relay-barrier");
      await barrierVia(async (token) => assert.equal((await B.api("POST", "/server-side-emit", { body: { event: "relay-barrier", data: token } })).status, 200), [...f.onA, f.n, f.nb], "relay-barrier");
      await barrierVia(async (token) => assert.equal((await N.api("POST", "/server-side-emit", { body: { event: "relay-barrier", data: token } })).status, 200), [...f.onA, f.b0, f.b1], "relay-barrier");
      assertCounts(recRoom, (s) => (s === f.b1 || s === f.n ? 1 : 0), "relay to a room (A's own members must not get it)");
      assertCounts(recAll, (s) => (remote.includes(s) ? 1 : 0), "relay to everyone (A's own clients must not get it)");
    });
  }

  test("server-side emits from B, from the Node peer and from a redis-emitter make A relay to its clients on BOTH loops, once", async () => {
    const f = await spread();
    const room = uniq("room");
    for (const s of [f.a0, f.a1, f.b0, f.n]) await join(s, room);
    const inRoomOnA = [f.a0, f.a1];
    const evs = { fromB: uniq("from-b"), fromBRoom: uniq("from-b-room"), fromN: uniq("from-n"), fromNRoom: uniq("from-n-room"), fromEm: uniq("from-em") };
    const recs = Object.fromEntries(Object.entries(evs).map(([k, ev]) => [k, recordAll(f.onA, ev)]));

    let r = await B.api("POST", "/server-side-emit", { body: { event: evs.fromB, args: ["b", 1] } });
    assert.deepEqual(r.body, { ok: true }, r.text);
    r = await B.api("POST", "/server-side-emit", { body: { event: evs.fromBRoom, data: "b-room", room } });
    assert.deepEqual(r.body, { ok: true }, r.text);
    r = await N.api("POST", "/server-side-emit", { body: { event: evs.fromN, args: ["n", 2] } });
    assert.deepEqual(r.body, { ok: true }, r.text);
    r = await N.api("POST", "/server-side-emit", { body: { event: evs.fromNRoom, data: "n-room", room: [room] } });
    assert.deepEqual(r.body, { ok: true }, r.text);
    const redisClient = await redis.client();
    try {
      const emitter = new Emitter(redisClient);
      emitter.serverSideEmit("contract:relay", { event: evs.fromEm, args: ["em", 3], room: [room] });

      for (const s of f.onA) {
        assert.deepEqual(await recs.fromB.get(s).next(() => true, WAIT), ["b", 1], s.label);
        assert.deepEqual(await recs.fromN.get(s).next(() => true, WAIT), ["n", 2], s.label);
      }
      for (const s of inRoomOnA) {
        assert.deepEqual(await recs.fromBRoom.get(s).next(() => true, WAIT), ["b-room"], s.label);
        assert.deepEqual(await recs.fromNRoom.get(s).next(() => true, WAIT), ["n-room"], s.label);
        assert.deepEqual(await recs.fromEm.get(s).next(() => true, WAIT), ["em", 3], s.label);
      }
      // Barriers through the same three publishers.
      await barrierVia(async (token) => assert.equal((await B.api("POST", "/server-side-emit", { body: { event: "relay-barrier", data: token } })).status, 200), f.onA, "relay-barrier");
      await barrierVia(async (token) => assert.equal((await N.api("POST", "/server-side-emit", { body: { event: "relay-barrier", data: token } })).status, 200), f.onA, "relay-barrier");
      await barrierVia(async (token) => emitter.serverSideEmit("contract:relay", { event: "relay-barrier", args: [token] }), f.onA, "relay-barrier");
    } finally {
      await redisClient.quit().catch(() => {});
    }
    assertCounts(recs.fromB, () => 1, "relay from B to everyone");
    assertCounts(recs.fromN, () => 1, "relay from N to everyone");
    assertCounts(recs.fromBRoom, (s) => (inRoomOnA.includes(s) ? 1 : 0), "relay from B to a room");
    assertCounts(recs.fromNRoom, (s) => (inRoomOnA.includes(s) ? 1 : 0), "relay from N to a room");
    assertCounts(recs.fromEm, (s) => (inRoomOnA.includes(s) ? 1 : 0), "relay from the emitter to a room");
  });

  // ---------------------------------------------------------------------------------------------
  // 6. @socket.io/redis-emitter publishers

  test("redis-emitter: emit, to(room).except(room) and of('/custom') reach A's clients on both loops once (and B's, and the Node peer's)", async () => {
    const f = await spread();
    const room = uniq("room");
    const ex = uniq("ex");
    for (const s of [f.a0, f.a0b, f.a1, f.a1b, f.b0, f.n]) await join(s, room);
    for (const s of [f.a0b, f.a1b]) await join(s, ex);
    const custom = [await clientOn(A, 0, "/custom"), await clientOn(A, 1, "/custom"), await clientOfNode("/custom")];
    const redisClient = await redis.client();
    try {
      const emitter = new Emitter(redisClient);
      const evAll = uniq("em-all");
      const evRoom = uniq("em-room");
      const evCustom = uniq("em-custom");
      const recAll = recordAll(f.all, evAll);
      const recRoom = recordAll(f.all, evRoom);
      const recCustom = recordAll([...custom, ...f.onA], evCustom);
      emitter.emit(evAll, Buffer.from([0, 1, 255]), { n: 1 });
      emitter.to(room).except(ex).emit(evRoom, "r");
      emitter.of("/custom").emit(evCustom, "c");
      for (const s of f.all) {
        const got = await recAll.get(s).next(() => true, WAIT);
        assert.deepEqual(asBuf(got[0]), Buffer.from([0, 1, 255]), s.label);
        assert.deepEqual(got[1], { n: 1 }, s.label);
      }
      const roomOnly = [f.a0, f.a1, f.b0, f.n];
      for (const s of roomOnly) assert.deepEqual(await recRoom.get(s).next(() => true, WAIT), ["r"], s.label);
      for (const s of custom) assert.deepEqual(await recCustom.get(s).next(() => true, WAIT), ["c"], s.label);
      // The emitter publishes in order on one connection: a later emit is a barrier.
      await barrierVia(async (token) => emitter.emit("barrier", token), f.all, "barrier");
      await barrierVia(async (token) => emitter.of("/custom").emit("barrier", token), custom, "barrier");
      assertCounts(recAll, () => 1, "emitter emit to everyone");
      assertCounts(recRoom, (s) => (roomOnly.includes(s) ? 1 : 0), "emitter to(room).except(room)");
      assertCounts(recCustom, (s) => (custom.includes(s) ? 1 : 0), "emitter of('/custom')");
    } finally {
      await redisClient.quit().catch(() => {});
    }
  });

  test("redis-emitter: socketsJoin, socketsLeave and disconnectSockets apply to A's clients on both loops", async () => {
    const f = await spread();
    const room = uniq("room");
    const members = [f.a0, f.a1, f.b1, f.n];
    for (const s of members) await join(s, room);
    const redisClient = await redis.client();
    try {
      const emitter = new Emitter(redisClient);
      const j = uniq("ej");
      emitter.in(room).socketsJoin(j);
      for (const s of members) await waitUntil(async () => (await whoami(s)).rooms.includes(j), { timeout: WAIT, interval: 50, message: `${s.label} joined ${j} (emitter socketsJoin)` });
      for (const s of f.all.filter((x) => !members.includes(x))) assert.ok(!(await whoami(s)).rooms.includes(j), `${s.label} must not join`);
      const rest = await restOn(A, 1);
      assert.deepEqual((await rest.api("GET", `/sockets?room=${j}`)).body.sockets.map((s) => s.id), sorted(members.map((s) => s.sid0)));

      emitter.in(room).socketsLeave(j);
      for (const s of members) await waitUntil(async () => !(await whoami(s)).rooms.includes(j), { timeout: WAIT, interval: 50, message: `${s.label} left ${j} (emitter socketsLeave)` });

      const gone = members.map((s) => once(s, "disconnect", WAIT).then(([reason]) => [s, reason]));
      emitter.in(room).disconnectSockets();
      for (const [s, reason] of await Promise.all(gone)) assert.equal(reason, "io server disconnect", s.label);
      for (const s of f.all.filter((x) => !members.includes(x))) {
        assert.ok(s.connected, `${s.label} must stay connected`);
        assert.deepEqual(await ack(s, "ack", "alive"), ["alive"], s.label);
      }
      assert.deepEqual((await rest.api("GET", `/sockets?room=${room}`)).body, { count: 0, sockets: [] });
    } finally {
      await redisClient.quit().catch(() => {});
    }
  });
});
