// The TLS configuration: the server's, and the outbound clients' (HTTPS and WebSocket).
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

namespace hub::net {

// A server context that accepts TLS 1.2 and 1.3 (never older), with the PEM certificate chain
// and private key from these files. Throws std::runtime_error naming what failed (start-up only).
std::unique_ptr<boost::asio::ssl::context> make_tls_context(const std::string& cert_file,
                                                            const std::string& key_file);

// A client context that verifies the peer's chain against `ca_file` (PEM), or the system store
// when it is empty, with TLS 1.2 at least. Throws std::runtime_error (start-up only).
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(const std::string& ca_file);

// Makes the handshake on `ssl` verify that the certificate names `host` (a DNS name, or an IP
// address literal) and sends SNI for a name. False when OpenSSL refuses the name.
bool expect_peer_name(SSL* ssl, const std::string& host);

}  // namespace hub::net
