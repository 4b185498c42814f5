// The shard simulator's writers; see shard_workload.hpp.
#include "sim/shard_workload.hpp"

#include <caf/all.hpp>

#include <cstdio>

#include "sim/txn_workloads.hpp"

namespace meridian::sim {

using namespace std::chrono;
using check::json;
using check::op_type;
using txn_handle = std::shared_ptr<std::unique_ptr<txn::transaction>>;

namespace {

constexpr std::size_t read_page_rows = 1000;

struct read_state {
  bool done = false;
  std::optional<error> failure;
  std::vector<std::string> keys;
};

// Scans [start, end of the key space) page by page inside one transaction.
void scan_from(txn_handle t, std::string start, std::shared_ptr<read_state> state) {
  (*t)->scan(start, "", read_page_rows, false, [t, state](result<txn::scan_page> page) {
    if (!page) {
      state->failure = page.err();
      state->done = true;
      return;
    }
    for (const auto& row : page->rows) state->keys.push_back(row.key);
    if (page->more) return scan_from(t, page->resume_key, state);
    (*t)->rollback([](result<txn::unit>) {});
    state->done = true;
  });
}

}  // namespace

std::string key_of(std::uint32_t n) {
  char text[16];
  std::snprintf(text, sizeof text, "k/%06u", n % key_space);
  return text;
}

set_writers::set_writers(runtime& rt, actors::cluster& cluster, std::uint64_t seed)
    : rt_(rt), cluster_(cluster), rng_(seed * 0x9e3779b97f4a7c15ull + 7) {}

set_writers::~set_writers() {
  for (auto& w : writers_) caf::anon_send_exit(w.client.handle, caf::exit_reason::kill);
  rt_.run_ready();
}

void set_writers::add_writer(node_id home) {
  writer w;
  w.client = spawn_txn_client(rt_.system(), cluster_, home);
  w.home = home;
  w.process = next_process_++;
  writers_.push_back(std::move(w));
}

void set_writers::record(std::int64_t process, op_type type, const std::string& f, json value) {
  history_.push_back(check::operation{process, type, f, std::move(value), rt_.now_ns()});
}

std::string set_writers::random_key(std::size_t w) {
  auto n = static_cast<std::uint32_t>(rng_() % key_space);
  return key_of(n) + "/w" + std::to_string(w) + "-" + std::to_string(writers_[w].next++);
}

void set_writers::start() {
  if (running_) return;
  running_ = true;
  for (std::size_t w = 0; w < writers_.size(); ++w) post(writers_[w].client, [this, w] { loop(w); });
}

void set_writers::loop(std::size_t w) {
  if (!running_) return;
  add(w, random_key(w), writers_[w].process, [this, w] {
    auto pause_ms = 1 + rng_() % 40;
    (*writers_[w].client.io)->after(pause_ms, [this, w] { loop(w); });
  });
}

bool set_writers::probe(std::size_t w, const std::string& start, const std::string& end) {
  // Right after `start`: "\x01" sorts below every byte of the writers' keys, so some number of
  // them fits below any end above start (an end made by splitting at an earlier probe key too).
  actors::shard_record range{0, start, end, 0, {}, ""};
  std::string key = start;
  for (int ones = 1; ones <= 8; ++ones) {
    key += '\x01';
    std::string candidate = key + "probe/" + std::to_string(probes_);
    if (!range.contains(candidate)) continue;
    ++probes_;
    std::int64_t process = next_process_++;
    post(writers_[w].client, [this, w, candidate, process] { add(w, candidate, process, {}); });
    return true;
  }
  return false;
}

void set_writers::add(std::size_t w, std::string key, std::int64_t process,
                      std::function<void()> then) {
  std::int64_t invoke_ns = rt_.now_ns();
  record(process, op_type::invoke, "add", json(key));
  ++in_flight_;
  auto done = [this, w, key, process, invoke_ns, then](std::optional<error> failure) {
    --in_flight_;
    finish(w, key, process, invoke_ns, std::move(failure));
    if (then) then();
  };
  (*writers_[w].client.engine)->begin({}, [key, done](result<std::unique_ptr<txn::transaction>> t) {
    if (!t) return done(t.err());
    auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
    if (auto put = (*holder)->put(key, "v"); !put) return done(put.err());
    (*holder)->commit([holder, done](result<std::uint64_t> r) {
      if (!r) return done(r.err());
      done(std::nullopt);
    });
  });
}

void set_writers::finish(std::size_t w, std::string key, std::int64_t process,
                         std::int64_t invoke_ns, std::optional<error> failure) {
  op_type type = failure ? outcome_of(*failure) : op_type::ok;
  record(process, type, "add", json(key));
  // Jepsen: a process whose operation ended unknown continues under a new process id.
  if (type == op_type::info && writers_[w].process == process) writers_[w].process = next_process_++;
  outcomes_.push_back(add_outcome{std::move(key), w, invoke_ns, rt_.now_ns(), std::move(failure),
                                  type == op_type::info});
}

status set_writers::final_read(std::size_t w, nanoseconds limit) {
  auto until = rt_.now() + limit;
  status last = error(errc::timeout, "the final read did not finish in time");
  while (rt_.now() < until) {
    std::int64_t process = next_process_++;
    record(process, op_type::invoke, "read", json());
    auto state = std::make_shared<read_state>();
    auto engine = writers_[w].client.engine;
    post(writers_[w].client, [engine, state] {
      (*engine)->begin({}, [state](result<std::unique_ptr<txn::transaction>> t) {
        if (!t) {
          state->failure = t.err();
          state->done = true;
          return;
        }
        scan_from(std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t)), "", state);
      });
    });
    while (!state->done && rt_.now() < until) rt_.run_until(rt_.now() + milliseconds(100));
    if (state->done && !state->failure) {
      json::array keys;
      for (const auto& k : state->keys) keys.push_back(json(k));
      record(process, op_type::ok, "read", json(std::move(keys)));
      final_keys_ = std::move(state->keys);
      return ok_status();
    }
    if (state->failure) last = *state->failure;
    record(process, state->done ? op_type::fail : op_type::info, "read", json());
  }
  return last;
}

}  // namespace meridian::sim
