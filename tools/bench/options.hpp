#pragma once
// Flags of sio-bench, shared by the coordinator (parent process) and its workers.

#include <cstdint>
#include <string>
#include <vector>

namespace sio::bench {

enum class Scenario { connect, fanout, echo, push };

/** One server instance, from --url http://HOST:PORT (HOST an IPv4 literal or localhost). */
struct Target {
    std::string host;  // as written in the Host header
    std::string ip;    // IPv4 literal to connect to
    std::uint16_t port = 0;
};

struct Options {
    std::vector<Target> targets;
    Scenario scenario = Scenario::fanout;
    std::uint32_t clients = 100;
    std::uint32_t workers = 0;     // 0: ceil(clients / max_per_worker)
    std::uint32_t inflight = 256;  // handshakes in flight, all workers together
    double rate = 0;               // connection attempts per second, all workers; 0 = unlimited
    double duration = 0;           // connect: seconds to hold the connections
    std::uint32_t messages = 10;   // fanout/push: REST emits; echo: round trips per client
    double interval_us = 0;        // fanout/push: pause between emits (0 = back-to-back)
    double nap_us = 0;             // workers: poll, and nap this long when idle (0 = block in epoll_wait)
    std::string nsp = "/";
    std::vector<int> server_pids;
    std::uint32_t src_base = 1;  // worker k binds 127.0.0.(src_base + k)
    double timeout = 60;         // s: connect phase limit; quiet time before declaring losses
    std::uint32_t trigger = 0;   // fanout/push: index of the --url that receives POST /emit
    bool kernel_ports = false;   // let connect() choose source ports (slower at high counts)
    bool json = false;
    bool quiet = false;

    static constexpr std::uint32_t max_per_worker = 19000;  // 20,000 files per process, minus slack
};

}  // namespace sio::bench
