// The leader's read-index queue; see read_only.hpp.
#include "raft/read_only.hpp"

namespace meridian::raft {

status read_only::check_room() const {
  if (size() >= max_pending_) {
    return error(errc::limit_exceeded, "read-index queue is full (" +
                                           std::to_string(max_pending_) +
                                           " requests wait; max_pending_reads)");
  }
  return ok_status();
}

result<std::uint64_t> read_only::add(std::uint64_t index, std::string context, node_id from) {
  MERIDIAN_TRY(check_room());
  std::uint64_t round = next_round_++;
  pending_.push_back(read_request{index, std::move(context), from, round});
  return round;
}

std::vector<read_request> read_only::release(std::uint64_t confirmed_round) {
  std::vector<read_request> out;
  while (!pending_.empty() && pending_.front().round <= confirmed_round) {
    out.push_back(std::move(pending_.front()));
    pending_.pop_front();
  }
  return out;
}

status read_only::defer(std::string context, node_id from) {
  MERIDIAN_TRY(check_room());
  deferred_.push_back(read_request{0, std::move(context), from, 0});
  return ok_status();
}

std::vector<read_request> read_only::take_deferred() {
  std::vector<read_request> out;
  out.swap(deferred_);
  return out;
}

void read_only::clear() {
  pending_.clear();
  deferred_.clear();
}

}  // namespace meridian::raft
