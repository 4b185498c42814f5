// The coordinator over a scripted cluster_io (no actors, no Raft): each command and query is
// answered by the test, so a step of the commit path can be made to fail exactly once, or a
// read left waiting. Covers
// PROTOCOL.md "The commit path", classic commit: a primary whose min_commit_ts a reader pushed
// is committed above it only after the unchanged keys are validated again at the new commit_ts
// (a schema change that committed in between aborts the transaction instead).
#include <doctest/doctest.h>

#include <atomic>
#include <deque>

#include "actors/coordinator.hpp"
#include "actors/shard_protocol.hpp"
#include "txn/timestamp.hpp"

using namespace meridian;
using namespace meridian::actors;

namespace {

// Two shards split at "m"; a timestamp oracle counting up; every request answered inline.
class scripted_io final : public cluster_io {
 public:
  std::function<std::string(const shard_command&)> on_command;
  std::function<std::string(const shard_query&)> on_query;
  std::vector<shard_command> commands;
  std::uint64_t next_ts = txn::compose_ts(1'000'000, 0);

  std::optional<route> locate(std::string_view key) override {
    return key < "m" ? route{1, 1, "", "m"} : route{2, 1, "m", ""};
  }
  std::optional<route> locate_before(std::string_view key) override { return locate(key); }
  void refresh(txn::callback<txn::unit> done) override { done(txn::unit{}); }
  void command(shard_id, std::string bytes, txn::callback<std::string> done,
               resend_counter = nullptr) override {
    auto c = decode_command(bytes);
    REQUIRE(c.ok());
    commands.push_back(*c);
    if (hold) return held_commands.push_back([this, c = *c, done] { done(on_command(c)); });
    done(on_command(*c));
  }
  void query(shard_id, std::string bytes, txn::callback<std::string> done,
             resend_counter = nullptr) override {
    auto q = decode_query(bytes);
    REQUIRE(q.ok());
    if (hold) return held_queries.push_back(std::move(done));
    done(on_query(*q));
  }
  // While set, queries and timestamps wait here (an unavailable shard, a silent oracle).
  bool hold = false;
  std::vector<txn::callback<std::string>> held_queries;
  std::vector<txn::callback<std::uint64_t>> held_timestamps;
  std::vector<std::function<void()>> held_commands;  // each answers its command when run
  void query_stale(shard_id s, std::string bytes, txn::callback<std::string> done) override {
    query(s, std::move(bytes), std::move(done));
  }
  void timestamp(txn::callback<std::uint64_t> done, resend_counter = nullptr) override {
    if (hold) return held_timestamps.push_back(std::move(done));
    done(next_ts += 10);
  }
  void run_later(int rounds) {
    for (int i = 0; i < rounds && !later.empty(); ++i) {
      auto fn = std::move(later.front());
      later.pop_front();
      fn();
    }
  }
  // Delayed work (back-offs, heartbeats) waits here until the test runs it.
  void after(std::uint64_t, std::function<void()> fn) override { later.push_back(std::move(fn)); }
  std::deque<std::function<void()>> later;
  std::uint64_t now_ms() override { return 1'000'000; }
};

std::string prewrite_ok(const prewrite_cmd& p) {
  txn::prewrite_response r;
  r.keys.resize(p.request.mutations.size());
  return ok_answer(encode_prewrite_answer(r));
}

std::size_t count_commits(const scripted_io& io) {
  std::size_t n = 0;
  for (const auto& c : io.commands) n += std::holds_alternative<commit_cmd>(c);
  return n;
}

}  // namespace

TEST_CASE("coordinator: a pushed primary is validated again before it commits above the push") {
  for (bool schema_changed : {false, true}) {
    CAPTURE(schema_changed);
    scripted_io io;
    cluster_engine engine(io);
    std::uint64_t start_ts = 0, pushed_to = 0;
    bool pushed = false;
    io.on_query = [&](const shard_query& q) {
      const auto* latest = std::get_if<latest_write_query>(&q);
      REQUIRE(latest != nullptr);  // the only read: the unchanged key, at each commit_ts
      // The schema key last changed before the transaction began; in the second run, a schema
      // change commits between the first commit_ts and the one above the reader's push.
      bool after_push = pushed && latest->read.read_ts >= pushed_to;
      return ok_answer(encode_u64(schema_changed && after_push ? start_ts + 5 : start_ts - 5));
    };
    io.on_command = [&](const shard_command& c) -> std::string {
      if (const auto* p = std::get_if<prewrite_cmd>(&c)) return prewrite_ok(*p);
      if (const auto* cm = std::get_if<commit_cmd>(&c)) {
        if (!pushed) {  // a reader pushed the primary's min_commit_ts past this commit_ts
          pushed = true;
          pushed_to = cm->request.commit_ts + 100;
          txn::txn_error e(error(errc::commit_ts_expired, "pushed"));
          e.min_commit_ts = pushed_to;
          return encode_error(e);
        }
        return ok_answer(encode_u64(cm->request.commit_ts));
      }
      return ok_answer("");  // rollbacks
    };
    result<std::uint64_t> committed = error(errc::internal, "not run");
    bool finished = false;
    engine.begin({}, [&](result<std::unique_ptr<txn::transaction>> t) {
      REQUIRE(t.ok());
      start_ts = (*t)->start_ts();
      REQUIRE((*t)->put("a-row", "1").ok());
      REQUIRE((*t)->put("z-row", "1").ok());  // two shards, a key to validate: classic commit
      REQUIRE((*t)->validate_unchanged("b-schema").ok());
      (*t)->commit([&](result<std::uint64_t> r) {
        committed = r;
        finished = true;
      });
    });
    for (int i = 0; i < 100 && !io.later.empty() && !finished; ++i) {
      auto fn = std::move(io.later.front());
      io.later.pop_front();
      fn();
    }
    REQUIRE(finished);
    if (schema_changed) {
      REQUIRE_FALSE(committed.ok());
      CHECK(committed.err().code() == errc::write_conflict);
      CHECK(count_commits(io) == 1);  // only the pushed attempt: nothing committed above it
      CHECK(std::holds_alternative<rollback_cmd>(io.commands.back()));
    } else {
      REQUIRE(committed.ok());
      CHECK(*committed >= pushed_to);
      CHECK(count_commits(io) >= 2);
    }
  }
}

TEST_CASE("coordinator: a read or begin left waiting fails with cancelled once the flag is set") {
  // Ctrl-C while a shard or the oracle does not answer: the statement ends within a poll, not
  // after the request deadline; the late answer is dropped, never delivered twice.
  scripted_io io;
  cluster_engine engine(io);
  std::atomic<bool> cancel{false};
  txn::begin_options options;
  options.cancel = &cancel;
  std::unique_ptr<txn::transaction> t;
  engine.begin(options, [&](result<std::unique_ptr<txn::transaction>> r) {
    REQUIRE(r.ok());
    t = std::move(*r);
  });
  REQUIRE(t);
  io.hold = true;
  int answers = 0;
  result<std::optional<std::string>> read = std::optional<std::string>();
  t->get("a-row", [&](result<std::optional<std::string>> r) {
    ++answers;
    read = std::move(r);
  });
  io.run_later(5);  // the flag is looked at again and again while it is clear
  CHECK(answers == 0);
  cancel = true;
  io.run_later(5);
  REQUIRE(answers == 1);
  REQUIRE_FALSE(read.ok());
  CHECK(read.err().code() == errc::cancelled);
  REQUIRE(io.held_queries.size() == 1);
  io.held_queries.front()(ok_answer(""));  // the shard answers at last: dropped
  CHECK(answers == 1);

  cancel = false;
  int begun = 0;
  result<std::unique_ptr<txn::transaction>> second = error(errc::internal, "not run");
  engine.begin(options, [&](result<std::unique_ptr<txn::transaction>> r) {
    ++begun;
    second = std::move(r);
  });
  io.run_later(3);
  CHECK(begun == 0);
  cancel = true;
  io.run_later(3);
  REQUIRE(begun == 1);
  REQUIRE_FALSE(second.ok());
  CHECK(second.err().code() == errc::cancelled);
  REQUIRE(io.held_timestamps.size() == 1);
  io.held_timestamps.front()(io.next_ts += 10);
  CHECK(begun == 1);
  CHECK(io.later.empty());  // no poll outlives its settled race
}

TEST_CASE("coordinator: Ctrl-C during a commit releases the caller with an unknown outcome") {
  // A commit under way is not cut short (its outcome must settle), but the statement need not
  // wait out the commit deadline: it ends within a poll, as outcome_unknown, never 'cancelled'
  // (which would say it did not happen). Cancelled before the commit starts, nothing is sent.
  scripted_io io;
  io.on_command = [](const shard_command& c) {
    if (const auto* p = std::get_if<prewrite_cmd>(&c)) return prewrite_ok(*p);
    return ok_answer(encode_u64(0));
  };
  cluster_engine engine(io);
  std::atomic<bool> cancel{false};
  txn::begin_options options;
  options.cancel = &cancel;
  auto begin = [&] {
    std::unique_ptr<txn::transaction> t;
    engine.begin(options, [&](result<std::unique_ptr<txn::transaction>> r) {
      REQUIRE(r.ok());
      t = std::move(*r);
    });
    REQUIRE(t);
    REQUIRE(t->put("a-row", "1").ok());
    return t;
  };
  auto t = begin();
  io.hold = true;
  int answers = 0;
  result<std::uint64_t> committed = error(errc::internal, "not run");
  t->commit([&](result<std::uint64_t> r) {
    ++answers;
    committed = std::move(r);
  });
  REQUIRE(io.held_commands.size() == 1);  // the one-phase commit, sent and unanswered
  io.run_later(3);
  CHECK(answers == 0);
  cancel = true;
  io.run_later(3);
  REQUIRE(answers == 1);
  REQUIRE_FALSE(committed.ok());
  CHECK(committed.err().code() == errc::outcome_unknown);
  io.held_commands.front()();  // the shard answers at last: dropped
  CHECK(answers == 1);

  io.hold = false;
  cancel = false;
  auto late = begin();
  cancel = true;  // before COMMIT: the transaction simply does not commit
  std::size_t sent = io.commands.size();
  result<std::uint64_t> refused = std::uint64_t{0};
  late->commit([&](result<std::uint64_t> r) { refused = std::move(r); });
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.err().code() == errc::cancelled);
  CHECK(io.commands.size() == sent);
}

TEST_CASE("coordinator: a lock a read waits on is counted resolved once, when it is cleared") {
  // "locks resolved N" once counted every look at a live lock (127 for a handful of locks after
  // a crash); it counts the locks the read actually cleared.
  scripted_io io;
  int looks = 0;
  bool resolved = false;
  storage::locked_key met;
  met.key = "a-row";
  met.lock.primary = "b-primary";
  met.lock.start_ts = 7;
  met.lock.ttl_ms = 3000;
  io.on_query = [&](const shard_query&) {
    if (resolved) return ok_answer(encode_read({storage::read_result::state::value, "v", {}}));
    txn::txn_error e(error(errc::key_locked, "locked"));
    e.lock = met;
    return encode_error(e);
  };
  io.on_command = [&](const shard_command& c) {
    if (std::holds_alternative<check_txn_status_cmd>(c)) {
      txn::txn_status st;
      // Alive for two looks, then committed.
      st.outcome = ++looks < 3 ? txn::txn_status::state::locked : txn::txn_status::state::committed;
      st.lock = met.lock;
      st.commit_ts = 9;
      return ok_answer(encode_txn_status(st));
    }
    resolved = true;  // the resolve_lock command
    return ok_answer("");
  };
  cluster_engine engine(io);
  std::unique_ptr<txn::transaction> t;
  engine.begin({}, [&](result<std::unique_ptr<txn::transaction>> r) { t = std::move(*r); });
  REQUIRE(t);
  result<std::optional<std::string>> read = error(errc::internal, "not run");
  bool answered = false;
  t->get("a-row", [&](result<std::optional<std::string>> r) {
    read = std::move(r);
    answered = true;
  });
  for (int i = 0; i < 20 && !answered; ++i) io.run_later(1);
  REQUIRE(answered);
  REQUIRE(read.ok());
  CHECK(**read == "v");
  CHECK(looks == 3);
  CHECK(t->round_trips().lock_resolutions == 1);
}
