// The loop's WebSocket flush list (websocket_context.hpp): a long list leaves a slice of
// connections per loop turn, a frame sent to a connection still waiting in the list leaves
// with the earlier ones, client input waits until the list is written, and when_flushed()
// answers only once everything queued so far has been handed to the kernel. Real transports
// over Unix socket pairs; the peers are read and written raw.

#include "engineio/websocket_context.hpp"
#include "engineio/websocket_transport.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace {

namespace asio = boost::asio;
using sio::engineio::WebSocketContext;
using sio::engineio::WebSocketTransport;

struct Peer {
    std::shared_ptr<WebSocketTransport> transport;
    int fd = -1;  // the client's end
};

/** Records the messages of every transport it owns. */
struct Inbox : sio::engineio::WebSocketOwner {
    virtual ~Inbox() = default;
    std::vector<std::string> messages;
    void on_ws_message(WebSocketTransport&, std::string_view data, bool) override { messages.emplace_back(data); }
    void on_ws_close(WebSocketTransport&, sio::engineio::CloseReason) override {}
};

/** A masked client text frame (mask 0: the payload as is). */
std::string client_frame(const std::string& payload) {
    return std::string{'\x81', static_cast<char>(0x80 | payload.size()), 0, 0, 0, 0} + payload;
}

class WebSocketFlush : public ::testing::Test {
protected:
    ~WebSocketFlush() override {
        for (auto& p : peers_) ::close(p.fd);
    }

    /** `count` accepted WebSockets on the loop, with their 101 answers already written. */
    void open(std::size_t count) {
        sio::http::Request upgrade{boost::beast::http::verb::get, "/socket.io/?EIO=4&transport=websocket", 11};
        upgrade.set(boost::beast::http::field::host, "localhost");
        upgrade.set(boost::beast::http::field::connection, "Upgrade");
        upgrade.set(boost::beast::http::field::upgrade, "websocket");
        upgrade.set(boost::beast::http::field::sec_websocket_version, "13");
        upgrade.set(boost::beast::http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
        for (std::size_t i = 0; i < count; ++i) {
            int fds[2];
            ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
            sio::http::Socket socket(ioc_.get_executor());
            socket.assign(asio::generic::stream_protocol(AF_UNIX, SOCK_STREAM), fds[0]);
            Peer peer{std::make_shared<WebSocketTransport>(std::move(socket), context_), fds[1]};
            peer.transport->accept(upgrade, &inbox_);
            peers_.push_back(std::move(peer));
        }
        ioc_.poll();
        for (auto& p : peers_) drain(p);
    }

    static std::size_t readable(const Peer& p) {
        int n = 0;
        ::ioctl(p.fd, FIONREAD, &n);
        return static_cast<std::size_t>(n);
    }
    static std::string drain(const Peer& p) {
        std::string out(readable(p), '\0');
        if (!out.empty()) {
            EXPECT_EQ(::recv(p.fd, out.data(), out.size(), 0), static_cast<::ssize_t>(out.size()));
        }
        return out;
    }
    void send_to_all(const std::string& text) {
        auto frame = sio::engineio::make_text_frame(text);
        for (auto& p : peers_) p.transport->send(frame);
    }
    std::size_t peers_with_data() const {
        std::size_t n = 0;
        for (const auto& p : peers_) n += readable(p) > 0 ? 1 : 0;
        return n;
    }

    asio::io_context ioc_;
    std::shared_ptr<WebSocketContext> context_ =
        std::make_shared<WebSocketContext>(ioc_.get_executor(), std::size_t{1} << 20);
    Inbox inbox_;  // before peers_: the transports point to it
    std::vector<Peer> peers_;
};

// An unmasked server text frame: 0x81, the length, the payload.
std::string text_frame(const std::string& payload) {
    return std::string{'\x81', static_cast<char>(payload.size())} + payload;
}

TEST_F(WebSocketFlush, ALongListLeavesASlicePerLoopTurn) {
    const std::size_t count = 2 * WebSocketContext::flush_slice + 10;
    open(count);
    send_to_all("42[\"a\"]");
    EXPECT_EQ(peers_with_data(), 0u);  // nothing before the turn ends
    ASSERT_EQ(ioc_.poll_one(), 1u);
    EXPECT_EQ(peers_with_data(), WebSocketContext::flush_slice);
    ASSERT_EQ(ioc_.poll_one(), 1u);
    EXPECT_EQ(peers_with_data(), 2 * WebSocketContext::flush_slice);
    ioc_.poll();
    EXPECT_EQ(peers_with_data(), count);
    for (auto& p : peers_) EXPECT_EQ(drain(p), text_frame("42[\"a\"]"));
}

TEST_F(WebSocketFlush, AFrameSentMidListJoinsTheWaitingConnections) {
    const std::size_t count = 2 * WebSocketContext::flush_slice;
    open(count);
    send_to_all("42[\"a\"]");
    ASSERT_EQ(ioc_.poll_one(), 1u);  // the first slice is out with "a" alone
    send_to_all("42[\"b\"]");
    // The second slice takes "a" and "b" together; the first slice goes again, with "b".
    ASSERT_EQ(ioc_.poll_one(), 1u);
    for (std::size_t i = 0; i < count; ++i) {
        const auto expected = i < WebSocketContext::flush_slice ? text_frame("42[\"a\"]")
                                                                : text_frame("42[\"a\"]") + text_frame("42[\"b\"]");
        EXPECT_EQ(drain(peers_[i]), expected) << "connection " << i;
    }
    ioc_.poll();
    for (std::size_t i = 0; i < count; ++i) {
        const auto expected = i < WebSocketContext::flush_slice ? text_frame("42[\"b\"]") : std::string();
        EXPECT_EQ(drain(peers_[i]), expected) << "connection " << i;
    }
}

TEST_F(WebSocketFlush, InputWaitsWhileALongListIsWritten) {
    const std::size_t count = 2 * WebSocketContext::flush_slice + 10;
    open(count);
    send_to_all("42[\"a\"]");
    ASSERT_EQ(ioc_.poll_one(), 1u);  // one slice out, the rest to go
    const std::string frame = client_frame("42[\"from-client\"]");
    ASSERT_EQ(::send(peers_.back().fd, frame.data(), frame.size(), 0), static_cast<::ssize_t>(frame.size()));
    ASSERT_EQ(ioc_.poll_one(), 1u);  // the second slice; the readable socket waits
    ioc_.poll_one();
    EXPECT_TRUE(inbox_.messages.empty()) << "read while the list was being written";
    ioc_.poll();
    EXPECT_EQ(peers_with_data(), count);
    EXPECT_EQ(inbox_.messages, std::vector<std::string>{"42[\"from-client\"]"});
}

TEST_F(WebSocketFlush, WhenFlushedAnswersAfterEveryQueuedFrameIsWritten) {
    const std::size_t count = 3 * WebSocketContext::flush_slice + 1;
    open(count);
    send_to_all("42[\"a\"]");
    std::size_t written_at_answer = 0;
    int answers = 0;
    context_->when_flushed([&] {
        ++answers;
        written_at_answer = peers_with_data();
    });
    ioc_.poll();
    EXPECT_EQ(answers, 1);
    EXPECT_EQ(written_at_answer, count);
}

TEST_F(WebSocketFlush, WhenFlushedMidListWaitsForFramesQueuedSince) {
    const std::size_t count = 3 * WebSocketContext::flush_slice;
    open(count);
    send_to_all("42[\"a\"]");
    ASSERT_EQ(ioc_.poll_one(), 1u);
    for (auto& p : peers_) drain(p);
    send_to_all("42[\"b\"]");  // the flushed slice waits in a new list
    bool all_have_b = false;
    context_->when_flushed([&] { all_have_b = peers_with_data() == count; });
    ioc_.poll();
    EXPECT_TRUE(all_have_b);
}

TEST_F(WebSocketFlush, WhenFlushedWithNothingQueuedAnswersOnTheNextTurn) {
    open(1);
    bool answered = false;
    context_->when_flushed([&] { answered = true; });
    EXPECT_FALSE(answered);
    ioc_.poll();
    EXPECT_TRUE(answered);
}

}  // namespace
