// The key codec's two properties over random tuples (DESIGN.md "storage"): byte order equals
// value order, and decode(encode(x)) == x. Seeded; a failure prints the seed and the tuples.
#include "storage/key_codec.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>

using namespace meridian;
using namespace meridian::storage;

namespace {

std::string show(const tuple& t) {
  std::string out = "(";
  for (const auto& d : t) out += debug_string(d) + ", ";
  return out + ")";
}

std::uint64_t test_seed() {
  const char* env = std::getenv("MERIDIAN_SEED");
  return env ? std::strtoull(env, nullptr, 10) : 42;
}

datum random_datum(std::mt19937_64& rng, int type) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  switch (type) {
    case 0:
      return null_value{};
    case 1:
      return pick(2) == 1;
    case 2: {
      static const std::int64_t edges[] = {0, 1, -1, std::numeric_limits<std::int64_t>::min(),
                                           std::numeric_limits<std::int64_t>::max()};
      if (pick(4) == 0) return edges[pick(5)];
      return static_cast<std::int64_t>(rng()) >> pick(64);
    }
    case 3:
      return pick(4) == 0 ? std::uint64_t{0} : rng() >> pick(64);
    case 4: {
      static const double edges[] = {0.0, -0.0, 1.0, -1.0, std::numeric_limits<double>::infinity(),
                                     -std::numeric_limits<double>::infinity(),
                                     std::numeric_limits<double>::quiet_NaN(),
                                     std::numeric_limits<double>::denorm_min(),
                                     std::numeric_limits<double>::max()};
      if (pick(4) == 0) return edges[pick(9)];
      double v = static_cast<double>(static_cast<std::int64_t>(rng())) / std::pow(10.0, pick(20));
      return v;
    }
    case 5: {
      int scale = pick(12);
      __int128 unscaled = static_cast<std::int64_t>(rng()) >> pick(64);
      if (pick(3) == 0) unscaled = unscaled * 1000000000 + pick(1000);
      if (pick(5) == 0) unscaled = 0;
      return decimal(unscaled, scale);
    }
    case 6:
      return timestamp_value{static_cast<std::int64_t>(rng()) >> pick(64)};
    case 7:
    case 8: {
      std::string s;
      int n = pick(20);
      for (int i = 0; i < n; ++i) {
        // Mostly a small alphabet so prefixes and equal strings happen; zeros and 0xFF too.
        int c = pick(10);
        s.push_back(c == 0 ? '\0' : (c == 1 ? '\xff' : static_cast<char>('a' + pick(3))));
      }
      if (type == 7) return s;
      return bytes_value{s};
    }
  }
  return null_value{};
}

tuple random_tuple(std::mt19937_64& rng, const std::vector<int>& shape) {
  tuple t;
  std::size_t n = 1 + rng() % shape.size();
  for (std::size_t i = 0; i < n; ++i) {
    // Usually the shape's type at this position, sometimes any type (mixed-type order).
    int type = (rng() % 8 == 0) ? static_cast<int>(rng() % 9) : shape[i];
    t.push_back(random_datum(rng, type));
  }
  return t;
}

int sign(int v) { return (v > 0) - (v < 0); }

int byte_compare(const std::string& a, const std::string& b) {
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return sign(c);
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

}  // namespace

TEST_CASE("key codec: byte order equals value order and decode inverts encode (20,000 pairs)") {
  std::uint64_t seed = test_seed();
  INFO("seed " << seed << " (replay: MERIDIAN_SEED=" << seed << " ./storage_tests)");
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 20000; ++i) {
    std::vector<int> shape;
    for (int j = 0; j < 4; ++j) shape.push_back(static_cast<int>(rng() % 9));
    tuple a = random_tuple(rng, shape);
    tuple b = (rng() % 4 == 0) ? a : random_tuple(rng, shape);
    if (rng() % 4 == 0 && !b.empty()) b.pop_back();  // prefixes
    std::string ea = codec::encode(a), eb = codec::encode(b);
    INFO("a = " << show(a) << "  b = " << show(b));
    REQUIRE(byte_compare(ea, eb) == sign(compare(a, b)));
    auto da = codec::decode(ea);
    REQUIRE(da.ok());
    REQUIRE(compare(*da, a) == 0);
    REQUIRE(da->size() == a.size());
    for (std::size_t k = 0; k < a.size(); ++k) REQUIRE(da->at(k).index() == a[k].index());
  }
}

TEST_CASE("key codec: decimals of different scales encode by value") {
  auto enc = [](const char* s) { return codec::encode({decimal::parse(s).value()}); };
  CHECK(enc("1.5") == enc("1.50"));
  CHECK(enc("0") == enc("-0.00"));
  CHECK(enc("-10") < enc("-9.99"));
  CHECK(enc("0.001") < enc("0.01"));
  CHECK(enc("99") < enc("100"));
  CHECK(enc("1200") > enc("12"));
  auto back = codec::decode(enc("1200"));
  CHECK(std::get<decimal>(back->at(0)) == decimal::parse("1200").value());
}

TEST_CASE("key codec: ordered bytes are prefix-free and sized at most 9/8 n + 9") {
  for (std::size_t n = 0; n < 40; ++n) {
    std::string raw(n, 'x');
    std::string out;
    codec::append_ordered_bytes(out, raw);
    CHECK(out.size() == codec::ordered_bytes_size(n));
    CHECK(out.size() <= n * 9 / 8 + 9);
    std::string_view in = out;
    CHECK(codec::read_ordered_bytes(in).value() == raw);
    CHECK(in.empty());
  }
  std::string a, b;
  codec::append_ordered_bytes(a, "ab");
  codec::append_ordered_bytes(b, std::string("ab\0", 3));
  CHECK(a < b);
}

TEST_CASE("key codec: timestamp suffix sorts newer versions first") {
  std::string older = "k", newer = "k";
  codec::append_ts_desc(older, 100);
  codec::append_ts_desc(newer, 200);
  CHECK(newer < older);
  CHECK(codec::decode_ts_desc(std::string_view(newer).substr(1)) == 200);
}

TEST_CASE("key codec: malformed input is an error, never a crash") {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::string junk(rng() % 24, '\0');
    for (auto& c : junk) c = static_cast<char>(rng() % 12);
    auto r = codec::decode(junk);
    if (!r.ok()) CHECK(r.err().code() == errc::storage_corrupt);
  }
  CHECK(codec::prefix_end("ab") == "ac");
  CHECK(codec::prefix_end(std::string("a\xff", 2)) == "b");
  CHECK(codec::prefix_end(std::string("\xff\xff", 2)).empty());
}
