#include <sio/socketio/payload.hpp>

#include <sio/socketio/packet.hpp>

namespace sio::socketio {

void Payload::push_binary(std::string bytes) {
    args.push_back(add_binary(std::move(bytes)));
}

boost::json::value Payload::add_binary(std::string bytes) {
    auto placeholder = make_placeholder(attachments.size());
    attachments.push_back(std::move(bytes));
    return placeholder;
}

}  // namespace sio::socketio
