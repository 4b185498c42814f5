// The storage formats of query/: the row codec (values by column id, so ADD COLUMN needs no
// rewrite), the descriptor codec (round trip, and corrupt input is an error, never a crash),
// and the key layout (order of rows by primary key, unique and non-unique index entries,
// NULLs in unique indexes taking the non-unique form).
#include <doctest/doctest.h>

#include <random>

#include "query/descriptor_codec.hpp"
#include "query/keys.hpp"
#include "query/row_codec.hpp"
#include "storage/key_codec.hpp"

namespace meridian::query {
namespace {

table_descriptor sample_table() {
  table_descriptor t;
  t.id = 7;
  t.name = "orders";
  t.version = 3;
  auto add = [&](std::string name, sql_type type, bool nullable) {
    column_descriptor c;
    c.id = t.next_column_id++;
    c.name = std::move(name);
    c.type = type;
    c.nullable = nullable;
    t.columns.push_back(std::move(c));
  };
  add("region", sql_type::text(), false);
  add("id", sql_type::bigint(), false);
  add("total", sql_type::decimal(10, 2), true);
  add("note", sql_type::varchar(20), true);
  t.columns[3].default_rule = default_kind::value;
  t.columns[3].default_value = std::string("none");
  t.primary_key = {1, 2};
  index_descriptor ix;
  ix.id = t.next_index_id++;
  ix.name = "orders_note";
  ix.column_ids = {4};
  ix.unique = true;
  ix.state = index_state::write_only;
  t.indexes.push_back(ix);
  t.placement.leader_dc = "eu-west";
  t.placement.home_dc_column = "region";
  return t;
}

TEST_CASE("row codec: values round-trip with their types and decimal scale") {
  table_descriptor t = sample_table();
  row r{datum(std::string("eu")), datum(std::int64_t{-42}), datum(*decimal::parse("10.50")),
        datum(null_value{})};
  auto decoded = decode_row(t, encode_row(t, r));
  REQUIRE(decoded.ok());
  CHECK(*decoded == r);
  CHECK(std::get<decimal>((*decoded)[2]).to_string() == "10.50");
  for (datum v : {datum(true), datum(false), datum(1.25), datum(timestamp_value{-5}),
                  datum(bytes_value{"\x00\x01"}), datum(std::uint64_t{1} << 63)}) {
    std::string out;
    append_value(out, v);
    byte_reader in(out);
    auto back = read_value(in);
    REQUIRE(back.ok());
    CHECK(datum_equal(*back, v));
    CHECK(in.done());
  }
}

TEST_CASE("row codec: a row written before ADD COLUMN reads the column's absent value") {
  table_descriptor t = sample_table();
  row r{datum(std::string("eu")), datum(std::int64_t{1}), datum(null_value{}), datum(std::string("n"))};
  std::string old_encoding = encode_row(t, r);
  column_descriptor added;
  added.id = t.next_column_id++;
  added.name = "qty";
  added.type = sql_type::bigint();
  added.absent_value = std::int64_t{10};
  t.columns.push_back(added);
  auto decoded = decode_row(t, old_encoding);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->size() == 5);
  CHECK((*decoded)[4] == datum(std::int64_t{10}));
}

TEST_CASE("row codec: malformed input is an error") {
  table_descriptor t = sample_table();
  row r{datum(std::string("eu")), datum(std::int64_t{1}), datum(null_value{}), datum(std::string("n"))};
  std::string good = encode_row(t, r);
  for (std::size_t cut = 0; cut < good.size(); ++cut) {
    auto decoded = decode_row(t, good.substr(0, cut));
    if (decoded.ok()) continue;  // a prefix ending between columns is a shorter row
    CHECK(decoded.err().code() == errc::storage_corrupt);
  }
  std::string unknown_column = good;
  unknown_column[1] = 99;  // the first column id
  CHECK(decode_row(t, unknown_column).err().code() == errc::storage_corrupt);
  std::mt19937 rng(5);
  for (int i = 0; i < 2000; ++i) {
    std::string junk = good;
    junk[rng() % junk.size()] = static_cast<char>(rng());
    auto decoded = decode_row(t, junk);  // must not crash
    (void)decoded;
  }
}

TEST_CASE("descriptor codec: round trip, header, and corrupt input") {
  table_descriptor t = sample_table();
  std::string encoded = encode_descriptor(t);
  auto back = decode_descriptor(encoded);
  REQUIRE(back.ok());
  CHECK(encode_descriptor(*back) == encoded);
  CHECK(back->name == "orders");
  CHECK(back->primary_key == std::vector<std::uint32_t>{1, 2});
  CHECK(back->columns[2].type == sql_type::decimal(10, 2));
  CHECK(back->columns[3].default_value == datum(std::string("none")));
  REQUIRE(back->indexes.size() == 1);
  CHECK(back->indexes[0].state == index_state::write_only);
  CHECK(back->indexes[0].unique);
  CHECK(back->placement.home_dc_column == "region");
  auto header = read_descriptor_header(encoded);
  REQUIRE(header.ok());
  CHECK(header->id == 7);
  CHECK(header->version == 3);
  for (std::size_t cut = 0; cut < encoded.size(); ++cut) {
    CHECK_FALSE(decode_descriptor(encoded.substr(0, cut)).ok());
  }
  std::mt19937 rng(9);
  for (int i = 0; i < 3000; ++i) {
    std::string junk = encoded;
    junk[rng() % junk.size()] = static_cast<char>(rng());
    auto decoded = decode_descriptor(junk);  // must not crash or assert
    (void)decoded;
  }
}

TEST_CASE("keys: rows order by primary key, and catalog, rows and indexes never overlap") {
  table_descriptor t = sample_table();
  std::string a = keys::row_key(t.id, {datum(std::string("eu")), datum(std::int64_t{2})});
  std::string b = keys::row_key(t.id, {datum(std::string("eu")), datum(std::int64_t{10})});
  std::string c = keys::row_key(t.id, {datum(std::string("us")), datum(std::int64_t{1})});
  CHECK(a < b);
  CHECK(b < c);
  std::string rows = keys::row_prefix(t.id);
  CHECK(a.compare(0, rows.size(), rows) == 0);
  std::string index = keys::index_prefix(t.id, 1);
  CHECK(index.compare(0, rows.size(), rows) != 0);
  CHECK(keys::table_descriptor_key("t").compare(0, keys::table_prefix(t.id).size(),
                                                keys::table_prefix(t.id)) != 0);
  CHECK(keys::table_prefix(1) < keys::table_prefix(2));
  auto job = keys::table_id_of_drop_job(keys::drop_job_key(42));
  REQUIRE(job.ok());
  CHECK(*job == 42);
}

TEST_CASE("keys: unique entries are keyed on the columns, NULLs take the non-unique form") {
  table_descriptor t = sample_table();
  t.indexes[0].state = index_state::public_;
  const index_descriptor& ix = t.indexes[0];
  row r1{datum(std::string("eu")), datum(std::int64_t{1}), datum(null_value{}), datum(std::string("x"))};
  row r2{datum(std::string("eu")), datum(std::int64_t{2}), datum(null_value{}), datum(std::string("x"))};
  auto e1 = keys::index_entry_of(t, ix, r1);
  auto e2 = keys::index_entry_of(t, ix, r2);
  CHECK(e1.unique_form);
  CHECK(e1.key == e2.key);  // two rows with one value collide: that is the point
  auto pk = keys::primary_key_of_entry(t, ix, e1.key, e1.value);
  REQUIRE(pk.ok());
  CHECK(*pk == tuple{datum(std::string("eu")), datum(std::int64_t{1})});
  row n1 = r1, n2 = r2;
  n1[3] = null_value{};
  n2[3] = null_value{};
  auto f1 = keys::index_entry_of(t, ix, n1);
  auto f2 = keys::index_entry_of(t, ix, n2);
  CHECK_FALSE(f1.unique_form);
  CHECK(f1.key != f2.key);
  CHECK(f1.value.empty());
  auto pk2 = keys::primary_key_of_entry(t, ix, f2.key, f2.value);
  REQUIRE(pk2.ok());
  CHECK(*pk2 == tuple{datum(std::string("eu")), datum(std::int64_t{2})});
  // Non-unique indexes always carry the primary key in the key.
  t.indexes[0].unique = false;
  auto g = keys::index_entry_of(t, t.indexes[0], r1);
  CHECK_FALSE(g.unique_form);
  CHECK(g.key != keys::index_entry_of(t, t.indexes[0], r2).key);
}

}  // namespace
}  // namespace meridian::query
