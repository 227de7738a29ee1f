#include <sio/engineio/error.hpp>
