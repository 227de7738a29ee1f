# Warnings for the project's own targets (not for third-party headers, which come in as SYSTEM).
function(sio_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wcast-align -Wunused -Woverloaded-virtual)
  # GCC 12 at -O3 reports std::string internals as maybe-uninitialized / overlapping after inlining
  # (GCC PR 105562 and friends): false positives that -Werror would turn into failed builds.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized -Wno-restrict -Wno-array-bounds -Wno-stringop-overflow)
  endif()
  if(SIO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
