// An example binary as a child process: its output kept line by line, waits on lines that
// match, and its exit. Every process still running when the test process exits is killed.
import { spawn } from "node:child_process";

const live = new Set();
process.on("exit", () => {
  for (const proc of live) proc.kill("SIGKILL");
});

/** Rejects with `message` if `promise` has not settled within `ms` (a bound, not a pause). */
export function withTimeout(promise, ms, message) {
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${message}`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/**
 * Starts `binary` with `args`, `env` added to this process's environment (a null value removes
 * the variable). Returns {proc, output()
 * (everything printed so far, stdout and stderr), waitFor(regex, ms) (the first match, already
 * printed or to come), exited (a promise of {code, signal}), stop(signal)}.
 */
export function startProcess(binary, env = {}, args = []) {
  const fullEnv = { ...process.env, ...env };
  for (const [name, value] of Object.entries(fullEnv)) if (value === null) delete fullEnv[name];
  const proc = spawn(binary, args, { env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
  live.add(proc);
  let text = "";
  const waiters = new Set();
  const onData = (chunk) => {
    text += chunk.toString();
    for (const check of [...waiters]) check();
  };
  proc.stdout.on("data", onData);
  proc.stderr.on("data", onData);
  const exited = new Promise((resolve) => {
    proc.on("exit", (code, signal) => {
      live.delete(proc);
      for (const check of [...waiters]) check();
      resolve({ code, signal });
    });
  });
  const child = {
    proc,
    exited,
    output: () => text,
    waitFor(regex, ms = 20000) {
      return withTimeout(
        new Promise((resolve, reject) => {
          const check = () => {
            const match = text.match(regex);
            if (match) {
              waiters.delete(check);
              resolve(match);
            } else if (proc.exitCode !== null || proc.signalCode !== null) {
              waiters.delete(check);
              reject(new Error(`${binary} exited (code ${proc.exitCode}) before printing ${regex}:\n${text}`));
            }
          };
          waiters.add(check);
          check();
        }),
        ms,
        `${binary} to print ${regex}; output so far:\n${text}`,
      );
    },
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
  return child;
}

/** Starts an example server and waits for its "Listening on port N" line; adds `port`. */
export async function startExample(binary, env = {}) {
  const child = startProcess(binary, { PORT: "0", ...env });
  try {
    const [, port] = await child.waitFor(/Listening on port (\d+)/);
    return { ...child, port: Number(port), url: `http://127.0.0.1:${port}` };
  } catch (err) {
    await child.stop("SIGKILL");
    throw err;
  }
}
