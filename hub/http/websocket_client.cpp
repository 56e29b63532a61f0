#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "hub/http/websocket_client.hpp"

namespace hub::http {
namespace {

// Plays one script: its messages in order, then the drop.
class ScriptedConnection final : public WebSocketConnection {
 public:
  ScriptedConnection(FakeWebSocketClient::Script script, std::size_t index,
                     std::vector<FakeWebSocketClient::Written>& written,
                     const std::function<void(const std::string&)>& on_write)
      : script_(std::move(script)), index_(index), written_(written), on_write_(on_write) {}

  boost::asio::awaitable<std::optional<std::string>> read() override {
    if (aborted_ || next_ == script_.messages.size()) {
      ended_ = aborted_ ? "aborted" : "the fake server dropped the connection";
      co_return std::nullopt;
    }
    co_return script_.messages[next_++];
  }

  boost::asio::awaitable<bool> write(std::string text) override {
    if (aborted_) co_return false;
    if (on_write_) on_write_(text);
    written_.push_back({index_, std::move(text)});
    co_return true;
  }

  void abort() override { aborted_ = true; }
  std::string ended() const override { return ended_; }

 private:
  const FakeWebSocketClient::Script script_;
  const std::size_t index_;
  std::vector<FakeWebSocketClient::Written>& written_;
  const std::function<void(const std::string&)>& on_write_;
  std::size_t next_ = 0;  // the next message read() gives
  bool aborted_ = false;
  std::string ended_;
};

}  // namespace

boost::asio::awaitable<WebSocketOpen> FakeWebSocketClient::connect(WebSocketRequest request) {
  urls_.push_back(std::move(request.url));
  WebSocketOpen open;
  if (scripts.empty()) {
    if (on_exhausted) on_exhausted();
    open.error = ClientError::connect;
    open.message = "no script left";
    co_return open;
  }
  Script script = std::move(scripts.front());
  scripts.pop_front();
  if (script.refuse != ClientError::none) {
    open.error = script.refuse;
    open.message = "refused by the script";
    co_return open;
  }
  open.connection = std::make_unique<ScriptedConnection>(std::move(script), opened_++, written_, on_write);
  co_return open;
}

}  // namespace hub::http
