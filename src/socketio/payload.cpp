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

const std::string* Payload::attachment_of(const boost::json::value& placeholder) const noexcept {
    if (!is_placeholder(placeholder)) return nullptr;
    const auto& num = placeholder.get_object().at("num");
    std::size_t index = 0;
    if (num.is_uint64())
        index = num.get_uint64();
    else if (num.is_int64() && num.get_int64() >= 0)
        index = static_cast<std::size_t>(num.get_int64());
    else
        return nullptr;
    return index < attachments.size() ? &attachments[index] : nullptr;
}

}  // namespace sio::socketio
