// docs/contract.md §2.6: CORS on /socket.io/ and /engine.io/ with exact origins and credentials.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { request, eioUrl, pollHandshake, Poller } from "./lib/util.mjs";

const A = "http://app.example.com";
const B = "https://other.example.org:8443";
const EVIL = "http://evil.example.net";
let srv;
let plain;
before(async () => {
  [srv, plain] = await Promise.all([
    startServer({ CORS_ORIGINS: `${A},${B}`, CONNECTION_STATE_RECOVERY: "0" }, { name: "cors" }),
    startServer({ CONNECTION_STATE_RECOVERY: "0" }, { name: "no cors" }),
  ]);
});
after(() => Promise.all([srv?.stop(), plain?.stop()]));

function assertAllowed(res, origin, what) {
  assert.equal(res.headers["access-control-allow-origin"], origin, `${what}: Access-Control-Allow-Origin`);
  assert.equal(res.headers["access-control-allow-credentials"], "true", `${what}: Access-Control-Allow-Credentials`);
  const vary = String(res.headers.vary ?? "").toLowerCase().split(/\s*,\s*/);
  assert.ok(vary.includes("origin"), `${what}: Vary must include Origin (got ${res.headers.vary})`);
}

for (const path of ["/socket.io/", "/engine.io/"]) {
  for (const origin of [A, B]) {
    test(`${path} allowed origin ${origin}: headers on handshake, GET and POST`, async () => {
      const hs = await pollHandshake(srv.url, { path, headers: { Origin: origin } });
      assertAllowed(hs.res, origin, "handshake");
      const p = new Poller(srv.url, hs.sid, path);
      const post = await p.post(path === "/socket.io/" ? "40" : "4hi", { "Content-Type": "text/plain;charset=UTF-8", Origin: origin });
      assert.equal(post.status, 200);
      assertAllowed(post, origin, "POST");
      const get = await p.get({ headers: { Origin: origin } });
      assert.equal(get.status, 200);
      assertAllowed(get, origin, "GET");
    });
  }

  test(`${path} preflight from an allowed origin: 204/200, methods, reflected headers`, async () => {
    const res = await request(eioUrl(srv.url, { path }), {
      method: "OPTIONS",
      headers: { Origin: A, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-custom-header" },
    });
    assert.ok([200, 204].includes(res.status), `status ${res.status}`);
    assertAllowed(res, A, "preflight");
    const methods = String(res.headers["access-control-allow-methods"] ?? "").toUpperCase().split(/\s*,\s*/);
    assert.ok(methods.includes("GET") && methods.includes("POST"), `methods: ${res.headers["access-control-allow-methods"]}`);
    const allowHeaders = String(res.headers["access-control-allow-headers"] ?? "").toLowerCase().split(/\s*,\s*/).sort();
    assert.deepEqual(allowHeaders, ["content-type", "x-custom-header"]);
  });

  test(`${path} other origin: no Access-Control-Allow-Origin (request, preflight)`, async () => {
    const hs = await request(eioUrl(srv.url, { path }), { headers: { Origin: EVIL } });
    assert.equal(hs.headers["access-control-allow-origin"], undefined);
    const pre = await request(eioUrl(srv.url, { path }), {
      method: "OPTIONS",
      headers: { Origin: EVIL, "Access-Control-Request-Method": "POST" },
    });
    assert.equal(pre.headers["access-control-allow-origin"], undefined);
    // A prefix/suffix of an allowed origin is not allowed either (exact match).
    for (const near of [A + ".evil.net", A.replace("http:", "https:"), A + "/"]) {
      const r = await request(eioUrl(srv.url, { path }), { headers: { Origin: near } });
      assert.equal(r.headers["access-control-allow-origin"], undefined, near);
    }
  });

  test(`${path} without CORS_ORIGINS: no CORS headers at all`, async () => {
    const hs = await request(eioUrl(plain.url, { path }), { headers: { Origin: A } });
    assert.equal(hs.status, 200);
    assert.equal(hs.headers["access-control-allow-origin"], undefined);
    assert.equal(hs.headers["access-control-allow-credentials"], undefined);
  });
}

// Error answers carry the CORS headers too (a browser client must be able to read them).
for (const path of ["/socket.io/", "/engine.io/"]) {
  const errorRequests = () => [
    ["code 0 (unknown transport)", eioUrl(srv.url, { path, transport: "carrier-pigeon" }), {}, 0],
    ["code 1 (unknown sid, GET)", eioUrl(srv.url, { path, sid: "doesnotexist12345678" }), {}, 1],
    ["code 1 (unknown sid, POST)", eioUrl(srv.url, { path, sid: "doesnotexist12345678" }), { method: "POST", body: "4x", headers: { "Content-Type": "text/plain" } }, 1],
    ["code 2 (POST handshake)", eioUrl(srv.url, { path }), { method: "POST", body: "4x", headers: { "Content-Type": "text/plain" } }, 2],
    ["code 3 (websocket over plain HTTP)", eioUrl(srv.url, { path, transport: "websocket" }), {}, 3],
    ["code 5 (EIO=3)", eioUrl(srv.url, { path, eio: "3" }), {}, 5],
  ];

  test(`${path} 400 error answers carry CORS headers for an allowed origin, none for another origin`, async () => {
    for (const [what, url, opts, code] of errorRequests()) {
      const ok = await request(url, { ...opts, headers: { ...(opts.headers ?? {}), Origin: A } });
      assert.equal(ok.status, 400, `${what}: ${ok.status} ${ok.text}`);
      assert.equal(JSON.parse(ok.text).code, code, what);
      assertAllowed(ok, A, what);
      const evil = await request(url, { ...opts, headers: { ...(opts.headers ?? {}), Origin: EVIL } });
      assert.equal(evil.status, 400, what);
      assert.equal(evil.headers["access-control-allow-origin"], undefined, `${what}, other origin`);
    }
  });

  test(`${path} a second concurrent GET: the 400 answer carries CORS headers`, async () => {
    const hs = await pollHandshake(srv.url, { path, headers: { Origin: A } });
    const p = new Poller(srv.url, hs.sid, path);
    const first = p.pendingGet();
    await new Promise((r) => setTimeout(r, 150));
    const second = await p.get({ headers: { Origin: A } });
    assert.ok([400, 500].includes(second.status), `status ${second.status}`);
    assertAllowed(second, A, "second GET");
    await first.promise.catch(() => null);
  });
}

test("an oversize polling POST (413) from an allowed origin carries CORS headers", async () => {
  const big = await startServer({ CORS_ORIGINS: A, CONNECTION_STATE_RECOVERY: "0", MAX_HTTP_BUFFER_SIZE: "1000" }, { name: "cors 413" });
  try {
    for (const path of ["/socket.io/", "/engine.io/"]) {
      const hs = await pollHandshake(big.url, { path, headers: { Origin: A } });
      const res = await new Poller(big.url, hs.sid, path).post("4" + "x".repeat(5000), { "Content-Type": "text/plain;charset=UTF-8", Origin: A });
      assert.equal(res.status, 413, path);
      assertAllowed(res, A, `${path} 413`);
    }
  } finally {
    await big.stop();
  }
});
