// CREATE TABLE, DROP TABLE and ALTER TABLE (ADD COLUMN, SET option). Table ids come from a
// counter key under ("m", "next_table_id"), read and bumped in the creating transaction: DDL is
// rare, so one hot key there is fine, and two concurrent CREATEs conflict and retry.
#include "query/ddl.hpp"
#include "query/descriptor_codec.hpp"
#include "query/keys.hpp"
#include "query/query_limits.hpp"
#include "query/value_ops.hpp"
#include "sql_lite_parser/sql_error.hpp"
#include "storage/key_codec.hpp"
#include "txn/timestamp.hpp"

namespace meridian::query {
namespace {

error at(const ddl_env& env, errc code, sql::source_pos pos, const std::string& what) {
  return sql::make_sql_error(code, env.source, pos, what);
}

std::string encode_counter(std::int64_t v) {
  std::string out;
  storage::codec::append_u64_be(out, static_cast<std::uint64_t>(v));
  return out;
}

// Tells the placement hook, then reports.
void after_placement(const ddl_env& env, std::shared_ptr<table_descriptor> t, bool dropped,
                     std::shared_ptr<txn::ledger> ledger, std::string tag, ddl_callback done,
                     std::string notice = "") {
  auto finish = [env, ledger, tag, done, notice](status st) {
    env.tramp->post([ledger, tag, done, st, notice]() {
      if (!st) return done(st.err());
      done(ddl_outcome{tag, notice, *ledger});
    });
  };
  if (dropped) {
    env.placement->table_dropped(*t, finish);
  } else {
    env.placement->table_placed(*t, finish);
  }
}

struct create_state {
  std::shared_ptr<table_descriptor> table;
  bool existed = false;
};

void create_body(const ddl_env& env, std::shared_ptr<create_state> s, const sql::create_table_stmt& stmt,
                 txn::transaction& txn, std::function<void(status)> finish) {
  std::vector<std::string> probe{keys::table_descriptor_key(s->table->name),
                                 keys::table_id_counter_key()};
  for (const auto& ix : s->table->indexes) probe.push_back(keys::index_name_key(ix.name));
  txn.batch_get(probe, via_trampoline<std::vector<std::optional<std::string>>>(
                           env.tramp, [env, s, &stmt, &txn, finish](
                                          result<std::vector<std::optional<std::string>>> v) {
    if (!v) return finish(v.err());
    s->existed = (*v)[0].has_value();
    if (s->existed) {
      if (stmt.if_not_exists) return finish(ok_status());
      return finish(at(env, errc::sql_table_exists, stmt.name.pos,
                       "table " + s->table->name + " already exists"));
    }
    for (std::size_t i = 0; i < s->table->indexes.size(); ++i) {
      if ((*v)[2 + i]) {
        return finish(at(env, errc::sql_index_exists, stmt.name.pos,
                         "index " + s->table->indexes[i].name + " already exists"));
      }
    }
    std::int64_t id = (*v)[1] && (*v)[1]->size() == 8
                          ? static_cast<std::int64_t>(storage::codec::decode_u64_be(*(*v)[1]))
                          : 1;
    s->table->id = id;
    MERIDIAN_TRY_CALLBACK(txn.put(keys::table_id_counter_key(), encode_counter(id + 1)), finish);
    MERIDIAN_TRY_CALLBACK(txn.put(keys::table_descriptor_key(s->table->name),
                                  encode_descriptor(*s->table)),
                          finish);
    for (const auto& ix : s->table->indexes) {
      MERIDIAN_TRY_CALLBACK(txn.put(keys::index_name_key(ix.name), s->table->name), finish);
    }
    finish(ok_status());
  }));
}

struct alter_state {
  std::shared_ptr<table_descriptor> table;
};

// ADD COLUMN: a NOT NULL column without a default needs an empty table (old rows would read
// NULL); otherwise old rows read the stored default without being rewritten.
void add_column(const ddl_env& env, const sql::alter_table_stmt& s, table_descriptor& t,
                txn::transaction& txn, std::function<void(status)> finish) {
  const sql::column_def& def = s.column;
  if (def.primary_key || def.unique) {
    return finish(at(env, errc::sql_unsupported, def.name.pos,
                     "ADD COLUMN with PRIMARY KEY or UNIQUE is not supported (add the column, "
                     "then CREATE UNIQUE INDEX)"));
  }
  if (t.column_position(def.name.value) >= 0) {
    return finish(at(env, errc::sql_invalid_value, def.name.pos,
                     "column " + def.name.value + " already exists in table " + t.name));
  }
  if (t.columns.size() >= query_limits::max_columns) {
    return finish(at(env, errc::limit_exceeded, def.name.pos, "the table has too many columns"));
  }
  std::int64_t now = static_cast<std::int64_t>(txn::physical_ms_of(txn.start_ts())) * 1000;
  auto c = build_column(def, env, true, now);
  if (!c) return finish(c.err());
  c->id = t.next_column_id++;
  bool needs_empty = !c->nullable && is_null(c->absent_value);
  t.columns.push_back(std::move(*c));
  ++t.version;
  auto write = [&t, &txn, finish]() {
    MERIDIAN_TRY_CALLBACK(txn.put(keys::table_descriptor_key(t.name), encode_descriptor(t)), finish);
    finish(ok_status());
  };
  if (!needs_empty) return write();
  std::string start = keys::row_prefix(t.id);
  txn.scan(start, storage::codec::prefix_end(start), 1, false,
           via_trampoline<txn::scan_page>(env.tramp, [env, &s, &t, write, finish](result<txn::scan_page> p) {
             if (!p) return finish(p.err());
             if (!p->rows.empty()) {
               return finish(at(env, errc::sql_not_null_violation, s.column.name.pos,
                                "column " + s.column.name.value + " is NOT NULL without a "
                                "default, but table " + t.name + " has rows"));
             }
             write();
           }));
}

}  // namespace

void create_table(const ddl_env& env, const sql::create_table_stmt& stmt, ddl_callback done) {
  auto built = build_table(stmt, env);
  if (!built) return done(built.err());
  auto s = std::make_shared<create_state>();
  s->table = std::make_shared<table_descriptor>(std::move(*built));
  auto ledger = std::make_shared<txn::ledger>();
  run_in_transaction(
      env,
      [env, s, &stmt](txn::transaction& txn, std::function<void(status)> finish) {
        create_body(env, s, stmt, txn, std::move(finish));
      },
      ledger, [env, s, ledger, done](status st) {
        if (!st) return done(st.err());
        if (s->existed) {
          return done(ddl_outcome{"CREATE TABLE", "table " + s->table->name +
                                                      " already exists, skipping", *ledger});
        }
        after_placement(env, s->table, false, ledger, "CREATE TABLE", done);
      });
}

void drop_table(const ddl_env& env, const sql::drop_table_stmt& stmt, ddl_callback done) {
  auto found = std::make_shared<std::optional<table_descriptor>>();
  auto ledger = std::make_shared<txn::ledger>();
  auto body = [env, found, &stmt](txn::transaction& txn, std::function<void(status)> finish) {
    read_descriptor(env, txn, stmt.name.value,
                    [env, found, &stmt, &txn, finish](result<std::optional<table_descriptor>> d) {
                      if (!d) return finish(d.err());
                      *found = std::move(*d);
                      if (!*found) {
                        if (stmt.if_exists) return finish(ok_status());
                        return finish(at(env, errc::sql_unknown_table, stmt.name.pos,
                                         "table " + stmt.name.value + " does not exist"));
                      }
                      const table_descriptor& t = **found;
                      // Hidden at once: the descriptor goes; the rows go in batches below.
                      MERIDIAN_TRY_CALLBACK(txn.del(keys::table_descriptor_key(t.name)), finish);
                      for (const auto& ix : t.indexes) {
                        MERIDIAN_TRY_CALLBACK(txn.del(keys::index_name_key(ix.name)), finish);
                      }
                      MERIDIAN_TRY_CALLBACK(txn.put(keys::drop_job_key(t.id), t.name), finish);
                      finish(ok_status());
                    });
  };
  run_in_transaction(env, body, ledger, [env, found, ledger, done, &stmt](status st) {
    if (!st) return done(st.err());
    if (!*found) {
      return done(ddl_outcome{"DROP TABLE", "table " + stmt.name.value + " does not exist, skipping",
                              *ledger});
    }
    auto t = std::make_shared<table_descriptor>(std::move(**found));
    sweep_dropped_tables(env, ledger, [env, t, ledger, done](status swept) {
      // The table is gone once its descriptor's deletion committed: a sweep cut short (Ctrl-C,
      // an unavailable shard) leaves rows that no query can see, deleted when the database
      // next opens (ddl_recover.cpp). Reporting the statement failed would say otherwise.
      std::string why = swept ? "" : swept.err().code() == errc::cancelled
                                         ? std::string("cancelled")
                                         : swept.err().message();
      std::string notice = swept ? "" : "the table is dropped; deleting its rows stopped (" + why +
                                            ") and goes on when the database next opens";
      after_placement(env, t, true, ledger, "DROP TABLE", done, notice);
    });
  });
}

void alter_table(const ddl_env& env, const sql::alter_table_stmt& stmt, ddl_callback done) {
  auto s = std::make_shared<alter_state>();
  auto ledger = std::make_shared<txn::ledger>();
  auto body = [env, s, &stmt](txn::transaction& txn, std::function<void(status)> finish) {
    read_descriptor(env, txn, stmt.table.value,
                    [env, s, &stmt, &txn, finish](result<std::optional<table_descriptor>> d) {
                      if (!d) return finish(d.err());
                      if (!*d) {
                        return finish(at(env, errc::sql_unknown_table, stmt.table.pos,
                                         "table " + stmt.table.value + " does not exist"));
                      }
                      s->table = std::make_shared<table_descriptor>(std::move(**d));
                      if (stmt.action == sql::alter_action::add_column) {
                        return add_column(env, stmt, *s->table, txn, finish);
                      }
                      MERIDIAN_TRY_CALLBACK(apply_option(*s->table, stmt.option, env), finish);
                      ++s->table->version;
                      MERIDIAN_TRY_CALLBACK(txn.put(keys::table_descriptor_key(s->table->name),
                                                    encode_descriptor(*s->table)),
                                            finish);
                      finish(ok_status());
                    });
  };
  run_in_transaction(env, body, ledger, [env, s, ledger, done, &stmt](status st) {
    if (!st) return done(st.err());
    if (stmt.action == sql::alter_action::add_column) {
      return done(ddl_outcome{"ALTER TABLE", "", *ledger});
    }
    after_placement(env, s->table, false, ledger, "ALTER TABLE", done);
  });
}

}  // namespace meridian::query
