// The randomness seam: OpenSSL's CSPRNG in the product, a seeded deterministic generator in tests.
#pragma once

#include <cstdint>
#include <string>

namespace hub::sharing {

class Randomness {
 public:
  virtual ~Randomness() = default;
  virtual std::uint64_t next64() = 0;
  // Uniform on [0, n) without modulo bias. REQUIRES: n > 0.
  std::uint64_t below(std::uint64_t n);
  // Uniform on [0, 1) with 53 random bits.
  double unit();
};

// RAND_bytes; throws std::runtime_error if the generator fails.
class OpenSslRandomness final : public Randomness {
 public:
  std::uint64_t next64() override;
};

// SHA-256 in counter mode over a fixed seed. FOR TESTS ONLY: reproducible, not secret.
class SeededRandomness final : public Randomness {
 public:
  explicit SeededRandomness(std::string seed) : seed_(std::move(seed)) {}
  std::uint64_t next64() override;

 private:
  std::string seed_;
  std::uint64_t counter_ = 0;
  unsigned char block_[32] = {};
  int used_ = 4;  // 64-bit words of block_ consumed
};

}  // namespace hub::sharing
