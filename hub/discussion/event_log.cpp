#include "hub/discussion/event_log.hpp"

#include <nlohmann/json.hpp>

namespace hub::discussion {

Result<std::int64_t> append_event(Connection& db, std::int64_t channel_id, const std::string& kind,
                                  std::int64_t message_id, const std::string& payload, std::int64_t now) {
  auto s = db.prepare(
      "INSERT INTO events (channel_id, kind, message_id, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, channel_id).bind(2, std::string_view(kind)).bind(3, message_id).bind(4, std::string_view(payload));
  s.bind(5, now);
  if (auto r = s.run(); !r) return r.error();
  return db.last_insert_id();
}

Result<std::int64_t> head_seq(Connection& db) {
  auto s = db.prepare("SELECT coalesce(max(seq), 0) FROM events");
  auto row = s.step();
  if (!row) return row.error();
  return s.int64(0);
}

Result<std::vector<Event>> read_events(Connection& db, const std::vector<std::int64_t>& channels, std::int64_t since,
                                       std::int64_t until, int limit) {
  // The channel list travels as a JSON array, so one cached statement serves every subscription.
  auto s = db.prepare(
      "SELECT seq, channel_id, kind, payload FROM events WHERE seq > ?1 AND seq <= ?2 AND "
      "(?3 = '[]' OR channel_id IN (SELECT value FROM json_each(?3))) ORDER BY seq LIMIT ?4");
  const std::string ids = nlohmann::json(channels).dump();
  s.bind(1, since).bind(2, until).bind(3, std::string_view(ids)).bind(4, std::int64_t{limit});
  std::vector<Event> out;
  auto rows = s.each_row([&] { out.push_back({s.int64(0), s.int64(1), s.text(2), s.text(3)}); });
  if (!rows) return rows.error();
  return out;
}

Status rewrite_events_of(Connection& db, std::int64_t message_id, const std::string& payload) {
  auto s = db.prepare("UPDATE events SET payload = ?2 WHERE message_id = ?1");
  s.bind(1, message_id).bind(2, std::string_view(payload));
  return s.run();
}

std::string event_frame(const Event& e) {
  std::string out;
  out.reserve(e.payload.size() + 96);
  out += R"({"type":"event","seq":)";
  out += std::to_string(e.seq);
  out += R"(,"channel_id":)";
  out += std::to_string(e.channel_id);
  out += R"(,"kind":")";
  out += e.kind;  // one of a few fixed names: no escaping needed
  out += R"(","message":)";
  out += e.payload;
  out += '}';
  return out;
}

}  // namespace hub::discussion
