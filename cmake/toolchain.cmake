# Compiler settings shared by every target: warnings as errors for our code, ccache and lld when
# present (they halve a clean build on two cores), and the sanitizer switch used by `make asan`.
find_program(MERIDIAN_CCACHE ccache)
if(MERIDIAN_CCACHE)
  set(CMAKE_C_COMPILER_LAUNCHER ${MERIDIAN_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${MERIDIAN_CCACHE})
endif()

find_program(MERIDIAN_LLD ld.lld)
if(MERIDIAN_LLD)
  add_link_options(-fuse-ld=lld)
endif()

set(MERIDIAN_WARNINGS -Wall -Wextra -Werror -Wno-unused-parameter)

# Fuzz builds instrument every library, so libFuzzer's coverage reaches the code under test.
if(MERIDIAN_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined)
  add_link_options(-fsanitize=address,undefined)
  set(MERIDIAN_WARNINGS ${MERIDIAN_WARNINGS} -Wno-unused-command-line-argument)
endif()

if(MERIDIAN_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
