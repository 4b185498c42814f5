// The replica driver; see replica.hpp.
#include "actors/replica.hpp"

#include "common/crc32.hpp"
#include "storage/key_codec.hpp"

namespace meridian::actors {

status replica_options::validate() const {
  if (id == 0) return error(errc::invalid_config, "replica: node id 0 is reserved");
  if (keep_entries >= compact_after_entries) {
    return error(errc::invalid_config, "replica: keep_entries must be below compact_after_entries");
  }
  if (flush_after_readies == 0 || flush_after_bytes == 0) {
    return error(errc::invalid_config, "replica: flush_after_readies and _bytes must be positive");
  }
  if (max_pending_requests == 0) {
    return error(errc::invalid_config, "replica: max_pending_requests must be positive");
  }
  return ok_status();
}

result<raft::stored_state> replica_log_source::load_state() const {
  auto applied = machine_.load();
  if (!applied) return applied.err();
  return raft::stored_state{log_.state(), applied->conf};
}

result<raft::snapshot> replica_log_source::snapshot() const {
  auto applied = machine_.load();
  if (!applied) return applied.err();
  auto data = machine_.snapshot_data();
  if (!data) return data.err();
  raft::snapshot snap;
  snap.metadata.index = applied->index;
  snap.metadata.term = applied->term;
  snap.metadata.conf = applied->conf;
  snap.data = std::move(*data);
  return snap;
}

replica::replica(replica_options options, storage::kv_engine& engine,
                 std::unique_ptr<state_machine> machine)
    : options_(std::move(options)), engine_(engine), machine_(std::move(machine)) {
  machine_->reads_over(&unlanded_);
}

result<std::unique_ptr<replica>> replica::open(replica_options options,
                                               storage::kv_engine& engine,
                                               std::unique_ptr<state_machine> machine,
                                               std::optional<raft::conf_state> bootstrap) {
  std::optional<raft::snapshot> snap;
  if (bootstrap) snap = raft::bootstrap_snapshot(*bootstrap);
  return open_with(std::move(options), engine, std::move(machine), std::move(snap));
}

result<std::unique_ptr<replica>> replica::open_with(replica_options options,
                                                    storage::kv_engine& engine,
                                                    std::unique_ptr<state_machine> machine,
                                                    std::optional<raft::snapshot> bootstrap) {
  MERIDIAN_TRY(options.validate());
  std::unique_ptr<replica> r(new replica(std::move(options), engine, std::move(machine)));
  MERIDIAN_TRY(r->start(std::move(bootstrap)));
  return r;
}

status replica::start(std::optional<raft::snapshot> bootstrap) {
  auto log = storage::log_store::open(engine_);
  if (!log) return log.err();
  log_ = std::move(*log);
  auto applied = machine_->load();
  if (!applied) return applied.err();
  bool empty = log_->last_index() == 0 && log_->state().term == 0 && applied->index == 0;
  if (empty && bootstrap) {
    const raft::snapshot& snap = *bootstrap;
    MERIDIAN_TRY(machine_->restore(snap));
    log_->reset(storage::snapshot_marker{snap.metadata.index, snap.metadata.term});
    log_->set_hard_state(raft::bootstrap_hard_state());
    applied = machine_->load();
    if (!applied) return applied.err();
  }
  // A crash between installing a snapshot into the state machine and resetting the log leaves
  // the state machine ahead: its state at `index` is committed, so the log restarts from there.
  auto term_at_applied = log_->term(applied->index);
  if (applied->index > 0 && (!term_at_applied || *term_at_applied != applied->term)) {
    if (!term_at_applied && term_at_applied.err().code() == errc::log_compacted) {
      return error(errc::storage_corrupt, "the log was compacted beyond the state machine");
    }
    log_->reset(storage::snapshot_marker{applied->index, applied->term});
  }
  if (log_->state().commit < applied->index) {
    storage::hard_state hs = log_->state();
    hs.commit = applied->index;
    log_->set_hard_state(hs);
  }
  if (log_->has_staged()) {
    auto synced = log_->sync();
    if (!synced) return synced.err();
  }
  source_ = std::make_unique<replica_log_source>(*log_, *machine_);
  raft::config cfg = options_.raft;
  cfg.id = options_.id;
  cfg.applied_index = applied->index;
  auto node = raft::node::create(cfg, *source_);
  if (!node) return node.err();
  node_.emplace(std::move(*node));
  applied_ = applied->index;
  landed_ = applied->index;
  return ok_status();
}

void replica::campaign_now(int attempts) {
  campaigns_left_ = attempts;
  // A group that has had a leader restarted: its members refuse votes for an election timeout
  // after their restart (they may have promised a lease), so the first attempt waits that out;
  // it still comes before the randomized timeouts of the others, in [T, 1.5 T).
  bool restarted = node_->info().term > raft::bootstrap_term;
  ticks_to_campaign_ = restarted ? options_.raft.election_timeout_ticks : 0;
  retry_campaign();
}

void replica::retry_campaign() {
  if (campaigns_left_ == 0) return;
  auto info = node_->info();
  bool waiting = info.leader == raft::no_node && (info.role == raft::role::follower ||
                                                  info.role == raft::role::pre_candidate);
  if (!waiting) campaigns_left_ = 0;
  if (campaigns_left_ == 0 || ticks_to_campaign_-- > 0) return;
  --campaigns_left_;
  ticks_to_campaign_ = std::max<std::uint64_t>(options_.raft.heartbeat_interval_ticks, 1) - 1;
  node_->campaign();
}

void replica::tick() {
  node_->tick();
  retry_campaign();
  if (!unlanded_.empty()) flush_wanted_ = true;
  expire_parked(false);
}

void replica::step(raft::message m) {
  if (m.to != options_.id) return;
  (void)node_->step(std::move(m));  // a malformed message is dropped; Raft stays consistent
}

error replica::not_leader() const {
  auto leader = node_->info().leader;
  return error(errc::not_leader,
               "node " + std::to_string(options_.id) + " does not lead shard " +
                   std::to_string(options_.shard) +
                   (leader == raft::no_node ? std::string("; no leader is known yet")
                                            : "; node " + std::to_string(leader) + " does"));
}

bool replica::admit(std::uint64_t id) {
  if (pending_requests() < options_.max_pending_requests) return true;
  immediate_.push_back(request_done{
      id, error(errc::limit_exceeded, "shard " + std::to_string(options_.shard) + " has " +
                                          std::to_string(pending_requests()) +
                                          " requests waiting; try again shortly")});
  return false;
}

void replica::propose(std::uint64_t id, std::string command) {
  if (!admit(id)) return;
  auto info = node_->info();
  if (info.role != raft::role::leader) {
    immediate_.push_back(request_done{id, not_leader()});
    return;
  }
  // The request id doubles as the token of what prepare() holds for the command.
  auto prepared = machine_->prepare(command, id, now_ms());
  if (!prepared) {
    machine_->release(id);
    immediate_.push_back(request_done{id, prepared.err()});
    return;
  }
  auto index = node_->propose(std::move(*prepared));
  if (!index) {
    machine_->release(id);
    immediate_.push_back(request_done{id, index.err().code() == errc::not_leader
                                              ? not_leader()
                                              : index.err()});
    return;
  }
  proposals_[*index] = pending_proposal{id, info.term};
}

void replica::propose_periodic(std::uint64_t fresh_ts) {
  if (node_->info().role != raft::role::leader) return;
  auto command = machine_->periodic_command(fresh_ts);
  if (!command) return;
  // Ids with the top bit set belong to no client: their answers are dropped by the actor.
  propose((std::uint64_t{1} << 63) | next_read_context_++, std::move(*command));
}

void replica::leader_timestamp(std::uint64_t term, std::uint64_t ts) {
  auto info = node_->info();
  if (info.role == raft::role::leader && info.term == term) machine_->leader_timestamp(term, ts);
}

void replica::finish_proposal(std::uint64_t index, result<std::string> outcome,
                              ready_output& out) {
  auto it = proposals_.find(index);
  if (it == proposals_.end()) return;
  machine_->release(it->second.id);
  out.done.push_back(request_done{it->second.id, std::move(outcome)});
  proposals_.erase(it);
}

void replica::propose_conf_change(std::uint64_t id, const raft::conf_change& change) {
  if (!admit(id)) return;
  auto info = node_->info();
  auto index = node_->propose_conf_change(change);
  if (!index) {
    immediate_.push_back(request_done{id, index.err()});
    return;
  }
  proposals_[*index] = pending_proposal{id, info.term};
}

void replica::read(std::uint64_t id, std::string query) {
  if (!admit(id)) return;
  auto info = node_->info();
  if (info.leader == raft::no_node) {
    immediate_.push_back(request_done{
        id, error(errc::unavailable, "shard " + std::to_string(options_.shard) +
                                         " has no known leader (an election is under way)")});
    return;
  }
  // Fresh reads are served by the leader only: it must see every read's timestamp before it
  // reads (max_ts, memory locks: PROTOCOL.md "Where a read runs"), which a follower's forwarded
  // read-index request would not carry. The answer names the leader.
  if (info.role != raft::role::leader) {
    immediate_.push_back(request_done{id, not_leader()});
    return;
  }
  if (auto s = machine_->before_read(query); !s) {
    immediate_.push_back(request_done{id, s.err()});
    return;
  }
  std::uint64_t context = next_read_context_++;
  std::string ctx;
  storage::codec::append_u64_be(ctx, context);
  if (auto s = node_->read_index(ctx); !s) {
    immediate_.push_back(request_done{id, s.err()});
    return;
  }
  reads_[context] = pending_read{id, std::move(query), 0};
}

std::optional<result<std::string>> replica::read_now(const std::string& query) {
  auto index = node_->raw().lease_read_index();
  if (!index || *index > applied_) return std::nullopt;
  if (auto s = machine_->before_read(query); !s) return result<std::string>(s.err());
  return machine_->query(query);
}

replica::read_outcome replica::read_or_park(std::uint64_t id, const std::string& query,
                                            std::optional<result<std::string>>& answer) {
  answer = read_now(query);
  if (!answer) return read_outcome::not_now;
  parked_read read{id, query, *answer, 0};
  if (!park(read)) return read_outcome::answered;
  answer.reset();
  return read_outcome::parked;
}

// Parks `read` (taking it) if its answer (what it just got, and gets should the wait run out) is
// worth waiting on; its until_ms, when set, bounds the wait (a read parked again keeps its first
// deadline). Left as it was when not parked.
bool replica::park(parked_read& read) {
  if (parked_.size() >= options_.max_pending_requests) return false;
  auto wait = machine_->wait_for(read.query, read.answer, now_ms());
  if (!wait) return false;
  std::uint64_t until =
      read.until_ms == 0 ? wait->until_ms : std::min(read.until_ms, wait->until_ms);
  if (until <= now_ms()) return false;
  read.until_ms = until;
  parked_.emplace(std::move(wait->key), std::move(read));
  return true;
}

// Reads parked on `keys` go again: answered, or parked on the next lock they meet.
void replica::wake_parked(std::vector<std::string> keys, ready_output& out) {
  if (parked_.empty()) return;
  std::vector<parked_read> woken;
  for (const auto& k : keys) {
    auto [lo, hi] = parked_.equal_range(k);
    for (auto it = lo; it != hi; ++it) woken.push_back(std::move(it->second));
    parked_.erase(lo, hi);
  }
  for (auto& p : woken) {
    auto again = read_now(p.query);
    if (!again) {  // the lease lapsed meanwhile: the reader resolves the lock it met itself
      out.done.push_back(request_done{p.id, std::move(p.answer)});
      continue;
    }
    p.answer = std::move(*again);  // the lock it meets now, should it wait in vain
    if (!park(p)) out.done.push_back(request_done{p.id, std::move(p.answer)});
  }
}

std::vector<request_done> replica::abandon(const error& cause) {
  std::vector<request_done> done = std::move(immediate_);
  immediate_.clear();
  std::string why = "replica " + std::to_string(options_.id) + " of shard " +
                    std::to_string(options_.shard) + " stopped: " + cause.to_string();
  for (auto& [index, p] : proposals_) {
    done.push_back(request_done{p.id, error(errc::outcome_unknown, why)});
  }
  proposals_.clear();
  for (auto& [context, r] : reads_) done.push_back(request_done{r.id, error(errc::unavailable, why)});
  reads_.clear();
  for (auto& [key, r] : parked_) done.push_back(request_done{r.id, error(errc::unavailable, why)});
  parked_.clear();
  return done;
}

// Answers parked reads whose wait ran out (all of them when `all`) with the lock they met.
void replica::expire_parked(bool all) {
  std::uint64_t now = now_ms();
  for (auto it = parked_.begin(); it != parked_.end();) {
    if (!all && it->second.until_ms > now) {
      ++it;
      continue;
    }
    immediate_.push_back(request_done{it->second.id, std::move(it->second.answer)});
    it = parked_.erase(it);
  }
}

std::vector<raft::message> replica::begin_ready() {
  if (!node_->has_ready()) return {};
  ready_ = node_->get_ready();
  return std::move(ready_->send_now);
}

status replica::persist(raft::ready& rd) {
  if (!rd.snapshot.empty()) {
    // The snapshot replaces everything applied before it, flushed or not. State machine first,
    // then the log: a crash in between is repaired by start().
    unlanded_.clear();
    readies_unflushed_ = 0;
    MERIDIAN_TRY(machine_->restore(rd.snapshot));
    log_->reset(storage::snapshot_marker{rd.snapshot.metadata.index, rd.snapshot.metadata.term});
    applied_ = rd.snapshot.metadata.index;
    landed_ = applied_;
  }
  if (rd.hard_state) log_->set_hard_state(*rd.hard_state);
  if (!rd.entries.empty()) log_->append(std::move(rd.entries));
  return ok_status();
}

status replica::apply(std::vector<storage::log_entry>& entries, ready_output& out) {
  if (entries.empty()) return ok_status();
  std::optional<raft::conf_state> conf;
  for (const auto& e : entries) {
    if (e.type != static_cast<std::uint8_t>(raft::entry_type::conf_change)) continue;
    auto change = raft::decode_conf_change(e.data);
    if (!change) return error(errc::storage_corrupt, "a committed conf change is malformed");
    conf = node_->apply_conf_change(*change);
  }
  storage::kv_write_batch batch;
  auto outputs = machine_->apply(entries, conf, batch);
  if (!outputs) return outputs.err();
  unlanded_.add(batch);
  ++readies_unflushed_;
  MERIDIAN_ASSERT(outputs->size() == entries.size(), "one output per applied entry");
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto it = proposals_.find(entries[i].index);
    if (it == proposals_.end()) continue;
    if (it->second.term == entries[i].term) {
      finish_proposal(entries[i].index, std::move((*outputs)[i]), out);
    } else {
      finish_proposal(entries[i].index,
                      error(errc::proposal_dropped,
                            "the proposal lost its place in the log to a new leader's entry; it "
                            "was never applied"),
                      out);
    }
  }
  if (options_.record_applied) {
    for (const auto& e : entries) {
      std::string typed(1, static_cast<char>(e.type));
      out.applied.push_back(applied_entry{e.index, e.term, crc32c(e.data, crc32c(typed))});
    }
  }
  MERIDIAN_ASSERT(entries.back().index > applied_, "the applied index only grows");
  applied_ = entries.back().index;
  return ok_status();
}

void replica::serve_reads(ready_output& out) {
  for (auto it = reads_.begin(); it != reads_.end();) {
    if (it->second.index == 0 || it->second.index > applied_) {
      ++it;
      continue;
    }
    out.done.push_back(request_done{it->second.id, machine_->query(it->second.query)});
    it = reads_.erase(it);
  }
}

void replica::fail_reads(const error& e, ready_output& out) {
  for (auto it = reads_.begin(); it != reads_.end();) {
    if (it->second.index != 0) {
      ++it;  // confirmed by a leader already: still served once applied
      continue;
    }
    out.done.push_back(request_done{it->second.id, e});
    it = reads_.erase(it);
  }
}

status replica::maybe_compact() {
  std::uint64_t first = log_->first_index();
  if (applied_ < first + options_.compact_after_entries) return ok_status();
  // Never past what the engine holds: a restart applies the rest again from the log.
  std::uint64_t target = std::min(applied_ - options_.keep_entries, landed_);
  if (target < first || target > log_->last_index()) return ok_status();
  MERIDIAN_TRY(machine_->sync());  // the entries dropped must be durable in the state machine
  log_->compact(target);
  return ok_status();
}

result<ready_output> replica::finish_ready() {
  auto staged = stage_ready();
  if (!staged) return staged.err();
  auto out = complete_ready(staged->write ? staged->write->run() : std::uint64_t{0});
  if (!out) return out.err();
  out->done.insert(out->done.begin(), std::make_move_iterator(staged->answers.begin()),
                   std::make_move_iterator(staged->answers.end()));
  return out;
}

result<std::uint64_t> replica::pending_write::run() { return log->sync(applied, durability); }

bool replica::flush_due() const {
  return !unlanded_.empty() && (flush_wanted_ || readies_unflushed_ >= options_.flush_after_readies ||
                                unlanded_.batch().bytes() >= options_.flush_after_bytes);
}

// The node's ready: persisted into the log store (staged there), applied into unlanded_. True
// when it must be durable before its acknowledgements leave.
result<bool> replica::stage_node_ready(ready_output& out) {
  raft::ready& rd = *ready_;
  std::uint64_t before_snapshot = applied_;
  // A change of term or vote, new entries or a snapshot must be on disk before the ready's
  // acknowledgements leave; a commit index alone need not (Raft's commitIndex is volatile).
  bool must_write = rd.must_sync || !rd.entries.empty() || !rd.snapshot.empty();
  MERIDIAN_TRY(persist(rd));
  if (applied_ != before_snapshot) {
    // A snapshot jumped over these proposals: whether ours is among them is unknown.
    while (!proposals_.empty() && proposals_.begin()->first <= applied_) {
      finish_proposal(proposals_.begin()->first,
                      error(errc::outcome_unknown,
                            "a snapshot replaced the log around this proposal"),
                      out);
    }
  }
  if (rd.soft_state) {
    out.soft_state_changed = true;
    auto info = node_->info();
    machine_->leadership_changed(rd.soft_state->role == raft::role::leader, info.term);
    fail_reads(error(errc::unavailable, "the shard's leader changed; retry the read"), out);
    expire_parked(true);
  }
  out.messages = std::move(rd.send_after_persist);
  for (const auto& rs : rd.read_states) {
    if (rs.context.size() != 8) continue;
    auto it = reads_.find(storage::codec::decode_u64_be(rs.context));
    if (it != reads_.end()) it->second.index = rs.index;
  }
  MERIDIAN_TRY(apply(rd.committed_entries, out));
  wake_parked(machine_->take_released(), out);
  return must_write;
}

result<replica::staged_ready> replica::stage_ready() {
  MERIDIAN_ASSERT(!staged_, "a ready is staged already");
  staged_ready staged;
  ready_output out;
  bool must_write = false;
  if (ready_) {
    auto must = stage_node_ready(out);
    if (!must) return must.err();
    must_write = *must;
  }
  // One write for the ready: its log entries and hard state and, when a flush is due, what was
  // applied since the last one (group commit). send_after_persist leaves only after it; the
  // answers to the proposals this ready applied may leave before (staged_ready::answers).
  if (unlanded_.empty()) flush_wanted_ = false;  // a snapshot replaced it, or nothing came
  bool flush = flush_due();
  staged.answers = std::move(out.done);
  out.done.clear();
  staged_ = std::move(out);
  if (!must_write && !flush) return staged;
  pending_write write;
  write.log = log_.get();
  write.durability = must_write ? storage::durability::sync : storage::durability::relaxed;
  if (flush) write.applied = &unlanded_.batch();
  in_flight_ = std::move(write);
  staged.write = &*in_flight_;
  return staged;
}

result<ready_output> replica::complete_ready(result<std::uint64_t> synced) {
  MERIDIAN_ASSERT(staged_.has_value(), "no ready is staged");
  ready_output out = std::move(*staged_);
  staged_.reset();
  if (in_flight_) {
    if (!synced) return synced.err();
    if (in_flight_->applied) {
      // The engine holds everything applied now: reads need no overlay until the next apply.
      unlanded_.clear();
      readies_unflushed_ = 0;
      flush_wanted_ = false;
      landed_ = applied_;  // nothing applies between stage_ready() and complete_ready()
    }
    in_flight_.reset();
  }
  if (ready_) {
    node_->advance();
    ready_.reset();
    for (auto& spawn : machine_->take_spawns()) {
      auto info = node_->info();
      spawn.conf = info.conf;
      spawn.campaign = info.role == raft::role::leader;
      out.spawns.push_back(std::move(spawn));
    }
    serve_reads(out);
    MERIDIAN_TRY(maybe_compact());
  }
  for (auto& d : immediate_) out.done.push_back(std::move(d));
  immediate_.clear();
  return out;
}

}  // namespace meridian::actors
