// The shard simulator's checks; see shard_checks.hpp.
#include "sim/shard_checks.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "actors/shard_machine.hpp"
#include "storage/key_codec.hpp"
#include "storage/mvcc.hpp"
#include "storage/partition_snapshot.hpp"
#include "txn/outcome.hpp"

namespace meridian::sim {

using namespace std::chrono;

std::shared_ptr<actors::replica> leader_replica(const actors::cluster& c, shard_id shard) {
  return c.leader_replica(shard);
}

namespace {

std::string text(const storage::partition_digest& d) {
  return "crc " + std::to_string(d.checksum) + ", " + std::to_string(d.entries) + " entries, " +
         std::to_string(d.bytes) + " bytes";
}

std::string node_list(const std::vector<node_id>& nodes) {
  std::string out;
  for (node_id n : nodes) out += (out.empty() ? "" : ",") + std::to_string(n);
  return "[" + out + "]";
}

// Checks one shard if its members are caught at one applied index: nullopt once checked (any
// violation added to `out`), else what it still waits for.
std::optional<std::string> try_converge(const actors::cluster& c, shard_id shard,
                                        std::vector<std::string>& out, convergence_report* report) {
  auto leader = leader_replica(c, shard);
  if (!leader) return std::string("no leader");
  raft::conf_state conf = leader->info().conf;
  std::vector<node_id> members = conf.voters;
  members.insert(members.end(), conf.learners.begin(), conf.learners.end());
  std::map<node_id, std::shared_ptr<actors::replica>> running;
  for (const auto& r : c.replicas(shard)) running[r->id()] = r;
  std::string indexes;
  std::set<std::uint64_t> applied;
  for (node_id n : members) {
    auto it = running.find(n);
    if (it == running.end()) return "member node " + std::to_string(n) + " runs no replica";
    applied.insert(it->second->applied_index());
    indexes += " node " + std::to_string(n) + "@" + std::to_string(it->second->applied_index());
  }
  if (applied.size() != 1) return "applied indexes differ:" + indexes;
  std::string where = "shard " + std::to_string(shard) + " at applied index " +
                      std::to_string(*applied.begin()) + ": ";
  for (const auto& [n, r] : running) {
    if (std::find(members.begin(), members.end(), n) == members.end()) {
      out.push_back(where + "node " + std::to_string(n) + " runs a replica but is not a member " +
                    node_list(members));
    }
  }
  std::optional<storage::partition_digest> first;
  for (node_id n : members) {
    // The applied state: the engine with what the replica has not flushed yet laid over it.
    auto d = digest_partition(running.at(n)->machine().applied_view(),
                              storage::state_machine_families());
    if (!d) {
      out.push_back(where + "node " + std::to_string(n) + ": " + d.err().to_string());
      continue;
    }
    if (!first) {
      first = *d;
    } else if (*d != *first) {
      out.push_back(where + "node " + std::to_string(n) + " holds " + text(*d) + ", node " +
                    std::to_string(members.front()) + " holds " + text(*first));
    }
  }
  if (report) {
    ++report->shards;
    report->replicas += members.size();
  }
  return std::nullopt;
}

// The user keys stored in one Percolator family (a key's versions share its encoded prefix).
result<std::vector<std::string>> stored_keys(storage::kv_engine& engine, storage::cf family) {
  auto snap = engine.snapshot();
  if (!snap) return snap.err();
  auto c = (*snap)->cursor(family);
  if (!c) return c.err();
  MERIDIAN_TRY((*c)->first());
  std::vector<std::string> out;
  while ((*c)->valid()) {
    std::string_view in = (*c)->key();
    auto key = storage::codec::read_ordered_bytes(in);
    if (!key) return key.err();
    if (out.empty() || out.back() != *key) out.push_back(std::move(*key));
    MERIDIAN_TRY((*c)->next());
  }
  return out;
}

// Committed puts per user key in one partition's write family.
status count_puts(storage::kv_engine& engine, std::map<std::string, int>& puts) {
  auto snap = engine.snapshot();
  if (!snap) return snap.err();
  auto c = (*snap)->cursor(storage::cf::write);
  if (!c) return c.err();
  MERIDIAN_TRY((*c)->first());
  while ((*c)->valid()) {
    std::string_view in = (*c)->key();
    auto key = storage::codec::read_ordered_bytes(in);
    if (!key) return key.err();
    auto w = storage::decode_write((*c)->value());
    if (!w) return w.err();
    if (w->kind == storage::write_kind::put) ++puts[*key];
    MERIDIAN_TRY((*c)->next());
  }
  return ok_status();
}

// Every stored key of the replica lies inside its shard's range.
void check_range(const actors::cluster& c, actors::replica& r, std::vector<std::string>& out) {
  auto* machine = dynamic_cast<actors::shard_machine*>(&r.machine());
  storage::kv_engine* engine = &r.machine().applied_view();
  if (!machine) return;
  const auto& d = machine->descriptor();
  for (auto family : {storage::cf::data, storage::cf::lock, storage::cf::write}) {
    auto keys = stored_keys(*engine, family);
    if (!keys) {
      out.push_back("shard " + std::to_string(r.shard()) + ": " + keys.err().to_string());
      continue;
    }
    std::size_t outside = 0;
    for (const auto& k : *keys) outside += d.contains(k) ? 0 : 1;
    if (outside > 0) {
      out.push_back("node " + std::to_string(r.id()) + "'s replica of shard " +
                    std::to_string(r.shard()) + " [" + txn::printable_key(d.start) + ", " +
                    txn::printable_key(d.end) + ") stores " + std::to_string(outside) + " keys in " +
                    storage::cf_name(family) + " outside its range");
    }
  }
}

}  // namespace

std::vector<std::string> check_convergence(runtime& rt, const actors::cluster& c,
                                           nanoseconds limit, convergence_report* report) {
  std::vector<std::string> out;
  auto started = rt.now();
  auto shards = c.shards();
  std::set<shard_id> pending(shards.begin(), shards.end());
  std::map<shard_id, std::string> waiting_for;
  for (;;) {
    for (auto it = pending.begin(); it != pending.end();) {
      auto why = try_converge(c, *it, out, report);
      if (!why) {
        it = pending.erase(it);
      } else {
        waiting_for[*it] = *why;
        ++it;
      }
    }
    if (pending.empty() || rt.now() - started >= limit) break;
    rt.run_until(rt.now() + milliseconds(5));
  }
  for (shard_id s : pending) {
    out.push_back("shard " + std::to_string(s) + " did not converge within " +
                  std::to_string(duration_cast<seconds>(limit).count()) + " s: " + waiting_for[s]);
  }
  if (report) report->waited_ms = static_cast<double>((rt.now() - started).count()) / 1e6;
  return out;
}

std::vector<std::string> check_placement(const actors::cluster& c,
                                         const std::vector<std::string>& visible) {
  std::vector<std::string> out;
  std::map<std::string, int> puts;
  for (shard_id s : c.shards()) {
    if (s == actors::meta_shard) continue;
    for (const auto& r : c.replicas(s)) check_range(c, *r, out);
    auto leader = leader_replica(c, s);
    storage::kv_engine* engine = leader ? &leader->machine().applied_view() : nullptr;
    if (!engine) {
      out.push_back("shard " + std::to_string(s) + " has no leader to count its keys on");
      continue;
    }
    if (auto counted = count_puts(*engine, puts); !counted) out.push_back(counted.err().to_string());
  }
  std::set<std::string> seen(visible.begin(), visible.end());
  std::size_t reported = 0;
  auto report = [&](std::string line) {
    if (++reported <= 20) out.push_back(std::move(line));
  };
  for (const auto& [key, n] : puts) {
    if (n > 1) report("'" + txn::printable_key(key) + "' is committed " + std::to_string(n) + " times");
    if (!seen.count(key)) report("'" + txn::printable_key(key) + "' is stored but the router's read misses it");
  }
  for (const auto& key : seen) {
    if (!puts.count(key)) report("'" + txn::printable_key(key) + "' is read but stored in no shard");
  }
  if (reported > 20) out.push_back("... and " + std::to_string(reported - 20) + " more");
  return out;
}

std::optional<std::size_t> most_keys_in_a_shard(const actors::cluster& c) {
  std::size_t most = 0;
  for (shard_id s : c.shards()) {
    if (s == actors::meta_shard) continue;
    auto leader = leader_replica(c, s);
    storage::kv_engine* engine = leader ? &leader->machine().applied_view() : nullptr;
    if (!engine) return std::nullopt;
    auto keys = stored_keys(*engine, storage::cf::write);
    if (!keys) return std::nullopt;
    most = std::max(most, keys->size());
  }
  return most;
}

std::vector<std::string> check_directory(const actors::cluster& c,
                                         const std::vector<actors::shard_record>& directory) {
  std::vector<std::string> out;
  auto records = directory;
  std::sort(records.begin(), records.end(),
            [](const auto& a, const auto& b) { return a.start < b.start; });
  std::string expected_start;
  for (const auto& r : records) {
    std::string name = "directory record of shard " + std::to_string(r.id);
    if (r.start != expected_start) {
      out.push_back(name + " starts at '" + txn::printable_key(r.start) + "', expected '" +
                    txn::printable_key(expected_start) + "' (a gap or an overlap)");
    }
    expected_start = r.end;
    auto leader = leader_replica(c, r.id);
    auto* machine = leader ? dynamic_cast<actors::shard_machine*>(&leader->machine()) : nullptr;
    if (!machine) {
      out.push_back(name + ": the shard has no leader");
      continue;
    }
    const auto& d = machine->descriptor();
    if (d.start != r.start || d.end != r.end || d.epoch != r.epoch) {
      out.push_back(name + " says [" + txn::printable_key(r.start) + ", " + txn::printable_key(r.end) +
                    ") epoch " + std::to_string(r.epoch) + "; its leader holds [" +
                    txn::printable_key(d.start) + ", " + txn::printable_key(d.end) + ") epoch " +
                    std::to_string(d.epoch));
    }
    auto voters = leader->info().conf.voters;
    auto listed = r.replicas;
    std::sort(voters.begin(), voters.end());
    std::sort(listed.begin(), listed.end());
    if (voters != listed) {
      out.push_back(name + " lists replicas " + node_list(r.replicas) + "; its voters are " +
                    node_list(voters));
    }
  }
  if (!records.empty() && !records.back().end.empty()) {
    out.push_back("the directory ends at '" + txn::printable_key(records.back().end) + "'");
  }
  for (shard_id s : c.shards()) {
    bool listed = std::any_of(records.begin(), records.end(), [s](const auto& r) { return r.id == s; });
    if (s != actors::meta_shard && !listed) {
      out.push_back("shard " + std::to_string(s) + " runs but is not in the directory");
    }
  }
  return out;
}

std::map<shard_id, double> first_writes_ms(const std::vector<add_outcome>& outcomes,
                                           const std::vector<actors::shard_record>& directory,
                                           std::int64_t cut_ns,
                                           const std::function<bool(std::size_t)>& counts) {
  std::map<shard_id, double> first;
  for (const auto& r : directory) first[r.id] = -1;
  for (const auto& o : outcomes) {
    if (o.failure || o.invoke_ns < cut_ns || !counts(o.writer)) continue;
    for (const auto& r : directory) {
      if (!r.contains(o.key)) continue;
      double ms = static_cast<double>(o.complete_ns - cut_ns) / 1e6;
      if (first[r.id] < 0 || ms < first[r.id]) first[r.id] = ms;
    }
  }
  return first;
}

std::vector<std::string> check_no_quorum_window(const std::vector<add_outcome>& outcomes,
                                                std::int64_t cut_ns, std::int64_t heal_ns) {
  std::vector<std::string> out;
  for (const auto& o : outcomes) {
    bool begun_inside = o.invoke_ns >= cut_ns && o.invoke_ns < heal_ns;
    bool ended_inside = o.complete_ns >= cut_ns && o.complete_ns < heal_ns;
    if (!o.failure) {
      if (begun_inside && ended_inside) {
        out.push_back("'" + txn::printable_key(o.key) + "' was acknowledged while no datacenter "
                      "held a quorum");
      }
      continue;
    }
    if (!ended_inside) continue;
    errc code = o.failure->code();
    bool expected = code == errc::unavailable || code == errc::timeout || code == errc::outcome_unknown;
    if (!expected || !o.failure->retryable() || o.failure->message().empty()) {
      out.push_back("without a quorum, the add of '" + txn::printable_key(o.key) +
                    "' failed with an unexpected error: " + o.failure->to_string());
    }
  }
  return out;
}

}  // namespace meridian::sim
