#pragma once
// Shared by the redis_*_test.cpp files: tests/vectors/redis/vectors.json (golden bytes from the
// real Node packages, see tests/vectors/redis/generate.mjs) and hex helpers.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <sio/socketio/json.hpp>

namespace sio::redis_test {

inline std::string unhex(std::string_view h) {
    if (h.size() % 2) throw std::invalid_argument("odd hex");
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        throw std::invalid_argument("bad hex");
    };
    std::string out;
    out.reserve(h.size() / 2);
    for (std::size_t i = 0; i < h.size(); i += 2) out.push_back(static_cast<char>(nib(h[i]) * 16 + nib(h[i + 1])));
    return out;
}

inline std::string tohex(std::string_view b) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(b.size() * 2);
    for (unsigned char c : b) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

/** The parsed vectors.json (loaded once). */
inline const boost::json::object& vectors() {
    static const boost::json::object v = [] {
        std::ifstream in(SIO_TEST_VECTORS_DIR "/redis/vectors.json", std::ios::binary);
        if (!in) throw std::runtime_error("cannot open " SIO_TEST_VECTORS_DIR "/redis/vectors.json");
        std::stringstream ss;
        ss << in.rdbuf();
        auto parsed = socketio::parse_json(ss.str());
        if (!parsed) throw std::runtime_error("vectors.json: invalid JSON");
        return parsed->as_object();
    }();
    return v;
}

inline const boost::json::array& vector_list(std::string_view name) {
    return vectors().at(name).as_array();
}

inline std::string str(const boost::json::object& o, std::string_view key) {
    return std::string(o.at(key).as_string());
}

inline std::vector<std::string> strings(const boost::json::value& v) {
    std::vector<std::string> out;
    for (const auto& e : v.as_array()) out.emplace_back(e.as_string());
    return out;
}

/** The attachments of a vector, as bytes. */
inline std::vector<std::string> attachments(const boost::json::object& o) {
    std::vector<std::string> out;
    for (const auto& e : o.at("attachments").as_array()) out.push_back(unhex(e.as_string()));
    return out;
}

/** The payload of a request/response vector: JSON text or msgpack bytes. */
inline std::string payload(const boost::json::object& o) {
    if (o.at("encoding").as_string() == "json") return str(o, "text");
    return unhex(o.at("hex").as_string());
}

inline boost::json::value parse(std::string_view text) {
    auto v = socketio::parse_json(text);
    if (!v) throw std::invalid_argument("bad JSON in test");
    return std::move(*v);
}

}  // namespace sio::redis_test
