#include <sio/facade/http_route.hpp>

// HttpReply keeps the connection and what the answer needs from the request (version,
// keep-alive) in one shared state: copies answer once, and the last copy answers 500 if
// nobody did.

#include <utility>

#include <boost/json/object.hpp>
#include <boost/url/parse_query.hpp>

#include <sio/core/log.hpp>
#include <sio/socketio/json.hpp>

namespace sio {

namespace bhttp = boost::beast::http;

// ---- HttpRequest ----------------------------------------------------------------------------

HttpRequest::HttpRequest(http::Request raw, std::string remote_address, std::string path, std::string tail,
                         std::string query)
    : raw_(std::move(raw)),
      remote_address_(std::move(remote_address)),
      path_(std::move(path)),
      tail_(std::move(tail)),
      query_(std::move(query)) {}

std::optional<std::string> HttpRequest::query(std::string_view name) const {
    auto params = boost::urls::parse_query(query_);
    if (!params) return std::nullopt;
    // Form encoding, as browsers and URLSearchParams write queries: '+' is a space.
    boost::urls::encoding_opts form;
    form.space_as_plus = true;
    for (auto param : *params) {
        if (param.key.decode(form) == name) return param.has_value ? param.value.decode(form) : std::string();
    }
    return std::nullopt;
}

std::string_view HttpRequest::header(std::string_view name) const {
    auto it = raw_.find(name);
    return it == raw_.end() ? std::string_view() : std::string_view(it->value());
}

boost::system::result<boost::json::value> HttpRequest::json() const {
    return socketio::parse_json(raw_.body());
}

// ---- HttpReply ------------------------------------------------------------------------------

struct HttpReply::State {
    State(std::shared_ptr<http::HttpConnection> c, unsigned v, bool k)
        : connection(std::move(c)), version(v), keep_alive(k) {}
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    std::shared_ptr<http::HttpConnection> connection;
    unsigned version;
    bool keep_alive;
    bool sent = false;

    void send(http::Response response) {
        if (std::exchange(sent, true)) return;
        response.version(version);
        response.keep_alive(keep_alive);
        response.prepare_payload();
        connection->respond(std::move(response));
    }

    ~State() {
        // A reply still held by a handler that a stopped loop destroys answers nothing: the
        // loop will not write it, and posting to it while it is torn down is not allowed.
        if (sent || loop_stopped()) return;
        try {
            http::Response res{bhttp::status::internal_server_error, version};
            res.set(bhttp::field::content_type, "application/json");
            res.body() = R"({"error":"no response"})";
            send(std::move(res));
            core::logger("facade")->warn("a route dropped its reply unanswered: 500 sent");
        } catch (...) {
            // Out of memory while answering: the connection's own timeout closes it.
        }
    }

    bool loop_stopped() const {
        auto executor = connection->executor();
        const auto* loop = executor.target<http::Executor>();
        return loop && loop->context().stopped();
    }
};

HttpReply::HttpReply(std::shared_ptr<http::HttpConnection> connection, const http::Request& request)
    : state_(std::make_shared<State>(std::move(connection), request.version(), request.keep_alive())) {}

void HttpReply::json(HttpStatus status, const boost::json::value& body) const {
    text(status, socketio::to_json(body), "application/json");
}

void HttpReply::error(HttpStatus status, std::string_view message) const {
    json(status, boost::json::object{{"error", message}});
}

void HttpReply::text(HttpStatus status, std::string body, std::string_view content_type) const {
    http::Response res{status, state_->version};
    res.set(bhttp::field::content_type, content_type);
    res.set(bhttp::field::cache_control, "no-store");
    res.body() = std::move(body);
    send(std::move(res));
}

void HttpReply::send(http::Response response) const {
    state_->send(std::move(response));
}

bool HttpReply::sent() const noexcept {
    return state_->sent;
}

}  // namespace sio
