// CREATE INDEX and DROP INDEX. Building an index on a table that keeps taking writes:
//  1. commit the descriptor with the index write-only (schema version + 1): from then on DML
//     maintains it, and DML that read the older version fails at commit (schema_changed);
//  2. backfill: transactions that each scan a bounded batch of rows at a snapshot after (1)
//     and write their entries; a concurrent DML write of the same entry makes the batch fail
//     with write_conflict and retry, so an entry is never resurrected for a deleted or moved
//     row; a unique violation fails the CREATE and removes the index;
//  3. commit the descriptor with the index public: the planner may read it.
#include <map>

#include "query/ddl.hpp"
#include "query/descriptor_codec.hpp"
#include "query/exec_dml.hpp"
#include "query/keys.hpp"
#include "query/query_limits.hpp"
#include "query/row_codec.hpp"
#include "sql_lite_parser/sql_error.hpp"
#include "storage/key_codec.hpp"

namespace meridian::query {
namespace {

error at(const ddl_env& env, errc code, sql::source_pos pos, const std::string& what) {
  return sql::make_sql_error(code, env.source, pos, what);
}

struct build_state {
  ddl_env env;
  const sql::create_index_stmt* stmt = nullptr;
  std::shared_ptr<txn::ledger> ledger = std::make_shared<txn::ledger>();
  ddl_callback done;
  bool existed = false;
  std::int64_t table_id = 0;
  index_descriptor index;
  std::string resume;  // the next row key to backfill from
  std::string end;
  std::string next_resume;  // set by a batch, taken when it commits
  bool more = true;
  std::optional<error> violation;
};

status put_descriptor(txn::transaction& txn, const table_descriptor& t) {
  return txn.put(keys::table_descriptor_key(t.name), encode_descriptor(t));
}

void add_write_only(std::shared_ptr<build_state> s, txn::transaction& txn,
                    std::function<void(status)> finish) {
  const auto& stmt = *s->stmt;
  const ddl_env& env = s->env;
  std::vector<std::string> probe{keys::table_descriptor_key(stmt.table.value),
                                 keys::index_name_key(stmt.name.value)};
  txn.batch_get(probe, via_trampoline<std::vector<std::optional<std::string>>>(
      env.tramp, [s, &txn, finish](result<std::vector<std::optional<std::string>>> v) {
        const auto& stmt = *s->stmt;
        if (!v) return finish(v.err());
        if (!(*v)[0]) {
          return finish(at(s->env, errc::sql_unknown_table, stmt.table.pos,
                           "table " + stmt.table.value + " does not exist"));
        }
        if ((*v)[1]) {
          auto table = decode_descriptor(*(*v)[0]);
          const index_descriptor* found = table ? table->find_index(stmt.name.value) : nullptr;
          if (found && found->state == index_state::write_only) {
            // A build that was cut off (and could not be undone then): skipping would leave an
            // index the planner never reads, and a UNIQUE one enforced for part of the table.
            return finish(at(s->env, errc::sql_index_exists, stmt.name.pos,
                             "index " + stmt.name.value + " exists, but its build did not finish; "
                             "DROP INDEX " + stmt.name.value + ", then create it again"));
          }
          if (stmt.if_not_exists) {
            s->existed = true;
            return finish(ok_status());
          }
          return finish(at(s->env, errc::sql_index_exists, stmt.name.pos,
                           "index " + stmt.name.value + " already exists"));
        }
        auto t = decode_descriptor(*(*v)[0]);
        if (!t) return finish(t.err());
        if (t->indexes.size() >= query_limits::max_indexes) {
          return finish(at(s->env, errc::limit_exceeded, stmt.name.pos,
                           "table " + t->name + " already has the maximum of " +
                               std::to_string(query_limits::max_indexes) + " indexes"));
        }
        index_descriptor ix;
        ix.name = stmt.name.value;
        ix.unique = stmt.unique;
        ix.state = index_state::write_only;
        for (const auto& c : stmt.columns) {
          int p = t->column_position(c.value);
          if (p < 0 || t->columns[p].hidden) {
            return finish(at(s->env, errc::sql_unknown_column, c.pos,
                             "column " + c.value + " of table " + t->name + " does not exist"));
          }
          for (auto id : ix.column_ids) {
            if (id == t->columns[p].id) {
              return finish(at(s->env, errc::sql_syntax, c.pos, "column " + c.value + " is listed twice"));
            }
          }
          ix.column_ids.push_back(t->columns[p].id);
        }
        ix.id = t->next_index_id++;
        t->indexes.push_back(ix);
        ++t->version;
        s->index = ix;
        s->table_id = t->id;
        MERIDIAN_TRY_CALLBACK(put_descriptor(txn, *t), finish);
        MERIDIAN_TRY_CALLBACK(txn.put(keys::index_name_key(ix.name), t->name), finish);
        finish(ok_status());
      }));
}

// The table's current descriptor, failing when the index under construction is gone.
void read_building(std::shared_ptr<build_state> s, txn::transaction& txn,
                   std::function<void(result<table_descriptor>)> k) {
  read_descriptor(s->env, txn, s->stmt->table.value,
                  [s, k](result<std::optional<table_descriptor>> d) {
                    if (!d) return k(d.err());
                    if (*d && (*d)->id == s->table_id && (*d)->find_index(s->index.name)) {
                      return k(std::move(**d));
                    }
                    k(error(errc::sql_unknown_index, "index " + s->index.name +
                                                         " (or its table) was dropped while it "
                                                         "was being built"));
                  });
}

// Checks unique entries of one batch against what is stored, then writes every entry.
void write_entries(std::shared_ptr<build_state> s, txn::transaction& txn,
                   std::shared_ptr<table_descriptor> t, std::vector<row> rows,
                   std::function<void(status)> finish) {
  auto entries = std::make_shared<std::vector<keys::index_entry>>();
  std::vector<std::string> unique_keys;
  for (const auto& r : rows) {
    entries->push_back(keys::index_entry_of(*t, s->index, r));
    if (entries->back().unique_form) unique_keys.push_back(entries->back().key);
  }
  auto shared_rows = std::make_shared<std::vector<row>>(std::move(rows));
  txn.batch_get(unique_keys, via_trampoline<std::vector<std::optional<std::string>>>(
      s->env.tramp, [s, &txn, t, entries, shared_rows, finish](
                        result<std::vector<std::optional<std::string>>> found) {
        if (!found) return finish(found.err());
        std::map<std::string, std::string> seen;  // unique key -> pk, within the batch
        std::size_t probe = 0;
        for (std::size_t i = 0; i < entries->size(); ++i) {
          const auto& e = (*entries)[i];
          if (e.unique_form) {
            const auto& stored = (*found)[probe++];
            auto [it, fresh] = seen.emplace(e.key, e.value);
            if ((stored && *stored != e.value) || (!fresh && it->second != e.value)) {
              s->violation = error(
                  errc::sql_duplicate_key,
                  "cannot create unique index " + s->index.name + ": table " + t->name +
                      " holds more than one row with " +
                      describe_key(*t, t->index_positions(s->index), (*shared_rows)[i]));
              return finish(ok_status());
            }
          }
          MERIDIAN_TRY_CALLBACK(txn.put(e.key, e.value), finish);
        }
        finish(ok_status());
      }));
}

void backfill_body(std::shared_ptr<build_state> s, txn::transaction& txn,
                   std::function<void(status)> finish) {
  read_building(s, txn, [s, &txn, finish](result<table_descriptor> d) {
    if (!d) return finish(d.err());
    // A concurrent DROP INDEX or DROP TABLE makes this batch fail rather than leave entries
    // behind after the drop's cleanup has passed them.
    MERIDIAN_TRY_CALLBACK(txn.validate_unchanged(keys::table_descriptor_key(d->name)), finish);
    auto t = std::make_shared<table_descriptor>(std::move(*d));
    txn.scan(s->resume, s->end, s->env.backfill_batch_rows, false,
             via_trampoline<txn::scan_page>(s->env.tramp, [s, &txn, t, finish](result<txn::scan_page> p) {
               if (!p) return finish(p.err());
               std::vector<row> rows;
               for (const auto& kv : p->rows) {
                 auto r = decode_row(*t, kv.value);
                 if (!r) return finish(r.err());
                 rows.push_back(std::move(*r));
               }
               s->next_resume = p->more ? p->resume_key : s->end;
               write_entries(s, txn, t, std::move(rows), finish);
             }));
  });
}

void set_index_state(std::shared_ptr<build_state> s, bool remove, std::function<void(status)> done) {
  auto body = [s, remove](txn::transaction& txn, std::function<void(status)> finish) {
    read_building(s, txn, [s, remove, &txn, finish](result<table_descriptor> d) {
      // Nothing to undo when the write-only descriptor never committed.
      if (!d && remove && d.err().code() == errc::sql_unknown_index) return finish(ok_status());
      if (!d) return finish(d.err());
      auto& ixs = d->indexes;
      for (auto it = ixs.begin(); it != ixs.end(); ++it) {
        if (it->name != s->index.name) continue;
        if (remove) {
          ixs.erase(it);
          MERIDIAN_TRY_CALLBACK(txn.del(keys::index_name_key(s->index.name)), finish);
        } else {
          it->state = index_state::public_;
        }
        break;
      }
      ++d->version;
      MERIDIAN_TRY_CALLBACK(put_descriptor(txn, *d), finish);
      finish(ok_status());
    });
  };
  run_in_transaction(s->env, body, s->ledger, std::move(done));
}

// Removes the index and the entries written so far. Not cancellable: a Ctrl-C that stopped the
// backfill must not also stop its undoing, or a write-only index would stay (a UNIQUE one
// enforced for part of the table).
void fail_build(std::shared_ptr<build_state> s, error why) {
  s->env.cancelled = nullptr;
  set_index_state(s, true, [s, why](status removed) {
    if (!removed) return s->done(removed.err());
    std::string start = keys::index_prefix(s->table_id, s->index.id);
    delete_range(s->env, start, storage::codec::prefix_end(start), s->ledger, [s, why](status) {
      if (why.code() != errc::cancelled) return s->done(why);
      s->done(error(errc::cancelled, "the statement was cancelled; the index's build was undone"));
    });
  });
}

void backfill(std::shared_ptr<build_state> s) {
  if (!s->more) {
    s->env.cancelled = nullptr;  // built: publishing it is no longer worth cancelling
    return set_index_state(s, false, [s](status published) {
      if (!published) return s->done(published.err());
      s->done(ddl_outcome{"CREATE INDEX", "", *s->ledger});
    });
  }
  run_in_transaction(
      s->env, [s](txn::transaction& txn, std::function<void(status)> finish) {
        s->violation.reset();
        backfill_body(s, txn, std::move(finish));
      },
      s->ledger, [s](status st) {
        if (!st) return fail_build(s, st.err());
        if (s->violation) return fail_build(s, *s->violation);
        s->resume = s->next_resume;
        s->more = s->resume != s->end;
        if (s->env.on_backfill_batch) s->env.on_backfill_batch();
        backfill(s);
      });
}

}  // namespace

void create_index(const ddl_env& env, const sql::create_index_stmt& stmt, ddl_callback done) {
  auto s = std::make_shared<build_state>();
  s->env = env;
  s->stmt = &stmt;
  s->done = std::move(done);
  run_in_transaction(
      env, [s](txn::transaction& txn, std::function<void(status)> finish) {
        add_write_only(s, txn, std::move(finish));
      },
      s->ledger, [s](status st) {
        // Whether the index was added is unknown: undo it, or find it was never there.
        if (!st && st.err().code() == errc::outcome_unknown) return fail_build(s, st.err());
        if (!st) return s->done(st.err());
        if (s->existed) {
          return s->done(ddl_outcome{"CREATE INDEX", "index " + s->stmt->name.value +
                                                         " already exists, skipping",
                                     *s->ledger});
        }
        s->resume = keys::row_prefix(s->table_id);
        s->end = storage::codec::prefix_end(s->resume);
        backfill(s);
      });
}

void drop_index(const ddl_env& env, const sql::drop_index_stmt& stmt, ddl_callback done) {
  struct drop_state {
    bool missing = false;
    std::int64_t table_id = 0;
    std::uint32_t index_id = 0;
  };
  auto s = std::make_shared<drop_state>();
  auto ledger = std::make_shared<txn::ledger>();
  auto body = [env, s, &stmt](txn::transaction& txn, std::function<void(status)> finish) {
    txn.get(keys::index_name_key(stmt.name.value), via_trampoline<std::optional<std::string>>(
        env.tramp, [env, s, &stmt, &txn, finish](result<std::optional<std::string>> table) {
          if (!table) return finish(table.err());
          s->missing = !table->has_value();
          if (s->missing) {
            if (stmt.if_exists) return finish(ok_status());
            return finish(at(env, errc::sql_unknown_index, stmt.name.pos,
                             "index " + stmt.name.value + " does not exist"));
          }
          read_descriptor(env, txn, **table, [s, &stmt, &txn, finish](result<std::optional<table_descriptor>> d) {
            if (!d) return finish(d.err());
            if (!*d) return finish(error(errc::storage_corrupt, "index " + stmt.name.value + " names a missing table"));
            table_descriptor& t = **d;
            for (auto it = t.indexes.begin(); it != t.indexes.end(); ++it) {
              if (it->name != stmt.name.value) continue;
              s->table_id = t.id;
              s->index_id = it->id;
              t.indexes.erase(it);
              break;
            }
            ++t.version;
            MERIDIAN_TRY_CALLBACK(put_descriptor(txn, t), finish);
            MERIDIAN_TRY_CALLBACK(txn.del(keys::index_name_key(stmt.name.value)), finish);
            finish(ok_status());
          });
        }));
  };
  run_in_transaction(env, body, ledger, [env, s, ledger, done, &stmt](status st) {
    if (!st) return done(st.err());
    if (s->missing) {
      return done(ddl_outcome{"DROP INDEX", "index " + stmt.name.value + " does not exist, skipping",
                              *ledger});
    }
    // Dropped once that committed: deleting the entries is not cancelled (nothing would resume
    // it), and if it fails the statement still reports the drop that happened.
    ddl_env cleanup = env;
    cleanup.cancelled = nullptr;
    std::string start = keys::index_prefix(s->table_id, s->index_id);
    delete_range(cleanup, start, storage::codec::prefix_end(start), ledger, [ledger, done](status del) {
      done(ddl_outcome{"DROP INDEX",
                       del ? "" : "the index is dropped; deleting its entries stopped (" +
                                      del.err().message() + "): they take space, nothing reads them",
                       *ledger});
    });
  });
}

}  // namespace meridian::query
