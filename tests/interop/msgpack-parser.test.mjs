// PARSER=msgpack (docs/protocol.md §2.12, docs/contract.md §1): the official socket.io-client
// 4.8.4 with socket.io-msgpack-parser 3.0.2 on both sides, over polling only, websocket only and
// polling→websocket upgrade: connect to / and a custom namespace, events and acks both ways
// with nested objects and Buffers, broadcasts (room-emit, REST /emit), a recovered connection
// (connection state recovery on), and a client with the default parser refused by the server.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { io as ioClient } from "socket.io-client";
import msgpackParser from "socket.io-msgpack-parser";
import { startServer } from "./lib/server.mjs";
import { connectClient, ack, ack1, once, api, TRANSPORT_MODES, waitUntil, withTimeout } from "./lib/util.mjs";

let srv;
before(async () => {
  // Recovery off here: with it on, socket.io-client hands the offset to the listeners as a last
  // argument (tested apart below).
  srv = await startServer({ PARSER: "msgpack", CONNECTION_STATE_RECOVERY: "0", INSTANCE_ID: "inst-msgpack" });
});
after(() => srv?.stop());

const bin = (...bytes) => Buffer.from(bytes);
const DEEP = () => ({
  a: bin(1, 2, 3),
  list: [bin(4), "x", { deeper: [null, { buf: bin(5, 6), n: 7, f: -1.5 }] }],
  s: "text üñí",
  big: 2 ** 40,
});

/** Received binary (Buffer / ArrayBuffer / view) as Buffer, recursively. */
function norm(v) {
  if (Buffer.isBuffer(v)) return Buffer.from(v);
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
}

for (const mode of Object.keys(TRANSPORT_MODES)) {
  describe(`msgpack parser, ${mode}`, () => {
    const clients = [];
    const connect = async (nsp = "/", opts = {}) => {
      const s = await connectClient(srv.url, nsp, { mode, parser: msgpackParser, ...opts });
      clients.push(s);
      return s;
    };
    after(() => {
      for (const c of clients) c.disconnect();
    });

    test("connects to / and /custom; whoami answers over the same parser", async () => {
      const a = await connect();
      const b = await connect("/custom");
      const w = await ack1(a, "whoami");
      assert.equal(w.id, a.id);
      assert.equal(w.nsp, "/");
      assert.equal(w.instance, "inst-msgpack");
      assert.equal((await ack1(b, "whoami")).nsp, "/custom");
      assert.ok(a.connected && b.connected);
    });

    test("events both ways with nested objects and Buffers", async () => {
      const s = await connect("/custom");
      const args = ["str", 42, 1.5, null, true, { nested: { arr: [1, "two", { three: 3 }] } }, ["x"], "üñí\u0000\n"];
      const p = once(s, "message-back");
      s.emit("message", ...args);
      assert.deepEqual(await p, args);
      const echoed = once(s, "echo");
      s.emit("echo", bin(0, 255), DEEP(), "plain");
      assert.deepEqual(norm(await echoed), [bin(0, 255), DEEP(), "plain"]);
    });

    test("acks both ways, with binary", async () => {
      const s = await connect();
      // client → server, answered by the server
      assert.deepEqual(norm(await ack(s, "ack", DEEP(), bin(9), [bin(), bin(1, 1)])), [DEEP(), bin(9), [bin(), bin(1, 1)]]);
      assert.deepEqual(await ack(s, "message-with-ack", 1, "a", { b: [2] }), [1, "a", { b: [2] }]);
      // server → client (REST emit-with-ack to this socket's room), answered by the client
      s.on("question", (q, cb) => cb({ answer: q.n + 1, buf: bin(7, 7) }));
      const r = await api(srv.url, "POST", "/emit-with-ack", { body: { event: "question", data: { n: 41 }, room: s.id, timeout: 3000 } });
      assert.equal(r.status, 200);
      assert.equal(r.body.timedOut, false);
      assert.equal(r.body.responses.length, 1);
      assert.equal(r.body.responses[0].answer, 42);
    });

    test("broadcasts: room-emit and REST /emit reach msgpack clients", async () => {
      const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
      await ack(b, "join", "mp-room");
      await ack(c, "join", "mp-room");
      const inbox = new Map([a, b, c].map((s) => [s, []]));
      for (const s of [a, b, c]) s.on("hello", (...args) => inbox.get(s).push(norm(args)));

      assert.deepEqual(await ack(a, "room-emit", { event: "hello", args: [1, { x: bin(2) }], room: "mp-room" }), [{ ok: true }]);
      await waitUntil(() => inbox.get(b).length && inbox.get(c).length, { message: "room broadcast" });
      assert.deepEqual(inbox.get(b), [[1, { x: bin(2) }]]);
      assert.deepEqual(inbox.get(c), [[1, { x: bin(2) }]]);

      const pushed = Promise.all([b, c].map((s) => once(s, "pushed")));
      const r = await api(srv.url, "POST", "/emit", { body: { event: "pushed", args: [{ deep: [1, { k: "v" }] }, "two"], room: "mp-room" } });
      assert.equal(r.status, 200);
      for (const got of await pushed) assert.deepEqual(got, [{ deep: [1, { k: "v" }] }, "two"]);
      assert.deepEqual(inbox.get(a), [], "the sender never receives its own room-emit");
    });
  });
}

describe("msgpack parser, mismatched client", () => {
  test("a client with the default parser is disconnected (its text CONNECT closes the connection)", async () => {
    const s = ioClient(srv.url, { forceNew: true, reconnection: false, transports: ["websocket"] });
    try {
      const outcome = await withTimeout(
        new Promise((resolve) => {
          s.once("connect", () => resolve("connect"));
          s.once("connect_error", () => resolve("connect_error"));
          s.once("disconnect", () => resolve("disconnect"));
        }),
        5000,
        "refusal",
      );
      assert.notEqual(outcome, "connect");
    } finally {
      s.disconnect();
    }
  });

  test("the server stays up for msgpack clients afterwards", async () => {
    const s = await connectClient(srv.url, "/", { mode: "websocket", parser: msgpackParser });
    try {
      assert.deepEqual(norm(await ack(s, "ack", "still", bin(1))), ["still", bin(1)]);
    } finally {
      s.disconnect();
    }
  });
});

describe("msgpack parser, connection state recovery", () => {
  let csr;
  before(async () => {
    csr = await startServer({ PARSER: "msgpack", CONNECTION_STATE_RECOVERY: "1", INSTANCE_ID: "inst-msgpack-csr" });
  });
  after(() => csr?.stop());

  test("a broadcast carries its offset; a dropped connection recovers the packets it missed", async () => {
    const s = await connectClient(csr.url, "/", { mode: "websocket", parser: msgpackParser, reconnection: true, reconnectionDelay: 50 });
    try {
      const first = once(s, "news");
      const r1 = await api(csr.url, "POST", "/emit", { body: { event: "news", args: [1, { b: "x" }] } });
      assert.equal(r1.status, 200);
      const got = await first;
      assert.deepEqual(got.slice(0, 2), [1, { b: "x" }]);
      assert.equal(typeof got[2], "string", "the offset is the last argument");
      // Drop the transport; emit while it is down; the reconnection recovers it.
      const down = once(s, "disconnect");
      s.io.engine.close();
      await down;
      const r2 = await api(csr.url, "POST", "/emit", { body: { event: "missed", args: [2, "bytes"] } });
      assert.equal(r2.status, 200);
      const missed = once(s, "missed");
      await once(s, "connect");
      assert.equal(s.recovered, true);
      assert.deepEqual((await missed).slice(0, 2), [2, "bytes"]);
    } finally {
      s.disconnect();
    }
  });
});
