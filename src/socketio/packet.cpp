#include <sio/socketio/packet.hpp>

#include <cmath>
#include <cstdint>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace sio::socketio {

bool is_placeholder(const boost::json::value& v) noexcept {
    const auto* obj = v.if_object();
    if (!obj) return false;
    const auto* flag = obj->if_contains("_placeholder");
    if (!flag || !flag->is_bool() || !flag->get_bool()) return false;
    const auto* num = obj->if_contains("num");
    if (!num) return false;
    switch (num->kind()) {
        case boost::json::kind::int64:
            return num->get_int64() >= 0;
        case boost::json::kind::uint64:
            return true;
        case boost::json::kind::double_: {
            // JSON.parse does not distinguish 1 from 1.0; neither do we.
            double d = num->get_double();
            return d >= 0 && std::floor(d) == d && d < 9007199254740992.0;
        }
        default:
            return false;
    }
}

boost::json::value make_placeholder(std::size_t num) {
    // Key order matters: it is the wire form `{"_placeholder":true,"num":N}`. int64 like a
    // parsed placeholder, so a decoded packet compares equal to a built one.
    return boost::json::object{{"_placeholder", true}, {"num", static_cast<std::int64_t>(num)}};
}

Packet make_event_packet(const std::string& nsp, std::string_view event, Payload args) {
    boost::json::array data;
    data.reserve(args.args.size() + 1);
    data.emplace_back(event);
    for (auto& v : args.args) data.push_back(std::move(v));
    return Packet{PacketType::event, nsp, std::nullopt, std::move(data), std::move(args.attachments)};
}

}  // namespace sio::socketio
