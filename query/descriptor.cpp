// Lookups on table descriptors; see descriptor.hpp.
#include "query/descriptor.hpp"

#include <algorithm>

#include "common/assert.hpp"

namespace meridian::query {

int table_descriptor::column_position(std::string_view column_name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column_name) return static_cast<int>(i);
  }
  return -1;
}

int table_descriptor::position_of_id(std::uint32_t column_id) const {
  // Columns are in increasing id order.
  auto it = std::lower_bound(columns.begin(), columns.end(), column_id,
                             [](const column_descriptor& c, std::uint32_t id) { return c.id < id; });
  MERIDIAN_ASSERT(it != columns.end() && it->id == column_id,
                  "column id " + std::to_string(column_id) + " not in table " + name);
  return static_cast<int>(it - columns.begin());
}

std::vector<int> table_descriptor::primary_key_positions() const {
  std::vector<int> out;
  out.reserve(primary_key.size());
  for (auto id : primary_key) out.push_back(position_of_id(id));
  return out;
}

std::vector<int> table_descriptor::index_positions(const index_descriptor& index) const {
  std::vector<int> out;
  out.reserve(index.column_ids.size());
  for (auto id : index.column_ids) out.push_back(position_of_id(id));
  return out;
}

const index_descriptor* table_descriptor::find_index(std::string_view index_name) const {
  for (const auto& ix : indexes) {
    if (ix.name == index_name) return &ix;
  }
  return nullptr;
}

bool table_descriptor::has_hidden_row_id() const {
  return std::any_of(columns.begin(), columns.end(), [](const auto& c) { return c.hidden; });
}

}  // namespace meridian::query
