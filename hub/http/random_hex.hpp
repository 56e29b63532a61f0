// Random identifiers in lowercase hex, from OpenSSL's generator: mail Message-IDs and MIME
// boundaries, the events' nonces.
#pragma once

#include <cstddef>
#include <string>

namespace hub::http {

// `bytes` random bytes as 2 × `bytes` lowercase hex digits. Throws std::runtime_error if the
// generator fails.
std::string random_hex(std::size_t bytes);

}  // namespace hub::http
