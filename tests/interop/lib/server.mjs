// Starts the server under test (env SIO_SERVER: an executable path or a command line split on
// spaces) on a random port and gives back its URL. Server output is kept; it is written to
// tests/interop/logs/ and printed to stderr when the test file fails.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const LISTEN_RE = /Listening on http:\/\/([\d.]+):(\d+)/;
const here = path.dirname(fileURLToPath(import.meta.url));
// SIO_TEST_LOG_DIR lets another tier (tests/cluster) reuse this module with its own log folder.
const logDir = process.env.SIO_TEST_LOG_DIR || path.resolve(here, "..", "logs");
const testName = path.basename(process.argv[1] ?? "interop", ".mjs");
const started = [];

export function serverCommand(spec = process.env.SIO_SERVER) {
  if (!spec || !spec.trim()) throw new Error("SIO_SERVER is not set (path to sio-server or a command line)");
  return spec.trim().split(/\s+/);
}

/**
 * Spawns the server with process.env + {PORT:"0", HOST:"127.0.0.1", ...env}.
 * Resolves once it printed "Listening on http://host:port" (stdout or stderr), max 10 s.
 * `command` (a command line) overrides $SIO_SERVER.
 */
export function startServer(env = {}, { name = "", timeoutMs = 10000, command } = {}) {
  const [cmd, ...args] = serverCommand(command);
  const fullEnv = { ...process.env, PORT: "0", HOST: "127.0.0.1", ...env };
  const proc = spawn(cmd, args, { env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
  const lines = [];
  const entry = {
    label: `${testName}#${started.length + 1}${name ? ` (${name})` : ""}`,
    env,
    lines,
  };
  started.push(entry);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    proc.on("exit", (code, signal) => {
      exited = { code, signal };
      lines.push(`[exit code=${code} signal=${signal}]`);
      resolve(exited);
    });
  });

  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      proc.kill("SIGKILL");
      reject(new Error(`server did not print "Listening on http://..." within ${timeoutMs} ms\n${lines.join("\n")}`));
    }, timeoutMs);
    const onData = (stream) => {
      let buf = "";
      return (chunk) => {
        buf += chunk.toString("utf8");
        let i;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i).replace(/\r$/, "");
          buf = buf.slice(i + 1);
          lines.push(`[${stream}] ${line}`);
          if (lines.length > 5000) lines.splice(0, lines.length - 5000);
          const m = !done && LISTEN_RE.exec(line);
          if (m) {
            done = true;
            clearTimeout(timer);
            const port = Number(m[2]);
            const url = `http://${m[1]}:${port}`;
            resolve({
              url,
              port,
              host: m[1],
              proc,
              logs: () => lines.join("\n"),
              exited: () => exited,
              waitExit: () => exitPromise,
              async stop({ timeoutMs: stopTimeout = 5000 } = {}) {
                if (exited) return exited;
                proc.kill("SIGTERM");
                const t0 = Date.now();
                const killer = setTimeout(() => proc.kill("SIGKILL"), stopTimeout);
                const res = await exitPromise;
                clearTimeout(killer);
                return { ...res, ms: Date.now() - t0 };
              },
            });
          }
        }
      };
    };
    proc.stdout.on("data", onData("out"));
    proc.stderr.on("data", onData("err"));
    proc.on("error", (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`cannot start server ${cmd}: ${err.message}`));
    });
    exitPromise.then((res) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`server exited before listening (code ${res.code}, signal ${res.signal})\n${lines.join("\n")}`));
    });
  });
}

/** Runs the server command to completion (for configuration errors). */
export function runServerToExit(env = {}, timeoutMs = 10000, { command } = {}) {
  const [cmd, ...args] = serverCommand(command);
  const proc = spawn(cmd, args, { env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (c) => (stdout += c));
  proc.stderr.on("data", (c) => (stderr += c));
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      started.push({ label: `${testName} (run to exit)`, env, lines: [stdout, stderr] });
      resolve({ code, signal, stdout, stderr });
    });
  });
}

process.on("exit", (code) => {
  if (!started.length) return;
  try {
    fs.mkdirSync(logDir, { recursive: true });
    const text = started
      .map((s) => `===== ${s.label} env=${JSON.stringify(s.env)}\n${s.lines.join("\n")}\n`)
      .join("\n");
    fs.writeFileSync(path.join(logDir, `${testName}.log`), text);
    if (code || process.exitCode) {
      const tail = text.split("\n").slice(-200).join("\n");
      process.stderr.write(`\n----- server logs for ${testName} (full log: ${path.join(logDir, testName + ".log")}) -----\n${tail}\n`);
    }
  } catch {
    // best effort
  }
});
