// Starts clusters of sio-server instances over one private Redis.
//
// Kinds: "cpp" = $SIO_SERVER (the binary under test, or any command line), "node" = the Node
// reference (node bench/node/server.mjs: socket.io 4.8 + @socket.io/redis-adapter 8.3).
//
// Pairs under test come from SIO_CLUSTER_KINDS: a comma-separated list of pairs "a:b"
// (default "cpp:cpp,cpp:node,node:cpp"); "node" is short for "node:node". When SIO_SERVER is the
// Node reference itself and SIO_CLUSTER_KINDS is unset, the pairs collapse to "node:node".
// In a pair [A, B], A is the instance the test asks (REST, emitting client) and B the other one.
import path from "node:path";
import crypto from "node:crypto";
import { fileURLToPath } from "node:url";
import { describe, before, after, afterEach } from "node:test";
import { startServer, runServerToExit } from "../../interop/lib/server.mjs";
import { api, waitUntil, connectClient, closeAll, withTimeout, ack1 } from "../../interop/lib/util.mjs";
import { startRedis } from "./redis.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, "..", "..", "..");
export const NODE_REFERENCE = `${process.execPath} ${path.join(REPO_ROOT, "bench", "node", "server.mjs")}`;

export function isNodeReferenceCommand(cmd) {
  return /bench\/node\/server\.mjs\s*$/.test((cmd ?? "").trim());
}

export function commandFor(kind) {
  if (kind === "node") return NODE_REFERENCE;
  if (kind === "cpp") {
    const cmd = process.env.SIO_SERVER;
    if (!cmd || !cmd.trim()) throw new Error("SIO_SERVER is not set (path to sio-server or a command line)");
    return cmd;
  }
  throw new Error(`unknown instance kind "${kind}"`);
}

/** The list of [kindA, kindB] pairs to run each scenario with. */
export function clusterPairs() {
  let spec = process.env.SIO_CLUSTER_KINDS;
  if (!spec || !spec.trim()) spec = isNodeReferenceCommand(process.env.SIO_SERVER) ? "node:node" : "cpp:cpp,cpp:node,node:cpp";
  return spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const pair = s.includes(":") ? s.split(":") : [s, s];
      if (pair.length !== 2 || !pair.every((k) => k === "cpp" || k === "node")) throw new Error(`bad SIO_CLUSTER_KINDS entry "${s}"`);
      return pair;
    });
}

/** The distinct kinds used by the configured pairs (for single-instance tests). */
export function clusterKinds() {
  return [...new Set(clusterPairs().flat())];
}

let seq = 0;

/**
 * Starts one instance of `kind` with REDIS_URL (unless `redisUrl` is null) and a fresh
 * INSTANCE_ID; waits until GET /health answers 200; reads /info.
 */
export async function startInstance(kind, { redisUrl, env = {}, name = "" } = {}) {
  const id = `${kind}-${++seq}-${crypto.randomBytes(3).toString("hex")}`;
  const fullEnv = { INSTANCE_ID: id, ...(redisUrl ? { REDIS_URL: redisUrl } : {}), ...env };
  const srv = await startServer(fullEnv, { name: `${kind} ${id}${name ? " " + name : ""}`, command: commandFor(kind), timeoutMs: 20000 });
  try {
    await waitUntil(async () => (await api(srv.url, "GET", "/health").catch(() => null))?.status === 200, {
      timeout: 15000,
      message: `${id} /health`,
    });
    const info = (await api(srv.url, "GET", "/info")).body;
    return {
      ...srv,
      kind,
      id,
      info,
      /** true when the instance is the Node reference (cpp-only assertions are skipped for it). */
      isNodeReference: info?.implementation === "node-reference",
      api: (method, p, opts) => api(srv.url, method, p, opts),
    };
  } catch (err) {
    await srv.stop();
    throw err;
  }
}

/** Runs an instance of `kind` until it exits (configuration errors). */
export function runInstanceToExit(kind, env, timeoutMs = 20000) {
  return runServerToExit({ INSTANCE_ID: `${kind}-exit-${++seq}`, ...env }, timeoutMs, { command: commandFor(kind) });
}

/** Starts the instances (in order, so their logs are easy to read) and waits until they see each other. */
export async function startCluster(kinds, redisUrl, { env = {} } = {}) {
  const instances = [];
  try {
    for (const kind of kinds) instances.push(await startInstance(kind, { redisUrl, env }));
    await waitServerCount(instances, kinds.length);
  } catch (err) {
    await Promise.all(instances.map((i) => i.stop()));
    throw err;
  }
  return {
    instances,
    stop: () => Promise.all(instances.map((i) => i.stop())),
  };
}

/** Waits until every instance reports `n` servers for the namespaces. */
export async function waitServerCount(instances, n, { namespaces = ["/", "/custom", "/secure"], timeout = 15000 } = {}) {
  for (const inst of instances) {
    for (const ns of namespaces) {
      await waitUntil(
        async () => {
          const r = await inst.api("GET", `/server-count?namespace=${encodeURIComponent(ns)}`).catch(() => null);
          return r?.status === 200 && r.body.count === n;
        },
        { timeout, interval: 50, message: `${inst.id}: /server-count?namespace=${ns} == ${n}` },
      );
    }
  }
}

/**
 * Registers a describe() per configured pair. Before the suite: a private Redis (`redisOptions`)
 * and a cluster of the pair. `body(ctx)` declares the tests; ctx has A, B, instances, redis,
 * kinds, connect(inst, nsp, opts) (tracked clients, closed after each test) and uniq(prefix).
 */
export function describeCluster(title, body, { redisOptions, env, pairs = clusterPairs(), ...describeOpts } = {}) {
  for (const kinds of pairs) {
    describe(`${title} [${kinds.join(",")}]`, describeOpts, () => {
      const ctx = {
        kinds,
        clients: [],
        uniq: (prefix = "x") => `${prefix}-${crypto.randomBytes(4).toString("hex")}`,
        async connect(inst, nsp = "/", opts = {}) {
          const socket = await connectClient(inst.url, nsp, opts);
          ctx.clients.push(socket);
          return socket;
        },
        /** One connected client per instance: [clientOnA, clientOnB]. */
        async connectAll(nsp = "/", opts = {}) {
          return Promise.all(ctx.instances.map((i) => ctx.connect(i, nsp, opts)));
        },
      };
      before(async () => {
        ctx.redis = await startRedis(redisOptions);
        ctx.cluster = await startCluster(kinds, ctx.redis.url, { env });
        ctx.instances = ctx.cluster.instances;
        [ctx.A, ctx.B] = ctx.instances;
      });
      afterEach(() => closeAll(ctx.clients));
      after(async () => {
        closeAll(ctx.clients);
        await ctx.cluster?.stop();
        await ctx.redis?.stop();
      });
      body(ctx);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Client-side helpers

/** Removes the connection-state-recovery offset the official client passes to listeners. */
function stripOffset(socket, args) {
  if (socket._pid && args.length && typeof args[args.length - 1] === "string") return args.slice(0, -1);
  return args;
}

/**
 * Records every `event` a client receives. rec.events: list of argument arrays;
 * rec.next(pred, timeout) waits for the first (recorded or future) one matching pred.
 */
export function record(socket, event) {
  const events = [];
  const waiters = [];
  socket.on(event, (...args) => {
    if (typeof args[args.length - 1] === "function") args = args.slice(0, -1);
    args = stripOffset(socket, args);
    events.push(args);
    for (const w of [...waiters]) w();
  });
  return {
    events,
    count: (pred = () => true) => events.filter(pred).length,
    next(pred = () => true, timeout = 5000) {
      return withTimeout(
        new Promise((resolve) => {
          const check = () => {
            const hit = events.find(pred);
            if (hit) {
              waiters.splice(waiters.indexOf(check), 1);
              resolve(hit);
              return true;
            }
            return false;
          };
          waiters.push(check);
          check();
        }),
        timeout,
        `event "${event}" on ${socket.nsp} (received so far: ${JSON.stringify(events).slice(0, 500)})`,
      );
    },
  };
}

/** whoami of a client (its ack object). */
export const whoami = (socket) => ack1(socket, "whoami");

/** POST /emit of a sentinel to everyone and waits until every recorder saw it. */
export async function barrier(inst, recorders, { namespace = "/", event = "barrier" } = {}) {
  const token = crypto.randomBytes(4).toString("hex");
  const r = await inst.api("POST", "/emit", { body: { event, data: token, namespace } });
  if (r.status !== 200) throw new Error(`barrier /emit: ${r.status} ${r.text}`);
  await Promise.all(recorders.map((rec) => rec.next((a) => a[0] === token, 8000)));
}
