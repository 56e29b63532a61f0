#include "hub/net/listener.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "hub/net/fail.hpp"
#include "hub/net/http_session.hpp"
#include "hub/net/shared_state.hpp"

namespace hub::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

tcp::endpoint listen_endpoint(asio::io_context& ioc, const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (!ec) return {address, port};
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty())
    throw std::runtime_error("cannot resolve listen address '" + host + "': " + ec.message());
  return results.begin()->endpoint();
}

void throw_if(const boost::system::error_code& ec, const char* step, const tcp::endpoint& ep) {
  if (!ec) return;
  throw std::runtime_error("cannot listen on " + ep.address().to_string() + ":" +
                           std::to_string(ep.port()) + ": " + step + ": " + ec.message());
}

// The key a client's connections are counted under: its address, or for IPv6 its /64, which
// is what one client is commonly given.
std::string address_key(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto address = socket.remote_endpoint(ec).address();
  if (ec) return {};
  if (address.is_v6() && !address.to_v6().is_v4_mapped()) {
    auto bytes = address.to_v6().to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return asio::ip::address_v6(bytes).to_string() + "/64";
  }
  return address.to_string();
}

}  // namespace

listener::listener(asio::io_context& ioc, std::shared_ptr<shared_state> state)
    : ioc_(ioc),
      state_(std::move(state)),
      acceptor_(asio::make_strand(ioc)),
      backoff_(acceptor_.get_executor()) {
  const auto& options = state_->options();
  const auto ep = listen_endpoint(ioc, options.host, options.port);
  boost::system::error_code ec;
  acceptor_.open(ep.protocol(), ec);
  throw_if(ec, "open", ep);
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  throw_if(ec, "set_option", ep);
  acceptor_.bind(ep, ec);
  throw_if(ec, "bind", ep);
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  throw_if(ec, "listen", ep);
  port_ = acceptor_.local_endpoint(ec).port();
  throw_if(ec, "local_endpoint", ep);
}

void listener::run() {
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
    self->backoff_.cancel();
  });
}

void listener::do_accept() {
  if (!acceptor_.is_open()) return;
  // Sessions run on the io_context's executor. With one network thread it is already a strand
  // (Asio serialises the handlers of a single thread calling run()), and a strand per connection
  // has a measured cost (docs/benchmarks.md). Sessions do all their work through
  // the executor they are given, so a second network thread means make_strand(ioc_) here again.
  acceptor_.async_accept(ioc_.get_executor(),
                         [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket s) {
                           self->on_accept(ec, std::move(s));
                         });
}

void listener::on_accept(const boost::system::error_code& ec, tcp::socket socket) {
  if (!acceptor_.is_open()) return;  // stop() ran
  if (ec) {
    fail(ec, "accept");
    backoff_.expires_after(std::chrono::milliseconds(50));
    backoff_.async_wait([self = shared_from_this()](const boost::system::error_code& e) { self->on_backoff(e); });
    return;
  }
  const auto max = state_->options().max_connections;
  if (state_->all_sessions() >= max + kRefusalHeadroom) {
    boost::system::error_code ignored;
    socket.close(ignored);
  } else {
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto address = state_->per_address().try_claim(address_key(socket));
    const bool refuse = !address || state_->counted_sessions() >= max;
    launch_http_session(std::move(socket), state_, refuse, std::move(address));
  }
  do_accept();
}

void listener::on_backoff(const boost::system::error_code& ec) {
  if (!ec) do_accept();
}

}  // namespace hub::net
