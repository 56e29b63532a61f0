// A deliberately simple blocking client for loopback tests: raw bytes over POSIX sockets,
// optionally through OpenSSL, with its own HTTP/1.1 reply reader and WebSocket framing
// (written from the RFCs, so the server is checked against them rather than against Beast).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace hub::net::test {

using namespace std::chrono_literals;

// WebSocket frame opcodes (RFC 6455).
constexpr int kText = 1, kBinary = 2, kClose = 8, kPing = 9;

// The smallest complete request.
inline const std::string kPlainGet = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

struct HttpReply {
  int status = 0;                              // 0: no complete reply arrived
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string header(const std::string& lower_name) const;
};

struct WsFrame {
  int opcode = -1;  // -1: nothing arrived; 1 text, 2 binary, 8 close, 9 ping, 10 pong
  std::string payload;
  bool fin = true;  // the last frame of its message
  int close_code() const;          // for opcode 8
  std::string close_reason() const;
};

class TestConn {
 public:
  // Connects to 127.0.0.1:port, from `from` (another loopback address such as 127.0.0.2) if
  // given; connected() says whether that worked.
  explicit TestConn(std::uint16_t port, const char* from = nullptr);
  ~TestConn();
  TestConn(const TestConn&) = delete;
  TestConn& operator=(const TestConn&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Closes our end (as a browser does once the WebSocket closing handshake is over).
  void close();
  // TLS handshake offering versions min..max (TLS1_1_VERSION ...), trusting `ca_file` for
  // host "localhost". Returns "" on success, else OpenSSL's reason for the failure.
  std::string start_tls(int min_version, int max_version, const std::string& ca_file);
  // The negotiated protocol, e.g. "TLSv1.3".
  std::string tls_version() const;

  bool send(std::string_view bytes);
  // Up to `timeout` for some bytes; empty on timeout or end of stream (then peer_closed()).
  std::string read_some(std::chrono::milliseconds timeout = 3s);
  bool peer_closed() const { return closed_; }
  // True if the peer closes (EOF or reset) within `timeout`; data meanwhile is discarded.
  bool wait_closed(std::chrono::milliseconds timeout = 3s);

  // One reply; `head` for a HEAD request (no body is read). 1xx replies are returned as such.
  HttpReply read_reply(bool head = false, std::chrono::milliseconds timeout = 3s);
  HttpReply request(const std::string& raw, bool head = false);

  // Sends an upgrade request for `path` plus `extra_headers` ("Name: value\r\n"...) and reads
  // the reply (101 on success).
  HttpReply ws_upgrade(const std::string& path, const std::string& extra_headers = "");
  bool ws_send(int opcode, std::string_view payload);  // masked, one frame
  WsFrame ws_read_frame(std::chrono::milliseconds timeout = 3s);
  // The next data message (fragments joined) or control frame. Pings are answered and skipped
  // unless `return_pings`.
  WsFrame ws_read(std::chrono::milliseconds timeout = 3s, bool return_pings = false);

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);  // appends to pending_
  bool need(std::size_t n, std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string pending_;  // bytes read but not consumed
  bool closed_ = false;  // the peer closed or reset the connection
};

// Polls `pred` until it holds or `timeout` passes.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 3s);

}  // namespace hub::net::test

#include <thread>

template <class Pred>
bool hub::net::test::eventually(Pred pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}
