// The register clients; see register_client.hpp.
#include "sim/register_client.hpp"

#include <caf/all.hpp>

#include "actors/messages.hpp"
#include "actors/register_machine.hpp"

namespace meridian::sim {
namespace {

using actors::register_machine;
using actors::shard_reply;
using check::json;
using check::op_type;

struct pending_op {
  std::string f;  // read | write | cas
  shard_id shard = 0;
  std::int64_t key = 0;
  json invoke_value;
  std::string request;  // the command or query bytes
  std::int64_t expected = 0;
  std::int64_t value = 0;
  int redirects = 0;
};

struct client_state {
  std::shared_ptr<register_workload> w;
  std::int64_t process = 0;
  pending_op op;
  static inline const char* name = "meridian.sim.register_client";
};

using client_self = caf::stateful_actor<client_state>;
using next_atom = caf::atom_constant<caf::atom("next")>;

std::string key_name(std::int64_t key) { return std::to_string(key); }

void record(client_self* self, op_type type, json value) {
  auto& st = self->state;
  st.w->history.push_back(check::operation{st.process, type, st.op.f, std::move(value),
                                           st.w->rt->now_ns()});
}

void think(client_self* self) {
  auto& w = *self->state.w;
  if (w.stopped) return;
  auto ms = std::chrono::milliseconds(1 + static_cast<long>(w.rng() % static_cast<std::uint64_t>(w.max_think.count())));
  self->delayed_send(self, ms, next_atom::value);
}

void finish(client_self* self, op_type type, json value) {
  auto& st = self->state;
  record(self, type, std::move(value));
  if (type == op_type::ok) ++st.w->ok;
  if (type == op_type::fail) ++st.w->failed;
  if (type == op_type::info) {
    ++st.w->unknown;
    st.process = st.w->next_process++;  // Jepsen: an indeterminate process is replaced
  }
  think(self);
}

void send_request(client_self* self);

void on_reply(client_self* self, const shard_reply& reply) {
  auto& st = self->state;
  pending_op& op = st.op;
  auto result = actors::from_reply(reply);
  if (!result.ok()) {
    errc code = result.err().code();
    if (reply.leader_hint != 0) st.w->leader_hint[op.shard] = reply.leader_hint;
    bool definite = code == errc::not_leader || code == errc::unavailable ||
                    code == errc::proposal_dropped || code == errc::limit_exceeded ||
                    op.f == "read";
    if (code == errc::not_leader && reply.leader_hint != 0 && op.redirects++ < 3) {
      return send_request(self);  // never proposed: safe to send again, to the leader
    }
    if (code != errc::not_leader) st.w->leader_hint.erase(op.shard);
    return finish(self, definite ? op_type::fail : op_type::info, op.invoke_value);
  }
  std::int64_t now = st.w->rt->now_ns();
  if (op.f == "read") {
    auto v = register_machine::decode_read(*result);
    json::array pair{json(op.key), json()};
    if (v.ok() && v->has_value()) pair[1] = json(static_cast<std::int64_t>(std::stoll(**v)));
    st.w->last_ok_read_ns[op.shard] = now;
    return finish(self, op_type::ok, json(std::move(pair)));
  }
  if (op.f == "cas" && *result != "1") return finish(self, op_type::fail, op.invoke_value);
  st.w->last_ok_write_ns[op.shard] = now;
  finish(self, op_type::ok, op.invoke_value);
}

void send_request(client_self* self) {
  auto& st = self->state;
  pending_op& op = st.op;
  auto& w = *st.w;
  node_id target = w.leader_hint.count(op.shard) ? w.leader_hint[op.shard]
                                                 : w.nodes[w.rng() % w.nodes.size()];
  caf::actor replica = w.net->endpoint(target, op.shard);
  if (!replica) {
    w.leader_hint.erase(op.shard);
    return finish(self, op_type::fail, op.invoke_value);  // nothing was sent
  }
  auto handle = [self](shard_reply& r) { on_reply(self, r); };
  auto failed = [self](caf::error&) {
    // A timeout or a replica that went down with the request: the outcome is unknown.
    auto& s = self->state;
    s.w->leader_hint.erase(s.op.shard);
    finish(self, s.op.f == "read" ? op_type::fail : op_type::info, s.op.invoke_value);
  };
  if (op.f == "read") {
    self->request(replica, w.timeout, actors::read_atom::value, op.request).then(handle, failed);
  } else {
    self->request(replica, w.timeout, actors::propose_atom::value, op.request).then(handle, failed);
  }
}

void start_op(client_self* self) {
  auto& st = self->state;
  auto& w = *st.w;
  if (w.stopped) return;
  pending_op op;
  op.shard = w.shards[w.rng() % w.shards.size()];
  op.key = static_cast<std::int64_t>(op.shard) * 1000 + static_cast<std::int64_t>(w.rng() % static_cast<std::uint64_t>(w.keys_per_shard));
  int dice = static_cast<int>(w.rng() % 10);
  if (dice < 4) {
    op.f = "read";
    op.invoke_value = json(json::array{json(op.key), json()});
    op.request = register_machine::read_query(key_name(op.key));
  } else if (dice < 8) {
    op.f = "write";
    op.value = w.next_value++;
    op.invoke_value = json(json::array{json(op.key), json(op.value)});
    op.request = register_machine::write_command(key_name(op.key), std::to_string(op.value));
  } else {
    op.f = "cas";
    op.expected = static_cast<std::int64_t>(w.rng() % static_cast<std::uint64_t>(std::max<std::int64_t>(1, w.next_value)));
    op.value = w.next_value++;
    op.invoke_value =
        json(json::array{json(op.key), json(json::array{json(op.expected), json(op.value)})});
    op.request = register_machine::cas_command(key_name(op.key), std::to_string(op.expected),
                                               std::to_string(op.value));
  }
  st.op = std::move(op);
  record(self, op_type::invoke, st.op.invoke_value);
  send_request(self);
}

caf::behavior client_behavior(client_self* self, std::shared_ptr<register_workload> w) {
  self->state.w = std::move(w);
  self->state.process = self->state.w->next_process++;
  self->set_default_handler(caf::drop);
  think(self);
  return {[=](next_atom) { start_op(self); }};
}

}  // namespace

void spawn_register_clients(caf::actor_system& system, std::shared_ptr<register_workload> w,
                            int clients) {
  for (int i = 0; i < clients; ++i) system.spawn(client_behavior, w);
}

}  // namespace meridian::sim
