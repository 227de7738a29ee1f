// docs/contract.md §6 / docs/protocol.md §4: the Redis wire format, seen by a raw Redis client.
// - what the instances publish (broadcast channel vs room channel, msgpack [uid, packet, opts],
//   binary as msgpack bin inside a type-2 packet, flags.local not published; request types
//   2/3/4/5/6/7 and responses 6/8/9 with their encodings);
// - hand-crafted requests (as another cluster member would send them) answered by EVERY instance,
//   even with zero matching sockets;
// - hand-crafted broadcasts (no flags, no nsp, Date extension) delivered to clients.
// Raw subscribers only use PSUBSCRIBE so that they do not inflate PUBSUB NUMSUB (= server count).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import notepack from "notepack.io";
import { ack1, api, sleep } from "../interop/lib/util.mjs";
import { startServer } from "../interop/lib/server.mjs";
import { describeCluster, record, whoami, commandFor, waitServerCount } from "./lib/cluster.mjs";

const decode = (buf) => (buf[0] === 0x7b ? JSON.parse(buf.toString("utf8")) : notepack.decode(buf));

/** Records every message on the channels matching `patterns` (PSUBSCRIBE). */
async function capture(redis, patterns) {
  const client = await redis.client();
  const messages = [];
  const waiters = new Set();
  const onMessage = (message, channel) => {
    const buf = Buffer.from(message);
    let value;
    try {
      value = decode(buf);
    } catch (err) {
      value = { undecodable: String(err) };
    }
    messages.push({ channel: channel.toString(), raw: buf, json: buf[0] === 0x7b, value });
    for (const w of waiters) w();
  };
  await client.pSubscribe(patterns, onMessage, true);
  return {
    messages,
    clear: () => messages.splice(0),
    /** Waits for `n` messages matching pred (default 1); returns them. */
    wait(pred, { n = 1, timeout = 6000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hits = messages.filter(pred);
          if (hits.length >= n) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hits);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${n} matching Redis messages within ${timeout} ms; captured: ${JSON.stringify(messages.map((m) => [m.channel, m.value])).slice(0, 1500)}`));
        }, timeout);
        waiters.add(check);
        check();
      });
    },
    close: () => client.quit().catch(() => {}),
  };
}

async function join(socket, room) {
  const res = await ack1(socket, "join", room);
  assert.ok(res.rooms, `join failed: ${JSON.stringify(res)}`);
}

const rid = () => Math.random().toString(36).slice(2, 8).padEnd(6, "x");

describeCluster("redis wire format", (ctx) => {
  let cap;
  let pub;
  before(async () => {
    cap = await capture(ctx.redis, ["socket.io#*", "socket.io-request#*", "socket.io-response#*"]);
    pub = await ctx.redis.client();
  });
  after(async () => {
    await cap?.close();
    await pub?.quit().catch(() => {});
  });

  test("exactly one plain SUBSCRIBE per instance on each namespace's request channel (NUMSUB = 2)", async () => {
    for (const ns of ["/", "/custom", "/secure"]) {
      const res = await pub.sendCommand(["PUBSUB", "NUMSUB", `socket.io-request#${ns}#`]);
      assert.equal(Number(res[1]), 2, `NUMSUB socket.io-request#${ns}#`);
    }
    const numpat = Number(await pub.sendCommand(["PUBSUB", "NUMPAT"]));
    assert.ok(numpat >= 2 * 3, `each instance PSUBSCRIBEs socket.io#<nsp>#* (NUMPAT ${numpat})`);
  });

  test("an instance has subscribed to every namespace channel when /health first answers 200", async () => {
    // PUBSUB NUMPAT counts unique patterns: sum the per-connection psub counts of CLIENT LIST instead.
    const psubTotal = async () => [...String(await pub.sendCommand(["CLIENT", "LIST", "TYPE", "pubsub"])).matchAll(/ psub=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    const before = await psubTotal();
    const srv = await startServer({ INSTANCE_ID: ctx.uniq("third"), REDIS_URL: ctx.redis.url }, { command: commandFor(ctx.kinds[0]), name: "health probe", timeoutMs: 20000 });
    try {
      // Poll /health as fast as possible; at the first 200, Redis must already count the subscriptions.
      const deadline = Date.now() + 15000;
      for (;;) {
        const r = await api(srv.url, "GET", "/health").catch(() => null);
        if (r?.status === 200) break;
        assert.ok(Date.now() < deadline, "/health never answered 200");
        await sleep(2);
      }
      for (const ns of ["/", "/custom", "/secure"]) {
        const res = await pub.sendCommand(["PUBSUB", "NUMSUB", `socket.io-request#${ns}#`]);
        assert.equal(Number(res[1]), 3, `NUMSUB socket.io-request#${ns}# at the first /health 200`);
      }
      const after = await psubTotal();
      assert.ok(after >= before + 3, `PSUBSCRIBE socket.io#<nsp>#* for the 3 namespaces done (pattern subscriptions ${before} -> ${after})`);
    } finally {
      await srv.stop();
    }
    await waitServerCount(ctx.instances, 2);
  });

  test("one-room broadcast: msgpack [uid, {type:2, data, nsp}, {rooms, except, flags}] on socket.io#/#room#", async () => {
    const room = ctx.uniq("room");
    const [sender, cb] = await ctx.connectAll();
    await Promise.all([join(sender, room), join(cb, room)]);
    const senderId = (await whoami(sender)).id;
    const ev = ctx.uniq("wire");
    const rec = record(cb, ev);
    await ack1(sender, "room-emit", { event: ev, args: [Buffer.from([9, 8]), { d: [Buffer.from("z")] }, 1.5, -3], room });
    await rec.next();
    const [m] = await cap.wait((x) => !x.json && Array.isArray(x.value) && x.value[1]?.data?.[0] === ev);
    assert.equal(m.channel, `socket.io#/#${room}#`);
    const [uid, packet, opts] = m.value;
    assert.equal(typeof uid, "string");
    assert.notEqual(uid, "emitter");
    assert.equal(packet.type, 2, "binary stays in a type-2 packet (never 5 + placeholders)");
    assert.equal(packet.nsp, "/");
    assert.equal(packet.id, undefined);
    assert.ok(Buffer.isBuffer(packet.data[1]), "binary as msgpack bin");
    assert.deepEqual(packet.data[1], Buffer.from([9, 8]));
    assert.deepEqual(packet.data[2].d[0], Buffer.from("z"));
    assert.deepEqual(packet.data.slice(3), [1.5, -3]);
    assert.deepEqual(opts.rooms, [room]);
    assert.deepEqual(opts.except, [senderId], "socket.to(room) excludes the sender's id");
    assert.equal(typeof opts.flags, "object");
  });

  test("several rooms / no room go to socket.io#<nsp>#; local: true is not published", async () => {
    cap.clear();
    const ev = ctx.uniq("wire");
    const r1 = ctx.uniq("r");
    const r2 = ctx.uniq("r");
    let r = await ctx.A.api("POST", "/emit", { body: { event: ev, data: "local", local: true } });
    assert.equal(r.status, 200);
    r = await ctx.A.api("POST", "/emit", { body: { event: ev, data: "multi", room: [r1, r2], except: "x" } });
    assert.equal(r.status, 200);
    r = await ctx.A.api("POST", "/emit", { body: { event: ev, data: "all", namespace: "/custom" } });
    assert.equal(r.status, 200);
    const [all] = await cap.wait((x) => Array.isArray(x.value) && x.value[1]?.data?.[1] === "all");
    assert.equal(all.channel, "socket.io#/custom#");
    assert.equal(all.value[1].nsp, "/custom");
    assert.deepEqual(all.value[2].rooms ?? [], []);
    const [multi] = cap.messages.filter((x) => Array.isArray(x.value) && x.value[1]?.data?.[1] === "multi");
    assert.ok(multi, "multi-room broadcast published before the later one");
    assert.equal(multi.channel, "socket.io#/#");
    assert.deepEqual([...multi.value[2].rooms].sort(), [r1, r2].sort());
    assert.deepEqual(multi.value[2].except, ["x"]);
    assert.equal(cap.messages.filter((x) => Array.isArray(x.value) && x.value[1]?.data?.[1] === "local").length, 0, "flags.local broadcasts are not published");
  });

  test("requests sent by the asked instance: 5 REMOTE_FETCH, 2/3 JOIN/LEAVE, 4 DISCONNECT, 6 SERVER_SIDE_EMIT (JSON) and the responses", async () => {
    const room = ctx.uniq("room");
    const [, cb] = await ctx.connectAll();
    await join(cb, room);
    cap.clear();
    const reqs = (type) => cap.wait((m) => m.channel === "socket.io-request#/#" && m.value?.type === type);

    assert.equal((await ctx.A.api("GET", `/sockets?room=${room}`)).body.count, 1);
    const [fetch] = await reqs(5);
    assert.ok(fetch, "REMOTE_FETCH published");
    assert.ok(fetch.json, "REMOTE_FETCH is JSON");
    assert.equal(typeof fetch.value.uid, "string");
    assert.equal(typeof fetch.value.requestId, "string");
    assert.deepEqual(fetch.value.opts, { rooms: [room], except: [] });
    const [resp] = await cap.wait((m) => m.channel.startsWith("socket.io-response#/#") && m.value?.requestId === fetch.value.requestId);
    assert.ok(resp.json);
    assert.equal(resp.value.sockets.length, 1);
    const s = resp.value.sockets[0];
    assert.deepEqual(Object.keys(s).sort(), ["data", "handshake", "id", "rooms"]);
    assert.equal(s.data.instance, ctx.B.id);
    assert.ok(s.rooms.includes(room) && s.rooms.includes(s.id));

    await ctx.A.api("POST", "/sockets/join", { body: { join: "jj", room } });
    await ctx.A.api("POST", "/sockets/leave", { body: { leave: ["jj"], room } });
    await ctx.A.api("POST", "/server-side-emit", { body: { event: "noop-relay", args: [1] } });
    await ctx.A.api("POST", "/disconnect", { body: { room: ctx.uniq("nobody"), close: true } });
    const [dis] = await cap.wait((m) => m.value?.type === 4 && m.channel === "socket.io-request#/#");
    const [j] = await reqs(2);
    const [l] = await reqs(3);
    const [sse] = await reqs(6);
    assert.ok(j && j.json && l && l.json && sse && sse.json && dis.json, "requests 2, 3, 4, 6 are JSON");
    assert.deepEqual(j.value.opts, { rooms: [room], except: [] });
    assert.deepEqual(j.value.rooms, ["jj"]);
    assert.deepEqual(l.value.rooms, ["jj"]);
    assert.equal(dis.value.close, true);
    assert.deepEqual(sse.value.data, ["contract:relay", { event: "noop-relay", args: [1], room: [] }]);
    assert.equal(sse.value.requestId, undefined, "server-side emit without ack has no requestId");
  });

  test("/peers: SERVER_SIDE_EMIT with requestId, answered {type:6, requestId, data} on the generic response channel", async () => {
    cap.clear();
    const r = await ctx.A.api("GET", "/peers");
    assert.deepEqual(r.body.responses, [{ instance: ctx.B.id }]);
    const [req] = await cap.wait((m) => m.channel === "socket.io-request#/#" && m.value?.type === 6);
    assert.ok(req?.json && typeof req.value.requestId === "string");
    assert.deepEqual(req.value.data, ["contract:whoami"]);
    const [resp] = await cap.wait((m) => m.channel === "socket.io-response#/#" && m.value?.requestId === req.value.requestId);
    assert.deepEqual(resp.value, { type: 6, requestId: req.value.requestId, data: { instance: ctx.B.id } });
  });

  test("/emit-with-ack: msgpack BROADCAST request (7) with flags.timeout; JSON 8 + msgpack 9 responses", async () => {
    const room = ctx.uniq("room");
    const [, cb] = await ctx.connectAll();
    await join(cb, room);
    const ev = ctx.uniq("ack");
    cb.on(ev, (x, cbk) => cbk({ got: x, bin: Buffer.from([7]) }));
    cap.clear();
    const r = await ctx.A.api("POST", "/emit-with-ack", { body: { event: ev, data: 3, room, timeout: 4000 } });
    assert.equal(r.body.timedOut, false, r.text);
    assert.equal(r.body.responses.length, 1);
    assert.equal(r.body.responses[0].got, 3);
    const [req] = await cap.wait((m) => m.channel === "socket.io-request#/#" && m.value?.type === 7);
    assert.ok(req, "BROADCAST request published");
    assert.equal(req.json, false, "type 7 is msgpack");
    assert.equal(req.value.packet.type, 2);
    assert.deepEqual(req.value.packet.data, [ev, 3]);
    assert.deepEqual(req.value.opts.rooms, [room]);
    assert.equal(typeof req.value.opts.flags.timeout, "number");
    const id = req.value.requestId;
    const [count] = await cap.wait((m) => m.value?.type === 8 && m.value.requestId === id);
    assert.ok(count.json, "type 8 is JSON");
    assert.equal(count.value.clientCount, 1);
    const [ackMsg] = await cap.wait((m) => m.value?.type === 9 && m.value.requestId === id);
    assert.equal(ackMsg.json, false, "type 9 is msgpack");
    assert.equal(ackMsg.value.packet.got, 3);
    assert.ok(Buffer.isBuffer(ackMsg.value.packet.bin), "binary ack value kept as msgpack bin");
  });

  // ----- hand-crafted requests: every instance must answer, even with no matching socket -----

  const waitBoth = (pred) => cap.wait(pred, { n: 2 });

  test("hand-crafted ALL_ROOMS (1) and SOCKETS (0) requests are answered by every instance", async () => {
    const room = ctx.uniq("room");
    const [ca, cb] = await ctx.connectAll();
    await Promise.all([join(ca, room), join(cb, room)]);
    const ids = (await Promise.all([whoami(ca), whoami(cb)])).map((w) => w.id);
    const id1 = rid();
    await pub.publish("socket.io-request#/#", JSON.stringify({ uid: "tester", requestId: id1, type: 1 }));
    const rooms = await waitBoth((m) => m.channel.startsWith("socket.io-response#/#") && m.value?.requestId === id1);
    assert.ok(rooms.every((m) => Array.isArray(m.value.rooms) && m.value.rooms.includes(room)));
    const id0 = rid();
    await pub.publish("socket.io-request#/#", JSON.stringify({ uid: "tester", requestId: id0, type: 0, rooms: [room] }));
    const socks = await waitBoth((m) => m.channel.startsWith("socket.io-response#/#") && m.value?.requestId === id0);
    assert.deepEqual(socks.flatMap((m) => m.value.sockets).sort(), ids.sort());
  });

  test("hand-crafted REMOTE_FETCH (5), JSON and msgpack, answered by every instance (also with zero sockets)", async () => {
    const room = ctx.uniq("room");
    const [ca] = await ctx.connectAll();
    await join(ca, room);
    for (const encode of [(o) => JSON.stringify(o), (o) => notepack.encode(o)]) {
      const id = rid();
      await pub.publish(Buffer.from("socket.io-request#/#"), encode({ uid: "tester", requestId: id, type: 5, opts: { rooms: [room], except: [] } }));
      const res = await waitBoth((m) => m.channel.startsWith("socket.io-response#/#") && m.value?.requestId === id);
      const all = res.flatMap((m) => m.value.sockets);
      assert.equal(all.length, 1, "one socket in the room (on A); B answers with an empty list");
      assert.equal(all[0].data.instance, ctx.A.id);
      assert.ok(res.some((m) => m.value.sockets.length === 0));
    }
  });

  test("hand-crafted SERVER_SIDE_EMIT with requestId (contract:whoami) in /custom: both instances answer", async () => {
    const id = rid();
    await pub.publish("socket.io-request#/custom#", JSON.stringify({ uid: "tester", requestId: id, type: 6, data: ["contract:whoami"] }));
    const res = await waitBoth((m) => m.channel === "socket.io-response#/custom#" && m.value?.requestId === id);
    assert.deepEqual(res.map((m) => m.value.data.instance).sort(), [ctx.A.id, ctx.B.id].sort());
    assert.ok(res.every((m) => m.value.type === 6));
  });

  test("hand-crafted BROADCAST with ack (7): each instance reports its client count (0 too) then relays acks", async () => {
    const room = ctx.uniq("room");
    const [, cb] = await ctx.connectAll();
    await join(cb, room);
    const ev = ctx.uniq("hq");
    cb.on(ev, (x, cbk) => cbk(`ack-${x}`));
    const id = rid();
    const req = { uid: "tester", requestId: id, type: 7, packet: { type: 2, data: [ev, 5], nsp: "/" }, opts: { rooms: [room], except: [], flags: { timeout: 3000 } } };
    await pub.publish(Buffer.from("socket.io-request#/#"), notepack.encode(req));
    const counts = await waitBoth((m) => m.value?.type === 8 && m.value.requestId === id);
    assert.deepEqual(counts.map((m) => m.value.clientCount).sort(), [0, 1], "a BROADCAST_CLIENT_COUNT from every instance, even with 0 clients");
    const [ackMsg] = await cap.wait((m) => m.value?.type === 9 && m.value.requestId === id);
    assert.equal(ackMsg.value.packet, "ack-5");
  });

  test("hand-crafted broadcasts: no flags, no nsp, Date extension, emitter uid; single-room channel", async () => {
    const room = ctx.uniq("room");
    const [ca, cb] = await ctx.connectAll();
    await Promise.all([join(ca, room), join(cb, room)]);
    const ev = ctx.uniq("hand");
    const recs = [ca, cb].map((s) => record(s, ev));
    const date = new Date(1700000000123);
    await pub.publish(Buffer.from("socket.io#/#"), notepack.encode(["zzzzzz", { type: 2, data: [ev, "no-flags"], nsp: "/" }, { rooms: [], except: [] }]));
    await pub.publish(Buffer.from(`socket.io#/#${room}#`), notepack.encode(["zzzzzz", { type: 2, data: [ev, "no-nsp", date] }, { rooms: [room], except: [], flags: {} }]));
    await pub.publish(Buffer.from("socket.io#/#"), notepack.encode(["emitter", { type: 2, data: [ev, "emitter-uid", 2.0], nsp: "/" }, { rooms: [room], flags: {}, except: [] }]));
    for (const r of recs) {
      assert.deepEqual(await r.next((a) => a[0] === "no-flags"), ["no-flags"]);
      assert.deepEqual(await r.next((a) => a[0] === "no-nsp"), ["no-nsp", "2023-11-14T22:13:20.123Z"]);
      assert.deepEqual(await r.next((a) => a[0] === "emitter-uid"), ["emitter-uid", 2]);
    }
  });

  test("hand-crafted uid-less REMOTE_JOIN (emitter form) applies on every instance", async () => {
    const room = ctx.uniq("room");
    const [ca, cb] = await ctx.connectAll();
    await Promise.all([join(ca, room), join(cb, room)]);
    const j = ctx.uniq("j");
    await pub.publish("socket.io-request#/#", JSON.stringify({ type: 2, opts: { rooms: [room], except: [] }, rooms: [j] }));
    const list = await (async () => {
      for (let i = 0; i < 100; i++) {
        const r = await ctx.A.api("GET", `/sockets?room=${j}`);
        if (r.body.count === 2) return r.body;
        await new Promise((res) => setTimeout(res, 50));
      }
      return (await ctx.A.api("GET", `/sockets?room=${j}`)).body;
    })();
    assert.deepEqual(list.sockets.map((s) => s.data.instance).sort(), [ctx.A.id, ctx.B.id].sort());
  });
});
