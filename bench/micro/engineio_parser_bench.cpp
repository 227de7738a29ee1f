// Engine.IO codec (include/sio/engineio/parser.hpp): every WebSocket frame and every polling
// POST body goes through decode_packet / decode_payload, every polling flush through
// append_to_payload.

#include <cstdint>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>

#include <sio/engineio/frame.hpp>
#include <sio/engineio/parser.hpp>

namespace {

namespace eio = sio::engineio;

// The sample event of sample_event.hpp as the Engine.IO message it travels in.
constexpr std::string_view event_message = R"(42["chat",{"user":"u1","text":"hello world","n":42}])";
constexpr std::size_t payload_packets = 10;

std::string polling_body() {
    std::string body;
    for (std::size_t i = 0; i < payload_packets; ++i) {
        if (i) body += '\x1e';
        body += event_message;
    }
    return body;
}

// One text packet (a WebSocket frame): the per-message floor of the Engine.IO layer.
void BM_EngineIO_DecodePacket(benchmark::State& state) {
    for (auto _ : state) {
        auto packet = eio::decode_packet(event_message);
        benchmark::DoNotOptimize(packet);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(event_message.size()));
}
BENCHMARK(BM_EngineIO_DecodePacket);

// A polling POST body of 10 records split on \x1e: items are packets.
void BM_EngineIO_DecodePayload10(benchmark::State& state) {
    const std::string body = polling_body();
    for (auto _ : state) {
        auto packets = eio::decode_payload(body);
        benchmark::DoNotOptimize(packets);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(payload_packets));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_EngineIO_DecodePayload10);

// A polling GET answer built from 10 queued text frames (what a flush does): items are frames.
void BM_EngineIO_AppendToPayload10(benchmark::State& state) {
    const sio::engineio::Frame frame{std::string(event_message), false};
    std::string payload;
    for (auto _ : state) {
        payload.clear();
        for (std::size_t i = 0; i < payload_packets; ++i) eio::append_to_payload(payload, frame);
        benchmark::DoNotOptimize(payload.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(payload_packets));
}
BENCHMARK(BM_EngineIO_AppendToPayload10);

// One 1 KiB binary frame in a polling payload: base64 encoding is the cost (`b<base64>`).
void BM_EngineIO_AppendBinaryToPayload1KiB(benchmark::State& state) {
    const sio::engineio::Frame frame{std::string(1024, '\x7f'), true};
    std::string payload;
    for (auto _ : state) {
        payload.clear();
        eio::append_to_payload(payload, frame);
        benchmark::DoNotOptimize(payload.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_EngineIO_AppendBinaryToPayload1KiB);

}  // namespace
