// The embedded cluster and its sessions; see embedded.hpp.
#include "api/embedded.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <thread>

#include "actors/actor_engine.hpp"
#include "actors/cluster.hpp"
#include "actors/messages.hpp"
#include "api/placement.hpp"
#include "query/descriptor_codec.hpp"
#include "query/key_names.hpp"
#include "query/keys.hpp"
#include "query/local_database.hpp"
#include "query/session.hpp"

namespace meridian::api {
namespace {

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// Table names by id, read from the catalog at a fresh snapshot, to show shard ranges by table
// (query::describe_key). Whatever cannot be read shows as "table N".
// Brings the engine's copy of the shard directory up to date from the meta shard, waiting at
// most `wait` for the answer (the copy it had is kept if none comes).
void load_directory(actors::actor_engine& engine, std::chrono::milliseconds wait) {
  auto loaded = std::make_shared<std::promise<void>>();
  engine.with_io([loaded](actors::actor_io& io) {
    io.refresh([loaded](result<txn::unit>) { loaded->set_value(); });
  });
  (void)loaded->get_future().wait_for(wait);
}

// The catalog's table descriptors at a fresh snapshot; those that cannot be read are left out.
std::vector<query::table_descriptor> catalog_tables(txn::transaction_engine& engine) {
  std::vector<query::table_descriptor> tables;
  auto t = txn::begin_blocking(engine);
  if (!t) return tables;
  txn::blocking_transaction txn(std::move(*t));
  std::string start = query::keys::table_descriptors_start();
  const std::string end = query::keys::table_descriptors_end();
  for (;;) {
    auto page = txn.scan(start, end, 256);
    if (!page) break;
    for (const auto& kv : page->rows) {
      if (auto d = query::decode_descriptor(kv.value)) tables.push_back(std::move(*d));
    }
    if (!page->more) break;
    start = page->resume_key;
  }
  (void)txn.rollback();
  return tables;
}

std::map<std::int64_t, std::string> table_names(txn::transaction_engine& engine) {
  std::map<std::int64_t, std::string> names;
  for (const auto& t : catalog_tables(engine)) names[t.id] = t.name;
  return names;
}

// Placement runs after its DDL commits, so a process killed in between leaves a placed table
// split in part, or not at all. At start every placed table is placed again: the splits and
// preferences already made are skipped, the rest are made now. Bounded; what does not finish
// is placed at the next start.
void finish_placements(txn::transaction_engine& engine, query::placement_hook& hook) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (const auto& t : catalog_tables(engine)) {
    if (t.placement.leader_dc.empty() && t.placement.home_dc_column.empty()) continue;
    auto placed = std::make_shared<std::promise<status>>();
    hook.table_placed(t, [placed](status s) { placed->set_value(std::move(s)); });
    auto outcome = placed->get_future();
    if (outcome.wait_until(deadline) != std::future_status::ready) {
      std::fprintf(stderr, "meridian: placing table %s is still under way; it goes on in the "
                           "background\n", t.name.c_str());
      return;
    }
    if (auto s = outcome.get(); !s) {
      std::fprintf(stderr, "meridian: placing table %s did not finish (%s); it is tried again at "
                           "the next start, or now by repeating its ALTER TABLE ... SET\n",
                   t.name.c_str(), s.err().to_string().c_str());
    }
  }
}

// Before the first statement: what DDL a crash left half-done is undone or finished
// (query/ddl_recover.cpp); each index build undone is told on stderr, and a failure too (the next
// start tries again).
void finish_interrupted_ddl(query::session& s) {
  auto notes = s.finish_interrupted_ddl();
  if (!notes) {
    std::fprintf(stderr, "meridian: could not finish the schema changes a crash interrupted (%s); "
                         "the next start tries again\n",
                 notes.err().to_string().c_str());
    return;
  }
  for (const auto& n : *notes) std::fprintf(stderr, "meridian: %s\n", n.c_str());
}

statement_result convert(query::result_set r, double elapsed_ms) {
  statement_result out;
  for (auto& c : r.columns) out.columns.push_back(column{c.name, c.type});
  out.rows = std::move(r.rows);
  out.rows_affected = r.rows_affected;
  out.tag = std::move(r.tag);
  out.explanation = std::move(r.explanation);
  out.ledger = r.ledger;
  out.elapsed_ms = elapsed_ms;
  return out;
}

// The parts every session kind shares: run SQL through a query::session and time it.
class sql_session_base : public session {
 public:
  result<statement_result> execute(const std::string& sql,
                                   const std::vector<datum>& params) override {
    auto t0 = std::chrono::steady_clock::now();
    auto r = sql_->execute(sql, params);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!r) return r.err();
    return convert(std::move(*r), ms);
  }
  status begin() override { return as_status(execute("BEGIN", {})); }
  status commit() override { return as_status(execute("COMMIT", {})); }
  status rollback() override { return as_status(execute("ROLLBACK", {})); }
  void cancel() override { sql_->cancel(); }
  bool in_transaction() const override { return sql_->in_transaction(); }

 protected:
  static status as_status(const result<statement_result>& r) {
    if (!r) return r.err();
    return ok_status();
  }
  std::unique_ptr<query::session> sql_;
};

class local_session final : public sql_session_base {
 public:
  explicit local_session(std::unique_ptr<query::local_database> db) : db_(std::move(db)) {
    sql_ = std::make_unique<query::session>(db_->engine());
    finish_interrupted_ddl(*sql_);
  }
  status set_dc(const std::string&) override {
    return error(errc::sql_unsupported, "the local database has no datacenters");
  }
  std::string current_dc() const override { return "local"; }
  result<cluster_info> cluster() override {
    cluster_info info;
    info.mode = "local";
    info.session_dc = "local";
    return info;
  }
  status fault(const fault_request&) override {
    return error(errc::sql_unsupported, "fault injection needs the embedded cluster");
  }

 private:
  std::unique_ptr<query::local_database> db_;
};

}  // namespace

struct embedded_cluster::impl {
  std::unique_ptr<caf::actor_system_config> config;
  std::unique_ptr<caf::actor_system> system;
  std::unique_ptr<actors::cluster> cluster;
  std::map<std::string, std::unique_ptr<actors::actor_engine>> engines;  // one client per dc
  std::map<std::string, std::unique_ptr<cluster_placement>> placements;
  std::map<std::string, std::unique_ptr<cluster_view>> views;
  std::uint32_t next_session = 1;

  std::string dc_of(node_id n) const {
    const node_info* info = cluster->topo().find(n);
    return info ? cluster->topo().latency.dcs[info->dc] : "?";
  }
  cluster_info info(const std::string& session_dc);
  status fault(const fault_request& f);
  // A session's hooks in `dc`: its placement, its view of the shards, back-offs on its engine.
  query::session_options session_options_in(const std::string& dc) {
    query::session_options o;
    o.placement = placements.at(dc).get();
    o.cluster = views.at(dc).get();
    actors::actor_engine* engine = engines.at(dc).get();
    o.defer = [engine](std::uint64_t delay_ms, std::function<void()> task) {
      engine->post(std::move(task), delay_ms);
    };
    return o;
  }
  node_id leader_of(shard_id shard);
};

node_id embedded_cluster::impl::leader_of(shard_id shard) {
  caf::scoped_actor self{*system};
  for (node_id n : cluster->nodes()) {
    caf::actor replica = cluster->replica_actor(n, shard);
    if (!replica) continue;
    node_id leader = 0;
    self->request(replica, std::chrono::milliseconds(500), actors::status_atom::value)
        .receive([&](actors::replica_status& s) {
                   if (s.role == static_cast<std::uint8_t>(raft::role::leader)) leader = s.node;
                 },
                 [](caf::error&) {});
    if (leader != 0) return leader;
  }
  return 0;
}

cluster_info embedded_cluster::impl::info(const std::string& session_dc) {
  cluster_info out;
  out.mode = "embedded";
  out.session_dc = session_dc;
  const topology& topo = cluster->topo();
  for (std::size_t a = 0; a < topo.latency.dcs.size(); ++a) {
    dc_info d;
    d.name = topo.latency.dcs[a];
    for (std::size_t b = 0; b < topo.latency.dcs.size(); ++b) d.rtt_ms.push_back(topo.latency.rtt(a, b));
    // Isolated: no node of the datacenter reaches any node of another one (a cut link to an
    // isolated datacenter does not make this one isolated too).
    bool reaches_out = false, has_others = false;
    cluster->net()->with_model([&](actors::network_model& m) {
      for (const auto& n : topo.nodes) {
        if (n.dc != a) continue;
        for (const auto& other : topo.nodes) {
          if (other.dc == a) continue;
          has_others = true;
          reaches_out = reaches_out || m.connected(n.id, other.id);
        }
      }
    });
    d.reachable = reaches_out || !has_others;
    out.dcs.push_back(d);
  }
  for (const auto& n : topo.nodes) out.nodes.push_back(node_status{n.id, topo.latency.dcs[n.dc], cluster->up(n.id)});
  node_id tso = leader_of(actors::meta_shard);
  out.tso_dc = tso ? dc_of(tso) : "none (electing)";
  // The directory as the meta shard holds it now (placements and splits change it), not as the
  // session's cache last saw it; the cache if the meta shard does not answer within a second.
  auto& engine = *engines.at(session_dc);
  load_directory(engine, std::chrono::seconds(1));
  std::vector<actors::shard_record> records;
  engine.with_io_sync([&](actors::actor_io& io) { records = io.shards().all(); });
  auto tables = table_names(engine);
  for (const auto& r : records) {
    shard_status s;
    s.id = r.id;
    s.start_key = r.start.empty() ? "-inf" : query::describe_key(r.start, tables);
    s.end_key = r.end.empty() ? "+inf" : query::describe_key(r.end, tables);
    s.epoch = r.epoch;
    s.leader = leader_of(r.id);
    s.leader_dc = s.leader ? dc_of(s.leader) : "";
    s.preferred_dc = r.preferred_dc;
    s.replicas = r.replicas;
    out.shards.push_back(s);
  }
  return out;
}

status embedded_cluster::impl::fault(const fault_request& f) {
  const topology& topo = cluster->topo();
  switch (f.what) {
    case fault_request::kind::heal:
      cluster->net()->with_model([](actors::network_model& m) { m.heal(); });
      for (node_id n : cluster->nodes()) MERIDIAN_TRY(cluster->restart(n));
      return ok_status();
    case fault_request::kind::isolate_dc: {
      std::size_t dc = topo.latency.index_of(f.target);
      if (dc == topo.latency.dcs.size()) {
        return error(errc::invalid_argument, "no datacenter named '" + f.target + "'");
      }
      cluster->net()->with_model([&](actors::network_model& m) {
        for (const auto& n : topo.nodes) {
          if (n.dc == dc) m.isolate(n.id);
        }
      });
      return ok_status();
    }
    case fault_request::kind::crash_node:
    case fault_request::kind::restart_node: {
      node_id n = std::strtoull(f.target.c_str(), nullptr, 10);
      if (f.target.find_first_not_of("0123456789") != std::string::npos || !topo.find(n)) {
        return error(errc::invalid_argument, "no node " + f.target + " (\\cluster lists them)");
      }
      bool crash = f.what == fault_request::kind::crash_node;
      if (crash != cluster->up(n)) {
        return error(errc::invalid_argument, "node " + f.target + " is already " +
                                                 (crash ? "down" : "running"));
      }
      if (crash) {
        cluster->crash(n);
        return ok_status();
      }
      return cluster->restart(n);
    }
  }
  return ok_status();
}

namespace {

class embedded_session final : public sql_session_base {
 public:
  embedded_session(embedded_cluster::impl& c, std::string dc, std::uint32_t number)
      : cluster_(c), number_(number) {
    switch_to(std::move(dc));
  }
  status set_dc(const std::string& dc) override {
    if (!cluster_.engines.count(dc)) {
      return error(errc::invalid_argument, "no datacenter named '" + dc + "'");
    }
    if (in_transaction()) {
      return error(errc::invalid_argument, "finish the transaction (COMMIT or ROLLBACK) before "
                                           "moving the session to another datacenter");
    }
    switch_to(dc);
    return ok_status();
  }
  result<statement_result> execute(const std::string& sql,
                                   const std::vector<datum>& params) override {
    auto r = sql_session_base::execute(sql, params);
    if (r) return r;
    return explain_storage_failure(r.err());
  }
  std::string current_dc() const override { return dc_; }
  result<cluster_info> cluster() override { return cluster_.info(dc_); }
  status fault(const fault_request& f) override { return cluster_.fault(f); }

 private:
  // A shard whose replicas stopped on a storage failure only times out: say why, and what to do.
  error explain_storage_failure(const error& e) const {
    if (e.code() != errc::unavailable && e.code() != errc::outcome_unknown) return e;
    auto failures = cluster_.cluster->storage_failures();
    if (failures.empty()) return e;
    return error(e.code(), e.message() + "; replicas stopped because storage failed (" +
                               failures.front() +
                               (failures.size() > 1
                                    ? " and " + std::to_string(failures.size() - 1) + " more"
                                    : "") +
                               "): fix the disk or free space, then restart meridian (committed "
                               "data is kept)");
  }
  void switch_to(std::string dc) {
    dc_ = std::move(dc);
    query::session_options o = cluster_.session_options_in(dc_);
    o.id_salt = number_ * 7 + static_cast<std::uint32_t>(cluster_.engines.at(dc_)->home());
    sql_ = std::make_unique<query::session>(*cluster_.engines.at(dc_), o);
  }
  embedded_cluster::impl& cluster_;
  std::uint32_t number_;
  std::string dc_;
};

}  // namespace

embedded_cluster::embedded_cluster(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

embedded_cluster::~embedded_cluster() {
  impl_->engines.clear();
  impl_->cluster.reset();
}

result<std::unique_ptr<embedded_cluster>> embedded_cluster::start(const embedded_options& o) {
  auto i = std::make_unique<impl>();
  i->config = std::make_unique<caf::actor_system_config>();
  actors::configure_threaded_system(*i->config);
  i->system = std::make_unique<caf::actor_system>(*i->config);
  actors::cluster_options c;
  c.topo = topology::default_geo(o.nodes_per_dc);
  c.topo.latency.wan_scale = o.wan_scale;
  c.split_keys = o.split_keys;
  c.data_dir = o.data_dir;
  c.clock_ms = wall_ms;
  c.seed = wall_ms();
  c.default_leader_dc = topology::default_geo().latency.dcs.front();
  auto started = actors::cluster::start(*i->system, c);
  if (!started) return started.err();
  i->cluster = std::move(*started);
  const topology& topo = i->cluster->topo();
  for (std::size_t dc = 0; dc < topo.latency.dcs.size(); ++dc) {
    node_id home = 0;
    for (const auto& n : topo.nodes) {
      if (n.dc == dc && home == 0) home = n.id;
    }
    const std::string& name = topo.latency.dcs[dc];
    i->engines[name] = std::make_unique<actors::actor_engine>(*i->system, *i->cluster, home);
    i->placements[name] =
        std::make_unique<cluster_placement>(*i->engines[name], topo.latency.dcs, o.skip_placement);
    i->views[name] = std::make_unique<cluster_view>(*i->engines[name], topo);
  }
  // Ready when a transaction can begin: leaders elected, the oracle serving.
  auto& probe = *i->engines.begin()->second;
  for (int attempt = 0; attempt < 300; ++attempt) {
    auto t = txn::begin_blocking(probe);
    if (t) {
      // Every datacenter's engine knows the shards before its first statement, which would
      // otherwise find its directory empty and pay a refresh (counted as a retry) per shard.
      for (auto& [name, engine] : i->engines) load_directory(*engine, std::chrono::seconds(5));
      // From the catalog's datacenter, where its leader is.
      finish_placements(*i->engines.at(c.default_leader_dc), *i->placements.at(c.default_leader_dc));
      query::session recovery(*i->engines.at(c.default_leader_dc),
                              i->session_options_in(c.default_leader_dc));
      finish_interrupted_ddl(recovery);
      return std::unique_ptr<embedded_cluster>(new embedded_cluster(std::move(i)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return error(errc::unavailable, "the embedded cluster did not elect its leaders in 30 s");
}

result<std::unique_ptr<session>> embedded_cluster::open_session(const std::string& dc) {
  if (!impl_->engines.count(dc)) return error(errc::invalid_argument, "no datacenter named '" + dc + "'");
  return std::unique_ptr<session>(new embedded_session(*impl_, dc, impl_->next_session++));
}

std::vector<std::string> embedded_cluster::datacenters() const {
  return impl_->cluster->topo().latency.dcs;
}

namespace {

class cluster_database final : public query::sql_database {
 public:
  explicit cluster_database(std::unique_ptr<embedded_cluster> c, embedded_cluster::impl& i)
      : owner_(std::move(c)), impl_(i), dc_(impl_.engines.begin()->first) {}
  txn::transaction_engine& engine() override { return *impl_.engines.at(dc_); }
  query::placement_hook* placement() override { return impl_.placements.at(dc_).get(); }
  const query::cluster_view* cluster() override { return impl_.views.at(dc_).get(); }
  std::string engine_name() const override { return "cluster"; }

 private:
  std::unique_ptr<embedded_cluster> owner_;
  embedded_cluster::impl& impl_;
  std::string dc_;
};

}  // namespace

result<std::unique_ptr<query::sql_database>> open_cluster_database(const embedded_options& o) {
  auto c = embedded_cluster::start(o);
  if (!c) return c.err();
  embedded_cluster::impl& i = (*c)->internals();
  return std::unique_ptr<query::sql_database>(new cluster_database(std::move(*c), i));
}

result<std::unique_ptr<session>> open_local_session(const std::string& data_dir) {
  auto db = data_dir.empty()
                ? query::local_database::open(query::local_database::storage_kind::memory)
                : query::local_database::open_at(data_dir);
  if (!db) return db.err();
  return std::unique_ptr<session>(new local_session(std::move(*db)));
}

}  // namespace meridian::api
