#pragma once
// FieldList: name/value pairs (request headers, query parameters) kept in one allocation.
// A handshake lives as long as its session; as a vector of string pairs, the headers of one
// connection cost about half a kilobyte in small allocations, here about their own size.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sio::engineio {

class FieldList {
public:
    using value_type = std::pair<std::string_view, std::string_view>;

    class const_iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = FieldList::value_type;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = value_type;

        const_iterator() = default;
        value_type operator*() const noexcept;
        const_iterator& operator++() noexcept;
        const_iterator operator++(int) noexcept {
            auto copy = *this;
            ++*this;
            return copy;
        }
        bool operator==(const const_iterator& other) const noexcept { return pos_ == other.pos_; }

    private:
        friend class FieldList;
        const_iterator(const char* pos) noexcept : pos_(pos) {}
        const char* pos_ = nullptr;
    };

    /** A run of consecutive fields (a view: valid while its list is alive and unchanged). */
    class Range {
    public:
        Range() = default;
        const_iterator begin() const noexcept { return begin_; }
        const_iterator end() const noexcept { return end_; }
        std::size_t size() const noexcept { return count_; }
        bool empty() const noexcept { return count_ == 0; }
        /** The first value of `name` (exact match), if any. */
        std::optional<std::string_view> value_of(std::string_view name) const;

    private:
        friend class FieldList;
        Range(const_iterator begin, const_iterator end, std::size_t count) noexcept
            : begin_(begin), end_(end), count_(count) {}
        const_iterator begin_;
        const_iterator end_;
        std::size_t count_ = 0;
    };

    FieldList() = default;
    FieldList(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

    /** Appends a field (order is kept). */
    void add(std::string_view name, std::string_view value);
    /** Bytes `add(name, value)` appends. */
    static std::size_t encoded_size(std::string_view name, std::string_view value) noexcept;
    /** Reserves room for `bytes` more encoded bytes (see encoded_size and bytes()). */
    void reserve_bytes(std::size_t bytes) { data_.reserve(data_.size() + bytes); }
    /** Appends every field of `other`, in order. */
    void append(const FieldList& other);
    /** The first value of `name` (exact match), if any. */
    std::optional<std::string_view> value_of(std::string_view name) const;

    Range all() const noexcept { return Range(begin(), end(), count_); }
    /** The `count` fields between two offsets, each taken from bytes() when the list had
        that size. */
    Range range(std::size_t from, std::size_t to, std::size_t count) const noexcept {
        return Range(const_iterator(data_.data() + from), const_iterator(data_.data() + to), count);
    }
    /** Size of the encoded fields so far: the offset the next appended field will start at. */
    std::size_t bytes() const noexcept { return data_.size(); }

    std::size_t size() const noexcept { return count_; }
    bool empty() const noexcept { return count_ == 0; }
    const_iterator begin() const noexcept { return const_iterator(data_.data()); }
    const_iterator end() const noexcept { return const_iterator(data_.data() + data_.size()); }

private:
    // Per field: name length, value length, name, value. The lengths are LEB128 varints (one
    // byte each below 128, as nearly every header name and value is) rather than 4-byte
    // integers: a handshake's dozen fields are kept for the session's whole life.
    std::string data_;
    std::uint32_t count_ = 0;
};

}  // namespace sio::engineio
