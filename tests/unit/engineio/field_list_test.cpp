// FieldList keeps name/value pairs in order, in one buffer, with repeats and empty values;
// Handshake keeps its url, address, headers and query in one such list.

#include <sio/engineio/field_list.hpp>
#include <sio/engineio/handshake.hpp>

#include <string>
#include <vector>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <sio/socketio/socket.hpp>

using sio::engineio::FieldList;

TEST(FieldList, KeepsOrderRepeatsAndEmptyValues) {
    FieldList fields;
    fields.add("host", "localhost:3000");
    fields.add("x-a", "");
    fields.add("x-a", "2");
    fields.add("", "no name");
    std::vector<std::pair<std::string, std::string>> seen;
    for (const auto& [name, value] : fields) seen.emplace_back(name, value);
    EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                        {"host", "localhost:3000"}, {"x-a", ""}, {"x-a", "2"}, {"", "no name"}}));
    EXPECT_EQ(fields.size(), 4u);
    EXPECT_EQ(fields.value_of("x-a"), "");
    EXPECT_EQ(fields.value_of("host"), "localhost:3000");
    EXPECT_FALSE(fields.value_of("missing"));
}

TEST(FieldList, KeepsLongNamesAndValuesAndPredictsItsSize) {
    // Lengths around the varint boundaries: 127/128 (one/two bytes), 16383/16384 (two/three).
    FieldList fields;
    std::vector<std::pair<std::string, std::string>> added;
    for (std::size_t n : {0u, 1u, 127u, 128u, 300u, 16383u, 16384u, 70000u}) {
        std::string name(n % 200, 'n');
        std::string value(n, static_cast<char>('a' + n % 26));
        std::size_t before = fields.bytes();
        fields.add(name, value);
        EXPECT_EQ(fields.bytes() - before, FieldList::encoded_size(name, value)) << n;
        added.emplace_back(name, value);
    }
    std::vector<std::pair<std::string, std::string>> seen;
    for (const auto& [name, value] : fields) seen.emplace_back(name, value);
    EXPECT_EQ(seen, added);
    EXPECT_EQ(FieldList::encoded_size("host", "a"), 2u + 5u);  // one byte per short length
}

TEST(FieldList, EmptyListHasNoFields) {
    FieldList fields;
    EXPECT_TRUE(fields.empty());
    EXPECT_EQ(fields.begin(), fields.end());
}

TEST(FieldList, QueryJsonGroupsRepeatedKeysAsNodeDoes) {
    FieldList q{{"EIO", "4"}, {"transport", "polling"}, {"tag", "a"}, {"tag", "b"}, {"tag", "c"}};
    EXPECT_EQ(boost::json::serialize(sio::socketio::query_json(q)),
              R"({"EIO":"4","transport":"polling","tag":["a","b","c"]})");
}

TEST(Handshake, KeepsUrlAddressHeadersAndQueryApartInOneBuffer) {
    using Fields = std::vector<std::pair<std::string, std::string>>;
    auto collect = [](const FieldList::Range& range) {
        Fields out;
        for (const auto& [name, value] : range) out.emplace_back(name, value);
        return out;
    };
    sio::engineio::Handshake h("/socket.io/?EIO=4&transport=polling&k=", FieldList{{"host", "a"}, {"x", ""}},
                               FieldList{{"EIO", "4"}, {"transport", "polling"}, {"k", ""}}, "::ffff:127.0.0.2");
    EXPECT_EQ(h.url(), "/socket.io/?EIO=4&transport=polling&k=");
    EXPECT_EQ(h.address(), "::ffff:127.0.0.2");
    EXPECT_EQ(collect(h.headers()), (Fields{{"host", "a"}, {"x", ""}}));
    EXPECT_EQ(h.headers().size(), 2u);
    EXPECT_EQ(collect(h.query()), (Fields{{"EIO", "4"}, {"transport", "polling"}, {"k", ""}}));
    EXPECT_EQ(h.query().size(), 3u);
    EXPECT_EQ(h.query().value_of("transport"), "polling");
    EXPECT_FALSE(h.headers().value_of("EIO"));  // the query is not part of the headers

    auto copy = h;  // views into the copy's own buffer
    h = sio::engineio::Handshake();
    EXPECT_EQ(copy.url(), "/socket.io/?EIO=4&transport=polling&k=");
    EXPECT_EQ(collect(copy.query()).size(), 3u);
    EXPECT_TRUE(h.url().empty());
    EXPECT_TRUE(h.headers().empty());
    EXPECT_TRUE(h.query().empty());
}
