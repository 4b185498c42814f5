// The ledger's arithmetic and printing, and the blocking adapters; see transaction.hpp.
#include "txn/transaction.hpp"

#include <cstdio>
#include <future>

namespace meridian::txn {

void ledger::add(const ledger& o) {
  tso_round_trips += o.tso_round_trips;
  read_round_trips += o.read_round_trips;
  local_reads += o.local_reads;
  prewrite_rounds += o.prewrite_rounds;
  commit_rounds += o.commit_rounds;
  lock_resolutions += o.lock_resolutions;
  retries += o.retries;
  wan_ms += o.wan_ms;
  if (!o.commit_path.empty()) commit_path = o.commit_path;
}

std::string ledger::to_string() const {
  std::string out = "round trips: " + std::to_string(total_round_trips()) + " (tso " +
                    std::to_string(tso_round_trips) + ", reads " +
                    std::to_string(read_round_trips) + ", prewrite " +
                    std::to_string(prewrite_rounds) + ", commit " + std::to_string(commit_rounds) +
                    ")";
  if (local_reads > 0) out += ", local reads " + std::to_string(local_reads);
  if (lock_resolutions > 0) out += ", locks resolved " + std::to_string(lock_resolutions);
  if (retries > 0) out += ", retries " + std::to_string(retries);
  if (!commit_path.empty()) out += ", path " + commit_path;
  if (wan_ms > 0) {
    char buf[48];
    std::snprintf(buf, sizeof buf, ", network %.1f ms", wan_ms);
    out += buf;
  }
  return out;
}

namespace {

// Runs an asynchronous call and waits for its callback.
template <class T, class Call>
result<T> wait_for(Call&& call) {
  std::promise<result<T>> p;
  auto f = p.get_future();
  call([&p](result<T> r) { p.set_value(std::move(r)); });
  return f.get();
}

}  // namespace

result<std::unique_ptr<transaction>> begin_blocking(transaction_engine& engine,
                                                    begin_options options) {
  return wait_for<std::unique_ptr<transaction>>(
      [&](auto done) { engine.begin(std::move(options), std::move(done)); });
}

result<std::optional<std::string>> blocking_transaction::get(const std::string& key) {
  return wait_for<std::optional<std::string>>([&](auto done) { txn_->get(key, std::move(done)); });
}

result<std::vector<std::optional<std::string>>> blocking_transaction::batch_get(
    std::vector<std::string> keys) {
  return wait_for<std::vector<std::optional<std::string>>>(
      [&](auto done) { txn_->batch_get(std::move(keys), std::move(done)); });
}

result<scan_page> blocking_transaction::scan(const std::string& start, const std::string& end,
                                             std::size_t limit, bool reverse) {
  return wait_for<scan_page>(
      [&](auto done) { txn_->scan(start, end, limit, reverse, std::move(done)); });
}

result<std::uint64_t> blocking_transaction::commit() {
  return wait_for<std::uint64_t>([&](auto done) { txn_->commit(std::move(done)); });
}

status blocking_transaction::rollback() {
  auto r = wait_for<unit>([&](auto done) { txn_->rollback(std::move(done)); });
  if (!r.ok()) return r.err();
  return ok_status();
}

}  // namespace meridian::txn
