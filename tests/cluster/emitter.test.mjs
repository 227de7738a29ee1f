// docs/contract.md §6: @socket.io/redis-emitter 5.x publishers reach the clients of every instance:
// to(room).emit, binary, except, namespaces, socketsJoin/socketsLeave/disconnectSockets,
// serverSideEmit (contract:relay on every instance).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Emitter } from "@socket.io/redis-emitter";
import { ack1, waitUntil, once } from "../interop/lib/util.mjs";
import { describeCluster, record, whoami } from "./lib/cluster.mjs";

const asBuf = (v) => (Buffer.isBuffer(v) ? v : v instanceof ArrayBuffer ? Buffer.from(v) : ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : null);

async function join(socket, room) {
  const res = await ack1(socket, "join", room);
  assert.ok(res.rooms, `join failed: ${JSON.stringify(res)}`);
}

/** The emitter publishes in order on one connection: a later emit to everyone is a barrier. */
async function emitterBarrier(emitter, recorders) {
  const token = `b-${Math.random().toString(36).slice(2)}`;
  emitter.emit("barrier", token);
  await Promise.all(recorders.map((r) => r.next((a) => a[0] === token, 8000)));
}

describeCluster("redis-emitter publisher", (ctx) => {
  let redisClient;
  let emitter;
  before(async () => {
    redisClient = await ctx.redis.client();
    emitter = new Emitter(redisClient);
  });
  after(async () => {
    await redisClient?.quit().catch(() => {});
  });

  test("emit to everyone reaches the clients of both instances", async () => {
    const [ca, cb] = await ctx.connectAll();
    const ev = ctx.uniq("em");
    const recs = [ca, cb].map((s) => record(s, ev));
    emitter.emit(ev, "hello", { n: 1 }, [true, null]);
    for (const r of recs) assert.deepEqual(await r.next(), ["hello", { n: 1 }, [true, null]]);
  });

  test("to(room).emit reaches room members on both instances only", async () => {
    const room = ctx.uniq("room");
    const [aIn, bIn] = await ctx.connectAll();
    const [aOut, bOut] = await ctx.connectAll();
    await Promise.all([join(aIn, room), join(bIn, room)]);
    const ev = ctx.uniq("em");
    const all = [aIn, bIn, aOut, bOut];
    const recs = all.map((s) => record(s, ev));
    const bar = all.map((s) => record(s, "barrier"));
    emitter.to(room).emit(ev, "r");
    assert.deepEqual(await recs[0].next(), ["r"]);
    assert.deepEqual(await recs[1].next(), ["r"]);
    await emitterBarrier(emitter, bar);
    assert.deepEqual(recs.map((r) => r.count()), [1, 1, 0, 0]);
  });

  test("to(several rooms).except(room).emit", async () => {
    const r1 = ctx.uniq("r1");
    const r2 = ctx.uniq("r2");
    const ex = ctx.uniq("ex");
    const [a1, b2] = await ctx.connectAll();
    const [aEx, bEx] = await ctx.connectAll();
    await Promise.all([join(a1, r1), join(b2, r2), join(aEx, [r1, ex]), join(bEx, [r2, ex])]);
    const ev = ctx.uniq("em");
    const all = [a1, b2, aEx, bEx];
    const recs = all.map((s) => record(s, ev));
    const bar = all.map((s) => record(s, "barrier"));
    emitter.to([r1, r2]).except(ex).emit(ev, 42);
    assert.deepEqual(await recs[0].next(), [42]);
    assert.deepEqual(await recs[1].next(), [42]);
    await emitterBarrier(emitter, bar);
    assert.deepEqual(recs.map((r) => r.count()), [1, 1, 0, 0]);
  });

  test("binary arguments at depth arrive as binary on both instances", async () => {
    const [ca, cb] = await ctx.connectAll();
    const ev = ctx.uniq("bin");
    const recs = [ca, cb].map((s) => record(s, ev));
    emitter.emit(ev, Buffer.from([0, 1, 2, 255]), { a: { b: [Buffer.from("deep")] } }, "t");
    for (const r of recs) {
      const got = await r.next();
      assert.deepEqual(asBuf(got[0]), Buffer.from([0, 1, 2, 255]));
      assert.deepEqual(asBuf(got[1].a.b[0]), Buffer.from("deep"));
      assert.equal(got[2], "t");
    }
  });

  test("of('/custom') reaches /custom clients of both instances, not /", async () => {
    const [ca, cb] = await ctx.connectAll("/custom");
    const [, rootB] = await ctx.connectAll("/");
    const ev = ctx.uniq("nsp");
    const recs = [ca, cb, rootB].map((s) => record(s, ev));
    const bar = record(rootB, "barrier");
    emitter.of("/custom").emit(ev, "c");
    assert.deepEqual(await recs[0].next(), ["c"]);
    assert.deepEqual(await recs[1].next(), ["c"]);
    await emitterBarrier(emitter, [bar]);
    assert.equal(recs[2].count(), 0);
  });

  test("socketsJoin / socketsLeave via the emitter apply on both instances", async () => {
    const room = ctx.uniq("room");
    const [ca, cb] = await ctx.connectAll();
    const [outA] = await ctx.connectAll();
    await Promise.all([join(ca, room), join(cb, room)]);
    const j = ctx.uniq("ej");
    emitter.in(room).socketsJoin(j);
    for (const c of [ca, cb]) await waitUntil(async () => (await whoami(c)).rooms.includes(j), { message: "emitter socketsJoin" });
    assert.ok(!(await whoami(outA)).rooms.includes(j));
    emitter.in(room).socketsLeave(j);
    for (const c of [ca, cb]) await waitUntil(async () => !(await whoami(c)).rooms.includes(j), { message: "emitter socketsLeave" });
  });

  test("disconnectSockets via the emitter disconnects room members on both instances", async () => {
    const room = ctx.uniq("room");
    const [ca, cb] = await ctx.connectAll();
    const [outA, outB] = await ctx.connectAll();
    await Promise.all([join(ca, room), join(cb, room)]);
    const d = [once(ca, "disconnect", 5000), once(cb, "disconnect", 5000)];
    emitter.in(room).disconnectSockets();
    for (const p of d) assert.equal((await p)[0], "io server disconnect");
    assert.ok(outA.connected && outB.connected);
    const d2 = [once(outA, "disconnect", 5000), once(outB, "disconnect", 5000)];
    const room2 = ctx.uniq("room");
    await Promise.all([join(outA, room2), join(outB, room2)]);
    emitter.in(room2).disconnectSockets(true);
    for (const p of d2) assert.ok(["io server disconnect", "transport close"].includes((await p)[0]));
  });

  test("serverSideEmit('contract:relay') via the emitter relays on every instance", async () => {
    const room = ctx.uniq("room");
    const [ca, cb] = await ctx.connectAll();
    await Promise.all([join(ca, room), join(cb, room)]);
    const ev = ctx.uniq("relay");
    const recs = [ca, cb].map((s) => record(s, ev));
    emitter.serverSideEmit("contract:relay", { event: ev, args: ["from-emitter", 2], room: [room] });
    for (const r of recs) assert.deepEqual(await r.next(), ["from-emitter", 2]);
  });
});
