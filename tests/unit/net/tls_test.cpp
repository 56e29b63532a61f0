// hub/net over TLS, with a self-signed certificate made at test time.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <openssl/ssl.h>

#include "hub/net/tls_context.hpp"
#include "tests/unit/net/running_server.hpp"
#include "tests/unit/net/test_conn.hpp"

using namespace hub::net::test;

namespace {

// A P-256 certificate for "localhost" in a fresh temporary directory.
struct TestCert {
  std::filesystem::path dir, cert, key;
  TestCert() {
    char tmpl[] = "/tmp/hub-net-tls-XXXXXX";
    dir = ::mkdtemp(tmpl);
    cert = dir / "cert.pem";
    key = dir / "key.pem";
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost -keyout " + key.string() + " -out " + cert.string() +
        " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed");
  }
  ~TestCert() { std::filesystem::remove_all(dir); }
};

const TestCert& test_cert() {
  static const TestCert cert;
  return cert;
}

hub::net::ServerOptions tls_options() {
  auto o = quick_options();
  o.tls_cert_file = test_cert().cert;
  o.tls_key_file = test_cert().key;
  return o;
}

const std::string kGet = "GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n";

}  // namespace

TEST_CASE("net tls: the context sets TLS 1.2 as the minimum and pins no maximum") {
  auto ctx = hub::net::make_tls_context(test_cert().cert, test_cert().key);
  CHECK(SSL_CTX_get_min_proto_version(ctx->native_handle()) == TLS1_2_VERSION);
  CHECK(SSL_CTX_get_max_proto_version(ctx->native_handle()) == 0);  // 0: up to the newest, TLS 1.3
}

TEST_CASE("net tls: TLS 1.2 and TLS 1.3 clients are served over HTTPS") {
  RunningServer s(tls_options());
  CHECK(s.server->tls());
  for (auto [version, name] : {std::pair{TLS1_2_VERSION, "TLSv1.2"}, std::pair{TLS1_3_VERSION, "TLSv1.3"}}) {
    INFO(name);
    TestConn c(s.port());
    REQUIRE(c.start_tls(version, version, test_cert().cert) == "");
    CHECK(c.tls_version() == name);
    const auto r = c.request(kGet);
    REQUIRE(r.status == 200);
    CHECK(nlohmann::json::parse(r.body)["tls"] == true);
    CHECK(c.request(kGet).status == 200);  // keep-alive over TLS
  }
}

TEST_CASE("net tls: a TLS 1.1 client is refused with a protocol_version alert") {
  RunningServer s(tls_options());
  TestConn c(s.port());
  // The client runs at security level 0, so the refusal is the server's minimum version.
  CHECK(c.start_tls(TLS1_1_VERSION, TLS1_1_VERSION, test_cert().cert) == "tlsv1 alert protocol version");
  CHECK(s.service.handled == 0);
}

TEST_CASE("net tls: plain HTTP to the HTTPS port gets nothing served") {
  RunningServer s(tls_options());
  TestConn c(s.port());
  REQUIRE(c.send(kGet));
  CHECK(c.wait_closed());
  CHECK(s.service.handled == 0);
}

TEST_CASE("net tls: a client that never completes the handshake is dropped at read_timeout") {
  RunningServer s(tls_options());  // read_timeout 1 s
  TestConn c(s.port());
  const auto t = std::chrono::steady_clock::now();
  REQUIRE(c.wait_closed(3s));
  CHECK(std::chrono::steady_clock::now() - t < 1500ms);
}

TEST_CASE("net tls: WebSocket over TLS echoes and closes") {
  RunningServer s(tls_options());
  TestConn c(s.port());
  REQUIRE(c.start_tls(TLS1_2_VERSION, TLS1_3_VERSION, test_cert().cert) == "");
  REQUIRE(c.ws_upgrade("/live").status == 101);
  REQUIRE(c.ws_send(1, "echo:secure"));
  CHECK(c.ws_read().payload == "secure");
  REQUIRE(eventually([&] { return s.service.live.peers().size() == 1; }));
  s.service.live.peers().front()->close(1000, "done");
  const auto f = c.ws_read();
  CHECK(f.close_code() == 1000);
  REQUIRE(c.ws_send(8, f.payload.substr(0, 2)));
  c.close();
  CHECK(eventually([&] { return s.service.live.closed() == 1; }));
}

TEST_CASE("net server: start-up problems throw a clear std::runtime_error") {
  boost::asio::io_context ioc;
  FakeService service;
  SECTION("a missing certificate file is named") {
    auto o = tls_options();
    o.tls_cert_file = "/nonexistent/cert.pem";
    CHECK_THROWS_WITH(hub::net::Server(ioc, service, o), Catch::Contains("/nonexistent/cert.pem"));
  }
  SECTION("a key without a certificate") {
    auto o = tls_options();
    o.tls_cert_file.clear();
    CHECK_THROWS_AS(hub::net::Server(ioc, service, o), std::runtime_error);
  }
  SECTION("a port already in use") {
    hub::net::Server first(ioc, service, quick_options());
    auto o = quick_options();
    o.port = first.port();
    CHECK_THROWS_WITH(hub::net::Server(ioc, service, o), Catch::Contains("bind") && Catch::Contains(std::to_string(o.port)));
  }
  SECTION("an address that is not this machine's") {
    auto o = quick_options();
    o.host = "no-such-host.invalid";
    CHECK_THROWS_AS(hub::net::Server(ioc, service, o), std::runtime_error);
  }
}
