#include <sio/engineio/field_list.hpp>

namespace sio::engineio {
namespace {

// LEB128: seven bits per byte, low bits first, the high bit set on every byte but the last.
void append_varint(std::string& out, std::size_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

std::size_t varint_size(std::size_t v) noexcept {
    std::size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}

/** Reads the varint at `p` and moves `p` past it (the list only holds what add() wrote). */
std::size_t read_varint(const char*& p) noexcept {
    std::size_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        auto byte = static_cast<unsigned char>(*p++);
        v |= static_cast<std::size_t>(byte & 0x7f) << shift;
        if (!(byte & 0x80)) return v;
    }
}

}  // namespace

FieldList::FieldList(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    for (const auto& [name, value] : fields) add(name, value);
}

std::size_t FieldList::encoded_size(std::string_view name, std::string_view value) noexcept {
    return varint_size(name.size()) + varint_size(value.size()) + name.size() + value.size();
}

void FieldList::add(std::string_view name, std::string_view value) {
    append_varint(data_, name.size());
    append_varint(data_, value.size());
    data_.append(name);
    data_.append(value);
    ++count_;
}

void FieldList::append(const FieldList& other) {
    data_.append(other.data_);
    count_ += other.count_;
}

std::optional<std::string_view> FieldList::value_of(std::string_view name) const {
    return all().value_of(name);
}

std::optional<std::string_view> FieldList::Range::value_of(std::string_view name) const {
    for (const auto& [n, v] : *this)
        if (n == name) return v;
    return std::nullopt;
}

FieldList::value_type FieldList::const_iterator::operator*() const noexcept {
    const char* p = pos_;
    std::size_t name_size = read_varint(p);
    std::size_t value_size = read_varint(p);
    return {std::string_view(p, name_size), std::string_view(p + name_size, value_size)};
}

FieldList::const_iterator& FieldList::const_iterator::operator++() noexcept {
    std::size_t name_size = read_varint(pos_);
    std::size_t value_size = read_varint(pos_);
    pos_ += name_size + value_size;
    return *this;
}

}  // namespace sio::engineio
