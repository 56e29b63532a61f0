#include "hub/net/server.hpp"

#include <stdexcept>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "hub/net/listener.hpp"
#include "hub/net/shared_state.hpp"
#include "hub/net/tls_context.hpp"

namespace hub::net {

namespace asio = boost::asio;

namespace {

// Calls `done` once, on the io thread, at whichever comes first: no session left, or the deadline
// (which also drops the connections still open).
class shutdown_waiter : public std::enable_shared_from_this<shutdown_waiter> {
 public:
  shutdown_waiter(asio::io_context& ioc, std::shared_ptr<shared_state> state, std::function<void()> done)
      : strand_(asio::make_strand(ioc)), timer_(strand_), state_(std::move(state)), done_(std::move(done)) {}

  void start(std::chrono::milliseconds deadline) {
    asio::dispatch(strand_, [self = shared_from_this(), deadline] {
      self->timer_.expires_after(deadline);
      self->timer_.async_wait([self](const boost::system::error_code& ec) {
        if (ec) return;  // cancelled by finish()
        self->state_->close_all();
        self->finish();
      });
      // Weak: the registry keeps this callback until it empties, which may be never.
      self->state_->stop_all([weak = self->weak_from_this()] {
        if (auto s = weak.lock()) asio::post(s->strand_, [s] { s->finish(); });
      });
    });
  }

 private:
  void finish() {
    if (!done_) return;
    timer_.cancel();
    std::exchange(done_, nullptr)();
  }

  asio::strand<asio::io_context::executor_type> strand_;  // serialises the two ways to finish
  asio::steady_timer timer_;                               // the deadline; on strand_
  std::shared_ptr<shared_state> state_;                    // the registry being emptied
  std::function<void()> done_;                             // null once called; on strand_
};

std::unique_ptr<asio::ssl::context> tls_context_for(const ServerOptions& o) {
  if (o.tls_cert_file.empty() && o.tls_key_file.empty()) return nullptr;
  if (o.tls_cert_file.empty() || o.tls_key_file.empty())
    throw std::runtime_error("TLS needs both a certificate file and a key file");
  return make_tls_context(o.tls_cert_file, o.tls_key_file);
}

}  // namespace

class Server::Impl {
 public:
  Impl(asio::io_context& ioc, http::Service& service, ServerOptions options)
      : ioc_(ioc), state_(std::make_shared<shared_state>(service, options, tls_context_for(options))),
        listener_(std::make_shared<listener>(ioc, state_)) {}

  asio::io_context& ioc_;
  std::shared_ptr<shared_state> state_;  // shared with every session, so it outlives the Server if need be
  std::shared_ptr<listener> listener_;
  bool shutting_down_ = false;           // shutdown() ran
};

Server::Server(asio::io_context& ioc, http::Service& service, ServerOptions options)
    : impl_(std::make_unique<Impl>(ioc, service, std::move(options))) {}

Server::~Server() {
  // Sessions may outlive this object (they share state_); without a server they just close.
  impl_->listener_->stop();
  impl_->state_->close_all();
}

std::uint16_t Server::port() const { return impl_->listener_->port(); }

bool Server::tls() const { return impl_->state_->tls() != nullptr; }

void Server::start() { impl_->listener_->run(); }

void Server::shutdown(std::chrono::milliseconds deadline, std::function<void()> done) {
  if (std::exchange(impl_->shutting_down_, true)) {
    asio::post(impl_->ioc_, std::move(done));  // shutdown runs once; a repeat only gets its `done`
    return;
  }
  impl_->listener_->stop();
  std::make_shared<shutdown_waiter>(impl_->ioc_, impl_->state_, std::move(done))->start(deadline);
}

}  // namespace hub::net
