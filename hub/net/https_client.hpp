// The outbound HTTP(S) client: hub::http::HttpClient over Beast. TLS verifies the certificate
// chain against the system store (or a given CA file) and the host name, and sends SNI; idle
// keep-alive connections are reused per scheme, host and port; redirects are followed only when
// the request asks. Beast stays behind this header (see https_client.cpp).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "hub/http/client.hpp"

namespace hub::net {

struct HttpsClientOptions {
  std::string ca_file;              // PEM trust anchors; empty: the system's default store
  std::size_t max_idle_per_host = 4;  // kept-alive connections parked per scheme://host:port
  std::size_t header_limit = 16 * 1024;  // of a response
  std::string user_agent = "cohorthub";
};

class HttpsClient final : public http::HttpClient {
 public:
  // Throws std::runtime_error when the CA file cannot be loaded (start-up only).
  HttpsClient(boost::asio::any_io_executor executor, HttpsClientOptions options);
  ~HttpsClient() override;
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // REQUIRES: called on `executor` (one thread: it is the strand every connection uses).
  boost::asio::awaitable<http::ClientResponse> send(http::ClientRequest request) override;

  // Graceful: new requests get shutting_down at once, idle connections close, requests marked
  // cancel_on_shutdown (long polls) are cut off with shutting_down, and `done` runs (posted to the
  // executor) once every request in flight has finished; each of the others is bounded by its own
  // timeout. REQUIRES: called on the executor.
  void shutdown(std::function<void()> done);

  // Connections opened since construction (a reused one is not counted again).
  std::size_t connections_opened() const;
  std::size_t in_flight() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;  // shared with requests in flight
};

}  // namespace hub::net
