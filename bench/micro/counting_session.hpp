#pragma once
// An Engine.IO session that only counts what it is given: the fan-out benchmarks measure the
// Socket.IO and adapter path down to Session::send, with no transport behind it.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <sio/engineio/frame.hpp>
#include <sio/engineio/session.hpp>

namespace sio::bench {

class CountingSession final : public engineio::Session {
public:
    explicit CountingSession(std::string id) : id_(std::move(id)), handshake_(make_handshake()) {}

    const std::string& id() const noexcept override { return id_; }
    std::string_view transport_name() const noexcept override { return "websocket"; }
    const std::shared_ptr<const engineio::Handshake>& shared_handshake() const noexcept override { return handshake_; }
    bool writable() const noexcept override { return true; }

    engineio::SendResult send(std::span<const engineio::SharedFrame> frames, bool /*is_volatile*/ = false) override {
        frames_ += frames.size();
        return engineio::SendResult::queued;
    }
    using engineio::Session::send;

    void close(engineio::CloseReason /*reason*/) override {}

    std::size_t frames() const noexcept { return frames_; }
    void reset() noexcept { frames_ = 0; }

private:
    static std::shared_ptr<const engineio::Handshake> make_handshake() {
        return std::make_shared<engineio::Handshake>("/socket.io/?EIO=4&transport=websocket", engineio::FieldList{},
                                                     engineio::FieldList{{"EIO", "4"}, {"transport", "websocket"}},
                                                     "127.0.0.1");
    }

    std::string id_;
    std::shared_ptr<const engineio::Handshake> handshake_;
    std::size_t frames_ = 0;
};

}  // namespace sio::bench
