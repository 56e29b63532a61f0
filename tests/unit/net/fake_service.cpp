#include "tests/unit/net/fake_service.hpp"

#include <chrono>
#include <stdexcept>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "hub/http/error.hpp"
#include "hub/net/server.hpp"

namespace hub::net::test {

namespace asio = boost::asio;

asio::awaitable<std::optional<http::Response>> FakeWsHandler::admit(http::Request& upgrade) {
  if (upgrade.headers.has("X-Refuse")) co_return http::error_response(http::ApiError::unauthenticated());
  // As a real handler names the authenticated user, for hub/net's per-user cap.
  if (auto user = upgrade.headers.get("X-User"); !user.empty())
    upgrade.params.push_back({std::string(kLiveUserParam), std::string(user)});
  co_return std::nullopt;
}

void FakeWsHandler::on_open(const std::shared_ptr<http::WebSocketPeer>& peer, const http::Request&) {
  std::lock_guard lock(mutex_);
  peers_.push_back(peer);
  ++opened_;
}

void FakeWsHandler::on_message(const std::shared_ptr<http::WebSocketPeer>& peer, std::string text) {
  if (text == "throw") throw std::runtime_error("a handler bug");
  {
    // Recorded before the answer: a send on the connection's thread starts its write at once, so
    // the client may read the answer before this handler returns.
    std::lock_guard lock(mutex_);
    messages_.push_back(text);
  }
  if (text.rfind("echo:", 0) == 0) peer->send(std::make_shared<const std::string>(text.substr(5)));
}

void FakeWsHandler::on_close(const std::shared_ptr<http::WebSocketPeer>& peer) {
  std::lock_guard lock(mutex_);
  std::erase(peers_, peer);
  ++closed_;
}

std::vector<std::shared_ptr<http::WebSocketPeer>> FakeWsHandler::peers() const {
  std::lock_guard lock(mutex_);
  return peers_;
}

void FakeWsHandler::forget_peers() {
  std::lock_guard lock(mutex_);
  peers_.clear();
}

std::vector<std::string> FakeWsHandler::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

std::size_t FakeWsHandler::opened() const {
  std::lock_guard lock(mutex_);
  return opened_;
}

std::size_t FakeWsHandler::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

std::size_t FakeService::body_limit(http::Method, std::string_view path) const {
  return path.rfind("/small", 0) == 0 ? 16 : 1024;
}

asio::awaitable<http::Response> FakeService::handle(http::Request request) {
  http::Response r;
  if (request.path == "/slow" || request.path == "/hang") {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(request.path == "/slow" ? std::chrono::milliseconds(300) : std::chrono::seconds(10));
    co_await timer.async_wait(asio::use_awaitable);
    r.body = "slept";
  } else if (request.path == "/fixed") {
    r.body = "fixed body";
  } else if (request.path == "/big") {
    r.body.assign(4096, 'b');
  } else if (request.path == "/redirect") {
    r.status = 302;
    r.headers.set("Location", "/fixed");
  } else if (request.path == "/unsendable-headers") {
    r.headers.set("X-Huge", std::string(70 * 1024, 'h'));  // Beast would throw on this
    r.headers.set("X-Injected", "a\r\nSet-Cookie: evil=1");
    r.headers.set("X-Fine", "ok");
  } else if (request.path == "/throw") {
    throw std::runtime_error("a handler bug");
  } else {
    nlohmann::json headers = nlohmann::json::object();
    for (const auto [name, value] : request.headers) headers[std::string(name)] = value;
    nlohmann::json echo = {{"method", std::string(http::method_name(request.method))},
                           {"target", request.target},
                           {"path", request.path},
                           {"query", request.query},
                           {"body", request.body},
                           {"remote_ip", request.remote_ip},
                           {"tls", request.tls},
                           {"keep_alive", request.keep_alive},
                           {"headers", headers}};
    r.body = echo.dump();
    r.headers.set("Content-Type", "application/json");
    r.headers.set("X-Test", "yes");
    r.close = request.path == "/close-me";
  }
  ++handled;
  co_return r;
}

http::WebSocketHandler* FakeService::websocket(std::string_view path) {
  return path == "/live" ? &live : nullptr;
}

}  // namespace hub::net::test
