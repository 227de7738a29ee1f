// docs/contract.md §5/§6: cluster-wide queries and remote operations — /info, whoami instance,
// /server-count, /peers, /sockets (fetchSockets), /sockets/join, /sockets/leave, /disconnect
// (and `local: true` staying local). In each pair [A, B], A is asked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ack1, waitUntil, once } from "../interop/lib/util.mjs";
import { describeCluster, whoami, startInstance, waitServerCount } from "./lib/cluster.mjs";

async function join(socket, room) {
  const res = await ack1(socket, "join", room);
  assert.ok(res.rooms, `join failed: ${JSON.stringify(res)}`);
  return res;
}

const roomsOf = async (socket) => (await whoami(socket)).rooms;

/** Waits until whoami(socket).rooms satisfies pred. */
function waitRooms(socket, pred, message) {
  return waitUntil(async () => pred(await roomsOf(socket)), { timeout: 5000, interval: 30, message });
}

describeCluster("cluster queries", (ctx) => {
  test("/info says clustered, reports INSTANCE_ID and the recovery setting truthfully", async () => {
    for (const inst of ctx.instances) {
      const r = await inst.api("GET", "/info");
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.instance, inst.id);
      assert.equal(r.body.clustered, true);
      assert.equal(typeof r.body.connectionStateRecovery, "boolean");
      assert.deepEqual(r.body.namespaces, ["/", "/custom", "/secure"]);
      // Truthful: with recovery on, the CONNECT answer carries a pid; with it off, it does not.
      const c = await ctx.connect(inst);
      assert.equal(typeof c._pid === "string", r.body.connectionStateRecovery, `CONNECT pid vs /info connectionStateRecovery on ${inst.id}`);
    }
  });

  test("whoami and socket.data report the instance the client is connected to", async () => {
    for (const inst of ctx.instances) {
      const c = await ctx.connect(inst, "/secure", { auth: { token: "ok", user: "u-" + inst.id } });
      const me = await whoami(c);
      assert.equal(me.instance, inst.id);
      assert.deepEqual(me.data, { instance: inst.id, user: "u-" + inst.id });
      assert.equal(me.nsp, "/secure");
    }
  });

  test("/server-count counts the instances of every namespace, and follows a joining/leaving instance", async () => {
    for (const inst of ctx.instances) {
      for (const ns of ["/", "/custom", "/secure"]) {
        const r = await inst.api("GET", `/server-count?namespace=${encodeURIComponent(ns)}`);
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.body, { count: 2 }, `${inst.id} ${ns}`);
      }
    }
    const third = await startInstance(ctx.kinds[1], { redisUrl: ctx.redis.url, name: "third" });
    try {
      await waitServerCount([...ctx.instances, third], 3);
      const peers = await ctx.A.api("GET", "/peers");
      assert.equal(peers.status, 200, peers.text);
      assert.equal(peers.body.timedOut, false, peers.text);
      assert.deepEqual(peers.body.responses.map((p) => p.instance).sort(), [ctx.B.id, third.id].sort());
    } finally {
      await third.stop();
    }
    await waitServerCount(ctx.instances, 2);
  });

  test("/peers: every other instance answers contract:whoami with its INSTANCE_ID (both directions, /custom too)", async () => {
    const [A, B] = ctx.instances;
    for (const [asked, other] of [
      [A, B],
      [B, A],
    ]) {
      for (const q of ["", "?namespace=%2Fcustom"]) {
        const t0 = Date.now();
        const r = await asked.api("GET", `/peers${q}`);
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.body, { timedOut: false, responses: [{ instance: other.id }] }, `${asked.id} /peers${q}`);
        assert.ok(Date.now() - t0 < 4000, "answers as soon as every peer answered");
      }
    }
  });

  test("/peers gives up after about 5 s with the answers it got when a member stays silent", async () => {
    // A raw subscriber on the request channel counts as a server (NUMSUB) but never answers.
    const silent = await ctx.redis.client();
    try {
      await silent.subscribe("socket.io-request#/#", () => {});
      await waitServerCount(ctx.instances, 3, { namespaces: ["/"] });
      const t0 = Date.now();
      const r = await ctx.A.api("GET", "/peers");
      const ms = Date.now() - t0;
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, { timedOut: true, responses: [{ instance: ctx.B.id }] });
      assert.ok(ms >= 2500 && ms < 12000, `/peers waited ${ms} ms (expected ~5 s)`);
    } finally {
      await silent.quit().catch(() => {});
    }
    await waitServerCount(ctx.instances, 2, { namespaces: ["/"] });
  });

  test("/sockets lists the sockets of both instances with ids, sorted rooms and data (instance)", async () => {
    const room = ctx.uniq("room");
    const extra = ctx.uniq("extra");
    const ca = await ctx.connect(ctx.A, "/", { auth: { user: "alice" } });
    const cb = await ctx.connect(ctx.B, "/", { auth: { user: "bob" } });
    const [cOutA, cOutB] = await ctx.connectAll();
    await Promise.all([join(ca, [room, extra]), join(cb, room), join(cOutA, ctx.uniq("o")), join(cOutB, ctx.uniq("o"))]);
    const [wa, wb] = await Promise.all([whoami(ca), whoami(cb)]);
    const expected = [
      { id: wa.id, rooms: [wa.id, room, extra].sort(), data: { instance: ctx.A.id, user: "alice" } },
      { id: wb.id, rooms: [wb.id, room].sort(), data: { instance: ctx.B.id, user: "bob" } },
    ].sort((x, y) => (x.id < y.id ? -1 : 1));
    for (const inst of ctx.instances) {
      const r = await inst.api("GET", `/sockets?room=${room}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, { count: 2, sockets: expected }, `asked ${inst.id}`);
    }
    // several rooms + except, cluster-wide
    const r2 = await ctx.A.api("GET", `/sockets?room=${room}&except=${extra}`);
    assert.deepEqual(r2.body.sockets.map((s) => s.id), [wb.id]);
    const r3 = await ctx.A.api("GET", `/sockets?room=${extra}&room=${room}`);
    assert.equal(r3.body.count, 2);
  });

  test("/sockets?namespace=/custom lists only /custom sockets of both instances", async () => {
    const room = ctx.uniq("room");
    const [ca, cb] = await ctx.connectAll("/custom");
    const [ra, rb] = await ctx.connectAll("/");
    await Promise.all([join(ca, room), join(cb, room), join(ra, room), join(rb, room)]);
    const ids = (await Promise.all([whoami(ca), whoami(cb)])).map((w) => w.id).sort();
    const r = await ctx.A.api("GET", `/sockets?namespace=%2Fcustom&room=${room}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.sockets.map((s) => s.id), ids);
    assert.deepEqual(r.body.sockets.map((s) => s.data.instance).sort(), [ctx.A.id, ctx.B.id].sort());
  });

  test("/sockets/join and /sockets/leave apply on both instances; local: true stays on the asked one", async () => {
    const room = ctx.uniq("room");
    const [ca, cb] = await ctx.connectAll();
    const [outA, outB] = await ctx.connectAll();
    await Promise.all([join(ca, room), join(cb, room)]);
    const j = ctx.uniq("joined");
    let r = await ctx.A.api("POST", "/sockets/join", { body: { join: j, room } });
    assert.deepEqual([r.status, r.body], [200, { ok: true }], r.text);
    await waitRooms(ca, (rs) => rs.includes(j), "socket on A joined");
    await waitRooms(cb, (rs) => rs.includes(j), "socket on B joined");
    // leave across instances
    r = await ctx.A.api("POST", "/sockets/leave", { body: { leave: [j], room } });
    assert.deepEqual([r.status, r.body], [200, { ok: true }], r.text);
    await waitRooms(ca, (rs) => !rs.includes(j), "socket on A left");
    await waitRooms(cb, (rs) => !rs.includes(j), "socket on B left");
    // local join: only A's sockets; then a cluster-wide fetch proves B's socket is untouched
    const l = ctx.uniq("local");
    r = await ctx.A.api("POST", "/sockets/join", { body: { join: [l], room, local: true } });
    assert.equal(r.status, 200, r.text);
    await waitRooms(ca, (rs) => rs.includes(l), "local join on A");
    const withL = await ctx.A.api("GET", `/sockets?room=${l}`);
    assert.deepEqual(withL.body.sockets.map((s) => s.data.instance), [ctx.A.id], "local join must not reach B");
    assert.ok(!(await roomsOf(cb)).includes(l));
    // non-members untouched
    assert.ok(!(await roomsOf(outA)).includes(j) && !(await roomsOf(outB)).includes(l));
    // local leave on B: B's instance only
    r = await ctx.B.api("POST", "/sockets/join", { body: { join: l, room } });
    await waitRooms(cb, (rs) => rs.includes(l), "join on B");
    r = await ctx.B.api("POST", "/sockets/leave", { body: { leave: l, room, local: true } });
    assert.equal(r.status, 200, r.text);
    await waitRooms(cb, (rs) => !rs.includes(l), "local leave on B");
    assert.ok((await roomsOf(ca)).includes(l), "local leave on B must not reach A");
  });

  test("/sockets/join with except across instances", async () => {
    const room = ctx.uniq("room");
    const ex = ctx.uniq("ex");
    const [ca, cb] = await ctx.connectAll();
    await Promise.all([join(ca, room), join(cb, [room, ex])]);
    const j = ctx.uniq("j");
    const r = await ctx.A.api("POST", "/sockets/join", { body: { join: j, room, except: ex } });
    assert.equal(r.status, 200, r.text);
    await waitRooms(ca, (rs) => rs.includes(j), "A joined");
    const list = await ctx.B.api("GET", `/sockets?room=${j}`);
    assert.deepEqual(list.body.sockets.map((s) => s.data.instance), [ctx.A.id]);
  });

  test("/disconnect on A disconnects room members on both instances; /disconnect-reason on B records it", async () => {
    const room = ctx.uniq("room");
    const [ca, cb] = await ctx.connectAll();
    const [outA, outB] = await ctx.connectAll();
    await Promise.all([join(ca, room), join(cb, room)]);
    const idB = (await whoami(cb)).id;
    const discA = once(ca, "disconnect", 5000);
    const discB = once(cb, "disconnect", 5000);
    const r = await ctx.A.api("POST", "/disconnect", { body: { room } });
    assert.deepEqual([r.status, r.body], [200, { ok: true }], r.text);
    assert.equal((await discA)[0], "io server disconnect");
    assert.equal((await discB)[0], "io server disconnect");
    const reason = await waitUntil(async () => {
      const x = await ctx.B.api("GET", `/disconnect-reason?id=${encodeURIComponent(idB)}`);
      return x.status === 200 && x.body;
    }, { message: "disconnect reason on B" });
    assert.equal(reason.reason, "server namespace disconnect");
    assert.ok(outA.connected && outB.connected, "non-members stay connected");
    assert.ok((await whoami(outB)).id, "non-member on B still served");
  });

  test("/disconnect with close: true closes the remote client's whole connection", async () => {
    const room = ctx.uniq("room");
    const cb = await ctx.connect(ctx.B, "/");
    const cbCustom = cb.io.socket("/custom"); // same Engine.IO connection
    ctx.clients.push(cbCustom);
    if (!cbCustom.connected) await once(cbCustom, "connect", 5000);
    await join(cb, room);
    const disc = once(cb, "disconnect", 5000);
    const discCustom = once(cbCustom, "disconnect", 5000);
    const r = await ctx.A.api("POST", "/disconnect", { body: { room, close: true } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await disc)[0], "io server disconnect");
    const [reasonCustom] = await discCustom;
    assert.ok(["io server disconnect", "transport close"].includes(reasonCustom), `other namespace on the same connection: ${reasonCustom}`);
  });

  test("/disconnect with local: true only disconnects the asked instance's sockets", async () => {
    const room = ctx.uniq("room");
    const [ca, cb] = await ctx.connectAll();
    await Promise.all([join(ca, room), join(cb, room)]);
    const discA = once(ca, "disconnect", 5000);
    const r = await ctx.A.api("POST", "/disconnect", { body: { room, local: true } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await discA)[0], "io server disconnect");
    // A cluster-wide request to B, then a fresh query: B's socket is still there and connected.
    const list = await ctx.A.api("GET", `/sockets?room=${room}`);
    assert.deepEqual(list.body.sockets.map((s) => s.data.instance), [ctx.B.id]);
    assert.ok(cb.connected);
    assert.equal((await whoami(cb)).instance, ctx.B.id);
  });
});
