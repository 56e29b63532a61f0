// The server's TLS configuration.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace hub::net {

// A server context that accepts TLS 1.2 and 1.3 (never older), with the PEM certificate chain
// and private key from these files. Throws std::runtime_error naming what failed (start-up only).
std::unique_ptr<boost::asio::ssl::context> make_tls_context(const std::string& cert_file,
                                                            const std::string& key_file);

}  // namespace hub::net
