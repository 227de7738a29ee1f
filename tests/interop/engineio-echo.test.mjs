// docs/contract.md §2.1 /engine.io/: the official engine.io-client gets every message back unchanged
// (text as text, binary as binary) over polling, websocket and upgrade.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "engine.io-client";
import { startServer } from "./lib/server.mjs";
import { once, withTimeout } from "./lib/util.mjs";

let srv;
before(async () => {
  srv = await startServer({ PING_INTERVAL: "400", PING_TIMEOUT: "300" });
});
after(() => srv?.stop());

const toBuf = (v) => (Buffer.isBuffer(v) ? v : v instanceof ArrayBuffer ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.byteLength));

const MODES = { polling: ["polling"], websocket: ["websocket"], upgrade: ["polling", "websocket"] };

for (const [mode, transports] of Object.entries(MODES)) {
  test(`engine.io-client (${mode}) gets text and binary echoed unchanged`, async () => {
    const sock = new Socket(srv.url, { path: "/engine.io/", transports });
    try {
      await once(sock, "open", 8000);
      if (mode === "upgrade") await once(sock, "upgrade", 8000);
      assert.equal(sock.transport.name, mode === "polling" ? "polling" : "websocket");
      const received = [];
      sock.on("message", (m) => received.push(m));
      const texts = ["hello", "ünïcödé ✓", "x".repeat(3000), "{\"json\":true}", "4", "b64-looking"];
      const bins = [Buffer.from([0, 1, 2, 3, 255]), Buffer.alloc(3000, 0xab), Buffer.alloc(0)];
      for (const t of texts) sock.send(t);
      for (const b of bins) sock.send(b);
      await withTimeout(
        new Promise((resolve) => {
          const check = () => (received.length >= texts.length + bins.length ? resolve() : setTimeout(check, 20));
          check();
        }),
        8000,
        "all echoes",
      );
      assert.deepEqual(received.slice(0, texts.length), texts);
      const gotBins = received.slice(texts.length);
      gotBins.forEach((b, i) => {
        assert.equal(typeof b === "string", false, `binary message ${i} came back as text`);
        assert.deepEqual(toBuf(b), bins[i]);
      });
      // Stays open across heartbeats.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(sock.readyState, "open");
      sock.send("after-heartbeats");
      assert.deepEqual(await once(sock, "message"), ["after-heartbeats"]);
    } finally {
      sock.close();
    }
  });
}
