// Uses the installed sio package the way an application does: a Socket.IO server on an HTTP
// listener, then one Engine.IO handshake over a plain TCP socket to prove that it answers.
// Exits 0 and prints "install check: ok" when the handshake comes back.
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <sio/http/listener.hpp>
#include <sio/socketio/server.hpp>

namespace asio = boost::asio;

int main() {
    asio::io_context ioc(1);
    sio::socketio::Server io(ioc.get_executor(), sio::socketio::ServerOptions{});
    io.of("/").on_connection([](sio::socketio::Socket& socket) { socket.emit("hello", "world"); });

    auto handler = std::make_shared<sio::http::Handler>();
    handler->body_limit = [&io](std::string_view) { return io.engine().options().max_payload; };
    handler->handle = [&io](const std::shared_ptr<sio::http::HttpConnection>& connection,
                            sio::http::Request&& request) { io.engine().handle(connection, std::move(request)); };
    auto listener = std::make_shared<sio::http::Listener>(ioc.get_executor(), handler);
    if (auto ec = listener->listen({"127.0.0.1", 0, {}})) {
        std::cerr << "install check: listen failed: " << ec.message() << "\n";
        return 1;
    }
    listener->start();

    std::string answer;
    std::thread client([&] {
        asio::io_context cioc;
        asio::ip::tcp::socket socket(cioc);
        socket.connect({asio::ip::make_address("127.0.0.1"), listener->port()});
        const std::string request =
            "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        asio::write(socket, asio::buffer(request));
        boost::system::error_code ec;
        asio::read(socket, asio::dynamic_buffer(answer), ec);  // until the server closes
        // close() gives an idle polling session up to 30 s to collect its close packet (as
        // Engine.IO does); this check has what it needs, so it stops the loop right away.
        asio::post(ioc, [&] {
            listener->stop();
            io.close();
            ioc.stop();
        });
    });
    ioc.run();
    client.join();

    if (answer.find("HTTP/1.1 200") != 0 || answer.find("0{\"sid\":") == std::string::npos) {
        std::cerr << "install check: unexpected handshake answer:\n" << answer << "\n";
        return 1;
    }
    std::cout << "install check: ok\n";
    return 0;
}
