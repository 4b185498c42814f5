// Benchmark helpers; see bench_util.hpp.
#include "bench/bench_util.hpp"

#include <malloc.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/process_memory.hpp"

namespace meridian::bench {

long peak_rss_kib_of_self() { return peak_resident_kib(); }

// jemalloc's control interface, when the binary allocates with it (the meridian binary does;
// test binaries do not): glibc's mallinfo2() knows nothing of jemalloc's heap.
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp,
                       std::size_t newlen) __attribute__((weak));

std::size_t heap_in_use_bytes() {
  if (mallctl != nullptr) {
    std::uint64_t epoch = 1;
    std::size_t len = sizeof epoch;
    mallctl("epoch", &epoch, &len, &epoch, len);  // refreshes the statistics below
    std::size_t allocated = 0;
    len = sizeof allocated;
    if (mallctl("stats.allocated", &allocated, &len, nullptr, 0) == 0) return allocated;
  }
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

child_result run_in_child(const std::function<void(const std::function<void(const std::string&,
                                                                            double)>&)>& phase) {
  int fds[2];
  child_result out;
  if (pipe(fds) != 0) return out;
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    auto report = [&](const std::string& key, double value) {
      std::string line = key + "=" + std::to_string(value) + "\n";
      (void)!write(fds[1], line.data(), line.size());
    };
    phase(report);
    report("peak_rss_kib", static_cast<double>(peak_rss_kib_of_self()));
    close(fds[1]);
    std::_Exit(0);
  }
  close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.output.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  out.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  out.peak_rss_kib = static_cast<long>(field(out, "peak_rss_kib"));
  return out;
}

double field(const child_result& r, const std::string& key) {
  std::istringstream in(r.output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) == 0) return std::strtod(line.c_str() + key.size() + 1, nullptr);
  }
  return 0;
}

std::string filesystem_name(const std::string& dir) {
  struct statfs s {};
  if (statfs(dir.c_str(), &s) != 0) return "unknown";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53:
      return "ext4";
    case 0x01021994:
      return "tmpfs";
    case 0x58465342:
      return "xfs";
    case 0x794c7630:
      return "overlayfs";
    case 0x9123683E:
      return "btrfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(s.f_type));
      return buf;
    }
  }
}

std::string with_commas(double v) {
  long long n = static_cast<long long>(v + 0.5);
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

void print_row(const std::string& label, double ours, double baseline, const std::string& target) {
  double ratio = baseline > 0 ? ours / baseline : 0;
  std::printf("  %-44s %14s %14s %7.2f  %s\n", label.c_str(), with_commas(ours).c_str(),
              with_commas(baseline).c_str(), ratio, target.c_str());
  std::fflush(stdout);
}

}  // namespace meridian::bench
