// MD5 (RFC 1321), only for sqllogictest's "N values hashing to <md5>" results, whose format
// fixes the algorithm. Not for anything security-related. Pure function.
#pragma once

#include <string>
#include <string_view>

namespace meridian::query {

// Lower-case hex digest of `data`.
std::string md5_hex(std::string_view data);

}  // namespace meridian::query
