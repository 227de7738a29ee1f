#pragma once
// What the first HTTP request of a session looked like (Socket.IO's `socket.handshake`).

#include <chrono>
#include <cstdint>
#include <string_view>

#include <sio/engineio/field_list.hpp>

namespace sio::engineio {

/** Kept for the session's whole life and shared by its Socket.IO sockets, so it is built
    once, in one buffer: the url, the address, the headers and the query as consecutive fields
    (as four strings and two lists they cost each held connection ~150 bytes more). */
class Handshake {
public:
    Handshake() : Handshake("", FieldList{}, FieldList{}, "") {}
    /** `headers`: names lower-cased, in arrival order; `query`: decoded, in order. */
    Handshake(std::string_view url, const FieldList& headers, const FieldList& query, std::string_view address);

    std::string_view url() const noexcept;      // e.g. /socket.io/?EIO=4&transport=polling
    std::string_view address() const noexcept;  // remote address, e.g. ::ffff:127.0.0.1
    FieldList::Range headers() const noexcept { return fields_.range(headers_from_, query_from_, header_count_); }
    FieldList::Range query() const noexcept { return fields_.range(query_from_, fields_.bytes(), query_count_); }

    bool xdomain = false;  // an Origin header was sent
    bool secure = false;
    std::chrono::system_clock::time_point time;

private:
    FieldList fields_;  // url and address (unnamed), the headers, then the query
    std::uint32_t headers_from_ = 0;
    std::uint32_t query_from_ = 0;
    std::uint32_t header_count_ = 0;
    std::uint32_t query_count_ = 0;
};

}  // namespace sio::engineio
