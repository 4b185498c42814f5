// The thread-marshalling transaction engine; see actor_engine.hpp.
#include "actors/actor_engine.hpp"

#include <caf/all.hpp>

#include <future>

#include "actors/messages.hpp"

namespace meridian::actors {

struct actor_engine::shared {
  caf::actor client;
  cluster_engine* engine = nullptr;  // lives in the client actor's state
  actor_io* io = nullptr;
};

namespace {

thread_local const actor_engine::shared* inside = nullptr;  // the engine whose job runs here

struct client_state {
  std::unique_ptr<actor_io> io;
  std::unique_ptr<cluster_engine> engine;
  static inline const char* name = "meridian.client";
};

caf::behavior client_behavior(caf::stateful_actor<client_state>* self,
                              std::shared_ptr<actor_engine::shared> s,
                              std::shared_ptr<transport> net, node_id home,
                              std::vector<node_id> meta_nodes,
                              std::function<std::uint64_t()> clock, actor_io_options io_options,
                              coordinator_options options) {
  self->state.io = std::make_unique<actor_io>(self, std::move(net), home, std::move(meta_nodes),
                                              std::move(clock), io_options);
  self->state.engine = std::make_unique<cluster_engine>(*self->state.io, options);
  s->engine = self->state.engine.get();
  s->io = self->state.io.get();
  self->set_default_handler(caf::drop);
  self->set_error_handler([](caf::error&) {});
  std::weak_ptr<actor_engine::shared> weak = s;
  return {[weak](job& j) {
    auto s = weak.lock();
    const actor_engine::shared* previous = inside;
    inside = s.get();
    j.run();
    inside = previous;
  }};
}

void run_on(const std::shared_ptr<actor_engine::shared>& s, std::function<void()> fn,
            std::uint64_t delay_ms = 0) {
  if (delay_ms == 0) {
    caf::anon_send(s->client, job{std::move(fn)});
  } else {
    caf::delayed_anon_send(s->client, std::chrono::milliseconds(delay_ms), job{std::move(fn)});
  }
}

// Runs fn on the actor and waits for its status — or directly, when already on the actor.
status run_and_wait(const std::shared_ptr<actor_engine::shared>& s, std::function<status()> fn) {
  if (inside == s.get()) return fn();
  std::promise<status> p;
  auto f = p.get_future();
  run_on(s, [&p, &fn] { p.set_value(fn()); });
  return f.get();
}

// Every call runs on the client actor with its own reference to the inner transaction, so a
// caller that rolls back and drops the transaction at once never leaves a call behind with a
// dangling pointer; the last reference is dropped on the actor's thread.
class actor_transaction final : public txn::transaction {
 public:
  actor_transaction(std::shared_ptr<actor_engine::shared> s, std::unique_ptr<txn::transaction> t)
      : shared_(std::move(s)), inner_(std::move(t)), start_ts_(inner_->start_ts()) {}
  ~actor_transaction() override {
    if (inside == shared_.get()) return;
    run_on(shared_, [inner = std::move(inner_)]() mutable { inner.reset(); });
  }

  std::uint64_t start_ts() const override { return start_ts_; }
  void get(std::string key, txn::callback<std::optional<std::string>> done) override {
    call([key = std::move(key), done = std::move(done)](txn::transaction& t) mutable {
      t.get(std::move(key), std::move(done));
    });
  }
  void batch_get(std::vector<std::string> keys,
                 txn::callback<std::vector<std::optional<std::string>>> done) override {
    call([keys = std::move(keys), done = std::move(done)](txn::transaction& t) mutable {
      t.batch_get(std::move(keys), std::move(done));
    });
  }
  void scan(std::string start, std::string end, std::size_t limit, bool reverse,
            txn::callback<txn::scan_page> done) override {
    call([start = std::move(start), end = std::move(end), limit, reverse,
          done = std::move(done)](txn::transaction& t) mutable {
      t.scan(std::move(start), std::move(end), limit, reverse, std::move(done));
    });
  }
  status put(std::string key, std::string value) override {
    return run_and_wait(shared_, [&] { return inner_->put(std::move(key), std::move(value)); });
  }
  status del(std::string key) override {
    return run_and_wait(shared_, [&] { return inner_->del(std::move(key)); });
  }
  status lock_keys(std::vector<std::string> keys) override {
    return run_and_wait(shared_, [&] { return inner_->lock_keys(std::move(keys)); });
  }
  status validate_unchanged(std::string key) override {
    return run_and_wait(shared_, [&] { return inner_->validate_unchanged(std::move(key)); });
  }
  void commit(txn::callback<std::uint64_t> done) override {
    call([done = std::move(done)](txn::transaction& t) mutable { t.commit(std::move(done)); });
  }
  void rollback(txn::callback<txn::unit> done) override {
    call([done = std::move(done)](txn::transaction& t) mutable { t.rollback(std::move(done)); });
  }
  const txn::ledger& round_trips() const override {
    // Read after the transaction's last callback, which happened-before the caller's read.
    return inner_->round_trips();
  }

 private:
  void call(std::function<void(txn::transaction&)> fn) {
    if (inside == shared_.get()) return fn(*inner_);
    run_on(shared_, [inner = inner_, fn = std::move(fn)]() mutable { fn(*inner); });
  }

  std::shared_ptr<actor_engine::shared> shared_;
  std::shared_ptr<txn::transaction> inner_;
  std::uint64_t start_ts_;
};

}  // namespace

actor_engine::actor_engine(caf::actor_system& system, const cluster& c, node_id home,
                           coordinator_options options)
    : shared_(std::make_shared<shared>()), home_(home) {
  if (!options.active) options.active = c.active_set(home);
  shared_->client = system.spawn(client_behavior, shared_, c.net(), home, c.meta_nodes(),
                                 c.clock(), c.io_options(), options);
}

actor_engine::~actor_engine() {
  caf::anon_send_exit(shared_->client, caf::exit_reason::user_shutdown);
}

void actor_engine::post(std::function<void()> fn, std::uint64_t delay_ms) {
  run_on(shared_, std::move(fn), delay_ms);
}

void actor_engine::with_io(std::function<void(actor_io&)> fn) {
  auto s = shared_;
  run_on(s, [s, fn = std::move(fn)] { fn(*s->io); });
}

void actor_engine::with_io_sync(const std::function<void(actor_io&)>& fn) {
  auto s = shared_;
  (void)run_and_wait(s, [&] {
    fn(*s->io);
    return ok_status();
  });
}

void actor_engine::begin(txn::begin_options options,
                         txn::callback<std::unique_ptr<txn::transaction>> done) {
  auto s = shared_;
  auto start = [s, options, done = std::move(done)]() mutable {
    s->engine->begin(options, [s, done = std::move(done)](result<std::unique_ptr<txn::transaction>> t) {
      if (!t) return done(t.err());
      done(std::unique_ptr<txn::transaction>(new actor_transaction(s, std::move(*t))));
    });
  };
  if (inside == s.get()) return start();
  run_on(s, std::move(start));
}

}  // namespace meridian::actors
