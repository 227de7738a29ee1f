#pragma once
// Named, levelled loggers (spdlog underneath). One logger per module:
//   static auto log = sio::core::logger("engineio");
//   log->warn("sid={} write failed: {}", sid, ec.message());
// error = our broken invariant; warn = peer misbehaviour worth counting; info = lifecycle;
// debug = per packet. Payloads are never logged above debug.

#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>

namespace sio::core {

/** The logger named `name`, created on first use with the process-wide level and sink. */
std::shared_ptr<spdlog::logger> logger(std::string_view name);

/** Sets the level of every logger, present and future: trace, debug, info, warn, error, off.
    Returns false for an unknown level name. Call at startup, before loops run. */
bool set_log_level(std::string_view level);

}  // namespace sio::core
