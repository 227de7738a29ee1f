// socket.io-client helpers: connected clients (closed by closeAll) and event recorders.
import { io } from "socket.io-client";
import { withTimeout } from "./process.mjs";

const open = new Set();

/** A client connected to `url` over WebSocket (no reconnection); rejects on connect_error. */
export function connect(url, { auth, transports = ["websocket"] } = {}) {
  const socket = io(url, { auth, transports, reconnection: false, forceNew: true });
  open.add(socket);
  return withTimeout(
    new Promise((resolve, reject) => {
      socket.once("connect", () => resolve(socket));
      socket.once("connect_error", (err) => reject(err));
    }),
    10000,
    `connect to ${url}`,
  );
}

export function closeAll() {
  for (const socket of open) socket.close();
  open.clear();
}

/** The arguments of the next `event` on `socket`. */
export function next(socket, event, ms = 10000) {
  return withTimeout(new Promise((resolve) => socket.once(event, (...args) => resolve(args))), ms, `"${event}"`);
}

/** Records every `event`; until(pred) waits for the first recorded or future one matching. */
export function record(socket, event) {
  const events = [];
  const waiters = new Set();
  socket.on(event, (...args) => {
    events.push(args);
    for (const check of [...waiters]) check();
  });
  return {
    events,
    until(pred, ms = 10000) {
      return withTimeout(
        new Promise((resolve) => {
          const check = () => {
            const hit = events.find(pred);
            if (hit) {
              waiters.delete(check);
              resolve(hit);
            }
          };
          waiters.add(check);
          check();
        }),
        ms,
        `"${event}" matching ${pred} (so far: ${JSON.stringify(events)})`,
      );
    },
  };
}

/** An HTTP request with a text body: {status, headers, json (parsed, or undefined), text}. */
export async function request(url, method, path, body, headers = {}) {
  const res = await fetch(url + path, { method, body, headers: { "content-type": "application/json", ...headers } });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
