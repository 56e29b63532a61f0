// hub/net's outbound clients (HTTPS, and WebSocket for Slack's Socket Mode) against hub/net's own
// server on loopback, plain and TLS.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "hub/net/https_client.hpp"
#include "hub/net/wss_client.hpp"
#include "tests/unit/net/running_server.hpp"

using namespace hub::net::test;
using hub::http::ClientError;
using hub::http::ClientRequest;
using hub::http::ClientResponse;
using hub::net::HttpsClient;
using hub::net::HttpsClientOptions;
namespace asio = boost::asio;

namespace {

// A test CA and a P-256 leaf for "localhost" it signed, in a fresh temporary directory.
struct ClientTestPki {
  std::filesystem::path dir, ca, leaf, leaf_key;
  ClientTestPki() {
    char tmpl[] = "/tmp/hub-net-client-XXXXXX";
    dir = ::mkdtemp(tmpl);
    ca = dir / "ca.pem";
    leaf = dir / "leaf.pem";
    leaf_key = dir / "leaf.key";
    std::ofstream(dir / "ext.cnf") << "subjectAltName=DNS:localhost\n";
    const std::string d = dir.string() + "/";
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes ";
    const std::string cmd =
        "openssl req -x509" + ec + "-days 1 -subj /CN=cohorthub-test-ca -keyout " + d + "ca.key -out " + d +
        "ca.pem && openssl req" + ec + "-subj /CN=localhost -keyout " + d + "leaf.key -out " + d +
        "leaf.csr && openssl x509 -req -in " + d + "leaf.csr -CA " + d + "ca.pem -CAkey " + d +
        "ca.key -CAcreateserial -days 1 -extfile " + d + "ext.cnf -out " + d + "leaf.pem >/dev/null 2>&1";
    if (std::system((cmd + " >/dev/null 2>&1").c_str()) != 0) throw std::runtime_error("openssl failed");
  }
  ~ClientTestPki() { std::filesystem::remove_all(dir); }
};

const ClientTestPki& client_pki() {
  static const ClientTestPki pki;
  return pki;
}

// Keep-alive counts must not depend on how busy the machine is: a long idle timeout.
hub::net::ServerOptions patient_options() {
  auto o = quick_options();
  o.idle_timeout = std::chrono::seconds(60);
  return o;
}

hub::net::ServerOptions client_tls_server() {
  auto o = patient_options();
  o.tls_cert_file = client_pki().leaf;
  o.tls_key_file = client_pki().leaf_key;
  return o;
}

HttpsClientOptions trusting_test_ca() {
  HttpsClientOptions o;
  o.ca_file = client_pki().ca;
  return o;
}

ClientRequest client_get(std::string url) {
  ClientRequest r;
  r.url = std::move(url);
  r.timeout = std::chrono::seconds(5);
  return r;
}

// Runs `body(client)` on a private io_context and returns what it returns.
template <class T>
T with_client(HttpsClientOptions options, std::function<asio::awaitable<T>(HttpsClient&)> body,
              std::size_t* opened = nullptr) {
  asio::io_context ioc;
  HttpsClient client(ioc.get_executor(), std::move(options));
  auto coro = body(client);
  auto result = asio::co_spawn(ioc, std::move(coro), asio::use_future);
  ioc.run();
  if (opened) *opened = client.connections_opened();
  return result.get();
}

ClientResponse fetch_one(HttpsClientOptions options, ClientRequest request) {
  return with_client<ClientResponse>(std::move(options), [&request](HttpsClient& c) { return c.send(request); });
}

std::string plain_url(const RunningServer& s, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(s.port()) + path;
}

}  // namespace

TEST_CASE("https client: a plain GET and a POST reach the server with Host, User-Agent and the body") {
  RunningServer s;
  auto got = fetch_one({}, client_get(plain_url(s, "/echo?x=1")));
  REQUIRE(got.ok());
  CHECK(got.status == 200);
  CHECK(got.headers.get("X-Test") == "yes");
  auto echo = nlohmann::json::parse(got.body);
  CHECK(echo["target"] == "/echo?x=1");
  CHECK(echo["headers"]["Host"] == "127.0.0.1:" + std::to_string(s.port()));
  CHECK(echo["headers"]["User-Agent"] == "cohorthub");

  auto post = client_get(plain_url(s, "/echo"));
  post.method = hub::http::Method::put;
  post.body = R"({"a":1})";
  post.headers.set("Content-Type", "application/json");
  auto put = fetch_one({}, post);
  REQUIRE(put.ok());
  echo = nlohmann::json::parse(put.body);
  CHECK(echo["method"] == "PUT");
  CHECK(echo["body"] == R"({"a":1})");
}

TEST_CASE("https client: keep-alive connections are reused for the same host") {
  RunningServer s(patient_options());
  std::size_t opened = 0;
  const std::string url = plain_url(s, "/fixed");
  auto statuses = with_client<std::vector<int>>(
      {},
      [&url](HttpsClient& c) -> asio::awaitable<std::vector<int>> {
        std::vector<int> out;
        for (int i = 0; i < 3; ++i) {
          auto request = client_get(url);  // named: no temporaries inside co_await (g++ 12)
          auto r = co_await c.send(std::move(request));
          out.push_back(r.status);
        }
        co_return out;
      },
      &opened);
  CHECK(statuses == std::vector<int>{200, 200, 200});
  CHECK(opened == 1);
  CHECK(s.service.opened == 1);
  CHECK(s.service.handled == 3);
}

TEST_CASE("https client: a server-closed connection is not reused") {
  RunningServer s(patient_options());
  std::size_t opened = 0;
  const std::string first = plain_url(s, "/close-me"), second = plain_url(s, "/fixed");
  auto statuses = with_client<std::vector<int>>(
      {},
      [&](HttpsClient& c) -> asio::awaitable<std::vector<int>> {
        auto ra = client_get(first), rb = client_get(second);
        auto a = co_await c.send(std::move(ra));
        auto b = co_await c.send(std::move(rb));
        co_return std::vector<int>{a.status, b.status};
      },
      &opened);
  CHECK(statuses == std::vector<int>{200, 200});
  CHECK(opened == 2);
}

namespace {

// A server that answers the first request on its first connection, then reads the second and
// closes without an answer, as a server that applied it and died would; later connections are
// answered. It serves `connections` connections, then ends. With `close_when_idle`, it closes
// the first connection right after its first answer instead, as a server closes a kept-alive
// connection idle past its timeout (Node's is 5 s).
class DroppingServer {
 public:
  explicit DroppingServer(int connections, bool close_when_idle = false) : connections_(connections) {
    thread_ = std::thread([this, connections, close_when_idle] {
      for (int n = 0; n < connections; ++n) {
        asio::ip::tcp::socket socket(ioc_);
        acceptor_.accept(socket);
        ++accepted_;
        asio::streambuf buffer;
        for (int i = 0;; ++i) {
          boost::system::error_code ec;
          asio::read_until(socket, buffer, "\r\n\r\n", ec);
          if (ec) break;
          std::string head(asio::buffers_begin(buffer.data()), asio::buffers_end(buffer.data()));
          head.resize(head.find("\r\n\r\n") + 4);
          buffer.consume(head.size());
          std::size_t length = 0;
          if (auto at = head.find("Content-Length: "); at != std::string::npos) length = std::stoul(head.substr(at + 16));
          if (buffer.size() < length) asio::read(socket, buffer, asio::transfer_exactly(length - buffer.size()), ec);
          buffer.consume(length);
          methods.push_back(head.substr(0, head.find(' ')));
          if (n == 0 && i == 1) break;  // read, not answered: the connection just closes
          asio::write(socket, asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")), ec);
          if (n == 0 && close_when_idle) break;
        }
      }
    });
  }
  ~DroppingServer() { wait(); }
  // Joins the server; connections a failing client never made are made here, empty, so a failing
  // test ends instead of waiting in accept().
  void wait() {
    if (!thread_.joinable()) return;
    for (int n = accepted_; n < connections_; ++n) {
      asio::ip::tcp::socket poke(ioc_);
      boost::system::error_code ec;
      poke.connect(acceptor_.local_endpoint(), ec);
    }
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/x"; }
  std::vector<std::string> methods;  // read after wait()

 private:
  const int connections_;
  std::atomic<int> accepted_{0};
  asio::io_context ioc_;
  asio::ip::tcp::acceptor acceptor_{ioc_, {asio::ip::make_address("127.0.0.1"), 0}};
  std::thread thread_;
};

std::vector<ClientResponse> twice_on_one_connection(const std::string& url, hub::http::Method second,
                                                    std::size_t* opened,
                                                    std::chrono::milliseconds pause = std::chrono::milliseconds(0)) {
  return with_client<std::vector<ClientResponse>>(
      {},
      [&](HttpsClient& c) -> asio::awaitable<std::vector<ClientResponse>> {
        auto first = client_get(url), then = client_get(url);
        then.method = second;
        then.body = "{}";
        auto a = co_await c.send(std::move(first));
        asio::steady_timer between(co_await asio::this_coro::executor, pause);
        co_await between.async_wait(asio::use_awaitable);
        auto b = co_await c.send(std::move(then));
        co_return std::vector<ClientResponse>{a, b};
      },
      opened);
}

}  // namespace

TEST_CASE("https client: a request lost on a reused connection is sent again only when idempotent") {
  // A GET the server may have read is harmless to repeat: once more, on a new connection.
  std::size_t opened = 0;
  DroppingServer gets(2);
  auto answers = twice_on_one_connection(gets.url(), hub::http::Method::get, &opened);
  CHECK(answers[1].ok());
  CHECK(opened == 2);
  // A POST may have been applied (a Slack message posted): repeating it could post it twice, so
  // the caller gets the failure and decides (RFC 9110, 9.2.2).
  DroppingServer posts(1);
  answers = twice_on_one_connection(posts.url(), hub::http::Method::post, &opened);
  CHECK(answers[0].ok());
  CHECK_FALSE(answers[1].ok());
  CHECK(opened == 1);
  posts.wait();
  CHECK(posts.methods == std::vector<std::string>{"GET", "POST"});
}

TEST_CASE("https client: a parked connection the server closed while it was idle is not used again") {
  // Found by the Matrix relay benchmark: the fake homeserver (Node) closes a connection idle for
  // 5 s, and the relay's next POST (a ghost's registration) failed on it and waited for a retry.
  std::size_t opened = 0;
  DroppingServer idle(2, true);
  auto answers = twice_on_one_connection(idle.url(), hub::http::Method::post, &opened, std::chrono::milliseconds(100));
  CHECK(answers[0].ok());
  CHECK(answers[1].ok());
  CHECK(opened == 2);
  idle.wait();
  CHECK(idle.methods == std::vector<std::string>{"GET", "POST"});
}

TEST_CASE("https client: a response larger than the limit is the error too_large") {
  RunningServer s;
  auto request = client_get(plain_url(s, "/big"));
  request.max_response_bytes = 4096;
  CHECK(fetch_one({}, request).body.size() == 4096);
  request.max_response_bytes = 4095;
  auto r = fetch_one({}, request);
  CHECK(r.error == ClientError::too_large);
  CHECK(r.status == 0);
  CHECK(r.message.find("body limit") != std::string::npos);
}

TEST_CASE("https client: redirects are returned as they are unless the request asks to follow") {
  RunningServer s;
  auto request = client_get(plain_url(s, "/redirect"));
  auto r = fetch_one({}, request);
  CHECK(r.status == 302);
  CHECK(r.headers.get("Location") == "/fixed");
  CHECK(s.service.handled == 1);
  request.follow_redirects = true;
  r = fetch_one({}, request);
  CHECK(r.status == 200);
  CHECK(r.body == "fixed body");
}

TEST_CASE("https client: a slow answer past the timeout is the error timeout, bad URLs never connect") {
  RunningServer s;
  auto request = client_get(plain_url(s, "/hang"));
  request.timeout = std::chrono::milliseconds(100);
  CHECK(fetch_one({}, request).error == ClientError::timeout);
  for (const char* bad : {"ftp://x/", "http://", "http://user@host/", "http://host:99999/", "http://a b/"})
    CHECK(fetch_one({}, client_get(bad)).error == ClientError::bad_url);
  CHECK(s.service.opened == 1);
}

TEST_CASE("https client: TLS with a certificate from a trusted CA for the host name succeeds") {
  RunningServer s(client_tls_server());
  std::size_t opened = 0;
  const std::string url = "https://localhost:" + std::to_string(s.port()) + "/echo";
  auto r = with_client<std::vector<ClientResponse>>(
      trusting_test_ca(),
      [&url](HttpsClient& c) -> asio::awaitable<std::vector<ClientResponse>> {
        std::vector<ClientResponse> out;
        for (int i = 0; i < 2; ++i) {
          auto request = client_get(url);
          auto r = co_await c.send(std::move(request));
          out.push_back(std::move(r));
        }
        co_return out;
      },
      &opened);
  REQUIRE(r[0].ok());
  CHECK(nlohmann::json::parse(r[0].body)["tls"] == true);
  CHECK(r[1].status == 200);
  CHECK(opened == 1);  // kept alive over TLS too
}

TEST_CASE("https client: a certificate for another host name is refused") {
  RunningServer s(client_tls_server());
  // The certificate names localhost only; 127.0.0.1 is the same server under a name it lacks.
  auto r = fetch_one(trusting_test_ca(), client_get("https://127.0.0.1:" + std::to_string(s.port()) + "/echo"));
  CHECK(r.error == ClientError::tls);
  CHECK(r.message.find("mismatch") != std::string::npos);
  CHECK(s.service.handled == 0);
}

TEST_CASE("https client: a certificate from a CA outside the trust store is refused") {
  RunningServer s(client_tls_server());
  auto r = fetch_one({}, client_get("https://localhost:" + std::to_string(s.port()) + "/echo"));  // system store
  CHECK(r.error == ClientError::tls);
  CHECK(r.message.find("local issuer") != std::string::npos);
  CHECK(s.service.handled == 0);
}

TEST_CASE("https client: shutdown refuses new requests and reports once those in flight finish") {
  RunningServer s;
  const std::string slow = plain_url(s, "/slow"), fixed = plain_url(s, "/fixed");
  struct Outcome {
    ClientResponse in_flight, refused;
    bool done_before_finish = true;
  };
  asio::io_context ioc;
  HttpsClient client(ioc.get_executor(), {});
  bool done = false;
  Outcome outcome;
  auto slow_request = [&]() -> asio::awaitable<void> {
    auto request = client_get(slow);
    outcome.in_flight = co_await client.send(std::move(request));
    outcome.done_before_finish = done;
  };
  auto stopper = [&]() -> asio::awaitable<void> {
    client.shutdown([&] { done = true; });
    auto request = client_get(fixed);
    outcome.refused = co_await client.send(std::move(request));
  };
  auto first = slow_request();
  asio::co_spawn(ioc, std::move(first), asio::detached);
  ioc.poll();  // the slow request is now in flight
  CHECK(client.in_flight() == 1);
  auto second = stopper();
  asio::co_spawn(ioc, std::move(second), asio::detached);
  ioc.run();
  CHECK(outcome.refused.error == ClientError::shutting_down);
  CHECK(outcome.in_flight.status == 200);
  CHECK_FALSE(outcome.done_before_finish);
  CHECK(done);
}

TEST_CASE("https client: shutdown cuts off a long poll at once and still waits for other requests") {
  RunningServer s;
  const std::string hang = plain_url(s, "/hang"), slow = plain_url(s, "/slow");  // 10 s; 300 ms
  asio::io_context ioc;
  HttpsClient client(ioc.get_executor(), {});
  ClientResponse poll, other;
  bool done = false, poll_ended_before_done = false;
  auto long_poll = [&]() -> asio::awaitable<void> {
    auto request = client_get(hang);
    request.timeout = std::chrono::seconds(30);
    request.cancel_on_shutdown = true;
    poll = co_await client.send(std::move(request));
    poll_ended_before_done = !done;
  };
  auto ordinary = [&]() -> asio::awaitable<void> {
    auto request = client_get(slow);
    other = co_await client.send(std::move(request));
  };
  asio::co_spawn(ioc, long_poll(), asio::detached);
  asio::co_spawn(ioc, ordinary(), asio::detached);
  // Both connected and sent: the server is working on them.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (s.service.opened < 2 && std::chrono::steady_clock::now() < give_up)
    ioc.run_one_for(std::chrono::milliseconds(20));
  ioc.poll();
  REQUIRE(client.in_flight() == 2);
  const auto started = std::chrono::steady_clock::now();
  client.shutdown([&] { done = true; });
  ioc.run();
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(poll.error == ClientError::shutting_down);
  CHECK(poll_ended_before_done);
  CHECK(other.status == 200);  // drained, not cut off
  CHECK(done);
  CHECK(took < std::chrono::seconds(5));  // not the 10 s the server would take, nor the 30 s timeout
}

namespace {

// Over one WebSocket to `url`: the connect error (empty when it opened), the answer to "echo:one",
// and why the connection ended after the server (or, with `server` null, the client) closed it.
std::vector<std::string> ws_talk(hub::net::WssClientOptions options, const std::string& url,
                                 RunningServer* server = nullptr) {
  asio::io_context ioc;
  hub::net::WssClient client(ioc.get_executor(), std::move(options));
  auto talk = [&]() -> asio::awaitable<std::vector<std::string>> {
    hub::http::WebSocketRequest request;
    request.url = url;
    request.timeout = std::chrono::seconds(5);
    auto open = co_await client.connect(std::move(request));
    std::vector<std::string> out{open.message};
    if (!open.connection) co_return out;
    auto& c = *open.connection;
    const bool wrote = co_await c.write("echo:one");
    CHECK(wrote);
    auto echoed = co_await c.read();
    out.push_back(echoed.value_or("(nothing)"));
    if (server) server->service.live.peers().back()->close(1001, "going away");
    else c.abort();
    auto after = co_await c.read();
    out.push_back(after ? "(a message)" : c.ended());
    const bool wrote_late = co_await c.write("late");
    CHECK_FALSE(wrote_late);
    co_return out;
  };
  auto result = asio::co_spawn(ioc, talk(), asio::use_future);
  ioc.run();
  return result.get();
}

}  // namespace

TEST_CASE("wss client: messages both ways over ws:// and wss://, why it ended, and wrong names, CAs, upgrades and URLs fail") {
  RunningServer plain, secure(client_tls_server());
  const std::string port = std::to_string(plain.port()), tls_port = std::to_string(secure.port());
  CHECK(ws_talk({}, "ws://127.0.0.1:" + port + "/live", &plain) ==
        std::vector<std::string>{"", "one", "closed by the server (1001 going away)"});
  hub::net::WssClientOptions trusting;
  trusting.ca_file = client_pki().ca;
  CHECK(ws_talk(trusting, "wss://localhost:" + tls_port + "/live") ==
        std::vector<std::string>{"", "one", "closed by the hub"});
  CHECK(secure.service.live.messages() == std::vector<std::string>{"echo:one"});
  // A certificate for another name or from an unknown CA, a refused upgrade and bad URLs fail.
  CHECK(ws_talk(trusting, "wss://127.0.0.1:" + tls_port + "/live")[0].find("mismatch") != std::string::npos);
  CHECK(ws_talk({}, "wss://localhost:" + tls_port + "/live")[0].find("local issuer") != std::string::npos);
  CHECK(secure.service.live.opened() == 1);  // the good one only
  const std::string refused = ws_talk({}, "ws://127.0.0.1:" + std::to_string(plain.port()) + "/not-a-socket?ticket=s3cret")[0];
  CHECK(refused.find("WebSocket upgrade with 127.0.0.1:") != std::string::npos);
  CHECK(refused.find("s3cret") == std::string::npos);  // the query may be a credential
  for (const char* bad : {"http://127.0.0.1/live", "ws://", "wss://user@host/"})
    CHECK(ws_talk({}, bad)[0] == "not an absolute ws(s) URL");
}
