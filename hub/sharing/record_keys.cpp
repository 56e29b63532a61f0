#include "hub/sharing/record_keys.hpp"

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "hub/auth/secrets.hpp"

namespace hub::sharing {
namespace {

constexpr std::size_t kNonce = 12, kTag = 16;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }
const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

std::string load_key_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read key file " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string encoded = text.str();
  while (!encoded.empty() && (encoded.back() == '\n' || encoded.back() == '\r')) encoded.pop_back();
  std::string raw;
  if (!auth::base64url_decode(encoded, raw) || raw.size() != 32)
    throw std::runtime_error("key file " + path + " does not hold a 256-bit base64url key");
  return raw;
}

std::string RecordCipher::seal(std::string_view plaintext, std::string_view aad) const {
  std::string out(kNonce + plaintext.size() + kTag, '\0');
  if (RAND_bytes(bytes(out), kNonce) != 1) throw std::runtime_error("RAND_bytes failed");
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(std::string_view(key_)),
                                      bytes(out)) == 1;
  ok = ok && EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1;
  ok = ok && EVP_EncryptUpdate(ctx.get(), bytes(out) + kNonce, &len, bytes(plaintext),
                               static_cast<int>(plaintext.size())) == 1;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), bytes(out) + kNonce + len, &len) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag,
                                 bytes(out) + kNonce + plaintext.size()) == 1;
  if (!ok) throw std::runtime_error("AES-256-GCM encryption failed");
  return out;
}

std::optional<std::string> RecordCipher::open(std::string_view sealed, std::string_view aad) const {
  if (sealed.size() < kNonce + kTag) return std::nullopt;
  const std::size_t n = sealed.size() - kNonce - kTag;
  std::string out(n, '\0');
  std::string tag(sealed.substr(kNonce + n));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(std::string_view(key_)),
                                      bytes(sealed)) == 1;
  ok = ok && EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1;
  ok = ok && EVP_DecryptUpdate(ctx.get(), bytes(out), &len, bytes(sealed) + kNonce, static_cast<int>(n)) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, bytes(tag)) == 1;
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), bytes(out) + len, &len) == 1;
  if (!ok) return std::nullopt;
  return out;
}

std::string Pseudonymizer::pseudonym(std::int64_t member_id) const {
  std::string message = std::to_string(member_id);
  std::string out(32, '\0');
  std::size_t out_len = 0;
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  bool ok = ctx && EVP_MAC_init(ctx, bytes(std::string_view(key_)), key_.size(), params) == 1 &&
            EVP_MAC_update(ctx, bytes(std::string_view(message)), message.size()) == 1 &&
            EVP_MAC_final(ctx, bytes(out), &out_len, out.size()) == 1;
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  if (!ok || out_len != 32) throw std::runtime_error("HMAC-SHA256 failed");
  return out;
}

}  // namespace hub::sharing
