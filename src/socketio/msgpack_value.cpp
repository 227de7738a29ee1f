#include <sio/socketio/msgpack_value.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <fmt/format.h>

#include <sio/socketio/json.hpp>
#include <sio/socketio/packet.hpp>

namespace sio::socketio {
namespace json = boost::json;
using boost::system::error_code;

// ---- errors ------------------------------------------------------------------------------

namespace {

// boost's error_category has a protected non-virtual destructor by design (categories are
// static objects), which -Wnon-virtual-dtor reports anyway.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class MsgpackCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "sio.socketio.msgpack"; }
    std::string message(int ev) const override {
        switch (static_cast<msgpack_errc>(ev)) {
            case msgpack_errc::truncated:
                return "msgpack: truncated input";
            case msgpack_errc::trailing_bytes:
                return "msgpack: trailing bytes";
            case msgpack_errc::invalid_format:
                return "msgpack: invalid format byte";
            case msgpack_errc::too_deep:
                return "msgpack: nesting too deep";
            case msgpack_errc::bad_key:
                return "msgpack: unsupported map key";
            case msgpack_errc::placeholder_collision:
                return "msgpack: map shaped like a binary placeholder";
            case msgpack_errc::bad_placeholder:
                return "placeholder refers to a missing attachment";
            case msgpack_errc::too_large:
                return "value too large for msgpack";
        }
        return "unknown msgpack error";
    }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& msgpack_category() noexcept {
    static const MsgpackCategory category;
    return category;
}

error_code make_error_code(msgpack_errc e) noexcept {
    return {static_cast<int>(e), msgpack_category()};
}

// ---- JS Date -> ISO string ---------------------------------------------------------------

namespace {

// Howard Hinnant's civil_from_days: days since 1970-01-01 -> (y, m, d), proleptic Gregorian.
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) ++y;
}

}  // namespace

std::string js_date_iso_string(double ms) {
    // new Date(x): TimeClip -> NaN beyond 8.64e15, else truncated toward zero.
    if (!std::isfinite(ms) || std::fabs(ms) > 8.64e15) return {};
    const auto t = static_cast<std::int64_t>(std::trunc(ms));
    constexpr std::int64_t day_ms = 86400000;
    std::int64_t days = t / day_ms;
    std::int64_t in_day = t % day_ms;
    if (in_day < 0) {
        in_day += day_ms;
        --days;
    }
    std::int64_t year = 0;
    unsigned month = 0, day = 0;
    civil_from_days(days, year, month, day);
    const auto h = in_day / 3600000, mi = in_day / 60000 % 60, s = in_day / 1000 % 60, milli = in_day % 1000;
    std::string out;
    if (year >= 0 && year <= 9999) {
        out = fmt::format("{:04}", year);
    } else {
        out = fmt::format("{}{:06}", year < 0 ? '-' : '+', year < 0 ? -year : year);
    }
    out += fmt::format("-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", month, day, h, mi, s, milli);
    return out;
}

// ---- encoder -----------------------------------------------------------------------------

namespace {

constexpr double two32 = 4294967296.0;

void put_be(std::string& out, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_tagged(std::string& out, unsigned char tag, std::uint64_t v, int bytes) {
    out.push_back(static_cast<char>(tag));
    put_be(out, v, bytes);
}

void encode_unsigned(std::string& out, std::uint64_t u) {
    if (u < 0x80)
        out.push_back(static_cast<char>(u));
    else if (u < 0x100)
        put_tagged(out, 0xcc, u, 1);
    else if (u < 0x10000)
        put_tagged(out, 0xcd, u, 2);
    else if (u < 0x100000000ULL)
        put_tagged(out, 0xce, u, 4);
    else
        put_tagged(out, 0xcf, u, 8);
}

void encode_signed(std::string& out, std::int64_t i) {
    if (i >= 0) return encode_unsigned(out, static_cast<std::uint64_t>(i));
    const auto bits = static_cast<std::uint64_t>(i);
    if (i >= -0x20)
        out.push_back(static_cast<char>(bits & 0xff));
    else if (i >= -0x80)
        put_tagged(out, 0xd0, bits, 1);
    else if (i >= -0x8000)
        put_tagged(out, 0xd1, bits, 2);
    else if (i >= -0x80000000LL)
        put_tagged(out, 0xd2, bits, 4);
    else
        put_tagged(out, 0xd3, bits, 8);
}

// ECMAScript ToUint32 of an integral double.
std::uint64_t to_uint32(double x) {
    double r = std::fmod(x, two32);
    if (r < 0) r += two32;
    return static_cast<std::uint64_t>(r);
}

void encode_double(std::string& out, double d) {
    if (!std::isfinite(d) || std::floor(d) != d) {
        std::uint64_t bits = 0;
        std::memcpy(&bits, &d, sizeof bits);
        put_tagged(out, 0xcb, bits, 8);
        return;
    }
    // notepack's integer path, including its 64-bit forms built from two ToUint32 halves
    // (which wrap values outside the int64/uint64 range modulo 2^64).
    if (d >= 0) {  // also -0
        if (d < two32) return encode_unsigned(out, static_cast<std::uint64_t>(d));
        put_tagged(out, 0xcf, (to_uint32(std::floor(d / two32)) << 32) | to_uint32(d), 8);
    } else {
        if (d >= -2147483648.0) return encode_signed(out, static_cast<std::int64_t>(d));
        put_tagged(out, 0xd3, (to_uint32(std::floor(d / two32)) << 32) | to_uint32(d), 8);
    }
}

error_code encode_length(std::string& out, std::size_t n, unsigned char fix, std::size_t fix_max, unsigned char t8,
                         unsigned char t16, unsigned char t32) {
    if (n < fix_max)
        out.push_back(static_cast<char>(fix | n));
    else if (t8 != 0 && n < 0x100)
        put_tagged(out, t8, n, 1);
    else if (n < 0x10000)
        put_tagged(out, t16, n, 2);
    else if (n < 0x100000000ULL)
        put_tagged(out, t32, n, 4);
    else
        return msgpack_errc::too_large;
    return {};
}

error_code encode_string(std::string& out, std::string_view s) {
    if (auto ec = encode_length(out, s.size(), 0xa0, 32, 0xd9, 0xda, 0xdb)) return ec;
    out.append(s);
    return {};
}

error_code encode_bin(std::string& out, std::string_view b) {
    if (b.size() < 0x100)
        put_tagged(out, 0xc4, b.size(), 1);
    else if (b.size() < 0x10000)
        put_tagged(out, 0xc5, b.size(), 2);
    else if (b.size() < 0x100000000ULL)
        put_tagged(out, 0xc6, b.size(), 4);
    else
        return msgpack_errc::too_large;
    out.append(b);
    return {};
}

std::size_t placeholder_num(const json::object& o) {
    const auto& num = o.at("num");
    switch (num.kind()) {
        case json::kind::int64:
            return static_cast<std::size_t>(num.get_int64());
        case json::kind::uint64:
            return static_cast<std::size_t>(num.get_uint64());
        default:
            return static_cast<std::size_t>(num.get_double());
    }
}

error_code encode_value(std::string& out, const json::value& v, std::span<const std::string> att, std::size_t depth) {
    if (depth > max_msgpack_depth) return msgpack_errc::too_deep;
    switch (v.kind()) {
        case json::kind::null:
            out.push_back('\xc0');
            return {};
        case json::kind::bool_:
            out.push_back(v.get_bool() ? '\xc3' : '\xc2');
            return {};
        case json::kind::int64:
            encode_signed(out, v.get_int64());
            return {};
        case json::kind::uint64:
            encode_unsigned(out, v.get_uint64());
            return {};
        case json::kind::double_:
            encode_double(out, v.get_double());
            return {};
        case json::kind::string: {
            const auto& s = v.get_string();
            return encode_string(out, {s.data(), s.size()});
        }
        case json::kind::array: {
            const auto& a = v.get_array();
            if (auto ec = encode_length(out, a.size(), 0x90, 16, 0, 0xdc, 0xdd)) return ec;
            for (const auto& e : a)
                if (auto ec = encode_value(out, e, att, depth + 1)) return ec;
            return {};
        }
        case json::kind::object: {
            if (is_placeholder(v)) {
                const std::size_t num = placeholder_num(v.get_object());
                if (num >= att.size()) return msgpack_errc::bad_placeholder;
                return encode_bin(out, att[num]);
            }
            const auto& o = v.get_object();
            if (auto ec = encode_length(out, o.size(), 0x80, 16, 0, 0xde, 0xdf)) return ec;
            for (const auto& kv : o) {
                if (auto ec = encode_string(out, {kv.key().data(), kv.key().size()})) return ec;
                if (auto ec = encode_value(out, kv.value(), att, depth + 1)) return ec;
            }
            return {};
        }
    }
    return msgpack_errc::invalid_format;  // unreachable: every JSON kind is handled above
}

}  // namespace

error_code encode_msgpack(std::string& out, const json::value& v, std::span<const std::string> attachments) {
    try {
        return encode_value(out, v, attachments, 0);
    } catch (const std::bad_alloc&) {
        return error_code(boost::system::errc::not_enough_memory, boost::system::generic_category());
    } catch (const std::exception&) {
        return error_code(msgpack_errc::too_large);
    }
}

error_code encode_msgpack_str(std::string& out, std::string_view s) {
    try {
        return encode_string(out, s);
    } catch (const std::bad_alloc&) {
        return error_code(boost::system::errc::not_enough_memory, boost::system::generic_category());
    }
}

boost::system::result<std::string> encode_msgpack(const json::value& v, std::span<const std::string> attachments) {
    try {
        std::string out;
        if (auto ec = encode_msgpack(out, v, attachments)) return ec;
        return out;
    } catch (const std::bad_alloc&) {
        return error_code(boost::system::errc::not_enough_memory, boost::system::generic_category());
    }
}

// ---- decoder -----------------------------------------------------------------------------

namespace {

// Buffer#toString('utf8'): WHATWG decoding, each maximal invalid subpart -> U+FFFD.
void append_utf8_sanitized(json::string& out, const unsigned char* s, std::size_t n) {
    static constexpr char replacement[] = "\xef\xbf\xbd";
    std::size_t i = 0;
    while (i < n) {
        // Copy the longest ASCII run at once.
        std::size_t j = i;
        while (j < n && s[j] < 0x80) ++j;
        if (j > i) {
            out.append(std::string_view(reinterpret_cast<const char*>(s + i), j - i));
            i = j;
            continue;
        }
        const unsigned char b = s[i];
        int need = 0;
        unsigned char lower = 0x80, upper = 0xbf;
        if (b >= 0xc2 && b <= 0xdf)
            need = 1;
        else if (b == 0xe0) {
            need = 2;
            lower = 0xa0;
        } else if ((b >= 0xe1 && b <= 0xec) || b == 0xee || b == 0xef)
            need = 2;
        else if (b == 0xed) {
            need = 2;
            upper = 0x9f;
        } else if (b == 0xf0) {
            need = 3;
            lower = 0x90;
        } else if (b >= 0xf1 && b <= 0xf3)
            need = 3;
        else if (b == 0xf4) {
            need = 3;
            upper = 0x8f;
        } else {
            out.append(std::string_view(replacement, 3));
            ++i;
            continue;
        }
        j = i + 1;
        int got = 0;
        while (got < need && j < n && s[j] >= lower && s[j] <= upper) {
            lower = 0x80;
            upper = 0xbf;
            ++j;
            ++got;
        }
        if (got == need)
            out.append(std::string_view(reinterpret_cast<const char*>(s + i), j - i));
        else
            out.append(std::string_view(replacement, 3));
        i = j;
    }
}

// A canonical array index ("0", "17", ... up to 2^32-2): JS orders these keys first.
bool is_array_index(std::string_view k, std::uint64_t& n) {
    if (k.empty() || k.size() > 10 || (k.size() > 1 && k[0] == '0')) return false;
    n = 0;
    for (char c : k) {
        if (c < '0' || c > '9') return false;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n < 4294967295ULL;
}

json::value js_number(double d) {
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= 9007199254740992.0)
        return static_cast<std::int64_t>(d);  // -0 becomes 0, as JSON.stringify prints it
    return d;
}

json::value js_integer(std::int64_t i) {
    if (i >= -9007199254740992LL && i <= 9007199254740992LL) return i;
    return static_cast<double>(i);  // the double JavaScript holds (hi * 2^32 + lo, rounded once)
}

json::value js_integer(std::uint64_t u) {
    if (u <= 9007199254740992ULL) return static_cast<std::int64_t>(u);
    return static_cast<double>(u);
}

json::value date_value(double ms) {
    std::string iso = js_date_iso_string(ms);
    if (iso.empty()) return nullptr;
    return json::string(iso);
}

class Decoder {
public:
    Decoder(std::string_view bytes, std::vector<std::string>& att)
        : p_(reinterpret_cast<const unsigned char*>(bytes.data())), end_(p_ + bytes.size()), att_(att) {}

    error_code ec;

    bool at_end() const { return p_ == end_; }

    // Parses one value. `undefined` is set for notepack's undefined (`d4 00 xx`).
    bool parse(json::value& out, std::size_t depth, bool& undefined) {
        undefined = false;
        if (depth > max_msgpack_depth) return fail(msgpack_errc::too_deep);
        std::uint64_t b = 0;
        if (!read(1, b)) return false;
        if (b < 0x80) {
            out = static_cast<std::int64_t>(b);
            return true;
        }
        if (b < 0x90) return map(out, b & 0x0f, depth);
        if (b < 0xa0) return array(out, b & 0x0f, depth);
        if (b < 0xc0) return str(out, b & 0x1f);
        if (b >= 0xe0) {
            out = static_cast<std::int64_t>(b) - 256;
            return true;
        }
        std::uint64_t n = 0;
        switch (b) {
            case 0xc0:
                out = nullptr;
                return true;
            case 0xc2:
                out = false;
                return true;
            case 0xc3:
                out = true;
                return true;
            case 0xc4:
                return read(1, n) && bin(out, n);
            case 0xc5:
                return read(2, n) && bin(out, n);
            case 0xc6:
                return read(4, n) && bin(out, n);
            case 0xc7:
                return read(1, n) && ext(out, n, depth, true);
            case 0xc8:
                return read(2, n) && ext(out, n, depth, false);
            case 0xc9:
                return read(4, n) && ext(out, n, depth, false);
            case 0xca: {
                if (!read(4, n)) return false;
                const auto bits = static_cast<std::uint32_t>(n);
                float f = 0;
                std::memcpy(&f, &bits, sizeof f);
                out = js_number(static_cast<double>(f));
                return true;
            }
            case 0xcb: {
                if (!read(8, n)) return false;
                double d = 0;
                std::memcpy(&d, &n, sizeof d);
                out = js_number(d);
                return true;
            }
            case 0xcc:
                if (!read(1, n)) return false;
                out = js_integer(n);
                return true;
            case 0xcd:
                if (!read(2, n)) return false;
                out = js_integer(n);
                return true;
            case 0xce:
                if (!read(4, n)) return false;
                out = js_integer(n);
                return true;
            case 0xcf:
                if (!read(8, n)) return false;
                out = js_integer(n);
                return true;
            case 0xd0:
                if (!read(1, n)) return false;
                out = static_cast<std::int64_t>(static_cast<std::int8_t>(n));
                return true;
            case 0xd1:
                if (!read(2, n)) return false;
                out = static_cast<std::int64_t>(static_cast<std::int16_t>(n));
                return true;
            case 0xd2:
                if (!read(4, n)) return false;
                out = static_cast<std::int64_t>(static_cast<std::int32_t>(n));
                return true;
            case 0xd3:
                if (!read(8, n)) return false;
                out = js_integer(static_cast<std::int64_t>(n));
                return true;
            case 0xd4:
                return fixext(out, 1, depth, undefined);
            case 0xd5:
                return fixext(out, 2, depth, undefined);
            case 0xd6:
                return fixext(out, 4, depth, undefined);
            case 0xd7:
                return fixext(out, 8, depth, undefined);
            case 0xd8:
                return fixext(out, 16, depth, undefined);
            case 0xd9:
                return read(1, n) && str(out, n);
            case 0xda:
                return read(2, n) && str(out, n);
            case 0xdb:
                return read(4, n) && str(out, n);
            case 0xdc:
                return read(2, n) && array(out, n, depth);
            case 0xdd:
                return read(4, n) && array(out, n, depth);
            case 0xde:
                return read(2, n) && map(out, n, depth);
            case 0xdf:
                return read(4, n) && map(out, n, depth);
            default:
                return fail(msgpack_errc::invalid_format);  // 0xc1
        }
    }

private:
    const unsigned char* p_;
    const unsigned char* end_;
    std::vector<std::string>& att_;

    bool fail(msgpack_errc e) {
        ec = e;
        return false;
    }

    std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }

    bool read(int bytes, std::uint64_t& v) {
        if (left() < static_cast<std::size_t>(bytes)) return fail(msgpack_errc::truncated);
        v = 0;
        for (int i = 0; i < bytes; ++i) v = (v << 8) | *p_++;
        return true;
    }

    bool take(std::uint64_t n, const unsigned char*& data) {
        if (left() < n) return fail(msgpack_errc::truncated);
        data = p_;
        p_ += n;
        return true;
    }

    bool str(json::value& out, std::uint64_t n) {
        const unsigned char* data = nullptr;
        if (!take(n, data)) return false;
        json::string s;
        s.reserve(static_cast<std::size_t>(n));
        append_utf8_sanitized(s, data, static_cast<std::size_t>(n));
        out = std::move(s);
        return true;
    }

    bool bin_bytes(json::value& out, const unsigned char* data, std::uint64_t n) {
        out = socketio::make_placeholder(att_.size());
        att_.emplace_back(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
        return true;
    }

    bool bin(json::value& out, std::uint64_t n) {
        const unsigned char* data = nullptr;
        return take(n, data) && bin_bytes(out, data, n);
    }

    bool ext_pair(json::value& out, std::int64_t type, std::uint64_t n, std::size_t depth) {
        // notepack: [type, Buffer]; the array is one more level.
        if (depth + 1 > max_msgpack_depth) return fail(msgpack_errc::too_deep);
        json::value b;
        if (!bin(b, n)) return false;
        json::array a;
        a.reserve(2);
        a.emplace_back(type);
        a.push_back(std::move(b));
        out = std::move(a);
        return true;
    }

    // ext8/16/32. notepack knows timestamp 96 only as ext8 (`c7 0c ff`); ext16/32 of type -1
    // are plain `[-1, Buffer]` there.
    bool ext(json::value& out, std::uint64_t n, std::size_t depth, bool ext8) {
        std::uint64_t t = 0;
        if (!read(1, t)) return false;
        const auto type = static_cast<std::int8_t>(t);
        if (type == 0) return bin(out, n);  // legacy ArrayBuffer
        if (ext8 && type == -1 && n == 12) {
            // timestamp 96. (notepack reads 12 bytes for type -1 in ext8 whatever the length
            // says; such a malformed timestamp is read here as an ordinary ext instead.)
            std::uint64_t ns = 0, hi = 0, lo = 0;
            if (!read(4, ns) || !read(4, hi) || !read(4, lo)) return false;
            const double sec = static_cast<double>(static_cast<std::int32_t>(hi)) * two32 + static_cast<double>(lo);
            out = date_value(sec * 1e3 + static_cast<double>(ns) / 1e6);
            return true;
        }
        return ext_pair(out, type, n, depth);
    }

    bool fixext(json::value& out, std::uint64_t n, std::size_t depth, bool& undefined) {
        std::uint64_t t = 0;
        if (!read(1, t)) return false;
        const auto type = static_cast<std::int8_t>(t);
        if (n == 1 && type == 0) {  // notepack's legacy `undefined`
            std::uint64_t ignored = 0;
            if (!read(1, ignored)) return false;
            out = nullptr;
            undefined = true;
            return true;
        }
        if (n == 4 && type == -1) {  // timestamp 32
            std::uint64_t sec = 0;
            if (!read(4, sec)) return false;
            out = date_value(static_cast<double>(sec) * 1e3);
            return true;
        }
        if (n == 8 && type == 0) {  // notepack's legacy date: int64 milliseconds
            std::uint64_t hi = 0, lo = 0;
            if (!read(4, hi) || !read(4, lo)) return false;
            out = date_value(static_cast<double>(static_cast<std::int32_t>(hi)) * two32 + static_cast<double>(lo));
            return true;
        }
        if (n == 8 && type == -1) {  // timestamp 64
            std::uint64_t hi = 0, lo = 0;
            if (!read(4, hi) || !read(4, lo)) return false;
            const double sec = static_cast<double>(hi & 0x3) * two32 + static_cast<double>(lo);
            out = date_value(sec * 1e3 + static_cast<double>(hi >> 2) / 1e6);
            return true;
        }
        return ext_pair(out, type, n, depth);
    }

    bool array(json::value& out, std::uint64_t n, std::size_t depth) {
        if (n > left()) return fail(msgpack_errc::truncated);  // every element takes a byte
        json::array a;
        a.reserve(static_cast<std::size_t>(n));
        for (std::uint64_t i = 0; i < n; ++i) {
            bool undefined = false;
            if (!parse(a.emplace_back(nullptr), depth + 1, undefined)) return false;
        }
        out = std::move(a);
        return true;
    }

    bool key_text(const json::value& k, std::string& text) {
        switch (k.kind()) {
            case json::kind::string:
                text.assign(k.get_string().data(), k.get_string().size());
                return true;
            case json::kind::int64:
            case json::kind::uint64:
            case json::kind::bool_:
            case json::kind::null:
                text = socketio::to_json(k);
                return true;
            case json::kind::double_: {
                const double d = k.get_double();
                if (std::isnan(d))
                    text = "NaN";
                else if (std::isinf(d))
                    text = d > 0 ? "Infinity" : "-Infinity";
                else
                    text = socketio::to_json(k);
                return true;
            }
            default:
                return fail(msgpack_errc::bad_key);
        }
    }

    bool map(json::value& out, std::uint64_t n, std::size_t depth) {
        if (n > left() / 2) return fail(msgpack_errc::truncated);  // every entry takes two bytes
        json::object o;
        o.reserve(static_cast<std::size_t>(n));
        bool has_index = false;
        std::string key;
        for (std::uint64_t i = 0; i < n; ++i) {
            json::value k, v;
            bool key_undefined = false, undefined = false;
            if (!parse(k, depth + 1, key_undefined)) return false;
            if (key_undefined)
                key = "undefined";
            else if (!key_text(k, key))
                return false;
            if (!parse(v, depth + 1, undefined)) return false;
            if (undefined || key == "__proto__") continue;
            std::uint64_t idx = 0;
            if (!has_index && is_array_index(key, idx)) has_index = true;
            o[key] = std::move(v);
        }
        if (has_index) {
            std::vector<std::pair<std::uint64_t, json::key_value_pair*>> indexed;
            for (auto& kv : o) {
                std::uint64_t idx = 0;
                if (is_array_index({kv.key().data(), kv.key().size()}, idx)) indexed.emplace_back(idx, &kv);
            }
            std::sort(indexed.begin(), indexed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
            json::object sorted;
            sorted.reserve(o.size());
            for (auto& [idx, kv] : indexed) sorted.emplace(kv->key(), std::move(kv->value()));
            for (auto& kv : o) {
                std::uint64_t idx = 0;
                if (!is_array_index({kv.key().data(), kv.key().size()}, idx))
                    sorted.emplace(kv.key(), std::move(kv.value()));
            }
            o = std::move(sorted);
        }
        out = std::move(o);
        if (is_placeholder(out)) return fail(msgpack_errc::placeholder_collision);
        return true;
    }
};

}  // namespace

boost::system::result<json::value> decode_msgpack(std::string_view bytes,
                                                  std::vector<std::string>& attachments) noexcept {
    try {
        Decoder d(bytes, attachments);
        json::value v;
        bool undefined = false;
        if (!d.parse(v, 0, undefined)) return d.ec;
        if (!d.at_end()) return error_code(msgpack_errc::trailing_bytes);
        return v;
    } catch (const std::bad_alloc&) {
        return error_code(boost::system::errc::not_enough_memory, boost::system::generic_category());
    } catch (const std::exception&) {
        // boost::json containers throw length_error beyond their (huge) size limits.
        return error_code(msgpack_errc::too_large);
    }
}

}  // namespace sio::socketio
