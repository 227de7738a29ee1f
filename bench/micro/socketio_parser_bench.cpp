// Socket.IO codec (include/sio/socketio/parser.hpp): a broadcast encodes once, but every
// incoming packet is decoded, JSON included, so decode is the per-message cost of a client.

#include <cstdint>
#include <string>

#include <benchmark/benchmark.h>

#include <sio/socketio/packet.hpp>
#include <sio/socketio/parser.hpp>

#include "sample_event.hpp"

namespace {

namespace sock = sio::socketio;

// The sample event in namespace "/".
sock::Packet event_packet() {
    sock::Packet p;
    p.type = sock::PacketType::event;
    p.data = sio::bench::sample_event_data();
    return p;
}

// The same event with a 1 KiB buffer as its second argument (one attachment).
sock::Packet binary_event_packet() {
    sock::Packet p = event_packet();
    p.data.as_array().push_back(sock::make_placeholder(0));
    p.attachments.push_back(std::string(1024, '\x7f'));
    return p;
}

// Encoding the text of a packet: JSON serialisation is most of it. For the BINARY_EVENT only
// the header (`51-[...]`) is encoded; the attachment goes out as it is.
void BM_SocketIO_Encode(benchmark::State& state, const sock::Packet& packet) {
    for (auto _ : state) {
        auto text = sock::encode(packet);
        benchmark::DoNotOptimize(text);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_SocketIO_Encode, Event, event_packet());
BENCHMARK_CAPTURE(BM_SocketIO_Encode, BinaryEvent, binary_event_packet());

// Decoding the text an EVENT encodes to: header, JSON parse, payload shape checks.
void BM_SocketIO_DecodeEvent(benchmark::State& state) {
    const std::string text = sock::encode(event_packet());
    sock::Decoder decoder;
    for (auto _ : state) {
        auto packet = decoder.feed_text(text);
        benchmark::DoNotOptimize(packet);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_SocketIO_DecodeEvent);

// Decoding a BINARY_EVENT: the header, then its one 1 KiB attachment (copied into the packet).
void BM_SocketIO_DecodeBinaryEvent(benchmark::State& state) {
    const sock::Packet source = binary_event_packet();
    const std::string header = sock::encode(source);
    const std::string& attachment = source.attachments.front();
    sock::Decoder decoder;
    for (auto _ : state) {
        auto pending = decoder.feed_text(header);
        benchmark::DoNotOptimize(pending);
        auto packet = decoder.feed_binary(attachment);
        benchmark::DoNotOptimize(packet);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SocketIO_DecodeBinaryEvent);

}  // namespace
