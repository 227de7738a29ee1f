#include <sio/socketio/frames.hpp>

#include <string>

#include <sio/socketio/parser.hpp>

namespace sio::socketio {

std::vector<engineio::SharedFrame> encode_frames(const Packet& packet) {
    std::vector<engineio::SharedFrame> frames;
    frames.reserve(1 + packet.attachments.size());
    std::string text = "4";  // Engine.IO "message"
    text += encode(packet);
    frames.push_back(engineio::make_text_frame(std::move(text)));
    for (const auto& bytes : packet.attachments) frames.push_back(engineio::make_binary_frame(bytes));
    return frames;
}

}  // namespace sio::socketio
