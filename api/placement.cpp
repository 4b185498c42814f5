// Table placement and the cluster view for EXPLAIN; see placement.hpp.
#include "api/placement.hpp"

#include <algorithm>
#include <map>

#include "actors/meta_machine.hpp"
#include "query/keys.hpp"
#include "storage/key_codec.hpp"

namespace meridian::api {
namespace {

struct placed_range {
  std::string start;
  std::string end;
  std::string dc;
};

std::vector<placed_range> ranges_of(const query::table_descriptor& t,
                                    const std::vector<std::string>& dcs) {
  std::string prefix = query::keys::table_prefix(t.id);
  std::vector<placed_range> out;
  // Outer ranges first: a later range inside an earlier one overrides it (prefer()). So with
  // both options, rows homed in a datacenter are led from there and the rest from leader_dc.
  if (!t.placement.leader_dc.empty()) {
    out.push_back(placed_range{prefix, storage::codec::prefix_end(prefix), t.placement.leader_dc});
  }
  if (!t.placement.home_dc_column.empty()) {
    // Rows whose key starts with a datacenter's name: led from that datacenter.
    for (const auto& dc : dcs) {
      std::string start = query::keys::row_key(t.id, tuple{datum{dc}});
      out.push_back(placed_range{start, storage::codec::prefix_end(start), dc});
    }
  }
  return out;
}

// Splits at each boundary that is not a shard boundary yet, one after the other.
void split_at(actors::actor_io& io, std::vector<std::string> keys, std::function<void(status)> done) {
  while (!keys.empty()) {
    const actors::shard_record* r = io.shards().lookup(keys.back());
    if (r && r->start != keys.back()) break;
    keys.pop_back();
  }
  if (keys.empty()) return done(ok_status());
  std::string key = keys.back();
  keys.pop_back();
  const actors::shard_record* r = io.shards().lookup(key);
  io.split(r->id, key, [&io, keys, done](result<txn::unit> s) mutable {
    if (!s) return done(s.err());
    split_at(io, std::move(keys), std::move(done));
  });
}

// Marks the shards inside each range with the range's datacenter; when any preference changed,
// leaders move now, not at the balancers' next round.
void prefer(actors::actor_io& io, std::vector<placed_range> ranges, std::function<void(status)> done) {
  std::map<shard_id, std::string> wanted;  // the innermost range holding each shard wins
  std::map<shard_id, std::string> now;
  for (const auto& range : ranges) {
    for (const auto* r : io.shards().overlapping(range.start, range.end)) {
      if (r->start < range.start || r->end.empty() || r->end > range.end) {
        continue;  // a shard that reaches outside the range keeps its preference
      }
      wanted[r->id] = range.dc;
      now[r->id] = r->preferred_dc;
    }
  }
  std::vector<std::pair<shard_id, std::string>> changed;
  for (const auto& [id, dc] : wanted) {
    if (now[id] != dc) changed.emplace_back(id, dc);  // placed already: nothing to write
  }
  auto pending = std::make_shared<std::size_t>(changed.size() + 1);
  auto failed = std::make_shared<std::optional<error>>();
  bool any = !changed.empty();
  auto finish = [&io, pending, failed, done, any] {
    if (--*pending > 0) return;
    if (*failed) return done(**failed);
    if (any) io.rebalance();
    done(ok_status());
  };
  for (const auto& [id, dc] : changed) {
    io.command(actors::meta_shard, actors::meta_machine::prefer_command(id, dc),
               [failed, finish](result<std::string> answer) {
                 if (!answer) *failed = answer.err();
                 finish();
               });
  }
  finish();
}

}  // namespace

status cluster_placement::check(const query::table_placement& p) const {
  return query::check_leader_dc(p, dcs_);
}

void cluster_placement::table_placed(const query::table_descriptor& table,
                                     std::function<void(status)> done) {
  auto ranges = ranges_of(table, dcs_);
  if (ranges.empty() || skip_) return done(ok_status());
  engine_.with_io([ranges, done](actors::actor_io& io) {
    io.refresh([&io, ranges, done](result<txn::unit> loaded) {
      if (!loaded) return done(loaded.err());
      std::vector<std::string> boundaries;
      for (const auto& r : ranges) {
        boundaries.push_back(r.start);
        boundaries.push_back(r.end);
      }
      // Ascending, so that split_at (which takes keys from the back) splits at the highest key
      // first: each later split then cuts the left part, which keeps the shard's id and its
      // leader, instead of a right part born a moment ago that still has to elect one.
      std::sort(boundaries.begin(), boundaries.end());
      boundaries.erase(std::unique(boundaries.begin(), boundaries.end()), boundaries.end());
      split_at(io, boundaries, [&io, ranges, done](status s) {
        if (!s) return done(s);
        prefer(io, ranges, done);
      });
    });
  });
}

void cluster_placement::table_dropped(const query::table_descriptor& table,
                                      std::function<void(status)> done) {
  // The shards stay (table ids are never reused, so no row lands there again), but their
  // leaders go back to the default datacenter, which leads every unplaced shard.
  auto ranges = ranges_of(table, dcs_);
  if (ranges.empty() || skip_) return done(ok_status());
  for (auto& r : ranges) r.dc = dcs_.front();
  engine_.with_io([ranges, done](actors::actor_io& io) {
    io.refresh([&io, ranges, done](result<txn::unit> loaded) {
      if (!loaded) return done(loaded.err());
      prefer(io, ranges, done);
    });
  });
}

std::vector<std::string> cluster_view::shards_for(std::string_view start, std::string_view end) const {
  std::vector<std::string> out;
  engine_.with_io_sync([&](actors::actor_io& io) {
    for (const auto* r : io.shards().overlapping(start, end)) {
      std::string text = "shard " + std::to_string(r->id);
      node_id leader = io.leader_hint(r->id);
      if (const node_info* n = leader ? topo_.find(leader) : nullptr) {
        text += " (leader " + topo_.latency.dcs[n->dc] + ")";
      }
      out.push_back(text);
    }
  });
  if (out.empty()) out.push_back("(directory not loaded yet)");
  return out;
}

query::commit_estimate cluster_view::estimate_commit(std::size_t shards_written) const {
  if (shards_written == 0) return {0, "read-only"};
  if (shards_written == 1) return {1, "one-phase"};
  // SQL checks each written table's schema at commit, which async commit cannot fit in its one
  // round: prewrite, a second timestamp, the check, the primary's commit.
  return {4, "classic: 2 consensus rounds, a second timestamp and the schema check"};
}

}  // namespace meridian::api
