#include <sio/engineio/engine_events.hpp>

namespace sio::engineio {

// The listeners registered when the event happened (as Node's EventEmitter), by index, each
// copied before it runs: a listener may register another one, which may reallocate the vector
// under a range-for.

void EngineEvents::emit_connection_error(const ConnectionError& error) const {
    const std::size_t count = connection_error_.size();
    for (std::size_t i = 0; i < count; ++i) {
        auto fn = connection_error_[i];
        fn(error);
    }
}

void EngineEvents::emit_headers(HeaderMap& headers, const http::Request& request, bool initial) const {
    if (initial) {
        const std::size_t count = initial_headers_.size();
        for (std::size_t i = 0; i < count; ++i) {
            auto fn = initial_headers_[i];
            fn(headers, request);
        }
    }
    const std::size_t count = headers_.size();
    for (std::size_t i = 0; i < count; ++i) {
        auto fn = headers_[i];
        fn(headers, request);
    }
}

}  // namespace sio::engineio
