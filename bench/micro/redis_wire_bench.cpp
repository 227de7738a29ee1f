// Redis wire codec (src/adapter/redis/wire.hpp): in a cluster every broadcast is encoded once
// by its sender and decoded once by every other instance, so both bound cluster throughput.

#include <cstdint>
#include <string>

#include <benchmark/benchmark.h>

#include "adapter/redis/wire.hpp"
#include "sample_event.hpp"

namespace {

namespace redis = sio::adapter::redis;

// `io.to("room1").emit(<the sample event>)` as @socket.io/redis-adapter 8.3 publishes it on K#/#room1#.
redis::BroadcastMessage broadcast_message() {
    redis::BroadcastMessage msg;
    msg.uid = "aB3dE6";
    msg.packet.type = sio::socketio::PacketType::event;
    msg.packet.nsp = "/";
    msg.packet.data = sio::bench::sample_event_data();
    msg.opts.rooms = {"room1"};
    return msg;
}

// Publishing side: BroadcastMessage -> notepack msgpack bytes.
void BM_RedisWire_EncodeBroadcast(benchmark::State& state) {
    const redis::BroadcastMessage msg = broadcast_message();
    for (auto _ : state) {
        auto bytes = redis::encode_broadcast(msg);
        benchmark::DoNotOptimize(bytes);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RedisWire_EncodeBroadcast);

// Receiving side: msgpack bytes -> BroadcastMessage (JSON values, rooms, flags).
void BM_RedisWire_DecodeBroadcast(benchmark::State& state) {
    const auto bytes = redis::encode_broadcast(broadcast_message());
    if (!bytes) {
        state.SkipWithError("encode_broadcast failed");
        return;
    }
    for (auto _ : state) {
        auto msg = redis::decode_broadcast(*bytes);
        benchmark::DoNotOptimize(msg);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes->size()));
}
BENCHMARK(BM_RedisWire_DecodeBroadcast);

}  // namespace
