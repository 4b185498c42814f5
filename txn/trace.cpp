// Own-trace lookup over the write column; see trace.hpp.
#include "txn/trace.hpp"

#include <limits>

namespace meridian::txn {

using storage::committed_version;
using storage::write_kind;

result<own_trace> find_own_trace(storage::mvcc_reader& reader, std::string_view key,
                                 std::uint64_t start_ts) {
  MERIDIAN_ASSERT(start_ts > 0, "start_ts 0 is never issued");
  own_trace trace;
  bool rolled_back = false;
  MERIDIAN_TRY(reader.visit_writes(
      key, std::numeric_limits<std::uint64_t>::max(), start_ts,
      [&](const committed_version& v) {
        const auto& w = v.record;
        MERIDIAN_ASSERT(w.kind != write_kind::rollback || w.start_ts == v.commit_ts,
                        "a rollback record sits at its own start_ts");
        bool ours = w.start_ts == start_ts;
        if (ours && w.kind != write_kind::rollback) {
          MERIDIAN_ASSERT(trace.outcome == own_trace::state::none,
                          "two commit records of one transaction on one key");
          trace.outcome = own_trace::state::committed;
          trace.commit_ts = v.commit_ts;
          trace.record = w;
        } else if (v.commit_ts == start_ts && (ours || w.overlapped_rollback)) {
          rolled_back = true;
        } else if (!ours && v.commit_ts > start_ts && !trace.newer_foreign) {
          trace.newer_foreign = v;
        }
        return true;  // on to start_ts: a contradiction below must not go unnoticed
      }));
  MERIDIAN_ASSERT(!(rolled_back && trace.outcome == own_trace::state::committed),
                  "transaction " + std::to_string(start_ts) +
                      " is both committed and rolled back on one key");
  if (rolled_back) trace.outcome = own_trace::state::rolled_back;
  return trace;
}

result<std::optional<storage::write_record>> write_at(storage::mvcc_reader& reader,
                                                      std::string_view key, std::uint64_t ts) {
  std::optional<storage::write_record> found;
  MERIDIAN_TRY(reader.visit_writes(key, ts, ts, [&](const committed_version& v) {
    found = v.record;
    return false;
  }));
  return found;
}

storage::write_kind write_kind_of(storage::mutation_kind kind) {
  switch (kind) {
    case storage::mutation_kind::put:
      return write_kind::put;
    case storage::mutation_kind::del:
      return write_kind::del;
    case storage::mutation_kind::lock_only:
      return write_kind::lock_only;
  }
  MERIDIAN_ASSERT(false, "unknown mutation kind");
  return write_kind::put;
}

result<bool> commit_overlaps_rollback(storage::mvcc_reader& reader, std::string_view key,
                                      std::uint64_t start_ts, std::uint64_t commit_ts) {
  auto existing = write_at(reader, key, commit_ts);
  if (!existing) return existing.err();
  if (!existing->has_value()) return false;
  const auto& w = **existing;
  MERIDIAN_ASSERT(w.kind == write_kind::rollback && w.start_ts != start_ts,
                  "another commit record already sits at commit_ts " +
                      std::to_string(commit_ts));
  return true;
}

}  // namespace meridian::txn
