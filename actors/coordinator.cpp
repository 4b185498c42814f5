// The cluster transaction engine and its transactions; see coordinator.hpp. The transaction
// object is a thin handle: its state lives in txn_core (coordinator_core.hpp), shared with every
// callback still pending.
#include "actors/coordinator.hpp"

#include "actors/coordinator_core.hpp"
#include "txn/timestamp.hpp"

namespace meridian::actors {
namespace {

class cluster_transaction final : public txn::transaction {
 public:
  explicit cluster_transaction(std::shared_ptr<txn_core> core) : core_(std::move(core)) {}

  std::uint64_t start_ts() const override { return core_->start_ts; }

  void get(std::string key, txn::callback<std::optional<std::string>> done) override {
    if (auto s = usable(); !s) return done(s.err());
    if (auto own = own_write(key)) return done(std::move(*own));
    core_->read_key(std::move(key), deadline(), 0, guarded(std::move(done)));
  }

  void batch_get(std::vector<std::string> keys,
                 txn::callback<std::vector<std::optional<std::string>>> done) override {
    if (auto s = usable(); !s) return done(s.err());
    // Read-your-own-writes first; the rest in one query per shard (txn_core::read_keys).
    auto values = std::make_shared<std::vector<std::optional<std::string>>>(keys.size());
    std::vector<std::size_t> slots;
    std::vector<std::string> to_read;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (auto own = own_write(keys[i])) {
        (*values)[i] = std::move(*own);
        continue;
      }
      slots.push_back(i);
      to_read.push_back(std::move(keys[i]));
    }
    if (to_read.empty()) return done(std::move(*values));
    core_->read_keys(std::move(to_read), deadline(),
                     guarded<txn_core::values>([values, slots = std::move(slots),
                                                done](result<txn_core::values> read) {
                       if (!read) return done(read.err());
                       for (std::size_t i = 0; i < slots.size(); ++i) {
                         (*values)[slots[i]] = std::move((*read)[i]);
                       }
                       done(std::move(*values));
                     }));
  }

  void scan(std::string start, std::string end, std::size_t limit, bool reverse,
            txn::callback<txn::scan_page> done) override {
    if (auto s = usable(); !s) return done(s.err());
    auto merger = std::make_shared<txn::scan_merger>(core_->buffer, std::move(start),
                                                     std::move(end), limit, reverse);
    step_scan(core_, merger, reverse, deadline(), guarded(std::move(done)));
  }

  status put(std::string key, std::string value) override {
    MERIDIAN_TRY(writable());
    return core_->buffer.put(std::move(key), std::move(value));
  }
  status del(std::string key) override {
    MERIDIAN_TRY(writable());
    return core_->buffer.del(std::move(key));
  }
  status lock_keys(std::vector<std::string> keys) override {
    MERIDIAN_TRY(writable());
    for (auto& k : keys) MERIDIAN_TRY(core_->buffer.lock(std::move(k)));
    return ok_status();
  }
  status validate_unchanged(std::string key) override {
    MERIDIAN_TRY(usable());
    MERIDIAN_TRY(storage::check_key(key));
    core_->unchanged.push_back(std::move(key));
    return ok_status();
  }

  // Cancelled before it starts, the commit does not happen; once started it is not cut short
  // (its outcome must be settled), but the caller is released with an unknown outcome.
  void commit(txn::callback<std::uint64_t> done) override {
    if (auto s = usable(); !s) return done(s.err());
    core_->finished = true;
    if (core_->cancelled()) return done(error(errc::cancelled, "the statement was cancelled"));
    if (!core_->cancel_commit) return core_->commit(std::move(done));
    core_->commit(cancellable<std::uint64_t>(
        core_->io(), core_->cancel, std::move(done),
        error(errc::outcome_unknown,
              "cancelled while committing: the commit goes on without this statement")));
  }
  void rollback(txn::callback<txn::unit> done) override {
    core_->finished = true;
    done(txn::unit{});  // nothing was prewritten before commit: nothing to undo
  }
  const txn::ledger& round_trips() const override { return core_->ledger_now(); }

 private:
  // What this transaction wrote at `key`, when it wrote a value or a delete (the inner nullopt):
  // its reads see it (read-your-own-writes).
  std::optional<std::optional<std::string>> own_write(const std::string& key) const {
    const auto* m = core_->buffer.find(key);
    if (m == nullptr || m->kind == storage::mutation_kind::lock_only) return std::nullopt;
    return m->kind == storage::mutation_kind::put ? std::optional<std::string>(m->value)
                                                  : std::optional<std::string>();
  }
  static void step_scan(std::shared_ptr<txn_core> core, std::shared_ptr<txn::scan_merger> merger,
                        bool reverse, std::uint64_t deadline, txn::callback<txn::scan_page> done) {
    auto f = merger->next_fetch();
    if (!f) return done(merger->take());
    if (core->cancelled()) return done(error(errc::cancelled, "the statement was cancelled"));
    core->read_page(*f, reverse, deadline, 0,
                    [core, merger, reverse, deadline, done](result<txn::scan_page> page) {
                      if (!page) return done(page.err());
                      merger->feed(*page);
                      step_scan(core, merger, reverse, deadline, done);
                    });
  }
  // A read's answer, or errc::cancelled once the transaction's cancel flag is set.
  template <class T>
  txn::callback<T> guarded(txn::callback<T> done) const {
    return cancellable(core_->io(), core_->cancel, std::move(done));
  }
  std::uint64_t deadline() const {
    return core_->io().now_ms() + core_->options().read_deadline_ms;
  }
  status usable() const {
    if (core_->finished) {
      return error(errc::txn_not_active, "the transaction already committed or rolled back");
    }
    return ok_status();
  }
  status writable() const {
    MERIDIAN_TRY(usable());
    if (core_->read_only) {
      return error(errc::invalid_argument,
                   "the transaction is read-only (it reads at a past timestamp)");
    }
    return ok_status();
  }

  std::shared_ptr<txn_core> core_;
};

}  // namespace

cluster_engine::cluster_engine(cluster_io& io, coordinator_options options)
    : shared_(std::make_shared<shared>(shared{io, options, txn::resolved_cache(options.resolved_cache_entries)})) {}

cluster_engine::~cluster_engine() = default;

void cluster_engine::begin(txn::begin_options options,
                           txn::callback<std::unique_ptr<txn::transaction>> done) {
  auto s = shared_;
  auto resends = std::make_shared<std::uint32_t>(0);
  auto stamped = [s, options, done, resends](result<std::uint64_t> now) {
    if (!now) return done(now.err());
    auto core = std::make_shared<txn_core>();
    core->shared = s;
    core->resends = resends;  // the start timestamp's resends count as the transaction's
    core->cancel = options.cancel;
    core->cancel_commit = options.cancel_commit;
    core->mode = options.mode;
    core->start_ts = *now;
    core->read_only = options.read_only;
    core->ledger.tso_round_trips = 1;
    if (options.read_ts) {
      if (*options.read_ts > *now) {
        return done(error(errc::invalid_argument, "read timestamp " +
                                                      std::to_string(*options.read_ts) +
                                                      " is in the future"));
      }
      core->start_ts = *options.read_ts;
      core->read_only = true;
      core->stale = true;
    } else if (options.staleness_ms) {
      std::uint64_t physical = txn::physical_ms_of(*now);
      core->start_ts = txn::compose_ts(
          physical > *options.staleness_ms ? physical - *options.staleness_ms : 1, 0);
      core->read_only = true;
      core->stale = true;
    }
    if (s->options.active) core->active = s->options.active->add(core->start_ts);
    done(std::unique_ptr<txn::transaction>(new cluster_transaction(std::move(core))));
  };
  s->io.timestamp(cancellable<std::uint64_t>(s->io, options.cancel, std::move(stamped)), resends);
}

void cluster_engine::resolve_lock(storage::locked_key lock, txn::callback<bool> done) {
  auto core = std::make_shared<txn_core>();
  core->shared = shared_;
  core->resolve(std::move(lock), false, [core, done](result<resolution> r) {
    if (!r) return done(r.err());
    done(*r == resolution::resolved);
  });
}

}  // namespace meridian::actors
