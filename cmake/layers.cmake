# meridian_layer(NAME DEPS ...): a static library `meridian_NAME` from NAME/*.cpp (tests, fuzz
# targets and benches excluded), and, when NAME/*_test.cpp exist, a test executable
# `NAME_tests` whose doctest cases ctest discovers one by one; with MERIDIAN_FUZZ, a libFuzzer
# executable per NAME/*_fuzz.cpp.
add_library(meridian_doctest_main STATIC ${CMAKE_SOURCE_DIR}/cmake/doctest_main.cpp)
target_link_libraries(meridian_doctest_main PUBLIC doctest::doctest)

function(meridian_layer name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp)
  list(FILTER sources EXCLUDE REGEX "(_test|_fuzz|_bench)\\.cpp$")
  add_library(meridian_${name} STATIC ${sources})
  target_include_directories(meridian_${name} PUBLIC ${CMAKE_SOURCE_DIR})
  target_compile_options(meridian_${name} PRIVATE ${MERIDIAN_WARNINGS})
  target_link_libraries(meridian_${name} PUBLIC ${ARG_DEPS})
  if(MERIDIAN_FUZZ)
    file(GLOB fuzzers CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_fuzz.cpp)
    foreach(fuzzer ${fuzzers})
      get_filename_component(fuzz_name ${fuzzer} NAME_WE)
      add_executable(${fuzz_name} ${fuzzer})
      target_compile_options(${fuzz_name} PRIVATE -fsanitize=fuzzer,address,undefined)
      target_link_options(${fuzz_name} PRIVATE -fsanitize=fuzzer,address,undefined)
      target_link_libraries(${fuzz_name} PRIVATE meridian_${name})
    endforeach()
  endif()
  if(tests)
    add_executable(${name}_tests ${tests})
    target_compile_options(${name}_tests PRIVATE ${MERIDIAN_WARNINGS})
    target_link_libraries(${name}_tests PRIVATE meridian_${name} ${ARG_TEST_DEPS}
                          meridian_doctest_main)
    doctest_discover_tests(${name}_tests TEST_PREFIX "${name}/"
                           WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
  endif()
endfunction()
