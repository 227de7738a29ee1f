// Shared helpers: raw HTTP, raw Engine.IO (polling and WebSocket), raw Socket.IO over WebSocket,
// and wrappers around the official socket.io-client.
import http from "node:http";
import net from "node:net";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { io as ioClient } from "socket.io-client";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits for `predicate()` to become truthy (polls every `interval` ms). Returns its value. */
export async function waitUntil(predicate, { timeout = 5000, interval = 25, message = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message}`);
    await sleep(interval);
  }
}

/** Rejects after `ms` unless `promise` settles first. */
export function withTimeout(promise, ms, what = "operation") {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Resolves with the arguments of the next `event` emitted by `emitter`. */
export function once(emitter, event, ms = 5000) {
  return withTimeout(
    new Promise((resolve) => {
      const handler = (...args) => resolve(args);
      (emitter.once ?? emitter.on).call(emitter, event, handler);
    }),
    ms,
    `event "${event}"`,
  );
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP

/**
 * One HTTP request on a fresh connection. Resolves {status, headers, body: Buffer, text, json}.
 * `body` may be a string or Buffer.
 */
export function request(url, { method = "GET", headers = {}, body, timeout = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const buf = Buffer.concat(chunks);
        const text = buf.toString("utf8");
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: buf,
          text,
          json() {
            return JSON.parse(text);
          },
        });
      });
      res.on("error", reject);
    });
    req.setTimeout(timeout, () => req.destroy(new Error(`HTTP ${method} ${url} timed out after ${timeout} ms`)));
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** Like request() but the request can be aborted: returns {promise, abort}. */
export function pendingRequest(url, opts = {}) {
  let reqObj;
  const promise = new Promise((resolve, reject) => {
    reqObj = http.request(url, { method: opts.method ?? "GET", headers: opts.headers ?? {}, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const buf = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: buf, text: buf.toString("utf8") });
      });
      res.on("error", reject);
    });
    reqObj.on("error", reject);
    reqObj.end(opts.body);
  });
  return { promise, abort: () => reqObj.destroy() };
}

/** JSON REST call; resolves {status, headers, body (parsed JSON or null), text}. */
export async function api(base, method, path, { body, token, headers = {}, timeout } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    payload = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    h["Content-Type"] ??= "application/json";
  }
  const res = await request(base + path, { method, headers: h, body: payload, timeout });
  let json = null;
  try {
    json = JSON.parse(res.text);
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, body: json, text: res.text };
}

/** Sends raw bytes on a TCP connection and collects what comes back until close or `ms`. */
export function rawTcp(port, bytes, ms = 3000) {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1");
    const chunks = [];
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ data: Buffer.concat(chunks).toString("latin1"), closed });
    };
    const timer = setTimeout(finish, ms);
    sock.on("connect", () => sock.write(bytes));
    sock.on("data", (c) => chunks.push(c));
    sock.on("end", () => {
      closed = true;
      finish();
    });
    sock.on("close", () => {
      closed = true;
      finish();
    });
    sock.on("error", () => {
      closed = true;
      finish();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Engine.IO long-polling

export const SEP = "\x1e";

export function eioUrl(base, { path = "/socket.io/", transport = "polling", sid, eio = "4", query = {} } = {}) {
  const u = new URL(path, base);
  if (eio !== null) u.searchParams.set("EIO", eio);
  if (transport !== null) u.searchParams.set("transport", transport);
  if (sid) u.searchParams.set("sid", sid);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u.toString();
}

/** Splits a polling payload into packets: strings, or Buffers for `b<base64>` entries. */
export function decodePayload(text) {
  if (text === "") return [];
  return text.split(SEP).map((p) => (p.startsWith("b") ? Buffer.from(p.slice(1), "base64") : p));
}

export function parseOpen(packet) {
  assert.equal(typeof packet, "string");
  assert.equal(packet[0], "0", `expected an open packet, got ${JSON.stringify(packet)}`);
  return JSON.parse(packet.slice(1));
}

/** Polling handshake: returns {sid, open (parsed), raw (the packet text), res}. */
export async function pollHandshake(base, opts = {}) {
  const res = await request(eioUrl(base, opts), { headers: opts.headers ?? {} });
  assert.equal(res.status, 200, `handshake status ${res.status}: ${res.text}`);
  const packets = decodePayload(res.text);
  const open = parseOpen(packets[0]);
  return { sid: open.sid, open, raw: packets[0], packets, res };
}

export class Poller {
  constructor(base, sid, path = "/socket.io/") {
    this.base = base;
    this.sid = sid;
    this.path = path;
  }
  url() {
    return eioUrl(this.base, { path: this.path, sid: this.sid });
  }
  async get(opts) {
    const res = await request(this.url(), opts);
    return { ...res, packets: res.status === 200 ? decodePayload(res.text) : [] };
  }
  pendingGet() {
    const p = pendingRequest(this.url());
    return { abort: p.abort, promise: p.promise.then((res) => ({ ...res, packets: res.status === 200 ? decodePayload(res.text) : [] })) };
  }
  post(body, headers = { "Content-Type": "text/plain;charset=UTF-8" }) {
    return request(this.url(), { method: "POST", headers, body });
  }
  /** POSTs packets joined by \x1e and asserts `ok`. */
  async send(...packets) {
    const res = await this.post(packets.join(SEP));
    assert.equal(res.status, 200, `POST status ${res.status}: ${res.text}`);
    assert.equal(res.text, "ok");
    return res;
  }
  /** GETs until a packet matching `pred` arrives (answers pings). Returns all packets seen. */
  async until(pred, { timeout = 5000 } = {}) {
    const deadline = Date.now() + timeout;
    const seen = [];
    while (Date.now() < deadline) {
      const res = await this.get();
      assert.equal(res.status, 200, `GET status ${res.status}: ${res.text}`);
      for (const p of res.packets) {
        seen.push(p);
        if (p === "2") await this.send("3");
      }
      if (res.packets.some(pred)) return seen;
    }
    throw new Error(`polling: no matching packet within ${timeout} ms; saw ${JSON.stringify(seen)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Raw WebSocket (Engine.IO frames)

export function wsUrl(base, opts = {}) {
  return eioUrl(base, { transport: "websocket", ...opts }).replace(/^http/, "ws");
}

/** A `ws` client whose messages are queued and read with next(). */
export class WsClient {
  static open(url, { autoPong = false, headers, maxPayload } = {}) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers, maxPayload: maxPayload ?? 100 * 1024 * 1024 });
      const client = new WsClient(ws, autoPong);
      ws.once("open", () => resolve(client));
      ws.once("error", reject);
      ws.once("unexpected-response", (req, res) => reject(Object.assign(new Error(`unexpected response ${res.statusCode}`), { status: res.statusCode })));
    });
  }

  constructor(ws, autoPong) {
    this.ws = ws;
    this.autoPong = autoPong;
    this.queue = [];
    this.waiters = [];
    this.pings = 0;
    this.closed = null;
    this.closePromise = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        this.closed = { code, reason: reason.toString() };
        resolve(this.closed);
        this._wake();
      });
    });
    ws.on("error", () => {});
    ws.on("message", (data, isBinary) => {
      const msg = isBinary ? Buffer.from(data) : data.toString("utf8");
      if (!isBinary && msg === "2") {
        this.pings++;
        if (this.autoPong) {
          this.send("3");
          return;
        }
      }
      this.queue.push(msg);
      this._wake();
    });
  }

  _wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  send(data) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data);
  }

  /** Next message (string for text frames, Buffer for binary frames). Throws on close/timeout. */
  async next(timeout = 5000, pred = () => true) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const i = this.queue.findIndex(pred);
      if (i >= 0) return this.queue.splice(i, 1)[0];
      if (this.closed) throw new Error(`websocket closed (${this.closed.code}) while waiting; queue: ${JSON.stringify(this.queue.map(String))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching websocket message within ${timeout} ms; queue: ${JSON.stringify(this.queue.map(String))}`);
      await new Promise((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves with {code, reason} when the server closes the connection, rejects after timeout. */
  waitClose(timeout = 5000) {
    return withTimeout(this.closePromise, timeout, "websocket close");
  }

  close() {
    if (!this.closed) this.ws.close();
    return this.closePromise;
  }

  terminate() {
    this.ws.terminate();
    return this.closePromise;
  }
}

/** Opens a raw Engine.IO WebSocket session and reads its handshake. */
export async function wsHandshake(base, opts = {}) {
  const ws = await WsClient.open(wsUrl(base, opts), opts);
  const raw = await ws.next();
  const open = parseOpen(raw);
  return { ws, open, raw, sid: open.sid };
}

// ---------------------------------------------------------------------------------------------
// Raw Socket.IO over WebSocket

/** Encodes a Socket.IO CONNECT (engine prefix included). */
export function connectPacket(nsp = "/", auth) {
  const head = nsp === "/" ? "40" : `40${nsp},`;
  if (auth === undefined) return nsp === "/" ? "40" : head;
  return head + JSON.stringify(auth);
}

/** Parses an Engine.IO message carrying a Socket.IO packet (text only). */
export function parseSio(msg) {
  assert.equal(typeof msg, "string");
  assert.equal(msg[0], "4", `not an engine message: ${msg}`);
  const m = /^4(\d)(?:(\d+)-)?(\/[^,]*,)?(\d+)?(.*)$/s.exec(msg);
  assert.ok(m, `cannot parse ${msg}`);
  return {
    type: Number(m[1]),
    attachments: m[2] ? Number(m[2]) : 0,
    nsp: m[3] ? m[3].slice(0, -1) : "/",
    id: m[4] !== undefined ? Number(m[4]) : undefined,
    data: m[5] ? JSON.parse(m[5]) : undefined,
    raw: msg,
  };
}

/** A raw Socket.IO client over a WebSocket (answers pings). */
export async function rawSio(base, { query, autoPong = true, path } = {}) {
  const { ws, open } = await wsHandshake(base, { query, autoPong, path });
  const client = {
    ws,
    open,
    send: (s) => ws.send(s),
    /** next Socket.IO packet matching pred (parsed); binary frames are skipped unless asked for. */
    async nextPacket(pred = () => true, timeout = 5000) {
      const msg = await ws.next(timeout, (m) => typeof m === "string" && m[0] === "4" && pred(parseSio(m)));
      return parseSio(msg);
    },
    /** Sends CONNECT and resolves with the answer (type 0 or 4) for that namespace. */
    async connect(nsp = "/", auth) {
      ws.send(connectPacket(nsp, auth));
      return client.nextPacket((p) => (p.type === 0 || p.type === 4) && p.nsp === nsp);
    },
    close: () => ws.close(),
  };
  return client;
}

// ---------------------------------------------------------------------------------------------
// Official socket.io-client

export const TRANSPORT_MODES = {
  polling: { transports: ["polling"] },
  websocket: { transports: ["websocket"] },
  upgrade: { transports: ["polling", "websocket"] },
};

/**
 * Connects an official client and resolves once connected (and, for mode "upgrade", once the
 * transport was upgraded to WebSocket). Rejects on connect_error. `setup(socket)` runs before the
 * connection starts (to register listeners for the first events).
 */
export async function connectClient(base, nsp = "/", { mode = "websocket", timeout = 8000, setup, ...opts } = {}) {
  const socket = ioClient(base + (nsp === "/" ? "" : nsp), {
    forceNew: true,
    reconnection: false,
    timeout,
    ...TRANSPORT_MODES[mode],
    ...opts,
  });
  setup?.(socket);
  try {
    await withTimeout(
      new Promise((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("connect_error", reject);
      }),
      timeout,
      `connect ${nsp} (${mode})`,
    );
    if (mode === "upgrade" && socket.io.engine.transport.name !== "websocket") {
      await once(socket.io.engine, "upgrade", timeout);
    }
  } catch (err) {
    socket.disconnect();
    throw err;
  }
  return socket;
}

/** Emits with an acknowledgement (5 s timeout); resolves with ALL the ack arguments (an array). */
export function ack(socket, event, ...args) {
  return new Promise((resolve, reject) => {
    socket.timeout(5000).emit(event, ...args, (err, ...res) =>
      err ? reject(new Error(`no ack for "${event}" on ${socket.nsp} within 5000 ms (connected=${socket.connected})`)) : resolve(res),
    );
  });
}

/** Like ack() but resolves with the first ack argument. */
export async function ack1(socket, event, ...args) {
  return (await ack(socket, event, ...args))[0];
}

/** Closes every client in the list (ignores errors). */
export function closeAll(clients) {
  for (const c of clients.splice(0)) {
    try {
      if (c.io) c.io.engine?.close();
      c.disconnect?.();
      c.close?.();
    } catch {
      // ignore
    }
  }
}
