#include <sio/adapter/redis_adapter.hpp>

// RedisCluster: one RedisBus per process, shared by the RedisAdapter of every namespace.
// Incoming flow: bus subscriber -> on_message(channel, pattern, payload) -> the adapter that
// registered that pattern (`pmessage`: a broadcast) or that channel (`message`: a request or a
// response) -> decoded there, once. Nothing is decoded here: the channel says who owns it.

#include <stdexcept>

#include <sio/core/log.hpp>

#include "adapter/redis/redis_bus.hpp"

namespace sio::adapter {
namespace {

auto& log() {
    static auto logger = sio::core::logger("redis");
    return logger;
}

// boost's error_category has a protected non-virtual destructor by design (categories are
// never deleted through it); -Wnon-virtual-dtor does not know that.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class ClusterCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "sio.cluster"; }
    std::string message(int ev) const override {
        switch (static_cast<cluster_errc>(ev)) {
            case cluster_errc::unavailable:
                return "cluster unavailable: Redis is not connected";
            case cluster_errc::timed_out:
                return "timeout reached while waiting for the other servers";
        }
        return "unknown cluster error";
    }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& cluster_category() noexcept {
    static const ClusterCategory category;
    return category;
}

boost::system::error_code make_error_code(cluster_errc e) noexcept {
    return {static_cast<int>(e), cluster_category()};
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

std::shared_ptr<RedisCluster> RedisCluster::create(boost::asio::any_io_executor ex, RedisOptions redis) {
    std::shared_ptr<RedisCluster> cluster(new RedisCluster(std::move(ex), std::move(redis)));
    std::weak_ptr<RedisCluster> weak = cluster;
    cluster->bus_->set_message_handler(
        [weak](std::string_view channel, std::string_view pattern, std::string_view payload) {
            if (auto self = weak.lock()) self->on_message(channel, pattern, payload);
        });
    cluster->bus_->set_reconnect_handler([weak] {
        if (auto self = weak.lock())
            log()->info("redis cluster: subscriptions of {} namespaces restored", self->adapters_.size());
    });
    return cluster;
}

RedisCluster::RedisCluster(boost::asio::any_io_executor ex, RedisOptions redis)
    : ex_(std::move(ex)), redis_(std::move(redis)), bus_(RedisBus::create(ex_, redis_)) {}

RedisCluster::~RedisCluster() {
    bus_->stop();
}

void RedisCluster::start() {
    bus_->start();
}

void RedisCluster::wait_ready(std::chrono::milliseconds limit, std::function<void(boost::system::error_code)> cb) {
    bus_->wait_ready(limit, std::move(cb));
}

boost::system::error_code RedisCluster::block_until_ready(std::chrono::milliseconds limit) {
    return bus_->block_until_ready(limit);
}

void RedisCluster::stop() {
    bus_->stop();
}

bool RedisCluster::ready() const noexcept {
    return bus_->ready();
}
bool RedisCluster::up() const noexcept {
    return bus_->up();
}
const std::string& RedisCluster::last_error() const noexcept {
    return bus_->last_error();
}
std::uint64_t RedisCluster::publish_failures() const noexcept {
    return bus_->publish_failures();
}
std::uint64_t RedisCluster::reconnects() const noexcept {
    return bus_->reconnects();
}

// ---------------------------------------------------------------------------------------------
// Adapters

void RedisCluster::attach(RedisAdapter& adapter) {
    std::string pattern = adapter.pattern();
    if (by_pattern_.contains(pattern))
        throw std::logic_error("redis cluster: a second adapter for " + pattern +
                               " (one cluster member per namespace and process)");
    auto channels = adapter.channels();
    by_pattern_.emplace(pattern, &adapter);
    for (const auto& c : channels) by_channel_.emplace(c, &adapter);
    adapters_.emplace(&adapter, pattern);
    // Node's constructor: PSUBSCRIBE K#N#*, SUBSCRIBE request, response, specific response.
    // Before start() (or while down) the bus remembers them and sends them once connected;
    // ready() stays false until Redis confirmed every one.
    bus_->psubscribe({std::move(pattern)});
    bus_->subscribe(std::move(channels));
}

void RedisCluster::detach(RedisAdapter& adapter) noexcept {
    auto it = adapters_.find(&adapter);
    if (it == adapters_.end()) return;
    try {
        std::string pattern = std::move(it->second);
        adapters_.erase(it);
        by_pattern_.erase(pattern);
        auto channels = adapter.channels();
        for (const auto& c : channels) by_channel_.erase(c);
        bus_->punsubscribe({std::move(pattern)});
        bus_->unsubscribe(std::move(channels));
    } catch (const std::exception& e) {  // allocation failure: the routes are gone anyway
        log()->error("redis cluster: detach failed: {}", e.what());
    }
}

void RedisCluster::on_message(std::string_view channel, std::string_view pattern, std::string_view payload) {
    if (!pattern.empty()) {
        if (auto it = by_pattern_.find(pattern); it != by_pattern_.end())
            it->second->on_broadcast_message(channel, payload);
        return;
    }
    if (auto it = by_channel_.find(channel); it != by_channel_.end()) it->second->on_channel_message(channel, payload);
}

}  // namespace sio::adapter
