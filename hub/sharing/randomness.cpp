#include "hub/sharing/randomness.hpp"

#include <cstring>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace hub::sharing {

std::uint64_t Randomness::below(std::uint64_t n) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // reject the biased tail
  for (;;) {
    std::uint64_t x = next64();
    if (x < limit) return x % n;
  }
}

double Randomness::unit() { return static_cast<double>(next64() >> 11) * 0x1.0p-53; }

std::uint64_t OpenSslRandomness::next64() {
  std::uint64_t x = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&x), sizeof x) != 1) throw std::runtime_error("RAND_bytes failed");
  return x;
}

std::uint64_t SeededRandomness::next64() {
  if (used_ == 4) {
    std::string input = seed_;
    input.append(reinterpret_cast<const char*>(&counter_), sizeof counter_);
    ++counter_;
    unsigned int len = 0;
    if (EVP_Digest(input.data(), input.size(), block_, &len, EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("SHA-256 failed");
    used_ = 0;
  }
  std::uint64_t x = 0;
  std::memcpy(&x, block_ + 8 * used_, 8);
  ++used_;
  return x;
}

}  // namespace hub::sharing
