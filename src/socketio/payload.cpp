#include <sio/socketio/payload.hpp>
