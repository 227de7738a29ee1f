// examples/chat: two clients talk; rooms, acknowledgements, typed arguments, the volatile
// typing notice, the nickname middleware and the page. README.md quotes its main.cpp.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, afterEach, before, describe, test } from "node:test";
import { closeAll, connect, next, record, request } from "./lib/client.mjs";
import { startExample } from "./lib/process.mjs";

const CHAT = process.env.SIO_EXAMPLE_CHAT;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("examples/chat", () => {
  let chat;
  before(async () => {
    chat = await startExample(CHAT, { PORT: "0" });
  });
  afterEach(closeAll);
  after(() => chat?.stop());

  test("a message from one client reaches the other, and the sender gets its ack", async () => {
    const ann = await connect(chat.url, { auth: { nick: "ann" } });
    const bob = await connect(chat.url, { auth: { nick: "bob" } });
    const got = next(bob, "chat");
    assert.deepEqual(await ann.emitWithAck("chat", "hello bob"), { ok: true });
    assert.deepEqual(await got, [{ from: "ann", text: "hello bob", room: "lobby" }]);
  });

  test("a message that is not a string is refused through its ack", async () => {
    const ann = await connect(chat.url, { auth: { nick: "ann" } });
    const answer = await ann.emitWithAck("chat", { not: "a string" });
    assert.equal(answer.error, "invalid_argument", JSON.stringify(answer));
  });

  test("rooms: a message reaches its room only", async () => {
    const ann = await connect(chat.url, { auth: { nick: "ann" } });
    const bob = await connect(chat.url, { auth: { nick: "bob" } });
    const bobChats = record(bob, "chat");
    assert.deepEqual(await bob.emitWithAck("join", "dev"), { ok: true, room: "dev" });
    await ann.emitWithAck("chat", "lobby only");
    const joined = next(bob, "joined");
    await ann.emitWithAck("join", "dev");
    assert.deepEqual(await joined, [{ nick: "ann", room: "dev" }]);
    await ann.emitWithAck("chat", "in dev");
    await bobChats.until((args) => args[0].text === "in dev");
    assert.deepEqual(
      bobChats.events.map((args) => args[0].text),
      ["in dev"],
    );
  });

  test("nick: renamed by event, refused when invalid, guests get a name", async () => {
    const guest = await connect(chat.url);
    const bob = await connect(chat.url, { auth: { nick: "bob" } });
    assert.deepEqual(await guest.emitWithAck("nick", ""), { ok: false, error: "nick must be 1 to 32 characters" });
    const got = next(bob, "chat");
    await guest.emitWithAck("chat", "who am I?");
    assert.match((await got)[0].from, /^guest-/);
    assert.deepEqual(await guest.emitWithAck("nick", "carol"), { ok: true, nick: "carol" });
    const again = next(bob, "chat");
    await guest.emitWithAck("chat", "now I know");
    assert.equal((await again)[0].from, "carol");
    await assert.rejects(connect(chat.url, { auth: { nick: 42 } }), /nick must be 1 to 32 characters/);
  });

  test("typing: a volatile notice to the others in the room", async () => {
    const ann = await connect(chat.url, { auth: { nick: "ann" } });
    const bob = await connect(chat.url, { auth: { nick: "bob" } });
    const typing = next(bob, "typing");
    ann.emit("typing");
    assert.deepEqual(await typing, [{ from: "ann" }]);
  });

  test("GET / serves the page, other paths 404", async () => {
    const page = await fetch(chat.url + "/");
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type"), /^text\/html/);
    assert.match(await page.text(), /<title>sio chat<\/title>/);
    const missing = await request(chat.url, "GET", "/missing");
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { error: "not found" });
  });

  test("README.md shows examples/chat/main.cpp as it is", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const main = fs.readFileSync(path.join(ROOT, "examples", "chat", "main.cpp"), "utf8");
    assert.ok(readme.includes("```cpp\n" + main + "```"), "README.md's chat example differs from examples/chat/main.cpp");
  });
});
