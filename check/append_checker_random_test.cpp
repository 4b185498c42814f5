// Randomized guards for the list-append checker: serial executions (valid at every level) must
// pass and fail once an element is dropped from or reordered in a read; simulated snapshot
// isolation executions must pass under strict SI, and with stale snapshots under plain SI only;
// 5,000 transactions must check quickly. Seeds come from MERIDIAN_SEED when set and are printed
// with the command that replays them.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <random>

#include "check/append_test_support.hpp"

using namespace meridian::check;
using namespace meridian::check::append_testing;

namespace {

std::uint64_t base_seed() {
  const char* env = std::getenv("MERIDIAN_SEED");
  return env ? std::strtoull(env, nullptr, 10) : std::random_device{}();
}

struct planned_op {
  bool append;
  int key;
  int value;
};

std::vector<planned_op> plan(std::mt19937_64& rng, int keys, int& next_value) {
  std::vector<planned_op> ops(std::uniform_int_distribution<int>(1, 4)(rng));
  for (auto& op : ops) {
    op.append = rng() % 2 == 0;
    op.key = std::uniform_int_distribution<int>(0, keys - 1)(rng);
    op.value = op.append ? next_value++ : 0;
  }
  return ops;
}

// Runs a planned transaction against `state` (its view of the store): reads return the list as
// it stands, appends extend it. Returns the completed micro-operations.
json::array execute(const std::vector<planned_op>& ops, std::map<int, std::vector<int>>& state) {
  json::array out;
  for (const auto& op : ops) {
    if (op.append) {
      state[op.key].push_back(op.value);
      out.push_back(op_append(op.key, op.value));
    } else {
      out.push_back(op_read(op.key, state[op.key]));
    }
  }
  return out;
}

op_type random_outcome(std::mt19937_64& rng) {
  auto roll = rng() % 100;
  return roll < 85 ? op_type::ok : roll < 92 ? op_type::fail : op_type::info;
}

// One transaction at a time, each acknowledged before the next begins: valid by construction at
// every level, strict serializability included. Failed transactions change nothing; an info one
// takes effect or not, at random.
struct serial_history {
  txn_history b;
  std::map<int, std::pair<op_type, std::size_t>> writer_of;  // value -> (outcome, completion line)

  serial_history(std::uint64_t seed, int txns, int keys) {
    std::mt19937_64 rng(seed);
    std::map<int, std::vector<int>> store;
    int next_value = 1, process = 1;
    for (int i = 0; i < txns; ++i) {
      auto ops = plan(rng, keys, next_value);
      auto state = store;
      json::array done = execute(ops, state);
      op_type outcome = random_outcome(rng);
      if (outcome == op_type::ok || (outcome == op_type::info && rng() % 2 == 0)) store = state;
      b.run(process, outcome, done, 10 * i, 10 * i + 5);
      for (const auto& op : ops) {
        if (op.append) writer_of[op.value] = {outcome, b.h.size() - 1};
      }
      if (outcome == op_type::info) ++process;  // a client that saw info continues as another
    }
  }

  // Drops one element from a read, or swaps two adjacent ones, choosing elements that
  // acknowledged transactions other than the reader appended: the reader began after their
  // acknowledgement, so strict isolation is then necessarily broken. "" when no read qualifies.
  std::string corrupt(std::mt19937_64& rng, bool reorder, history& out) const {
    struct target {
      std::size_t line, mop, element;
    };
    std::vector<target> targets;
    for (std::size_t line = 0; line < b.h.size(); ++line) {
      if (b.h[line].type != op_type::ok) continue;
      const json::array& mops = b.h[line].value.as_array();
      for (std::size_t m = 0; m < mops.size(); ++m) {
        if (mops[m].as_array()[0].as_string() != "r") continue;
        const json::array& list = mops[m].as_array()[2].as_array();
        auto foreign = [&](std::size_t i) {
          auto [outcome, writer] = writer_of.at(static_cast<int>(list[i].as_int()));
          return outcome == op_type::ok && writer != line;
        };
        for (std::size_t i = 0; i + (reorder ? 1 : 0) < list.size(); ++i) {
          if (foreign(i) && (!reorder || foreign(i + 1))) targets.push_back({line, m, i});
        }
      }
    }
    if (targets.empty()) return "";
    target t = targets[rng() % targets.size()];
    out = b.h;
    out[t.line].value = json::parse(out[t.line].value.dump()).value();  // unshare before editing
    json::array& list = out[t.line].value.as_array()[t.mop].as_array()[2].as_array();
    std::string what =
        (reorder ? "swapped " + list[t.element].dump() + " and " + list[t.element + 1].dump()
                 : "dropped " + list[t.element].dump()) +
        " in the read on line " + std::to_string(t.line + 1);
    if (reorder) {
      std::swap(list[t.element], list[t.element + 1]);
    } else {
      list.erase(list.begin() + static_cast<std::ptrdiff_t>(t.element));
    }
    return what;
  }
};

// Clients running snapshot isolation against one store: a transaction reads a snapshot (plus its
// own appends) and commits at its completion unless another transaction committed an append to one
// of its keys after that snapshot (first committer wins). Valid under snapshot isolation by
// construction, write skew included. With staleness 0 the snapshot is taken at the invocation,
// which strict SI requires; a positive staleness takes it that long before, still valid SI.
class si_simulation {
 public:
  si_simulation(std::uint64_t seed, int keys, std::int64_t staleness_ns)
      : rng_(seed), keys_(keys), staleness_ns_(staleness_ns) {}

  history run(int txns, int clients) {
    plan_all(txns, clients);
    std::vector<event> events;
    for (std::size_t t = 0; t < planned_.size(); ++t) {
      events.push_back({planned_[t].start, false, t});
      events.push_back({planned_[t].end, true, t});
    }
    std::sort(events.begin(), events.end(), [](const event& a, const event& b) {
      return a.time != b.time ? a.time < b.time : a.completion < b.completion;
    });
    generation_.assign(static_cast<std::size_t>(clients), 0);
    for (const event& e : events)
      e.completion ? complete(planned_[e.txn]) : invoke(planned_[e.txn]);
    return std::move(h_);
  }
  // Reads by acknowledged transactions that missed an append acknowledged before they began.
  std::size_t stale_reads() const { return stale_reads_; }

 private:
  struct event {
    std::int64_t time;
    bool completion;  // invocations first at equal times, as the checker assumes
    std::size_t txn;
  };
  struct txn {
    int client;
    std::vector<planned_op> ops;
    std::int64_t start, end;
    std::map<int, std::size_t> snapshot;  // key -> committed length in the snapshot
    std::map<int, std::size_t> current;   // key -> committed length at the invocation
  };
  struct commit {
    std::int64_t time;
    int key;
    std::size_t length_before;
  };

  void plan_all(int txns, int clients) {
    std::vector<std::int64_t> free_at(static_cast<std::size_t>(clients), 0);
    for (int i = 0; i < txns; ++i) {
      int client = i % clients;
      std::int64_t start = free_at[client] + 1 + static_cast<std::int64_t>(rng_() % 5);
      std::int64_t end = start + 1 + static_cast<std::int64_t>(rng_() % 40);
      free_at[client] = end;
      planned_.push_back({client, plan(rng_, keys_, next_value_), start, end, {}, {}});
    }
  }
  int process(const txn& t) const { return t.client + 1000 * generation_[t.client]; }

  void invoke(txn& t) {
    for (int k = 0; k < keys_; ++k) t.snapshot[k] = t.current[k] = store_[k].size();
    for (auto c = commits_.rbegin(); c != commits_.rend() && c->time >= t.start - staleness_ns_;
         ++c) {
      t.snapshot[c->key] = std::min(t.snapshot[c->key], c->length_before);
    }
    std::map<int, std::vector<int>> nothing;
    h_.push_back(operation{process(t), op_type::invoke, "txn",
                           json(invocation_of(execute(t.ops, nothing))), t.start});
  }

  void complete(txn& t) {
    std::map<int, std::vector<int>> view;
    for (int k = 0; k < keys_; ++k) {
      view[k].assign(store_[k].begin(),
                     store_[k].begin() + static_cast<std::ptrdiff_t>(t.snapshot[k]));
    }
    json::array done = execute(t.ops, view);
    bool conflict = false;
    for (const auto& op : t.ops)
      conflict |= op.append && store_[op.key].size() != t.snapshot[op.key];
    for (const auto& op : t.ops) {
      if (conflict || !op.append) continue;
      commits_.push_back({t.end, op.key, store_[op.key].size()});
      store_[op.key].push_back(op.value);
    }
    op_type outcome = conflict ? op_type::fail : op_type::ok;
    if (rng_() % 100 < 5) outcome = op_type::info;  // the client lost the answer, either way
    for (const auto& op : t.ops) {
      if (!conflict && op.append) acknowledged_[op.value] = outcome == op_type::ok;
    }
    if (outcome == op_type::ok) count_stale_reads(t);
    h_.push_back(operation{process(t), outcome, "txn",
                           json(outcome == op_type::ok ? done : invocation_of(done)), t.end});
    if (outcome == op_type::info) ++generation_[t.client];
  }

  void count_stale_reads(const txn& t) {
    for (const auto& op : t.ops) {
      if (op.append || t.snapshot.at(op.key) == t.current.at(op.key)) continue;
      stale_reads_ += acknowledged_[store_[op.key][t.snapshot.at(op.key)]] ? 1 : 0;
    }
  }

  std::mt19937_64 rng_;
  int keys_;
  std::int64_t staleness_ns_;
  int next_value_ = 1;
  std::vector<txn> planned_;
  std::vector<int> generation_;
  std::map<int, std::vector<int>> store_;
  std::vector<commit> commits_;
  std::map<int, bool> acknowledged_;  // value -> its committed append was acknowledged ok
  std::size_t stale_reads_ = 0;
  history h_;
};

}  // namespace

TEST_CASE("append checker: random serial histories pass, a dropped or reordered element fails") {
  std::uint64_t seed = base_seed();
  INFO("seed " << seed << " (replay: MERIDIAN_SEED=" << seed
               << " ./build-check/check/check_tests -tc='append checker: random serial*')");
  int caught = 0;
  for (int trial = 0; trial < 40; ++trial) {
    INFO("trial " << trial);
    serial_history g(seed + static_cast<std::uint64_t>(trial), 60, 3);
    auto clean = check_append(g.b.h, serializable(true));
    REQUIRE_MESSAGE(clean.valid, (clean.anomalies.empty() ? "" : clean.anomalies[0]));
    CHECK(clean.count(append_anomaly::g2_item) == 0);
    std::mt19937_64 rng(seed + static_cast<std::uint64_t>(trial));
    for (bool reorder : {false, true}) {
      history corrupted;
      std::string what = g.corrupt(rng, reorder, corrupted);
      if (what.empty()) continue;
      INFO(what);
      CHECK_FALSE(check_append(corrupted, strict_si()).valid);
      ++caught;
    }
  }
  CHECK(caught > 40);  // most trials have a read to corrupt both ways
}

TEST_CASE("append checker: random snapshot isolation executions are valid under strict SI") {
  std::uint64_t seed = base_seed();
  INFO("seed " << seed << " (replay: MERIDIAN_SEED=" << seed
               << " ./build-check/check/check_tests -tc='append checker: random snapshot*')");
  std::size_t write_skews = 0;
  for (int trial = 0; trial < 20; ++trial) {
    INFO("trial " << trial);
    history h = si_simulation(seed + static_cast<std::uint64_t>(trial), 3, 0).run(300, 6);
    auto r = check_append(h, strict_si());
    CHECK_MESSAGE(r.valid, (r.anomalies.empty() ? "" : r.anomalies[0]));
    write_skews += r.count(append_anomaly::g2_item) + r.count(append_anomaly::g2_item_realtime);
  }
  MESSAGE("G2-item cycles found in 20 SI executions: " << write_skews);
  CHECK(write_skews > 0);  // six clients on three keys skew often; the checker must see it
}

TEST_CASE("append checker: stale snapshots are valid SI, and strict mode catches each history") {
  std::uint64_t seed = base_seed();
  INFO("seed " << seed << " (replay: MERIDIAN_SEED=" << seed
               << " ./build-check/check/check_tests -tc='append checker: stale snapshots*')");
  int stale_histories = 0;
  for (int trial = 0; trial < 20; ++trial) {
    INFO("trial " << trial);
    si_simulation sim(seed + static_cast<std::uint64_t>(trial), 3, 60);
    history h = sim.run(300, 6);
    auto si = check_append(h);
    CHECK_MESSAGE(si.valid, (si.anomalies.empty() ? "" : si.anomalies[0]));
    if (sim.stale_reads() == 0) continue;
    ++stale_histories;
    auto strict = check_append(h, strict_si());
    CHECK_FALSE(strict.valid);
    CHECK(strict.count(append_anomaly::g_single_realtime) > 0);
  }
  CHECK(stale_histories >= 15);  // a 60 ns lag on 6 clients misses acknowledged appends often
}

TEST_CASE("append checker: 5,000 concurrent transactions check quickly") {
  history h = si_simulation(base_seed(), 8, 0).run(5000, 10);
  auto start = std::chrono::steady_clock::now();
  auto r = check_append(h, strict_si());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("checked " << r.transactions << " transactions (" << r.committed << " committed) in "
                     << seconds << " s");
  CHECK(r.valid);
  CHECK(r.transactions == 5000);
  // The goal is well under a second in an optimized build; the bound leaves room for sanitizers.
  CHECK(seconds < 3.0);
}
