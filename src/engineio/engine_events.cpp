#include <sio/engineio/engine_events.hpp>

namespace sio::engineio {

// By index, each listener copied before it runs: a listener may register another one, which
// may reallocate the vector under a range-for.

void EngineEvents::emit_connection_error(const ConnectionError& error) const {
    for (std::size_t i = 0; i < connection_error_.size(); ++i) {
        auto fn = connection_error_[i];
        fn(error);
    }
}

void EngineEvents::emit_headers(HeaderMap& headers, const http::Request& request, bool initial) const {
    if (initial) {
        for (std::size_t i = 0; i < initial_headers_.size(); ++i) {
            auto fn = initial_headers_[i];
            fn(headers, request);
        }
    }
    for (std::size_t i = 0; i < headers_.size(); ++i) {
        auto fn = headers_[i];
        fn(headers, request);
    }
}

}  // namespace sio::engineio
