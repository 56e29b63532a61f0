// Outbound HTTP: the interface the bridge calls, implemented with Beast in hub/net (HttpsClient)
// and by FakeHttpClient in tests. Plain structs only, so no caller includes Beast.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "hub/http/message.hpp"

namespace hub::http {

struct ClientRequest {
  Method method = Method::get;
  std::string url;  // http://host[:port]/path?query or https://...
  Headers headers;  // Host, Content-Length and User-Agent are added when absent
  std::string body;
  std::chrono::milliseconds timeout{10'000};  // for the whole exchange, connect included
  std::size_t max_response_bytes = 1 << 20;   // body; a larger answer is the error too_large
  bool follow_redirects = false;              // at most 5 hops, never https -> http
  // A long poll (Matrix /sync): a graceful shutdown ends it at once (the error shutting_down)
  // instead of waiting for its answer. Other requests in flight are waited for.
  bool cancel_on_shutdown = false;
};

// Why an exchange produced no response.
enum class ClientError { none, bad_url, resolve, connect, tls, timeout, too_large, protocol, shutting_down };
std::string_view client_error_name(ClientError e);

struct ClientResponse {
  int status = 0;  // 0 when `error` is set
  Headers headers;
  std::string body;
  ClientError error = ClientError::none;
  std::string message;  // what went wrong, for the log; never holds credentials
  bool ok() const { return error == ClientError::none; }
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Never throws; a failure is a response with `error` set.
  virtual boost::asio::awaitable<ClientResponse> send(ClientRequest request) = 0;
};

// `s` percent-encoded for one URL path segment or query value: RFC 3986's unreserved characters
// are kept, every other byte becomes %XX (a Matrix room id's '!' and ':', a Slack cursor's '+').
std::string percent_encode(std::string_view s);

// The parts of an absolute http(s) URL.
struct Url {
  bool tls = false;
  std::string host;  // without brackets for IPv6
  std::uint16_t port = 0;
  std::string target;  // path and query, at least "/"
};
// nullopt for anything but an absolute http or https URL with a host (no user info, no fragment
// kept, no control characters or spaces).
std::optional<Url> parse_url(std::string_view url);
// `location` (absolute, or an absolute path) resolved against `base`; nullopt when unusable.
std::optional<std::string> resolve_location(const Url& base, std::string_view location);

// A scripted client for unit tests: each request is recorded, and `answer` makes the response
// (by default a 200 with an empty body). Thread-safe.
class FakeHttpClient final : public HttpClient {
 public:
  std::function<ClientResponse(const ClientRequest&)> answer;

  boost::asio::awaitable<ClientResponse> send(ClientRequest request) override;
  std::vector<ClientRequest> requests() const;

 private:
  mutable std::mutex mutex_;  // guards requests_
  std::vector<ClientRequest> requests_;
};

}  // namespace hub::http
