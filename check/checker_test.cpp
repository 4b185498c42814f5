// The checkers must accept what is valid and catch what is not: JSON round trips, history
// pairing, register linearizability (stale reads, lost writes, info operations, cas), bank sums.
#include <doctest/doctest.h>

#include "check/bank_checker.hpp"
#include "check/register_checker.hpp"

using namespace meridian;
using namespace meridian::check;

namespace {

struct builder {
  history h;
  void invoke(int p, const char* f, json v, std::int64_t t) {
    h.push_back(operation{p, op_type::invoke, f, std::move(v), t});
  }
  void done(int p, op_type type, const char* f, json v, std::int64_t t) {
    h.push_back(operation{p, type, f, std::move(v), t});
  }
};

json kv(int k, json v) { return json(json::array{json(k), std::move(v)}); }

}  // namespace

TEST_CASE("json: parse and dump round-trip, errors carry the offset") {
  auto j = json::parse(R"({"a":[1,2.5,"x\n",true,null],"b":{"c":-7}})");
  REQUIRE(j.ok());
  CHECK((*j)["b"]["c"].as_int() == -7);
  CHECK(json::parse(j->dump()).value() == *j);
  auto bad = json::parse("{\"a\": [1, 2");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().message().find("byte") != std::string::npos);
  std::string deep(1000, '[');
  CHECK_FALSE(json::parse(deep).ok());
}

TEST_CASE("json: a copy is an independent value, nested arrays and objects included") {
  // A history's invoke and its completion start as copies of one value; filling in the
  // completion's reads must leave the invoke's nulls alone (DESIGN.md, history files).
  json invoke(json::array{json(json::array{json("r"), json(1), json()})});
  json completion = invoke;
  completion.as_array()[0].as_array()[2] = json(json::array{json(5)});
  CHECK(invoke.as_array()[0].as_array()[2].is_null());
  CHECK(completion.as_array()[0].as_array()[2].as_array().size() == 1);
  json::array shallow = invoke.as_array();  // copies elements that still share their contents
  shallow[0].as_array()[2] = json(7);
  CHECK(invoke.as_array()[0].as_array()[2].is_null());
  json o(json::object{{"a", json(1)}});
  json p = o;
  p.as_object()["a"] = json(2);
  CHECK(o["a"].as_int() == 1);
}

TEST_CASE("history: JSON lines round-trip and pairing finds unmatched operations") {
  builder b;
  b.invoke(1, "write", kv(1, json(5)), 10);
  b.done(1, op_type::ok, "write", kv(1, json(5)), 20);
  b.invoke(2, "read", kv(1, json()), 15);
  auto text = to_jsonl(b.h);
  auto back = parse_jsonl(text);
  REQUIRE(back.ok());
  CHECK(back->size() == 3);
  CHECK(to_jsonl(*back) == text);
  auto paired = pair_operations(*back);
  REQUIRE(paired.ok());
  CHECK(paired->at(1).outcome == op_type::info);  // never completed
  b.invoke(1, "write", kv(1, json(6)), 30);
  b.invoke(1, "write", kv(1, json(7)), 31);
  CHECK_FALSE(pair_operations(b.h).ok());
  CHECK_FALSE(parse_jsonl("{\"process\":1}\n").ok());
}

TEST_CASE("register checker: concurrent write and read may see either value") {
  builder b;
  b.invoke(1, "write", kv(1, json(1)), 0);
  b.done(1, op_type::ok, "write", kv(1, json(1)), 10);
  b.invoke(1, "write", kv(1, json(2)), 20);
  b.invoke(2, "read", kv(1, json()), 21);
  b.done(2, op_type::ok, "read", kv(1, json(1)), 25);
  b.done(1, op_type::ok, "write", kv(1, json(2)), 30);
  b.invoke(2, "read", kv(1, json()), 40);
  b.done(2, op_type::ok, "read", kv(1, json(2)), 50);
  auto r = check_registers(b.h);
  CHECK(r.valid);
  CHECK(r.operations == 4);
}

TEST_CASE("register checker: a stale read after a completed write is a violation") {
  builder b;
  b.invoke(1, "write", kv(1, json(1)), 0);
  b.done(1, op_type::ok, "write", kv(1, json(1)), 10);
  b.invoke(1, "write", kv(1, json(2)), 20);
  b.done(1, op_type::ok, "write", kv(1, json(2)), 30);
  b.invoke(2, "read", kv(1, json()), 40);
  b.done(2, op_type::ok, "read", kv(1, json(1)), 50);
  auto r = check_registers(b.h);
  CHECK_FALSE(r.valid);
  REQUIRE(r.anomalies.size() == 1);
  CHECK(r.anomalies[0].find("read") != std::string::npos);
}

TEST_CASE("history: a process that got info never invokes again (it continues under a new id)") {
  builder b;
  b.invoke(1, "write", kv(1, json(1)), 0);
  b.done(1, op_type::info, "write", kv(1, json(1)), 10);
  b.invoke(2, "read", kv(1, json()), 20);
  b.done(2, op_type::ok, "read", kv(1, json(1)), 30);
  CHECK(pair_operations(b.h).ok());
  b.invoke(1, "read", kv(1, json()), 40);
  auto paired = pair_operations(b.h);
  REQUIRE_FALSE(paired.ok());
  CHECK(paired.err().message().find("after an info completion") != std::string::npos);
}

TEST_CASE("history: time never runs backwards within an operation, and is never negative") {
  builder b;
  b.invoke(1, "write", kv(1, json(1)), 50);
  b.done(1, op_type::ok, "write", kv(1, json(1)), 40);  // completes before it was invoked
  auto paired = pair_operations(b.h);
  REQUIRE_FALSE(paired.ok());
  CHECK(paired.err().message().find("before its invocation") != std::string::npos);
  auto negative = parse_jsonl(
      R"({"type":"invoke","process":1,"f":"read","value":null,"time":-5})" "\n");
  REQUIRE_FALSE(negative.ok());
  CHECK(negative.err().message().find("non-negative integer time") != std::string::npos);
}

TEST_CASE("checkers: past their bounds a history is undecided, not a violation") {
  builder b;
  for (int i = 0; i < 6; ++i) {
    b.invoke(i, "write", kv(1, json(i)), i);
    b.done(i, op_type::info, "write", kv(1, json(i)), 100 + i);
  }
  b.invoke(9, "read", kv(1, json()), 200);
  b.done(9, op_type::ok, "read", kv(1, json(3)), 210);
  register_options tight;
  tight.max_steps_per_key = 2;
  auto r = check_registers(b.h, tight);
  CHECK_FALSE(r.valid);
  CHECK(r.undecided());
  CHECK(check_registers(b.h).valid);  // with room to search, it is linearizable
}

TEST_CASE("register checker: an info write may take effect later, a failed one never") {
  builder b;
  b.invoke(1, "write", kv(1, json(9)), 0);
  b.done(1, op_type::info, "write", kv(1, json(9)), 10);  // timed out
  b.invoke(2, "read", kv(1, json()), 100);
  b.done(2, op_type::ok, "read", kv(1, json()), 110);  // not yet
  b.invoke(2, "read", kv(1, json()), 200);
  b.done(2, op_type::ok, "read", kv(1, json(9)), 210);  // now it has
  CHECK(check_registers(b.h).valid);
  builder f;
  f.invoke(1, "write", kv(1, json(9)), 0);
  f.done(1, op_type::fail, "write", kv(1, json(9)), 10);
  f.invoke(2, "read", kv(1, json()), 100);
  f.done(2, op_type::ok, "read", kv(1, json(9)), 110);
  CHECK_FALSE(check_registers(f.h).valid);
}

TEST_CASE("register checker: compare-and-set must see the value it replaces") {
  builder b;
  b.invoke(1, "write", kv(1, json(1)), 0);
  b.done(1, op_type::ok, "write", kv(1, json(1)), 10);
  b.invoke(1, "cas", kv(1, json(json::array{json(1), json(3)})), 20);
  b.done(1, op_type::ok, "cas", kv(1, json(json::array{json(1), json(3)})), 30);
  b.invoke(2, "cas", kv(1, json(json::array{json(1), json(4)})), 40);
  b.done(2, op_type::ok, "cas", kv(1, json(json::array{json(1), json(4)})), 50);
  auto r = check_registers(b.h);
  CHECK_FALSE(r.valid);  // the second cas saw 1, but 3 had replaced it
}

TEST_CASE("register checker: keys are independent") {
  builder b;
  b.invoke(1, "write", kv(1, json(1)), 0);
  b.done(1, op_type::ok, "write", kv(1, json(1)), 10);
  b.invoke(2, "read", kv(2, json()), 20);
  b.done(2, op_type::ok, "read", kv(2, json()), 30);
  CHECK(check_registers(b.h).valid);
}

TEST_CASE("bank checker: totals and negative balances") {
  builder b;
  b.invoke(1, "read", json(), 0);
  b.done(1, op_type::ok, "read", json(json::object{{"0", json(60)}, {"1", json(40)}}), 10);
  b.invoke(1, "read", json(), 20);
  b.done(1, op_type::ok, "read", json(json::object{{"0", json(70)}, {"1", json(40)}}), 30);
  b.invoke(1, "read", json(), 40);
  b.done(1, op_type::ok, "read", json(json::object{{"0", json(110)}, {"1", json(-10)}}), 50);
  auto r = check_bank(b.h, bank_options{100, 2});
  CHECK_FALSE(r.valid);
  CHECK(r.anomalies.size() == 2);  // the sum of 110, and the negative balance
}

TEST_CASE("bank checker: unknown accounts, fractions and sums past 64 bits are refused") {
  std::int64_t big = INT64_MAX;
  for (const json& balances :
       {json(json::object{{"0", json(100)}, {"7", json(0)}}),       // no account 7 of 2
        json(json::object{{"0", json(50.5)}, {"1", json(49.5)}}),   // not integers
        json(json::object{{"0", json(big)}, {"1", json(big)}})}) {  // wraps to -2, not 100
    builder b;
    b.invoke(1, "read", json(), 0);
    b.done(1, op_type::ok, "read", balances, 10);
    CHECK_FALSE(check_bank(b.h, bank_options{100, 2}).valid);
  }
}

TEST_CASE("bank checker: a missing account is a violation; an alias of an account is refused") {
  // The workload reads an absent account as null: lost money, not bad input. "00" for account 0
  // once stood in for a missing account and hid it.
  builder lost;
  lost.invoke(1, "read", json(), 0);
  lost.done(1, op_type::ok, "read", json(json::object{{"0", json(100)}, {"1", json()}}), 10);
  auto r = check_bank(lost.h, bank_options{100, 2});
  CHECK_FALSE(r.valid);
  CHECK(r.violations == 1);
  CHECK(r.malformed == 0);
  CHECK(r.anomalies.front().find("account 1 is missing") != std::string::npos);
  for (const char* alias : {"00", "+0", " 0", "01"}) {
    builder b;
    b.invoke(1, "read", json(), 0);
    b.done(1, op_type::ok, "read", json(json::object{{"0", json(50)}, {alias, json(50)}}), 10);
    CHECK_MESSAGE(check_bank(b.h, bank_options{100, 2}).malformed == 1, alias);
  }
}

TEST_CASE("checkers: operations not shaped as the workload's are malformed input, not anomalies") {
  // meridian check exits 2 for these (the file is not a history of the workload), naming the
  // line of the bad part, and 1 only for real anomalies.
  auto transfer = [](json from) {
    return json(json::object{{"from", std::move(from)}, {"to", json(1)}, {"amount", json(5)}});
  };
  builder bank;
  bank.invoke(1, "transfer", json("x"), 0);
  bank.done(1, op_type::ok, "transfer", json("x"), 10);
  bank.invoke(2, "transfer", transfer(json(0)), 20);
  bank.done(2, op_type::ok, "transfer", transfer(json(7)), 30);  // not what was invoked
  bank.invoke(3, "read", json(), 40);
  bank.done(3, op_type::ok, "read", json(json::object{{"0", json("60")}, {"1", json(40)}}), 50);
  bank.invoke(4, "frobnicate", json(), 60);
  bank.done(4, op_type::ok, "frobnicate", json(), 70);
  auto b = check_bank(bank.h, bank_options{100, 2});
  CHECK(b.malformed == 4);
  CHECK(b.violations == 0);

  builder reg;
  reg.invoke(1, "write", kv(1, json(5)), 0);
  reg.done(1, op_type::ok, "write", kv(1, json(424242)), 10);  // a value it never wrote
  reg.invoke(2, "write", json(json::array{json(json::object{{"a", json(1)}}), json(1)}), 20);
  reg.done(2, op_type::ok, "write", json(), 30);               // a key that is an object
  reg.invoke(3, "cas", kv(1, json(5)), 40);                    // cas of a scalar
  reg.done(3, op_type::fail, "cas", kv(1, json(5)), 50);
  reg.invoke(4, "read", kv(1, json()), 60);
  reg.done(4, op_type::ok, "read", json(), 70);                // a read without its result
  auto r = check_registers(reg.h);
  CHECK(r.malformed == 4);
  CHECK(r.violations == 0);
  REQUIRE_FALSE(r.anomalies.empty());
  CHECK(r.anomalies.front().find("(line 2)") != std::string::npos);  // the completion's line

  builder mismatched;  // a completion of another operation than the one invoked
  mismatched.invoke(1, "read", kv(1, json()), 0);
  mismatched.done(1, op_type::ok, "write", kv(1, json(1)), 10);
  CHECK_FALSE(pair_operations(mismatched.h).ok());
  CHECK_FALSE(json::parse("[99999999999999999999]").ok());  // never clamped into another number
  CHECK_FALSE(json::parse("1e400").ok());
}
