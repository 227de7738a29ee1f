// Generates vectors.json: golden bytes of the Redis wire protocol, produced by the real Node
// code (notepack.io 3.0.1, @socket.io/redis-adapter 8.3.0, @socket.io/redis-emitter 5.1.0,
// socket.io-adapter 2.5.8, socket.io-parser 4.2.7), for the C++ unit tests
// (tests/unit/adapter/redis_*_test.cpp) which only read the committed JSON.
//
//   cd tests/vectors/redis && npm ci && node generate.mjs
//
// Redis itself is not needed: the adapter and the emitter get fake clients that record what
// they publish, and requests are fed to the adapter's own `onrequest` to get its responses.
// uid2 (uids and request ids) is replaced by a deterministic sequence.

import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

// ---- deterministic uid2 (must happen before the adapter is loaded) -----------------------
const uid2Path = require.resolve("uid2");
require(uid2Path);
let nextIds = [];
require.cache[uid2Path].exports = (n) => {
  if (nextIds.length === 0) throw new Error("unexpected uid2 call");
  const id = nextIds.shift();
  if (id.length !== n) throw new Error("bad id length");
  return id;
};

const notepack = require("notepack.io");
const { RedisAdapter } = require("@socket.io/redis-adapter");
const { Emitter } = require("@socket.io/redis-emitter");
const { Encoder } = require("socket.io-parser");
// binary.js is not in socket.io-parser's "exports": load it by path.
const { deconstructPacket } = require(join(dirname(require.resolve("socket.io-parser")), "binary.js"));

const versions = {};
for (const p of ["notepack.io", "@socket.io/redis-adapter", "@socket.io/redis-emitter", "socket.io-adapter", "socket.io-parser"]) {
  versions[p] = JSON.parse(readFileSync(new URL(`./node_modules/${p}/package.json`, import.meta.url))).version;
}

const hex = (buf) => Buffer.from(buf).toString("hex");

// What a receiving server makes of a decoded value: binary -> placeholders + attachments
// (socket.io-parser's deconstructPacket), then JSON.stringify (Dates -> ISO strings).
function split(value) {
  const { packet, buffers } = deconstructPacket({ type: 2, nsp: "/", data: value });
  const json = JSON.stringify(packet.data);
  return { json: json === undefined ? "null" : json, attachments: buffers.map((b) => hex(Buffer.from(b))) };
}

// ---- 1. values -----------------------------------------------------------------------------
// encoded: notepack.encode of a JS value. `roundtrip`: the C++ encoder, given the expected JSON
// (parse_json) and attachments, must produce the same bytes (false where JSON loses the JS type:
// Dates, NaN/Infinity, typed wrappers).
const values = [];
function enc(name, value, roundtrip = true) {
  const bytes = notepack.encode(value);
  values.push({ name, hex: hex(bytes), ...split(notepack.decode(bytes)), roundtrip });
}
// decode-only: hand-written bytes (forms notepack never writes, quirks, errors) read by notepack.
function dec(name, hexBytes) {
  const bytes = Buffer.from(hexBytes, "hex");
  let decoded;
  try {
    decoded = notepack.decode(bytes);
  } catch (e) {
    values.push({ name, hex: hexBytes, error: String(e.message) });
    return;
  }
  values.push({ name, hex: hexBytes, ...split(decoded), roundtrip: false });
}

const ints = [
  0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 64, 1e21, 1e300,
  -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 53), -(2 ** 63), -(2 ** 64), -1e21,
];
// roundtrip only where notepack reads back the number it wrote (not for wrapped 64-bit values).
for (const n of ints) enc(`int ${n}`, n, notepack.decode(notepack.encode(n)) === n);
enc("negative zero", -0);
for (const f of [1.5, -1.5, 0.1, 1e-7, 123.456, 5e-324, Number.MAX_VALUE, -2.5e-300]) {
  enc(`float ${f}`, f, notepack.decode(notepack.encode(f)) === f);
}
enc("NaN", NaN, false);
enc("Infinity", Infinity, false);
enc("-Infinity", -Infinity, false);
enc("null", null);
enc("true", true);
enc("false", false);
enc("empty string", "");
enc("fixstr 31", "a".repeat(31));
enc("str8 32", "b".repeat(32));
enc("str8 255", "c".repeat(255));
enc("str16 256", "d".repeat(256));
enc("str16 1000", "e".repeat(1000));
enc("str32 65536", "f".repeat(65536));
enc("utf8 multibyte", "héllo wörld ✓ 😀 日本語");
enc("utf8 str8 by bytes", "é".repeat(20));  // 20 chars, 40 bytes -> str8
enc("escapes", "quote\" backslash\\ nl\n tab\t ctl\u0001 slash/");
enc("empty array", []);
enc("fixarray 15", Array.from({ length: 15 }, (_, i) => i));
enc("array16 16", Array.from({ length: 16 }, (_, i) => i * 1000));
enc("empty map", {});
enc("fixmap 15", Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, i])));
enc("map16 16", Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`key${i}`, `v${i}`])));
enc("nested", { a: [1, { b: [true, null, "x"] }], c: { d: { e: {} } } });
enc("undefined member omitted", { a: 1, u: undefined, b: 2 });
enc("undefined array element", [1, undefined, 2], true);
enc("bin8 empty", Buffer.alloc(0));
enc("bin8", Buffer.from([1, 2, 3]));
enc("bin8 255", Buffer.alloc(255, 7));
enc("bin16", Buffer.alloc(256, 0xab));
enc("binary args", ["bin", Buffer.from([1, 2, 3]), { buf: Buffer.from([4]) }]);
enc("nested binary", { list: [Buffer.from("a"), { deep: [Buffer.from("bc"), [Buffer.from([0, 255])]] }], after: Buffer.from("z") });
enc("Uint8Array", new Uint8Array([9, 8, 7]));
enc("ArrayBuffer", new Uint8Array([6, 5]).buffer);
for (const ms of [1700000000123, 1700000000000, 0, 1, -1, -1000, 2 ** 34 * 1000, 2 ** 34 * 1000 - 1, 8.64e15, -8.64e15,
  -62198755200000 /* year -1 */, 253402300800000 /* year 10000 */, -62135596800000 /* year 1 */, 951782400000 /* 2000-02-29 */]) {
  enc(`Date ${ms}`, new Date(ms), false);
}
enc("Invalid Date", new Date(NaN), false);
enc("Date in args", ["when", new Date(1700000000123), { at: new Date(0) }], false);
enc("toJSON", { toJSON: () => ({ x: 1 }) }, false);

// Forms notepack does not write but reads.
function ts96(sec, ns) {
  const b = Buffer.alloc(15);
  b[0] = 0xc7; b[1] = 12; b[2] = 0xff;
  b.writeUInt32BE(ns, 3);
  b.writeBigInt64BE(BigInt(sec), 7);
  return hex(b);
}
dec("uint8 small", "cc05");
dec("uint16 small", "cd0001");
dec("uint32", "ce00010000");
dec("uint64 small", "cf0000000000000001");
dec("uint64 max", "cfffffffffffffffff");
dec("uint64 2^53+1", "cf0020000000000001");
dec("int8 positive", "d07f");
dec("int16", "d1ff00");
dec("int32", "d2ffff0000");
dec("int64 -1", "d3ffffffffffffffff");
dec("int64 min", "d38000000000000000");
dec("int64 -(2^53+1)", "d3ffdfffffffffffff");
dec("float32 1.5", "ca3fc00000");
dec("float32 1.0", "ca3f800000");
dec("float32 0.1", "ca3dcccccd");
dec("float32 NaN", "ca7fc00000");
dec("float32 -inf", "caff800000");
dec("float64 integral", "cb4000000000000000");
dec("float64 -0", "cb8000000000000000");
dec("str8 short", "d903616263");
dec("str16 short", "da0003616263");
dec("str32 short", "db00000003616263");
dec("array16 short", "dc000201c0");
dec("array32 short", "dd0000000102");
dec("map16 short", "de0001a161c3");
dec("map32 short", "df00000001a161c2");
dec("invalid utf8", "a7" + "ff" + "61" + "c328" + "e282" + "f0");
dec("invalid utf8 surrogate", "a6eda080eda081");
dec("invalid utf8 overlong", "a5c0afe08080");
dec("invalid utf8 in key", "81a2ff61" + "01");
dec("integer-like keys reordered", "84a162" + "01" + "a131" + "02" + "a130" + "03" + "a2" + "3031" + "04");
dec("big index keys", "83a17a01" + "aa34323934393637323934" + "02" + "aa34323934393637323935" + "03");
dec("duplicate keys", "83a16101a16202a16103");
dec("__proto__ key", "82a95f5f70726f746f5f5f81a17801a16101");
dec("integer key", "8105a161");
dec("undefined (fixext1 type 0) in map", "82a161d40000a16201");
dec("undefined (fixext1 type 0) in array", "9201d40000");
dec("undefined at top", "d40000");
dec("fixext1 other type", "d40511");
dec("fixext2", "d5fe0102");
dec("fixext4", "d6070a0b0c0d");
dec("fixext8 other", "d7070102030405060708");
dec("fixext16", "d80b" + "00112233445566778899aabbccddeeff");
dec("ext8", "c70305616263");
dec("ext8 type 0 ArrayBuffer", "c70200abcd");
dec("ext16 type 0 ArrayBuffer", "c8000100ee");
dec("ext32 type 0 ArrayBuffer", "c90000000100ef");
dec("ext16", "c80002800102");
dec("ext32", "c900000001ff09");
dec("ext16 type -1 is not a date", "c8000cff000000000000000000000000");
dec("timestamp32", "d6ff6553f100");
dec("timestamp32 max", "d6ffffffffff");
dec("timestamp64", "d7ff1d5353006553f100");
dec("timestamp64 sub-ms ns", "d7ff000000046553f100");
dec("timestamp64 34-bit seconds", "d7ff00000003ffffffff");
dec("timestamp96 negative", "c70cff3b8b87c0ffffffffffffffff");
dec("timestamp96 out of range", "c70cff" + "00000000" + "00010000" + "00000000");
dec("timestamp96 just beyond 8.64e15 ms", ts96(8640000000001, 0));
dec("timestamp96 at -8.64e15 ms", ts96(-8640000000000, 0));
dec("legacy date d7 00", "d700000001" + "8bcfe56800");
dec("legacy date d7 00 negative", "d700ffffffffffffffff");
dec("date in map", "81a174d6ff00000000");
// Errors notepack throws on.
dec("error trailing bytes", "c0c0");
dec("error truncated str", "a3616263".slice(0, 6));
dec("error truncated uint32", "ce0001");
dec("error truncated array", "93010203".slice(0, 6));
dec("error truncated bin", "c40501");
dec("error 0xc1", "c1");
dec("error empty", "");

// ---- fakes for the adapter and the emitter -------------------------------------------------
const published = [];
const fakeClient = () => ({
  on() {}, off() {}, psubscribe() {}, subscribe() {}, punsubscribe() {}, unsubscribe() {},
  publish(channel, msg) { published.push({ channel, msg: Buffer.isBuffer(msg) ? msg : Buffer.from(msg) }); },
  send_command(cmd, args, cb) { cb(null, [args[1], 3]); },  // PUBSUB NUMSUB -> 3 servers
});
function take() {
  const all = published.splice(0);
  return all;
}
function takeOne() {
  const all = take();
  if (all.length !== 1) throw new Error(`expected one publish, got ${all.length}`);
  return all[0];
}
const describeMsg = ({ channel, msg }) => ({
  channel,
  encoding: msg[0] === 0x7b ? "json" : "msgpack",
  ...(msg[0] === 0x7b ? { text: msg.toString() } : { hex: hex(msg) }),
});

function makeSocket(id, rooms, extra = {}) {
  return {
    id, rooms: new Set([id, ...rooms]), data: extra.data ?? {}, acks: new Map(),
    handshake: extra.handshake ?? {
      headers: { host: "localhost:3000", "user-agent": "node-XMLHttpRequest" },
      time: "Tue Nov 24 2026 18:39:04 GMT+0000 (Coordinated Universal Time)",
      address: "::ffff:127.0.0.1", xdomain: false, secure: false, issued: 1795545544014,
      url: "/socket.io/?room=room1&EIO=4&transport=websocket",
      query: { room: "room1", EIO: "4", transport: "websocket" }, auth: {},
    },
    client: { writeToEngine() {} },
    join() {}, leave() {}, disconnect() {},
  };
}

function makeAdapter(nspName, uid, sockets = []) {
  const nsp = {
    name: nspName, sockets: new Map(), _ids: 0,
    server: { encoder: new Encoder() },
    _onServerSideEmit(args) { this.onSSE?.(args); },
  };
  nextIds = [uid];
  const adapter = new RedisAdapter(nsp, fakeClient(), fakeClient(), { requestsTimeout: 1 });
  for (const s of sockets) {
    nsp.sockets.set(s.id, s);
    adapter.addAll(s.id, s.rooms);
  }
  return { adapter, nsp };
}

// ---- 2. broadcasts (adapter.broadcast, as socket.io's BroadcastOperator calls it) ---------
const broadcasts = [];
function bcast(name, adapter, data, rooms, except, flags, extra = {}) {
  adapter.broadcast({ type: 2, data }, { rooms: new Set(rooms), except: new Set(except), flags });
  const p = takeOne();
  const decoded = notepack.decode(p.msg);
  const [uid, packet, opts] = decoded;
  broadcasts.push({
    name, channel: p.channel, hex: hex(p.msg), order: "adapter", encode: extra.encode ?? true,
    uid, nsp: packet.nsp, ...split(packet.data), rooms: opts.rooms, except: opts.except, flags: opts.flags,
  });
}

const { adapter: main } = makeAdapter("/", "yusSpg");
bcast("capture 4.3 to room1", main, ["room-event", { a: 1 }], ["room1"], [], {});
bcast("capture emit mixed", main, ["hello", "world", 1, 1.5, null, true, { nested: [1, "x"] }], [], [], {});
bcast("capture multi rooms except", main, ["multi", "x"], ["room1", "room2"], ["room3"], {});
bcast("capture binary", main, ["bin", Buffer.from([1, 2, 3]), { buf: Buffer.from([4]) }], [], [], {});
bcast("capture volatile compress", main, ["vol", 1], [], [], { volatile: true, compress: false });
bcast("capture remote socket emit", main, ["direct", "to-you"], ["qTpZjZPLeGVRHzY6AAAB"], [], { expectSingleResponse: true });
bcast("remote socket emit with timeout flag", main, ["direct"], ["qTpZjZPLeGVRHzY6AAAB"], [], { expectSingleResponse: true, timeout: 2500 });
bcast("socket.broadcast", main, ["b", -7], [], ["qTpZjZPLeGVRHzY6AAAB"], {});
bcast("socket.to(room)", main, ["t", 65536], ["room9"], ["qTpZjZPLeGVRHzY6AAAB"], {});
bcast("compress true", main, ["c"], [], [], { compress: true });
bcast("nested binary bin16 bin32", main,
  ["nested", { a: [Buffer.from([0]), { b: Buffer.alloc(300, 1) }] }, Buffer.alloc(65536, 2), "tail"], [], [], {});
bcast("long strings", main, ["s".repeat(40), "t".repeat(300), "ü".repeat(20)], [], [], {});
bcast("ints and floats", main, ["n", 127, 128, 255, 256, 65535, 65536, 4294967296, -33, -129, -32769, -2147483649, 0.5, -0], [], [], {});
bcast("dates", main, ["date", new Date(1700000000123), new Date(1700000000000)], [], [], {}, { encode: false });
bcast("many args", main, ["many", ...Array.from({ length: 20 }, (_, i) => i)], [], [], {});
bcast("unicode room", main, ["u"], ["salle-été"], [], {});
const { adapter: chat } = makeAdapter("/chat", "abc123");
bcast("V1", chat, ["hello", "world"], [], [], {});  // nsp /chat here; V1 of §4.5 is for "/"
bcast("V2", chat, ["ev", 1.5, -1, null, true], ["room1"], ["sidX"], { volatile: true });
bcast("V3 /chat binary", chat, ["file", Buffer.from([0xca, 0xfe])], [], [], {});

// Emitter (key order rooms, flags, except; uid "emitter").
const emitter = new Emitter(fakeClient());
function emit(name, op, args, extra = {}) {
  op.emit(...args);
  const p = takeOne();
  const [uid, packet, opts] = notepack.decode(p.msg);
  broadcasts.push({
    name, channel: p.channel, hex: hex(p.msg), order: "emitter", encode: extra.encode ?? true,
    uid, nsp: packet.nsp, ...split(packet.data), rooms: opts.rooms, except: opts.except, flags: opts.flags,
  });
}
emit("emitter emit", emitter, ["from-emitter", 1]);
emit("emitter to room volatile compress", emitter.to("room1").volatile.compress(true), ["x", { y: [1, 2] }]);
emit("emitter of chat except", emitter.of("chat").to(["r1", "r2"]).except("r3"), ["bin", Buffer.from("hi")]);
emit("emitter date", emitter, ["d", new Date(0)], { encode: false });

// ---- 3. requests -------------------------------------------------------------------------------
const requests = [];
const req = (name, p, extra = {}) => requests.push({ name, ...describeMsg(p), ...extra });
const opts = (rooms, except, flags = {}) => ({ rooms: new Set(rooms), except: new Set(except), flags });

nextIds = ["7nGYyz"];
main.allRooms().catch(() => {});
await new Promise((r) => setImmediate(r));
req("all rooms", takeOne());

nextIds = ["uRQhle"];
main.fetchSockets(opts([], [])).catch(() => {});
await new Promise((r) => setImmediate(r));
req("fetch sockets", takeOne());

nextIds = ["Qw-_9z"];
main.fetchSockets(opts(["room1", "room2"], ["sidX"])).catch(() => {});
await new Promise((r) => setImmediate(r));
req("fetch sockets rooms except", takeOne());

main.addSockets(opts(["room1"], []), ["newroom"]);
req("sockets join", takeOne());
main.delSockets(opts([], ["x"]), ["newroom", "other"]);
req("sockets leave", takeOne());
main.disconnectSockets(opts(["room1"], []), true);
req("disconnect sockets close", takeOne());
main.disconnectSockets(opts([], []), false);
req("disconnect sockets", takeOne());
main.serverSideEmit(["sse", "hi", 2]);
req("server side emit", takeOne());
main.serverSideEmit(["sse-bin", Buffer.from([1, 2]), { d: new Date(0), n: 1.5 }]);
req("server side emit binary and date", takeOne(), { encode: false });  // Buffer/Date -> JSON objects/strings
nextIds = ["Fz-XlU"];
main.serverSideEmit(["sse", "q", () => {}]);
await new Promise((r) => setTimeout(r, 5));
req("server side emit with ack", takeOne());

nextIds = ["pnvPPc"];
main.broadcastWithAck({ type: 2, data: ["ack-me", 42] }, opts([], [], { timeout: 1000 }), () => {}, () => {});
req("broadcast with ack", takeOne());
nextIds = ["req001"];
main.broadcastWithAck({ type: 2, data: ["q", Buffer.from([7, 7])] }, opts(["room1"], ["sidX"], { timeout: 5000 }), () => {}, () => {});
req("broadcast with ack binary", takeOne());
nextIds = ["req002"];
chat.broadcastWithAck({ type: 2, data: ["c"] }, opts([], [], { volatile: true, timeout: 70000 }), () => {}, () => {});
req("broadcast with ack /chat volatile", takeOne());

// Forms 8.3.0 answers but no longer sends (socket.io-redis 6.x), written as those versions did.
const legacy = (name, obj) => req(name, { channel: "socket.io-request#/#", msg: Buffer.from(JSON.stringify(obj)) }, { handwritten: true });
legacy("sockets (type 0)", { uid: "yusSpg", requestId: "abcdef", type: 0, rooms: ["room1"] });
legacy("legacy remote join", { uid: "yusSpg", requestId: "abcdef", type: 2, sid: "qTpZjZPLeGVRHzY6AAAB", room: "room7" });
legacy("legacy remote leave", { uid: "yusSpg", requestId: "abcdef", type: 3, sid: "qTpZjZPLeGVRHzY6AAAB", room: "room7" });
legacy("legacy remote disconnect", { uid: "yusSpg", requestId: "abcdef", type: 4, sid: "qTpZjZPLeGVRHzY6AAAB", close: true });

// Emitter requests.
emitter.to("room1").socketsJoin("ej");
req("emitter sockets join", takeOne());
emitter.except("x").socketsLeave(["a", "b"]);
req("emitter sockets leave", takeOne());
emitter.disconnectSockets(false);
req("emitter disconnect sockets", takeOne());
emitter.serverSideEmit("sse", "from-emitter", 3);
req("emitter server side emit", takeOne());

// ---- 4. responses (the adapter answering requests of another server) --------------------------
const responses = [];
const resp = (name, pending, p, extra = {}) => responses.push({ name, pending, ...describeMsg(p), ...extra });
const s1 = makeSocket("qTpZjZPLeGVRHzY6AAAB", ["room1"], { data: { user: "s2-user" } });
const s2 = makeSocket("Xy_-0123456789abcdeA", ["room1", "room2"], { data: { n: 1, list: [1.5, null] } });
const { adapter: server2, nsp: nsp2 } = makeAdapter("/", "s2uid0", [s1, s2]);
const onreq = async (obj, raw) => {
  await server2.onrequest("socket.io-request#/#", raw ?? Buffer.from(JSON.stringify(obj)));
  await new Promise((r) => setImmediate(r));
};

await onreq({ uid: "yusSpg", requestId: "aaaaaa", type: 0, rooms: ["room2"] });
resp("sockets", 0, takeOne());
await onreq({ uid: "yusSpg", requestId: "7nGYyz", type: 1 });
resp("all rooms", 1, takeOne());
await onreq({ uid: "yusSpg", requestId: "bbbbbb", type: 2, sid: s1.id, room: "room7" });
resp("legacy remote join", 2, takeOne());
await onreq({ uid: "yusSpg", requestId: "cccccc", type: 4, sid: s1.id, close: false });
resp("legacy remote disconnect", 4, takeOne());
await onreq({ uid: "yusSpg", requestId: "uRQhle", type: 5, opts: { rooms: [], except: [] } });
resp("fetch sockets", 5, takeOne());
await onreq({ uid: "yusSpg", requestId: "dddddd", type: 5, opts: { rooms: ["nope"], except: [] } });
resp("fetch sockets empty", 5, takeOne());
nsp2.onSSE = (args) => args[args.length - 1]({ from: "s2" }, "ignored second arg");
await onreq({ uid: "yusSpg", requestId: "Fz-XlU", type: 6, data: ["sse", "q"] });
resp("server side emit ack", 6, takeOne());
nsp2.onSSE = (args) => args[args.length - 1](Buffer.from([1, 2, 3]));
await onreq({ uid: "yusSpg", requestId: "eeeeee", type: 6, data: ["sse"] });
resp("server side emit ack binary", 6, takeOne(), { encode: false });
// A msgpack request (Node accepts both): SERVER_SIDE_EMIT with a binary arg.
nsp2.onSSE = (args) => { sseArgs = args.slice(0, -1); args[args.length - 1]("ok"); };
let sseArgs;
await onreq(null, notepack.encode({ uid: "yusSpg", requestId: "ffffff", type: 6, data: ["sse", Buffer.from([9])] }));
resp("server side emit ack to msgpack request", 6, takeOne());
requests.push({ name: "msgpack server side emit", channel: "socket.io-request#/#", encoding: "msgpack", handwritten: true,
  hex: hex(notepack.encode({ uid: "yusSpg", requestId: "ffffff", type: 6, data: ["sse", Buffer.from([9])] })),
  received: split(sseArgs) });

// BROADCAST (7): client count then one ack per client (first argument only).
await onreq(null, notepack.encode({ uid: "yusSpg", requestId: "pnvPPc", type: 7,
  packet: { type: 2, data: ["ack-me", 42], nsp: "/" }, opts: { rooms: [], except: [], flags: { timeout: 1000 } } }));
resp("broadcast client count", 7, takeOne());
s1.acks.get(0)("ack-from-B");
resp("broadcast ack", 7, takeOne());
s2.acks.get(0)({ bin: Buffer.from([0xde, 0xad]), d: new Date(1700000000123), n: 1.25 });
resp("broadcast ack binary", 7, takeOne(), { encode: false });
await onreq(null, notepack.encode({ uid: "yusSpg", requestId: "zzzzzz", type: 7,
  packet: { type: 2, data: ["nobody"], nsp: "/" }, opts: { rooms: ["nope"], except: [], flags: { timeout: 1 } } }));
resp("broadcast client count zero", 7, takeOne());
await onreq(null, notepack.encode({ uid: "yusSpg", requestId: "yyyyyy", type: 7,
  packet: { type: 2, data: ["x"], nsp: "/" }, opts: { rooms: ["room1"], except: [], flags: { timeout: 1 } } }));
resp("broadcast client count two", 7, takeOne());
const lastId = nsp2._ids - 1;
s1.acks.get(lastId)(Buffer.from([1, 2]));
resp("broadcast ack buffer", 7, takeOne());
s2.acks.get(lastId)();
resp("broadcast ack undefined", 7, takeOne(), { encode: false });

if (published.length) throw new Error("unconsumed publishes");

const out = {
  comment: "Generated by tests/vectors/redis/generate.mjs from the real Node packages; do not edit by hand.",
  versions, values, broadcasts, requests, responses,
};
writeFileSync(fileURLToPath(new URL("./vectors.json", import.meta.url)), JSON.stringify(out, null, 1) + "\n");
process.exitCode = 0;
console.log(`values ${values.length}, broadcasts ${broadcasts.length}, requests ${requests.length}, responses ${responses.length}`);
process.exit(0);  // the adapter's ack-table timers would keep the process alive
