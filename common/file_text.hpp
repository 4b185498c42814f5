// Reading a whole input file (a saved history, a sqllogictest file) with a bound on its size: a
// path such as /dev/zero, or a file far larger than any real input, fails with invalid_argument
// naming the bound instead of reading until memory runs out.
#pragma once

#include <cstddef>
#include <string>

#include "common/result.hpp"

namespace meridian {

result<std::string> read_file_bounded(const std::string& path, std::size_t max_bytes,
                                      const std::string& what);

}  // namespace meridian
