#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "bridge/matrix/matrix_bridge.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "bridge/log.hpp"
#include "bridge/matrix/registration.hpp"

namespace hub::bridge::matrix {

MatrixBridge::MatrixBridge(store::Executor& db, discussion::BridgeSeam& seam, const Clock& clock,
                           std::optional<MatrixOptions> options)
    : db_(db),
      enabled_(options.has_value()),
      options_(options ? std::move(*options) : MatrixOptions{}),
      routes_(db, seam, clock, options_, [this] { return connector_.get(); }) {}

MatrixConnector* MatrixBridge::attach(http::HttpClient& client) {
  if (!enabled_) return nullptr;
  connector_ = std::make_unique<MatrixConnector>(db_, client, options_);
  if (options_.bot()) sync_ = std::make_unique<BotSync>(db_, *connector_, routes_);
  return connector_.get();
}

void MatrixBridge::start(boost::asio::any_io_executor executor) {
  if (sync_) sync_->start(executor);
  if (connector_ && !options_.bot()) {
    ping_wait_ = std::make_unique<boost::asio::steady_timer>(executor);
    boost::asio::co_spawn(executor, ping_homeserver(), boost::asio::detached);
  }
}

void MatrixBridge::stop() {
  stopping_ = true;
  if (sync_) sync_->stop();
  if (ping_wait_) ping_wait_->cancel();
}

boost::asio::awaitable<void> MatrixBridge::ping_homeserver() {
  constexpr int kMaxAttempts = 10;  // about 2 minutes: a homeserver that never answers is only logged
  std::chrono::milliseconds wait{250};
  for (int attempt = 1; attempt <= kMaxAttempts && !stopping_; ++attempt) {
    http::ClientRequest req;
    req.method = http::Method::post;
    req.url = options_.homeserver_url + "/_matrix/client/v1/appservice/" + http::percent_encode(kAppserviceId) + "/ping";
    req.headers.set("Content-Type", "application/json");
    req.body = nlohmann::json{{"transaction_id", "cohorthub-start"}}.dump();
    req.cancel_on_shutdown = true;  // it waits for the homeserver's call back to the hub
    auto reply = co_await connector_->exchange(std::move(req));
    if (stopping_) co_return;
    if (reply.ok()) {
      log_reason("info", "matrix", "ping", "the homeserver reaches the hub", {{"attempt", attempt}});
      co_return;
    }
    if (reply.response.status == 404 || reply.response.status == 405) {  // before Matrix 1.7: no ping endpoint
      log_reason("info", "matrix", "ping", "the homeserver has no appservice ping endpoint");
      co_return;
    }
    log_reason("warn", "matrix", "ping failed", failure_of(reply, "pinging the homeserver").error, {{"attempt", attempt}});
    ping_wait_->expires_after(wait);
    boost::system::error_code ec;
    co_await ping_wait_->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    wait = std::min<std::chrono::milliseconds>(wait * 2, std::chrono::seconds(30));
  }
}

void MatrixBridge::poke() {
  if (sync_) sync_->poke();
}

}  // namespace hub::bridge::matrix
