// examples/seed-cluster: two instances over a private redis-server; a push given to one
// reaches the user's clients on both, and nobody else.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { closeAll, connect, next, record, request } from "./lib/client.mjs";
import { startExample, startProcess } from "./lib/process.mjs";
import { startRedis } from "./lib/redis.mjs";

const SEED = process.env.SIO_EXAMPLE_SEED_CLUSTER;
// Nothing of the environment the tests run in may reach the instances' configuration.
const CLEAN = { PORT: "0", REDIS_HOST: null, REDIS_PORT: null, REDIS_PASSWORD: null };

describe("examples/seed-cluster", () => {
  let redis;
  let A;
  let B;
  before(async () => {
    redis = await startRedis();
    const env = { ...CLEAN, REDIS_HOST: "127.0.0.1", REDIS_PORT: String(redis.port) };
    [A, B] = await Promise.all([startExample(SEED, env), startExample(SEED, env)]);
  });
  afterEach(closeAll);
  after(async () => {
    await Promise.all([A?.stop(), B?.stop()]);
    await redis?.stop();
  });

  test("POST /push/u1 to B reaches u1's clients on A and on B through Redis", async () => {
    const onA = await connect(A.url, { auth: { user: "u1" } });
    const onB = await connect(B.url, { auth: { user: "u1" } });
    const gotA = next(onA, "push");
    const gotB = next(onB, "push");
    const body = { title: "hello", n: 1, nested: { list: [1, "two", null] } };
    const res = await request(B.url, "POST", "/push/u1", JSON.stringify(body));
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { ok: true });
    assert.deepEqual(await gotA, [body]);
    assert.deepEqual(await gotB, [body]);
  });

  test("a push for u1 does not reach a client of another user", async () => {
    const u1 = await connect(A.url, { auth: { user: "u1" } });
    const u2 = await connect(A.url, { auth: { user: "u2" } });
    const anonymous = await connect(A.url);
    const u1Pushes = record(u1, "push");
    const u2Pushes = record(u2, "push");
    const anonymousPushes = record(anonymous, "push");
    assert.equal((await request(B.url, "POST", "/push/u1", '"for u1"')).status, 200);
    // Then one for u2 through the same instance and Redis connection: once u2 has it, the push
    // for u1 (published before it) has been delivered wherever it was going.
    assert.equal((await request(B.url, "POST", "/push/u2", '"for u2"')).status, 200);
    await u1Pushes.until((args) => args[0] === "for u1");
    await u2Pushes.until((args) => args[0] === "for u2");
    assert.deepEqual(u2Pushes.events, [["for u2"]]);
    assert.deepEqual(u1Pushes.events, [["for u1"]]);
    assert.deepEqual(anonymousPushes.events, []);
  });

  test("a body that is not JSON is refused with 400 and a JSON error", async () => {
    const res = await request(A.url, "POST", "/push/u1", "{not json");
    assert.equal(res.status, 400);
    assert.equal(typeof res.json?.error, "string", res.text);
    const empty = await request(A.url, "POST", "/push/u1", "");
    assert.equal(empty.status, 400);
    const noUser = await request(A.url, "POST", "/push", "{}");
    assert.equal(noUser.status, 404);
    assert.equal(typeof noUser.json?.error, "string");
    const wrongVerb = await request(A.url, "GET", "/push/u1");
    assert.equal(wrongVerb.status, 405);
    const elsewhere = await request(A.url, "GET", "/nothing");
    assert.equal(elsewhere.status, 404);
    assert.deepEqual(elsewhere.json, { error: "not found" });
  });

  test("CORS: the admin UI's origin is allowed with credentials, others get no CORS headers", async () => {
    const allowed = await fetch(`${A.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: "https://admin.socket.io" } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get("access-control-allow-origin"), "https://admin.socket.io");
    assert.equal(allowed.headers.get("access-control-allow-credentials"), "true");
    const other = await fetch(`${A.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: "https://evil.example" } });
    assert.equal(other.headers.get("access-control-allow-origin"), null);
  });

  test("a port already in use: a friendly message naming PORT, exit 1", async () => {
    const child = startProcess(SEED, { ...CLEAN, PORT: String(A.port), REDIS_PORT: String(redis.port) });
    const { code } = await child.exited;
    assert.equal(code, 1, child.output());
    assert.match(child.output(), new RegExp(`port ${A.port} is already in use: set PORT to another port`));
  });

  test("a bad PORT or REDIS_PORT: a message naming it, exit 2", async () => {
    for (const [name, env] of [
      ["PORT", { PORT: "http" }],
      ["PORT", { PORT: "70000" }],
      ["REDIS_PORT", { REDIS_PORT: "x" }],
    ]) {
      const child = startProcess(SEED, { ...CLEAN, ...env });
      const { code } = await child.exited;
      assert.equal(code, 2, child.output());
      assert.match(child.output(), new RegExp(`^${name} must be a port number`, "m"));
    }
  });

  test("SIGTERM: clients are disconnected and the instance exits 0", async () => {
    const C = await startExample(SEED, { ...CLEAN, REDIS_PORT: String(redis.port) });
    const client = await connect(C.url, { auth: { user: "u3" } });
    const disconnected = next(client, "disconnect");
    const { code, signal } = await C.stop("SIGTERM");
    assert.equal(signal, null, C.output());
    assert.equal(code, 0, C.output());
    await disconnected;
  });
});
