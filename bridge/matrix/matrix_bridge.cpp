#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "bridge/matrix/matrix_bridge.hpp"

namespace hub::bridge::matrix {

MatrixBridge::MatrixBridge(store::Executor& db, discussion::BridgeSeam& seam, const Clock& clock,
                           std::optional<MatrixOptions> options, RelayOptions relay)
    : db_(db),
      seam_(seam),
      clock_(clock),
      enabled_(options.has_value()),
      options_(options ? std::move(*options) : MatrixOptions{}),
      relay_options_(relay),
      routes_(db, seam, clock, options_, [this] { return connector_.get(); }) {}

void MatrixBridge::attach(boost::asio::any_io_executor executor, http::HttpClient& client) {
  if (!enabled_) return;
  connector_ = std::make_unique<MatrixConnector>(db_, client, options_);
  relay_ = std::make_unique<Relay>(db_, seam_, clock_, *connector_, relay_options_);
  relay_->start(std::move(executor));
}

void MatrixBridge::stop() {
  if (relay_) relay_->stop();
}

void MatrixBridge::detach() {
  stop();
  relay_.reset();
  connector_.reset();
}

}  // namespace hub::bridge::matrix
