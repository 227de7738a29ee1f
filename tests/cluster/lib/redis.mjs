// Private redis-server instances for the cluster tests: each on a free loopback port (never 6379),
// no persistence, killed when the test process exits.
//
//   const redis = await startRedis();                       // no auth
//   const redis = await startRedis({ requirepass: "pw" });  // url = redis://:pw@127.0.0.1:port
//   const redis = await startRedis({ aclUser: { name: "sio", password: "pw" } }); // default user off
//   redis.url, redis.port, await redis.kill(), await redis.restart(), await redis.stop()
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createClient } from "redis";

const REDIS_SERVER = process.env.REDIS_SERVER_BIN || "redis-server";
const live = new Set();
const tempDirs = [];

process.on("exit", () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  for (const proc of live) {
    try {
      proc.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** A free TCP port on 127.0.0.1 (not 6379). */
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.on("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const { port } = srv.address();
        srv.close(() => resolve(port));
      });
    });
    if (port !== 6379) return port;
  }
}

function spawnRedis(port, extraArgs, configLines = []) {
  const args = [];
  if (configLines.length) {
    // Directives such as `user` need a config file (command-line values are quoted as one word).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sio-cluster-redis-"));
    tempDirs.push(dir);
    const file = path.join(dir, "redis.conf");
    fs.writeFileSync(file, configLines.join("\n") + "\n");
    args.push(file);
  }
  args.push(
    "--port", String(port),
    "--bind", "127.0.0.1",
    "--save", "",
    "--appendonly", "no",
    "--protected-mode", "no",
    "--loglevel", "notice",
    ...extraArgs,
  );
  const proc = spawn(REDIS_SERVER, args, { stdio: ["ignore", "pipe", "pipe"] });
  live.add(proc);
  const lines = [];
  const exited = new Promise((resolve) => {
    proc.on("exit", (code, signal) => {
      live.delete(proc);
      resolve({ code, signal });
    });
  });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server on port ${port} not ready within 10 s\n${lines.join("")}`)), 10000);
    const onData = (chunk) => {
      const text = chunk.toString();
      lines.push(text);
      if (text.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", onData);
    proc.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${REDIS_SERVER}: ${err.message}`));
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited early (code ${code}, signal ${signal})\n${lines.join("")}`));
    });
  });
  return { proc, ready, exited, lines };
}

/**
 * Starts a redis-server. Options: `requirepass` (password of the default user), `aclUser`
 * ({name, password}: an ACL user with every permission; the default user is then disabled).
 * Returns {url (with the credentials), baseUrl (without), host, port, password, username,
 * client() (a connected node-redis client with the credentials), kill() (SIGKILL, as a crash),
 * start() (start again on the same port), restart() (kill + start), stop()}.
 */
export async function startRedis({ requirepass, aclUser } = {}) {
  const extra = [];
  const conf = [];
  if (requirepass) extra.push("--requirepass", requirepass);
  if (aclUser) {
    conf.push(`user ${aclUser.name} on >${aclUser.password} ~* &* +@all`);
    conf.push("user default off");
  }
  const username = aclUser?.name;
  const password = aclUser?.password ?? requirepass;
  const host = "127.0.0.1";

  let attempt = 0;
  let port;
  let current;
  for (;;) {
    port = await freePort();
    current = spawnRedis(port, extra, conf);
    try {
      await current.ready;
      break;
    } catch (err) {
      current.proc.kill("SIGKILL");
      if (++attempt >= 3) throw err;
    }
  }

  const auth = username ? `${encodeURIComponent(username)}:${encodeURIComponent(password)}@` : password ? `:${encodeURIComponent(password)}@` : "";
  const redis = {
    host,
    port,
    username,
    password,
    url: `redis://${auth}${host}:${port}`,
    baseUrl: `redis://${host}:${port}`,
    get pid() {
      return current.proc.pid;
    },
    /** A connected node-redis client (caller quits it). */
    async client() {
      const c = createClient({ url: redis.url, socket: { reconnectStrategy: false } });
      c.on("error", () => {});
      await c.connect();
      return c;
    },
    /** Kills redis-server with SIGKILL (a crash) and waits for the process to be gone. */
    async kill() {
      if (current.proc.exitCode === null && current.proc.signalCode === null) current.proc.kill("SIGKILL");
      await current.exited;
    },
    /** Starts redis-server again on the same port (after kill()). */
    async start() {
      const deadline = Date.now() + 10000;
      for (;;) {
        current = spawnRedis(port, extra, conf);
        try {
          await current.ready;
          return;
        } catch (err) {
          // the port may still be in TIME_WAIT/bound for a moment
          current.proc.kill("SIGKILL");
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
    async restart() {
      await redis.kill();
      await redis.start();
    },
    async stop() {
      if (current.proc.exitCode === null && current.proc.signalCode === null) {
        current.proc.kill("SIGTERM");
        const t = setTimeout(() => current.proc.kill("SIGKILL"), 3000);
        await current.exited;
        clearTimeout(t);
      }
    },
    logs: () => current.lines.join(""),
  };
  return redis;
}
