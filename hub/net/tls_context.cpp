#include "hub/net/tls_context.hpp"

#include <stdexcept>

#include <openssl/ssl.h>

namespace hub::net {

namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> make_tls_context(const std::string& cert_file,
                                               const std::string& key_file) {
  // tls_server, not tlsv12_server: the latter pins the protocol to exactly 1.2 (PLATFORM.md).
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1)
    throw std::runtime_error("TLS: cannot set the minimum protocol version to TLS 1.2");
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                   ssl::context::single_dh_use);

  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) throw std::runtime_error("TLS: cannot load certificate chain '" + cert_file + "': " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("TLS: cannot load private key '" + key_file + "': " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    throw std::runtime_error("TLS: the private key '" + key_file + "' does not match the certificate '" +
                             cert_file + "'");
  return ctx;
}

}  // namespace hub::net
