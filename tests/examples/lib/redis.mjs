// A private redis-server for one test file: a free loopback port (never 6379), no persistence.
import net from "node:net";
import { startProcess } from "./process.mjs";

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.on("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const { port } = srv.address();
        srv.close(() => resolve(port));
      });
    });
    if (port !== 6379) return port;
  }
}

/** Starts redis-server and waits until it accepts connections: {port, stop()}. */
export async function startRedis() {
  for (let attempt = 1; ; ++attempt) {
    const port = await freePort();
    const child = startProcess("redis-server", {}, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
    try {
      await child.waitFor(/Ready to accept connections/, 10000);
      return { port, stop: () => child.stop() };
    } catch (err) {
      await child.stop("SIGKILL");
      if (attempt >= 3) throw err; // the port was taken between freePort() and the bind
    }
  }
}
