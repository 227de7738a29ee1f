#include <sio/socketio/json.hpp>

// Writer: a recursive walk over boost::json::value producing JSON.stringify's bytes.
// Reader: boost's basic_parser driving a value_stack, like boost::json::parse, except that
// doubles are rebuilt from their text with std::from_chars (correctly rounded).

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <system_error>
#include <utility>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

namespace sio::socketio {
namespace json = boost::json;

// ------------------------------------------------------------------------------------------
// Writer

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_string(std::string& out, std::string_view s) {
    out += '"';
    std::size_t run = 0;  // start of the pending verbatim run
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                // Includes U+001E, so a payload never contains a raw record separator.
                out += "\\u00";
                out += hex_digits[c >> 4];
                out += hex_digits[c & 0xf];
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
}

template <class Int>
void append_integer(std::string& out, Int v) {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
}

// ECMAScript Number::toString(10): take the shortest digits that round-trip (k digits,
// decimal exponent n so that value = 0.d1d2..dk * 10^n) and pick plain or exponent notation
// by the spec's thresholds.
void append_double(std::string& out, double d) {
    if (!std::isfinite(d)) {
        out += "null";
        return;
    }
    if (d == 0) {  // also -0, which JavaScript prints as "0"
        out += '0';
        return;
    }
    char buf[40];
    auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));  // -d.ddde+XX
    if (sci.front() == '-') {
        out += '-';
        sci.remove_prefix(1);
    }
    auto e = sci.find('e');
    std::string digits(1, sci[0]);
    if (e > 1) digits.append(sci.substr(2, e - 2));
    int exp10 = 0;
    auto exp_text = sci.substr(e + 1);
    if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
    std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp10);

    const int k = static_cast<int>(digits.size());
    const int n = exp10 + 1;
    if (k <= n && n <= 21) {
        out += digits;
        out.append(static_cast<std::size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out.append(digits, 0, static_cast<std::size_t>(n));
        out += '.';
        out.append(digits, static_cast<std::size_t>(n));
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-n), '0');
        out += digits;
    } else {
        out += digits[0];
        if (k > 1) {
            out += '.';
            out.append(digits, 1);
        }
        out += 'e';
        out += n - 1 < 0 ? '-' : '+';
        append_integer(out, std::abs(n - 1));
    }
}

}  // namespace

void to_json(std::string& out, const json::value& v) {
    switch (v.kind()) {
        case json::kind::null:
            out += "null";
            break;
        case json::kind::bool_:
            out += v.get_bool() ? "true" : "false";
            break;
        case json::kind::int64:
            append_integer(out, v.get_int64());
            break;
        case json::kind::uint64:
            append_integer(out, v.get_uint64());
            break;
        case json::kind::double_:
            append_double(out, v.get_double());
            break;
        case json::kind::string:
            append_string(out, v.get_string());
            break;
        case json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& item : v.get_array()) {
                if (!std::exchange(first, false)) out += ',';
                to_json(out, item);
            }
            out += ']';
            break;
        }
        case json::kind::object: {
            out += '{';
            bool first = true;
            for (const auto& member : v.get_object()) {
                if (!std::exchange(first, false)) out += ',';
                append_string(out, member.key());
                out += ':';
                to_json(out, member.value());
            }
            out += '}';
            break;
        }
    }
}

std::string to_json(const json::value& v) {
    std::string out;
    to_json(out, v);
    return out;
}

// ------------------------------------------------------------------------------------------
// Reader

namespace {

// Same as boost::json::detail::handler except for on_double.
struct Handler {
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    json::value_stack st;
    std::string number;  // a number split across on_number_part calls

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) { return true; }
    bool on_object_end(std::size_t n, json::error_code&) {
        st.push_object(n);
        return true;
    }
    bool on_array_begin(json::error_code&) { return true; }
    bool on_array_end(std::size_t n, json::error_code&) {
        st.push_array(n);
        return true;
    }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        st.push_chars(s);
        return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code&) {
        st.push_key(s);
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
        st.push_chars(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, json::error_code&) {
        st.push_string(s);
        return true;
    }
    bool on_number_part(json::string_view s, json::error_code&) {
        number.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
        number.clear();
        st.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
        number.clear();
        st.push_uint64(u);
        return true;
    }
    bool on_double(double d, json::string_view s, json::error_code&) {
        number.append(s.data(), s.size());
        double exact = 0;
        auto res = std::from_chars(number.data(), number.data() + number.size(), exact);
        // Out of range (1e400, 1e-400): keep boost's value, which is what JSON.parse gives
        // (Infinity / 0) in practice.
        if (res.ec == std::errc{} && res.ptr == number.data() + number.size()) d = exact;
        number.clear();
        st.push_double(d);
        return true;
    }
    bool on_bool(bool b, json::error_code&) {
        st.push_bool(b);
        return true;
    }
    bool on_null(json::error_code&) {
        st.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }
};

json::parse_options parse_options() {
    json::parse_options opt;
    opt.max_depth = max_json_depth;
    return opt;
}

}  // namespace

boost::system::result<json::value> parse_json(std::string_view text) noexcept {
    try {
        json::basic_parser<Handler> parser(parse_options());
        parser.handler().st.reset();
        json::error_code ec;
        auto used = parser.write_some(false, text.data(), text.size(), ec);
        if (ec) return ec;
        if (used < text.size()) return json::error_code(json::error::extra_data);
        if (!parser.done()) return json::error_code(json::error::incomplete);
        return parser.handler().st.release();
    } catch (const std::bad_alloc&) {
        return boost::system::error_code(std::make_error_code(std::errc::not_enough_memory));
    } catch (const boost::system::system_error& e) {
        return e.code();  // string or array too long for boost::json
    } catch (...) {
        return json::error_code(json::error::exception);
    }
}

}  // namespace sio::socketio
