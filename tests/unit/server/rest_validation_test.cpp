#include "validation.hpp"

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace json = boost::json;
using namespace sio::server;

namespace {

json::object obj(std::string_view text) {
    return json::parse(text).as_object();
}
json::array arr(std::string_view text) {
    return json::parse(text).as_array();
}

template <class T>
std::string error_of(const Expected<T>& e) {
    return e ? std::string() : e.error().message;
}

}  // namespace

// ---- bodies ---------------------------------------------------------------------------------

TEST(RestValidation, BodyMustBeAJsonObject) {
    EXPECT_TRUE(parse_json_object(R"({"event":"a"})"));
    EXPECT_TRUE(parse_json_object(" {} \n"));
    EXPECT_FALSE(parse_json_object(""));  // as JSON.parse("")
    EXPECT_FALSE(parse_json_object("  \n"));
    EXPECT_FALSE(parse_json_object("null"));
    EXPECT_FALSE(parse_json_object("42"));
    auto bad_json = parse_json_object("{nope");
    ASSERT_FALSE(bad_json);
    EXPECT_EQ(bad_json.error().status, 400U);
    EXPECT_NE(bad_json.error().message.find("invalid JSON"), std::string::npos);
    EXPECT_FALSE(parse_json_object(R"({"a":1} x)"));
    auto not_object = parse_json_object("[1,2]");
    ASSERT_FALSE(not_object);
    EXPECT_EQ(not_object.error().message, "the body must be a JSON object");
    EXPECT_FALSE(parse_json_object("\"str\""));
}

TEST(RestValidation, EmitDefaultsAndFields) {
    auto r = parse_emit(obj(R"({"event":"news"})"));
    ASSERT_TRUE(r) << error_of(r);
    EXPECT_EQ(r->target.nsp, "/");
    EXPECT_TRUE(r->target.rooms.empty());
    EXPECT_TRUE(r->target.except.empty());
    EXPECT_FALSE(r->target.local);
    EXPECT_FALSE(r->is_volatile);
    EXPECT_EQ(r->event, "news");
    EXPECT_TRUE(r->args.empty());

    r = parse_emit(obj(R"({"event":"news","namespace":"/custom","room":["a","b"],"except":"c",
                          "local":true,"volatile":true,"args":[1,"x",{"y":null}]})"));
    ASSERT_TRUE(r) << error_of(r);
    EXPECT_EQ(r->target.nsp, "/custom");
    EXPECT_EQ(r->target.rooms, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(r->target.except, (std::vector<std::string>{"c"}));
    EXPECT_TRUE(r->target.local);
    EXPECT_TRUE(r->is_volatile);
    EXPECT_EQ(json::serialize(r->args), R"([1,"x",{"y":null}])");
}

TEST(RestValidation, DataIsOneArgumentArgsIsMany) {
    EXPECT_EQ(json::serialize(*parse_args(obj(R"({"data":{"a":1}})"))), R"([{"a":1}])");
    EXPECT_EQ(json::serialize(*parse_args(obj(R"({"data":null})"))), "[null]");
    EXPECT_EQ(json::serialize(*parse_args(obj(R"({"data":[1,2]})"))), "[[1,2]]");
    EXPECT_EQ(json::serialize(*parse_args(obj(R"({"args":[1,2]})"))), "[1,2]");
    EXPECT_EQ(json::serialize(*parse_args(obj("{}"))), "[]");
    EXPECT_EQ(error_of(parse_args(obj(R"({"data":1,"args":[1]})"))), "give either \"data\" or \"args\", not both");
    EXPECT_EQ(error_of(parse_args(obj(R"({"args":1})"))), "\"args\" must be an array");
}

TEST(RestValidation, EventMustBeANonEmptyUnreservedString) {
    EXPECT_EQ(error_of(parse_emit(obj("{}"))), "\"event\" is required");
    EXPECT_EQ(error_of(parse_emit(obj(R"({"event":""})"))), "\"event\" must be a non-empty string");
    EXPECT_EQ(error_of(parse_emit(obj(R"({"event":5})"))), "\"event\" must be a non-empty string");
    for (const char* reserved :
         {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}) {
        auto r = parse_emit(obj(std::string(R"({"event":")") + reserved + "\"}"));
        ASSERT_FALSE(r) << reserved;
        EXPECT_EQ(r.error().status, 400U);
        EXPECT_NE(r.error().message.find("reserved"), std::string::npos);
    }
    EXPECT_TRUE(parse_emit(obj(R"({"event":"connection"})")));  // not reserved for emits
}

TEST(RestValidation, RoomsAndFlags) {
    EXPECT_FALSE(parse_emit(obj(R"({"event":"e","room":""})")));
    EXPECT_FALSE(parse_emit(obj(R"({"event":"e","room":["a",""]})")));
    EXPECT_FALSE(parse_emit(obj(R"({"event":"e","room":["a",1]})")));
    EXPECT_FALSE(parse_emit(obj(R"({"event":"e","room":7})")));
    EXPECT_FALSE(parse_emit(obj(R"({"event":"e","except":{}})")));
    EXPECT_TRUE(parse_emit(obj(R"({"event":"e","room":[]})")));
    EXPECT_TRUE(parse_emit(obj(R"({"event":"e","room":null})")));
    EXPECT_EQ(error_of(parse_emit(obj(R"({"event":"e","local":"yes"})"))), "\"local\" must be a boolean");
    EXPECT_EQ(error_of(parse_emit(obj(R"({"event":"e","volatile":1})"))), "\"volatile\" must be a boolean");
}

TEST(RestValidation, UnknownNamespaceIs404) {
    auto r = parse_emit(obj(R"({"event":"e","namespace":"/nope"})"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status, 404U);
    auto normalised = parse_emit(obj(R"({"event":"e","namespace":"secure"})"));
    ASSERT_TRUE(normalised);
    EXPECT_EQ(normalised->target.nsp, "/secure");
    EXPECT_EQ(parse_emit(obj(R"({"event":"e","namespace":3})")).error().status, 400U);
}

TEST(RestValidation, EmitWithAckTimeout) {
    auto r = parse_emit_with_ack(obj(R"({"event":"q"})"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->timeout.count(), 2000);
    EXPECT_EQ(parse_emit_with_ack(obj(R"({"event":"q","timeout":500})"))->timeout.count(), 500);
    EXPECT_EQ(parse_emit_with_ack(obj(R"({"event":"q","timeout":99999})"))->timeout.count(), 30000);
    EXPECT_EQ(parse_emit_with_ack(obj(R"({"event":"q","timeout":1500.7})"))->timeout.count(), 1500);
    EXPECT_FALSE(parse_emit_with_ack(obj(R"({"event":"q","timeout":0})")));
    EXPECT_FALSE(parse_emit_with_ack(obj(R"({"event":"q","timeout":-1})")));
    EXPECT_FALSE(parse_emit_with_ack(obj(R"({"event":"q","timeout":"1000"})")));
}

TEST(RestValidation, JoinLeaveDisconnect) {
    auto join = parse_rooms_request(obj(R"({"join":"r1","room":"lobby"})"), "join");
    ASSERT_TRUE(join);
    EXPECT_EQ(join->rooms, std::vector<std::string>{"r1"});
    EXPECT_EQ(join->target.rooms, std::vector<std::string>{"lobby"});
    EXPECT_EQ(error_of(parse_rooms_request(obj("{}"), "leave")), "\"leave\" is required");
    EXPECT_FALSE(parse_rooms_request(obj(R"({"leave":[""]})"), "leave"));

    auto disconnect = parse_disconnect(obj(R"({"close":true,"except":["x"]})"));
    ASSERT_TRUE(disconnect);
    EXPECT_TRUE(disconnect->close);
    EXPECT_EQ(disconnect->target.except, std::vector<std::string>{"x"});
    EXPECT_FALSE(parse_disconnect(obj(R"({"close":"true"})")));
    EXPECT_FALSE(parse_disconnect(obj("{}"))->close);
}

TEST(RestValidation, ServerSideEmit) {
    auto r = parse_server_side_emit(obj(R"({"event":"hello","data":1,"room":"r","namespace":"/custom"})"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->nsp, "/custom");
    EXPECT_EQ(r->event, "hello");
    EXPECT_EQ(json::serialize(r->args), "[1]");
    EXPECT_EQ(r->rooms, std::vector<std::string>{"r"});
    EXPECT_FALSE(parse_server_side_emit(obj(R"({"data":1})")));
}

TEST(RestValidation, SocketsQueryRepeatsRooms) {
    auto r = parse_sockets_query("/sockets?room=a&room=b%20c&except=x&namespace=%2Fcustom");
    ASSERT_TRUE(r) << error_of(r);
    EXPECT_EQ(r->rooms, (std::vector<std::string>{"a", "b c"}));
    EXPECT_EQ(r->except, std::vector<std::string>{"x"});
    EXPECT_EQ(r->nsp, "/custom");
    auto plain = parse_sockets_query("/sockets");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->nsp, "/");
    EXPECT_TRUE(plain->rooms.empty());
    EXPECT_EQ(parse_sockets_query("/sockets?namespace=/other").error().status, 404U);
    EXPECT_EQ(parse_sockets_query("/sockets?room=").error().status, 400U);
}

TEST(RestValidation, NamespaceAndDisconnectReasonQueries) {
    EXPECT_EQ(*parse_namespace_query("/peers"), "/");
    EXPECT_EQ(*parse_namespace_query("/server-count?namespace=/secure"), "/secure");
    EXPECT_EQ(parse_namespace_query("/server-count?namespace=/x").error().status, 404U);

    auto r = parse_disconnect_reason_query("/disconnect-reason?id=abc-_1&namespace=/custom");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, "abc-_1");
    EXPECT_EQ(r->nsp, "/custom");
    EXPECT_FALSE(parse_disconnect_reason_query("/disconnect-reason?id=x")->nsp.has_value());
    EXPECT_EQ(parse_disconnect_reason_query("/disconnect-reason?id=x&namespace=/nope").error().status, 404U);
    EXPECT_EQ(parse_disconnect_reason_query("/disconnect-reason").error().status, 400U);
    EXPECT_EQ(parse_disconnect_reason_query("/disconnect-reason?id=").error().status, 400U);
}

TEST(RestValidation, BearerTokenComparison) {
    EXPECT_TRUE(constant_time_equal("secret", "secret"));
    EXPECT_FALSE(constant_time_equal("secreT", "secret"));
    EXPECT_FALSE(constant_time_equal("secret1", "secret"));
    EXPECT_FALSE(constant_time_equal("secre", "secret"));
    EXPECT_FALSE(constant_time_equal("", "secret"));
    EXPECT_TRUE(bearer_token_matches("Bearer secret", "secret"));
    EXPECT_TRUE(bearer_token_matches("bearer secret", "secret"));
    EXPECT_FALSE(bearer_token_matches("Bearer  wrong", "secret"));
    EXPECT_FALSE(bearer_token_matches("Basic secret", "secret"));
    EXPECT_FALSE(bearer_token_matches("Bearersecret", "secret"));
    EXPECT_FALSE(bearer_token_matches("secret", "secret"));
    EXPECT_FALSE(bearer_token_matches("", "secret"));
}

// ---- application event arguments ---------------------------------------------------------------

TEST(AppValidation, JoinTakesARoomOrAnArray) {
    EXPECT_EQ(*parse_join_args(arr(R"(["a"])")), std::vector<std::string>{"a"});
    EXPECT_EQ(*parse_join_args(arr(R"([["a","b"]])")), (std::vector<std::string>{"a", "b"}));
    EXPECT_FALSE(parse_join_args(arr("[]")));
    EXPECT_FALSE(parse_join_args(arr("[[]]")));
    EXPECT_FALSE(parse_join_args(arr(R"([""])")));
    EXPECT_FALSE(parse_join_args(arr("[1]")));
    EXPECT_FALSE(parse_join_args(arr(R"([["a",null]])")));
}

TEST(AppValidation, RoomEmit) {
    auto r = parse_room_emit(arr(R"([{"event":"hi","args":[1,2],"room":"r","except":["x","y"]}])"));
    ASSERT_TRUE(r) << error_of(r);
    EXPECT_EQ(r->event, "hi");
    EXPECT_EQ(json::serialize(r->args), "[1,2]");
    EXPECT_EQ(r->rooms, std::vector<std::string>{"r"});
    EXPECT_EQ(r->except, (std::vector<std::string>{"x", "y"}));
    EXPECT_TRUE(parse_room_emit(arr(R"([{"event":"hi"}])")));
    EXPECT_FALSE(parse_room_emit(arr("[]")));
    EXPECT_FALSE(parse_room_emit(arr(R"(["hi"])")));
    EXPECT_FALSE(parse_room_emit(arr(R"([{"event":"disconnect"}])")));
    EXPECT_FALSE(parse_room_emit(arr(R"([{"event":"hi","args":"x"}])")));
    EXPECT_FALSE(parse_room_emit(arr(R"([{"event":"hi","room":5}])")));
}

TEST(AppValidation, RequestAck) {
    auto r = parse_request_ack(arr(R"([{"event":"q","args":["a"]}])"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->timeout.count(), 2000);
    EXPECT_EQ(parse_request_ack(arr(R"([{"event":"q","timeout":100}])"))->timeout.count(), 100);
    EXPECT_EQ(parse_request_ack(arr(R"([{"event":"q","timeout":31000}])"))->timeout.count(), 30000);
    EXPECT_FALSE(parse_request_ack(arr(R"([{"event":"q","timeout":"x"}])")));
    EXPECT_FALSE(parse_request_ack(arr(R"([{"event":"connect"}])")));
    EXPECT_FALSE(parse_request_ack(arr(R"([{}])")));
}

TEST(AppValidation, VolatileBurst) {
    auto r = parse_volatile_burst(arr(R"([{"count":3}])"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->event, "volatile");
    EXPECT_EQ(r->count, 3U);
    EXPECT_EQ(parse_volatile_burst(arr(R"([{"count":50000,"event":"tick"}])"))->count, 10000U);
    EXPECT_EQ(parse_volatile_burst(arr(R"([{"count":50000,"event":"tick"}])"))->event, "tick");
    EXPECT_EQ(parse_volatile_burst(arr(R"([{"count":0}])"))->count, 0U);
    EXPECT_EQ(parse_volatile_burst(arr(R"([{"count":2.0}])"))->count, 2U);
    EXPECT_FALSE(parse_volatile_burst(arr(R"([{"count":-1}])")));
    EXPECT_FALSE(parse_volatile_burst(arr(R"([{"count":1.5}])")));
    EXPECT_FALSE(parse_volatile_burst(arr(R"([{"count":"3"}])")));
    EXPECT_FALSE(parse_volatile_burst(arr(R"([{}])")));
    EXPECT_FALSE(parse_volatile_burst(arr(R"([{"count":1,"event":""}])")));
}

TEST(AppValidation, Relay) {
    auto r = parse_relay(arr(R"([{"event":"e","args":[1],"room":["a"]}])"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->rooms, std::vector<std::string>{"a"});
    EXPECT_TRUE(parse_relay(arr(R"([{"event":"e","args":[],"room":[]}])")));
    EXPECT_FALSE(parse_relay(arr(R"([{"args":[]}])")));
}
