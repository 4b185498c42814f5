// Buffered writes and the scan merge; see write_buffer.hpp.
#include "txn/write_buffer.hpp"

#include "common/limits.hpp"
#include "storage/mvcc.hpp"

namespace meridian::txn {

using storage::mutation_kind;

status write_buffer::admit(const std::string& key, std::size_t value_bytes) {
  MERIDIAN_TRY(storage::check_key(key));
  auto existing = entries_.find(key);
  std::size_t old_bytes =
      existing == entries_.end() ? 0 : existing->first.size() + existing->second.value.size();
  std::size_t keys_after = entries_.size() + (existing == entries_.end() ? 1 : 0);
  std::size_t bytes_after = bytes_ - old_bytes + key.size() + value_bytes;
  if (keys_after > limits::max_txn_keys || bytes_after > limits::max_txn_bytes) {
    return error(errc::txn_too_large,
                 "the transaction would buffer " + std::to_string(keys_after) + " keys and " +
                     std::to_string(bytes_after) + " bytes; the limits are " +
                     std::to_string(limits::max_txn_keys) + " keys and " +
                     std::to_string(limits::max_txn_bytes) +
                     " bytes (split the work into smaller transactions)");
  }
  bytes_ = bytes_after;
  return ok_status();
}

status write_buffer::put(std::string key, std::string value) {
  MERIDIAN_TRY(storage::check_value(value));
  MERIDIAN_TRY(admit(key, value.size()));
  mutation m{mutation_kind::put, key, std::move(value)};
  entries_.insert_or_assign(std::move(key), std::move(m));
  return ok_status();
}

status write_buffer::del(std::string key) {
  MERIDIAN_TRY(admit(key, 0));
  mutation m{mutation_kind::del, key, {}};
  entries_.insert_or_assign(std::move(key), std::move(m));
  return ok_status();
}

status write_buffer::lock(std::string key) {
  if (entries_.count(key)) return ok_status();
  MERIDIAN_TRY(admit(key, 0));
  mutation m{mutation_kind::lock_only, key, {}};
  entries_.emplace(std::move(key), std::move(m));
  return ok_status();
}

const mutation* write_buffer::find(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<mutation> write_buffer::mutations() const {
  std::vector<mutation> out;
  out.reserve(entries_.size());
  for (const auto& [k, m] : entries_) out.push_back(m);
  return out;
}

scan_merger::scan_merger(const write_buffer& buffer, std::string start, std::string end,
                         std::size_t limit, bool reverse)
    : buffer_(buffer), start_(std::move(start)), end_(std::move(end)), limit_(limit),
      reverse_(reverse), cursor_(reverse_ ? end_ : start_) {
  if (limit_ == 0 || (!end_.empty() && start_ >= end_)) {
    done_ = true;
    out_.more = limit_ == 0 && (end_.empty() || start_ < end_);
    out_.resume_key = cursor_;
  }
}

std::optional<scan_merger::fetch> scan_merger::next_fetch() const {
  if (done_) return std::nullopt;
  std::size_t want = limit_ - out_.rows.size();
  if (reverse_) return fetch{start_, cursor_, want};
  return fetch{cursor_, end_, want};
}

void scan_merger::emit(const std::string& key, const std::string& value) {
  out_.rows.push_back(kv_pair{key, value});
}

// Merges snapshot rows with the buffered writes whose keys lie in [lo, hi) (hi empty = no
// bound), in scan order, stopping at the limit.
void scan_merger::merge_span(const std::vector<kv_pair>& rows, const std::string& lo,
                             const std::string& hi) {
  const auto& entries = buffer_.entries();
  auto first = entries.lower_bound(lo);
  auto last = hi.empty() ? entries.end() : entries.lower_bound(hi);
  std::vector<const mutation*> buffered;
  for (auto it = first; it != last; ++it) buffered.push_back(&it->second);
  if (reverse_) std::reverse(buffered.begin(), buffered.end());
  auto before = [&](const std::string& a, const std::string& b) {
    return reverse_ ? a > b : a < b;
  };
  std::size_t r = 0, b = 0;
  while (out_.rows.size() < limit_ && (r < rows.size() || b < buffered.size())) {
    bool take_buffer = r == rows.size() ||
                       (b < buffered.size() && !before(rows[r].key, buffered[b]->key));
    if (!take_buffer) {
      emit(rows[r].key, rows[r].value);
      ++r;
      continue;
    }
    const mutation& m = *buffered[b++];
    bool same_key = r < rows.size() && rows[r].key == m.key;
    if (m.kind == mutation_kind::put) emit(m.key, m.value);
    if (m.kind == mutation_kind::lock_only && same_key) emit(rows[r].key, rows[r].value);
    if (same_key) ++r;
  }
}

void scan_merger::feed(const scan_page& page) {
  MERIDIAN_ASSERT(!done_, "feed after the scan finished");
  std::string lo = reverse_ ? (page.more ? page.resume_key : start_) : cursor_;
  std::string hi = reverse_ ? cursor_ : (page.more ? page.resume_key : end_);
  merge_span(page.rows, lo, hi);
  if (out_.rows.size() >= limit_) {
    done_ = true;
    const std::string& last = out_.rows.back().key;
    bool at_end = reverse_ ? (last == start_) : false;
    out_.more = !at_end;
    out_.resume_key = reverse_ ? last : last + '\0';
    return;
  }
  if (!page.more) {
    done_ = true;
    out_.more = false;
    return;
  }
  cursor_ = page.resume_key;
}

}  // namespace meridian::txn
