// The coordinator's routing helpers (see coordinator_core.hpp): one query to the shard that holds
// a key, and one command per shard for a set of keys, both surviving directory refreshes, epoch
// changes (splits) and transport failures until their deadline.
#include <algorithm>

#include "actors/coordinator_core.hpp"
#include "common/limits.hpp"

namespace meridian::actors {

std::uint64_t txn_core::backoff_ms(int attempt) const {
  std::uint64_t base = std::min<std::uint64_t>(options().max_backoff_ms,
                                               std::uint64_t{5} << std::min(attempt, 10));
  // Deterministic jitter (replayable in the simulator): spreads retries of different
  // transactions that met the same lock.
  std::uint64_t jitter = (start_ts * 2654435761u + static_cast<std::uint64_t>(attempt)) % (base / 2 + 1);
  return base / 2 + jitter;
}

// One query and its attempts; shared by every continuation, so none copies the caller's
// callback (and everything it holds).
struct txn_core::query_request {
  locator locate;
  std::function<shard_query(const route&)> build;
  std::uint64_t deadline_ms;
  std::function<void(result<std::pair<route, std::string>>)> done;
  std::function<void()> unroutable;
};

void txn_core::query_shard(locator locate, std::function<shard_query(const route&)> build,
                           std::uint64_t deadline_ms, int attempt,
                           std::function<void(result<std::pair<route, std::string>>)> done,
                           std::function<void()> unroutable) {
  query_attempt(std::make_shared<query_request>(query_request{std::move(locate), std::move(build),
                                                              deadline_ms, std::move(done),
                                                              std::move(unroutable)}),
                attempt);
}

void txn_core::query_attempt(std::shared_ptr<query_request> req, int attempt) {
  auto self = shared_from_this();
  auto retry = [self, req, attempt](error why, bool refresh) {
    if (self->past(req->deadline_ms)) return req->done(why);
    ++self->ledger.retries;
    auto again = [self, req, attempt] { self->query_attempt(req, attempt + 1); };
    if (refresh) {
      self->io().refresh([again](result<txn::unit>) { again(); });
    } else {
      self->io().after(self->backoff_ms(attempt), again);
    }
  };
  auto where = req->locate();
  if (!where && req->unroutable) return req->unroutable();
  if (!where) {
    return retry(error(errc::unavailable, "the shard directory does not cover the key"), true);
  }
  auto on_answer = [req, where = *where, retry](result<std::string> bytes) {
    if (!bytes) return retry(bytes.err(), bytes.err().code() == errc::epoch_mismatch);
    auto answer = decode_answer(*bytes);
    if (!answer && answer.err().code() == errc::epoch_mismatch) {
      return retry(answer.err().cause, true);
    }
    req->done(std::make_pair(where, std::move(*bytes)));
  };
  std::string request = encode_query(req->build(*where));
  if (!stale) {
    ++ledger.read_round_trips;
    return send_query(where->shard, std::move(request), std::move(on_answer));
  }
  // A stale read tries the nearest replica first; one that has not caught up (or cannot be
  // reached) sends the read to the leader instead, and the ledger says so.
  shard_id shard = where->shard;
  io().query_stale(shard, request, [self, shard, request, on_answer](result<std::string> bytes) {
    if (bytes) {
      auto answer = decode_answer(*bytes);
      if (answer || answer.err().code() != errc::not_ready) {
        ++self->ledger.local_reads;
        return on_answer(std::move(bytes));
      }
    }
    ++self->ledger.read_round_trips;
    self->send_query(shard, request, on_answer);
  });
}

namespace {

// One scatter: groups outstanding, answers gathered; retries regroup their keys.
struct scatter_state {
  std::function<shard_command(const route&, const std::vector<std::string>&)> build;
  std::uint64_t deadline_ms = 0;
  std::function<void(result<std::vector<txn_core::group_answer>>)> done;
  std::vector<txn_core::group_answer> answers;
  std::size_t outstanding = 0;
  bool failed = false;
  bool give_up_unavailable = false;
};

}  // namespace

void txn_core::scatter(
    std::vector<std::string> keys,
    std::function<shard_command(const route&, const std::vector<std::string>&)> build,
    std::uint64_t deadline_ms, std::function<void(result<std::vector<group_answer>>)> done,
    bool give_up_unavailable) {
  auto self = shared_from_this();
  auto state = std::make_shared<scatter_state>();
  state->give_up_unavailable = give_up_unavailable;
  state->build = std::move(build);
  state->deadline_ms = deadline_ms;
  state->done = std::move(done);
  // Sends the keys, grouped anew; calls itself for groups that must be retried.
  auto send = std::make_shared<std::function<void(std::vector<std::string>, int)>>();
  // The function holds itself only weakly (no reference cycle); the closures it hands to the io
  // hold it strongly while they are pending.
  std::weak_ptr<std::function<void(std::vector<std::string>, int)>> weak_send = send;
  *send = [self, state, weak_send](std::vector<std::string> group_keys, int attempt) {
    auto send = weak_send.lock();
    std::map<shard_id, std::pair<route, std::vector<std::string>>> groups;
    std::vector<std::string> unknown;
    for (auto& k : group_keys) {
      auto where = self->io().locate(k);
      if (!where) {
        unknown.push_back(std::move(k));
        continue;
      }
      auto& g = groups[where->shard];
      g.first = *where;
      g.second.push_back(std::move(k));
    }
    auto retry_later = [self, state, send](std::vector<std::string> again, int attempt,
                                           bool refresh, error why) {
      bool give_up = state->give_up_unavailable && why.code() == errc::unavailable;
      if (give_up || self->past(state->deadline_ms)) {
        if (!state->failed) {
          state->failed = true;
          state->done(why);
        }
        return;
      }
      ++state->outstanding;
      ++self->ledger.retries;
      auto go = [send, again = std::move(again), attempt]() mutable {
        (*send)(std::move(again), attempt + 1);
      };
      if (refresh) {
        self->io().refresh([go](result<txn::unit>) mutable { go(); });
      } else {
        self->io().after(self->backoff_ms(attempt), go);
      }
    };
    // A shard's keys go in commands of at most limits::max_keys_per_command keys each (a
    // command is one Raft entry): a bulk write of 100,000 rows is many commands, each answered
    // as a group of its own.
    std::vector<std::pair<route, std::vector<std::string>>> chunks;
    for (auto& [id, group] : groups) {
      auto& keys = group.second;
      for (std::size_t at = 0; at < keys.size(); at += limits::max_keys_per_command) {
        std::size_t end = std::min(keys.size(), at + limits::max_keys_per_command);
        chunks.emplace_back(group.first, std::vector<std::string>(
                                             std::make_move_iterator(keys.begin() + at),
                                             std::make_move_iterator(keys.begin() + end)));
      }
    }
    // This call holds one outstanding unit until every group is sent, so answers that arrive
    // at once (an inline io) cannot finish the scatter early.
    state->outstanding += chunks.size();
    if (!unknown.empty()) {
      retry_later(std::move(unknown), attempt, true,
                  error(errc::unavailable, "the shard directory does not cover a key"));
    }
    for (auto& chunk : chunks) {
      route where = chunk.first;
      shard_id id = where.shard;
      auto members = std::make_shared<std::vector<std::string>>(std::move(chunk.second));
      self->send_command(
          id, encode_command(state->build(where, *members)),
          [state, where, members, attempt, retry_later](result<std::string> bytes) {
            --state->outstanding;
            if (state->failed) return;
            if (!bytes) {
              return retry_later(*members, attempt, bytes.err().code() == errc::epoch_mismatch,
                                 bytes.err());
            }
            auto answer = decode_answer(*bytes);
            if (!answer && answer.err().code() == errc::epoch_mismatch) {
              return retry_later(*members, attempt, true, answer.err().cause);
            }
            state->answers.push_back(group_answer{*members, where, std::move(answer)});
            if (state->outstanding == 0) state->done(std::move(state->answers));
          });
    }
    --state->outstanding;
    if (state->outstanding == 0 && !state->failed) state->done(std::move(state->answers));
  };
  state->outstanding = 1;
  (*send)(std::move(keys), 0);
}

shard_groups group_by_shard(cluster_io& io, const std::vector<txn::mutation>& mutations) {
  shard_groups out;
  for (const auto& m : mutations) {
    auto where = io.locate(m.key);
    if (!where) {
      out.unknown = true;
      continue;
    }
    auto& g = out.groups[where->shard];
    g.first = *where;
    g.second.push_back(m);
  }
  return out;
}

}  // namespace meridian::actors
