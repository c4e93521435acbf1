#pragma once

#include <string>
#include <utility>

#include "models/services/service_stats.hpp"

namespace surgesim::models {

// Appends a member the object does not have yet.
//
// NOTE: ordered_json finds a key by a linear scan, so filling an object of n members
// with operator[] costs n^2 / 2 string compares: 8 s of a 10^4-page run went there.
// Summary members are names the loader made unique, so the scan is skipped by appending
// to the vector the ordered map is.
inline void append_member(Json& object, std::string key, Json value) {
  if (object.is_null()) object = Json::object();
  auto& members = static_cast<Json::object_t::Container&>(object.get_ref<Json::object_t&>());
  members.emplace_back(std::move(key), std::move(value));
}

// The member at `index` of an object, whatever its key (trees of one shape keep their
// members in one order).
inline const std::pair<const std::string, Json>& member_at(const Json& object, std::size_t index) {
  const auto& members =
      static_cast<const Json::object_t::Container&>(object.get_ref<const Json::object_t&>());
  return members[index];
}

}  // namespace surgesim::models
