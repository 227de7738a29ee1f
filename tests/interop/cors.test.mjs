// CONTRACT §2.6: CORS on /socket.io/ and /engine.io/ with exact origins and credentials.
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
