// Where a violated invariant ends the process (see common/assert.hpp).
#include "common/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace meridian::detail {

void assert_failed(const char* expression, const std::string& why, const char* file, int line) {
  std::fprintf(stderr, "meridian: invariant violated at %s:%d: %s (%s)\n", file, line, expression,
               why.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace meridian::detail
