// Bounded whole-file reads; see file_text.hpp.
#include "common/file_text.hpp"

#include <fstream>

namespace meridian {

result<std::string> read_file_bounded(const std::string& path, std::size_t max_bytes,
                                      const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return error(errc::invalid_argument, "cannot read " + what + " " + path);
  std::string text;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    if (text.size() + static_cast<std::size_t>(in.gcount()) > max_bytes) {
      return error(errc::invalid_argument,
                   what + " " + path + " is larger than " + std::to_string(max_bytes >> 20) +
                       " MiB, more than any real one: split it, or check the path");
    }
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return error(errc::invalid_argument, "reading " + what + " " + path + " failed");
  return text;
}

}  // namespace meridian
