// The appservice API the homeserver calls (Matrix application-service API v1), authenticated by
// the hs_token (wrong: 403 M_FORBIDDEN; missing: 401 M_UNAUTHORIZED):
// - PUT /_matrix/app/v1/transactions/{txnId}: each event applied through discussion's bridge seam
//   with its event id as the idempotency key and the id-map row in the same write; a transaction
//   already applied is acknowledged without applying it again. Echoes, unmapped rooms, unknown
//   types, and edits, reactions or redactions of unknown events are skipped with a logged reason,
//   and the transaction is still acknowledged (200 {}); only a hub failure is 500, so it is retried.
//   The appservice's own user kicked or banned from a mapped room shows on the mapping, and the
//   room's sends are parked until it is invited back (it then joins at once).
// - GET /_matrix/app/v1/users/{userId}: 200 {} (after registering the ghost) for a hub member in
//   our namespace, else 404 M_NOT_FOUND; GET /_matrix/app/v1/rooms/{roomAlias}: rooms are mapped by
//   admins, never made on demand, so 404 M_NOT_FOUND.
// - POST /_matrix/app/v1/ping: 200 {} (the homeserver checks it reaches the hub; MatrixBridge asks
//   it to at start-up).
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "bridge/matrix/matrix_connector.hpp"
#include "hub/discussion/bridge_seam.hpp"
#include "hub/http/router.hpp"

namespace hub::bridge::matrix {

// A Matrix error body {"errcode","error"} with `status`.
http::Response matrix_error(int status, std::string_view errcode, std::string_view error);

class AppserviceRoutes {
 public:
  // `connector()` is the connector once the hub is attached (null before: the user query answers 503).
  AppserviceRoutes(store::Executor& db, discussion::BridgeSeam& seam, const Clock& clock, const MatrixOptions& options,
                   std::function<MatrixConnector*()> connector)
      : db_(db), seam_(seam), clock_(clock), options_(options), connector_(std::move(connector)) {}

  void add_to(http::Router& router);

  // Applies one event; the reason it was skipped, or empty when applied. An error only when the
  // hub failed (the transaction is then refused, to be retried).
  boost::asio::awaitable<http::Result<std::string>> apply_event(const nlohmann::json& event);
  // The bot (the appservice's own user, or the bot account) was invited into `room`: joins it when
  // the room is mapped, and the bot is back (MatrixConnector::note_back). The reason it did not
  // join, or empty when it did.
  boost::asio::awaitable<http::Result<std::string>> accept_invite(const std::string& room);

 private:
  boost::asio::awaitable<http::Response> put_transaction(http::Request& req, http::Context& ctx);
  boost::asio::awaitable<http::Response> get_user(http::Request& req, http::Context& ctx);
  boost::asio::awaitable<http::Response> get_room(http::Request& req, http::Context& ctx);
  boost::asio::awaitable<http::Response> ping(http::Request& req, http::Context& ctx);

  // The hub ghost of Matrix user `sender`, made on first sight.
  boost::asio::awaitable<http::Result<std::int64_t>> ghost_of(const std::string& sender);
  boost::asio::awaitable<http::Result<std::string>> apply_message(const nlohmann::json& event, std::int64_t channel_id,
                                                                  std::int64_t actor);
  boost::asio::awaitable<http::Result<std::string>> apply_reaction(const nlohmann::json& event, std::int64_t actor);
  boost::asio::awaitable<http::Result<std::string>> apply_redaction(const nlohmann::json& event, std::int64_t actor);
  boost::asio::awaitable<http::Result<std::string>> note_member(const nlohmann::json& event);
  // A membership of the bot itself: removed (leave, ban) sets the mapping's status and parks the
  // room's sends; an invite is accepted; a join clears the removal.
  boost::asio::awaitable<http::Result<std::string>> note_bot_membership(const nlohmann::json& event);

  store::Executor& db_;
  discussion::BridgeSeam& seam_;
  const Clock& clock_;
  const MatrixOptions& options_;
  std::function<MatrixConnector*()> connector_;
};

}  // namespace hub::bridge::matrix
