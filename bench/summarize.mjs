// Summarizes a bench/run results folder: for every server and scenario the median of the runs
// with [min–max], then the ratios of sio-server vs the ceiling and vs Node (medians).
//   node bench/summarize.mjs bench/results/<stamp>
import fs from "node:fs";
import path from "node:path";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node bench/summarize.mjs <results dir>");
  process.exit(2);
}
const runs = {}; // "sio-fanout" -> [report, ...]
for (const f of fs.readdirSync(dir).sort()) {
  const m = /^(.*)-(\d+)\.json$/.exec(f);
  if (!m) continue;
  const text = fs.readFileSync(path.join(dir, f), "utf8").trim();
  if (!text) continue;
  (runs[m[1]] ??= []).push(JSON.parse(text));
}

const get = (o, p) => p.split(".").reduce((v, k) => (v == null ? undefined : v[k]), o);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const fmtNum = (v, d) => (Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }) : "–");
function stat(list, p, scale = 1) {
  const xs = list.map((r) => get(r, p)).filter((v) => typeof v === "number").map((v) => v * scale);
  return { med: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}
function cell(list, p, d = 0, scale = 1) {
  const s = stat(list, p, scale);
  if (!s.n) return "–";
  return s.n > 1 ? `${fmtNum(s.med, d)} [${fmtNum(s.min, d)}–${fmtNum(s.max, d)}]` : fmtNum(s.med, d);
}
const sum = (list, p) => list.reduce((a, r) => a + (get(r, p) ?? 0), 0);

const machine = fs.existsSync(path.join(dir, "machine.txt")) ? fs.readFileSync(path.join(dir, "machine.txt"), "utf8").trim() : "";
console.log(machine.split("\n").map((l) => `    ${l}`).join("\n"));
console.log("");

const servers = ["ceiling", "sio", "node"].filter((s) => runs[`${s}-connect`] || runs[`${s}-fanout`]);
if (servers.length) {
  const c0 = runs[`${servers[0]}-connect`]?.[0];
  const f0 = runs[`${servers[0]}-fanout`]?.[0];
  if (c0) {
    console.log(`Connect storm: ${c0.clients} clients, ${c0.inflight} handshakes in flight, held ${c0.hold?.duration_s} s (median [min–max] of ${runs[`${servers[0]}-connect`].length} runs)\n`);
    console.log("| server | connected | connections/s | handshake p99 ms | server RSS kB/conn | server CPU µs/conn | still connected after hold |");
    console.log("|---|---|---|---|---|---|---|");
    for (const s of servers) {
      const l = runs[`${s}-connect`] ?? [];
      console.log(`| ${s} | ${cell(l, "connect.connected")} | ${cell(l, "connect.connections_per_s")} | ${cell(l, "connect.handshake.p99_us", 1, 1e-3)} | ${cell(l, "server.rss_kb_per_connection", 2)} | ${cell(l, "connect.server_cpu_us_per_connection", 1)} | ${cell(l, "hold.connected_at_end")} |`);
    }
    console.log("");
  }
  if (f0) {
    console.log(`Fan-out: ${f0.clients} clients, ${f0.fanout.emits} back-to-back POST /emit (median [min–max] of ${runs[`${servers[0]}-fanout`].length} runs)\n`);
    console.log("| server | delivered/s | lost | latency p50 ms | p99 ms | server CPU µs/msg | sio-bench CPU µs/msg | busiest worker CPU % | POST p50 ms |");
    console.log("|---|---|---|---|---|---|---|---|---|");
    for (const s of servers) {
      const l = runs[`${s}-fanout`] ?? [];
      console.log(`| ${s} | ${cell(l, "fanout.messages_per_s")} | ${sum(l, "fanout.lost")} | ${cell(l, "fanout.latency.p50_us", 1, 1e-3)} | ${cell(l, "fanout.latency.p99_us", 1, 1e-3)} | ${cell(l, "fanout.server_cpu_us_per_msg", 2)} | ${cell(l, "fanout.client_cpu_us_per_msg", 2)} | ${cell(l, "fanout.client_worker_max_cpu_util", 0, 100)} | ${cell(l, "fanout.post_latency.p50_us", 1, 1e-3)} |`);
    }
    console.log("");
  }
  const ratioRows = [
    ["fan-out delivered/s", "fanout", "fanout.messages_per_s", "higher is better"],
    ["server CPU µs per delivered message", "fanout", "fanout.server_cpu_us_per_msg", "lower is better"],
    ["fan-out latency p99", "fanout", "fanout.latency.p99_us", "lower is better"],
    ["connections/s", "connect", "connect.connections_per_s", "higher is better"],
    ["server RSS per connection", "connect", "server.rss_kb_per_connection", "lower is better"],
  ];
  if (runs["sio-fanout"] || runs["sio-connect"]) {
    console.log("Ratios of medians (sio-server / other):\n");
    console.log("| metric | sio / ceiling | sio / node | |");
    console.log("|---|---|---|---|");
    for (const [label, sc, p, note] of ratioRows) {
      const sio = stat(runs[`sio-${sc}`] ?? [], p).med;
      const r = (other) => {
        const o = stat(runs[`${other}-${sc}`] ?? [], p).med;
        return Number.isFinite(sio) && Number.isFinite(o) && o !== 0 ? fmtNum(sio / o, 2) : "–";
      };
      const [rc, rn] = [r("ceiling"), r("node")];
      if (rc !== "–" || rn !== "–") console.log(`| ${label} | ${rc} | ${rn} | ${note} |`);
    }
    console.log("");
  }
}

const push = runs["push"];
if (push) {
  const p0 = push[0];
  console.log(`Cluster push: ${p0.clients} clients over ${p0.urls.length} sio-server instances on one Redis, ${p0.fanout.emits} POST /emit on the first (median [min–max] of ${push.length} runs)\n`);
  console.log("| connected | delivered / expected | lost | latency p50 ms | p99 ms | max ms | total server RSS MiB | server RSS kB/conn | connections/s | delivered/s | server CPU µs/msg | sio-bench CPU µs/msg |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
  console.log(`| ${cell(push, "connect.connected")} | ${cell(push, "fanout.delivered")} / ${cell(push, "fanout.expected")} | ${sum(push, "fanout.lost")} | ${cell(push, "fanout.latency.p50_us", 1, 1e-3)} | ${cell(push, "fanout.latency.p99_us", 1, 1e-3)} | ${cell(push, "fanout.latency.max_us", 1, 1e-3)} | ${cell(push, "server.rss_kb_connected_total", 0, 1 / 1024)} | ${cell(push, "server.rss_kb_per_connection", 2)} | ${cell(push, "connect.connections_per_s")} | ${cell(push, "fanout.messages_per_s")} | ${cell(push, "fanout.server_cpu_us_per_msg", 2)} | ${cell(push, "fanout.client_cpu_us_per_msg", 2)} |`);
  console.log("");
}

const busy = Object.values(runs).flat().filter((r) => r.machine_busy).length;
const bound = Object.values(runs).flat().filter((r) => r.fanout?.client_bound).length;
const dead = Object.values(runs).flat().filter((r) => r.server && !r.server.alive_at_end).length;
console.log(`runs started on a busy machine: ${busy}; runs where a sio-bench worker was >= 90% busy: ${bound}; runs where a server died: ${dead}`);
