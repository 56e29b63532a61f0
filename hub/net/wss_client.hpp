// The outbound WebSocket client: hub::http::WebSocketClient over Beast, for ws:// and wss:// URLs.
// TLS verifies the certificate chain against the system store (or a given CA file) and the host
// name, and sends SNI, exactly as HttpsClient does (outbound_connect.hpp). An idle connection is
// pinged, and one silent past its idle timeout ends. Beast stays behind this header.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include "hub/http/websocket_client.hpp"

namespace hub::net {

struct WssClientOptions {
  std::string ca_file;  // PEM trust anchors; empty: the system's default store
  std::string user_agent = "cohorthub";
};

class WssClient final : public http::WebSocketClient {
 public:
  // Throws std::runtime_error when the CA file cannot be loaded (start-up only).
  WssClient(boost::asio::any_io_executor executor, WssClientOptions options);

  // REQUIRES: called on `executor`; the connection is used there too.
  boost::asio::awaitable<http::WebSocketOpen> connect(http::WebSocketRequest request) override;

 private:
  boost::asio::any_io_executor executor_;
  const WssClientOptions options_;
  const std::shared_ptr<boost::asio::ssl::context> tls_;  // shared with each connection, which outlives no context
};

}  // namespace hub::net
