# Finds the Debian packages Meridian builds with and wraps the ones without a CMake config
# (CAF 0.17 ships neither a config nor a pkg-config file; see shared FACTS.md).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LMDB REQUIRED IMPORTED_TARGET lmdb)
# jemalloc serves the `meridian` binary's allocations: a transaction allocates and frees many small
# objects across actor threads, where glibc's malloc measured ~15% of the CPU (docs/benchmarks.md).
# The sanitizers bring their own allocator, so a sanitized build keeps the default one.
if(NOT MERIDIAN_SANITIZE AND NOT MERIDIAN_FUZZ)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()
find_package(doctest CONFIG REQUIRED)
include(doctest)
find_package(CLI11 CONFIG REQUIRED)

find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
find_library(CAF_IO_LIBRARY caf_io REQUIRED)
add_library(caf::core UNKNOWN IMPORTED)
set_target_properties(caf::core PROPERTIES IMPORTED_LOCATION ${CAF_CORE_LIBRARY}
                      INTERFACE_INCLUDE_DIRECTORIES ${CAF_INCLUDE_DIR}
                      INTERFACE_LINK_LIBRARIES Threads::Threads)
add_library(caf::io UNKNOWN IMPORTED)
set_target_properties(caf::io PROPERTIES IMPORTED_LOCATION ${CAF_IO_LIBRARY}
                      INTERFACE_LINK_LIBRARIES caf::core)

find_package(CapnProto CONFIG REQUIRED)
