#pragma once
// A worker process: one io_context, up to Options::max_per_worker clients bound to one
// 127.0.0.x source address, no locks, no per-message logging. It talks to the coordinator over
// two pipes, one JSON object per line:
//   worker -> coordinator: {"type":"progress"...} every second, {"type":"connected"...} once
//                          every client connected or failed, {"type":"result"...} at the end
//   coordinator -> worker: "measure" (start of the measured phase: CPU snapshot; echo starts),
//                          "drain <emits sent>" (fanout/push: all triggers sent), "stop"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/json.hpp>

#include "client.hpp"
#include "histogram.hpp"
#include "options.hpp"

namespace sio::bench {

std::int64_t now_ns() noexcept;       // CLOCK_MONOTONIC: comparable across processes
std::int64_t cpu_us_self() noexcept;  // user + system CPU of this process
std::int64_t rss_kb_self() noexcept;  // VmRSS of this process

class Worker {
public:
    /** Clients [first, first + count) of the run; client i connects to targets[i % targets]. */
    Worker(const Options& opts, std::uint32_t index, std::uint32_t first, std::uint32_t count, int cmd_fd, int out_fd);
    /** Runs to the end of the scenario; returns the process exit code. */
    int run();

    // Called by clients.
    const Options& options() const noexcept { return opts_; }
    const std::vector<boost::asio::ip::tcp::endpoint>& endpoints() const noexcept { return endpoints_; }
    const std::vector<std::string>& hosts() const noexcept { return hosts_; }
    const std::string& connect_packet() const noexcept { return connect_packet_; }
    std::string_view event_prefix() const noexcept { return event_prefix_; }
    void on_connected(Client& c);
    void on_failed(Client& c, const char* where, boost::system::error_code ec);
    void on_closed(Client& c, boost::system::error_code ec);
    void on_event(Client& c, std::string_view payload);  // payload: the JSON array of a 42 packet
    /** Next source port to try: cycles over 10000-65535 minus the kernel's ephemeral range
        (ip_local_port_range), from a per-run offset. Ports bound explicitly are skipped by every
        process's connect() autobind, so taking them from the ephemeral range would starve the
        other programs on the machine (and our own REST client) of source ports. */
    std::uint16_t next_port() noexcept {
        do {
            if (++port_ > 65535 || port_ < 10000) port_ = 10000;
        } while (port_ >= eph_lo_ && port_ <= eph_hi_);
        return static_cast<std::uint16_t>(port_);
    }

private:
    void launch_more();
    void tick();
    void maybe_connected();
    void read_command();
    void on_command(std::string_view line);
    void start_echo();
    void send_echo(Client& c);
    void maybe_finish();
    void finish();
    void write_line(const boost::json::object& o);

    const Options& opts_;
    std::uint32_t index_;
    std::uint32_t first_, count_;
    boost::asio::io_context ioc_{1};
    boost::asio::ip::address_v4 source_;
    std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
    std::vector<std::string> hosts_;
    std::string connect_packet_;  // "40" or "40/nsp,"
    std::string event_prefix_;    // "42" or "42/nsp,"
    std::vector<std::unique_ptr<Client>> clients_;
    boost::asio::steady_timer ticker_{ioc_};
    boost::asio::posix::stream_descriptor cmd_;
    boost::asio::streambuf cmd_buf_;
    int out_fd_;

    // connect phase
    std::uint32_t next_ = 0, inflight_ = 0, inflight_max_ = 1;
    double tokens_ = 0, rate_ = 0;
    std::int64_t last_refill_ns_ = 0;
    std::int64_t connect_start_ns_ = 0, connect_end_ns_ = 0, connect_deadline_ns_ = 0;
    std::uint32_t connected_ = 0, failed_ = 0, disconnects_ = 0;
    bool connected_reported_ = false;
    std::int64_t cpu_connect_start_ = 0, cpu_connect_end_ = 0;
    Histogram connect_hist_;
    std::map<std::string, std::uint64_t> errors_;

    // measured phase
    bool measuring_ = false, draining_ = false, finished_ = false;
    std::uint64_t expected_ = 0, received_ = 0, duplicates_ = 0, unexpected_ = 0;
    std::uint32_t connected_at_measure_ = 0;
    std::int64_t measure_start_ns_ = 0, first_recv_ns_ = 0, last_recv_ns_ = 0, last_progress_ns_ = 0;
    std::int64_t drain_ns_ = 0;
    std::int64_t cpu_measure_start_ = 0;
    Histogram latency_;
    // One per emit of fanout/push when there are at most per_emit_limit: where a latency tail
    // comes from (the first emits, or queueing behind earlier ones).
    static constexpr std::uint32_t per_emit_limit = 32;
    std::vector<Histogram> per_emit_;
    std::string echo_buf_;
    std::uint32_t port_ = 10000;
    std::uint32_t eph_lo_ = 32768, eph_hi_ = 60999;
};

}  // namespace sio::bench
