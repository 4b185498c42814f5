// The node service; see node_service.hpp.
#include "actors/node_service.hpp"

#include <caf/all.hpp>

#include <set>

#include "actors/meta_machine.hpp"
#include "actors/shard_machine.hpp"
#include "common/byte_io.hpp"
#include "storage/key_codec.hpp"

namespace meridian::actors {
namespace {

struct service_state {
  std::unique_ptr<actor_io> io;
  std::string meta_leader_dc;
  std::vector<node_id> meta_nodes;
  std::set<shard_id> splitting;
  std::uint64_t directory_loaded_ms = 0;
  static inline const char* name = "meridian.node_service";
};

using service_self = caf::stateful_actor<service_state>;
using reply_fn = std::function<void(shard_reply)>;

shard_reply failure(const error& e) { return to_reply(e, 0); }

// A command through `shard`'s Raft log whose answer is an encoded shard answer.
void shard_command_then(service_self* self, shard_id shard, std::string bytes,
                        std::function<void(result<std::string>)> then) {
  self->state.io->command(shard, std::move(bytes), [then](result<std::string> bytes) {
    if (!bytes) return then(bytes.err());
    auto answer = decode_answer(*bytes);
    if (!answer) return then(answer.err().cause);
    then(std::move(*answer));
  });
}

// One meta command: the records change together (a split's halves never appear one by one).
void put_records(service_self* self, std::vector<shard_record> records, reply_fn done) {
  if (records.empty()) return done(shard_reply{});
  self->state.io->command(meta_shard, meta_machine::put_records_command(records),
                          [done](result<std::string> bytes) {
                            if (!bytes) return done(failure(bytes.err()));
                            done(shard_reply{});
                          });
}

// Splits `shard` at `key` (PROTOCOL: the split is a Raft command; the directory changes to the
// two new records with the new epoch).
void drive_split(service_self* self, shard_id shard, std::string key, reply_fn done) {
  auto& st = self->state;
  if (!st.splitting.insert(shard).second) {
    return done(failure(error(errc::not_ready, "shard " + std::to_string(shard) +
                                                   " is being split already")));
  }
  auto finish = [self, shard, done](shard_reply r) {
    self->state.splitting.erase(shard);
    done(std::move(r));
  };
  st.io->refresh([self, shard, key, finish](result<txn::unit> loaded) {
    const shard_record* found = self->state.io->shards().find(shard);
    if (!loaded || !found) {
      return finish(failure(error(errc::unavailable, "shard " + std::to_string(shard) +
                                                         " is not in the directory")));
    }
    shard_record parent = *found;
    self->state.io->command(
        meta_shard, meta_machine::allocate_shard_id_command(),
        [self, parent, key, finish](result<std::string> id) {
          if (!id || id->size() != 8) {
            return finish(failure(id ? error(errc::internal, "bad shard id") : id.err()));
          }
          shard_id fresh = storage::codec::decode_u64_be(*id);
          shard_command_then(
              self, parent.id, encode_command(split_cmd{parent.epoch, key, fresh}),
              [self, parent, key, fresh, finish](result<std::string> answer) {
                if (!answer) return finish(failure(answer.err()));
                shard_record left = parent, right = parent;
                left.end = key;
                left.epoch = right.epoch = parent.epoch + 1;
                right.id = fresh;
                right.start = key;
                put_records(self, {right, left}, [self, finish](shard_reply r) {
                  self->state.io->refresh([r, finish](result<txn::unit>) { finish(r); });
                });
              });
        });
  });
}

// A shard leader's view of its shard: put it in the directory when the directory is older.
void publish(service_self* self, shard_record mine) {
  auto& st = self->state;
  auto check = [self, mine](result<txn::unit>) {
    const shard_record* known = self->state.io->shards().find(mine.id);
    if (known && known->epoch >= mine.epoch) return;
    // The cache may be old: the meta shard compares epochs again against what it stores, and
    // keeps the stored preferred_dc (a placement may have set it since the cache was loaded).
    self->state.io->command(meta_shard, meta_machine::publish_record_command(mine),
                            [](result<std::string>) {});
  };
  std::uint64_t now = st.io->now_ms();
  if (now - st.directory_loaded_ms < 2000) return check(txn::unit{});
  st.directory_loaded_ms = now;
  st.io->refresh(check);
}

// The balancer (DESIGN.md "Timestamps and geography"): every few seconds, a shard whose leader
// runs here but whose directory record prefers another datacenter hands its leadership to the
// replica there (Raft leader transfer: it happens only once that replica is up to date, and a
// datacenter that is down simply keeps no leader, so leaders return when it comes back).
void balance_now(service_self* self) {
  auto& io = *self->state.io;
  io.refresh([self](result<txn::unit> loaded) {
    if (!loaded) return;
    auto& io = *self->state.io;
    const topology& topo = io.network().topo();
    auto dc_of = [&topo](node_id n) {
      const node_info* info = topo.find(n);
      return info ? topo.latency.dcs[info->dc] : std::string();
    };
    auto records = io.shards().all();
    if (!self->state.meta_leader_dc.empty()) {
      records.push_back(shard_record{meta_shard, "", "", 0, self->state.meta_nodes,
                                     self->state.meta_leader_dc});
    }
    for (const auto& record : records) {
      if (record.preferred_dc.empty() || dc_of(io.home()) == record.preferred_dc) continue;
      caf::actor local = io.network().endpoint(io.home(), record.id);
      if (!local) continue;
      node_id target = 0;
      for (node_id n : record.replicas) {
        if (dc_of(n) == record.preferred_dc) target = n;
      }
      if (target == 0) continue;
      self->request(local, std::chrono::seconds(1), status_atom::value)
          .then([self, local, target](replica_status& st) {
                  if (st.role == static_cast<std::uint8_t>(raft::role::leader)) {
                    self->send(local, transfer_atom::value, target);
                  }
                },
                [](caf::error&) {});
    }
  });
}

void balance(service_self* self) {
  self->delayed_send(self, std::chrono::seconds(2), balance_atom::value);
  balance_now(self);
}

caf::behavior service_behavior(service_self* self, std::shared_ptr<transport> net, node_id node,
                               std::vector<node_id> meta_nodes,
                               std::function<std::uint64_t()> clock_ms,
                               actor_io_options options, std::string meta_leader_dc) {
  self->state.meta_leader_dc = std::move(meta_leader_dc);
  self->state.meta_nodes = meta_nodes;
  self->state.io = std::make_unique<actor_io>(self, std::move(net), node, std::move(meta_nodes),
                                              std::move(clock_ms), options);
  self->set_default_handler(caf::drop);
  self->set_error_handler([](caf::error&) {});
  self->delayed_send(self, std::chrono::seconds(2), balance_atom::value);
  return {
      [=](balance_atom) { balance(self); },
      // Out of turn (a placement just set preferences): once, without starting another cycle.
      [=](balance_atom, bool) { balance_now(self); },
      [=](tso_atom, std::uint32_t) -> caf::result<shard_reply> {
        auto promise = self->make_response_promise<shard_reply>();
        self->state.io->timestamp([promise](result<std::uint64_t> ts) mutable {
          if (!ts) {
            promise.deliver(failure(ts.err()));
            return;
          }
          std::string payload;
          storage::codec::append_u64_be(payload, *ts);
          promise.deliver(shard_reply{0, {}, payload, 0});
        });
        return promise;
      },
      [=](split_atom, shard_id shard, std::string& key) -> caf::result<shard_reply> {
        auto promise = self->make_response_promise<shard_reply>();
        drive_split(self, shard, key, [promise](shard_reply r) mutable { promise.deliver(r); });
        return promise;
      },
      [=](publish_atom, shard_id shard, std::string& start, std::string& end, std::uint64_t epoch,
          std::vector<node_id>& replicas) {
        publish(self, shard_record{shard, start, end, epoch, replicas, ""});
      },
      [=](job& j) { j.run(); },
  };
}

}  // namespace

caf::actor spawn_node_service(caf::actor_system& system, std::shared_ptr<transport> net,
                              node_id node, std::vector<node_id> meta_nodes,
                              std::function<std::uint64_t()> clock_ms, actor_io_options options,
                              std::string meta_leader_dc) {
  auto registry = net;
  caf::actor handle = system.spawn(service_behavior, std::move(net), node, std::move(meta_nodes),
                                   std::move(clock_ms), options, std::move(meta_leader_dc));
  registry->register_endpoint(node, service_endpoint, handle);
  return handle;
}

}  // namespace meridian::actors
