#pragma once
// CORS as the `cors` npm package does it for an origin list with credentials (docs/contract.md §2.6,
// docs/protocol.md §1.10). No origins configured: no headers at all, as Node's default.

#include <sio/engineio/options.hpp>
#include <sio/http/types.hpp>

namespace sio::engineio {

/** Adds Access-Control-Allow-Origin/-Credentials and Vary when the request Origin is allowed. */
void apply_cors(const CorsOptions& cors, const http::Request& req, http::Response& res);

/** True when this is a preflight we answer ourselves (CORS configured and method OPTIONS). */
bool is_preflight(const CorsOptions& cors, const http::Request& req);

/** The 204 preflight answer. */
http::Response preflight_response(const CorsOptions& cors, const http::Request& req);

}  // namespace sio::engineio
