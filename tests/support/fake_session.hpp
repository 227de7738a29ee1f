#pragma once
// A scripted Engine.IO session for Socket.IO unit tests: records every send() (as a unit, so a
// test can check that a packet and its attachments went out together), has a writable flag
// for volatile emits, and records close() calls without calling the handler back (the test
// plays the engine and calls on_close itself).

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <sio/engineio/frame.hpp>
#include <sio/engineio/session.hpp>

namespace sio::test {

class FakeSession final : public engineio::Session {
public:
    explicit FakeSession(std::string id = "FAKEengineSID0000001", int protocol = 4)
        : id_(std::move(id)),
          protocol_(protocol),
          handshake_(std::make_shared<engineio::Handshake>(
              "/socket.io/?EIO=4&transport=websocket", engineio::FieldList{{"host", "localhost"}, {"accept", "*/*"}},
              engineio::FieldList{{"EIO", "4"}, {"transport", "websocket"}}, "::ffff:127.0.0.1")) {
        handshake_->time = std::chrono::system_clock::now();
        const_handshake_ = handshake_;
    }

    const std::string& id() const noexcept override { return id_; }
    std::string_view transport_name() const noexcept override { return transport_; }
    int protocol() const noexcept override { return protocol_; }
    const std::shared_ptr<const engineio::Handshake>& shared_handshake() const noexcept override {
        return const_handshake_;
    }
    bool writable() const noexcept override { return writable_; }

    engineio::SendResult send(std::span<const engineio::SharedFrame> frames, bool is_volatile = false) override {
        using engineio::SendResult;
        if (closed_ || (is_volatile && !writable_)) {
            ++dropped_;
            return SendResult::dropped;
        }
        units_.emplace_back(frames.begin(), frames.end());
        return SendResult::queued;
    }
    using engineio::Session::send;

    void close(engineio::CloseReason reason) override {
        closes_.push_back(reason);
        closed_ = true;
    }

    // ---- test controls and inspection -----------------------------------------------------
    void set_writable(bool w) noexcept { writable_ = w; }
    /** Plays the engine's events for the session's listeners (on_upgrading, ...). */
    void fire_upgrading(std::string_view transport) { emit_upgrading(transport); }
    void fire_upgrade(std::string transport) {
        transport_ = std::move(transport);
        emit_upgrade(transport_);
    }
    void fire_close(engineio::CloseReason reason) { emit_close(reason); }
    engineio::Handshake& mutable_handshake() noexcept { return *handshake_; }
    bool closed() const noexcept { return closed_; }
    const std::vector<engineio::CloseReason>& closes() const noexcept { return closes_; }
    std::size_t dropped() const noexcept { return dropped_; }
    /** Every send() call, each a vector of frames. */
    const std::vector<std::vector<engineio::SharedFrame>>& units() const noexcept { return units_; }

    /** All frames sent so far as strings (binary frames prefixed with "bin:"), then forgets them. */
    std::vector<std::string> take() {
        std::vector<std::string> out;
        for (const auto& unit : units_)
            for (const auto& f : unit) out.push_back(f->binary ? "bin:" + f->bytes : f->bytes);
        units_.clear();
        return out;
    }

private:
    std::string id_;
    int protocol_;
    std::string transport_ = "websocket";
    std::shared_ptr<engineio::Handshake> handshake_;              // mutable by the test
    std::shared_ptr<const engineio::Handshake> const_handshake_;  // the same object
    bool writable_ = true;
    bool closed_ = false;
    std::size_t dropped_ = 0;
    std::vector<std::vector<engineio::SharedFrame>> units_;
    std::vector<engineio::CloseReason> closes_;
};

}  // namespace sio::test
