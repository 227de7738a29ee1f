// The notepack codec (sio/socketio/msgpack_value.hpp, shared with the msgpack parser):
// msgpack <-> JSON + attachments, against notepack.io 3.0.1 (tests/vectors/redis/vectors.json).

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <sio/socketio/json.hpp>
#include <sio/socketio/packet.hpp>

#include <sio/socketio/msgpack_value.hpp>
#include "unit/adapter/redis_vectors.hpp"

namespace {

namespace json = boost::json;
using namespace sio::socketio;
using sio::redis_test::attachments;
using sio::redis_test::parse;
using sio::redis_test::str;
using sio::redis_test::tohex;
using sio::redis_test::unhex;
using sio::socketio::to_json;

std::string enc_hex(const json::value& v, const std::vector<std::string>& att = {}) {
    auto r = encode_msgpack(v, att);
    EXPECT_TRUE(r.has_value()) << r.error().message();
    return r ? tohex(*r) : std::string("<error>");
}

boost::system::result<json::value> dec(std::string_view hex, std::vector<std::string>& att) {
    return decode_msgpack(sio::redis_test::unhex(hex), att);
}

TEST(RedisMsgpack, NodeVectorsDecode) {
    std::size_t checked = 0;
    for (const auto& item : sio::redis_test::vector_list("values")) {
        const auto& v = item.as_object();
        const std::string name = str(v, "name");
        std::vector<std::string> att;
        auto r = dec(str(v, "hex"), att);
        if (v.contains("error")) {
            EXPECT_FALSE(r.has_value()) << name << ": notepack throws " << str(v, "error");
            continue;
        }
        ASSERT_TRUE(r.has_value()) << name << ": " << r.error().message();
        EXPECT_EQ(to_json(*r), str(v, "json")) << name;
        EXPECT_EQ(att, attachments(v)) << name;
        ++checked;
    }
    EXPECT_GT(checked, 120u);
}

// JSON.parse semantics for the expected values: an integer beyond 2^53 is the double JS holds
// (parse_json keeps it exact, which would encode differently).
json::value js_numbers(json::value v) {
    if (v.is_int64() && (v.get_int64() > (1LL << 53) || v.get_int64() < -(1LL << 53)))
        return static_cast<double>(v.get_int64());
    if (v.is_uint64() && v.get_uint64() > (1ULL << 53)) return static_cast<double>(v.get_uint64());
    if (auto* a = v.if_array())
        for (auto& e : *a) e = js_numbers(std::move(e));
    if (auto* o = v.if_object())
        for (auto& kv : *o) kv.value() = js_numbers(std::move(kv.value()));
    return v;
}

TEST(RedisMsgpack, NodeVectorsEncode) {
    std::size_t checked = 0;
    for (const auto& item : sio::redis_test::vector_list("values")) {
        const auto& v = item.as_object();
        if (v.contains("error") || !v.at("roundtrip").as_bool()) continue;
        const std::string name = str(v, "name");
        auto value = js_numbers(parse(str(v, "json")));
        EXPECT_EQ(enc_hex(value, attachments(v)), str(v, "hex")) << name;
        ++checked;
    }
    EXPECT_GT(checked, 60u);
}

TEST(RedisMsgpack, IntegersSmallestForm) {
    EXPECT_EQ(enc_hex(0), "00");
    EXPECT_EQ(enc_hex(127), "7f");
    EXPECT_EQ(enc_hex(128), "cc80");
    EXPECT_EQ(enc_hex(255), "ccff");
    EXPECT_EQ(enc_hex(256), "cd0100");
    EXPECT_EQ(enc_hex(65535), "cdffff");
    EXPECT_EQ(enc_hex(65536), "ce00010000");
    EXPECT_EQ(enc_hex(4294967295LL), "ceffffffff");
    EXPECT_EQ(enc_hex(4294967296LL), "cf0000000100000000");
    EXPECT_EQ(enc_hex(std::numeric_limits<std::uint64_t>::max()), "cfffffffffffffffff");
    EXPECT_EQ(enc_hex(-1), "ff");
    EXPECT_EQ(enc_hex(-32), "e0");
    EXPECT_EQ(enc_hex(-33), "d0df");
    EXPECT_EQ(enc_hex(-128), "d080");
    EXPECT_EQ(enc_hex(-129), "d1ff7f");
    EXPECT_EQ(enc_hex(-32768), "d18000");
    EXPECT_EQ(enc_hex(-32769), "d2ffff7fff");
    EXPECT_EQ(enc_hex(-2147483648LL), "d280000000");
    EXPECT_EQ(enc_hex(-2147483649LL), "d3ffffffff7fffffff");
    EXPECT_EQ(enc_hex(std::numeric_limits<std::int64_t>::min()), "d38000000000000000");
    // uint64 / int64 kinds with small values take the small forms too.
    EXPECT_EQ(enc_hex(json::value(std::uint64_t{5})), "05");
}

TEST(RedisMsgpack, DoublesAsNotepack) {
    EXPECT_EQ(enc_hex(1.0), "01");
    EXPECT_EQ(enc_hex(-0.0), "00");
    EXPECT_EQ(enc_hex(-1.0), "ff");
    EXPECT_EQ(enc_hex(300.0), "cd012c");
    EXPECT_EQ(enc_hex(1.5), "cb3ff8000000000000");
    EXPECT_EQ(enc_hex(1e21), "cf35c9adc5dea00000");  // wraps modulo 2^64 as notepack does
    EXPECT_EQ(enc_hex(18446744073709551616.0), "cf0000000000000000");
    EXPECT_EQ(enc_hex(-9223372036854775808.0), "d38000000000000000");
    EXPECT_EQ(enc_hex(std::nan("")), "cb7ff8000000000000");
    EXPECT_EQ(enc_hex(std::numeric_limits<double>::infinity()), "cb7ff0000000000000");
}

TEST(RedisMsgpack, Str8AndContainers) {
    EXPECT_EQ(enc_hex(json::string(std::string(31, 'a'))).substr(0, 2), "bf");
    EXPECT_EQ(enc_hex(json::string(std::string(32, 'a'))).substr(0, 4), "d920");
    EXPECT_EQ(enc_hex(json::string(std::string(255, 'a'))).substr(0, 4), "d9ff");
    EXPECT_EQ(enc_hex(json::string(std::string(256, 'a'))).substr(0, 6), "da0100");
    EXPECT_EQ(enc_hex(json::string(std::string(65536, 'a'))).substr(0, 10), "db00010000");
    json::array big(65536, json::value(0));
    const std::string big_hex = enc_hex(big);
    EXPECT_EQ(big_hex.substr(0, 10), "dd00010000");
    EXPECT_EQ(big_hex.size(), 10u + 2 * 65536);
    json::object many;
    for (int i = 0; i < 65536; ++i) many[std::to_string(i)] = true;
    EXPECT_EQ(enc_hex(many).substr(0, 10), "df00010000");
    json::object sixteen;
    for (int i = 0; i < 16; ++i) sixteen["k" + std::to_string(i)] = i;
    EXPECT_EQ(enc_hex(sixteen).substr(0, 6), "de0010");
}

TEST(RedisMsgpack, PlaceholdersBecomeBin) {
    std::vector<std::string> att{"\x01\x02\x03", std::string(300, 'x'), std::string(65536, 'y')};
    json::array a{"bin", sio::socketio::make_placeholder(0),
                  json::object{{"deep", json::array{sio::socketio::make_placeholder(1)}}},
                  sio::socketio::make_placeholder(2)};
    const std::string h = enc_hex(a, att);
    EXPECT_EQ(h.substr(0, 22),
              "94a362696ec403010203"
              "81");
    EXPECT_NE(h.find("c5012c"), std::string::npos);
    EXPECT_NE(h.find("c600010000"), std::string::npos);
    // Round trip: the same placeholders and attachments come back.
    std::vector<std::string> back;
    auto r = decode_msgpack(unhex(h), back);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, json::value(a));
    EXPECT_EQ(back, att);
    // A placeholder with no attachment is an error.
    auto bad = encode_msgpack(json::array{sio::socketio::make_placeholder(3)}, att);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error(), make_error_code(msgpack_errc::bad_placeholder));
}

TEST(RedisMsgpack, AttachmentNumberingContinues) {
    std::vector<std::string> att{"old"};
    auto r = decode_msgpack(unhex("92c40161c40162"), att);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(to_json(*r), R"([{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}])");
    EXPECT_EQ(att, (std::vector<std::string>{"old", "a", "b"}));
}

TEST(RedisMsgpack, DatesAsJsonStringify) {
    EXPECT_EQ(js_date_iso_string(1700000000123.0), "2023-11-14T22:13:20.123Z");
    EXPECT_EQ(js_date_iso_string(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(js_date_iso_string(-1), "1969-12-31T23:59:59.999Z");
    EXPECT_EQ(js_date_iso_string(8.64e15), "+275760-09-13T00:00:00.000Z");
    EXPECT_EQ(js_date_iso_string(-8.64e15), "-271821-04-20T00:00:00.000Z");
    EXPECT_EQ(js_date_iso_string(253402300800000.0), "+010000-01-01T00:00:00.000Z");
    EXPECT_EQ(js_date_iso_string(-62198755200000.0), "-000001-01-01T00:00:00.000Z");
    EXPECT_EQ(js_date_iso_string(1.9), "1970-01-01T00:00:00.001Z");
    EXPECT_EQ(js_date_iso_string(-1.9), "1969-12-31T23:59:59.999Z");  // truncated toward zero
    EXPECT_EQ(js_date_iso_string(8.64e15 + 1), "");
    EXPECT_EQ(js_date_iso_string(std::nan("")), "");
    std::vector<std::string> att;
    auto v = decode_msgpack(unhex("92d7ff1d5353006553f100d6ff6553f100"), att);  // V9 of §4.5
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(to_json(*v), R"(["2023-11-14T22:13:20.123Z","2023-11-14T22:13:20.000Z"])");
}

TEST(RedisMsgpack, ErrorsAreValues) {
    const std::pair<const char*, msgpack_errc> cases[] = {
        {"", msgpack_errc::truncated},
        {"c1", msgpack_errc::invalid_format},
        {"c0c0", msgpack_errc::trailing_bytes},
        {"a3616263ff", msgpack_errc::trailing_bytes},
        {"a361", msgpack_errc::truncated},
        {"dbffffffff", msgpack_errc::truncated},
        {"c6ffffffff00", msgpack_errc::truncated},
        {"ddffffffff", msgpack_errc::truncated},  // no allocation from the declared count
        {"dfffffffff0000", msgpack_errc::truncated},
        {"c9ffffffff05", msgpack_errc::truncated},
        {"d6ff0000", msgpack_errc::truncated},
        {"cf00", msgpack_errc::truncated},
        {"8192c0c0c0", msgpack_errc::bad_key},
        {"82ac5f706c616365686f6c646572c3a36e756d00", msgpack_errc::placeholder_collision},
    };
    for (const auto& [hex, want] : cases) {
        std::vector<std::string> att;
        auto r = decode_msgpack(unhex(hex), att);
        ASSERT_FALSE(r.has_value()) << hex;
        EXPECT_EQ(r.error(), make_error_code(want)) << hex << ": " << r.error().message();
    }
}

TEST(RedisMsgpack, DepthLimit) {
    std::string ok(max_msgpack_depth, '\x91');
    ok.push_back('\xc0');
    std::vector<std::string> att;
    EXPECT_TRUE(decode_msgpack(ok, att).has_value());
    std::string deep(max_msgpack_depth + 1, '\x91');
    deep.push_back('\xc0');
    auto r = decode_msgpack(deep, att);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), make_error_code(msgpack_errc::too_deep));
    // Far deeper than any stack would take, maps and ext wrappers too.
    std::string hostile(1'000'000, '\x81');
    EXPECT_FALSE(decode_msgpack(hostile, att).has_value());
    std::string hostile2;
    for (int i = 0; i < 200000; ++i) hostile2 += "\x81\xa1\x61";
    EXPECT_FALSE(decode_msgpack(hostile2, att).has_value());
}

TEST(RedisMsgpack, RandomBytesNeverCrash) {
    std::mt19937_64 rng(12345);
    for (int i = 0; i < 20000; ++i) {
        std::string bytes(rng() % 40, '\0');
        for (auto& c : bytes) c = static_cast<char>(rng());
        std::vector<std::string> att;
        auto r = decode_msgpack(bytes, att);
        if (r) (void)to_json(*r);
    }
    // Every prefix of every Node vector.
    for (const auto& item : sio::redis_test::vector_list("values")) {
        if (item.as_object().contains("error")) continue;
        const std::string bytes = unhex(item.as_object().at("hex").as_string());
        if (bytes.size() > 2000) continue;
        for (std::size_t n = 0; n < bytes.size(); ++n) {
            std::vector<std::string> att;
            EXPECT_FALSE(decode_msgpack(std::string_view(bytes).substr(0, n), att).has_value());
        }
    }
}

}  // namespace
