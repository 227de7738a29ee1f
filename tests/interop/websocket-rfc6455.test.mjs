// The WebSocket layer itself (RFC 6455 as Node's `ws` server applies it), driven by the real
// `ws` client against the raw /engine.io/ echo endpoint: fragmentation, ping/pong, close
// handshake, the protocol errors a server must refuse, and subprotocol selection.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import WebSocket from "ws";
import { startServer } from "./lib/server.mjs";
import { wsHandshake, wsUrl, once, rawTcp } from "./lib/util.mjs";

let srv;
before(async () => {
  srv = await startServer({ PING_INTERVAL: "5000", PING_TIMEOUT: "5000", MAX_HTTP_BUFFER_SIZE: "100000", CONNECTION_STATE_RECOVERY: "0" });
});
after(() => srv?.stop());

const echo = () => wsHandshake(srv.url, { path: "/engine.io/", autoPong: true });

/** A masked client frame built by hand (key 1,2,3,4), for what the ws client refuses to send. */
function maskedFrame(first, payload) {
  const key = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload);
  const masked = Buffer.from(body.map((b, i) => b ^ key[i % 4]));
  return Buffer.concat([Buffer.from([first, 0x80 | body.length]), key, masked]);
}

/** Upgrades a raw TCP connection, writes `bytes` after the 101 and resolves with the close
    code of the server's close frame (null if the connection ended without one). */
function rawWebSocketCloseCode(bytes) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, "127.0.0.1");
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const timer = setTimeout(() => { sock.destroy(); reject(new Error("no close within 5 s")); }, 5000);
    sock.on("connect", () => sock.write(
      "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
    sock.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        assert.match(buf.subarray(0, end).toString(), /^HTTP\/1\.1 101 /);
        buf = buf.subarray(end + 4);
        upgraded = true;
        sock.write(bytes);
      }
      // Skip data frames (the open packet) up to a close frame.
      while (buf.length >= 2) {
        const len = buf[1] & 0x7f;
        if (len > 125 || buf.length < 2 + len) return;
        if ((buf[0] & 0x0f) === 0x8) {
          clearTimeout(timer);
          resolve(len >= 2 ? buf.readUInt16BE(2) : 1005);
          sock.destroy();
          return;
        }
        buf = buf.subarray(2 + len);
      }
    });
    sock.on("close", () => { clearTimeout(timer); resolve(null); });
    sock.on("error", () => {});
  });
}

test("a message sent in fragments (with a ping between them) arrives whole", async () => {
  const { ws } = await echo();
  try {
    ws.ws.send("4he", { fin: false });
    ws.ws.ping("between");
    ws.ws.send("llo ", { fin: false });
    ws.ws.send("world", { fin: true });
    assert.equal(await ws.next(), "4hello world");
    ws.ws.send(Buffer.from([1, 2]), { binary: true, fin: false });
    ws.ws.send(Buffer.from([3]), { binary: true, fin: true });
    assert.deepEqual(await ws.next(), Buffer.from([1, 2, 3]));
  } finally {
    ws.close();
  }
});

test("a ping is answered with a pong carrying the same payload", async () => {
  const { ws } = await echo();
  try {
    const pong = once(ws.ws, "pong");
    ws.ws.ping("are you there");
    const [data] = await pong;
    assert.equal(data.toString(), "are you there");
  } finally {
    ws.close();
  }
});

test("a client close is answered with the same code and ends the connection", async () => {
  const { ws } = await echo();
  ws.ws.close(4000, "bye");
  const closed = await ws.waitClose(5000);
  assert.equal(closed.code, 4000);
});

test("many frames in one TCP write and a large message split over many writes are all read", async () => {
  const { ws } = await echo();
  try {
    ws.ws.cork?.();
    for (let i = 0; i < 200; i++) ws.ws.send(`4m${i}`);
    ws.ws.uncork?.();
    for (let i = 0; i < 200; i++) assert.equal(await ws.next(), `4m${i}`);
    const big = "4" + "z".repeat(99_999);  // 100 000 bytes: exactly the limit
    ws.ws.send(big);
    assert.equal(await ws.next(), big);
  } finally {
    ws.close();
  }
});

for (const [what, send, code] of [
  ["an unmasked frame", (w) => w.send("4x", { mask: false }), 1002],
  ["text that is not UTF-8", (w) => w.send(Buffer.from([0x34, 0xff, 0xfe]), { binary: false }), 1007],
]) {
  test(`${what} closes the connection with ${code}; other connections are unaffected`, async () => {
    const bystander = await echo();
    const { ws } = await echo();
    send(ws.ws);
    const closed = await ws.waitClose(5000);
    assert.equal(closed.code, code);
    bystander.ws.send("4still here");
    assert.equal(await bystander.ws.next(), "4still here");
    bystander.ws.close();
  });
}

for (const [what, frame] of [
  ["a continuation with no message started", maskedFrame(0x80, "x")],
  ["a new message while a fragmented one is open", Buffer.concat([maskedFrame(0x01, "4a"), maskedFrame(0x81, "4b")])],
  ["a reserved opcode", maskedFrame(0x83, "x")],
  ["RSV1 set without an agreed extension", maskedFrame(0xc1, "4x")],
  ["a one-byte close payload", maskedFrame(0x88, "x")],
  ["a close code no peer may send (1005)", maskedFrame(0x88, Buffer.from([0x03, 0xed]))],
]) {
  test(`${what} closes the connection with 1002`, async () => {
    assert.equal(await rawWebSocketCloseCode(frame), 1002);
  });
}

test("the first offered subprotocol is selected, as ws does", async () => {
  const ws = new WebSocket(wsUrl(srv.url, { path: "/engine.io/" }), ["chat", "superchat"]);
  await once(ws, "open");
  assert.equal(ws.protocol, "chat");
  ws.close();
});

test("an upgrade with a bad Sec-WebSocket-Version is refused with 400 and ws's message, never 101", async () => {
  const { data } = await rawTcp(srv.port,
    "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 7\r\n\r\n");
  assert.match(data, /^HTTP\/1\.1 400 /);
  assert.match(data, /Missing or invalid Sec-WebSocket-Version header/);
});
