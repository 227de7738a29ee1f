# Build-time check that links between layers only point down (run by the sio_layering target).
#   core <- http <- engineio <- socketio <- adapter (Redis) <- facade (sio::Server) <- server
# The umbrella header include/sio/sio.hpp belongs to the facade layer.
# A file of layer L may include the public headers <sio/X/...> of L and of the layers below it,
# and the private headers "X/..." (relative to src/) of its own layer only: another layer's
# internals are not part of its interface. Usage: cmake -DSOURCE_DIR=<repo> -P check_layering.cmake
set(layers core http engineio socketio adapter facade server)

function(layer_rank name out)
  list(FIND layers "${name}" rank)
  set(${out} ${rank} PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE files RELATIVE "${SOURCE_DIR}"
     "${SOURCE_DIR}/include/sio/*.hpp" "${SOURCE_DIR}/src/*.hpp" "${SOURCE_DIR}/src/*.cpp"
     "${SOURCE_DIR}/server/*.hpp" "${SOURCE_DIR}/server/*.cpp")
set(violations "")
foreach(file IN LISTS files)
  if(file MATCHES "^(include/sio|src)/([a-z_]+)/")
    set(own "${CMAKE_MATCH_2}")
  elseif(file MATCHES "^include/sio/[^/]+$")
    set(own facade)
  elseif(file MATCHES "^server/")
    set(own server)
  else()
    continue()
  endif()
  layer_rank(${own} own_rank)
  if(own_rank EQUAL -1)
    string(APPEND violations "  ${file}: directory is in no layer (add it to cmake/check_layering.cmake)\n")
    continue()
  endif()
  file(STRINGS "${SOURCE_DIR}/${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  foreach(line IN LISTS includes)
    if(line MATCHES "<sio/([a-z_]+)/")
      layer_rank(${CMAKE_MATCH_1} rank)
      if(rank GREATER own_rank OR rank EQUAL -1)
        string(APPEND violations "  ${file}: ${line}  (layer ${own} may not use ${CMAKE_MATCH_1})\n")
      endif()
    elseif(line MATCHES "\"([a-z_]+)/[^\"]*\"")
      if(NOT CMAKE_MATCH_1 STREQUAL own)
        string(APPEND violations "  ${file}: ${line}  (private header of another layer)\n")
      endif()
    endif()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "sio layering: includes that climb up or reach into another layer's internals:\n${violations}")
endif()
