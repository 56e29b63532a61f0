#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "bridge/matrix/matrix_bridge.hpp"

namespace hub::bridge::matrix {

MatrixBridge::MatrixBridge(store::Executor& db, discussion::BridgeSeam& seam, const Clock& clock,
                           std::optional<MatrixOptions> options)
    : db_(db),
      enabled_(options.has_value()),
      options_(options ? std::move(*options) : MatrixOptions{}),
      routes_(db, seam, clock, options_, [this] { return connector_.get(); }) {}

MatrixConnector* MatrixBridge::attach(http::HttpClient& client) {
  if (!enabled_) return nullptr;
  connector_ = std::make_unique<MatrixConnector>(db_, client, options_);
  if (options_.bot()) sync_ = std::make_unique<BotSync>(db_, *connector_, routes_);
  return connector_.get();
}

void MatrixBridge::start(boost::asio::any_io_executor executor) {
  if (sync_) sync_->start(executor);
}

void MatrixBridge::stop() {
  if (sync_) sync_->stop();
}

void MatrixBridge::poke() {
  if (sync_) sync_->poke();
}

}  // namespace hub::bridge::matrix
