#include "router.hpp"

#include <string>
#include <string_view>

#include <sio/engineio/frame.hpp>
#include <sio/engineio/session.hpp>

#include "validation.hpp"

namespace sio::server {

namespace {

/** The /engine.io/ application: every message goes back as it came. */
class EchoHandler final : public engineio::SessionHandler {
public:
    explicit EchoHandler(engineio::Session& session) : session_(&session) {}

    void on_message(std::string_view text) override {
        std::string frame;
        frame.reserve(text.size() + 1);
        frame.push_back('4');  // Engine.IO `message`
        frame.append(text);
        session_->send(engineio::make_text_frame(std::move(frame)));
    }
    void on_binary(std::string_view bytes) override { session_->send(engineio::make_binary_frame(std::string(bytes))); }
    void on_close(engineio::CloseReason) override {}

private:
    engineio::Session* session_;  // owns this handler
};

bool under(std::string_view target, std::string_view path) {
    return target.starts_with(path);
}

}  // namespace

std::unique_ptr<engineio::Server> make_echo_engine(boost::asio::any_io_executor executor, engineio::Options options) {
    return std::make_unique<engineio::Server>(
        std::move(executor), std::string(kEchoPath), std::move(options),
        [](engineio::Session& session) -> std::unique_ptr<engineio::SessionHandler> {
            return std::make_unique<EchoHandler>(session);
        });
}

std::shared_ptr<const http::Handler> make_handler(socketio::Server& io, engineio::Server& echo, RestApi& rest) {
    auto handler = std::make_shared<http::Handler>();
    handler->body_limit = [&io, &echo](std::string_view target) -> std::size_t {
        if (under(target, io.engine().path())) {
            return io.engine().options().max_payload;
        }
        if (under(target, echo.path())) {
            return echo.options().max_payload;
        }
        return kMaxRestBody;
    };
    handler->decorate_error = [&io, &echo](const http::Request& request, http::Response& response) {
        std::string_view target = request.target();
        if (under(target, io.engine().path())) {
            io.engine().apply_cors(request, response);
        } else if (under(target, echo.path())) {
            echo.apply_cors(request, response);
        }
    };
    handler->handle = [&io, &echo, &rest](const std::shared_ptr<http::HttpConnection>& connection,
                                          http::Request&& request) {
        std::string_view target = request.target();
        if (under(target, io.engine().path())) {
            io.engine().handle(connection, std::move(request));
        } else if (under(target, echo.path())) {
            echo.handle(connection, std::move(request));
        } else {
            rest.handle(connection, std::move(request));
        }
    };
    return handler;
}

}  // namespace sio::server
