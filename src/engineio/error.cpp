#include <sio/engineio/error.hpp>

#include <string>

namespace sio::engineio {
namespace {

// boost's error_category has a protected non-virtual destructor by design (categories are
// never deleted through it); -Wnon-virtual-dtor does not know that.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class Category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "sio.engineio"; }
    std::string message(int ev) const override { return std::string(error_message(static_cast<error>(ev))); }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& error_category() noexcept {
    static const Category category;
    return category;
}

boost::system::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), error_category()};
}

// The texts of engine.io's Server.errorMessages: clients may match on them.
std::string_view error_message(error e) noexcept {
    switch (e) {
        case error::unknown_transport:
            return "Transport unknown";
        case error::unknown_sid:
            return "Session ID unknown";
        case error::bad_handshake_method:
            return "Bad handshake method";
        case error::bad_request:
            return "Bad request";
        case error::forbidden:
            return "Forbidden";
        case error::unsupported_protocol_version:
            return "Unsupported protocol version";
        case error::parse_error:
            return "parse error";
    }
    return "unknown error";
}

std::string_view to_string(CloseReason reason) noexcept {
    switch (reason) {
        case CloseReason::transport_close:
            return "transport close";
        case CloseReason::transport_error:
            return "transport error";
        case CloseReason::parse_error:
            return "parse error";
        case CloseReason::ping_timeout:
            return "ping timeout";
        case CloseReason::forced_close:
            return "forced close";
        case CloseReason::server_shutting_down:
            return "server shutting down";
    }
    return "unknown";
}

}  // namespace sio::engineio
