// docs/contract.md §2.7 connection state recovery (standalone): pid, offsets, replay of missed packets,
// rooms/data kept, recovered=true, middlewares skipped, new session when not recoverable.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { connectClient, once, api, waitUntil, rawSio, ack, ack1, sleep } from "./lib/util.mjs";

let srv; // recovery on
let short; // recovery on, 1000 ms
let off; // recovery off
before(async () => {
  [srv, short, off] = await Promise.all([
    startServer({ PING_INTERVAL: "300", PING_TIMEOUT: "200", INSTANCE_ID: "inst-csr" }, { name: "csr" }),
    startServer({ RECOVERY_MAX_DISCONNECTION_MS: "1000" }, { name: "csr 1000ms" }),
    startServer({ CONNECTION_STATE_RECOVERY: "0" }, { name: "csr off" }),
  ]);
});
after(() => Promise.all([srv?.stop(), short?.stop(), off?.stop()]));

async function reasonOf(server, id, namespace = "/") {
  const q = namespace !== "/" ? `&namespace=${encodeURIComponent(namespace)}` : "";
  return waitUntil(
    async () => {
      const r = await api(server.url, "GET", `/disconnect-reason?id=${encodeURIComponent(id)}${q}`);
      return r.status === 200 && r.body.reason;
    },
    { message: `disconnect reason of ${id}` },
  );
}

const isOffset = (v) => typeof v === "string" && v.length > 0;

/** Raw connect on a recovery server; returns {c, sid, pid, offset (from the auth greeting)}. */
async function rawSession(server, nsp = "/", auth) {
  const c = await rawSio(server.url);
  const ans = await c.connect(nsp, auth);
  assert.equal(ans.type, 0, ans.raw);
  const greeting = await c.nextPacket((p) => p.type === 2 && p.nsp === nsp && p.data[0] === "auth");
  const offset = greeting.data[greeting.data.length - 1];
  assert.ok(isOffset(offset), `auth greeting without offset: ${greeting.raw}`);
  return { c, sid: ans.data.sid, pid: ans.data.pid, offset, greeting };
}

describe("offsets on the wire", () => {
  test("CONNECT carries pid; non-volatile events without ack id carry an offset as last argument", async () => {
    const { c, sid, pid, greeting } = await rawSession(srv, "/", { user: "o" });
    try {
      assert.ok(pid && pid !== sid);
      assert.equal(greeting.data.length, 3);
      assert.deepEqual(greeting.data.slice(0, 2), ["auth", { user: "o" }]);

      c.send('42["message",1,"two"]');
      const back = await c.nextPacket((p) => p.type === 2 && p.data[0] === "message-back");
      assert.equal(back.data.length, 4);
      assert.deepEqual(back.data.slice(0, 3), ["message-back", 1, "two"]);
      assert.ok(isOffset(back.data[3]));
      assert.notEqual(back.data[3], greeting.data[2], "offsets identify packets");

      // Acknowledgements carry no offset.
      c.send('427["message-with-ack",1,"two"]');
      assert.equal((await c.nextPacket((p) => p.type === 3)).raw, '437[1,"two"]');

      // Volatile events carry no offset; the normal `:done` event does.
      c.send('42["volatile-burst",{"count":2}]');
      const done = await c.nextPacket((p) => p.type === 2 && p.data[0] === "volatile:done");
      assert.equal(done.data.length, 3);
      assert.equal(done.data[1], 2);
      assert.ok(isOffset(done.data[2]));
      for (const v of c.ws.queue.filter((m) => typeof m === "string" && m.startsWith('42["volatile",'))) {
        assert.match(v, /^42\["volatile",\d+\]$/);
      }

      // An emit with an ack id (request-ack) carries no offset.
      c.send('428["request-ack",{"event":"question","args":[5]}]');
      const q = await c.nextPacket((p) => p.type === 2 && p.id !== undefined && p.data[0] === "question");
      assert.deepEqual(q.data, ["question", 5]);
      c.send(`43${q.id}["answer"]`);
      assert.equal((await c.nextPacket((p) => p.type === 3 && p.id === 8)).raw, '438[{"timedOut":false,"args":["answer"]}]');

      // Broadcasts (REST) carry an offset too.
      await api(srv.url, "POST", "/emit", { body: { room: sid, event: "bcast", data: "x" } });
      const b = await c.nextPacket((p) => p.type === 2 && p.data[0] === "bcast");
      assert.equal(b.data.length, 3);
      assert.ok(isOffset(b.data[2]));
    } finally {
      c.close();
    }
  });

  test("with CONNECTION_STATE_RECOVERY=0: no pid and no offsets", async () => {
    const c = await rawSio(off.url);
    try {
      const ans = await c.connect("/");
      assert.match(ans.raw, /^40\{"sid":"[^"]+"\}$/);
      assert.equal((await c.nextPacket((p) => p.data?.[0] === "auth")).raw, '42["auth",{}]');
      c.send('42["message",1]');
      assert.equal((await c.nextPacket((p) => p.data?.[0] === "message-back")).raw, '42["message-back",1]');
      const info = (await api(off.url, "GET", "/info")).body;
      assert.equal(info.connectionStateRecovery, false);
    } finally {
      c.close();
    }
  });
});

describe("official client recovery after a forced transport drop", () => {
  for (const mode of ["websocket", "polling"]) {
    test(`${mode}: same id, recovered=true, rooms and data kept, missed broadcasts replayed once in order`, async () => {
      const greetings = [];
      const missed = [];
      const s = await connectClient(srv.url, "/custom", {
        mode,
        auth: { user: "rita" },
        setup: (sock) => {
          sock.on("auth", (...a) => greetings.push(a));
          sock.on("missed", (...a) => missed.push(a));
        },
      });
      try {
        await waitUntil(() => greetings.length === 1, { message: "first greeting" });
        assert.equal(s.recovered, false);
        await ack(s, "join", ["r1", "r2"]);
        const id = s.id;
        const before = await ack1(s, "whoami");

        s.io.engine.close();
        assert.equal(await reasonOf(srv, id, "/custom"), "transport close");

        for (const [room, data] of [["r1", 1], ["elsewhere", 99], ["r2", 2], ["r1", 3]]) {
          const r = await api(srv.url, "POST", "/emit", { body: { namespace: "/custom", room, event: "missed", data } });
          assert.deepEqual(r.body, { ok: true });
        }
        await api(srv.url, "POST", "/emit", { body: { namespace: "/custom", room: "r1", event: "missed", data: 100, volatile: true } });
        await api(srv.url, "POST", "/emit", { body: { namespace: "/", room: "r1", event: "missed", data: 101 } });

        const reconnected = once(s, "connect");
        s.connect();
        await reconnected;
        assert.equal(s.recovered, true);
        assert.equal(s.id, id);
        await waitUntil(() => missed.length >= 3, { message: "replayed packets" });
        await sleep(300);
        assert.deepEqual(missed.map((a) => a[0]), [1, 2, 3], "replayed once, in order, only those targeting the socket; volatile never stored");
        for (const a of missed) {
          assert.equal(a.length, 2);
          assert.ok(isOffset(a[1]));
        }

        const after = await ack1(s, "whoami");
        assert.equal(after.recovered, true);
        assert.equal(after.id, id);
        assert.deepEqual(after.rooms, ["r1", "r2"]);
        assert.deepEqual(after.data, before.data);
        assert.deepEqual(after.data, { instance: "inst-csr", user: "rita" });

        // The connection handler ran again: a second greeting, with the auth of the CONNECT.
        await waitUntil(() => greetings.length === 2, { message: "greeting after recovery" });
        assert.equal(greetings[1][0].user, "rita");

        // New packets keep flowing.
        assert.deepEqual(await ack(s, "ack", "post-recovery"), ["post-recovery"]);
      } finally {
        s.disconnect();
      }
    });
  }
});

describe("raw recovery rules", () => {
  test("middlewares are skipped on recovery (/secure with a now-bad token); replay happens", async () => {
    const first = await rawSession(srv, "/secure", { token: "ok", user: "sec" });
    first.c.send('42/secure,1["join","vault"]');
    assert.deepEqual((await first.c.nextPacket((p) => p.type === 3)).data, [{ rooms: ["vault"] }]);
    first.c.ws.terminate();
    assert.equal(await reasonOf(srv, first.sid, "/secure"), "transport close");
    await api(srv.url, "POST", "/emit", { body: { namespace: "/secure", room: "vault", event: "missed", args: ["m1", { k: 1 }] } });
    await api(srv.url, "POST", "/emit", { body: { namespace: "/secure", room: "vault", event: "missed", args: ["m2"] } });

    const c = await rawSio(srv.url);
    try {
      const ans = await c.connect("/secure", { token: "bad", pid: first.pid, offset: first.offset });
      assert.equal(ans.type, 0, `recovery must skip the middleware: ${ans.raw}`);
      assert.deepEqual(ans.data, { sid: first.sid, pid: first.pid });
      const m1 = await c.nextPacket((p) => p.type === 2 && p.data[0] === "missed" && p.data[1] === "m1");
      assert.deepEqual(m1.data.slice(0, 3), ["missed", "m1", { k: 1 }]);
      assert.ok(isOffset(m1.data[3]));
      await c.nextPacket((p) => p.type === 2 && p.data[0] === "missed" && p.data[1] === "m2");
      c.send('42/secure,2["whoami"]');
      const who = (await c.nextPacket((p) => p.type === 3 && p.id === 2)).data[0];
      assert.equal(who.recovered, true);
      assert.deepEqual(who.rooms, ["vault"]);
      assert.deepEqual(who.data, { instance: "inst-csr", user: "sec" });
      // Replayed packets are not duplicated.
      await sleep(200);
      const missed = c.ws.queue.filter((m) => typeof m === "string" && m.includes('"missed"'));
      assert.deepEqual(missed, [], `duplicates: ${missed}`);
    } finally {
      c.close();
    }
  });

  test("recovery after a ping timeout", async () => {
    const first = await rawSession(srv, "/");
    first.c.ws.autoPong = false;
    assert.equal(await reasonOf(srv, first.sid), "ping timeout");
    const c = await rawSio(srv.url);
    try {
      const ans = await c.connect("/", { pid: first.pid, offset: first.offset });
      assert.deepEqual(ans.data, { sid: first.sid, pid: first.pid });
    } finally {
      c.close();
    }
  });

  for (const [what, trigger, reason] of [
    ["client namespace disconnect", (c) => c.send("41"), "client namespace disconnect"],
    ["server namespace disconnect", (c) => c.send('42["disconnect-me"]'), "server namespace disconnect"],
  ]) {
    test(`no recovery after ${what}: new sid and new pid`, async () => {
      const first = await rawSession(srv, "/");
      trigger(first.c);
      assert.equal(await reasonOf(srv, first.sid), reason);
      const ans = await first.c.connect("/", { pid: first.pid, offset: first.offset });
      try {
        assert.equal(ans.type, 0);
        assert.notEqual(ans.data.sid, first.sid);
        assert.ok(ans.data.pid);
        assert.notEqual(ans.data.pid, first.pid);
        first.c.send('421["whoami"]');
        const who = (await first.c.nextPacket((p) => p.type === 3 && p.id === 1)).data[0];
        assert.equal(who.recovered, false);
      } finally {
        first.c.close();
      }
    });
  }

  test("unknown pid or unknown offset: a new session, not an error", async () => {
    const c = await rawSio(srv.url);
    try {
      const ans = await c.connect("/", { pid: "unknownpid0000000000", offset: "nope" });
      assert.equal(ans.type, 0);
      assert.ok(ans.data.sid && ans.data.pid);
      assert.notEqual(ans.data.pid, "unknownpid0000000000");
      const first = await rawSession(srv, "/");
      first.c.ws.terminate();
      await reasonOf(srv, first.sid);
      const ans2 = await c.connect("/custom", { pid: first.pid, offset: "not-an-offset" });
      assert.equal(ans2.type, 0);
      assert.notEqual(ans2.data.sid, first.sid);
    } finally {
      c.close();
    }
  });

  test("sessions expire after RECOVERY_MAX_DISCONNECTION_MS", async () => {
    const first = await rawSession(short, "/");
    first.c.ws.terminate();
    await reasonOf(short, first.sid);
    await sleep(2500);
    const c = await rawSio(short.url);
    try {
      const ans = await c.connect("/", { pid: first.pid, offset: first.offset });
      assert.equal(ans.type, 0);
      assert.notEqual(ans.data.sid, first.sid);
    } finally {
      c.close();
    }
  });

  test("a session within RECOVERY_MAX_DISCONNECTION_MS is recovered", async () => {
    const first = await rawSession(short, "/");
    first.c.ws.terminate();
    await reasonOf(short, first.sid);
    const c = await rawSio(short.url);
    try {
      const ans = await c.connect("/", { pid: first.pid, offset: first.offset });
      assert.deepEqual(ans.data, { sid: first.sid, pid: first.pid });
    } finally {
      c.close();
    }
  });

  test("with recovery disabled a pid/offset CONNECT is a new session", async () => {
    const c = await rawSio(off.url);
    try {
      const first = await c.connect("/");
      c.send("41");
      assert.equal(await reasonOf(off, first.data.sid), "client namespace disconnect");
      const ans = await c.connect("/", { pid: "whatever000000000000", offset: "x" });
      assert.match(ans.raw, /^40\{"sid":"[^"]+"\}$/);
      assert.notEqual(ans.data.sid, first.data.sid);
    } finally {
      c.close();
    }
  });
});

describe("more recoverable reasons and targeting at emit time", () => {
  test("recovery after a transport error (oversize websocket message)", async () => {
    const first = await rawSession(srv, "/custom");
    first.c.send("4" + "x".repeat(1000001));
    assert.equal((await first.c.ws.waitClose()).code, 1009);
    assert.equal(await reasonOf(srv, first.sid, "/custom"), "transport error");
    await api(srv.url, "POST", "/emit", { body: { namespace: "/custom", room: first.sid, event: "missed", data: "te" } });
    const c = await rawSio(srv.url);
    try {
      const ans = await c.connect("/custom", { pid: first.pid, offset: first.offset });
      assert.deepEqual(ans.data, { sid: first.sid, pid: first.pid }, "a transport error is recoverable");
      const m = await c.nextPacket((p) => p.type === 2 && p.data[0] === "missed");
      assert.equal(m.data[1], "te");
    } finally {
      c.close();
    }
  });

  test("recovery after a malformed Socket.IO packet (forced close is recoverable; parse error is not, as socket.io 4.8)", async () => {
    const first = await rawSession(srv, "/");
    first.c.send('42["disconnect"]');
    await first.c.ws.waitClose();
    const reason = await reasonOf(srv, first.sid);
    assert.ok(["forced close", "parse error"].includes(reason), reason);
    const c = await rawSio(srv.url);
    try {
      const ans = await c.connect("/", { pid: first.pid, offset: first.offset });
      assert.equal(ans.type, 0, ans.raw);
      if (reason === "forced close") assert.deepEqual(ans.data, { sid: first.sid, pid: first.pid }, "forced close is recoverable");
      else assert.notEqual(ans.data.sid, first.sid, "parse error is not recoverable");
    } finally {
      c.close();
    }
  });

  test("replay honours room and except as they were at emit time", async () => {
    const first = await rawSession(srv, "/custom");
    first.c.send('42/custom,1["join",["in","vip"]]');
    assert.deepEqual((await first.c.nextPacket((p) => p.type === 3 && p.id === 1)).data, [{ rooms: ["in", "vip"] }]);
    first.c.ws.terminate();
    assert.equal(await reasonOf(srv, first.sid, "/custom"), "transport close");
    const emit = (body) => api(srv.url, "POST", "/emit", { body: { namespace: "/custom", event: "missed", ...body } });
    await emit({ room: "in", data: 1 });
    await emit({ room: "in", except: "vip", data: 2 }); // excluded: the socket is in vip
    await emit({ except: "nobody", data: 3 }); // whole namespace
    await emit({ room: ["in", "vip"], except: ["other"], data: 4 });
    await emit({ except: ["in"], data: 5 }); // excluded
    await emit({ room: "out", data: 6 }); // not in that room
    const c = await rawSio(srv.url);
    try {
      const ans = await c.connect("/custom", { pid: first.pid, offset: first.offset });
      assert.deepEqual(ans.data, { sid: first.sid, pid: first.pid });
      c.send('42/custom,9["ack","end"]');
      await c.nextPacket((p) => p.type === 3 && p.id === 9);
      const got = c.ws.queue
        .filter((m) => typeof m === "string" && m.startsWith('42/custom,["missed"'))
        .map((m) => JSON.parse(m.slice("42/custom,".length))[1]);
      assert.deepEqual(got, [1, 3, 4]);
    } finally {
      c.close();
    }
  });
});
