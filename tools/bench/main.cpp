// sio-bench: native Socket.IO load tool. Parses flags, then hands over to the coordinator,
// which forks the workers. Progress on stderr, the JSON report on stdout.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "coordinator.hpp"
#include "options.hpp"

namespace {

bool parse_url(const std::string& url, sio::bench::Target& t) {
    std::string s = url;
    for (const char* scheme : {"http://", "ws://"})
        if (s.starts_with(scheme)) s = s.substr(std::string(scheme).size());
    if (auto slash = s.find('/'); slash != std::string::npos) s.resize(slash);
    const auto colon = s.rfind(':');
    if (colon == std::string::npos) return false;
    t.host = s;
    t.ip = s.substr(0, colon);
    if (t.ip == "localhost") t.ip = "127.0.0.1";
    try {
        const auto port = std::stoul(s.substr(colon + 1));
        if (port == 0 || port > 65535) return false;
        t.port = static_cast<std::uint16_t>(port);
    } catch (...) {
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    using sio::bench::Scenario;
    sio::bench::Options o;
    CLI::App app{"sio-bench: Socket.IO v4 load tool (Engine.IO 4 over WebSocket)"};
    std::vector<std::string> urls;
    std::string scenario = "fanout", transport = "websocket";
    app.add_option("--url", urls, "server URL http://IP:PORT (repeatable: clients are spread round-robin)");
    app.add_option("--scenario", scenario, "connect | fanout | echo | push")
        ->check(CLI::IsMember({"connect", "fanout", "echo", "push"}));
    app.add_option("--clients,-n", o.clients, "number of Socket.IO clients")->check(CLI::Range(1u, 2'000'000u));
    app.add_option("--workers,-w", o.workers, "worker processes (0: one per 19,000 clients)");
    app.add_option("--inflight", o.inflight, "handshakes in flight, all workers together")
        ->check(CLI::Range(1u, 1'000'000u));
    app.add_option("--rate", o.rate, "connection attempts per second, all workers (0: unlimited)");
    app.add_option("--duration", o.duration, "connect: seconds to hold the connections");
    app.add_option("--messages,-m", o.messages, "fanout/push: REST emits; echo: round trips per client");
    app.add_option("--interval-us", o.interval_us, "fanout/push: pause between emits in microseconds");
    app.add_option("--nap-us", o.nap_us,
                   "workers: when idle, sleep this long and poll instead of blocking (0 = block)");
    app.add_option("--transport", transport, "only websocket")->check(CLI::IsMember({"websocket"}));
    app.add_option("--namespace", o.nsp, "Socket.IO namespace");
    app.add_option("--server-pid", o.server_pids, "server process to sample (repeatable)");
    app.add_option("--src-base", o.src_base, "worker k binds source address 127.0.0.(src-base + k)")
        ->check(CLI::Range(1u, 254u));
    app.add_option("--timeout", o.timeout, "seconds: connect phase limit and quiet time before counting losses");
    app.add_option("--trigger", o.trigger, "fanout/push: index of the --url that receives POST /emit");
    app.add_flag("--kernel-ports", o.kernel_ports,
                 "let the kernel pick source ports at connect (IP_BIND_ADDRESS_NO_PORT)");
    app.add_flag("--json", o.json, "print only the JSON report on stdout");
    app.add_flag("--quiet,-q", o.quiet, "no progress on stderr");
    CLI11_PARSE(app, argc, argv);

    if (urls.empty()) urls.push_back("http://127.0.0.1:3000");
    for (const auto& u : urls) {
        sio::bench::Target t;
        if (!parse_url(u, t)) {
            fmt::print(stderr, "sio-bench: --url must be http://IPv4:PORT, got {}\n", u);
            return 2;
        }
        o.targets.push_back(t);
    }
    if (o.trigger >= o.targets.size()) {
        fmt::print(stderr, "sio-bench: --trigger {} but only {} --url\n", o.trigger, o.targets.size());
        return 2;
    }
    if (o.nsp.empty() || o.nsp[0] != '/') {
        fmt::print(stderr, "sio-bench: --namespace must start with /\n");
        return 2;
    }
    o.scenario = scenario == "connect"  ? Scenario::connect
                 : scenario == "fanout" ? Scenario::fanout
                 : scenario == "echo"   ? Scenario::echo
                                        : Scenario::push;
    return sio::bench::run_coordinator(o);
}
