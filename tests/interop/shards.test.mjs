// THREADS=2: two event loops (shards) in one process. One listener hands accepted TCP connections to
// the loops; every id made by loop k (Engine.IO sid, socket id, recovery pid) has a first character
// whose base64url index i satisfies i % THREADS == k. Requests naming a sid of another loop are
// handed over to the owner loop; broadcasts, fetchSockets, remote join/leave/disconnect,
// emit-with-ack, connection state recovery and /disconnect-reason cover every loop.
//
// Which loop serves a request is made explicit: `connectionOn(loop)` opens a TCP connection, makes
// an /engine.io/ handshake on it (a request without sid is served by the loop that accepted the
// connection, so the new sid tells which one) and then runs the request under test on that same
// keep-alive connection. Every cross-loop test therefore knows that its request arrived on a loop
// that does not own the session, independently of the listener's round-robin order.
import { test, before, after, describe } from "node:test";
import net from "node:net";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import {
  SEP,
  eioUrl,
  wsUrl,
  decodePayload,
  parseOpen,
  pollHandshake,
  parseSio,
  connectClient,
  ack,
  ack1,
  once,
  sleep,
  waitUntil,
  withTimeout,
  closeAll,
} from "./lib/util.mjs";
import { THREADS, shardOf, openConnection, connectionOn } from "./lib/loops.mjs";

const ENV = { THREADS: String(THREADS) };
const LOOPS = [0, 1];
const other = (loop) => (loop + 1) % THREADS;

const UNKNOWN_SID = '{"code":1,"message":"Session ID unknown"}';
const BAD_REQUEST = '{"code":3,"message":"Bad request"}';

// ---------------------------------------------------------------------------------------------
// Connections pinned to a loop

/** REST call on a fresh connection accepted by `loop`. */
async function apiOn(srv, loop, method, path, body) {
  const c = await connectionOn(srv, loop);
  try {
    return await c.api(method, path, body);
  } finally {
    c.close();
  }
}

/**
 * Writes `bytes` on a new TCP connection and parses `count` HTTP responses (Content-Length
 * framed) from what comes back. Resolves [{status, headers, body}] once all arrived.
 */
function rawHttp(srv, bytes, count, timeout = 15000) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, "127.0.0.1");
    let buf = Buffer.alloc(0);
    const responses = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`${responses.length}/${count} responses within ${timeout} ms; got ${JSON.stringify(responses)}; rest ${JSON.stringify(buf.toString("latin1"))}`));
    }, timeout);
    const parse = () => {
      for (;;) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buf.subarray(0, end).toString("latin1").split("\r\n");
        const headers = {};
        for (const line of head.slice(1)) {
          const i = line.indexOf(":");
          headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        const length = Number(headers["content-length"] ?? 0);
        if (buf.length < end + 4 + length) return;
        responses.push({ status: Number(head[0].split(" ")[1]), headers, body: buf.subarray(end + 4, end + 4 + length).toString("utf8") });
        buf = buf.subarray(end + 4 + length);
        if (responses.length === count) {
          clearTimeout(timer);
          sock.destroy();
          resolve(responses);
          return;
        }
      }
    };
    sock.on("connect", () => sock.write(bytes));
    sock.on("data", (c) => {
      buf = Buffer.concat([buf, c]);
      parse();
    });
    sock.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Long-polling on a session where every request uses a new TCP connection; by default the
 * connections alternate: other loop, owner loop, other loop, ...
 */
class CrossLoopPoller {
  constructor(srv, sid, path) {
    this.srv = srv;
    this.sid = sid;
    this.owner = shardOf(sid);
    this.url = eioUrl(srv.url, { path, sid });
    this.n = 0;
    this.loops = []; // loop of every request made
  }
  async conn(loop) {
    const want = loop ?? (this.owner + 1 + this.n++) % THREADS;
    const c = await connectionOn(this.srv, want);
    this.loops.push(want);
    return c;
  }
  async get(loop) {
    const c = await this.conn(loop);
    try {
      return await c.request(this.url);
    } finally {
      c.close();
    }
  }
  /** Starts a GET on a new connection (resolved once the request was sent). */
  async pendingGet(loop) {
    const c = await this.conn(loop);
    const promise = c.request(this.url).finally(() => c.close());
    promise.catch(() => {});
    return { promise, conn: c };
  }
  async post(body, loop) {
    const c = await this.conn(loop);
    try {
      return await c.request(this.url, { method: "POST", headers: { "Content-Type": "text/plain;charset=UTF-8" }, body });
    } finally {
      c.close();
    }
  }
  async send(packets, loop) {
    const res = await this.post(packets.join(SEP), loop);
    assert.equal(res.status, 200, `POST for ${this.sid}: ${res.status} ${res.text}`);
    assert.equal(res.text, "ok");
  }
  /** GETs (each on a new connection) until `pred` matches a packet; pings answered. */
  async until(pred, { timeout = 20000 } = {}) {
    const deadline = Date.now() + timeout;
    const seen = [];
    while (Date.now() < deadline) {
      const res = await this.get();
      assert.equal(res.status, 200, `GET for ${this.sid}: ${res.status} ${res.text}`);
      for (const p of res.packets) {
        if (p === "2") await this.send(["3"]);
        else seen.push(p);
      }
      if (seen.some(pred)) return seen;
    }
    throw new Error(`polling ${this.sid}: no matching packet within ${timeout} ms; saw ${JSON.stringify(seen.map(String))}`);
  }
}

const isString = (x) => typeof x === "string";

async function reasonOn(srv, loop, id, namespace = "/") {
  const q = namespace !== "/" ? `&namespace=${encodeURIComponent(namespace)}` : "";
  const c = await connectionOn(srv, loop);
  try {
    return await waitUntil(
      async () => {
        const r = await c.api("GET", `/disconnect-reason?id=${encodeURIComponent(id)}${q}`);
        return r.status === 200 && r;
      },
      { timeout: 10000, message: `disconnect reason of ${id} from loop ${loop}` },
    );
  } finally {
    c.close();
  }
}

/** Connects an official websocket client through a TCP connection accepted by `loop`. */
async function clientOn(srv, loop, nsp = "/", opts = {}) {
  const c = await connectionOn(srv, loop);
  try {
    const s = await connectClient(srv.url, nsp, { mode: "websocket", agent: c.agent, ...opts });
    const who = await ack1(s, "whoami");
    assert.equal(who.engineId, s.io.engine.id);
    assert.equal(shardOf(who.engineId), loop, `engine id ${who.engineId} of a connection accepted by loop ${loop}`);
    assert.equal(shardOf(s.id), loop, `socket id ${s.id} made on loop ${loop}`);
    if (s._pid) assert.equal(shardOf(s._pid), loop, `pid ${s._pid} made on loop ${loop}`);
    s.loop = loop;
    return s;
  } finally {
    c.close(); // only frees the agent; the upgraded socket belongs to the client now
  }
}

/** Collects `event` arguments per socket. */
function inbox(sockets, event) {
  const box = new Map(sockets.map((s) => [s, []]));
  for (const s of sockets) s.on(event, (...a) => box.get(s).push(a));
  return box;
}

/** Sends a sentinel to every socket (REST, whole namespace) and waits until all got it. */
async function flush(srv, sockets, nsp = "/") {
  const tag = `sentinel-${Math.random().toString(36).slice(2)}`;
  const got = Promise.all(sockets.map((s) => once(s, tag, 15000)));
  const r = await apiOn(srv, 0, "POST", "/emit", { namespace: nsp, event: tag });
  assert.deepEqual(r.body, { ok: true });
  await got;
}

// ---------------------------------------------------------------------------------------------

describe("connections spread over two loops", () => {
  let srv;
  before(async () => {
    srv = await startServer(ENV, { name: "threads=2 spread" });
  });
  after(() => srv?.stop());

  test("new TCP connections land on both loops; ids made on one connection all belong to its loop", async () => {
    const loops = [];
    for (let i = 0; i < 6; i++) {
      const c = await openConnection(srv);
      try {
        loops.push(c.loop);
        // More handshakes on the same connection: always the same loop (a loop owns its connections).
        for (let k = 0; k < 3; k++) {
          const hs = await c.request(eioUrl(srv.url, { path: k % 2 ? "/socket.io/" : "/engine.io/" }));
          assert.equal(hs.status, 200, hs.text);
          const sid = parseOpen(hs.packets[0]).sid;
          assert.equal(shardOf(sid), c.loop, `sid ${sid} made on the connection of loop ${c.loop} (probe ${c.probeSid})`);
        }
        // REST is answered by any loop, for the whole process (one instance).
        assert.deepEqual((await c.api("GET", "/server-count")).body, { count: 1 });
        assert.deepEqual((await c.api("GET", "/peers")).body, { timedOut: false, responses: [] });
      } finally {
        c.close();
      }
    }
    for (const loop of LOOPS) {
      assert.ok(loops.filter((l) => l === loop).length >= 2, `6 new connections, loops ${loops}: loop ${loop} got fewer than 2`);
    }
  });

  test("requests for unknown sids answer 400 code 1 from both loops, whatever loop the sid names", async () => {
    for (const loop of LOOPS) {
      const c = await connectionOn(srv, loop);
      try {
        for (const sid of ["AAAAAAAAAAAAAAAAAAAA", "BAAAAAAAAAAAAAAAAAAA", "zzzz", "_unknown", "*not-base64url"]) {
          for (const path of ["/engine.io/", "/socket.io/"]) {
            const r = await c.request(eioUrl(srv.url, { path, sid }), { timeout: 10000 });
            assert.equal(r.status, 400, `GET ${path} sid=${sid} on loop ${loop}: ${r.status} ${r.text}`);
            assert.equal(r.text, UNKNOWN_SID, `GET ${path} sid=${sid} on loop ${loop}`);
          }
        }
      } finally {
        c.close();
      }
    }
  });
});

describe("long-polling across loops", () => {
  let srv;
  before(async () => {
    srv = await startServer(ENV, { name: "threads=2 polling" });
  });
  after(() => srv?.stop());

  test("/engine.io/ echo: POSTs and GETs of one session on new connections of both loops; everything comes back in order", async () => {
    const { sid } = await pollHandshake(srv.url, { path: "/engine.io/" });
    const p = new CrossLoopPoller(srv, sid, "/engine.io/");
    const owner = p.owner;
    const foreign = other(owner);
    const received = [];
    const drain = async (count) => {
      while (received.length < count) {
        const r = await p.get();
        assert.equal(r.status, 200, `GET: ${r.status} ${r.text}`);
        for (const pk of r.packets) if (pk !== "2") received.push(pk);
      }
    };

    await p.send(["4one"], foreign);
    await drain(1);
    await p.send(["4two", "4three"], foreign);
    await p.send(["4four"], owner);
    await drain(4);

    // A GET held on a connection of the other loop, released by a POST arriving on the owner loop.
    const held = await p.pendingGet(foreign);
    await sleep(150);
    await p.send(["4five"], owner);
    const r1 = await withTimeout(held.promise, 15000, "GET held across loops");
    assert.equal(r1.status, 200, r1.text);
    received.push(...r1.packets.filter((x) => x !== "2"));

    // The other way round, with a binary packet.
    const held2 = await p.pendingGet(owner);
    await sleep(150);
    await p.send(["bAQID", "4six"], foreign);
    const r2 = await withTimeout(held2.promise, 15000, "GET released by a POST from the other loop");
    assert.equal(r2.status, 200, r2.text);
    received.push(...r2.packets.filter((x) => x !== "2"));
    await drain(7);

    assert.deepEqual(received, ["4one", "4two", "4three", "4four", "4five", Buffer.from([1, 2, 3]), "4six"]);
    assert.ok(p.loops.length >= 6, `requests: ${p.loops}`);
    for (const loop of LOOPS) {
      assert.ok(p.loops.filter((l) => l === loop).length >= 3, `loops of the requests: ${p.loops} (owner ${owner})`);
    }

    // Closing from a connection of the other loop: the session is gone for both loops.
    await p.send(["1"], foreign);
    for (const loop of LOOPS) {
      await waitUntil(
        async () => {
          const r = await p.get(loop);
          if (r.status === 200) return false; // a noop/close payload still queued
          assert.equal(r.status, 400, `GET after close on loop ${loop}: ${r.text}`);
          assert.equal(r.text, UNKNOWN_SID);
          return true;
        },
        { timeout: 10000, message: `session closed (seen from loop ${loop})` },
      );
    }
  });

  test("a large POST body (800 KB) arriving on the other loop is handed over intact", async () => {
    const { sid } = await pollHandshake(srv.url, { path: "/engine.io/" });
    const p = new CrossLoopPoller(srv, sid, "/engine.io/");
    const big = "4" + "é".repeat(200000) + "x".repeat(400000); // 800 KB of UTF-8
    await p.send([big], other(p.owner));
    const seen = await p.until((x) => isString(x) && x.length === big.length);
    assert.equal(seen.length, 1);
    assert.ok(seen[0] === big, "the echo differs from the POST body");
    await p.send(["1"], p.owner);
  });

  test("pipelined requests: a POST for a session of the other loop, then more requests on the same connection", async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const { sid } = await pollHandshake(srv.url, { path: "/engine.io/" });
      const body = `4pipelined-${attempt}`;
      const [probe, post, health, get] = await rawHttp(
        srv,
        "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n" +
          `POST /engine.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
          "GET /health HTTP/1.1\r\nHost: x\r\n\r\n" +
          `GET /engine.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\n\r\n`,
        4,
      );
      assert.equal(probe.status, 200, probe.body);
      const connLoop = shardOf(parseOpen(decodePayload(probe.body)[0]).sid);
      assert.equal(post.status, 200, `POST (connection of loop ${connLoop}, sid of loop ${shardOf(sid)}): ${post.body}`);
      assert.equal(post.body, "ok");
      assert.equal(health.status, 200, health.body);
      assert.deepEqual(JSON.parse(health.body), { status: "ok" });
      assert.equal(get.status, 200, get.body);
      assert.deepEqual(decodePayload(get.body), [body]);
      if (connLoop !== shardOf(sid)) return; // the case under test happened
      (await openConnection(srv)).close(); // shift the round-robin by one connection and try again
    }
    assert.fail("the pipelined connection never landed on the loop that does not own the session");
  });

  test("a second concurrent GET arriving on the other loop is an error and closes the session", async () => {
    for (const secondOnOwner of [false, true]) {
      const { sid } = await pollHandshake(srv.url, { path: "/engine.io/" });
      const p = new CrossLoopPoller(srv, sid, "/engine.io/");
      const firstLoop = secondOnOwner ? other(p.owner) : p.owner;
      const first = await p.pendingGet(firstLoop);
      await sleep(150);
      const second = await p.get(other(firstLoop));
      assert.ok([400, 500].includes(second.status), `second GET status ${second.status}: ${second.text}`);
      const released = await withTimeout(first.promise, 15000, "release of the first GET").catch((e) => ({ status: -1, text: String(e) }));
      assert.notEqual(released.status, -1, released.text);
      for (const loop of LOOPS) {
        await waitUntil(
          async () => {
            const r = await p.get(loop);
            if (r.status === 200) return false;
            assert.equal(r.status, 400, r.text);
            assert.equal(r.text, UNKNOWN_SID);
            return true;
          },
          { timeout: 10000, message: `session closed (seen from loop ${loop})` },
        );
      }
    }
  });

  test("/socket.io/ over polling: CONNECT, events and acks with every request on a new connection alternating loops", async () => {
    const { sid } = await pollHandshake(srv.url);
    const p = new CrossLoopPoller(srv, sid, "/socket.io/");
    await p.send(["40"]);
    const seen = await p.until((x) => isString(x) && x.startsWith('42["auth"'));
    const connect = seen.find((x) => isString(x) && x.startsWith("40{"));
    assert.ok(connect, JSON.stringify(seen));
    const { sid: sioId, pid } = JSON.parse(connect.slice(2));
    assert.equal(shardOf(sioId), p.owner, `socket id ${sioId} made by the loop owning engine session ${sid}`);
    assert.equal(shardOf(pid), p.owner, `pid ${pid} made by the loop owning engine session ${sid}`);

    await p.send(['421["whoami"]']);
    const ackSeen = await p.until((x) => isString(x) && x.startsWith("431"));
    const who = parseSio(ackSeen.find((x) => isString(x) && x.startsWith("431"))).data[0];
    assert.equal(who.id, sioId);
    assert.equal(who.engineId, sid);
    assert.equal(who.transport, "polling");

    await p.send(['42["message","a",1]', '42["message","b",2]']);
    const isBack = (x) => isString(x) && x.startsWith('42["message-back"');
    const backs = [];
    const deadline = Date.now() + 20000;
    while (backs.length < 2) {
      assert.ok(Date.now() < deadline, `two message-back events within 20 s; got ${JSON.stringify(backs)}`);
      backs.push(...(await p.until(isBack)).filter(isBack));
    }
    assert.deepEqual(
      backs.map((x) => parseSio(x).data.slice(0, 3)),
      [["message-back", "a", 1], ["message-back", "b", 2]],
    );
    for (const loop of LOOPS) assert.ok(p.loops.includes(loop), `loops of the requests: ${p.loops}`);
    await p.send(["1"]);
  });
});

describe("upgrade across loops", () => {
  let srv;
  before(async () => {
    srv = await startServer(ENV, { name: "threads=2 upgrade" });
  });
  after(() => srv?.stop());

  async function assertSecondWsRefused(url, loop) {
    const c = await connectionOn(srv, loop);
    try {
      let ws;
      try {
        ws = await c.ws(url);
      } catch (err) {
        assert.ok(err.status >= 400, `second websocket from loop ${loop}: ${err.message}`);
        return;
      }
      ws.send("2probe");
      await ws.waitClose(10000);
      assert.ok(!ws.queue.includes("3probe"), "a second websocket must not be probed");
    } finally {
      c.close();
    }
  }

  test("/socket.io/: a polling session upgrades over a WebSocket accepted by the other loop", async () => {
    const { sid } = await pollHandshake(srv.url);
    const p = new CrossLoopPoller(srv, sid, "/socket.io/");
    const foreign = other(p.owner);
    await p.send(["40"]);
    const seen = await p.until((x) => isString(x) && x.startsWith('42["auth"'));
    const sioId = JSON.parse(seen.find((x) => isString(x) && x.startsWith("40{")).slice(2)).sid;

    const held = await p.pendingGet(p.owner);
    await sleep(150);
    const wsConn = await connectionOn(srv, foreign);
    const ws = await wsConn.ws(wsUrl(srv.url, { sid }));
    try {
      ws.send("2probe");
      assert.equal(await ws.next(10000), "3probe");
      const released = await withTimeout(held.promise, 10000, "pending GET released with a noop");
      assert.equal(released.status, 200);
      assert.deepEqual(released.packets, ["6"]);
      ws.send("5");

      ws.send('427["whoami"]');
      const who = parseSio(await ws.next(10000, (m) => isString(m) && m.startsWith("437"))).data[0];
      assert.equal(who.id, sioId);
      assert.equal(who.engineId, sid);
      assert.equal(who.transport, "websocket");
      ws.send('42["message","over-ws"]');
      const back = parseSio(await ws.next(10000, (m) => isString(m) && m.startsWith('42["message-back"')));
      assert.deepEqual(back.data.slice(0, 2), ["message-back", "over-ws"]);

      // Polling is over for that sid, seen from both loops; a second websocket is refused.
      for (const loop of LOOPS) {
        const r = await p.get(loop);
        assert.equal(r.status, 400, `polling GET after upgrade on loop ${loop}: ${r.text}`);
        assert.equal(r.text, BAD_REQUEST);
      }
      await assertSecondWsRefused(wsUrl(srv.url, { sid }), p.owner);
      ws.send('42["message","still"]');
      const still = parseSio(await ws.next(10000, (m) => isString(m) && m.startsWith('42["message-back"')));
      assert.deepEqual(still.data.slice(0, 2), ["message-back", "still"]);
    } finally {
      ws.close();
      wsConn.close();
    }
  });

  test("/engine.io/: upgrade over a WebSocket accepted by the other loop, echo continues (text and binary)", async () => {
    const { sid } = await pollHandshake(srv.url, { path: "/engine.io/" });
    const p = new CrossLoopPoller(srv, sid, "/engine.io/");
    const foreign = other(p.owner);
    await p.send(["4before"], foreign);
    assert.deepEqual(await p.until((x) => x === "4before"), ["4before"]);

    const held = await p.pendingGet(foreign);
    await sleep(150);
    const wsConn = await connectionOn(srv, foreign);
    const ws = await wsConn.ws(wsUrl(srv.url, { sid, path: "/engine.io/" }));
    try {
      ws.send("2probe");
      assert.equal(await ws.next(10000), "3probe");
      assert.deepEqual((await withTimeout(held.promise, 10000, "noop")).packets, ["6"]);
      ws.send("5");
      ws.send("4upgraded");
      assert.equal(await ws.next(10000), "4upgraded");
      ws.send(Buffer.from([9, 8, 7]));
      assert.deepEqual(await ws.next(10000), Buffer.from([9, 8, 7]));
      const r = await p.get(p.owner);
      assert.equal(r.status, 400);
      assert.equal(r.text, BAD_REQUEST);
    } finally {
      ws.close();
      wsConn.close();
    }
  });

  test("official socket.io-client, polling then websocket (every polling request on a new connection): 6 clients work", async () => {
    const clients = [];
    try {
      for (let i = 0; i < 6; i++) clients.push(await connectClient(srv.url, "/", { mode: "upgrade", timeout: 15000 }));
      for (const s of clients) {
        assert.equal(s.io.engine.transport.name, "websocket");
        const who = await ack1(s, "whoami");
        assert.equal(who.transport, "websocket");
        assert.equal(who.engineId, s.io.engine.id);
        assert.equal(shardOf(s.id), shardOf(who.engineId), "a socket id is made by the loop of its engine session");
        assert.deepEqual(await ack(s, "ack", `héllo ${s.id}`), [`héllo ${s.id}`]);
      }
    } finally {
      closeAll(clients);
    }
  });
});

describe("socket.io clients on both loops", () => {
  let srv;
  const clients = [];
  before(async () => {
    srv = await startServer(ENV, { name: "threads=2 broadcast" });
    // 6 websocket clients, 3 per loop, interleaved.
    for (let i = 0; i < 6; i++) clients.push(await clientOn(srv, i % THREADS, "/", { timeout: 15000 }));
  });
  after(async () => {
    closeAll(clients);
    await srv?.stop();
  });
  const onLoop = (loop) => clients.filter((s) => s.loop === loop);

  test("the clients' engine ids show both loops", async () => {
    const loops = [];
    for (const s of clients) loops.push(shardOf((await ack1(s, "whoami")).engineId));
    for (const loop of LOOPS) assert.equal(loops.filter((l) => l === loop).length, 3, `loops ${loops}`);
  });

  test("POST /emit from either loop reaches every client (also with local:true, which means this process)", async () => {
    for (const loop of LOOPS) {
      for (const extra of [{}, { local: true }]) {
        const event = `news-${loop}-${extra.local ? "local" : "all"}`;
        const got = Promise.all(clients.map((s) => once(s, event, 15000)));
        const r = await apiOn(srv, loop, "POST", "/emit", { event, args: [loop, "x"], ...extra });
        assert.deepEqual(r.body, { ok: true }, r.text);
        const args = await got;
        for (const a of args) assert.deepEqual(a.slice(0, 2), [loop, "x"]);
      }
    }
  });

  test("GET /sockets lists the clients of both loops, identically from either loop", async () => {
    const instance = (await apiOn(srv, 0, "GET", "/info")).body.instance;
    assert.equal((await apiOn(srv, 1, "GET", "/info")).body.instance, instance, "one process = one instance id on every loop");
    const expected = clients
      .map((s) => ({ id: s.id, rooms: [s.id], data: { instance, user: null } }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const loop of LOOPS) {
      const r = await apiOn(srv, loop, "GET", "/sockets");
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, { count: clients.length, sockets: expected }, `GET /sockets served by loop ${loop}`);
    }
  });

  test("room-emit from a client on one loop reaches the other clients on both loops, never the sender", async () => {
    for (const sender of [onLoop(0)[0], onLoop(1)[0]]) {
      const event = `bc-${sender.loop}`;
      const box = inbox(clients, event);
      assert.deepEqual(await ack1(sender, "room-emit", { event, args: ["from", sender.loop] }), { ok: true });
      const targets = clients.filter((s) => s !== sender);
      await waitUntil(() => targets.every((s) => box.get(s).length >= 1), { timeout: 15000, message: `${event} delivered to all but the sender` });
      await flush(srv, clients);
      for (const s of targets) assert.deepEqual(box.get(s).map((a) => a.slice(0, 2)), [["from", sender.loop]]);
      assert.deepEqual(box.get(sender), []);
      for (const s of clients) s.off(event);
    }

    // Into a room whose members sit on both loops, with except.
    const members = [onLoop(0)[1], onLoop(0)[2], onLoop(1)[1], onLoop(1)[2]];
    for (const s of members) assert.deepEqual(await ack1(s, "join", "mixed"), { rooms: ["mixed"] });
    const sender = onLoop(1)[0]; // not a member
    const excluded = onLoop(0)[2];
    const box = inbox(clients, "to-mixed");
    assert.deepEqual(await ack1(sender, "room-emit", { event: "to-mixed", args: [1], room: "mixed", except: excluded.id }), { ok: true });
    const expectedIn = members.filter((s) => s !== excluded);
    await waitUntil(() => expectedIn.every((s) => box.get(s).length >= 1), { timeout: 15000, message: "room-emit to members" });
    await flush(srv, clients);
    for (const s of clients) assert.equal(box.get(s).length, expectedIn.includes(s) ? 1 : 0, `client on loop ${s.loop}`);
    // A member broadcasting to the room: the other members only.
    const box2 = inbox(clients, "from-member");
    const memberSender = onLoop(0)[1];
    assert.deepEqual(await ack1(memberSender, "room-emit", { event: "from-member", room: "mixed" }), { ok: true });
    const expected2 = members.filter((s) => s !== memberSender);
    await waitUntil(() => expected2.every((s) => box2.get(s).length >= 1), { timeout: 15000, message: "room-emit from a member" });
    await flush(srv, clients);
    for (const s of clients) assert.equal(box2.get(s).length, expected2.includes(s) ? 1 : 0, `client on loop ${s.loop}`);
    for (const s of members) assert.deepEqual(await ack1(s, "leave", "mixed"), { rooms: [] });
    for (const s of clients) {
      s.off("to-mixed");
      s.off("from-member");
    }
  });

  test("POST /sockets/join then POST /emit to that room reaches the members on both loops; /sockets/leave removes them", async () => {
    const picked = [onLoop(0)[0], onLoop(0)[2], onLoop(1)[1]];
    const others = clients.filter((s) => !picked.includes(s));
    // Issued on loop 1 for sockets of both loops.
    let r = await apiOn(srv, 1, "POST", "/sockets/join", { room: picked.map((s) => s.id), join: ["picked", "extra"] });
    assert.deepEqual(r.body, { ok: true }, r.text);
    for (const s of picked) assert.deepEqual((await ack1(s, "whoami")).rooms, ["extra", "picked"], `client on loop ${s.loop}`);
    for (const s of others) assert.deepEqual((await ack1(s, "whoami")).rooms, [], `client on loop ${s.loop}`);
    // local:true (this process) reaches both loops too.
    r = await apiOn(srv, 0, "POST", "/sockets/join", { room: "picked", join: "local-join", local: true });
    assert.deepEqual(r.body, { ok: true }, r.text);
    for (const s of picked) assert.deepEqual((await ack1(s, "whoami")).rooms, ["extra", "local-join", "picked"], `client on loop ${s.loop}`);

    const listed = await apiOn(srv, 1, "GET", "/sockets?room=picked");
    assert.deepEqual(listed.body.sockets.map((s) => s.id), picked.map((s) => s.id).sort());

    for (const loop of LOOPS) {
      const event = `picked-${loop}`;
      const box = inbox(clients, event);
      r = await apiOn(srv, loop, "POST", "/emit", { room: "picked", event, data: loop });
      assert.deepEqual(r.body, { ok: true }, r.text);
      await waitUntil(() => picked.every((s) => box.get(s).length >= 1), { timeout: 15000, message: `${event} to the room` });
      await flush(srv, clients);
      for (const s of picked) assert.deepEqual(box.get(s).map((a) => a[0]), [loop], `member on loop ${s.loop}`);
      for (const s of others) assert.deepEqual(box.get(s), [], `non-member on loop ${s.loop}`);
    }

    r = await apiOn(srv, 0, "POST", "/sockets/leave", { leave: ["picked", "extra", "local-join"] });
    assert.deepEqual(r.body, { ok: true }, r.text);
    for (const s of clients) assert.deepEqual((await ack1(s, "whoami")).rooms, [], `client on loop ${s.loop}`);
    assert.deepEqual((await apiOn(srv, 1, "GET", "/sockets?room=picked")).body, { count: 0, sockets: [] });
  });

  test("POST /emit-with-ack collects one response from every client of both loops", async () => {
    for (const s of clients) s.on("ask", (q, cb) => cb({ id: s.id, q }));
    try {
      for (const loop of LOOPS) {
        const r = await apiOn(srv, loop, "POST", "/emit-with-ack", { event: "ask", data: loop, timeout: 10000 });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.timedOut, false, r.text);
        assert.deepEqual(
          r.body.responses.map((x) => x.id).sort(),
          clients.map((s) => s.id).sort(),
          `one answer per client (asked from loop ${loop})`,
        );
        for (const x of r.body.responses) assert.equal(x.q, loop);
      }
      // One silent client per loop: the others' answers and timedOut.
      const silent = [onLoop(0)[1], onLoop(1)[2]];
      for (const s of silent) s.off("ask");
      const r = await apiOn(srv, 1, "POST", "/emit-with-ack", { event: "ask", data: "t", timeout: 1500 });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.timedOut, true, r.text);
      assert.deepEqual(
        r.body.responses.map((x) => x.id).sort(),
        clients.filter((s) => !silent.includes(s)).map((s) => s.id).sort(),
      );
    } finally {
      for (const s of clients) s.off("ask");
    }
  });

  test("POST /disconnect disconnects the clients of both loops (room targeting, then everyone)", async () => {
    const first = [onLoop(0)[0], onLoop(1)[0]];
    const firstIds = first.map((s) => s.id); // socket.id is unset once disconnected
    for (const s of first) await ack(s, "join", "first-out");
    const gone1 = first.map((s) => once(s, "disconnect", 15000));
    let r = await apiOn(srv, 0, "POST", "/disconnect", { room: "first-out" });
    assert.deepEqual(r.body, { ok: true }, r.text);
    for (const [reason] of await Promise.all(gone1)) assert.equal(reason, "io server disconnect");
    const rest = clients.filter((s) => !first.includes(s));
    for (const s of rest) assert.ok(s.connected, `client on loop ${s.loop} must stay connected`);
    for (const id of firstIds) {
      for (const loop of LOOPS) {
        const reason = await reasonOn(srv, loop, id);
        assert.deepEqual(reason.body, { id, namespace: "/", reason: "server namespace disconnect" }, `client of loop ${shardOf(id)} asked on loop ${loop}`);
      }
    }

    const ids = rest.map((s) => s.id);
    const gone2 = rest.map((s) => once(s, "disconnect", 15000));
    r = await apiOn(srv, 1, "POST", "/disconnect", {});
    assert.deepEqual(r.body, { ok: true }, r.text);
    for (const [reason] of await Promise.all(gone2)) assert.equal(reason, "io server disconnect");
    for (const loop of LOOPS) {
      assert.deepEqual((await apiOn(srv, loop, "GET", "/sockets")).body, { count: 0, sockets: [] }, `GET /sockets on loop ${loop}`);
    }
    for (const id of ids) {
      assert.equal((await reasonOn(srv, other(shardOf(id)), id)).body.reason, "server namespace disconnect");
    }
  });
});

describe("targeting sockets of the other loop", () => {
  let srv;
  before(async () => {
    srv = await startServer(ENV, { name: "threads=2 targeting" });
  });
  after(() => srv?.stop());

  for (const loop of LOOPS) {
    test(`POST /emit with except and POST /disconnect close:true, served by loop ${other(loop)}, for a connection of loop ${loop}`, async () => {
      const { Manager } = await import("socket.io-client");
      const c = await connectionOn(srv, loop);
      const m = new Manager(srv.url, { transports: ["websocket"], reconnection: false, forceNew: true, agent: c.agent });
      const root = m.socket("/");
      const custom = m.socket("/custom");
      const connected = Promise.all([once(root, "connect", 15000), once(custom, "connect", 15000)]);
      connected.catch(() => {});
      const bystander = await clientOn(srv, other(loop));
      try {
        await connected;
        assert.equal(shardOf(m.engine.id), loop);
        const rootId = root.id;
        const customId = custom.id;

        const box = inbox([root, bystander], "except-test");
        let r = await apiOn(srv, other(loop), "POST", "/emit", { event: "except-test", data: 1, except: rootId });
        assert.deepEqual(r.body, { ok: true }, r.text);
        r = await apiOn(srv, other(loop), "POST", "/emit", { event: "except-test", data: 2, except: [bystander.id] });
        assert.deepEqual(r.body, { ok: true }, r.text);
        await waitUntil(() => box.get(root).length >= 1 && box.get(bystander).length >= 1, { timeout: 15000, message: "emits with except" });
        await flush(srv, [root, bystander]);
        assert.deepEqual(box.get(root).map((a) => a[0]), [2]);
        assert.deepEqual(box.get(bystander).map((a) => a[0]), [1]);

        const gone = [once(root, "disconnect", 15000), once(custom, "disconnect", 15000)];
        r = await apiOn(srv, other(loop), "POST", "/disconnect", { room: rootId, close: true });
        assert.deepEqual(r.body, { ok: true }, r.text);
        const [[rootReason], [customReason]] = await Promise.all(gone);
        assert.equal(rootReason, "io server disconnect");
        assert.ok(["io server disconnect", "transport close"].includes(customReason), customReason);
        assert.equal((await reasonOn(srv, other(loop), rootId)).body.reason, "server namespace disconnect");
        const cr = (await reasonOn(srv, other(loop), customId, "/custom")).body.reason;
        assert.ok(["forced server close", "server namespace disconnect"].includes(cr), cr);
        assert.ok(bystander.connected);
        assert.deepEqual(await ack(bystander, "ack", "alive"), ["alive"]);
      } finally {
        m.engine?.close();
        c.close();
        bystander.disconnect();
      }
    });
  }
});

describe("connection state recovery across loops", () => {
  let srv;
  const clients = [];
  before(async () => {
    srv = await startServer({ ...ENV, INSTANCE_ID: "inst-shards" }, { name: "threads=2 recovery" });
  });
  after(async () => {
    closeAll(clients);
    await srv?.stop();
  });

  for (const from of LOOPS) {
    test(`a client of loop ${from} reconnecting onto loop ${other(from)} is recovered: same id, rooms, data, missed events once`, async () => {
      const to = other(from);
      const missed = [];
      const s = await clientOn(srv, from, "/", {
        auth: { user: `u${from}` },
        setup: (sock) => sock.on("missed", (...a) => missed.push(a)),
      });
      clients.push(s);
      const peerFrom = await clientOn(srv, from);
      const peerTo = await clientOn(srv, to);
      clients.push(peerFrom, peerTo);
      assert.equal(s.recovered, false);
      const room = `rec-${from}`;
      assert.deepEqual(await ack1(s, "join", room), { rooms: [room] });
      const id = s.id;
      const pid = s._pid;
      assert.ok(pid, "recovery is on: the CONNECT answer carries a pid");

      s.io.engine.close();
      for (const loop of LOOPS) {
        assert.equal((await reasonOn(srv, loop, id)).body.reason, "transport close", `reason asked on loop ${loop}`);
      }

      // Missed while away: REST emits served by each loop and broadcasts of clients of each loop.
      assert.deepEqual((await apiOn(srv, to, "POST", "/emit", { room, event: "missed", data: 1 })).body, { ok: true });
      assert.deepEqual((await apiOn(srv, from, "POST", "/emit", { room: "elsewhere", event: "missed", data: 99 })).body, { ok: true });
      assert.deepEqual(await ack1(peerTo, "room-emit", { event: "missed", args: [2], room }), { ok: true });
      assert.deepEqual(await ack1(peerFrom, "room-emit", { event: "missed", args: [3], room }), { ok: true });
      assert.deepEqual((await apiOn(srv, from, "POST", "/emit", { event: "missed", data: 4 })).body, { ok: true });

      // Reconnect through a TCP connection accepted by the other loop.
      const back = await connectionOn(srv, to);
      try {
        s.io.opts.agent = back.agent;
        const reconnected = once(s, "connect", 15000);
        s.connect();
        await reconnected;
      } finally {
        back.close();
      }
      assert.equal(shardOf(s.io.engine.id), to, `new engine id ${s.io.engine.id} on loop ${to}`);
      assert.equal(s.recovered, true, "socket.recovered after reconnecting onto the other loop");
      assert.equal(s.id, id);
      assert.equal(s._pid, pid);

      await waitUntil(() => missed.length >= 4, { timeout: 15000, message: `missed events (got ${JSON.stringify(missed)})` });
      await flush(srv, [s, peerFrom, peerTo]);
      assert.deepEqual(missed.map((a) => a[0]), [1, 2, 3, 4], "every missed event once, in order");

      const who = await ack1(s, "whoami");
      assert.equal(who.recovered, true);
      assert.equal(who.id, id);
      assert.equal(who.engineId, s.io.engine.id);
      assert.deepEqual(who.rooms, [room]);
      assert.deepEqual(who.data, { instance: "inst-shards", user: `u${from}` });

      // The recovered socket is one socket of the process, now reached through loop `to`.
      const listed = await apiOn(srv, from, "GET", `/sockets?room=${room}`);
      assert.deepEqual(listed.body.sockets.map((x) => x.id), [id], listed.text);
      const after = [];
      s.on("after", (...a) => after.push(a));
      assert.deepEqual((await apiOn(srv, from, "POST", "/emit", { room, event: "after", data: "rest" })).body, { ok: true });
      assert.deepEqual(await ack1(peerFrom, "room-emit", { event: "after", args: ["peer"], room }), { ok: true });
      await waitUntil(() => after.length >= 2, { timeout: 15000, message: "emits after recovery" });
      await flush(srv, [s, peerFrom, peerTo]);
      assert.deepEqual(after.map((a) => a[0]).sort(), ["peer", "rest"]);
      assert.deepEqual(await ack(s, "ack", "alive"), ["alive"]);
    });
  }
});

describe("GET /disconnect-reason across loops", () => {
  let srv;
  before(async () => {
    srv = await startServer(ENV, { name: "threads=2 reasons" });
  });
  after(() => srv?.stop());

  test("the reason of a socket of one loop is answered by a REST request served by the other loop", async () => {
    const cases = [];
    for (const loop of LOOPS) {
      const a = await clientOn(srv, loop, "/custom");
      cases.push({ id: a.id, loop, nsp: "/custom", reason: "client namespace disconnect" });
      a.disconnect();
      const b = await clientOn(srv, loop);
      cases.push({ id: b.id, loop, nsp: "/", reason: "transport close" });
      b.io.engine.close();
      const c = await clientOn(srv, loop);
      cases.push({ id: c.id, loop, nsp: "/", reason: "server namespace disconnect" });
      c.emit("disconnect-me");
      await once(c, "disconnect", 15000);
      c.io.engine.close();
    }
    for (const k of cases) {
      const r = await reasonOn(srv, other(k.loop), k.id, k.nsp);
      assert.deepEqual(r.body, { id: k.id, namespace: k.nsp, reason: k.reason }, `socket of loop ${k.loop} asked on loop ${other(k.loop)}`);
      const same = await reasonOn(srv, k.loop, k.id, k.nsp);
      assert.deepEqual(same.body, r.body);
    }
    for (const loop of LOOPS) {
      const r = await apiOn(srv, loop, "GET", "/disconnect-reason?id=AAAAunknownAAAAAAAAA");
      assert.equal(r.status, 404, r.text);
      const r2 = await apiOn(srv, loop, "GET", "/disconnect-reason?id=BAAAunknownAAAAAAAAA");
      assert.equal(r2.status, 404, r2.text);
    }
  });
});
