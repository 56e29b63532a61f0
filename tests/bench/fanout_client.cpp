// bench_fanout_client HOST PORT PATH CLIENTS SECONDS MARK [SUBSCRIBE_JSON [HEADER_NAME HEADER_VALUE]...]
// CLIENTS WebSocket clients on one thread (Node cannot read 100k frames/s on two cores). Each text
// frame that contains MARK followed by a number (ms since the epoch, when it was sent) counts as a
// delivery with latency now - that. Prints "ready" once all are connected (and subscribed: a frame
// containing "subscribed" arrived), then after SECONDS prints
// {"received":N,"p50":ms,"p99":ms,"last":ms since the epoch of the last delivery} and exits.
#include <utility>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

struct Options {
  std::string host, port, path, mark, subscribe;
  std::vector<std::pair<std::string, std::string>> headers;
  int clients = 0;
};

Options opt;
std::vector<double> latencies;
double last_delivery = 0;  // ms since the epoch
int ready = 0;

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::system_clock::now().time_since_epoch()).count();
}

asio::awaitable<void> client(tcp::endpoint ep) {
  beast::error_code ec;
  websocket::stream<beast::tcp_stream> ws(co_await asio::this_coro::executor);
  co_await beast::get_lowest_layer(ws).async_connect(ep, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) { std::fprintf(stderr, "connect: %s\n", ec.message().c_str()); co_return; }
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    for (const auto& [k, v] : opt.headers) req.set(k, v);
  }));
  co_await ws.async_handshake(opt.host + ":" + opt.port, opt.path, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) { std::fprintf(stderr, "handshake: %s\n", ec.message().c_str()); co_return; }
  bool counted = false;
  if (opt.subscribe.empty()) {
    counted = true;
    if (++ready == opt.clients) std::printf("ready\n"), std::fflush(stdout);
  } else {
    co_await ws.async_write(asio::buffer(opt.subscribe), asio::redirect_error(asio::use_awaitable, ec));
  }
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    const double t = now_ms();
    std::string_view text(static_cast<const char*>(buf.data().data()), buf.size());
    auto at = text.find(opt.mark);
    if (at != std::string_view::npos) {
      latencies.push_back(t - std::strtod(std::string(text.substr(at + opt.mark.size(), 32)).c_str(), nullptr));
      last_delivery = t;
    } else if (!counted && text.find("\"subscribed\"") != std::string_view::npos) {
      counted = true;
      if (++ready == opt.clients) std::printf("ready\n"), std::fflush(stdout);
    }
    buf.consume(buf.size());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: bench_fanout_client HOST PORT PATH CLIENTS SECONDS MARK [SUBSCRIBE [NAME VALUE]...]\n");
    return 2;
  }
  opt.host = argv[1], opt.port = argv[2], opt.path = argv[3], opt.clients = std::atoi(argv[4]);
  const int seconds = std::atoi(argv[5]);
  opt.mark = argv[6];
  if (argc > 7) opt.subscribe = argv[7];
  for (int i = 8; i + 1 < argc; i += 2) opt.headers.emplace_back(argv[i], argv[i + 1]);
  asio::io_context ioc(1);
  tcp::endpoint ep(asio::ip::make_address(opt.host), static_cast<unsigned short>(std::atoi(opt.port.c_str())));
  for (int i = 0; i < opt.clients; ++i) asio::co_spawn(ioc, client(ep), asio::detached);
  asio::steady_timer start_wait(ioc);
  // Runs until everyone is ready, then SECONDS more.
  while (ready < opt.clients) ioc.run_one();
  latencies.clear();
  ioc.run_for(std::chrono::seconds(seconds));
  std::sort(latencies.begin(), latencies.end());
  auto pct = [](double p) { return latencies.empty() ? -1.0 : latencies[std::min(latencies.size() - 1, std::size_t(p * latencies.size()))]; };
  std::printf("{\"received\":%zu,\"p50\":%.2f,\"p99\":%.2f,\"last\":%.3f}\n", latencies.size(), pct(0.50), pct(0.99),
              last_delivery);
  std::fflush(stdout);
  std::_Exit(0);
}
