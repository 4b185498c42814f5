// The replica driver without actors: three replicas on in-memory engines and a hand-cranked
// network. Covers election and replication through storage, answers to proposals and reads,
// a proposal overwritten by a new leader (Raft §5.3: never applied, so proposal_dropped), restart
// after a power loss (§5.2 persistent state), and catching up a follower by snapshot after log
// compaction (§7).
#include "actors/replica.hpp"

#include <doctest/doctest.h>

#include <deque>
#include <set>

#include "actors/register_machine.hpp"
#include "storage/memory_engine.hpp"

using namespace meridian;
using namespace meridian::actors;

namespace {

struct harness {
  std::map<raft::node_id, std::unique_ptr<storage::memory_engine>> engines;
  std::map<raft::node_id, std::unique_ptr<replica>> replicas;
  std::deque<raft::message> wire;
  std::set<raft::node_id> down;
  std::map<std::uint64_t, result<std::string>> answers;
  replica_options options;
  std::uint64_t now_ms = 1000;
  std::function<std::unique_ptr<state_machine>(storage::kv_engine&)> machine_for =
      [](storage::kv_engine& e) { return std::make_unique<register_machine>(e); };

  explicit harness(std::uint64_t compact_after = 10'000, std::uint64_t keep = 1'000) {
    options.raft.election_timeout_ticks = 10;
    options.raft.heartbeat_interval_ticks = 1;
    options.compact_after_entries = compact_after;
    options.keep_entries = keep;
    for (raft::node_id id : {1, 2, 3}) {
      engines[id] = std::make_unique<storage::memory_engine>();
      open(id);
    }
  }

  void open(raft::node_id id) {
    replica_options o = options;
    o.id = id;
    o.shard = 7;
    o.raft.random_seed = id;
    o.clock_ms = [this] { return now_ms; };
    auto r = replica::open(o, *engines[id], machine_for(*engines[id]),
                           raft::conf_state{{1, 2, 3}, {}});
    REQUIRE(r.ok());
    replicas[id] = std::move(*r);
  }

  // Reopens every replica with leader-lease reads (thesis 6.4.1), as the cluster runs them.
  void use_lease_reads() {
    options.raft.reads = raft::read_mode::lease;
    options.raft.check_quorum = true;
    options.raft.max_clock_drift_ticks = 2;
    for (raft::node_id id : {1, 2, 3}) open(id);
  }

  void reopen_all() {
    for (raft::node_id id : {1, 2, 3}) open(id);
  }

  // One key as the engine holds it, without what the replica applied but has not flushed.
  std::optional<std::string> stored(raft::node_id id, const std::string& key) {
    auto snap = engines[id]->snapshot();
    REQUIRE(snap.ok());
    auto v = (*snap)->get(storage::cf::data, key);
    REQUIRE(v.ok());
    if (!v->has_value()) return std::nullopt;
    return std::string(**v);
  }

  void crash(raft::node_id id) {
    replicas.erase(id);
    engines[id]->lose_power();
    down.insert(id);
  }
  void restart(raft::node_id id) {
    down.erase(id);
    open(id);
  }

  void pump() {
    for (int round = 0; round < 1000; ++round) {
      bool busy = false;
      for (auto& [id, r] : replicas) {
        while (r->has_ready()) {
          busy = true;
          for (auto& m : r->begin_ready()) wire.push_back(std::move(m));
          auto out = r->finish_ready();
          REQUIRE(out.ok());
          for (auto& m : out->messages) wire.push_back(std::move(m));
          for (auto& d : out->done) answers.insert_or_assign(d.id, std::move(d.outcome));
        }
      }
      while (!wire.empty()) {
        busy = true;
        raft::message m = std::move(wire.front());
        wire.pop_front();
        if (down.count(m.to) || down.count(m.from) || !replicas.count(m.to)) continue;
        replicas[m.to]->step(std::move(m));
      }
      if (!busy) return;
    }
    FAIL("the network did not settle");
  }

  void ticks(int n) {
    for (int i = 0; i < n; ++i) {
      for (auto& [id, r] : replicas) r->tick();
      pump();
    }
  }

  raft::node_id leader() {
    for (auto& [id, r] : replicas) {
      if (r->info().role == raft::role::leader) return id;
    }
    return 0;
  }

  raft::node_id elect() {
    ticks(40);
    raft::node_id l = leader();
    REQUIRE(l != 0);
    return l;
  }
};

// Runs the leader's ready for what was proposed to it, then lets the followers append and
// acknowledge, so that the leader has committed the entries but not applied them yet (that is
// the work of its next ready).
void commit_without_applying(harness& h, raft::node_id leader) {
  for (auto& m : h.replicas[leader]->begin_ready()) h.wire.push_back(std::move(m));
  REQUIRE(h.replicas[leader]->finish_ready().ok());
  while (!h.wire.empty()) {
    raft::message m = std::move(h.wire.front());
    h.wire.pop_front();
    raft::node_id to_id = m.to;
    auto& to = *h.replicas[to_id];
    to.step(std::move(m));
    if (to_id != leader) {
      for (auto& out : to.begin_ready()) h.wire.push_back(std::move(out));
      auto done = to.finish_ready();
      REQUIRE(done.ok());
      for (auto& out : done->messages) h.wire.push_back(std::move(out));
    }
  }
  REQUIRE(h.replicas[leader]->info().commit > h.replicas[leader]->applied_index());
}

std::optional<std::string> read_answer(harness& h, std::uint64_t id) {
  REQUIRE(h.answers.count(id));
  auto& a = h.answers.at(id);
  REQUIRE(a.ok());
  return *register_machine::decode_read(*a);
}

// The register machine, where the value "locked" is a lock a later write of "free" removes: reads
// that see "locked" wait for that key (state_machine::wait_for), for at most 50 ms.
class waiting_register final : public state_machine {
 public:
  explicit waiting_register(storage::kv_engine& e) : inner_(e) {}
  result<applied_state> load() override { return inner_.load(); }
  result<std::vector<std::string>> apply(const std::vector<storage::log_entry>& entries,
                                         const std::optional<raft::conf_state>& conf,
                                         storage::kv_write_batch& batch) override {
    for (const auto& e : entries) {
      for (std::string k : {"x", "y"}) {
        if (e.data == register_machine::write_command(k, "free")) released_.push_back(k);
      }
    }
    return inner_.apply(entries, conf, batch);
  }
  result<std::string> query(const std::string& q) override { return inner_.query(q); }
  void reads_over(const storage::batch_overlay* u) override { inner_.reads_over(u); }
  storage::kv_engine& applied_view() override { return inner_.applied_view(); }
  result<std::string> snapshot_data() override { return inner_.snapshot_data(); }
  status restore(const raft::snapshot& snap) override { return inner_.restore(snap); }
  status sync() override { return inner_.sync(); }
  std::optional<read_wait> wait_for(const std::string& q, const result<std::string>& answer,
                                    std::uint64_t now) override {
    if (!answer || *register_machine::decode_read(*answer) != "locked") return std::nullopt;
    for (std::string k : {"x", "y"}) {
      if (q == register_machine::read_query(k)) return read_wait{k, now + 50};
    }
    return std::nullopt;
  }
  std::vector<std::string> take_released() override { return std::move(released_); }

 private:
  register_machine inner_;
  std::vector<std::string> released_;
};

}  // namespace

TEST_CASE("replica: a leader is elected through storage and a write is answered once applied") {
  harness h;
  auto l = h.elect();
  h.replicas[l]->propose(1, register_machine::write_command("x", "1"));
  h.pump();
  REQUIRE(h.answers.count(1));
  CHECK(h.answers.at(1).ok());
  h.replicas[l]->read(2, register_machine::read_query("x"));
  h.ticks(2);  // the read-index round needs a heartbeat
  CHECK(read_answer(h, 2) == "1");
  // Every replica applied it.
  for (auto& [id, r] : h.replicas) CHECK(r->applied_index() == h.replicas[l]->applied_index());
}

TEST_CASE("replica: a new group's campaign_now elects at once, asking peers again until they "
          "start") {
  harness h;
  h.use_lease_reads();
  // Peers 2 and 3 have not started yet (a split's new shard: their parents apply the split a
  // moment later): the first vote requests find nobody.
  h.down = {2, 3};
  h.replicas[1]->campaign_now(8);
  h.pump();
  CHECK(h.leader() == 0);
  h.down.clear();
  h.ticks(2);  // well inside the election timeout (10 ticks): only the retry can have elected
  CHECK(h.leader() == 1);
}

TEST_CASE("replica: after a restart campaign_now waits out the restart wait, then elects first") {
  // Every member restarted, each may have promised the old leader its lease, so none votes for
  // an election timeout (10 ticks); then the preferred member campaigns before the others'
  // randomized timeouts, in [T, 1.5 T), and leads.
  harness h;
  h.use_lease_reads();
  h.elect();
  for (raft::node_id id : {1, 2, 3}) h.crash(id);
  for (raft::node_id id : {1, 2, 3}) h.restart(id);
  h.replicas[3]->campaign_now(8);
  CHECK(h.replicas[3]->info().role == raft::role::follower);
  h.ticks(9);
  CHECK(h.leader() == 0);  // inside the restart wait: nobody may be elected
  h.ticks(3);
  CHECK(h.leader() == 3);
}

TEST_CASE("replica: a lease read is answered at once once the leader applied its commit index") {
  harness h;
  h.use_lease_reads();
  auto l = h.elect();
  raft::node_id follower = l == 1 ? 2 : 1;
  h.replicas[l]->propose(1, register_machine::write_command("x", "1"));
  h.pump();
  REQUIRE(h.answers.count(1));
  h.ticks(1);  // a heartbeat round acknowledged by a quorum: the lease holds
  auto now = h.replicas[l]->read_now(register_machine::read_query("x"));
  REQUIRE(now.has_value());
  REQUIRE(now->ok());
  CHECK(*register_machine::decode_read(**now) == "1");
  CHECK_FALSE(h.replicas[follower]->read_now(register_machine::read_query("x")).has_value());
  // Committed but not applied yet (the ready that applies it is still to come): the read waits,
  // since it must see every entry committed when it arrived (linearizability, thesis 6.4).
  h.replicas[l]->propose(2, register_machine::write_command("x", "2"));
  commit_without_applying(h, l);
  CHECK_FALSE(h.replicas[l]->read_now(register_machine::read_query("x")).has_value());
  h.pump();
  auto later = h.replicas[l]->read_now(register_machine::read_query("x"));
  REQUIRE((later && later->ok()));
  CHECK(*register_machine::decode_read(**later) == "2");
}

TEST_CASE("replica: a committed proposal is answered before the write that applies it lands") {
  // Raft §5.3/§8: an entry committed is durable on a quorum, and its output is a function of the
  // log; so the answer may leave while the leader's write of the applied state is still running,
  // and survives losing that write.
  harness h;
  auto l = h.elect();
  h.replicas[l]->propose(1, register_machine::write_command("x", "1"));
  commit_without_applying(h, l);
  for (auto& m : h.replicas[l]->begin_ready()) h.wire.push_back(std::move(m));
  auto staged = h.replicas[l]->stage_ready();
  REQUIRE(staged.ok());
  REQUIRE(staged->answers.size() == 1);
  CHECK(staged->answers[0].id == 1);
  CHECK(staged->answers[0].outcome.ok());
  // The leader loses power before its write runs: the applied state is gone, the log is not.
  h.wire.clear();
  h.crash(l);
  h.restart(l);
  h.ticks(40);
  auto leader = h.leader();
  REQUIRE(leader != 0);
  h.replicas[leader]->read(2, register_machine::read_query("x"));
  h.ticks(3);
  CHECK(read_answer(h, 2) == "1");
}

TEST_CASE("replica: a lease read during the leader's write sees what that write applies") {
  // The write of a ready runs on a persister while the replica serves reads: the read index is
  // the commit index, which the staged ready applied but the engine does not hold yet.
  harness h;
  h.options.flush_after_readies = 1;  // every ready that applies writes what it applied
  h.use_lease_reads();
  auto l = h.elect();
  h.ticks(1);
  h.replicas[l]->propose(1, register_machine::write_command("x", "1"));
  commit_without_applying(h, l);
  replica& leader = *h.replicas[l];
  for (auto& m : leader.begin_ready()) h.wire.push_back(std::move(m));
  auto staged = leader.stage_ready();
  REQUIRE(staged.ok());
  REQUIRE(staged->write != nullptr);
  auto during = leader.read_now(register_machine::read_query("x"));
  REQUIRE((during && during->ok()));
  CHECK(*register_machine::decode_read(**during) == "1");
  // The write lands (its batch is already visible through the overlay: applying it again in the
  // view changes nothing), and reads go back to the engine alone.
  REQUIRE(leader.complete_ready(staged->write->run()).ok());
  auto after = leader.read_now(register_machine::read_query("x"));
  REQUIRE((after && after->ok()));
  CHECK(*register_machine::decode_read(**after) == "1");
}

TEST_CASE("replica: a follower refuses proposals and fresh reads, naming the leader") {
  harness h;
  auto l = h.elect();
  raft::node_id follower = l == 1 ? 2 : 1;
  h.replicas[follower]->propose(5, register_machine::write_command("x", "1"));
  h.pump();
  REQUIRE(h.answers.count(5));
  CHECK(h.answers.at(5).err().code() == errc::not_leader);
  CHECK(h.answers.at(5).err().message().find("node " + std::to_string(l)) != std::string::npos);
  h.replicas[l]->propose(6, register_machine::write_command("y", "2"));
  h.pump();
  h.replicas[follower]->read(7, register_machine::read_query("y"));
  h.pump();
  REQUIRE(h.answers.count(7));
  CHECK(h.answers.at(7).err().code() == errc::not_leader);
  h.replicas[l]->read(8, register_machine::read_query("y"));
  h.ticks(3);
  CHECK(read_answer(h, 8) == "2");
}

TEST_CASE("replica: a proposal overwritten by a new leader is answered proposal_dropped") {
  harness h;
  auto old_leader = h.elect();
  // Cut the leader off, then propose: the entry reaches no one.
  for (raft::node_id id : {1, 2, 3}) {
    if (id != old_leader) h.down.insert(id);
  }
  h.replicas[old_leader]->propose(10, register_machine::write_command("lost", "1"));
  h.pump();
  h.down.clear();
  h.down.insert(old_leader);  // now the others elect a leader and write at the same index
  for (int i = 0; i < 60 && (h.leader() == 0 || h.leader() == old_leader); ++i) h.ticks(1);
  raft::node_id fresh = 0;
  for (auto& [id, r] : h.replicas) {
    if (id != old_leader && r->info().role == raft::role::leader) fresh = id;
  }
  REQUIRE(fresh != 0);
  h.replicas[fresh]->propose(11, register_machine::write_command("won", "1"));
  h.pump();
  h.down.clear();
  h.ticks(30);
  REQUIRE(h.answers.count(10));
  CHECK(h.answers.at(10).err().code() == errc::proposal_dropped);
}

TEST_CASE("replica: restart after a power loss keeps what was acknowledged") {
  harness h;
  auto l = h.elect();
  for (std::uint64_t i = 0; i < 20; ++i) {
    h.replicas[l]->propose(100 + i, register_machine::write_command("k" + std::to_string(i), "v"));
  }
  h.pump();
  for (std::uint64_t i = 0; i < 20; ++i) REQUIRE(h.answers.at(100 + i).ok());
  for (raft::node_id id : {1, 2, 3}) h.crash(id);
  for (raft::node_id id : {1, 2, 3}) h.restart(id);
  auto l2 = h.elect();
  h.replicas[l2]->read(200, register_machine::read_query("k19"));
  h.ticks(3);
  CHECK(read_answer(h, 200) == "v");
}

TEST_CASE("replica: a follower behind the compacted log catches up by snapshot") {
  harness h(/*compact_after=*/20, /*keep=*/5);
  auto l = h.elect();
  raft::node_id lagging = l == 3 ? 2 : 3;
  h.crash(lagging);
  for (std::uint64_t i = 0; i < 60; ++i) {
    h.replicas[l]->propose(300 + i, register_machine::write_command("k" + std::to_string(i),
                                                                    std::to_string(i)));
    h.pump();
  }
  CHECK(h.replicas[l]->log().first_index() > 10);  // the leader compacted its log
  h.restart(lagging);
  h.ticks(20);
  CHECK(h.replicas[lagging]->applied_index() == h.replicas[l]->applied_index());
  auto snap = h.engines[lagging]->snapshot();
  auto v = (*snap)->get(storage::cf::data, "k59");
  REQUIRE(v.ok());
  REQUIRE(v->has_value());
  CHECK(**v == "59");
}

TEST_CASE("replica: applied commands reach the engine in flushes; a crash before one replays them") {
  harness h;
  h.options.flush_after_readies = 1000;  // only ticks flush
  h.reopen_all();
  auto l = h.elect();
  h.replicas[l]->propose(1, register_machine::write_command("a", "1"));
  h.pump();
  REQUIRE(h.answers.at(1).ok());
  h.replicas[l]->read(2, register_machine::read_query("a"));
  h.pump();
  CHECK(read_answer(h, 2) == "1");           // applied: reads see it ...
  CHECK(h.stored(l, "a") == std::nullopt);   // ... from memory, laid over the engine
  CHECK(h.replicas[l]->landed_index() < h.replicas[l]->applied_index());
  h.ticks(1);
  CHECK(h.stored(l, "a") == "1");  // a tick flushed it
  CHECK(h.replicas[l]->landed_index() == h.replicas[l]->applied_index());
  h.replicas[l]->propose(3, register_machine::write_command("b", "2"));
  h.pump();
  REQUIRE(h.answers.at(3).ok());
  // Power loss everywhere before "b" was flushed anywhere: the log still has it (§5.2).
  for (raft::node_id id : {1, 2, 3}) CHECK(h.stored(id, "b") == std::nullopt);
  for (raft::node_id id : {1, 2, 3}) h.crash(id);
  for (raft::node_id id : {1, 2, 3}) h.restart(id);
  auto l2 = h.elect();
  h.replicas[l2]->read(4, register_machine::read_query("b"));
  h.replicas[l2]->read(5, register_machine::read_query("a"));
  h.ticks(3);
  CHECK(read_answer(h, 4) == "2");
  CHECK(read_answer(h, 5) == "1");
}

TEST_CASE("replica: the log is never compacted past what the engine holds (§7)") {
  harness h(/*compact_after=*/20, /*keep=*/5);
  h.options.flush_after_readies = 1000;
  h.reopen_all();
  auto l = h.elect();
  for (std::uint64_t i = 0; i < 60; ++i) {
    h.replicas[l]->propose(300 + i, register_machine::write_command("k" + std::to_string(i),
                                                                    std::to_string(i)));
    h.pump();
    if (i % 15 == 14) h.ticks(1);  // a flush now and then lets compaction go that far
    for (raft::node_id id : {1, 2, 3}) {
      CHECK(h.replicas[id]->log().first_index() <= h.replicas[id]->landed_index() + 1);
    }
  }
  CHECK(h.replicas[l]->log().first_index() > 10);  // it did compact
  for (raft::node_id id : {1, 2, 3}) h.crash(id);
  for (raft::node_id id : {1, 2, 3}) h.restart(id);
  auto l2 = h.elect();
  for (std::uint64_t i = 0; i < 60; ++i) {
    h.replicas[l2]->read(500 + i, register_machine::read_query("k" + std::to_string(i)));
  }
  h.ticks(3);
  for (std::uint64_t i = 0; i < 60; ++i) CHECK(read_answer(h, 500 + i) == std::to_string(i));
}

namespace {

// A leader under lease whose `key` holds "locked", and read 2 of that key parked on it.
raft::node_id park_a_read(harness& h, const std::string& key) {
  h.machine_for = [](storage::kv_engine& e) { return std::make_unique<waiting_register>(e); };
  h.use_lease_reads();
  auto l = h.elect();
  h.ticks(1);
  h.replicas[l]->propose(1, register_machine::write_command(key, "locked"));
  h.pump();
  std::optional<result<std::string>> answer;
  REQUIRE(h.replicas[l]->read_or_park(2, register_machine::read_query(key), answer) ==
          replica::read_outcome::parked);
  CHECK_FALSE(answer);
  return l;
}

}  // namespace

TEST_CASE("replica: a read that meets a lock is parked until a command releases its key") {
  harness h;
  replica& leader = *h.replicas[park_a_read(h, "x")];
  CHECK(leader.pending_requests() == 1);
  std::optional<result<std::string>> answer;
  leader.propose(3, register_machine::write_command("x", "free"));
  h.pump();
  REQUIRE(h.answers.count(2));  // read again once the write that releases "x" was applied
  CHECK(read_answer(h, 2) == "free");
  CHECK(leader.read_or_park(4, register_machine::read_query("x"), answer) ==
        replica::read_outcome::answered);
  CHECK(*register_machine::decode_read(**answer) == "free");
}

TEST_CASE("replica: a parked read gets the lock when its wait runs out or leadership moves") {
  harness h;
  raft::node_id l = park_a_read(h, "y");
  replica& leader = *h.replicas[l];
  std::optional<result<std::string>> answer;
  h.now_ms += 49;
  h.ticks(1);
  CHECK_FALSE(h.answers.count(2));
  h.now_ms += 1;  // 50 ms: the wait ran out; the reader resolves the lock itself
  h.ticks(1);
  REQUIRE(h.answers.count(2));
  CHECK(read_answer(h, 2) == "locked");
  REQUIRE(leader.read_or_park(3, register_machine::read_query("y"), answer) ==
          replica::read_outcome::parked);
  raft::node_id next = l == 1 ? 2 : 1;
  REQUIRE(leader.transfer_leader(next).ok());
  for (int i = 0; i < 20 && !h.answers.count(3); ++i) h.pump();
  REQUIRE(h.answers.count(3));  // a leader that steps down answers what it held
  CHECK(read_answer(h, 3) == "locked");
}

TEST_CASE("replica: a replica whose storage failed answers every request it held as it stops") {
  // A replica that cannot persist stops (etcd panics); its clients hear why at once instead of
  // at their timeouts. A proposal may still commit through the other replicas: outcome unknown.
  harness h;
  raft::node_id l = park_a_read(h, "x");
  replica& leader = *h.replicas[l];
  leader.propose(5, register_machine::write_command("x", "v"));
  CHECK(leader.pending_requests() == 2);
  auto done = leader.abandon(error(errc::storage_full, "no space left on device"));
  CHECK(leader.pending_requests() == 0);
  REQUIRE(done.size() == 2);
  std::map<std::uint64_t, errc> codes;
  for (auto& d : done) {
    REQUIRE_FALSE(d.outcome.ok());
    CHECK(d.outcome.err().message().find("no space left") != std::string::npos);
    codes[d.id] = d.outcome.err().code();
  }
  CHECK(codes[2] == errc::unavailable);      // the parked read: another replica may serve it
  CHECK(codes[5] == errc::outcome_unknown);  // the proposal: the others may still commit it
}
