# `cmake --install <build dir> --prefix <dir>` installs the public headers, the static libraries
# and a CMake package: an application finds it with `find_package(sio CONFIG REQUIRED)` and
# links `sio::sio` (every layer) or one layer such as `sio::sio_socketio`.
include(CMakePackageConfigHelpers)

set(sio_install_cmakedir ${CMAKE_INSTALL_LIBDIR}/cmake/sio)
install(DIRECTORY include/sio TYPE INCLUDE)
install(TARGETS sio_core sio_http sio_engineio sio_socketio sio_adapter_redis sio_facade sio
        EXPORT sioTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT sioTargets NAMESPACE sio:: DESTINATION ${sio_install_cmakedir})
configure_package_config_file(cmake/sioConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/sioConfig.cmake
                              INSTALL_DESTINATION ${sio_install_cmakedir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/sioConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/sioConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/sioConfigVersion.cmake
        DESTINATION ${sio_install_cmakedir})
