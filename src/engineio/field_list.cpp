#include <sio/engineio/field_list.hpp>

#include <cstring>

namespace sio::engineio {
namespace {

std::uint32_t read_u32(const char* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

void append_u32(std::string& out, std::size_t v) {
    auto value = static_cast<std::uint32_t>(v);
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

}  // namespace

FieldList::FieldList(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    for (const auto& [name, value] : fields) add(name, value);
}

void FieldList::add(std::string_view name, std::string_view value) {
    append_u32(data_, name.size());
    append_u32(data_, value.size());
    data_.append(name);
    data_.append(value);
    ++count_;
}

void FieldList::append(const FieldList& other) {
    data_.append(other.data_);
    count_ += other.count_;
}

std::optional<std::string_view> FieldList::value_of(std::string_view name) const { return all().value_of(name); }

std::optional<std::string_view> FieldList::Range::value_of(std::string_view name) const {
    for (const auto& [n, v] : *this)
        if (n == name) return v;
    return std::nullopt;
}

FieldList::value_type FieldList::const_iterator::operator*() const noexcept {
    std::uint32_t name_size = read_u32(pos_);
    std::uint32_t value_size = read_u32(pos_ + 4);
    const char* name = pos_ + 8;
    return {std::string_view(name, name_size), std::string_view(name + name_size, value_size)};
}

FieldList::const_iterator& FieldList::const_iterator::operator++() noexcept {
    pos_ += 8 + read_u32(pos_) + read_u32(pos_ + 4);
    return *this;
}

}  // namespace sio::engineio
