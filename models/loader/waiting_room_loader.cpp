#include "models/loader/waiting_room_loader.hpp"

namespace surgesim::models {

WaitingRoomConfig read_waiting_room(const YamlNode& node, Time duration) {
  if (!node.is_map()) node.expected("a waiting room: a map with 'max_active'");
  const YamlMap m(node, {"max_active", "patience", "from", "to"});
  WaitingRoomConfig room;
  room.max_active =
      static_cast<std::uint64_t>(m.required("max_active").as_integer(1, 1'000'000'000));
  if (const auto n = m.get("patience")) room.patience = n->as_distribution();
  if (const auto n = m.get("from")) {
    room.from = n->as_time_point();
    if (room.from >= duration) n->expected("a time point before the end of the scenario");
  }
  if (const auto n = m.get("to")) {
    // A clock time means the first moment after `from` that shows it.
    room.to = n->as_time_point_after(room.from);
    if (room.to <= room.from) n->expected("a time point after the room's 'from'");
    if (room.to > duration) n->expected("a time point no later than the end of the scenario");
  }
  return room;
}

}  // namespace surgesim::models
