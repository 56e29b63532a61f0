#include "tests/unit/net/test_conn.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace hub::net::test {

namespace {

using clock = std::chrono::steady_clock;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

}  // namespace

std::string HttpReply::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

int WsFrame::close_code() const {
  if (opcode != 8 || payload.size() < 2) return -1;
  return (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
}

std::string WsFrame::close_reason() const { return payload.size() > 2 ? payload.substr(2) : std::string(); }

TestConn::TestConn(std::uint16_t port, const char* from) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (from) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (::inet_pton(AF_INET, from, &local.sin_addr) != 1 ||
        ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{5, 0};  // backstop so a broken test fails instead of hanging
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

TestConn::~TestConn() { close(); }

void TestConn::close() {
  if (ssl_) SSL_free(ssl_);
  if (ctx_) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
  ssl_ = nullptr;
  ctx_ = nullptr;
  fd_ = -1;
  closed_ = true;
}

std::string TestConn::start_tls(int min_version, int max_version, const std::string& ca_file) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  // Level 0 so this client can really offer TLS 1.1; refusing it is then the server's doing.
  SSL_CTX_set_security_level(ctx_, 0);
  SSL_CTX_set_cipher_list(ctx_, "DEFAULT:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx_, min_version);
  SSL_CTX_set_max_proto_version(ctx_, max_version);
  SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  ssl_ = SSL_new(ctx_);
  SSL_set_tlsext_host_name(ssl_, "localhost");
  SSL_set1_host(ssl_, "localhost");
  SSL_set_fd(ssl_, fd_);
  ERR_clear_error();
  if (SSL_connect(ssl_) == 1) return "";
  const auto err = ERR_peek_last_error();
  std::string reason = err ? ERR_reason_error_string(err) : "handshake failed";
  return reason.empty() ? "handshake failed" : reason;
}

std::string TestConn::tls_version() const { return ssl_ ? SSL_get_version(ssl_) : ""; }

bool TestConn::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const long n = ssl_ ? SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()))
                        : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool TestConn::fill(clock::time_point deadline) {
  if (closed_ || fd_ < 0) return false;
  if (!(ssl_ && SSL_pending(ssl_) > 0)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    pollfd p{fd_, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
  }
  char buf[16 * 1024];
  const long n = ssl_ ? SSL_read(ssl_, buf, sizeof buf) : ::recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) {
    closed_ = true;
    return false;
  }
  pending_.append(buf, static_cast<std::size_t>(n));
  return true;
}

bool TestConn::need(std::size_t n, clock::time_point deadline) {
  while (pending_.size() < n)
    if (!fill(deadline)) return false;
  return true;
}

std::string TestConn::read_some(std::chrono::milliseconds timeout) {
  if (pending_.empty()) fill(clock::now() + timeout);
  return std::exchange(pending_, std::string());
}

bool TestConn::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  while (!closed_ && clock::now() < deadline) {
    fill(deadline);
    pending_.clear();
  }
  return closed_;
}

HttpReply TestConn::read_reply(bool head, std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  HttpReply reply;
  std::size_t end;
  while ((end = pending_.find("\r\n\r\n")) == std::string::npos)
    if (!fill(deadline)) return reply;
  const std::string head_text = pending_.substr(0, end);
  pending_.erase(0, end + 4);
  std::size_t line_end = head_text.find("\r\n");
  const std::string status_line = head_text.substr(0, line_end);
  if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return reply;
  while (line_end != std::string::npos) {
    const auto start = line_end + 2;
    line_end = head_text.find("\r\n", start);
    const auto line = head_text.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const auto colon = line.find(':');
    if (colon != std::string::npos) reply.headers[lower(line.substr(0, colon))] = trim(line.substr(colon + 1));
  }
  const int status = std::stoi(status_line.substr(9, 3));
  if (!head && status >= 200 && status != 204 && status != 304) {
    if (reply.headers.count("content-length")) {
      const auto n = std::stoul(reply.headers["content-length"]);
      if (!need(n, deadline)) return reply;
      reply.body = pending_.substr(0, n);
      pending_.erase(0, n);
    } else {
      while (fill(deadline)) {
      }
      reply.body = std::exchange(pending_, std::string());
    }
  }
  reply.status = status;
  return reply;
}

HttpReply TestConn::request(const std::string& raw, bool head) {
  if (!send(raw)) return {};
  return read_reply(head);
}

HttpReply TestConn::ws_upgrade(const std::string& path, const std::string& extra_headers) {
  return request("GET " + path +
                 " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                 extra_headers + "\r\n");
}

bool TestConn::ws_send(int opcode, std::string_view payload) {
  std::string frame;
  frame.push_back(static_cast<char>(0x80 | opcode));
  const std::uint64_t n = payload.size();
  if (n < 126) {
    frame.push_back(static_cast<char>(0x80 | n));
  } else if (n < 65536) {
    frame.push_back(static_cast<char>(0x80 | 126));
    for (int shift = 8; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((n >> shift) & 0xff));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((n >> shift) & 0xff));
  }
  const char mask[4] = {0x12, 0x34, 0x56, 0x78};
  frame.append(mask, 4);
  for (std::size_t i = 0; i < n; ++i) frame.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return send(frame);
}

WsFrame TestConn::ws_read_frame(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  WsFrame frame;
  if (!need(2, deadline)) return frame;
  const auto b0 = static_cast<unsigned char>(pending_[0]);
  const auto b1 = static_cast<unsigned char>(pending_[1]);
  std::size_t header = 2;
  std::uint64_t n = b1 & 0x7f;
  const std::size_t ext = n == 126 ? 2 : n == 127 ? 8 : 0;
  if (!need(header + ext, deadline)) return frame;
  if (ext) {
    n = 0;
    for (std::size_t i = 0; i < ext; ++i) n = (n << 8) | static_cast<unsigned char>(pending_[header + i]);
    header += ext;
  }
  if (b1 & 0x80) header += 4;  // servers must not mask, but skip a key if one came
  if (!need(header + n, deadline)) return frame;
  frame.opcode = b0 & 0x0f;
  frame.fin = (b0 & 0x80) != 0;
  frame.payload = pending_.substr(header, n);
  pending_.erase(0, header + n);
  return frame;
}

WsFrame TestConn::ws_read(std::chrono::milliseconds timeout, bool return_pings) {
  const auto deadline = clock::now() + timeout;
  WsFrame message;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    auto frame = ws_read_frame(std::max(left, std::chrono::milliseconds(1)));
    if (frame.opcode < 0) return frame;
    if (frame.opcode == 9 && !return_pings) {
      ws_send(10, frame.payload);
      continue;
    }
    if (frame.opcode >= 8) return frame;
    if (frame.opcode != 0) message.opcode = frame.opcode;
    message.payload += frame.payload;
    if (frame.fin) return message;
  }
}

}  // namespace hub::net::test
