// Flow: raise RLIMIT_NOFILE -> sample servers -> fork W workers (pipes) -> wait "connected"
// from all -> sample servers (RSS per connection) -> scenario:
//   connect: hold --duration seconds, "stop", sample again
//   fanout/push: "measure", POST /emit M times back-to-back to --url[--trigger], "drain <sent>"
//   echo: "measure" (clients start their round trips)
// -> collect "result" from all -> sample servers -> merge and print the report.
#include "coordinator.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <fmt/core.h>

#include "histogram.hpp"
#include "worker.hpp"

namespace sio::bench {

namespace json = boost::json;

namespace {

// ---------------------------------------------------------------------------------------------
// Server process sampling

struct ProcSample {
    bool ok = false;
    std::int64_t cpu_us = 0;  // utime + stime
    std::int64_t rss_kb = 0;
};

ProcSample sample(int pid) {
    ProcSample s;
    std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(st, line)) return s;
    const auto rp = line.rfind(')');
    if (rp == std::string::npos) return s;
    std::istringstream in(line.substr(rp + 2));
    std::vector<std::string> f;
    for (std::string tok; in >> tok && f.size() < 13;) f.push_back(tok);
    if (f.size() < 13) return s;
    const long hz = sysconf(_SC_CLK_TCK);
    s.cpu_us = (std::stoll(f[11]) + std::stoll(f[12])) * 1'000'000 / hz;  // fields 14 and 15
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    while (std::getline(status, line))
        if (line.starts_with("VmRSS:")) s.rss_kb = std::stoll(line.substr(6));
    s.ok = true;
    return s;
}

std::vector<ProcSample> sample_all(const Options& o) {
    std::vector<ProcSample> v;
    for (int pid : o.server_pids) v.push_back(sample(pid));
    return v;
}

std::int64_t sum_cpu(const std::vector<ProcSample>& v) {
    std::int64_t s = 0;
    for (const auto& p : v) s += p.cpu_us;
    return s;
}
std::int64_t sum_rss(const std::vector<ProcSample>& v) {
    std::int64_t s = 0;
    for (const auto& p : v) s += p.rss_kb;
    return s;
}
bool all_alive(const Options& o) {
    for (int pid : o.server_pids)
        if (!sample(pid).ok) return false;
    return true;
}

// ---------------------------------------------------------------------------------------------
// Blocking HTTP/1.1 keep-alive client for POST /emit (poll()-based timeouts)

class RestClient {
public:
    explicit RestClient(const Target& t) : t_(t) {}
    ~RestClient() { close(); }

    /** POSTs `body`; returns the HTTP status, or -1 on a connection error / timeout. */
    int post(const std::string& path, const std::string& body, int timeout_ms = 30000) {
        req_ =
            fmt::format("POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                        path, t_.host, body.size());
        req_ += body;
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (fd_ < 0 && !connect()) return -1;
            const bool reused = used_;
            used_ = true;
            bool got_bytes = false;
            const int status = write_all(req_, timeout_ms) ? read_response(timeout_ms, got_bytes) : -1;
            if (status >= 0) return status;
            close();
            // A keep-alive connection the server closed meanwhile: one retry on a new one. Not
            // after a partial answer or a timeout (the emit may have happened).
            if (!reused || got_bytes || timed_out_) return -1;
        }
        return -1;
    }

private:
    bool connect() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(t_.port);
        inet_pton(AF_INET, t_.ip.c_str(), &a.sin_addr);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            close();
            return false;
        }
        const int one = 1;
        setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        used_ = false;
        in_.clear();
        return true;
    }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    bool wait(short ev, int timeout_ms) {
        pollfd p{fd_, ev, 0};
        return ::poll(&p, 1, timeout_ms) > 0;
    }
    bool write_all(const std::string& s, int timeout_ms) {
        std::size_t off = 0;
        while (off < s.size()) {
            if (!wait(POLLOUT, timeout_ms)) return false;
            const auto n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return false;
            off += static_cast<std::size_t>(n);
        }
        return true;
    }
    int read_response(int timeout_ms, bool& got_bytes) {
        timed_out_ = false;
        for (;;) {
            const auto end = in_.find("\r\n\r\n");
            if (end != std::string::npos) {
                int status = -1;
                std::sscanf(in_.c_str(), "HTTP/1.%*d %d", &status);
                std::size_t clen = 0;
                std::string head = in_.substr(0, end);
                std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
                if (auto p = head.find("content-length:"); p != std::string::npos)
                    clen = std::stoul(head.substr(p + 15));
                if (in_.size() >= end + 4 + clen) {
                    last_body_ = in_.substr(end + 4, clen);
                    in_.erase(0, end + 4 + clen);
                    if (head.find("connection: close") != std::string::npos) close();
                    return status;
                }
            }
            if (!wait(POLLIN, timeout_ms)) {
                timed_out_ = true;
                return -1;
            }
            char buf[4096];
            const auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return -1;
            got_bytes = true;
            in_.append(buf, static_cast<std::size_t>(n));
        }
    }

    const Target& t_;
    int fd_ = -1;
    bool used_ = false, timed_out_ = false;
    std::string req_, in_;

public:
    std::string last_body_;
};

// ---------------------------------------------------------------------------------------------
// Workers

struct WorkerProc {
    pid_t pid = -1;
    int cmd_fd = -1, out_fd = -1;
    std::string in;
    bool eof = false;
    json::object progress;
    std::optional<json::object> connected, result;
};

void send_cmd(std::vector<WorkerProc>& ws, const std::string& cmd) {
    const std::string line = cmd + "\n";
    for (auto& w : ws)
        if (w.cmd_fd >= 0) [[maybe_unused]]
            auto n = ::write(w.cmd_fd, line.data(), line.size());
}

/** Reads what the workers wrote for up to `ms` milliseconds and dispatches complete lines. */
void pump(std::vector<WorkerProc>& ws, int ms) {
    std::vector<pollfd> fds;
    for (auto& w : ws)
        if (!w.eof) fds.push_back({w.out_fd, POLLIN, 0});
    if (fds.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        return;
    }
    if (::poll(fds.data(), fds.size(), ms) <= 0) return;
    for (auto& w : ws) {
        if (w.eof) continue;
        pollfd p{w.out_fd, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) continue;
        char buf[65536];
        const auto n = ::read(w.out_fd, buf, sizeof buf);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            w.eof = true;
            continue;
        }
        w.in.append(buf, static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = w.in.find('\n')) != std::string::npos) {
            boost::system::error_code ec;
            auto v = json::parse(std::string_view(w.in.data(), nl), ec);
            w.in.erase(0, nl + 1);
            if (ec || !v.is_object()) continue;
            auto& o = v.as_object();
            const auto type = o["type"].as_string();
            if (type == "progress")
                w.progress = std::move(o);
            else if (type == "connected")
                w.connected = std::move(o);
            else if (type == "result")
                w.result = std::move(o);
        }
    }
}

std::uint64_t u64(const json::object& o, const char* k) {
    const auto& v = o.at(k);
    if (v.is_uint64()) return v.as_uint64();
    if (v.is_int64()) return static_cast<std::uint64_t>(std::max<std::int64_t>(0, v.as_int64()));
    return static_cast<std::uint64_t>(v.to_number<double>());
}
std::int64_t i64(const json::object& o, const char* k) {
    const auto& v = o.at(k);
    if (v.is_int64()) return v.as_int64();
    if (v.is_uint64()) return static_cast<std::int64_t>(v.as_uint64());
    return static_cast<std::int64_t>(v.to_number<double>());
}

class Progress {
public:
    explicit Progress(bool quiet) : quiet_(quiet) {}
    void maybe(const std::vector<WorkerProc>& ws, const char* phase, std::uint64_t extra = 0, bool force = false) {
        const auto now = now_ns();
        if (quiet_ || (!force && now - last_ < 1'000'000'000)) return;
        last_ = now;
        std::uint64_t c = 0, f = 0, d = 0, r = 0;
        for (const auto& w : ws) {
            if (w.progress.empty()) continue;
            c += u64(w.progress, "connected");
            f += u64(w.progress, "failed");
            d += u64(w.progress, "disconnects");
            r += u64(w.progress, "received");
        }
        fmt::print(stderr, "[sio-bench] {:>8} connected={} failed={} disconnects={} received={}{}\n", phase, c, f, d, r,
                   extra ? fmt::format(" emits={}", extra) : "");
    }

private:
    bool quiet_;
    std::int64_t last_ = 0;
};

template <class Pred>
bool wait_until(std::vector<WorkerProc>& ws, Progress& prog, const char* phase, double timeout_s, Pred done) {
    const auto deadline = now_ns() + static_cast<std::int64_t>(timeout_s * 1e9);
    while (!done()) {
        if (now_ns() > deadline) return false;
        bool all_eof = true;
        for (auto& w : ws) all_eof = all_eof && w.eof;
        if (all_eof) return done();
        pump(ws, 200);
        prog.maybe(ws, phase);
    }
    return true;
}

double ratio(double a, double b) {
    return b > 0 ? a / b : 0;
}
double round3(double v) {
    return std::round(v * 1000) / 1000;
}

/** Human-readable summary (without --json): one line per section. */
void print_text(const json::object& r) {
    const auto num = [](const json::value& v) { return v.is_double() ? v.as_double() : v.to_number<double>(); };
    const auto& c = r.at("connect").as_object();
    fmt::print("connect: {} connected, {} failed in {:.3f} s = {:.0f}/s; handshake p50 {:.1f} ms p99 {:.1f} ms\n",
               num(c.at("connected")), num(c.at("failed")), num(c.at("duration_s")), num(c.at("connections_per_s")),
               num(c.at("handshake").at("p50_us")) / 1000, num(c.at("handshake").at("p99_us")) / 1000);
    for (const char* k : {"fanout", "echo"}) {
        if (!r.contains(k)) continue;
        const auto& m = r.at(k).as_object();
        fmt::print(
            "{}: delivered {}/{} (lost {}) in {:.3f} s = {:.0f} msg/s; latency p50 {:.1f} ms p90 {:.1f} ms p99 {:.1f} "
            "ms max {:.1f} ms\n",
            k, num(m.at("delivered")), num(m.at("expected")), num(m.at("lost")), num(m.at("duration_s")),
            num(m.at("messages_per_s")), num(m.at("latency").at("p50_us")) / 1000,
            num(m.at("latency").at("p90_us")) / 1000, num(m.at("latency").at("p99_us")) / 1000,
            num(m.at("latency").at("max_us")) / 1000);
        fmt::print("cpu per message: server {:.2f} us, sio-bench {:.2f} us (busiest worker {:.0f}% busy{})\n",
                   num(m.at("server_cpu_us_per_msg")), num(m.at("client_cpu_us_per_msg")),
                   100 * num(m.at("client_worker_max_cpu_util")),
                   m.at("client_bound").as_bool() ? ": the tool may be the bottleneck" : "");
    }
    if (r.contains("hold")) {
        const auto& h = r.at("hold").as_object();
        fmt::print("hold: {} still connected after {} s, {} disconnects\n", num(h.at("connected_at_end")),
                   num(h.at("duration_s")), num(h.at("disconnects")));
    }
    if (r.contains("server")) {
        const auto& s = r.at("server").as_object();
        fmt::print("server: RSS {:.0f} kB connected ({:.2f} kB per connection), alive at end: {}\n",
                   num(s.at("rss_kb_connected_total")), num(s.at("rss_kb_per_connection")),
                   s.at("alive_at_end").as_bool());
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

int run_coordinator(const Options& in) {
    Options opts = in;
    if (opts.workers == 0)
        opts.workers =
            std::max<std::uint32_t>(1, (opts.clients + Options::max_per_worker - 1) / Options::max_per_worker);
    if ((opts.clients + opts.workers - 1) / opts.workers > Options::max_per_worker) {
        fmt::print(stderr, "sio-bench: {} clients over {} workers exceeds {} per worker (20,000 files per process)\n",
                   opts.clients, opts.workers, Options::max_per_worker);
        return 2;
    }
    if (opts.src_base + opts.workers > 255) {
        fmt::print(stderr, "sio-bench: too many workers for 127.0.0.x source addresses\n");
        return 2;
    }
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    Progress prog(opts.quiet);
    const auto s_before = sample_all(opts);
    const auto cpu_self0 = cpu_us_self();

    // Fork the workers; client i of the run belongs to worker i * W / N.
    std::vector<WorkerProc> ws(opts.workers);
    std::fflush(stdout);
    std::fflush(stderr);
    for (std::uint32_t k = 0; k < opts.workers; ++k) {
        const std::uint32_t first = static_cast<std::uint32_t>(std::uint64_t{opts.clients} * k / opts.workers);
        const std::uint32_t last = static_cast<std::uint32_t>(std::uint64_t{opts.clients} * (k + 1) / opts.workers);
        int cmd[2], out[2];
        if (::pipe(cmd) != 0 || ::pipe(out) != 0) {
            std::perror("sio-bench: pipe");
            return 1;
        }
        const pid_t pid = ::fork();
        if (pid < 0) {
            std::perror("sio-bench: fork");
            return 1;
        }
        if (pid == 0) {
            ::close(cmd[1]);
            ::close(out[0]);
            for (std::uint32_t j = 0; j < k; ++j) {
                ::close(ws[j].cmd_fd);
                ::close(ws[j].out_fd);
            }
            int rc = 0;
            {
                Worker w(opts, k, first, last - first, cmd[0], out[1]);
                rc = w.run();
            }
            std::fflush(nullptr);
            ::_exit(rc);
        }
        ::close(cmd[0]);
        ::close(out[1]);
        ws[k].pid = pid;
        ws[k].cmd_fd = cmd[1];
        ws[k].out_fd = out[0];
    }

    // Connect phase.
    const auto t_connect0 = now_ns();
    wait_until(ws, prog, "connect", opts.timeout + 30, [&] {
        return std::all_of(ws.begin(), ws.end(), [](const WorkerProc& w) { return w.connected.has_value() || w.eof; });
    });
    const auto t_connect1 = now_ns();
    prog.maybe(ws, "connect", 0, true);
    const auto s_connected = sample_all(opts);

    Histogram handshake;
    std::uint64_t connected = 0, failed = 0, client_cpu_connect = 0;
    std::int64_t worker_rss_kb = 0;
    std::int64_t c_start = 0, c_end = 0;
    json::object errors;
    for (auto& w : ws) {
        if (!w.connected) continue;
        const auto& c = *w.connected;
        connected += u64(c, "connected");
        failed += u64(c, "failed");
        client_cpu_connect += u64(c, "cpu_us");
        worker_rss_kb += i64(c, "rss_kb");
        const auto s = i64(c, "start_ns"), e = i64(c, "end_ns");
        if (!c_start || s < c_start) c_start = s;
        c_end = std::max(c_end, e);
        handshake.merge(Histogram::from_json(c.at("hist").as_object()));
        for (const auto& [k, v] : c.at("errors").as_object())
            errors[k] = (errors.contains(k) ? errors[k].as_uint64() : 0) + boost::json::value_to<std::uint64_t>(v);
    }
    const double connect_s = c_end > c_start ? static_cast<double>(c_end - c_start) / 1e9 : 0;

    json::object report{{"scenario", opts.scenario == Scenario::connect  ? "connect"
                                     : opts.scenario == Scenario::fanout ? "fanout"
                                     : opts.scenario == Scenario::echo   ? "echo"
                                                                         : "push"},
                        {"clients", opts.clients},
                        {"workers", opts.workers},
                        {"inflight", opts.inflight},
                        {"rate_limit", opts.rate},
                        {"namespace", opts.nsp}};
    json::array urls;
    for (const auto& t : opts.targets) urls.push_back(json::value(fmt::format("http://{}", t.host)));
    report["urls"] = std::move(urls);
    const auto srv_cpu_connect = sum_cpu(s_connected) - sum_cpu(s_before);
    report["connect"] =
        json::object{{"connected", connected},
                     {"failed", failed},
                     {"duration_s", round3(connect_s)},
                     {"connections_per_s", round3(ratio(static_cast<double>(connected), connect_s))},
                     {"handshake", handshake.summary_us()},
                     {"client_cpu_us_per_connection",
                      round3(ratio(static_cast<double>(client_cpu_connect), static_cast<double>(connected)))},
                     {"server_cpu_us_per_connection",
                      round3(ratio(static_cast<double>(srv_cpu_connect), static_cast<double>(connected)))},
                     {"errors", errors}};

    // Scenario phase.
    const auto s_measure0 = sample_all(opts);
    std::uint64_t sent = 0, emit_errors = 0;
    Histogram post_latency;
    std::int64_t t_first_send = 0, t_last_send = 0;
    std::string first_emit_error;
    const auto t_measure0 = now_ns();
    if (opts.scenario == Scenario::connect) {
        const auto until = now_ns() + static_cast<std::int64_t>(opts.duration * 1e9);
        while (now_ns() < until) {
            pump(ws, 200);
            prog.maybe(ws, "hold");
        }
        send_cmd(ws, "measure");
        send_cmd(ws, "stop");
    } else if (opts.scenario == Scenario::echo) {
        send_cmd(ws, "measure");
    } else {
        send_cmd(ws, "measure");
        // Let the workers take their CPU snapshot before the first broadcast.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        RestClient rest(opts.targets.at(opts.trigger));
        std::string body;
        const std::string nsp_field = opts.nsp == "/" ? "" : fmt::format(",\"namespace\":\"{}\"", opts.nsp);
        for (std::uint32_t seq = 1; seq <= opts.messages; ++seq) {
            const auto ts = now_ns();
            if (!t_first_send) t_first_send = ts;
            body = fmt::format("{{\"event\":\"bench\",\"args\":[{},{}]{}}}", seq, ts, nsp_field);
            const int status = rest.post("/emit", body);
            const auto t1 = now_ns();
            t_last_send = t1;
            post_latency.record(static_cast<std::uint64_t>(t1 - ts));
            if (status == 200) {
                ++sent;
            } else {
                ++emit_errors;
                if (first_emit_error.empty())
                    first_emit_error = status < 0 ? std::string("connection failed or timed out")
                                                  : fmt::format("HTTP {} {}", status, rest.last_body_);
            }
            if (opts.interval_us > 0)
                std::this_thread::sleep_for(std::chrono::microseconds(static_cast<std::int64_t>(opts.interval_us)));
            pump(ws, 0);
            prog.maybe(ws, "emit", seq);
        }
        send_cmd(ws, "drain " + std::to_string(sent));
    }
    wait_until(ws, prog, opts.scenario == Scenario::connect ? "stop" : "drain", opts.timeout + 60, [&] {
        return std::all_of(ws.begin(), ws.end(), [](const WorkerProc& w) { return w.result.has_value() || w.eof; });
    });
    const auto t_measure1 = now_ns();
    const auto s_end = sample_all(opts);
    prog.maybe(ws, "done", 0, true);
    for (auto& w : ws) {
        ::close(w.cmd_fd);
        ::close(w.out_fd);
    }
    bool worker_crashed = false;
    for (auto& w : ws) {
        int st = 0;
        ::waitpid(w.pid, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !w.result) worker_crashed = true;
    }

    // Merge the results.
    Histogram latency;
    std::vector<Histogram> per_emit;  // see Worker::per_emit_limit
    std::uint64_t expected = 0, received = 0, dups = 0, unexpected = 0, still = 0, disconnects = 0, at_measure = 0;
    std::int64_t first_recv = 0, last_recv = 0, client_cpu = 0, max_worker_cpu = 0;
    json::object end_errors;
    for (auto& w : ws) {
        if (!w.result) continue;
        const auto& r = *w.result;
        expected += u64(r, "expected");
        received += u64(r, "received");
        dups += u64(r, "duplicates");
        unexpected += u64(r, "unexpected");
        still += u64(r, "connected_at_end");
        at_measure += u64(r, "connected_at_measure");
        disconnects += u64(r, "disconnects");
        client_cpu += i64(r, "cpu_us");
        max_worker_cpu = std::max(max_worker_cpu, i64(r, "cpu_us"));
        const auto f = i64(r, "first_recv_ns"), l = i64(r, "last_recv_ns");
        if (f && (!first_recv || f < first_recv)) first_recv = f;
        last_recv = std::max(last_recv, l);
        latency.merge(Histogram::from_json(r.at("hist").as_object()));
        if (const auto* hists = r.if_contains("per_emit_hist")) {
            const auto& a = hists->as_array();
            per_emit.resize(std::max(per_emit.size(), a.size()));
            for (std::size_t i = 0; i < a.size(); ++i) per_emit[i].merge(Histogram::from_json(a[i].as_object()));
        }
        for (const auto& [k, v] : r.at("errors").as_object())
            end_errors[k] =
                (end_errors.contains(k) ? end_errors[k].as_uint64() : 0) + boost::json::value_to<std::uint64_t>(v);
    }
    const double measure_wall_s = static_cast<double>(t_measure1 - t_measure0) / 1e9;
    const auto srv_cpu_measure = sum_cpu(s_end) - sum_cpu(s_measure0);
    // A worker busy >= 90% of the measured phase means the tool, not the server, may set the pace.
    const double worker_util = ratio(static_cast<double>(max_worker_cpu) / 1e6, measure_wall_s);
    if (worker_util >= 0.9 && opts.scenario != Scenario::connect)
        fmt::print(stderr,
                   "[sio-bench] warning: a worker was {:.0f}% busy: the tool may be the bottleneck (add --workers)\n",
                   100 * worker_util);

    if (opts.scenario == Scenario::connect) {
        report["hold"] = json::object{{"duration_s", opts.duration},
                                      {"connected_at_end", still},
                                      {"disconnects", disconnects},
                                      {"errors", end_errors}};
    } else {
        const std::int64_t origin = opts.scenario == Scenario::echo ? t_measure0 : t_first_send;
        const double deliver_s = last_recv > origin ? static_cast<double>(last_recv - origin) / 1e9 : 0;
        json::object m{
            {"connected_at_start", at_measure},
            {"expected", expected},
            {"delivered", received},
            {"lost", expected > received ? expected - received : 0},
            {"duplicates_or_reordered", dups},
            {"other_events", unexpected},
            {"disconnects", disconnects},
            {"connected_at_end", still},
            {"duration_s", round3(deliver_s)},
            {"messages_per_s", round3(ratio(static_cast<double>(received), deliver_s))},
            {"latency", latency.summary_us()},
            {"client_cpu_us_per_msg", round3(ratio(static_cast<double>(client_cpu), static_cast<double>(received)))},
            {"server_cpu_us_per_msg",
             round3(ratio(static_cast<double>(srv_cpu_measure), static_cast<double>(received)))},
            {"client_worker_max_cpu_util", round3(worker_util)},
            {"client_bound", worker_util >= 0.9},
            {"errors", end_errors}};
        if (opts.scenario != Scenario::echo) {
            m["emits"] = opts.messages;
            m["emits_sent"] = sent;
            m["emit_errors"] = emit_errors;
            if (!first_emit_error.empty()) m["first_emit_error"] = first_emit_error;
            m["emit_duration_s"] = round3(static_cast<double>(t_last_send - t_first_send) / 1e9);
            m["post_latency"] = post_latency.summary_us();
            if (!per_emit.empty()) {  // latency of each emit, in ms, for short runs
                json::array rows;
                for (const auto& h : per_emit)
                    rows.push_back(json::object{{"delivered", h.total()},
                                                {"p50_ms", round3(static_cast<double>(h.percentile(0.5)) / 1e6)},
                                                {"p99_ms", round3(static_cast<double>(h.percentile(0.99)) / 1e6)},
                                                {"max_ms", round3(static_cast<double>(h.max()) / 1e6)}});
                m["per_emit"] = std::move(rows);
            }
        }
        report[opts.scenario == Scenario::echo ? "echo" : "fanout"] = std::move(m);
    }

    json::array servers;
    for (std::size_t i = 0; i < opts.server_pids.size(); ++i) {
        servers.push_back(json::object{{"pid", opts.server_pids[i]},
                                       {"alive_at_end", s_end[i].ok},
                                       {"rss_kb_before", s_before[i].rss_kb},
                                       {"rss_kb_connected", s_connected[i].rss_kb},
                                       {"rss_kb_end", s_end[i].rss_kb},
                                       {"cpu_us_connect", s_connected[i].cpu_us - s_before[i].cpu_us},
                                       {"cpu_us_measure", s_end[i].cpu_us - s_measure0[i].cpu_us}});
    }
    if (!opts.server_pids.empty()) {
        const auto rss_delta = sum_rss(s_connected) - sum_rss(s_before);
        report["server"] = json::object{
            {"processes", std::move(servers)},
            {"alive_at_end", all_alive(opts)},
            {"rss_kb_connected_total", sum_rss(s_connected)},
            {"rss_kb_end_total", sum_rss(s_end)},
            {"rss_kb_per_connection", round3(ratio(static_cast<double>(rss_delta), static_cast<double>(connected)))},
            {"cpu_us_connect_total", srv_cpu_connect},
            {"cpu_us_measure_total", srv_cpu_measure},
            {"cpu_util_measure", round3(ratio(static_cast<double>(srv_cpu_measure) / 1e6, measure_wall_s))}};
    }
    report["tool"] = json::object{
        {"coordinator_cpu_us", cpu_us_self() - cpu_self0},
        {"workers_cpu_us_measure", client_cpu},
        {"workers_rss_kb_connected", worker_rss_kb},
        {"rss_kb_per_client", round3(ratio(static_cast<double>(worker_rss_kb), static_cast<double>(connected)))},
        {"connect_wall_s", round3(static_cast<double>(t_connect1 - t_connect0) / 1e9)},
        {"measure_wall_s", round3(measure_wall_s)},
        {"worker_failed", worker_crashed}};

    if (opts.json) {
        fmt::print("{}\n", json::serialize(report));
    } else {
        print_text(report);
    }
    return worker_crashed ? 1 : 0;
}

}  // namespace sio::bench
