# Warnings for the project's own targets (not for third-party headers, which come in as SYSTEM).
function(sio_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wcast-align -Wunused -Woverloaded-virtual)
  if(SIO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
