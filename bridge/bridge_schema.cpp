#include "bridge/bridge_schema.hpp"

#include "hub/discussion/event_log.hpp"

namespace hub::bridge {

store::Migration bridge_migration(int version) {
  store::Migration m = discussion::bridge_seam_migration(version);
  m.name = "bridge";
  m.sql += R"sql(
-- What the bridge will send, written before sending under an id derived from the hub event, so a
-- resend after a crash or a retry is the same request (Matrix dedupes on the txnId made from it).
CREATE TABLE bridge_outbox (
  id TEXT PRIMARY KEY,
  network TEXT NOT NULL CHECK (network IN ('matrix', 'slack')),
  channel_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  request TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'parked')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  remote_id TEXT,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX bridge_outbox_due ON bridge_outbox(network, state, next_at, seq);
-- Hub message <-> remote message (a Matrix event id, a Slack ts), per network.
CREATE TABLE bridge_id_map (
  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  network TEXT NOT NULL CHECK (network IN ('matrix', 'slack')),
  remote_room TEXT NOT NULL,
  remote_id TEXT NOT NULL,
  PRIMARY KEY (network, remote_id),
  UNIQUE (message_id, network)
) STRICT;
)sql";
  return m;
}

}  // namespace hub::bridge
