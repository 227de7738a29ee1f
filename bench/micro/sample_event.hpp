#pragma once
// The event every codec benchmark carries, so that their numbers compare: `chat` with one small
// object, as a chat or notification app sends it.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace sio::bench {

/** `["chat",{"user":"u1","text":"hello world","n":42}]`: the data of the EVENT packet. */
inline boost::json::array sample_event_data() {
    return boost::json::array{"chat", boost::json::object{{"user", "u1"}, {"text", "hello world"}, {"n", 42}}};
}

}  // namespace sio::bench
