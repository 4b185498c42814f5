// The transaction workloads; see txn_workloads.hpp. Each operation is one transaction: begin,
// reads and buffered writes, commit. A failure before commit is `fail` (nothing was written); a
// commit that may have happened is `info`.
#include "sim/txn_workloads.hpp"

#include <algorithm>
#include <sstream>

#include "check/append_checker.hpp"
#include "check/bank_checker.hpp"
#include "check/register_checker.hpp"

namespace meridian::sim {

using check::json;
using check::op_type;
using txn_handle = std::shared_ptr<std::unique_ptr<txn::transaction>>;

check::op_type outcome_of(const error& e) {
  return e.code() == errc::outcome_unknown || e.code() == errc::timeout ? op_type::info
                                                                        : op_type::fail;
}

namespace {

// begin -> body(txn, finish) where finish(commit?) commits or rolls back and reports.
void in_transaction(txn::transaction_engine& engine,
                    std::function<void(txn_handle, std::function<void(op_result)>)> body,
                    std::function<void(op_result)> done, json failed_value,
                    txn::begin_options options = {}) {
  engine.begin(options, [body, done, failed_value](result<std::unique_ptr<txn::transaction>> t) {
    if (!t) return done(op_result{op_type::fail, failed_value});
    auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
    body(holder, done);
  });
}

void commit_then(txn_handle t, json ok_value, json invoke_value,
                 std::function<void(op_result)> done) {
  (*t)->commit([t, ok_value, invoke_value, done](result<std::uint64_t> r) {
    if (r) return done(op_result{op_type::ok, ok_value});
    done(op_result{outcome_of(r.err()), invoke_value});
  });
}

// ---- bank ---------------------------------------------------------------------------------

constexpr int accounts = 8;
std::string account_key(std::int64_t i) { return "bank/acct/" + std::to_string(i); }

class bank_workload final : public txn_workload {
 public:
  std::string name() const override { return "bank"; }
  std::vector<std::string> split_keys() const override {
    return {account_key(2), account_key(4), account_key(6)};
  }
  void setup(txn::transaction_engine& engine, std::function<void(status)> done) override {
    engine.begin({}, [done](result<std::unique_ptr<txn::transaction>> t) {
      if (!t) return done(t.err());
      auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
      for (int i = 0; i < accounts; ++i) {
        (void)(*holder)->put(account_key(i), std::to_string(i < 4 ? 12 : 13));  // sum 100
      }
      (*holder)->commit([holder, done](result<std::uint64_t> r) {
        if (!r) return done(r.err());
        done(ok_status());
      });
    });
  }
  std::pair<std::string, json> next(std::mt19937_64& rng) override {
    // A third of the reads are stale (AS OF a moment ago), served by the nearest replica below
    // its safe timestamp: they must see a consistent snapshot too.
    if (rng() % 4 == 0) return {"read", rng() % 3 == 0 ? json("stale") : json()};
    std::int64_t from = static_cast<std::int64_t>(rng() % accounts);
    std::int64_t to = static_cast<std::int64_t>(rng() % (accounts - 1));
    if (to >= from) ++to;
    std::int64_t amount = 1 + static_cast<std::int64_t>(rng() % 5);
    return {"transfer", json(json::object{{"from", json(from)}, {"to", json(to)},
                                         {"amount", json(amount)}})};
  }
  void run(txn::transaction_engine& engine, const std::string& f, const json& value,
           std::function<void(op_result)> done) override {
    if (f == "read") return read_all(engine, value.is_string(), done);
    std::int64_t from = value["from"].as_int(), to = value["to"].as_int();
    std::int64_t amount = value["amount"].as_int();
    in_transaction(engine, [=](txn_handle t, std::function<void(op_result)> finish) {
      (*t)->batch_get({account_key(from), account_key(to)},
                      [=](result<std::vector<std::optional<std::string>>> got) {
                        if (!got || !(*got)[0] || !(*got)[1]) {
                          return finish(op_result{op_type::fail, value});
                        }
                        std::int64_t a = std::stoll(*(*got)[0]), b = std::stoll(*(*got)[1]);
                        if (a < amount) {
                          (*t)->rollback([](result<txn::unit>) {});
                          return finish(op_result{op_type::fail, value});
                        }
                        (void)(*t)->put(account_key(from), std::to_string(a - amount));
                        (void)(*t)->put(account_key(to), std::to_string(b + amount));
                        commit_then(t, value, value, finish);
                      });
    }, done, value);
  }
  check::check_result check(const check::history& h) const override {
    return check::check_bank(h, check::bank_options{100, accounts});
  }

 private:
  void read_all(txn::transaction_engine& engine, bool stale, std::function<void(op_result)> done) {
    txn::begin_options options;
    if (stale) options.staleness_ms = 1500;
    in_transaction(engine, [](txn_handle t, std::function<void(op_result)> finish) {
      std::vector<std::string> keys;
      for (int i = 0; i < accounts; ++i) keys.push_back(account_key(i));
      (*t)->batch_get(keys, [t, finish](result<std::vector<std::optional<std::string>>> got) {
        if (!got) return finish(op_result{op_type::fail, json()});
        json::object balances;
        for (int i = 0; i < accounts; ++i) {
          balances[std::to_string(i)] =
              (*got)[static_cast<std::size_t>(i)] ? json(static_cast<std::int64_t>(std::stoll(*(*got)[static_cast<std::size_t>(i)]))) : json();
        }
        (*t)->rollback([](result<txn::unit>) {});
        finish(op_result{op_type::ok, json(std::move(balances))});
      });
    }, done, json(), options);
  }
};

// ---- append -------------------------------------------------------------------------------

constexpr int lists = 8;
std::string list_key(std::int64_t k) { return "list/" + std::to_string(k); }

json decode_list(const std::optional<std::string>& v) {
  json::array out;
  if (!v || v->empty()) return json(std::move(out));
  std::stringstream in(*v);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(json(static_cast<std::int64_t>(std::stoll(item))));
  return json(std::move(out));
}

class append_workload final : public txn_workload {
 public:
  std::string name() const override { return "append"; }
  std::vector<std::string> split_keys() const override {
    return {list_key(2), list_key(4), list_key(6)};
  }
  void setup(txn::transaction_engine&, std::function<void(status)> done) override {
    done(ok_status());
  }
  std::pair<std::string, json> next(std::mt19937_64& rng) override {
    json::array ops;
    std::size_t n = 1 + rng() % 4;
    for (std::size_t i = 0; i < n; ++i) {
      std::int64_t k = static_cast<std::int64_t>(rng() % lists);
      if (rng() % 2 == 0) {
        ops.push_back(json(json::array{json("append"), json(k), json(next_value_++)}));
      } else {
        ops.push_back(json(json::array{json("r"), json(k), json()}));
      }
    }
    return {"txn", json(std::move(ops))};
  }
  void run(txn::transaction_engine& engine, const std::string&, const json& value,
           std::function<void(op_result)> done) override {
    in_transaction(engine, [value](txn_handle t, std::function<void(op_result)> finish) {
      auto filled = std::make_shared<json::array>(value.as_array());
      step(t, filled, 0, value, finish);
    }, done, value);
  }
  check::check_result check(const check::history& h) const override {
    check::append_options o;
    o.strict = true;  // a transaction that began after another's acknowledgement must see it
    return check::check_append(h, o).to_check_result();
  }

 private:
  static void step(txn_handle t, std::shared_ptr<json::array> ops, std::size_t i,
                   const json& invoke, std::function<void(op_result)> finish) {
    if (i == ops->size()) return commit_then(t, json(*ops), invoke, finish);
    json& op = (*ops)[i];
    std::int64_t k = op.as_array()[1].as_int();
    bool append = op.as_array()[0].as_string() == "append";
    (*t)->get(list_key(k), [t, ops, i, invoke, finish, append, k](result<std::optional<std::string>> v) {
      if (!v) return finish(op_result{op_type::fail, invoke});
      json& op = (*ops)[i];
      if (append) {
        std::string list = v->value_or("");
        list += (list.empty() ? "" : ",") + std::to_string(op.as_array()[2].as_int());
        if (!(*t)->put(list_key(k), list)) return finish(op_result{op_type::fail, invoke});
      } else {
        op.as_array()[2] = decode_list(*v);
      }
      step(t, ops, i + 1, invoke, finish);
    });
  }
  std::int64_t next_value_ = 1;
};

// ---- register -----------------------------------------------------------------------------

constexpr int registers = 5;
std::string register_key(std::int64_t k) { return "reg/" + std::to_string(k); }

class register_workload final : public txn_workload {
 public:
  std::string name() const override { return "register"; }
  std::vector<std::string> split_keys() const override { return {register_key(2)}; }
  void setup(txn::transaction_engine&, std::function<void(status)> done) override {
    done(ok_status());
  }
  std::pair<std::string, json> next(std::mt19937_64& rng) override {
    std::int64_t k = static_cast<std::int64_t>(rng() % registers);
    int dice = static_cast<int>(rng() % 10);
    if (dice < 4) return {"read", json(json::array{json(k), json()})};
    if (dice < 8) return {"write", json(json::array{json(k), json(next_value_++)})};
    std::int64_t expected = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(next_value_));
    return {"cas", json(json::array{json(k), json(json::array{json(expected), json(next_value_++)})})};
  }
  void run(txn::transaction_engine& engine, const std::string& f, const json& value,
           std::function<void(op_result)> done) override {
    std::int64_t k = value.as_array()[0].as_int();
    in_transaction(engine, [f, value, k](txn_handle t, std::function<void(op_result)> finish) {
      if (f == "write") {
        (void)(*t)->put(register_key(k), std::to_string(value.as_array()[1].as_int()));
        return commit_then(t, value, value, finish);
      }
      (*t)->get(register_key(k), [t, f, value, k, finish](result<std::optional<std::string>> v) {
        if (!v) return finish(op_result{op_type::fail, value});
        json current = *v ? json(static_cast<std::int64_t>(std::stoll(**v))) : json();
        if (f == "read") {
          (*t)->rollback([](result<txn::unit>) {});
          return finish(op_result{op_type::ok, json(json::array{json(k), current})});
        }
        const json& pair = value.as_array()[1];
        if (!(current == pair.as_array()[0])) {
          (*t)->rollback([](result<txn::unit>) {});
          return finish(op_result{op_type::fail, value});
        }
        (void)(*t)->put(register_key(k), std::to_string(pair.as_array()[1].as_int()));
        commit_then(t, value, value, finish);
      });
    }, done, value);
  }
  check::check_result check(const check::history& h) const override {
    return check::check_registers(h);
  }

 private:
  std::int64_t next_value_ = 1;
};

}  // namespace

std::unique_ptr<txn_workload> make_workload(const std::string& name) {
  if (name == "bank") return std::make_unique<bank_workload>();
  if (name == "append") return std::make_unique<append_workload>();
  if (name == "register") return std::make_unique<register_workload>();
  return nullptr;
}

}  // namespace meridian::sim
