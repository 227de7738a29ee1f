#pragma once
// A binary event argument (a Node Buffer / ArrayBuffer on the other side).

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace sio::socketio {

/** Bytes that travel as a Socket.IO attachment, not as JSON. As an emit argument it becomes
    an attachment; as a typed handler parameter it receives one (a non-binary argument in its
    place is refused like any other mistyped argument). */
class Binary {
public:
    Binary() = default;
    explicit Binary(std::string bytes) : bytes_(std::move(bytes)) {}
    explicit Binary(std::span<const std::byte> bytes)
        : bytes_(reinterpret_cast<const char*>(bytes.data()), bytes.size()) {}

    std::span<const std::byte> bytes() const noexcept {
        return {reinterpret_cast<const std::byte*>(bytes_.data()), bytes_.size()};
    }
    std::string_view view() const noexcept { return bytes_; }
    std::size_t size() const noexcept { return bytes_.size(); }
    /** The storage, moved out (no copy when forwarding the bytes). */
    std::string release() && noexcept { return std::move(bytes_); }

    friend bool operator==(const Binary&, const Binary&) = default;

private:
    std::string bytes_;
};

}  // namespace sio::socketio
