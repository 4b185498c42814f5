// See process_memory.hpp.
#include "common/process_memory.hpp"

#include <cstdlib>
#include <fstream>
#include <string>

namespace meridian {
namespace {

long status_field_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::strtol(line.c_str() + prefix.size(), nullptr, 10);
  }
  return 0;
}

}  // namespace

long resident_kib() { return status_field_kib("VmRSS"); }
long peak_resident_kib() { return status_field_kib("VmHWM"); }

}  // namespace meridian
