// This process's memory as the kernel sees it (/proc/self/status), for benchmarks and soaks
// that must show their footprint stays flat. 0 when unavailable.
#pragma once

namespace meridian {

long resident_kib();       // VmRSS: resident now
long peak_resident_kib();  // VmHWM: the high-water mark

}  // namespace meridian
