// The core's log; see raft_log.hpp. Reads of the persisted part go through log_source; an error
// other than log_compacted or log_unavailable there is fatal (see log_source.hpp).
#include "raft/raft_log.hpp"

#include <algorithm>
#include <string>

namespace meridian::raft {
namespace {

template <class T>
void assert_readable(const result<T>& r, const char* what) {
  if (r.ok()) return;
  errc c = r.err().code();
  MERIDIAN_ASSERT(c == errc::log_compacted || c == errc::log_unavailable,
                  std::string("Raft storage failed in ") + what + ": " + r.err().to_string());
}

}  // namespace

raft_log::raft_log(const log_source& source, std::size_t max_committed_bytes)
    : source_(source),
      unstable_(source.last_index() + 1),
      max_committed_bytes_(max_committed_bytes),
      committed_(source.first_index() - 1),
      applied_(source.first_index() - 1) {}

std::uint64_t raft_log::first_index() const {
  if (auto i = unstable_.maybe_first_index()) return *i;
  return source_.first_index();
}

std::uint64_t raft_log::last_index() const {
  if (auto i = unstable_.maybe_last_index()) return *i;
  return source_.last_index();
}

std::uint64_t raft_log::stable_last_index() const {
  // A pending snapshot replaces the stored log: nothing of the current log is durable yet.
  if (unstable_.pending_snapshot()) return 0;
  return std::min(unstable_.offset() - 1, last_index());
}

result<std::uint64_t> raft_log::term(std::uint64_t index) const {
  // The unstable part first: an index found there is in range without asking storage.
  if (auto t = unstable_.maybe_term(index)) return *t;
  if (index + 1 < first_index()) {
    return error(errc::log_compacted, "entry " + std::to_string(index) + " was compacted");
  }
  if (index > last_index()) {
    return error(errc::log_unavailable, "entry " + std::to_string(index) + " is beyond the log");
  }
  auto t = source_.term(index);
  assert_readable(t, "term");
  return t;
}

std::uint64_t raft_log::last_term() const {
  auto t = term(last_index());
  MERIDIAN_ASSERT(t.ok(), "the last entry's term is always known");
  return *t;
}

bool raft_log::match_term(std::uint64_t index, std::uint64_t t) const {
  auto ours = term(index);
  return ours.ok() && *ours == t;
}

bool raft_log::is_up_to_date(std::uint64_t index, std::uint64_t t) const {
  std::uint64_t ours = last_term();
  return t > ours || (t == ours && index >= last_index());
}

std::optional<std::uint64_t> raft_log::maybe_append(std::uint64_t index, std::uint64_t log_term,
                                                    std::uint64_t commit,
                                                    std::vector<storage::log_entry> entries) {
  if (!match_term(index, log_term)) return std::nullopt;
  std::uint64_t last_new = index + entries.size();
  std::uint64_t conflict = find_conflict(entries);
  if (conflict != 0) {
    MERIDIAN_ASSERT(conflict > committed_, "entry " + std::to_string(conflict) +
                                               " conflicts with the committed prefix ending at " +
                                               std::to_string(committed_));
    entries.erase(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(conflict - index - 1));
    append(std::move(entries));
  }
  commit_to(std::min(commit, last_new));
  return last_new;
}

std::uint64_t raft_log::append(std::vector<storage::log_entry> entries) {
  if (entries.empty()) return last_index();
  MERIDIAN_ASSERT(entries.front().index > committed_,
                  "append at " + std::to_string(entries.front().index) +
                      " would overwrite the committed prefix ending at " +
                      std::to_string(committed_));
  unstable_.truncate_and_append(std::move(entries));
  return last_index();
}

std::uint64_t raft_log::find_conflict(const std::vector<storage::log_entry>& entries) const {
  for (const auto& e : entries) {
    if (!match_term(e.index, e.term)) return e.index;
  }
  return 0;
}

std::pair<std::uint64_t, std::uint64_t> raft_log::find_conflict_by_term(std::uint64_t index,
                                                                        std::uint64_t t) const {
  for (; index > 0; --index) {
    auto ours = term(index);
    // Unknown (compacted): it may match, so stop here with an unknown term.
    if (!ours) return {index, 0};
    if (*ours <= t) return {index, *ours};
  }
  return {0, 0};
}

result<std::vector<storage::log_entry>> raft_log::slice(std::uint64_t lo, std::uint64_t hi,
                                                        std::size_t max_bytes) const {
  if (lo < first_index()) {
    return error(errc::log_compacted, "entry " + std::to_string(lo) + " was compacted");
  }
  MERIDIAN_ASSERT(lo <= hi && hi <= last_index() + 1,
                  "slice [" + std::to_string(lo) + ", " + std::to_string(hi) +
                      ") beyond the last index " + std::to_string(last_index()));
  std::vector<storage::log_entry> out;
  if (lo == hi) return out;
  std::uint64_t offset = unstable_.offset();
  if (lo < offset) {
    auto stored = source_.entries(lo, std::min(hi, offset), max_bytes);
    assert_readable(stored, "entries");
    if (!stored) return stored.err();
    out = std::move(*stored);
    // Storage stopped early at the byte bound: the unstable part cannot follow.
    if (out.size() < std::min(hi, offset) - lo) return out;
  }
  if (hi > offset) {
    auto pending = unstable_.slice(std::max(lo, offset), hi);
    out.insert(out.end(), std::make_move_iterator(pending.begin()),
               std::make_move_iterator(pending.end()));
  }
  limit_bytes(out, max_bytes);
  return out;
}

result<std::vector<storage::log_entry>> raft_log::entries(std::uint64_t lo,
                                                          std::size_t max_bytes) const {
  if (lo > last_index()) return std::vector<storage::log_entry>{};
  return slice(lo, last_index() + 1, max_bytes);
}

std::vector<storage::log_entry> raft_log::next_committed_entries() const {
  if (!has_next_committed_entries()) return {};
  auto out = slice(std::max(applied_ + 1, first_index()), committed_ + 1, max_committed_bytes_);
  MERIDIAN_ASSERT(out.ok(), "committed entries after the applied index are always readable");
  return std::move(*out);
}

bool raft_log::has_next_committed_entries() const {
  if (unstable_.pending_snapshot()) return false;
  return committed_ + 1 > std::max(applied_ + 1, first_index());
}

void raft_log::commit_to(std::uint64_t index) {
  if (index <= committed_) return;  // commit never goes back
  MERIDIAN_ASSERT(index <= last_index(), "commit " + std::to_string(index) +
                                             " beyond the last index " +
                                             std::to_string(last_index()));
  committed_ = index;
}

bool raft_log::maybe_commit(std::uint64_t max_index, std::uint64_t t) {
  if (max_index <= committed_) return false;
  auto at = term(max_index);
  if (!at || *at != t) return false;
  commit_to(max_index);
  return true;
}

void raft_log::applied_to(std::uint64_t index) {
  MERIDIAN_ASSERT(index >= applied_ && index <= committed_,
                  "applied " + std::to_string(index) + " outside [" + std::to_string(applied_) +
                      ", " + std::to_string(committed_) + "]");
  applied_ = index;
}

void raft_log::restore(raft::snapshot snap) {
  MERIDIAN_ASSERT(snap.metadata.index > committed_,
                  "snapshot at " + std::to_string(snap.metadata.index) +
                      " does not advance commit " + std::to_string(committed_));
  committed_ = snap.metadata.index;
  unstable_.restore(std::move(snap));
}

}  // namespace meridian::raft
