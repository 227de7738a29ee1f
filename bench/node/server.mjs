// Node.js reference implementation of docs/contract.md sections 1-6 (standalone, or a
// cluster member over @socket.io/redis-adapter 8.3 when REDIS_URL / REDIS_HOST is set). It is the
// proof that tests/interop and tests/cluster encode real Node behaviour, and the Node comparison
// server for benchmarks. In cluster mode connection state recovery is off (the Redis adapter
// cannot persist sessions) and /info says so.
//
//   cd bench/node && npm ci && PORT=0 node server.mjs
//
// Prints "Listening on http://<host>:<port>" once ready.
import http from "node:http";
import crypto from "node:crypto";
import { createRequire } from "node:module";
import { Server } from "socket.io";

// engine.io is a dependency of socket.io: load the very copy socket.io uses.
const requireFromSocketIo = createRequire(createRequire(import.meta.url).resolve("socket.io"));
const engine = requireFromSocketIo("engine.io");

// ---------------------------------------------------------------------------------------------
// Configuration (docs/contract.md §1)

function fail(message) {
  process.stderr.write(`sio-reference: invalid configuration: ${message}\n`);
  process.exit(2);
}

function intEnv(name, def) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return def;
  if (!/^\d+$/.test(raw.trim())) fail(`${name} must be a non-negative integer, got "${raw}"`);
  const n = Number(raw.trim());
  if (!Number.isSafeInteger(n)) fail(`${name} is out of range: "${raw}"`);
  return n;
}

function boolEnv(name, def) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return def;
  const v = raw.trim().toLowerCase();
  if (v === "1" || v === "true") return true;
  if (v === "0" || v === "false") return false;
  fail(`${name} must be 0/1/true/false, got "${raw}"`);
}

const rawPort = process.env.PORT ?? "3000";
const port = /^\d+$/.test(rawPort) ? Number(rawPort) : rawPort; // non-numeric: a Unix socket path
if (typeof port === "number" && port > 65535) fail(`PORT is out of range: "${rawPort}"`);
if (rawPort === "") fail("PORT must not be empty");

const config = {
  host: process.env.HOST || "127.0.0.1",
  port,
  instanceId: process.env.INSTANCE_ID || `node-${crypto.randomBytes(6).toString("hex")}`,
  pingInterval: intEnv("PING_INTERVAL", 25000),
  pingTimeout: intEnv("PING_TIMEOUT", 20000),
  connectTimeout: intEnv("CONNECT_TIMEOUT", 45000),
  maxHttpBufferSize: intEnv("MAX_HTTP_BUFFER_SIZE", 1000000),
  corsOrigins: (process.env.CORS_ORIGINS || "").split(",").map((s) => s.trim()).filter(Boolean),
  apiToken: process.env.API_TOKEN || "",
  recovery: boolEnv("CONNECTION_STATE_RECOVERY", true),
  recoveryMaxDisconnectionMs: intEnv("RECOVERY_MAX_DISCONNECTION_MS", 120000),
};

// Cluster mode (docs/contract.md §1, §6): REDIS_URL wins over REDIS_HOST/REDIS_PORT/REDIS_PASSWORD.
function redisConfig() {
  const url = process.env.REDIS_URL;
  if (url) {
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      fail(`REDIS_URL is not a valid URL: "${url}"`);
    }
    if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") fail(`REDIS_URL must start with redis://, got "${url}"`);
    return { url };
  }
  const host = process.env.REDIS_HOST;
  if (!host) return null;
  const redisPort = intEnv("REDIS_PORT", 6379);
  if (redisPort < 1 || redisPort > 65535) fail(`REDIS_PORT is out of range: "${process.env.REDIS_PORT}"`);
  const password = process.env.REDIS_PASSWORD || undefined;
  return { socket: { host, port: redisPort }, password };
}
const redisOptions = redisConfig();
const clustered = redisOptions !== null;
// The Redis adapter cannot persist sessions: recovery is off in cluster mode (docs/contract.md §2.7).
const recoveryEnabled = config.recovery && !clustered;

const NAMESPACES = ["/", "/custom", "/secure"];
const RESERVED = new Set(["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]);
const MAX_ACK_TIMEOUT = 30000;
const DEFAULT_ACK_TIMEOUT = 2000;
const MAX_BURST = 10000;
const MAX_REST_BODY = 1024 * 1024;
const MAX_REASONS = 10000;

// ---------------------------------------------------------------------------------------------
// Servers

const cors = config.corsOrigins.length ? { origin: config.corsOrigins, credentials: true } : undefined;
const engineOptions = {
  pingInterval: config.pingInterval,
  pingTimeout: config.pingTimeout,
  maxHttpBufferSize: config.maxHttpBufferSize,
  cors,
};

const httpServer = http.createServer(handleRest);

// Cluster mode: connect both Redis clients, then build the Socket.IO server on the Redis adapter
// (default options). Redis unreachable for 15 s or refusing our credentials: exit non-zero.
const redis = clustered ? await connectRedis(redisOptions) : null;

async function connectRedis(options) {
  const { createClient } = await import("redis");
  const { createAdapter } = await import("@socket.io/redis-adapter");
  const where = options.url ? options.url.replace(/\/\/[^@/]*@/, "//***@") : `${options.socket.host}:${options.socket.port}`;
  const pubClient = createClient(options);
  const subClient = pubClient.duplicate();
  let ready = false;
  const authError = (err) => /WRONGPASS|NOAUTH|invalid password|invalid username|NOPERM|ERR AUTH/i.test(String(err?.message ?? err));
  for (const [name, client] of [["pub", pubClient], ["sub", subClient]]) {
    client.on("error", (err) => {
      if (!ready && authError(err)) {
        process.stderr.write(`sio-reference: Redis at ${where} refused authentication: ${err.message}\n`);
        process.exit(3);
      }
      process.stderr.write(`sio-reference: Redis (${name}) error: ${err?.message ?? err}\n`);
    });
    client.on("reconnecting", () => process.stderr.write(`sio-reference: Redis (${name}) reconnecting\n`));
    client.on("ready", () => ready && process.stderr.write(`sio-reference: Redis (${name}) ready\n`));
  }
  const giveUp = setTimeout(() => {
    process.stderr.write(`sio-reference: Redis at ${where} unreachable for 15 s, exiting\n`);
    process.exit(3);
  }, 15000);
  try {
    await Promise.all([pubClient.connect(), subClient.connect()]);
    // A server requiring a password accepts the connection and refuses the first command.
    await Promise.all([pubClient.ping(), subClient.ping()]);
  } catch (err) {
    const what = authError(err) ? "refused authentication" : "failed";
    process.stderr.write(`sio-reference: Redis at ${where} ${what}: ${err?.message ?? err}\n`);
    process.exit(3);
  }
  clearTimeout(giveUp);
  ready = true;
  // Record the (P)SUBSCRIBE promises the adapters issue, so that readiness waits for Redis to
  // confirm every subscription (docs/contract.md §1: subscribed before /health answers).
  const pending = [];
  const originals = {};
  for (const m of ["subscribe", "pSubscribe"]) {
    originals[m] = subClient[m];
    subClient[m] = function (...args) {
      const p = originals[m].apply(this, args);
      pending.push(p);
      return p;
    };
  }
  return {
    pubClient,
    subClient,
    adapter: createAdapter(pubClient, subClient),
    async subscribed() {
      await Promise.all(pending);
      for (const m of Object.keys(originals)) subClient[m] = originals[m];
    },
  };
}

const io = new Server(httpServer, {
  ...engineOptions,
  connectTimeout: config.connectTimeout,
  serveClient: false,
  ...(redis ? { adapter: redis.adapter } : {}),
  connectionStateRecovery: recoveryEnabled
    ? { maxDisconnectionDuration: config.recoveryMaxDisconnectionMs, skipMiddlewares: true }
    : undefined,
});

// /engine.io/: raw Engine.IO echo endpoint with the same engine settings.
const eio = new engine.Server(engineOptions);
eio.attach(httpServer, { path: "/engine.io" });
eio.on("connection", (socket) => {
  socket.on("message", (data) => socket.send(data));
});

// ---------------------------------------------------------------------------------------------
// Application (docs/contract.md §3, §4)

const reasons = new Map(); // socket id -> {id, namespace, reason}, insertion-ordered

function recordReason(id, namespace, reason) {
  reasons.delete(id);
  reasons.set(id, { id, namespace, reason });
  if (reasons.size > MAX_REASONS) reasons.delete(reasons.keys().next().value);
}

const isName = (v) => typeof v === "string" && v.length > 0;
const isRoomList = (v) => isName(v) || (Array.isArray(v) && v.every(isName));
const toList = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const isEventName = (v) => isName(v) && !RESERVED.has(v);
const isPlainObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && !Buffer.isBuffer(v);

function splitAck(args) {
  if (args.length && typeof args[args.length - 1] === "function") {
    return [args.slice(0, -1), args[args.length - 1]];
  }
  return [args, undefined];
}

const sortedRooms = (socket) => [...socket.rooms].filter((r) => r !== socket.id).sort();

function onConnection(socket) {
  const nsp = socket.nsp.name;
  if (!socket.recovered) {
    const user = socket.handshake.auth?.user;
    socket.data = { instance: config.instanceId, user: typeof user === "string" ? user : null };
  }
  socket.emit("auth", socket.handshake.auth ?? {});

  socket.on("disconnect", (reason) => recordReason(socket.id, nsp, reason));

  socket.on("message", (...all) => {
    const [args] = splitAck(all);
    socket.emit("message-back", ...args);
  });
  socket.on("message-with-ack", (...all) => {
    const [args, ack] = splitAck(all);
    ack?.(...args);
  });
  socket.on("echo", (...all) => {
    const [args] = splitAck(all);
    socket.emit("echo", ...args);
  });
  socket.on("ack", (...all) => {
    const [args, ack] = splitAck(all);
    ack?.(...args);
  });
  socket.on("whoami", (...all) => {
    const [, ack] = splitAck(all);
    ack?.({
      id: socket.id,
      nsp,
      instance: config.instanceId,
      engineId: socket.conn.id,
      transport: socket.conn.transport.name,
      auth: socket.handshake.auth,
      query: socket.handshake.query,
      rooms: sortedRooms(socket),
      recovered: socket.recovered,
      data: socket.data,
    });
  });
  for (const op of ["join", "leave"]) {
    socket.on(op, (...all) => {
      const [args, ack] = splitAck(all);
      const rooms = args[0];
      if (!isRoomList(rooms) || (Array.isArray(rooms) && rooms.length === 0)) {
        return ack?.({ error: "room must be a non-empty string or an array of non-empty strings" });
      }
      for (const r of toList(rooms)) {
        if (op === "join") socket.join(r);
        else socket.leave(r);
      }
      ack?.({ rooms: sortedRooms(socket) });
    });
  }
  socket.on("room-emit", (...all) => {
    const [[req], ack] = splitAck(all);
    const err = checkTargetRequest(req, false);
    if (err) return ack?.({ error: err });
    socket.broadcast.to(toList(req.room)).except(toList(req.except)).emit(req.event, ...(req.args ?? []));
    ack?.({ ok: true });
  });
  socket.on("request-ack", (...all) => {
    const [[req], ack] = splitAck(all);
    if (!ack) return;
    if (!isPlainObject(req)) return ack({ error: "payload must be an object" });
    if (!isEventName(req.event)) return ack({ error: "event must be a non-empty, non-reserved string" });
    if (req.args !== undefined && !Array.isArray(req.args)) return ack({ error: "args must be an array" });
    const timeout = ackTimeout(req.timeout);
    if (timeout === null) return ack({ error: "timeout must be a positive number" });
    socket.timeout(timeout).emit(req.event, ...(req.args ?? []), (err, ...answer) => {
      ack(err ? { timedOut: true, args: [] } : { timedOut: false, args: answer });
    });
  });
  socket.on("volatile-burst", (...all) => {
    const [[req], ack] = splitAck(all);
    if (!isPlainObject(req)) return ack?.({ error: "payload must be an object" });
    const event = req.event ?? "volatile";
    if (!isEventName(event)) return ack?.({ error: "event must be a non-empty, non-reserved string" });
    if (!Number.isInteger(req.count) || req.count < 0) return ack?.({ error: "count must be a non-negative integer" });
    const count = Math.min(req.count, MAX_BURST);
    for (let i = 0; i < count; i++) socket.volatile.emit(event, i);
    socket.emit(`${event}:done`, count);
    ack?.({ ok: true });
  });
  socket.on("disconnect-me", (close) => {
    socket.disconnect(close === true);
  });
}

function ackTimeout(v) {
  if (v === undefined) return DEFAULT_ACK_TIMEOUT;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) return null;
  return Math.min(v, MAX_ACK_TIMEOUT);
}

// Validates {event, args?, data?, room?, except?} (room-emit and REST). Returns an error text or null.
function checkTargetRequest(req, allowData) {
  if (!isPlainObject(req)) return "payload must be a JSON object";
  if (!isEventName(req.event)) return "event must be a non-empty, non-reserved string";
  if (req.args !== undefined && !Array.isArray(req.args)) return "args must be an array";
  if (allowData && req.args !== undefined && req.data !== undefined) return "data and args are mutually exclusive";
  if (req.room !== undefined && !isRoomList(req.room)) return "room must be a non-empty string or an array of them";
  if (req.except !== undefined && !isRoomList(req.except)) return "except must be a non-empty string or an array of them";
  return null;
}

for (const name of NAMESPACES) {
  const nsp = io.of(name);
  if (name === "/secure") {
    nsp.use((socket, next) => {
      if (socket.handshake.auth?.token === "ok") return next();
      const err = new Error("unauthorized");
      err.data = { code: 401 };
      next(err);
    });
  }
  nsp.on("connection", onConnection);
  // Server-side events (docs/contract.md §5); only reachable in a cluster, harmless standalone.
  nsp.on("contract:relay", (msg) => {
    if (!isPlainObject(msg) || !isEventName(msg.event)) return;
    const rooms = toList(msg.room);
    nsp.local.to(rooms).emit(msg.event, ...(Array.isArray(msg.args) ? msg.args : []));
  });
  nsp.on("contract:whoami", (ack) => {
    if (typeof ack === "function") ack({ instance: config.instanceId });
  });
}

// ---------------------------------------------------------------------------------------------
// REST API (docs/contract.md §5)

class HttpError extends Error {
  constructor(status, message, headers = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(text);
}

function readJsonBody(req) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (declared > MAX_REST_BODY) return reject(new HttpError(413, "request body too large"));
    const chunks = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk) => {
      if (failed) return;
      size += chunk.length;
      if (size > MAX_REST_BODY) {
        failed = true;
        reject(new HttpError(413, "request body too large"));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (failed) return;
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return reject(new HttpError(400, "invalid JSON body"));
      }
      if (!isPlainObject(body)) return reject(new HttpError(400, "body must be a JSON object"));
      resolve(body);
    });
    req.on("error", reject);
  });
}

function namespaceOf(name) {
  if (name === undefined || name === null) name = "/";
  if (typeof name !== "string") throw new HttpError(400, "namespace must be a string");
  if (!NAMESPACES.includes(name)) throw new HttpError(404, `unknown namespace: ${name}`);
  return io.of(name);
}

function optBool(body, field) {
  const v = body[field];
  if (v !== undefined && typeof v !== "boolean") throw new HttpError(400, `${field} must be a boolean`);
  return v === true;
}

function optRooms(body, field) {
  const v = body[field];
  if (v === undefined || v === null) return [];
  if (!isRoomList(v)) throw new HttpError(400, `${field} must be a non-empty string or an array of non-empty strings`);
  return toList(v);
}

function eventArgs(body) {
  if (!isEventName(body.event)) throw new HttpError(400, "event must be a non-empty, non-reserved string");
  if (body.data !== undefined && body.args !== undefined) throw new HttpError(400, "data and args are mutually exclusive");
  if (body.args !== undefined && !Array.isArray(body.args)) throw new HttpError(400, "args must be an array");
  return body.args !== undefined ? body.args : body.data !== undefined ? [body.data] : [];
}

function target(body) {
  const nsp = namespaceOf(body.namespace);
  let op = nsp.to(optRooms(body, "room")).except(optRooms(body, "except"));
  if (optBool(body, "local")) op = op.local;
  return op;
}

function queryList(url, name) {
  const values = url.searchParams.getAll(name);
  for (const v of values) if (!v) throw new HttpError(400, `${name} must not be empty`);
  return values;
}

const routes = {
  "/health": { GET: async () => ({ status: "ok" }) },
  "/info": {
    GET: async () => ({
      instance: config.instanceId,
      implementation: "node-reference",
      clustered,
      connectionStateRecovery: recoveryEnabled,
      pingInterval: config.pingInterval,
      pingTimeout: config.pingTimeout,
      connectTimeout: config.connectTimeout,
      maxHttpBufferSize: config.maxHttpBufferSize,
      namespaces: NAMESPACES,
    }),
  },
  "/emit": {
    POST: async (req) => {
      const body = await readJsonBody(req);
      const args = eventArgs(body);
      let op = target(body);
      if (optBool(body, "volatile")) op = op.volatile;
      op.emit(body.event, ...args);
      return { ok: true };
    },
  },
  "/emit-with-ack": {
    POST: async (req) => {
      const body = await readJsonBody(req);
      const args = eventArgs(body);
      const timeout = ackTimeout(body.timeout);
      if (timeout === null) throw new HttpError(400, "timeout must be a positive number");
      const op = target(body);
      return await new Promise((resolve) => {
        op.timeout(timeout).emit(body.event, ...args, (err, responses) => {
          resolve({ timedOut: !!err, responses: responses ?? [] });
        });
      });
    },
  },
  "/sockets": {
    GET: async (req, url) => {
      const nsp = namespaceOf(url.searchParams.get("namespace") ?? "/");
      const sockets = await nsp.in(queryList(url, "room")).except(queryList(url, "except")).fetchSockets();
      const list = sockets
        .map((s) => ({ id: s.id, rooms: [...s.rooms].sort(), data: s.data }))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return { count: list.length, sockets: list };
    },
  },
  "/sockets/join": {
    POST: async (req) => {
      const body = await readJsonBody(req);
      if (!isRoomList(body.join)) throw new HttpError(400, "join must be a non-empty string or an array of non-empty strings");
      target(body).socketsJoin(body.join);
      return { ok: true };
    },
  },
  "/sockets/leave": {
    POST: async (req) => {
      const body = await readJsonBody(req);
      if (!isRoomList(body.leave)) throw new HttpError(400, "leave must be a non-empty string or an array of non-empty strings");
      target(body).socketsLeave(body.leave);
      return { ok: true };
    },
  },
  "/disconnect": {
    POST: async (req) => {
      const body = await readJsonBody(req);
      const close = optBool(body, "close");
      target(body).disconnectSockets(close);
      return { ok: true };
    },
  },
  "/server-side-emit": {
    POST: async (req) => {
      const body = await readJsonBody(req);
      const args = eventArgs(body);
      const nsp = namespaceOf(body.namespace);
      const room = optRooms(body, "room");
      // Standalone: there is no other instance to relay to. Cluster: every other instance.
      if (clustered) nsp.serverSideEmit("contract:relay", { event: body.event, args, room });
      return { ok: true };
    },
  },
  "/peers": {
    GET: async (req, url) => {
      const nsp = namespaceOf(url.searchParams.get("namespace") ?? "/");
      if (!clustered) return { timedOut: false, responses: [] };
      // The adapter waits requestsTimeout (5 s) for every other instance, then gives partial answers.
      return await new Promise((resolve) => {
        nsp.serverSideEmit("contract:whoami", (err, responses) => {
          resolve({ timedOut: !!err, responses: responses ?? [] });
        });
      });
    },
  },
  "/server-count": {
    GET: async (req, url) => {
      const nsp = namespaceOf(url.searchParams.get("namespace") ?? "/");
      return { count: clustered ? await nsp.adapter.serverCount() : 1 };
    },
  },
  "/disconnect-reason": {
    GET: async (req, url) => {
      const id = url.searchParams.get("id");
      if (!id) throw new HttpError(400, "id is required");
      const ns = url.searchParams.get("namespace");
      if (ns !== null) namespaceOf(ns);
      const entry = reasons.get(id);
      if (!entry || (ns !== null && entry.namespace !== ns)) throw new HttpError(404, "no disconnect reason recorded for this socket");
      return entry;
    },
  },
};

async function handleRest(req, res) {
  try {
    const url = new URL(req.url, "http://localhost");
    const route = routes[url.pathname];
    const isHealth = url.pathname === "/health" && req.method === "GET";
    if (config.apiToken && !isHealth) {
      if (req.headers.authorization !== `Bearer ${config.apiToken}`) {
        throw new HttpError(401, "unauthorized", { "WWW-Authenticate": "Bearer" });
      }
    }
    if (!route) throw new HttpError(404, "not found");
    const handler = route[req.method];
    if (!handler) throw new HttpError(405, "method not allowed", { Allow: Object.keys(route).join(", ") });
    send(res, 200, await handler(req, url));
  } catch (err) {
    if (err instanceof HttpError) {
      send(res, err.status, { error: err.message }, { ...err.headers, ...(err.status === 413 ? { Connection: "close" } : {}) });
    } else {
      send(res, 500, { error: "internal error" });
      process.stderr.write(`sio-reference: ${err?.stack ?? err}\n`);
    }
    req.resume();
  }
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

let shuttingDown = false;
function shutdown(signal) {
  if (shuttingDown) return;
  shuttingDown = true;
  process.stderr.write(`sio-reference: ${signal}, shutting down\n`);
  setTimeout(() => process.exit(0), 2000).unref();
  eio.close();
  io.close(() => process.exit(0));
  httpServer.closeAllConnections?.();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));

if (redis) {
  // All namespaces exist (their adapters issued their subscriptions): wait for Redis to confirm.
  await redis.subscribed();
  process.stderr.write(`sio-reference: cluster mode, instance ${config.instanceId}, subscribed to Redis\n`);
}

httpServer.listen(config.port, typeof config.port === "number" ? config.host : undefined, () => {
  const addr = httpServer.address();
  if (typeof addr === "string") process.stdout.write(`Listening on unix:${addr}\n`);
  else process.stdout.write(`Listening on http://${addr.address}:${addr.port}\n`);
});
