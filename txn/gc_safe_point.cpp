// See gc_safe_point.hpp.
#include "txn/gc_safe_point.hpp"

#include <algorithm>

#include "txn/timestamp.hpp"

namespace meridian::txn {

std::optional<std::uint64_t> next_safe_point(std::uint64_t now_ts, std::uint64_t previous,
                                             const std::vector<gc_report>& reports,
                                             const gc_policy& policy) {
  std::uint64_t now_ms = physical_ms_of(now_ts);
  if (now_ms <= policy.retention_ms) return std::nullopt;
  std::uint64_t candidate = compose_ts(now_ms - policy.retention_ms, 0);
  for (const auto& r : reports) {
    std::uint64_t at_ms = physical_ms_of(r.reported_at);
    bool fresh = at_ms + policy.report_ttl_ms >= now_ms;
    // Strictly below the oldest active start_ts: a transaction at exactly the safe point would
    // have its prewrites refused (txn_too_old).
    if (fresh && r.oldest_active > 0) candidate = std::min(candidate, r.oldest_active - 1);
  }
  if (candidate <= previous) return std::nullopt;
  return candidate;
}

}  // namespace meridian::txn
