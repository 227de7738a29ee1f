// FieldList keeps name/value pairs in order, in one buffer, with repeats and empty values.

#include <sio/engineio/field_list.hpp>

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

TEST(FieldList, EmptyListHasNoFields) {
    FieldList fields;
    EXPECT_TRUE(fields.empty());
    EXPECT_EQ(fields.begin(), fields.end());
}

TEST(FieldList, QueryJsonGroupsRepeatedKeysAsNodeDoes) {
    FieldList q{{"EIO", "4"}, {"transport", "polling"}, {"tag", "a"}, {"tag", "b"}, {"tag", "c"}};
    EXPECT_EQ(boost::json::serialize(sio::socketio::query_json(q)), R"({"EIO":"4","transport":"polling","tag":["a","b","c"]})");
}
