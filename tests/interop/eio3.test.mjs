// ALLOW_EIO3 (docs/protocol.md §1.14, docs/contract.md §1): the real socket.io-client 2.5
// (Engine.IO 3, Socket.IO protocol 4) against sio-server, over polling only, WebSocket only and
// polling→WebSocket: the implicit main namespace, events and acks both ways, binary, a custom
// namespace with its query as the auth, middleware and namespace refusals, the client's
// heartbeat, disconnects; and without ALLOW_EIO3 the same client is refused.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { startServer } from "./lib/server.mjs";
import { once, withTimeout, api, waitUntil, request, eioUrl } from "./lib/util.mjs";

const require = createRequire(import.meta.url);
const ioV2 = require("socket.io-client-v2");

const MODES = {
  polling: { transports: ["polling"] },
  websocket: { transports: ["websocket"] },
  upgrade: { transports: ["polling", "websocket"] },
};

let srv;
before(async () => {
  srv = await startServer({
    ALLOW_EIO3: "1",
    CONNECTION_STATE_RECOVERY: "0",
    PING_INTERVAL: "300",
    PING_TIMEOUT: "300",
    INSTANCE_ID: "inst-eio3",
  });
});
after(() => srv?.stop());

const clients = [];
after(() => {
  for (const c of clients.splice(0)) c.close();
});

/** A v2 socket on `nsp`, resolved once connected (and, for "upgrade", once on WebSocket). */
async function connectV2(nsp, mode, opts = {}, setup) {
  const socket = ioV2(srv.url + (nsp === "/" ? "" : nsp), {
    forceNew: true,
    reconnection: false,
    timeout: 8000,
    ...MODES[mode],
    ...opts,
  });
  clients.push(socket);
  setup?.(socket);
  await withTimeout(
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
      socket.once("error", reject);
    }),
    8000,
    `v2 connect ${nsp} (${mode})`,
  );
  if (mode === "upgrade" && socket.io.engine.transport.name !== "websocket") {
    await once(socket.io.engine, "upgrade", 8000);
  }
  return socket;
}

/** Emits with an acknowledgement; resolves with all the ack's arguments. */
function ackV2(socket, event, ...args) {
  return withTimeout(new Promise((resolve) => socket.emit(event, ...args, (...res) => resolve(res))), 5000, `ack of ${event}`);
}

async function reasonOf(id, namespace = "/") {
  const q = namespace !== "/" ? `&namespace=${encodeURIComponent(namespace)}` : "";
  return waitUntil(
    async () => {
      const r = await api(srv.url, "GET", `/disconnect-reason?id=${encodeURIComponent(id)}${q}`);
      return r.status === 200 ? r.body.reason : null;
    },
    { message: `disconnect reason of ${id}` },
  );
}

const bin = (...bytes) => Buffer.from(bytes);

for (const mode of Object.keys(MODES)) {
  describe(`socket.io-client 2.x, ${mode}`, () => {
    test("joins / without a CONNECT of its own and gets the auth greeting", async () => {
      let greeting;
      const s = await connectV2("/", mode, {}, (sock) => {
        greeting = once(sock, "auth");
      });
      assert.deepEqual(await greeting, [{}]);
      const who = (await ackV2(s, "whoami"))[0];
      assert.equal(who.nsp, "/");
      assert.equal(who.instance, "inst-eio3");
      assert.equal(who.engineId, s.io.engine.id);
      assert.equal(who.id, s.id); // socket.io 2's id: the engine's sid on "/"
      assert.equal(s.id, s.io.engine.id);
      assert.equal(who.transport, mode === "polling" ? "polling" : "websocket");
      assert.equal(who.query.EIO, "3");
      s.close();
    });

    test("events and acknowledgements both ways", async () => {
      const s = await connectV2("/", mode);
      const args = ["str", 42, 1.5, null, true, { nested: { arr: [1, "two"] } }, "üñí\u001e\n"];
      const back = once(s, "message-back");
      s.emit("message", ...args);
      assert.deepEqual(await back, args);
      assert.deepEqual(await ackV2(s, "message-with-ack", 1, "a", { b: [2] }), [1, "a", { b: [2] }]);

      // The server asks, the client answers.
      s.on("question", (...got) => {
        const answer = got.pop();
        assert.deepEqual(got, [7, "x"]);
        answer("reply", { n: 1 });
      });
      const result = (await ackV2(s, "request-ack", { event: "question", args: [7, "x"], timeout: 3000 }))[0];
      assert.deepEqual(result, { timedOut: false, args: ["reply", { n: 1 }] });
      s.close();
    });

    test("binary both ways, as events and as acknowledgements", async () => {
      const s = await connectV2("/", mode);
      const payload = [bin(0, 255), { deep: [bin(1, 2, 3), "x"] }, "plain"];
      const echoed = once(s, "echo");
      s.emit("echo", ...payload);
      const got = await echoed;
      assert.ok(Buffer.isBuffer(got[0]), `got ${typeof got[0]}`);
      assert.deepEqual(got, payload);
      assert.deepEqual(await ackV2(s, "ack", bin(9), { b: bin() }), [bin(9), { b: bin() }]);
      s.close();
    });

    test("a custom namespace on the same connection, its query as the auth", async () => {
      const root = await connectV2("/", mode);
      const custom = root.io.socket("/custom", { query: { user: "ann" } });
      clients.push(custom);
      const greeting = once(custom, "auth");
      await once(custom, "connect");
      assert.deepEqual(await greeting, [{ user: "ann" }]);
      const who = (await ackV2(custom, "whoami"))[0];
      assert.equal(who.nsp, "/custom");
      assert.equal(who.engineId, root.io.engine.id);
      assert.equal(who.id, custom.id); // "<nsp>#<engine sid>" elsewhere
      assert.equal(custom.id, `/custom#${root.io.engine.id}`);
      assert.deepEqual(who.auth, { user: "ann" });
      assert.deepEqual(who.data, { instance: "inst-eio3", user: "ann" });
      root.close();
    });

    test("middleware and namespace refusals arrive as the client's error event", async () => {
      const ok = await connectV2("/secure", mode, { query: { token: "ok" } });
      assert.equal((await ackV2(ok, "whoami"))[0].nsp, "/secure");
      ok.close();

      const refused = ioV2(srv.url + "/secure", { forceNew: true, reconnection: false, ...MODES[mode] });
      clients.push(refused);
      assert.deepEqual(await once(refused, "error", 8000), [{ code: 401 }]);  // the error's data
      refused.close();

      const unknown = ioV2(srv.url + "/nope", { forceNew: true, reconnection: false, ...MODES[mode] });
      clients.push(unknown);
      assert.deepEqual(await once(unknown, "error", 8000), [{ message: "Invalid namespace" }]);
      unknown.close();
    });

    test("the client's pings keep the connection alive", async () => {
      const s = await connectV2("/", mode);
      // Three heartbeats of 300 + 300 ms: a server waiting for pongs of its own would have
      // closed the session by then.
      for (let i = 0; i < 3; i++) await once(s.io, "pong", 3000);
      assert.equal(s.connected, true);
      assert.equal((await ackV2(s, "whoami"))[0].engineId, s.io.engine.id);
      s.close();
    });

    test("disconnects: by the client, and by the server", async () => {
      const s = await connectV2("/custom", mode);
      const id = (await ackV2(s, "whoami"))[0].id;
      s.close();
      assert.equal(await reasonOf(id, "/custom"), "client namespace disconnect");

      const s2 = await connectV2("/", mode);
      const id2 = (await ackV2(s2, "whoami"))[0].id;
      const gone = once(s2, "disconnect");
      s2.emit("disconnect-me");
      assert.deepEqual(await gone, ["io server disconnect"]);
      assert.equal(await reasonOf(id2), "server namespace disconnect");
    });
  });
}

test("the raw Engine.IO 3 handshake is a length-prefixed open packet", async () => {
  const res = await request(eioUrl(srv.url, { eio: "3", query: { b64: "1" } }));
  assert.equal(res.status, 200);
  const m = /^(\d+):(0\{.*\})$/.exec(res.text);
  assert.ok(m, res.text);
  assert.equal(Number(m[1]), m[2].length);
  const open = JSON.parse(m[2].slice(1));
  assert.deepEqual(Object.keys(open), ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"]);
  assert.deepEqual(open.upgrades, ["websocket"]);
  assert.equal(open.pingInterval, 300);
});

describe("without ALLOW_EIO3", () => {
  let plain;
  before(async () => {
    plain = await startServer({ CONNECTION_STATE_RECOVERY: "0" });
  });
  after(() => plain?.stop());

  for (const mode of ["polling", "websocket"]) {
    test(`socket.io-client 2.x is refused (${mode})`, async () => {
      const s = ioV2(plain.url, { forceNew: true, reconnection: false, ...MODES[mode] });
      clients.push(s);
      let connected = false;
      s.on("connect", () => (connected = true));
      await once(s, "connect_error", 8000);
      assert.equal(connected, false);
      s.close();
    });
  }

  test("the raw Engine.IO 3 handshake gets code 5", async () => {
    const res = await request(eioUrl(plain.url, { eio: "3" }));
    assert.equal(res.status, 400);
    assert.equal(res.text, '{"code":5,"message":"Unsupported protocol version"}');
  });
});
