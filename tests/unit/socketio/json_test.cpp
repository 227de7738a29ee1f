#include <sio/socketio/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

using sio::socketio::parse_json;
using sio::socketio::to_json;
namespace json = boost::json;
using namespace std::string_literals;

namespace {

std::string num(double d) {
    return to_json(json::value(d));
}

}  // namespace

TEST(SocketioJson, PrintsDoublesLikeJavaScript) {
    EXPECT_EQ(num(1.5), "1.5");
    EXPECT_EQ(num(100.0), "100");
    EXPECT_EQ(num(0.0), "0");
    EXPECT_EQ(num(-0.0), "0");
    EXPECT_EQ(num(-2.25), "-2.25");
    EXPECT_EQ(num(0.1), "0.1");
    EXPECT_EQ(num(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(num(1e21), "1e+21");
    EXPECT_EQ(num(1e20), "100000000000000000000");
    EXPECT_EQ(num(123456789012345680000.0), "123456789012345680000");
    EXPECT_EQ(num(1.5e21), "1.5e+21");
    EXPECT_EQ(num(1e-7), "1e-7");
    EXPECT_EQ(num(1.25e-7), "1.25e-7");
    EXPECT_EQ(num(1e-6), "0.000001");
    EXPECT_EQ(num(0.000123), "0.000123");
    EXPECT_EQ(num(123.456), "123.456");
    EXPECT_EQ(num(3.14159), "3.14159");
    EXPECT_EQ(num(9007199254740993.0), "9007199254740992");
    EXPECT_EQ(num(1.7976931348623157e308), "1.7976931348623157e+308");
    EXPECT_EQ(num(5e-324), "5e-324");
    EXPECT_EQ(num(-1e-7), "-1e-7");
    EXPECT_EQ(num(1729.0), "1729");
    EXPECT_EQ(num(0.5), "0.5");
}

TEST(SocketioJson, PrintsNonFiniteAsNull) {
    EXPECT_EQ(num(std::numeric_limits<double>::quiet_NaN()), "null");
    EXPECT_EQ(num(std::numeric_limits<double>::infinity()), "null");
    EXPECT_EQ(num(-std::numeric_limits<double>::infinity()), "null");
}

TEST(SocketioJson, PrintsIntegersVerbatim) {
    EXPECT_EQ(to_json(json::value(std::int64_t{0})), "0");
    EXPECT_EQ(to_json(json::value(std::int64_t{-42})), "-42");
    EXPECT_EQ(to_json(json::value(std::numeric_limits<std::int64_t>::min())), "-9223372036854775808");
    EXPECT_EQ(to_json(json::value(std::numeric_limits<std::uint64_t>::max())), "18446744073709551615");
}

TEST(SocketioJson, PrintsLiterals) {
    EXPECT_EQ(to_json(json::value(nullptr)), "null");
    EXPECT_EQ(to_json(json::value(true)), "true");
    EXPECT_EQ(to_json(json::value(false)), "false");
    EXPECT_EQ(to_json(json::array{}), "[]");
    EXPECT_EQ(to_json(json::object{}), "{}");
}

TEST(SocketioJson, EscapesStringsLikeJsonStringify) {
    EXPECT_EQ(to_json(json::value("plain")), R"("plain")");
    EXPECT_EQ(to_json(json::value("a\"b\\c")), R"("a\"b\\c")");
    EXPECT_EQ(to_json(json::value("\b\f\n\r\t")), R"("\b\f\n\r\t")");
    EXPECT_EQ(to_json(json::value("\x1e")), R"("\u001e")");
    EXPECT_EQ(to_json(json::value("\x01\x1f")), R"("\u0001\u001f")");
    EXPECT_EQ(to_json(json::value("\x0b")), R"("\u000b")");
    EXPECT_EQ(to_json(json::value(json::string("a\0b"s))), R"("a\u0000b")");
    EXPECT_EQ(to_json(json::value("/path</script>")), R"("/path</script>")");
    EXPECT_EQ(to_json(json::value("\x7f")), "\"\x7f\"");
    EXPECT_EQ(to_json(json::value("héllo ✓ 😀")), "\"héllo ✓ 😀\"");
}

TEST(SocketioJson, KeepsObjectKeyOrderAndEscapesKeys) {
    json::object o;
    o["z"] = 1;
    o["a"] = json::array{1.5, "x", nullptr, true};
    o["m\n"] = json::object{{"k", 100.0}};
    EXPECT_EQ(to_json(o), R"({"z":1,"a":[1.5,"x",null,true],"m\n":{"k":100}})");
}

TEST(SocketioJson, AppendsToExistingBuffer) {
    std::string out = "42";
    to_json(out, json::array{"hello", 1.5});
    EXPECT_EQ(out, R"(42["hello",1.5])");
}

TEST(SocketioJson, ParsesAndReprintsNodeOutputUnchanged) {
    for (auto text : {R"(["hello","world"])", R"({"sid":"x","pid":"y"})", R"([1,"two",{"three":3}])",
                      R"({"a":[{"b":null},true,false,-1,0.5,1e+21,1e-7,12345678901234567000]})",
                      R"(["\u001e\u0000\"\\\n","é","😀"])", R"([0.30000000000000004,0.1,2.718281828459045])",
                      R"([18446744073709551615,-9223372036854775808])"}) {
        auto v = parse_json(text);
        ASSERT_TRUE(v) << text;
        EXPECT_EQ(to_json(*v), text);
    }
}

TEST(SocketioJson, ParsesDoublesCorrectlyRounded) {
    // Boost 1.81's parser gets about 1 in 10 of these wrong by one ulp.
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> unit(0, 1);
    for (int i = 0; i < 20000; ++i) {
        double d = unit(rng) * std::pow(10.0, static_cast<int>(rng() % 40) - 20);
        std::string text = to_json(json::value(d));
        auto v = parse_json(text);
        ASSERT_TRUE(v) << text;
        // Large values print without a fraction and come back as integers: same JS number.
        ASSERT_EQ(v->to_number<double>(), d) << text;
        ASSERT_EQ(to_json(*v), text);
    }
    for (int i = 0; i < 20000; ++i) {
        std::uint64_t bits = rng();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        if (!std::isfinite(d)) continue;
        auto v = parse_json(to_json(json::value(d)));
        ASSERT_TRUE(v);
        ASSERT_EQ(v->to_number<double>(), d == 0 ? 0.0 : d);
    }
}

TEST(SocketioJson, ParsesIntegersAsIntegers) {
    EXPECT_TRUE(parse_json("42")->is_int64());
    EXPECT_TRUE(parse_json("-42")->is_int64());
    EXPECT_TRUE(parse_json("18446744073709551615")->is_uint64());
    EXPECT_TRUE(parse_json("1.0")->is_double());
    EXPECT_EQ(to_json(*parse_json("1.0")), "1");
    EXPECT_EQ(to_json(*parse_json("-0")), "0");
    EXPECT_EQ(to_json(*parse_json("99999999999999999999")), "100000000000000000000");
    EXPECT_EQ(to_json(*parse_json("1E2")), "100");
}

TEST(SocketioJson, ParsesOutOfRangeNumbersLikeJsonParse) {
    EXPECT_EQ(to_json(*parse_json("[1e400,-1e400,1e-400]")), "[null,null,0]");
}

TEST(SocketioJson, RejectsInvalidDocuments) {
    for (auto bad : {"", " ", "[", "[1,]", "{'a':1}", "[1] x", "[1][2]", "nul", "01", "1.", ".5", "+1", "[NaN]",
                     "\"\x01\"", "/* c */ 1", "\"\\ud800\"", "\"\xc3\x28\""}) {
        EXPECT_FALSE(parse_json(bad)) << bad;
    }
}

TEST(SocketioJson, AcceptsSurroundingWhitespace) {
    auto v = parse_json(" \t\r\n[1] \n");
    ASSERT_TRUE(v);
    EXPECT_EQ(to_json(*v), "[1]");
}

TEST(SocketioJson, KeepsLastDuplicateKeyLikeJsonParse) {
    EXPECT_EQ(to_json(*parse_json(R"({"a":1,"b":2,"a":3})")), R"({"a":3,"b":2})");
}

TEST(SocketioJson, LimitsNestingDepth) {
    const auto depth = sio::socketio::max_json_depth;
    EXPECT_TRUE(parse_json(std::string(depth, '[') + std::string(depth, ']')));
    EXPECT_FALSE(parse_json(std::string(depth + 1, '[') + std::string(depth + 1, ']')));
}
