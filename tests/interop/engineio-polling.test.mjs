// docs/contract.md §2.2 long-polling: \x1e payloads, b64 binary, POST `ok`, concurrent GET, 413,
// octet-stream POST, client close packet, undecodable packets, JSON escaping of U+001E.
import { test, before, after } from "node:test";
import http from "node:http";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { pollHandshake, Poller, SEP, request, waitUntil, withTimeout, sleep } from "./lib/util.mjs";

const MAX = 1000;
let srv;
before(async () => {
  srv = await startServer({ PING_INTERVAL: "10000", PING_TIMEOUT: "5000", MAX_HTTP_BUFFER_SIZE: String(MAX), CONNECTION_STATE_RECOVERY: "0" });
});
after(() => srv?.stop());

async function session(path = "/engine.io/") {
  const { sid } = await pollHandshake(srv.url, { path });
  return new Poller(srv.url, sid, path);
}

/** Polls until the session is gone: a 400 {"code":1} (close/noop payloads are read through). */
async function assertSessionGone(p, timeout = 5000) {
  await waitUntil(
    async () => {
      const res = await p.get({ timeout: 3000 }).catch((e) => ({ status: -1, text: String(e) }));
      if (res.status === 200) return false;
      assert.equal(res.status, 400, `unexpected status ${res.status}: ${res.text}`);
      assert.equal(res.text, '{"code":1,"message":"Session ID unknown"}');
      return true;
    },
    { timeout, message: `session ${p.sid} to be closed` },
  );
}

test("POST answers 200 `ok`; text packets come back joined by \\x1e (engine.io echo)", async () => {
  const p = await session();
  const res = await p.post(`4hello${SEP}4wörld${SEP}4`);
  assert.equal(res.status, 200);
  assert.equal(res.text, "ok");
  const seen = await p.until((pk) => pk === "4");
  assert.deepEqual(seen.filter((x) => x !== "2"), ["4hello", "4wörld", "4"]);
});

test("binary over polling is b<base64> in both directions (engine.io echo)", async () => {
  const p = await session();
  await p.send("bAQIDBA==", "4text", "b/wD+");
  const seen = (await p.until((pk) => Buffer.isBuffer(pk) && pk.length === 3)).filter((x) => x !== "2");
  assert.equal(seen.length, 3);
  assert.deepEqual(seen[0], Buffer.from([1, 2, 3, 4]));
  assert.equal(seen[1], "4text");
  assert.deepEqual(seen[2], Buffer.from([0xff, 0x00, 0xfe]));
});

test("raw GET payload carries b64 attachments of a Socket.IO binary event", async () => {
  const p = await session("/socket.io/");
  await p.send("40");
  await p.until((pk) => typeof pk === "string" && pk.startsWith("40{"));
  await p.send('451-["echo",{"_placeholder":true,"num":0},"x"]', "bAQID");
  const seen = await p.until((pk) => Buffer.isBuffer(pk));
  const i = seen.indexOf('451-["echo",{"_placeholder":true,"num":0},"x"]');
  assert.ok(i >= 0, JSON.stringify(seen));
  assert.deepEqual(seen[i + 1], Buffer.from([1, 2, 3]));
});

test("strings with U+001E are JSON-escaped in polling payloads", async () => {
  const p = await session("/socket.io/");
  await p.send("40");
  await p.until((pk) => typeof pk === "string" && pk.startsWith("40{"));
  await p.send('42["echo","a\\u001eb\\u0000c"]');
  const seen = await p.until((pk) => typeof pk === "string" && pk.startsWith('42["echo"'));
  assert.ok(seen.includes('42["echo","a\\u001eb\\u0000c"]'), JSON.stringify(seen));
});

test("a second concurrent GET is an error (400 or 500) and closes the session", async () => {
  const p = await session();
  const first = p.pendingGet();
  await sleep(150);
  const second = await p.get();
  assert.ok([400, 500].includes(second.status), `second GET status ${second.status}`);
  const firstRes = await withTimeout(first.promise, 5000, "release of the first GET").catch((e) => ({ status: -1, error: e }));
  assert.notEqual(firstRes.status, undefined);
  await assertSessionGone(p);
});

test("POST larger than MAX_HTTP_BUFFER_SIZE answers 413; other sessions unaffected", async () => {
  const other = await session();
  const p = await session();
  const res = await p.post("4" + "x".repeat(MAX * 2));
  assert.equal(res.status, 413);
  // Another session still works normally.
  await other.send("4still-alive");
  const seen = await other.until((pk) => pk === "4still-alive");
  assert.ok(seen.includes("4still-alive"));
});

test("POST with Content-Type application/octet-stream is refused (400) and closes the session", async () => {
  const p = await session();
  const res = await p.post(Buffer.from([4, 1, 2, 3]), { "Content-Type": "application/octet-stream" });
  assert.equal(res.status, 400);
  await assertSessionGone(p);
});

test("client close packet `1`: the pending GET is released with `6`, then the session is gone", async () => {
  const p = await session();
  const pending = p.pendingGet();
  await sleep(150);
  await p.send("1");
  const res = await withTimeout(pending.promise, 5000, "release of the pending GET");
  assert.equal(res.status, 200);
  assert.deepEqual(res.packets, ["6"]);
  await assertSessionGone(p);
});

test("an undecodable Engine.IO packet closes the session, whatever the POST status", async () => {
  const p = await session();
  await p.post("9garbage").catch(() => null);
  await assertSessionGone(p);
  const q = await session("/socket.io/");
  await q.post("xyz").catch(() => null);
  await assertSessionGone(q);
});

test("POST answers are `ok` with a JSON-free body even for Socket.IO traffic", async () => {
  const p = await session("/socket.io/");
  const res = await p.post("40");
  assert.equal(res.status, 200);
  assert.equal(res.text, "ok");
  const seen = await p.until((pk) => typeof pk === "string" && pk.startsWith("40{"));
  assert.match(seen.find((x) => typeof x === "string" && x.startsWith("40{")), /^40\{"sid":"[^"]+"\}$/);
});

test("the server keeps answering after all of the above", async () => {
  const res = await request(srv.url + "/health");
  assert.equal(res.status, 200);
});

test("volatile over polling: dropped while no GET is pending, delivered to a pending GET, never reordered", async () => {
  const p = await session("/socket.io/");
  await p.send("40");
  await p.until((pk) => typeof pk === "string" && pk.startsWith("40{"));
  // No GET pending: every volatile packet is dropped, the normal `:done` event is buffered.
  await p.send('42["volatile-burst",{"count":5}]');
  await sleep(200);
  const seen = await p.until((pk) => pk === '42["volatile:done",5]');
  assert.deepEqual(seen.filter((pk) => typeof pk === "string" && pk.startsWith('42["volatile",')), []);

  // A GET is pending: the transport is writable, so at least the first one is delivered.
  const pending = p.pendingGet();
  await sleep(150);
  await p.send('42["volatile-burst",{"count":5}]');
  const res = await withTimeout(pending.promise, 5000, "pending GET");
  assert.equal(res.packets[0], '42["volatile",0]', JSON.stringify(res.packets));
  const rest = await p.until((pk) => pk === '42["volatile:done",5]');
  const nums = [...res.packets, ...rest]
    .filter((pk) => typeof pk === "string" && pk.startsWith('42["volatile",'))
    .map((pk) => JSON.parse(pk.slice(2))[1]);
  for (let i = 1; i < nums.length; i++) assert.ok(nums[i] > nums[i - 1], `reordered or duplicated: ${nums}`);
});

test("two overlapping POSTs on one session: both accepted and delivered, or a refusal that closes the session; the server keeps serving", async () => {
  const p = await session();
  // POST #1 sends its headers and half of its body, then waits; POST #2 is sent in full meanwhile.
  const body1 = `4first-a${SEP}4first-b`;
  const split = 5;
  let req1;
  const res1 = new Promise((resolve, reject) => {
    req1 = http.request(p.url(), { method: "POST", agent: false, headers: { "Content-Type": "text/plain;charset=UTF-8", "Content-Length": Buffer.byteLength(body1) } }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode, text }));
    });
    req1.on("error", reject);
    req1.write(body1.slice(0, split));
  });
  await sleep(150);
  res1.catch(() => null);
  const res2 = await withTimeout(p.post(`4second${SEP}4second-b`), 5000, "the overlapping POST must be answered").catch((e) => ({ status: -1, text: String(e) }));
  req1.end(body1.slice(split));
  const r1 = await withTimeout(res1, 5000, "the first POST must be answered").catch((e) => ({ status: -1, text: String(e) }));

  if (res2.status === 200 && r1.status === 200) {
    assert.equal(res2.text, "ok");
    assert.equal(r1.text, "ok");
    // Both payloads were processed: every message comes back (each POST's packets in order).
    const want = ["4first-a", "4first-b", "4second", "4second-b"];
    const seen = [];
    await waitUntil(async () => {
      const res = await p.get();
      assert.equal(res.status, 200, `session broken after overlapping POSTs: ${res.status} ${res.text}`);
      for (const pk of res.packets) if (pk !== "2") seen.push(pk);
      return want.every((w) => seen.includes(w));
    }, { timeout: 5000, message: `echo of both POSTs (seen ${JSON.stringify(seen)})` });
    assert.ok(seen.indexOf("4first-a") < seen.indexOf("4first-b"));
    assert.ok(seen.indexOf("4second") < seen.indexOf("4second-b"));
    await p.send("4still-alive");
    assert.ok((await p.until((x) => x === "4still-alive")).includes("4still-alive"));
  } else {
    // A refusal (Node: 400 "data request overlap", the other request cut) must close the
    // session, not leave it half-broken.
    assert.ok([res2.status, r1.status].every((s) => [200, 400, 500, -1].includes(s)), `statuses ${res2.status} / ${r1.status}`);
    await assertSessionGone(p);
  }
  assert.equal((await request(srv.url + "/health")).status, 200);
  const other = await session();
  await other.send("4other");
  assert.ok((await other.until((x) => x === "4other")).includes("4other"));
});
