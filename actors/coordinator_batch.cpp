// The coordinator's batched point reads (see coordinator_core.hpp): the keys a statement reads
// together (an INSERT's key checks, a transfer's two balances) go to each shard as one batch_get
// query instead of one query per key, so an INSERT of 10,000 rows asks its shard a few times
// rather than 10,000. Locks met are resolved as a single read resolves them
// (coordinator_read.cpp), then the batch is read again.
#include <algorithm>

#include "actors/coordinator_core.hpp"

namespace meridian::actors {
namespace {

// Keys per batch_get: bounds one answer (values up to limits::max_value_bytes each) and one
// shard's time on one query.
constexpr std::size_t batch_keys = 1024;

// Answers of several reads, gathered into one vector in the order of the keys; the first error
// ends it. One slot is held while the reads are issued, so answers that arrive at once cannot
// finish it early.
struct gather {
  txn_core::values out;
  std::size_t pending = 1;
  bool failed = false;
  txn::callback<txn_core::values> done;

  void fail(const error& e) {
    if (failed) return;
    failed = true;
    done(e);
  }
  void finish_one() {
    if (--pending == 0 && !failed) done(std::move(out));
  }
};

// Fills `g` at `slots` from one group's answer.
txn::callback<txn_core::values> fill(std::shared_ptr<gather> g, std::vector<std::size_t> slots) {
  ++g->pending;
  return [g, slots = std::move(slots)](result<txn_core::values> v) {
    if (!v) return g->fail(v.err());
    for (std::size_t i = 0; i < slots.size(); ++i) g->out[slots[i]] = std::move((*v)[i]);
    g->finish_one();
  };
}

}  // namespace

void txn_core::read_keys(std::vector<std::string> keys, std::uint64_t deadline_ms,
                         txn::callback<values> done) {
  auto g = std::make_shared<gather>();
  g->out.resize(keys.size());
  g->done = std::move(done);
  // Slots by shard; a key whose shard is unknown is read alone (its read waits for the directory).
  std::map<shard_id, std::vector<std::size_t>> by_shard;
  std::vector<std::size_t> alone;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto where = io().locate(keys[i]);
    if (where) {
      by_shard[where->shard].push_back(i);
    } else {
      alone.push_back(i);
    }
  }
  for (auto& [shard, slots] : by_shard) {
    if (slots.size() == 1) {
      alone.push_back(slots.front());
      continue;
    }
    for (std::size_t at = 0; at < slots.size(); at += batch_keys) {
      std::vector<std::size_t> part(slots.begin() + static_cast<std::ptrdiff_t>(at),
                                    slots.begin() + static_cast<std::ptrdiff_t>(
                                                        std::min(slots.size(), at + batch_keys)));
      std::vector<std::string> batch;
      for (std::size_t i : part) batch.push_back(keys[i]);
      read_batch(std::move(batch), deadline_ms, 0, fill(g, std::move(part)));
    }
  }
  for (std::size_t i : alone) {
    auto one = fill(g, {i});
    read_key(keys[i], deadline_ms, 0, [one](result<std::optional<std::string>> v) {
      if (!v) return one(v.err());
      one(values{std::move(*v)});
    });
  }
  g->finish_one();
}

void txn_core::read_each(std::vector<std::string> keys, std::uint64_t deadline_ms,
                         txn::callback<values> done) {
  auto g = std::make_shared<gather>();
  g->out.resize(keys.size());
  g->done = std::move(done);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto one = fill(g, {i});
    read_key(keys[i], deadline_ms, 0, [one](result<std::optional<std::string>> v) {
      if (!v) return one(v.err());
      one(values{std::move(*v)});
    });
  }
  g->finish_one();
}

void txn_core::read_batch(std::vector<std::string> keys, std::uint64_t deadline_ms, int attempt,
                          txn::callback<values> done) {
  auto self = shared_from_this();
  auto shared_keys = std::make_shared<const std::vector<std::string>>(std::move(keys));
  // No route unless every key is still in one shard.
  locator one_shard = [self, shared_keys]() -> std::optional<route> {
    auto first = self->io().locate(shared_keys->front());
    if (!first) return std::nullopt;
    for (const auto& k : *shared_keys) {
      auto where = self->io().locate(k);
      if (!where || where->shard != first->shard) return std::nullopt;
    }
    return first;
  };
  query_shard(
      one_shard,
      [self, shared_keys](const route& r) {
        return shard_query(batch_get_query{
            r.epoch, *shared_keys, storage::read_options{self->start_ts, self->bypass}});
      },
      deadline_ms, attempt,
      [self, shared_keys, deadline_ms, attempt, done](result<std::pair<route, std::string>> got) {
        if (!got) return done(got.err());
        auto answer = decode_answer(got->second);
        if (answer) {
          auto v = decode_values(*answer);
          if (v && v->size() != shared_keys->size()) {
            return done(error(errc::internal, "a batch read answered a different number of keys"));
          }
          return done(std::move(v));
        }
        if (answer.err().code() != errc::key_locked) return done(answer.err().cause);
        self->after_lock(answer.err().lock, deadline_ms, attempt,
                         [self, shared_keys, deadline_ms, attempt, done] {
                           self->read_batch(*shared_keys, deadline_ms, attempt + 1, done);
                         },
                         [done](error e) { done(std::move(e)); });
      },
      [self, shared_keys, deadline_ms, done] { self->read_each(*shared_keys, deadline_ms, done); });
}

}  // namespace meridian::actors
