#include <sio/socketio/adapter.hpp>
