#include "bridge/id_map.hpp"

namespace hub::bridge {

using http::ApiError;

Status map_ids(Connection& db, std::int64_t message_id, Network network, const RemoteRef& remote) {
  if (network == Network::hub || remote.id.empty()) return ApiError::bad_request("A remote id of another network.");
  auto known = hub_message_for(db, network, remote.id);
  if (!known) return known.error();
  if (*known) {
    if (**known == message_id) return http::Ok{};
    return ApiError::conflict("That remote message is mapped to another hub message.");
  }
  auto s = db.prepare("INSERT INTO bridge_id_map (message_id, network, remote_room, remote_id) VALUES (?1, ?2, ?3, ?4)");
  s.bind(1, message_id).bind(2, discussion::network_name(network));
  s.bind(3, std::string_view(remote.room)).bind(4, std::string_view(remote.id));
  return s.run();
}

Result<std::optional<std::int64_t>> hub_message_for(Connection& db, Network network, const std::string& remote_id) {
  auto s = db.prepare("SELECT message_id FROM bridge_id_map WHERE network = ?1 AND remote_id = ?2");
  s.bind(1, discussion::network_name(network)).bind(2, std::string_view(remote_id));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(s.int64(0));
}

Result<std::optional<RemoteRef>> remote_for(Connection& db, std::int64_t message_id, Network network) {
  auto s = db.prepare("SELECT remote_room, remote_id FROM bridge_id_map WHERE message_id = ?1 AND network = ?2");
  s.bind(1, message_id).bind(2, discussion::network_name(network));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<RemoteRef>();
  return std::optional<RemoteRef>(RemoteRef{s.text(0), s.text(1)});
}

}  // namespace hub::bridge
