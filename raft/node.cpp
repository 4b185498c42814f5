// Ready batches and their acknowledgement; see node.hpp for the persist/send/apply rule.
#include "raft/node.hpp"

#include <string>

namespace meridian::raft {

result<node> node::create(const config& cfg, const log_source& source) {
  MERIDIAN_TRY(cfg.validate());
  auto state = source.load_state();
  if (!state) return state.err();
  if (state->hard.commit > source.last_index()) {
    return error(errc::storage_corrupt,
                 "the stored Raft commit index " + std::to_string(state->hard.commit) +
                     " is beyond the stored log ending at " + std::to_string(source.last_index()));
  }
  if (cfg.applied_index > state->hard.commit &&
      cfg.applied_index > source.first_index() - 1) {
    return error(errc::invalid_config,
                 "raft config: applied_index " + std::to_string(cfg.applied_index) +
                     " is beyond the stored commit index " + std::to_string(state->hard.commit));
  }
  auto c = std::make_unique<core>(cfg, source, *state);
  return node(std::move(c), state->hard);
}

node::node(std::unique_ptr<core> c, storage::hard_state stored)
    : core_(std::move(c)), previous_soft_(core_->soft_state()), previous_hard_(stored) {}

bool node::has_ready() const {
  if (handed_out_.outstanding) return false;
  const raft_log& log = core_->log();
  return core_->soft_state() != previous_soft_ || core_->hard_state() != previous_hard_ ||
         log.has_unstable_entries() || log.pending_snapshot().has_value() ||
         log.has_next_committed_entries() || core_->has_messages() ||
         core_->has_read_states();
}

ready node::get_ready() {
  MERIDIAN_ASSERT(!handed_out_.outstanding, "get_ready() before advance() of the previous ready");
  const raft_log& log = core_->log();
  ready rd;
  if (core_->soft_state() != previous_soft_) {
    previous_soft_ = core_->soft_state();
    rd.soft_state = previous_soft_;
  }
  storage::hard_state hs = core_->hard_state();
  bool promise_changed = hs.term != previous_hard_.term || hs.vote != previous_hard_.vote;
  if (hs != previous_hard_) {
    rd.hard_state = hs;
    previous_hard_ = hs;
  }
  rd.entries = log.unstable_entries();
  if (log.pending_snapshot()) rd.snapshot = *log.pending_snapshot();
  rd.committed_entries = log.next_committed_entries();
  rd.read_states = core_->take_read_states();
  for (auto& m : core_->take_messages()) {
    bool acknowledges = m.type == message_type::append_response ||
                        m.type == message_type::vote_response;
    if (promise_changed || acknowledges) {
      rd.send_after_persist.push_back(std::move(m));
    } else {
      rd.send_now.push_back(std::move(m));
    }
  }
  rd.must_sync = promise_changed || !rd.entries.empty() || !rd.snapshot.empty();

  handed_out_ = handed_out{};
  handed_out_.outstanding = true;
  handed_out_.snapshot_index = rd.snapshot.metadata.index;
  if (!rd.entries.empty()) {
    handed_out_.last_entry_index = rd.entries.back().index;
    handed_out_.last_entry_term = rd.entries.back().term;
  }
  if (!rd.committed_entries.empty()) {
    handed_out_.last_committed_index = rd.committed_entries.back().index;
    for (const auto& e : rd.committed_entries) handed_out_.committed_payload_bytes += e.data.size();
  }
  return rd;
}

void node::advance() {
  MERIDIAN_ASSERT(handed_out_.outstanding, "advance() without an outstanding ready");
  if (handed_out_.snapshot_index != 0) core_->on_snapshot_persisted(handed_out_.snapshot_index);
  if (handed_out_.last_entry_index != 0) {
    core_->on_entries_persisted(handed_out_.last_entry_index, handed_out_.last_entry_term);
  }
  if (handed_out_.last_committed_index != 0) {
    core_->on_applied(handed_out_.last_committed_index, handed_out_.committed_payload_bytes);
  }
  handed_out_ = handed_out{};
}

node_info node::info() const {
  const core& c = *core_;
  node_info out;
  out.id = c.id();
  out.term = c.term();
  out.vote = c.vote();
  out.leader = c.leader();
  out.role = c.current_role();
  out.commit = c.log().committed();
  out.applied = c.log().applied();
  out.last_index = c.log().last_index();
  out.transfer_target = c.transfer_target();
  out.conf = c.members().config();
  if (c.current_role() == role::leader) {
    for (const auto& [id, pr] : c.members().all()) {
      out.progress[id] = node_info::follower{pr.match, pr.next, pr.state, pr.inflight.count()};
    }
  }
  return out;
}

}  // namespace meridian::raft
