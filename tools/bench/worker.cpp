// Worker: paces connection attempts (--inflight, --rate), runs the worker side of a scenario
// and reports to the coordinator. Everything runs on one io_context thread; the only timer is
// the ticker (10 ms while rate-limiting, else 100 ms) that refills connection tokens, sends
// progress once a second and ends the drain phase after --timeout seconds without delivery.
#include "worker.hpp"

#include <thread>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

#include <boost/asio/read_until.hpp>

namespace sio::bench {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::system::error_code;

std::int64_t now_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::int64_t rss_kb_self() noexcept {
    std::int64_t kb = 0;
    if (FILE* f = std::fopen("/proc/self/status", "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, f))
            if (std::sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
        std::fclose(f);
    }
    return kb;
}

std::int64_t cpu_us_self() noexcept {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return (std::int64_t{ru.ru_utime.tv_sec} + ru.ru_stime.tv_sec) * 1'000'000 + ru.ru_utime.tv_usec +
           ru.ru_stime.tv_usec;
}

// ---------------------------------------------------------------------------------------------
// Setup and connect phase

Worker::Worker(const Options& opts, std::uint32_t index, std::uint32_t first, std::uint32_t count, int cmd_fd,
               int out_fd)
    : opts_(opts), index_(index), first_(first), count_(count), cmd_(ioc_, cmd_fd), out_fd_(out_fd) {
    source_ = asio::ip::address_v4((127u << 24) | (opts.src_base + index));
    if (FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
        unsigned lo = 0, hi = 0;
        if (std::fscanf(f, "%u %u", &lo, &hi) == 2 && lo <= hi) {
            eph_lo_ = lo;
            eph_hi_ = hi;
        }
        std::fclose(f);
    }
    port_ = 10000 + static_cast<std::uint32_t>(now_ns() % 55000);  // start elsewhere each run
    for (const auto& t : opts.targets) {
        endpoints_.emplace_back(asio::ip::make_address_v4(t.ip), t.port);
        hosts_.push_back(t.host);
    }
    connect_packet_ = opts.nsp == "/" ? "40" : "40" + opts.nsp + ",";
    event_prefix_ = opts.nsp == "/" ? "42" : "42" + opts.nsp + ",";
    if (opts.scenario != Scenario::echo && opts.messages <= per_emit_limit) per_emit_.resize(opts.messages);
    const std::uint32_t w = std::max<std::uint32_t>(1, opts.workers);
    inflight_max_ = std::max<std::uint32_t>(1, (opts.inflight + w - 1) / w);
    rate_ = opts.rate / w;
    clients_.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i)
        clients_.push_back(
            std::make_unique<Client>(*this, ioc_, (first + i) % static_cast<std::uint32_t>(endpoints_.size())));
}

int Worker::run() {
    cpu_connect_start_ = cpu_us_self();
    connect_start_ns_ = last_refill_ns_ = now_ns();
    connect_deadline_ns_ = connect_start_ns_ + static_cast<std::int64_t>(opts_.timeout * 1e9);
    tokens_ = rate_ > 0 ? std::min(rate_ / 100.0, static_cast<double>(inflight_max_)) : 0;
    if (tokens_ < 1 && rate_ > 0) tokens_ = 1;
    launch_more();
    maybe_connected();
    tick();
    read_command();
    if (opts_.nap_us <= 0) {
        ioc_.run();
        return 0;
    }
    const auto nap = std::chrono::microseconds(static_cast<std::int64_t>(opts_.nap_us));
    while (!ioc_.stopped()) {
        if (ioc_.poll() == 0 && !ioc_.stopped()) std::this_thread::sleep_for(nap);
    }
    return 0;
}

void Worker::launch_more() {
    const auto now = now_ns();
    if (rate_ > 0) {
        tokens_ =
            std::min(tokens_ + rate_ * static_cast<double>(now - last_refill_ns_) / 1e9, std::max(1.0, rate_ / 10.0));
        last_refill_ns_ = now;
    }
    while (next_ < count_ && inflight_ < inflight_max_) {
        if (rate_ > 0) {
            if (tokens_ < 1) break;
            tokens_ -= 1;
        }
        ++inflight_;
        clients_[next_++]->start(source_, now);
    }
}

void Worker::on_connected(Client& c) {
    const auto now = now_ns();
    connect_hist_.record(static_cast<std::uint64_t>(now - c.started_ns));
    ++connected_;
    --inflight_;
    connect_end_ns_ = now;
    launch_more();
    maybe_connected();
}

void Worker::on_failed(Client&, const char* where, error_code ec) {
    ++failed_;
    --inflight_;
    std::string key = where;
    if (ec) key += ": " + ec.message();
    ++errors_[key];
    launch_more();
    maybe_connected();
}

void Worker::on_closed(Client&, error_code ec) {
    ++disconnects_;
    ++errors_[std::string("disconnected: ") + (ec ? ec.message() : "namespace disconnect")];
    if (measuring_) maybe_finish();
}

void Worker::maybe_connected() {
    if (connected_reported_ || connected_ + failed_ < count_) return;
    connected_reported_ = true;
    cpu_connect_end_ = cpu_us_self();
    json::object errs;
    for (const auto& [k, v] : errors_) errs[k] = v;
    write_line({{"type", "connected"},
                {"worker", index_},
                {"connected", connected_},
                {"failed", failed_},
                {"start_ns", connect_start_ns_},
                {"end_ns", connect_end_ns_},
                {"cpu_us", cpu_connect_end_ - cpu_connect_start_},
                {"rss_kb", rss_kb_self()},
                {"errors", std::move(errs)},
                {"hist", connect_hist_.to_json()}});
}

void Worker::tick() {
    const bool fast = rate_ > 0 && next_ < count_;
    ticker_.expires_after(std::chrono::milliseconds(fast ? 10 : 100));
    ticker_.async_wait([this](error_code ec) {
        if (ec || finished_) return;
        const auto now = now_ns();
        if (!connected_reported_) {
            if (now >= connect_deadline_ns_) {
                // Whatever is still handshaking counts as failed ("timeout").
                for (auto& c : clients_) {
                    if (c->state() == Client::State::connecting || c->state() == Client::State::open ||
                        c->state() == Client::State::idle) {
                        c->abort();
                        ++failed_;
                        ++errors_["timeout"];
                    }
                }
                next_ = count_;
                inflight_ = 0;
                maybe_connected();
            } else {
                launch_more();
            }
        }
        if (now - last_progress_ns_ >= 1'000'000'000) {
            last_progress_ns_ = now;
            write_line({{"type", "progress"},
                        {"worker", index_},
                        {"connected", connected_},
                        {"failed", failed_},
                        {"disconnects", disconnects_},
                        {"received", received_}});
        }
        if (draining_ || (measuring_ && opts_.scenario == Scenario::echo)) {
            const auto last = last_recv_ns_ ? last_recv_ns_ : (drain_ns_ ? drain_ns_ : measure_start_ns_);
            if (now - last >= static_cast<std::int64_t>(opts_.timeout * 1e9)) finish();
        }
        if (!finished_) tick();
    });
}

// ---------------------------------------------------------------------------------------------
// Commands from the coordinator

void Worker::read_command() {
    asio::async_read_until(cmd_, cmd_buf_, '\n', [this](error_code ec, std::size_t n) {
        if (ec) {  // coordinator gone: stop
            finished_ = true;
            ioc_.stop();
            return;
        }
        std::string line(asio::buffers_begin(cmd_buf_.data()),
                         asio::buffers_begin(cmd_buf_.data()) + static_cast<std::ptrdiff_t>(n) - 1);
        cmd_buf_.consume(n);
        on_command(line);
        if (!finished_) read_command();
    });
}

void Worker::on_command(std::string_view line) {
    if (line == "measure") {
        measuring_ = true;
        measure_start_ns_ = now_ns();
        cpu_measure_start_ = cpu_us_self();
        connected_at_measure_ = 0;
        for (auto& c : clients_)
            if (c->state() == Client::State::connected) ++connected_at_measure_;
        if (opts_.scenario == Scenario::echo) start_echo();
    } else if (line.starts_with("drain ")) {
        std::uint64_t sent = 0;
        std::from_chars(line.data() + 6, line.data() + line.size(), sent);
        expected_ = sent * connected_at_measure_;
        draining_ = true;
        drain_ns_ = now_ns();
        maybe_finish();
    } else if (line == "stop") {
        finish();
    }
}

// ---------------------------------------------------------------------------------------------
// Measured phase: fanout/push receive `["bench",seq,ts,...]`, echo round trips `["echo",seq,ts]`

namespace {
// Parses `"name",<uint>,<int>` after the '['; returns false when the event is not `name`.
bool parse_event(std::string_view p, std::string_view name, std::uint32_t& seq, std::int64_t& ts) {
    // p starts with '[' and then '"' name '"' ','
    if (p.size() < name.size() + 4 || p[1] != '"' || p.substr(2, name.size()) != name || p[2 + name.size()] != '"')
        return false;
    const char* it = p.data() + name.size() + 4;
    const char* end = p.data() + p.size();
    auto r = std::from_chars(it, end, seq);
    if (r.ec != std::errc{} || r.ptr == end || *r.ptr != ',') return false;
    r = std::from_chars(r.ptr + 1, end, ts);
    return r.ec == std::errc{};
}
}  // namespace

void Worker::on_event(Client& c, std::string_view payload) {
    if (!measuring_) return;  // e.g. the "auth" event at connection
    std::uint32_t seq = 0;
    std::int64_t ts = 0;
    const std::string_view name = opts_.scenario == Scenario::echo ? "echo" : "bench";
    if (!parse_event(payload, name, seq, ts)) {
        ++unexpected_;
        return;
    }
    const auto now = now_ns();
    const auto latency = static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - ts));
    latency_.record(latency);
    if (seq >= 1 && seq <= per_emit_.size()) per_emit_[seq - 1].record(latency);
    if (!first_recv_ns_) first_recv_ns_ = now;
    last_recv_ns_ = now;
    ++received_;
    ++c.received;
    if (opts_.scenario == Scenario::echo) {
        if (c.echo_sent < opts_.messages)
            send_echo(c);
        else
            maybe_finish();
        return;
    }
    if (c.received > 1 && seq <= c.last_seq) ++duplicates_;
    c.last_seq = std::max(c.last_seq, seq);
    if (draining_ && received_ >= expected_) maybe_finish();
}

void Worker::start_echo() {
    expected_ = std::uint64_t{connected_at_measure_} * opts_.messages;
    for (auto& c : clients_)
        if (c->state() == Client::State::connected) send_echo(*c);
    maybe_finish();
}

void Worker::send_echo(Client& c) {
    ++c.echo_sent;
    echo_buf_ = event_prefix_;
    echo_buf_ += "[\"echo\",";
    char num[32];
    auto r = std::to_chars(num, num + sizeof num, c.echo_sent);
    echo_buf_.append(num, r.ptr);
    echo_buf_ += ',';
    r = std::to_chars(num, num + sizeof num, now_ns());
    echo_buf_.append(num, r.ptr);
    echo_buf_ += ']';
    c.send(echo_buf_);
}

void Worker::maybe_finish() {
    if (finished_) return;
    if (opts_.scenario == Scenario::echo) {
        if (measuring_ && received_ >= expected_) finish();
        return;
    }
    if (draining_ && received_ >= expected_) finish();
}

void Worker::finish() {
    if (finished_) return;
    finished_ = true;
    const auto cpu = cpu_us_self();
    std::uint32_t still = 0;
    for (auto& c : clients_)
        if (c->state() == Client::State::connected) ++still;
    json::object errs;
    for (const auto& [k, v] : errors_) errs[k] = v;
    json::array per_emit;
    for (const auto& h : per_emit_) per_emit.push_back(h.to_json());
    write_line({{"type", "result"},
                {"worker", index_},
                {"connected_at_measure", connected_at_measure_},
                {"connected_at_end", still},
                {"disconnects", disconnects_},
                {"expected", expected_},
                {"received", received_},
                {"duplicates", duplicates_},
                {"unexpected", unexpected_},
                {"measure_start_ns", measure_start_ns_},
                {"first_recv_ns", first_recv_ns_},
                {"last_recv_ns", last_recv_ns_},
                {"cpu_us", measuring_ ? cpu - cpu_measure_start_ : std::int64_t{0}},
                {"cpu_total_us", cpu},
                {"errors", std::move(errs)},
                {"hist", latency_.to_json()},
                {"per_emit_hist", std::move(per_emit)}});
    ticker_.cancel();
    ioc_.stop();
}

void Worker::write_line(const json::object& o) {
    std::string s = json::serialize(o);
    s += '\n';
    const char* p = s.data();
    std::size_t left = s.size();
    while (left) {
        const auto n = ::write(out_fd_, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

}  // namespace sio::bench
