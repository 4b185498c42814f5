// Invariant checks that stay on in every build (TigerBeetle's TIGER_STYLE, LMDB's mdb_cassert):
// a violated invariant is a bug, so the process prints where and why and aborts, and the
// simulator's seed then reproduces it. Never use these for input a user can get wrong.
#pragma once

#include <string>

namespace meridian::detail {
[[noreturn]] void assert_failed(const char* expression, const std::string& why, const char* file,
                                int line);
}  // namespace meridian::detail

#define MERIDIAN_ASSERT(condition, why)                                           \
  do {                                                                            \
    if (!(condition)) ::meridian::detail::assert_failed(#condition, (why), __FILE__, __LINE__); \
  } while (false)
