// docs/contract.md §5/§6: broadcasts across instances — REST /emit (rooms, except, local), socket
// room-emit (binary at depth), /emit-with-ack (acks from every instance, timeout with partial
// responses), /server-side-emit -> contract:relay on the other instances only.
// In each pair [A, B], A is asked; clients sit on both.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ack1 } from "../interop/lib/util.mjs";
import { describeCluster, record, barrier } from "./lib/cluster.mjs";

const sortJson = (list) => [...list].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
const asBuf = (v) => (Buffer.isBuffer(v) ? v : v instanceof ArrayBuffer ? Buffer.from(v) : ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : null);

async function join(socket, room) {
  const res = await ack1(socket, "join", room);
  assert.ok(res.rooms, `join failed: ${JSON.stringify(res)}`);
  return res;
}

describeCluster("broadcast", (ctx) => {
  test("REST /emit without room on A reaches clients on A and B, not another namespace", async () => {
    const [ca, cb] = await ctx.connectAll("/");
    const [, cbCustom] = await ctx.connectAll("/custom");
    const ev = ctx.uniq("news");
    const recs = [ca, cb, cbCustom].map((s) => record(s, ev));
    const bar = [ca, cb].map((s) => record(s, "barrier"));
    const barCustom = record(cbCustom, "barrier");
    const args = [1, "two", { three: [3, null, true] }, [1.5, -7]];
    const r = await ctx.A.api("POST", "/emit", { body: { event: ev, args } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { ok: true });
    assert.deepEqual(await recs[0].next(), args, "client on A (local)");
    assert.deepEqual(await recs[1].next(), args, "client on B (remote)");
    await barrier(ctx.A, bar);
    await barrier(ctx.A, [barCustom], { namespace: "/custom" });
    assert.equal(recs[0].count(), 1, "delivered once on A");
    assert.equal(recs[1].count(), 1, "delivered once on B");
    assert.equal(recs[2].count(), 0, "/custom client must not get a / broadcast");
  });

  test("REST /emit with namespace /custom reaches /custom clients on B", async () => {
    const [, cb] = await ctx.connectAll("/custom");
    const ev = ctx.uniq("custom");
    const rec = record(cb, ev);
    const r = await ctx.A.api("POST", "/emit", { body: { event: ev, data: { hello: "custom" }, namespace: "/custom" } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await rec.next(), [{ hello: "custom" }]);
  });

  test("REST /emit to one room reaches room members on both instances only", async () => {
    const room = ctx.uniq("room");
    const [aIn, bIn] = await ctx.connectAll();
    const [aOut, bOut] = await ctx.connectAll();
    await Promise.all([join(aIn, room), join(bIn, room)]);
    const ev = ctx.uniq("ev");
    const recs = [aIn, bIn, aOut, bOut].map((s) => record(s, ev));
    const bar = [aIn, bIn, aOut, bOut].map((s) => record(s, "barrier"));
    const r = await ctx.A.api("POST", "/emit", { body: { event: ev, data: "to-room", room } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await recs[0].next(), ["to-room"]);
    assert.deepEqual(await recs[1].next(), ["to-room"]);
    await barrier(ctx.A, bar);
    assert.equal(recs[2].count(), 0, "non-member on A");
    assert.equal(recs[3].count(), 0, "non-member on B");
    assert.equal(recs[1].count(), 1, "member on B once");
  });

  test("REST /emit to several rooms reaches each member once, on both instances", async () => {
    const r1 = ctx.uniq("r1");
    const r2 = ctx.uniq("r2");
    const [a1, b1] = await ctx.connectAll();
    const [a2, b12] = await ctx.connectAll();
    const [aNone, bNone] = await ctx.connectAll();
    await Promise.all([join(a1, r1), join(b1, r1), join(a2, r2), join(b12, [r1, r2]), join(aNone, ctx.uniq("other")), join(bNone, ctx.uniq("other"))]);
    const ev = ctx.uniq("multi");
    const all = [a1, b1, a2, b12, aNone, bNone];
    const recs = all.map((s) => record(s, ev));
    const bar = all.map((s) => record(s, "barrier"));
    const r = await ctx.A.api("POST", "/emit", { body: { event: ev, args: ["m", 2], room: [r1, r2] } });
    assert.equal(r.status, 200, r.text);
    for (const i of [0, 1, 2, 3]) assert.deepEqual(await recs[i].next(), ["m", 2], `member #${i}`);
    await barrier(ctx.A, bar);
    assert.deepEqual(recs.map((x) => x.count()), [1, 1, 1, 1, 0, 0], "each member exactly once, non-members never");
  });

  test("REST /emit with except (with and without room) excludes members of the except rooms on both instances", async () => {
    const room = ctx.uniq("room");
    const ex = ctx.uniq("ex");
    const [aIn, bIn] = await ctx.connectAll();
    const [aEx, bEx] = await ctx.connectAll();
    await Promise.all([join(aIn, room), join(bIn, room), join(aEx, [room, ex]), join(bEx, [room, ex])]);
    const all = [aIn, bIn, aEx, bEx];
    const ev = ctx.uniq("ex");
    const recs = all.map((s) => record(s, ev));
    const bar = all.map((s) => record(s, "barrier"));
    let r = await ctx.A.api("POST", "/emit", { body: { event: ev, data: "with-room", room, except: ex } });
    assert.equal(r.status, 200, r.text);
    r = await ctx.A.api("POST", "/emit", { body: { event: ev, data: "no-room", except: [ex] } });
    assert.equal(r.status, 200, r.text);
    for (const i of [0, 1]) {
      await recs[i].next((a) => a[0] === "with-room");
      await recs[i].next((a) => a[0] === "no-room");
    }
    await barrier(ctx.A, bar);
    assert.equal(recs[2].count(), 0, "excluded socket on A");
    assert.equal(recs[3].count(), 0, "excluded socket on B");
    assert.equal(recs[1].count(), 2);
  });

  test("REST /emit with local: true reaches only the asked instance's clients", async () => {
    const [ca, cb] = await ctx.connectAll();
    const ev = ctx.uniq("local");
    const recs = [ca, cb].map((s) => record(s, ev));
    const bar = [ca, cb].map((s) => record(s, "barrier"));
    const r = await ctx.A.api("POST", "/emit", { body: { event: ev, data: 1, local: true } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await recs[0].next(), [1]);
    await barrier(ctx.A, bar);
    assert.equal(recs[1].count(), 0, "a local emit on A must not reach B");
  });

  test("socket room-emit from a client on A reaches room members on B with binary at any depth; sender excluded", async () => {
    const room = ctx.uniq("room");
    const [sender, bIn] = await ctx.connectAll();
    const [aIn, bOut] = await ctx.connectAll();
    await Promise.all([join(sender, room), join(bIn, room), join(aIn, room)]);
    const ev = ctx.uniq("bin");
    const all = [sender, bIn, aIn, bOut];
    const recs = all.map((s) => record(s, ev));
    const bar = all.map((s) => record(s, "barrier"));
    const args = [Buffer.from([1, 2, 3]), { nested: { deep: [Buffer.from("xyz"), { b: Buffer.alloc(0) }] }, n: 1 }, "text", [Buffer.from([255])]];
    const res = await ack1(sender, "room-emit", { event: ev, args, room });
    assert.deepEqual(res, { ok: true });
    for (const i of [1, 2]) {
      const got = await recs[i].next();
      assert.equal(got.length, 4, `args count (#${i})`);
      assert.deepEqual(asBuf(got[0]), Buffer.from([1, 2, 3]));
      assert.deepEqual(asBuf(got[1].nested.deep[0]), Buffer.from("xyz"));
      assert.deepEqual(asBuf(got[1].nested.deep[1].b), Buffer.alloc(0));
      assert.equal(got[1].n, 1);
      assert.equal(got[2], "text");
      assert.deepEqual(asBuf(got[3][0]), Buffer.from([255]));
    }
    await barrier(ctx.A, bar);
    assert.equal(recs[0].count(), 0, "the sender never receives its room-emit");
    assert.equal(recs[3].count(), 0, "non-member on B");
  });

  test("socket room-emit with except: excluded rooms on both instances, no room = everyone but the sender", async () => {
    const ex = ctx.uniq("ex");
    const [sender, bIn] = await ctx.connectAll();
    const [aEx, bEx] = await ctx.connectAll();
    await Promise.all([join(aEx, ex), join(bEx, ex)]);
    const ev = ctx.uniq("rex");
    const all = [sender, bIn, aEx, bEx];
    const recs = all.map((s) => record(s, ev));
    const bar = all.map((s) => record(s, "barrier"));
    assert.deepEqual(await ack1(sender, "room-emit", { event: ev, args: ["hi"], except: ex }), { ok: true });
    assert.deepEqual(await recs[1].next(), ["hi"]);
    await barrier(ctx.A, bar);
    assert.deepEqual(recs.map((r) => r.count()), [0, 1, 0, 0]);
  });

  test("socket room-emit from a client on B reaches a room member on A (reverse direction)", async () => {
    const room = ctx.uniq("room");
    const [aIn, sender] = await ctx.connectAll();
    await join(aIn, room);
    const ev = ctx.uniq("rev");
    const rec = record(aIn, ev);
    assert.deepEqual(await ack1(sender, "room-emit", { event: ev, args: [{ from: "B" }, Buffer.from("b")], room }), { ok: true });
    const got = await rec.next();
    assert.deepEqual(got[0], { from: "B" });
    assert.deepEqual(asBuf(got[1]), Buffer.from("b"));
  });

  test("/emit-with-ack collects the acks of clients on both instances", async () => {
    const room = ctx.uniq("room");
    const [ca, cb] = await ctx.connectAll();
    const [, cb2] = await ctx.connectAll();
    await Promise.all([join(ca, room), join(cb, room), join(cb2, room)]);
    const ev = ctx.uniq("q");
    ca.on(ev, (n, cbk) => cbk({ from: "A", n }));
    cb.on(ev, (n, cbk) => cbk({ from: "B", n }, "second arg is dropped"));
    cb2.on(ev, (n, cbk) => cbk({ from: "B2", n }));
    const t0 = Date.now();
    const r = await ctx.A.api("POST", "/emit-with-ack", { body: { event: ev, data: 7, room, timeout: 8000 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.timedOut, false, r.text);
    assert.deepEqual(sortJson(r.body.responses), sortJson([{ from: "A", n: 7 }, { from: "B", n: 7 }, { from: "B2", n: 7 }]));
    assert.ok(Date.now() - t0 < 7000, "must not wait for the timeout once every client answered");
  });

  test("/emit-with-ack to nobody on A but a client on B", async () => {
    const room = ctx.uniq("room");
    const [, cb] = await ctx.connectAll();
    await join(cb, room);
    const ev = ctx.uniq("q");
    cb.on(ev, (cbk) => cbk("only-B"));
    const r = await ctx.A.api("POST", "/emit-with-ack", { body: { event: ev, room, timeout: 8000 } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { timedOut: false, responses: ["only-B"] });
  });

  test("/emit-with-ack times out with the partial responses of both instances", async () => {
    const room = ctx.uniq("room");
    const [ca, cb] = await ctx.connectAll();
    const [, cbSilent] = await ctx.connectAll();
    await Promise.all([join(ca, room), join(cb, room), join(cbSilent, room)]);
    const ev = ctx.uniq("q");
    ca.on(ev, (cbk) => cbk("A"));
    cb.on(ev, (cbk) => cbk("B"));
    const silent = record(cbSilent, ev); // receives but never acknowledges
    const r = await ctx.A.api("POST", "/emit-with-ack", { body: { event: ev, room, timeout: 1000 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.timedOut, true, r.text);
    assert.deepEqual([...r.body.responses].sort(), ["A", "B"]);
    assert.equal(silent.count(), 1, "the silent client on B got the event");
  });

  test("/server-side-emit relays contract:relay to the other instance's local sockets only", async () => {
    const room = ctx.uniq("room");
    const [aIn, bIn] = await ctx.connectAll();
    const [, bOut] = await ctx.connectAll();
    await Promise.all([join(aIn, room), join(bIn, room)]);
    const ev = ctx.uniq("relayed");
    const all = [aIn, bIn, bOut];
    const recs = all.map((s) => record(s, ev));
    const barA = record(aIn, "relay-barrier");
    const args = [1, { x: [2, "y"] }, null];
    const r = await ctx.A.api("POST", "/server-side-emit", { body: { event: ev, args, room } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { ok: true });
    assert.deepEqual(await recs[1].next(), args, "room member on B");
    // Barrier: B relays an event to A; it arrives after anything A's own request could have caused.
    const token = ctx.uniq("t");
    assert.equal((await ctx.B.api("POST", "/server-side-emit", { body: { event: "relay-barrier", data: token } })).status, 200);
    await barA.next((a) => a[0] === token, 8000);
    assert.equal(recs[0].count(), 0, "the asked instance must not relay to its own sockets");
    assert.equal(recs[2].count(), 0, "non-member on B");
    assert.equal(recs[1].count(), 1);
  });

  test("/server-side-emit in /custom without room reaches every /custom socket of the other instance", async () => {
    const [ca, cb] = await ctx.connectAll("/custom");
    const [, cbRoot] = await ctx.connectAll("/");
    const ev = ctx.uniq("relayed");
    const recs = [ca, cb, cbRoot].map((s) => record(s, ev));
    const r = await ctx.A.api("POST", "/server-side-emit", { body: { event: ev, data: "c", namespace: "/custom" } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await recs[1].next(), ["c"]);
    const barB = record(cbRoot, "barrier");
    await barrier(ctx.B, [barB]);
    assert.equal(recs[2].count(), 0, "a /custom relay must not reach / sockets");
  });
});
