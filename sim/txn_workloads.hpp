// The transaction simulator's workloads (DESIGN.md "History files"): bank (transfers between 8
// accounts whose total must stay 100), append (Elle's list-append: transactions of 1–4 appends
// and reads), and register (single-key reads, writes and compare-and-sets). Each generates
// operations, runs one against a transaction engine, maps the outcome to Jepsen's ok / fail /
// info, and checks the finished history. Single-threaded (the simulator's).
#pragma once

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "check/history.hpp"
#include "txn/transaction.hpp"

namespace meridian::sim {

struct op_result {
  check::op_type type = check::op_type::info;
  check::json value;
};

class txn_workload {
 public:
  virtual ~txn_workload() = default;
  virtual std::string name() const = 0;
  // Key boundaries that spread the workload's keys over several shards.
  virtual std::vector<std::string> split_keys() const = 0;
  // Runs once before the faults start (the bank's opening balances).
  virtual void setup(txn::transaction_engine& engine, std::function<void(status)> done) = 0;
  // The next operation's f and invoke value.
  virtual std::pair<std::string, check::json> next(std::mt19937_64& rng) = 0;
  virtual void run(txn::transaction_engine& engine, const std::string& f,
                   const check::json& value, std::function<void(op_result)> done) = 0;
  virtual check::check_result check(const check::history& h) const = 0;
};

std::unique_ptr<txn_workload> make_workload(const std::string& name);

// How a commit (or any step) error maps to a history outcome: unknown outcomes are `info`,
// everything else definitely did not happen (`fail`).
check::op_type outcome_of(const error& e);

}  // namespace meridian::sim
