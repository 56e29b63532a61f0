#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "hub/net/https_client.hpp"

#include <cerrno>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include "hub/net/outbound_connect.hpp"
#include "hub/net/tls_context.hpp"

namespace hub::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;
using http::ClientError;
using http::ClientRequest;
using http::ClientResponse;

namespace outbound_detail {

constexpr int kMaxRedirects = 5;

bhttp::verb verb_of(http::Method m) {
  switch (m) {
    case http::Method::get: return bhttp::verb::get;
    case http::Method::head: return bhttp::verb::head;
    case http::Method::post: return bhttp::verb::post;
    case http::Method::put: return bhttp::verb::put;
    case http::Method::patch: return bhttp::verb::patch;
    case http::Method::delete_: return bhttp::verb::delete_;
    case http::Method::options: return bhttp::verb::options;
    case http::Method::other: break;
  }
  return bhttp::verb::unknown;
}

std::string pool_key(const http::Url& u) {
  return (u.tls ? "https://" : "http://") + u.host + ":" + std::to_string(u.port);
}

// A reused connection the server had already closed fails like this before any answer comes.
bool is_stale(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

// Whether a parked connection can carry a request: the server has neither closed it nor sent
// anything on it since its last answer. An idle socket with something to read is either at its
// end (the server's idle timeout: the common case) or out of step; peeked without blocking, so a
// POST is not sent on a connection already known to be gone, where it would fail and could not be
// repeated. A server that closes just as the request goes is still possible: see exchange().
bool still_open(outbound_connection& c) {
  if (c.buffer.size() != 0) return false;
  char byte = 0;
  const auto n = ::recv(c.lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// RFC 9110, 9.2.2: repeating the request changes nothing more than sending it once.
bool is_idempotent(http::Method m) {
  return m == http::Method::get || m == http::Method::head || m == http::Method::put ||
         m == http::Method::delete_ || m == http::Method::options;
}

ClientError read_error_kind(const error_code& ec) {
  if (ec == beast::error::timeout) return ClientError::timeout;
  if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) return ClientError::too_large;
  return ClientError::protocol;
}

// Writes `req` and reads the answer into `parser`.
template <class Stream>
asio::awaitable<error_code> write_read(Stream& stream, outbound_connection& c, bhttp::request<bhttp::string_body>& req,
                                       bhttp::response_parser<bhttp::string_body>& parser) {
  error_code ec;
  co_await bhttp::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  // The header on its own first: Beast 1.74's async_read parses eagerly, and an eager parse of a
  // Content-Length beyond body_limit() reports no error (the whole body is then read). Parsed
  // alone, the header fails with body_limit at once.
  if (!ec) co_await bhttp::async_read_header(stream, c.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (!ec && !parser.is_done())
    co_await bhttp::async_read(stream, c.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

}  // namespace outbound_detail

using namespace outbound_detail;

class HttpsClient::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::any_io_executor executor, HttpsClientOptions options)
      : executor_(std::move(executor)), options_(std::move(options)), tls_(make_client_tls_context(options_.ca_file)) {}

  asio::awaitable<ClientResponse> send(ClientRequest request);
  void shutdown(std::function<void()> done);

  std::size_t opened() const { return opened_; }
  std::size_t in_flight() const { return in_flight_; }

 private:
  // Counts a request in flight for as long as it lives; the last one out finishes a drain.
  struct flight_guard {
    std::shared_ptr<Impl> self;
    explicit flight_guard(std::shared_ptr<Impl> s) : self(std::move(s)) { ++self->in_flight_; }
    ~flight_guard() {
      if (--self->in_flight_ == 0 && self->drained_) asio::post(self->executor_, std::exchange(self->drained_, nullptr));
    }
  };

  asio::awaitable<ClientResponse> exchange(const http::Url& url, const ClientRequest& request,
                                           std::chrono::steady_clock::time_point deadline);
  asio::awaitable<ClientResponse> open(const http::Url& url, std::chrono::steady_clock::time_point deadline,
                                       connection_ptr& out);
  connection_ptr take_idle(const std::string& key);
  // Lists a long poll's connection while an exchange on it is under way, for shutdown() to close.
  struct cancellable_guard {
    Impl* self;
    outbound_connection* c;
    cancellable_guard(Impl* s, outbound_connection* conn, bool listed) : self(s), c(listed ? conn : nullptr) {
      if (c) self->cancellable_.insert(c);
    }
    ~cancellable_guard() {
      if (c) self->cancellable_.erase(c);
    }
    cancellable_guard(const cancellable_guard&) = delete;
    cancellable_guard& operator=(const cancellable_guard&) = delete;
  };
  void park(const std::string& key, connection_ptr c);

  asio::any_io_executor executor_;
  const HttpsClientOptions options_;
  const std::shared_ptr<asio::ssl::context> tls_;  // verify_peer against options_.ca_file or the system store
  // Everything below is touched only on executor_ (one thread).
  std::map<std::string, std::vector<connection_ptr>> idle_;  // parked keep-alive connections, by pool_key
  std::size_t opened_ = 0;
  std::size_t in_flight_ = 0;
  std::set<outbound_connection*> cancellable_;  // connections of cancel_on_shutdown exchanges under way
  bool stopping_ = false;            // shutdown() ran: refuse new requests
  std::function<void()> drained_;    // shutdown's `done`, until the last request finishes
};

connection_ptr HttpsClient::Impl::take_idle(const std::string& key) {
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  while (!it->second.empty()) {
    auto c = std::move(it->second.back());
    it->second.pop_back();
    if (still_open(*c)) return c;
    c->close();  // the server closed it while it was parked (an idle timeout): never send on it
  }
  return nullptr;
}

void HttpsClient::Impl::park(const std::string& key, connection_ptr c) {
  auto& list = idle_[key];
  if (stopping_ || list.size() >= options_.max_idle_per_host) {
    c->close();
    return;
  }
  c->lowest().expires_never();
  list.push_back(std::move(c));
}

void HttpsClient::Impl::shutdown(std::function<void()> done) {
  stopping_ = true;
  for (auto& [key, list] : idle_)
    for (auto& c : list) c->close();
  idle_.clear();
  // Long polls end now: their pending reads complete with operation_aborted.
  for (auto* c : std::exchange(cancellable_, {})) c->close();
  if (in_flight_ == 0) asio::post(executor_, std::move(done));
  else drained_ = std::move(done);
}

asio::awaitable<ClientResponse> HttpsClient::Impl::open(const http::Url& url,
                                                        std::chrono::steady_clock::time_point deadline,
                                                        connection_ptr& out) {
  auto opened = co_await open_outbound(executor_, *tls_, url, deadline, out);
  if (opened.ok()) ++opened_;
  co_return opened;
}

asio::awaitable<ClientResponse> HttpsClient::Impl::exchange(const http::Url& url, const ClientRequest& request,
                                                            std::chrono::steady_clock::time_point deadline) {
  bhttp::request<bhttp::string_body> req(verb_of(request.method), url.target, 11);
  for (const auto [name, value] : request.headers) {
    if (http::iequals(name, "Content-Length") || http::iequals(name, "Transfer-Encoding")) continue;
    req.insert(beast::string_view(name.data(), name.size()), beast::string_view(value.data(), value.size()));
  }
  if (!request.headers.has("Host")) req.set(bhttp::field::host, host_header(url));
  if (!request.headers.has("User-Agent")) req.set(bhttp::field::user_agent, options_.user_agent);
  req.body() = request.body;
  req.keep_alive(true);
  req.prepare_payload();

  const std::string key = pool_key(url);
  connection_ptr c = take_idle(key);
  bool reused = c != nullptr;
  for (;;) {
    if (!c) {
      if (auto opened = co_await open(url, deadline, c); !opened.ok()) co_return opened;
      if (stopping_ && request.cancel_on_shutdown) {  // shutdown() ran while it connected
        c->close();
        co_return failure(ClientError::shutting_down, "the hub is shutting down");
      }
    }
    c->lowest().expires_at(deadline);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
    parser.body_limit(request.max_response_bytes);
    if (request.method == http::Method::head) parser.skip(true);
    error_code ec;
    {
      cancellable_guard listed(this, c.get(), request.cancel_on_shutdown);
      if (c->secure) ec = co_await write_read(*c->secure, *c, req, parser);
      else ec = co_await write_read(*c->plain, *c, req, parser);
    }
    if (ec) {
      c->close();
      c.reset();
      if (stopping_ && request.cancel_on_shutdown)
        co_return failure(ClientError::shutting_down, "cancelled: the hub is shutting down");
      // A parked connection the server closed meanwhile: once more, on a fresh one. Only for an
      // idempotent method: the server may have read and applied the request before the
      // connection went, and a repeated POST (a Slack message) would apply twice, so its caller
      // gets the failure and decides (RFC 9110, 9.2.2).
      if (reused && is_stale(ec) && !parser.got_some() && is_idempotent(request.method)) {
        reused = false;
        continue;
      }
      co_return failure(read_error_kind(ec), "exchange with " + host_header(url) + " failed: " + ec.message());
    }
    auto res = parser.release();
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res)
      out.headers.add(std::string_view(field.name_string().data(), field.name_string().size()),
                      std::string_view(field.value().data(), field.value().size()));
    out.body = std::move(res.body());
    if (res.keep_alive()) park(key, std::move(c));
    else c->close();
    co_return out;
  }
}

asio::awaitable<ClientResponse> HttpsClient::Impl::send(ClientRequest request) {
  if (stopping_) co_return failure(ClientError::shutting_down, "the hub is shutting down");
  flight_guard guard(shared_from_this());
  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  auto url = http::parse_url(request.url);
  if (!url) co_return failure(ClientError::bad_url, "not an absolute http(s) URL");
  if (verb_of(request.method) == bhttp::verb::unknown) co_return failure(ClientError::bad_url, "no such method");
  for (int hop = 0;; ++hop) {
    auto response = co_await exchange(*url, request, deadline);
    const int s = response.status;
    const bool redirect = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
    if (!request.follow_redirects || !redirect || hop == kMaxRedirects) co_return response;
    auto next = http::resolve_location(*url, response.headers.get("Location"));
    if (!next) co_return response;
    auto next_url = http::parse_url(*next);
    if (url->tls && !next_url->tls) co_return response;  // never downgrade
    if (s == 303 || ((s == 301 || s == 302) && request.method == http::Method::post)) {
      request.method = http::Method::get;
      request.body.clear();
    }
    if (next_url->host != url->host || next_url->port != url->port) {
      http::Headers kept;  // credentials are for the host they were meant for
      for (const auto [name, value] : request.headers)
        if (!http::iequals(name, "Authorization") && !http::iequals(name, "Host")) kept.add(name, value);
      request.headers = std::move(kept);
    }
    url = std::move(next_url);
  }
}

HttpsClient::HttpsClient(asio::any_io_executor executor, HttpsClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

HttpsClient::~HttpsClient() = default;

asio::awaitable<ClientResponse> HttpsClient::send(ClientRequest request) {
  auto impl = impl_;  // the request may outlive this object's caller
  co_return co_await impl->send(std::move(request));
}

void HttpsClient::shutdown(std::function<void()> done) { impl_->shutdown(std::move(done)); }

std::size_t HttpsClient::connections_opened() const { return impl_->opened(); }

std::size_t HttpsClient::in_flight() const { return impl_->in_flight(); }

}  // namespace hub::net
