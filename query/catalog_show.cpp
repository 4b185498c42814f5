// SHOW TABLES and DESCRIBE: read the catalog in the open transaction, or in a read-only one of
// their own. DESCRIBE lists one row per column, then per index, then per placement option,
// as (kind, name, type, nullable, default, detail).
#include "query/descriptor_codec.hpp"
#include "query/keys.hpp"
#include "query/statement_run.hpp"
#include "query/value_ops.hpp"
#include "sql_lite_parser/sql_error.hpp"
#include "storage/key_codec.hpp"

namespace meridian::query {
namespace {

std::string default_text(const column_descriptor& c) {
  switch (c.default_rule) {
    case default_kind::value: return sql_literal(c.default_value);
    case default_kind::now: return "now()";
    case default_kind::gen_id: return "gen_id()";
    case default_kind::none: break;
  }
  return {};
}

std::string column_list(const table_descriptor& t, const std::vector<std::uint32_t>& ids) {
  std::string out = "(";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    out += (i > 0 ? ", " : "") + t.columns[t.position_of_id(ids[i])].name;
  }
  return out + ")";
}

datum text_or_null(const std::string& s) { return s.empty() ? datum(null_value{}) : datum(s); }

result_set describe_rows(const table_descriptor& t) {
  result_set r;
  for (const char* c : {"kind", "name", "type", "nullable", "default", "detail"}) {
    r.columns.push_back(result_column{c, std::string(c) == "nullable" ? "BOOL" : "TEXT"});
  }
  auto pk = t.primary_key;
  for (const auto& c : t.columns) {
    std::string detail;
    for (std::size_t i = 0; i < pk.size(); ++i) {
      if (pk[i] == c.id) detail = "primary key column " + std::to_string(i + 1);
    }
    if (c.hidden) detail += " (generated row id, hidden)";
    r.rows.push_back({datum(std::string("column")), datum(c.name), datum(c.type.to_string()),
                      datum(c.nullable), text_or_null(default_text(c)), text_or_null(detail)});
  }
  for (const auto& ix : t.indexes) {
    std::string detail = column_list(t, ix.column_ids);
    if (ix.state == index_state::write_only) detail += " (being built: write-only)";
    r.rows.push_back({datum(std::string("index")), datum(ix.name),
                      datum(std::string(ix.unique ? "UNIQUE" : "INDEX")), datum(null_value{}),
                      datum(null_value{}), datum(detail)});
  }
  auto option = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    r.rows.push_back({datum(std::string("option")), datum(std::string(name)), datum(null_value{}),
                      datum(null_value{}), datum(null_value{}), datum(value)});
  };
  option("leader_dc", t.placement.leader_dc);
  option("home_dc_column", t.placement.home_dc_column);
  r.tag = "DESCRIBE";
  return r;
}

}  // namespace

void statement_run::run_catalog_listing() {
  auto self = shared_from_this();
  auto produce = [self](txn::transaction& txn, std::function<void(result<result_set>)> k) {
    if (const auto* d = std::get_if<sql::describe_stmt>(&self->statement_->node)) {
      return self->describe_table(txn, d->table.value, d->table.pos, std::move(k));
    }
    self->list_tables(txn, std::move(k));
  };
  if (session_.txn_) {
    return produce(*session_.txn_, [self](result<result_set> r) { self->finish(std::move(r)); });
  }
  txn::begin_options options;
  options.read_only = true;
  options.cancel = &session_.cancelled_;
  session_.engine_.begin(options, via_trampoline<std::unique_ptr<txn::transaction>>(
      tramp_, [self, produce](result<std::unique_ptr<txn::transaction>> t) {
        if (!t) return self->finish(t.err());
        std::shared_ptr<txn::transaction> txn(std::move(*t));
        produce(*txn, [self, txn](result<result_set> r) {
          if (r) r->ledger = txn->round_trips();
          txn->rollback([](result<txn::unit>) {});
          self->finish(std::move(r));
        });
      }));
}

void statement_run::list_tables(txn::transaction& txn, std::function<void(result<result_set>)> k) {
  // The catalog is small: one page holds every table name (paging keeps it bounded anyway).
  auto out = std::make_shared<result_set>();
  out->columns.push_back(result_column{"table_name", "TEXT"});
  auto next = std::make_shared<std::function<void(std::string)>>();
  auto self = shared_from_this();
  std::string end = keys::table_descriptors_end();
  *next = [self, &txn, out, next, end, k](std::string start) {
    txn.scan(start, end, 256, false, via_trampoline<txn::scan_page>(
        self->tramp_, [out, next, k](result<txn::scan_page> page) {
          if (!page) {
            *next = nullptr;
            return k(page.err());
          }
          for (const auto& kv : page->rows) {
            auto key = storage::codec::decode(kv.key);
            if (!key || key->size() != 3) {
              *next = nullptr;
              return k(error(errc::storage_corrupt, "malformed catalog key"));
            }
            out->rows.push_back({(*key)[2]});
          }
          if (page->more) return (*next)(page->resume_key);
          out->tag = "SHOW TABLES";
          *next = nullptr;  // breaks the self-reference
          k(std::move(*out));
        }));
  };
  (*next)(keys::table_descriptors_start());
}

void statement_run::describe_table(txn::transaction& txn, const std::string& name,
                                   sql::source_pos pos, std::function<void(result<result_set>)> k) {
  auto self = shared_from_this();
  txn.get(keys::table_descriptor_key(name), via_trampoline<std::optional<std::string>>(
      tramp_, [self, name, pos, k](result<std::optional<std::string>> v) {
        if (!v) return k(v.err());
        if (!*v) {
          return k(sql::make_sql_error(errc::sql_unknown_table, self->sql_, pos,
                                       "table " + name + " does not exist"));
        }
        auto d = decode_descriptor(**v);
        if (!d) return k(d.err());
        k(describe_rows(*d));
      }));
}

}  // namespace meridian::query
