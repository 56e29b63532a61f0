#include "hub/net/tls_context.hpp"

#include <stdexcept>

#include <boost/asio/ip/address.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

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

std::shared_ptr<ssl::context> make_client_tls_context(const std::string& ca_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1)
    throw std::runtime_error("TLS: cannot set the minimum protocol version to TLS 1.2");
  boost::system::error_code ec;
  if (ca_file.empty()) ctx->set_default_verify_paths(ec);
  else ctx->load_verify_file(ca_file, ec);
  if (ec) throw std::runtime_error("cannot load the trusted certificates: " + ec.message());
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

bool expect_peer_name(SSL* ssl, const std::string& host) {
  boost::system::error_code not_ip;
  boost::asio::ip::make_address(host, not_ip);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (!not_ip) return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
  return X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1 &&
         SSL_set_tlsext_host_name(ssl, host.c_str()) == 1;
}

}  // namespace hub::net
