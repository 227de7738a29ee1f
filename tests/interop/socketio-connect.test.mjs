// docs/contract.md §2.3 CONNECT answers, §3 namespaces and /secure middleware, multiplexing and
// isolation, socket ids, connectTimeout.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { Manager } from "socket.io-client";
import { startServer } from "./lib/server.mjs";
import { rawSio, connectClient, ack, ack1, once, sleep, api, pollHandshake, Poller, waitUntil, TRANSPORT_MODES, withTimeout } from "./lib/util.mjs";

let srv; // recovery off: CONNECT answers are exactly {"sid"}
let csr; // recovery on
before(async () => {
  [srv, csr] = await Promise.all([
    startServer({ CONNECTION_STATE_RECOVERY: "0", CONNECT_TIMEOUT: "1000", INSTANCE_ID: "inst-connect" }, { name: "csr off" }),
    startServer({ CONNECTION_STATE_RECOVERY: "1" }, { name: "csr on" }),
  ]);
});
after(() => Promise.all([srv?.stop(), csr?.stop()]));

describe("raw CONNECT answers", () => {
  test("/ answers exactly 40{\"sid\"} with a socket id distinct from the engine id", async () => {
    const c = await rawSio(srv.url);
    try {
      const ans = await c.connect("/");
      assert.match(ans.raw, /^40\{"sid":"[^"]+"\}$/);
      assert.notEqual(ans.data.sid, c.open.sid);
    } finally {
      c.close();
    }
  });

  test("/custom answers 40/custom,{\"sid\"}", async () => {
    const c = await rawSio(srv.url);
    try {
      const ans = await c.connect("/custom");
      assert.match(ans.raw, /^40\/custom,\{"sid":"[^"]+"\}$/);
      assert.notEqual(ans.data.sid, c.open.sid);
    } finally {
      c.close();
    }
  });

  test("with recovery enabled the answer is {\"sid\",\"pid\"} with pid distinct from sid", async () => {
    const c = await rawSio(csr.url);
    try {
      const ans = await c.connect("/");
      assert.match(ans.raw, /^40\{"sid":"[^"]+","pid":"[^"]+"\}$/);
      assert.notEqual(ans.data.sid, ans.data.pid);
      const custom = await c.connect("/custom");
      assert.match(custom.raw, /^40\/custom,\{"sid":"[^"]+","pid":"[^"]+"\}$/);
    } finally {
      c.close();
    }
  });

  test("/secure with token ok is admitted; bad/missing/non-string token refused with unauthorized {code:401}; connection kept", async () => {
    const c = await rawSio(srv.url);
    try {
      for (const auth of [undefined, { token: "bad" }, { token: 1 }, { token: "OK" }, { token: ["ok"] }]) {
        const ans = await c.connect("/secure", auth);
        assert.equal(ans.raw, '44/secure,{"message":"unauthorized","data":{"code":401}}', JSON.stringify(auth));
      }
      const ok = await c.connect("/secure", { token: "ok" });
      assert.match(ok.raw, /^40\/secure,\{"sid":"[^"]+"\}$/);
      // The connection survived every refusal.
      c.send('42/secure,["message","hi"]');
      const back = await c.nextPacket((p) => p.type === 2 && p.nsp === "/secure" && p.data[0] === "message-back");
      assert.deepEqual(back.data, ["message-back", "hi"]);
    } finally {
      c.close();
    }
  });

  test("unknown namespace: 44/<nsp>,{\"message\":\"Invalid namespace\"}, connection kept", async () => {
    const c = await rawSio(srv.url);
    try {
      const ans = await c.connect("/nope");
      assert.equal(ans.raw, '44/nope,{"message":"Invalid namespace"}');
      const ans2 = await c.connect("/admin", { token: "ok" });
      assert.equal(ans2.raw, '44/admin,{"message":"Invalid namespace"}');
      const ok = await c.connect("/");
      assert.equal(ok.type, 0);
      assert.equal(c.ws.closed, null);
    } finally {
      c.close();
    }
  });

  test("socket ids are unique across namespaces and connections", async () => {
    const ids = new Set();
    const clients = [];
    try {
      for (let i = 0; i < 5; i++) {
        const c = await rawSio(srv.url);
        clients.push(c);
        ids.add(c.open.sid);
        for (const nsp of ["/", "/custom"]) ids.add((await c.connect(nsp)).data.sid);
      }
      assert.equal(ids.size, 15);
    } finally {
      for (const c of clients) c.close();
    }
  });
});

describe("official client", () => {
  for (const mode of Object.keys(TRANSPORT_MODES)) {
    test(`(${mode}) connects to /, /custom and /secure; the auth greeting echoes the auth object`, async () => {
      for (const [nsp, auth] of [["/", undefined], ["/custom", { user: "ann", n: 1 }], ["/secure", { token: "ok", user: "bob" }]]) {
        let greeting;
        const socket = await connectClient(srv.url, nsp, { mode, auth, setup: (s) => s.on("auth", (...a) => (greeting = a)) });
        try {
          await waitUntil(() => greeting, { message: `auth greeting on ${nsp}` });
          assert.deepEqual(greeting, [auth ?? {}]);
          const who = await ack1(socket, "whoami");
          assert.equal(who.id, socket.id);
          assert.equal(who.nsp, nsp);
          assert.notEqual(who.id, who.engineId);
          assert.equal(who.engineId, socket.io.engine.id);
          assert.deepEqual(who.data, { instance: "inst-connect", user: auth?.user ?? null });
          assert.equal(who.instance, "inst-connect");
        } finally {
          socket.disconnect();
        }
      }
    });

    test(`(${mode}) /secure refusal reaches connect_error with message and data`, async () => {
      await assert.rejects(connectClient(srv.url, "/secure", { mode, auth: { token: "nope" } }), (err) => {
        assert.equal(err.message, "unauthorized");
        assert.deepEqual(err.data, { code: 401 });
        return true;
      });
      await assert.rejects(connectClient(srv.url, "/does-not-exist", { mode }), (err) => {
        assert.equal(err.message, "Invalid namespace");
        return true;
      });
    });
  }

  test("multiplexing: /, /custom, /secure and refused namespaces share one Engine.IO connection, isolated", async () => {
    const manager = new Manager(srv.url, { transports: ["websocket"], reconnection: false, forceNew: true });
    const root = manager.socket("/");
    const custom = manager.socket("/custom");
    const secure = manager.socket("/secure", { auth: { token: "ok" } });
    const nope = manager.socket("/nope");
    const refused = once(nope, "connect_error");
    const log = [];
    root.on("disconnect", (r) => log.push(`root disconnect: ${r}`));
    manager.on("close", (r) => log.push(`manager close: ${r}`));
    const alive = async (what) => {
      const r = await ack(root, "ack", what).catch((e) => [e.message, log]);
      assert.deepEqual(r, [what]);
    };
    try {
      await Promise.all([once(root, "connect"), once(custom, "connect"), once(secure, "connect")]);
      const [err] = await refused;
      assert.equal(err.message, "Invalid namespace");
      const [wr, wc, ws] = await Promise.all([ack1(root, "whoami"), ack1(custom, "whoami"), ack1(secure, "whoami")]);
      assert.equal(wr.engineId, manager.engine.id);
      assert.equal(wc.engineId, manager.engine.id);
      assert.equal(ws.engineId, manager.engine.id);
      assert.equal(new Set([wr.id, wc.id, ws.id]).size, 3);
      await alive("after refusal");

      // Events stay in their namespace.
      const got = { root: [], custom: [] };
      root.on("message-back", (...a) => got.root.push(a));
      custom.on("message-back", (...a) => got.custom.push(a));
      root.emit("message", "for-root");
      custom.emit("message", "for-custom");
      await waitUntil(() => got.root.length && got.custom.length, { message: "message-back on both" });
      await sleep(100);
      assert.deepEqual(got, { root: [["for-root"]], custom: [["for-custom"]] });

      // Rooms are per namespace.
      await ack(root, "join", "shared");
      let leaked = false;
      root.on("ping-room", () => (leaked = true));
      custom.on("ping-room", () => (leaked = true));
      const r = await api(srv.url, "POST", "/emit", { body: { namespace: "/custom", room: "shared", event: "ping-room" } });
      assert.equal(r.status, 200);
      await sleep(200);
      assert.equal(leaked, false);

      // A server-side disconnect of /custom leaves / untouched.
      const disc = once(custom, "disconnect");
      custom.emit("disconnect-me");
      assert.equal((await disc)[0], "io server disconnect");
      assert.ok(root.connected);
      await alive("after server namespace disconnect");

      // A client-side namespace disconnect of /secure leaves / untouched too.
      secure.disconnect();
      await sleep(200);
      assert.ok(root.connected);
      await alive("after client namespace disconnect");
    } finally {
      manager.engine?.close();
    }
  });

  test("disconnect-me(true) disconnects every namespace of the connection", async () => {
    const manager = new Manager(srv.url, { transports: ["websocket"], reconnection: false, forceNew: true });
    const root = manager.socket("/");
    const custom = manager.socket("/custom");
    try {
      await Promise.all([once(root, "connect"), once(custom, "connect")]);
      const d1 = once(root, "disconnect");
      const d2 = once(custom, "disconnect");
      custom.emit("disconnect-me", true);
      const [[r1], [r2]] = await Promise.all([d1, d2]);
      // docs/contract.md §2.4: DISCONNECT is sent to every namespace before the connection is closed.
      assert.equal(r1, "io server disconnect");
      assert.equal(r2, "io server disconnect");
    } finally {
      manager.engine?.close();
    }
  });
});

describe("connectTimeout", () => {
  test("websocket connection without any CONNECT is closed after CONNECT_TIMEOUT", async () => {
    const c = await rawSio(srv.url);
    const t0 = Date.now();
    await c.ws.waitClose(6000);
    assert.ok(Date.now() - t0 >= 500, "closed far too early");
  });

  test("polling connection without any CONNECT is closed after CONNECT_TIMEOUT", async () => {
    const { sid } = await pollHandshake(srv.url);
    const p = new Poller(srv.url, sid);
    await waitUntil(
      async () => {
        const res = await p.get();
        if (res.status === 200) {
          for (const pk of res.packets) if (pk === "2") await p.send("3").catch(() => {});
          return false;
        }
        assert.equal(res.text, '{"code":1,"message":"Session ID unknown"}');
        return true;
      },
      { timeout: 8000, message: "polling session closed by connectTimeout" },
    );
  });

  test("a connection with a namespace stays open beyond CONNECT_TIMEOUT; a refused namespace does not count", async () => {
    const ok = await rawSio(srv.url);
    const refused = await rawSio(srv.url);
    try {
      await ok.connect("/");
      await refused.connect("/nope");
      await withTimeout(refused.ws.closePromise, 6000, "close of a connection with only a refused namespace");
      assert.equal(ok.ws.closed, null);
      ok.send('42["message",1]');
      assert.deepEqual((await ok.nextPacket((p) => p.type === 2 && p.data[0] === "message-back")).data, ["message-back", 1]);
    } finally {
      ok.close();
      refused.close();
    }
  });
});
