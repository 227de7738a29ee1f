// docs/contract.md §2.3: every malformed Socket.IO packet closes the whole connection (all namespaces);
// the recorded reason is `forced close` (Node) or `parse error`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { rawSio, api, waitUntil, pollHandshake, Poller, connectClient, ack } from "./lib/util.mjs";

let srv;
before(async () => {
  srv = await startServer({ CONNECTION_STATE_RECOVERY: "0", PING_INTERVAL: "2000", PING_TIMEOUT: "2000" });
});
after(() => srv?.stop());

const ACCEPTED = ["forced close", "parse error"];

async function reasonOf(id, namespace) {
  const q = namespace && namespace !== "/" ? `&namespace=${encodeURIComponent(namespace)}` : "";
  return waitUntil(
    async () => {
      const r = await api(srv.url, "GET", `/disconnect-reason?id=${encodeURIComponent(id)}${q}`);
      return r.status === 200 && r.body;
    },
    { message: `disconnect reason of ${id}` },
  );
}

// [name, frames to send after CONNECT on / and /custom]
const CASES = [
  ["unknown packet type", ["47[]"]],
  ["unknown packet type (letter)", ["4z"]],
  ["non-array event payload (object)", ['42{"a":1}']],
  ["non-array event payload (string)", ['42"hello"']],
  ["empty event array", ["42[]"]],
  ["non-string/non-number event name (object)", ['42[{"a":1},2]']],
  ["non-string/non-number event name (null)", ["42[null]"]],
  ["reserved event name", ['42["disconnect"]']],
  ["non-numeric ack id", ['42abc["message"]']],
  ["invalid JSON", ['42["message",}']],
  ["truncated JSON", ['42["message","abc']],
  ["trailing garbage", ['42["message"]garbage']],
  ["ACK with a non-array payload", ['431{"a":1}']],
  ["DISCONNECT with a payload", ['41{"a":1}']],
  ["binary frame nobody announced", [Buffer.from([1, 2, 3])]],
  ["text packet while attachments are pending", ['451-["message",{"_placeholder":true,"num":0}]', '42["message","x"]']],
  ["placeholder index out of range", ['451-["message",{"_placeholder":true,"num":3}]', Buffer.from([1])]],
  ["zero attachments count", ['450-["message"]']],
  ["non-numeric attachments count", ['45x-["message"]']],
];

for (const [name, frames] of CASES) {
  test(`websocket: ${name} closes the connection and every namespace on it`, async () => {
    const c = await rawSio(srv.url);
    try {
      const root = (await c.connect("/")).data.sid;
      const custom = (await c.connect("/custom")).data.sid;
      for (const f of frames) c.send(f);
      await c.ws.waitClose(5000);
      const r1 = await reasonOf(root, "/");
      const r2 = await reasonOf(custom, "/custom");
      assert.ok(ACCEPTED.includes(r1.reason), `/: ${r1.reason}`);
      assert.ok(ACCEPTED.includes(r2.reason), `/custom: ${r2.reason}`);
      assert.deepEqual(r2, { id: custom, namespace: "/custom", reason: r2.reason });
    } finally {
      c.close();
    }
  });
}

test("websocket: CONNECT with a non-object payload closes the connection", async () => {
  const c = await rawSio(srv.url);
  c.send('40"not-an-object"');
  await c.ws.waitClose(5000);
});

test("websocket: an event before any CONNECT closes the connection", async () => {
  const c = await rawSio(srv.url);
  c.send('42["message","x"]');
  await c.ws.waitClose(5000);
});

test("polling: a malformed Socket.IO packet closes the session", async () => {
  const { sid } = await pollHandshake(srv.url);
  const p = new Poller(srv.url, sid);
  await p.send("40");
  const seen = await p.until((x) => typeof x === "string" && x.startsWith("40{"));
  const sioSid = JSON.parse(seen.find((x) => typeof x === "string" && x.startsWith("40{")).slice(2)).sid;
  await p.post('42["message"').catch(() => null);
  await waitUntil(
    async () => {
      const res = await p.get({ timeout: 3000 }).catch(() => ({ status: -1 }));
      if (res.status === 200) return false;
      assert.equal(res.status, 400);
      assert.equal(res.text, '{"code":1,"message":"Session ID unknown"}');
      return true;
    },
    { message: "polling session closed" },
  );
  assert.ok(ACCEPTED.includes((await reasonOf(sioSid, "/")).reason));
});

test("the server keeps serving official clients after all malformed input", async () => {
  const s = await connectClient(srv.url, "/", { mode: "polling" });
  try {
    assert.deepEqual(await ack(s, "ack", 1, "two"), [1, "two"]);
  } finally {
    s.disconnect();
  }
});
