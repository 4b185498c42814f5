// Small helpers shared by the benchmarks: wall-clock timing, running a phase in a child process
// (so each phase's peak RSS is its own), reading the heap in use, naming the file system, and
// printing figures side by side with their ratio and target.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace meridian::bench {

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Bytes of heap in use (malloc's view), for "the heap it adds stays flat".
std::size_t heap_in_use_bytes();
// Peak resident set of this process (VmHWM), KiB.
long peak_rss_kib_of_self();

// Runs `phase` in a forked child; the child writes "key=value" lines to the returned string via
// report(). Also reports the child's peak RSS in KiB as "peak_rss_kib".
struct child_result {
  bool ok = false;
  std::string output;  // key=value lines
  long peak_rss_kib = 0;
};
child_result run_in_child(const std::function<void(const std::function<void(const std::string&,
                                                                            double)>&)>& phase);
double field(const child_result& r, const std::string& key);

// "ext4", "tmpfs", ... for the directory.
std::string filesystem_name(const std::string& dir);

// One aligned row: label, ours, baseline, ratio, target ("" for none).
void print_row(const std::string& label, double ours, double baseline, const std::string& target);
std::string with_commas(double v);

// The p-quantile (0..1) of `v` by nearest rank below; 0 for an empty sample.
double percentile(std::vector<double> v, double p);

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace meridian::bench
