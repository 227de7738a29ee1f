// sio-server with THREADS=2: telling which event loop serves a request, and pinning requests
// to a loop. Ids made by loop k start with a base64url character whose index i has
// i % THREADS == k; a request without a sid is served by the loop that accepted its TCP
// connection, and a keep-alive connection stays on that loop. So: open one keep-alive TCP
// connection, make two Engine.IO handshakes on it (their sids must name the same loop), and
// send the request under test on that same connection (checked by its local port).
// Used by tests/interop/shards.test.mjs and tests/cluster/shards.test.mjs.

import http from "node:http";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { eioUrl, decodePayload, parseOpen, WsClient } from "./util.mjs";

export const THREADS = 2;
export const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The loop that made `id` (its first character's base64url index modulo THREADS). */
export function shardOf(id) {
  assert.equal(typeof id, "string", `id ${JSON.stringify(id)}`);
  const i = ALPHABET.indexOf(id[0]);
  assert.ok(i >= 0, `id ${JSON.stringify(id)} does not start with a base64url character`);
  return i % THREADS;
}

/** A keep-alive agent that owns exactly one TCP connection; a second one is an error. */
export class PinnedAgent extends http.Agent {
  constructor() {
    super({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
    this.made = 0;
  }
  createConnection(options, cb) {
    if (this.made++ > 0) {
      cb(new Error("the pinned TCP connection was closed; the agent would have opened another one"));
      return undefined;
    }
    return super.createConnection(options, cb);
  }
}

/** One HTTP request through `agent`; resolves {status, headers, text, packets (Engine.IO payload
    of a 200), port (local port of the connection)}. */
export function httpVia(agent, url, { method = "GET", headers = {}, body, timeout = 15000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const port = res.socket?.localPort;
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode, headers: res.headers, text, port, packets: res.statusCode === 200 ? decodePayload(text) : [] });
      });
      res.on("error", reject);
    });
    req.setTimeout(timeout, () => req.destroy(new Error(`HTTP ${method} ${url} timed out after ${timeout} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Opens a new TCP connection to `srv` ({url}) and tells which loop accepted it, from the sids of
 * two Engine.IO handshakes on `path` made on it. With `closeProbes` the probe sessions are
 * closed at once (a close packet on the same connection); otherwise the first one's sid is
 * `probeSid`. Requests made with conn.request() / conn.api() / conn.ws() reuse the connection.
 */
export async function openConnection(srv, { path = "/engine.io/", closeProbes = false, timeout = 15000 } = {}) {
  const agent = new PinnedAgent();
  const probe = async () => {
    const hs = await httpVia(agent, eioUrl(srv.url, { path }), { timeout });
    assert.equal(hs.status, 200, `probe handshake: ${hs.status} ${hs.text}`);
    const sid = parseOpen(hs.packets[0]).sid;
    if (closeProbes) {
      const closed = await httpVia(agent, eioUrl(srv.url, { path, sid }), {
        method: "POST",
        headers: { "Content-Type": "text/plain;charset=UTF-8" },
        body: "1",
        timeout,
      });
      assert.equal(closed.port, hs.port, "the pinned connection was not reused");
    }
    return { sid, port: hs.port };
  };
  try {
    const first = await probe();
    // A second handshake on the same connection is served by the same loop: its sid must name
    // it too (with a single loop, the first characters would be random and this fails half the
    // time).
    const second = await probe();
    assert.equal(second.port, first.port, "the pinned connection was not reused");
    assert.equal(shardOf(second.sid), shardOf(first.sid), `sids ${first.sid} and ${second.sid} made on one TCP connection name different loops`);
    const conn = {
      agent,
      port: first.port,
      loop: shardOf(first.sid),
      probeSid: closeProbes ? undefined : first.sid,
      async request(url, opts = {}) {
        const res = await httpVia(agent, url, { timeout, ...opts });
        assert.equal(res.port, conn.port, "the request did not run on the pinned connection");
        return res;
      },
      /** JSON REST call on the pinned connection: {status, body, text}. */
      async api(method, apiPath, body, { timeout: limit } = {}) {
        const opts = { method };
        if (limit !== undefined) opts.timeout = limit;
        if (body !== undefined) {
          opts.body = JSON.stringify(body);
          opts.headers = { "Content-Type": "application/json" };
        }
        const res = await conn.request(srv.url + apiPath, opts);
        let json = null;
        try {
          json = JSON.parse(res.text);
        } catch {
          json = null;
        }
        return { status: res.status, body: json, text: res.text };
      },
      /** A raw WebSocket (WsClient) opened on this connection. */
      ws(url) {
        return new Promise((resolve, reject) => {
          const ws = new WebSocket(url, { agent, maxPayload: 100 * 1024 * 1024 });
          const client = new WsClient(ws, false);
          ws.once("open", () => {
            if (ws._socket.localPort === conn.port) resolve(client);
            else reject(new Error("the websocket did not use the pinned connection"));
          });
          ws.once("error", reject);
          ws.once("unexpected-response", (req, res) => reject(Object.assign(new Error(`unexpected response ${res.statusCode}`), { status: res.statusCode })));
        });
      },
      close() {
        agent.destroy();
      },
    };
    return conn;
  } catch (err) {
    agent.destroy();
    throw err;
  }
}

/** A new keep-alive TCP connection to `srv` accepted by `loop` (others are closed). */
export async function connectionOn(srv, loop, options) {
  const seen = [];
  for (let i = 0; i < 12; i++) {
    const c = await openConnection(srv, options);
    if (c.loop === loop) return c;
    seen.push(c.loop);
    c.close();
  }
  throw new Error(`${srv.id ?? srv.url}: no TCP connection was accepted by loop ${loop} in 12 tries (loops seen: ${seen})`);
}
