#include "engineio/cors.hpp"

#include <gtest/gtest.h>

namespace bhttp = boost::beast::http;
using sio::engineio::CorsOptions;

namespace {

sio::http::Request request_from(std::string_view origin, bhttp::verb method = bhttp::verb::get) {
    sio::http::Request req{method, "/socket.io/?EIO=4&transport=polling", 11};
    if (!origin.empty()) req.set(bhttp::field::origin, origin);
    return req;
}

}  // namespace

TEST(Cors, ReflectsAnAllowedOriginWithCredentials) {
    CorsOptions cors{{"http://a.example", "http://b.example"}, true};
    sio::http::Response res;
    sio::engineio::apply_cors(cors, request_from("http://b.example"), res);
    EXPECT_EQ(res[bhttp::field::access_control_allow_origin], "http://b.example");
    EXPECT_EQ(res[bhttp::field::access_control_allow_credentials], "true");
    EXPECT_EQ(res[bhttp::field::vary], "Origin");
}

TEST(Cors, OmitsAllowOriginForOtherOrigins) {
    CorsOptions cors{{"http://a.example"}, true};
    sio::http::Response res;
    sio::engineio::apply_cors(cors, request_from("http://evil.example"), res);
    EXPECT_EQ(res.find(bhttp::field::access_control_allow_origin), res.end());
    EXPECT_EQ(res.find(bhttp::field::access_control_allow_credentials), res.end());
}

TEST(Cors, AddsNothingWhenNotConfigured) {
    CorsOptions cors{};
    sio::http::Response res;
    sio::engineio::apply_cors(cors, request_from("http://a.example"), res);
    EXPECT_EQ(res.begin(), res.end());
    EXPECT_FALSE(sio::engineio::is_preflight(cors, request_from("http://a.example", bhttp::verb::options)));
}

TEST(Cors, PreflightIs204WithMethodsAndReflectedHeaders) {
    CorsOptions cors{{"http://a.example"}, true};
    auto req = request_from("http://a.example", bhttp::verb::options);
    req.set(bhttp::field::access_control_request_headers, "content-type");
    ASSERT_TRUE(sio::engineio::is_preflight(cors, req));
    auto res = sio::engineio::preflight_response(cors, req);
    EXPECT_EQ(res.result(), bhttp::status::no_content);
    EXPECT_EQ(res[bhttp::field::access_control_allow_origin], "http://a.example");
    EXPECT_EQ(res[bhttp::field::access_control_allow_credentials], "true");
    EXPECT_NE(res[bhttp::field::access_control_allow_methods].find("POST"), std::string_view::npos);
    EXPECT_EQ(res[bhttp::field::access_control_allow_headers], "content-type");
    EXPECT_EQ(res[bhttp::field::content_length], "0");
}
