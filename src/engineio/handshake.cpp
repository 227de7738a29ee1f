#include <sio/engineio/handshake.hpp>

namespace sio::engineio {

Handshake::Handshake(std::string_view url, const FieldList& headers, const FieldList& query, std::string_view address) {
    fields_.reserve_bytes(FieldList::encoded_size({}, url) + FieldList::encoded_size({}, address) + headers.bytes() +
                          query.bytes());  // exactly
    fields_.add({}, url);
    fields_.add({}, address);
    headers_from_ = static_cast<std::uint32_t>(fields_.bytes());
    fields_.append(headers);
    query_from_ = static_cast<std::uint32_t>(fields_.bytes());
    fields_.append(query);
    header_count_ = static_cast<std::uint32_t>(headers.size());
    query_count_ = static_cast<std::uint32_t>(query.size());
}

std::string_view Handshake::url() const noexcept {
    return (*fields_.begin()).second;
}

std::string_view Handshake::address() const noexcept {
    return (*++fields_.begin()).second;
}

}  // namespace sio::engineio
