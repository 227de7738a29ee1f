#include <sio/core/base64.hpp>

#include <set>

#include <gtest/gtest.h>

#include <sio/core/id_generator.hpp>

using sio::core::base64_decode;
using sio::core::base64_encode;

TEST(Base64, EncodesWithPaddingAsEngineIoExample) {
    EXPECT_EQ(base64_encode(std::string("\x01\x02\x03\x04", 4)), "AQIDBA==");
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("ab"), "YWI=");
    EXPECT_EQ(base64_encode("abc"), "YWJj");
}

TEST(Base64, DecodesAndRejectsInvalidCharacters) {
    EXPECT_EQ(base64_decode("AQIDBA=="), std::string("\x01\x02\x03\x04", 4));
    EXPECT_EQ(base64_decode("AQIDBA"), std::string("\x01\x02\x03\x04", 4));
    EXPECT_FALSE(base64_decode("AQ!D").has_value());
    EXPECT_FALSE(base64_decode("A").has_value());
}

TEST(IdGenerator, MakesDistinctTwentyCharacterUrlSafeIds) {
    sio::core::IdGenerator ids;
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto id = ids.next();
        ASSERT_EQ(id.size(), 20u);
        EXPECT_EQ(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                  std::string::npos);
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 1000u);
}
