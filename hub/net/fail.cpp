#include "hub/net/fail.hpp"


#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include "hub/net/log.hpp"

namespace hub::net {

namespace asio = boost::asio;
namespace beast = boost::beast;

bool is_expected_disconnect(const boost::system::error_code& ec) {
  return ec == asio::error::operation_aborted || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::not_connected || ec == asio::error::bad_descriptor ||
         ec == beast::error::timeout || ec == beast::http::error::end_of_stream ||
         ec == beast::websocket::error::closed || ec == asio::ssl::error::stream_truncated ||
         // A failed TLS handshake or a WebSocket protocol violation is the peer's problem (an old
         // client, a scanner), not ours.
         ec.category() == asio::error::get_ssl_category() ||
         ec.category() == beast::websocket::make_error_code(beast::websocket::error::closed).category();
}

void fail(const boost::system::error_code& ec, const char* what) {
  if (!ec || is_expected_disconnect(ec)) return;
  log_line("error", what, ec.message());
}

void fail(const std::exception_ptr& e, const char* what) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log_line("error", what, ex.what());
  } catch (...) {
    log_line("error", what, "a non-standard exception");
  }
}

}  // namespace hub::net
