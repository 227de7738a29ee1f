#include <sio/socketio/error.hpp>

namespace sio::socketio {

namespace {
// boost's error_category has a protected non-virtual destructor by design (categories are
// never deleted through it); -Wnon-virtual-dtor does not know that.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class AckCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "sio.ack"; }
    std::string message(int ev) const override {
        switch (static_cast<ack_errc>(ev)) {
            case ack_errc::timeout:
                return "operation has timed out";  // socket.io's message for the same case
            case ack_errc::not_sent:
                return "not sent (reserved event name or socket not connected)";
            case ack_errc::disconnected:
                return "socket disconnected before the acknowledgement";
        }
        return "unknown acknowledgement error";
    }
};
#pragma GCC diagnostic pop
}  // namespace

const boost::system::error_category& ack_category() noexcept {
    static const AckCategory category;
    return category;
}

}  // namespace sio::socketio
