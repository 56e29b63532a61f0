#include "hub/http/route_credential.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "hub/http/error.hpp"

namespace hub::http {

namespace {

class BearerToken final : public RouteCredential {
 public:
  explicit BearerToken(BearerTokenOptions o) : o_(std::move(o)) {}

  std::optional<Response> refusal(const Request& request) const override {
    const std::string_view header = request.headers.get("Authorization");
    constexpr std::string_view scheme = "Bearer ";
    if (header.size() <= scheme.size() || !iequals(header.substr(0, scheme.size()), scheme))
      return o_.missing ? o_.missing() : error_response(ApiError::unauthenticated("A bearer token is required."));
    const std::string expected = o_.expected();
    if (expected.empty() || !constant_time_equal(header.substr(scheme.size()), expected))
      return o_.wrong ? o_.wrong() : error_response(ApiError::forbidden("That token is not accepted here."));
    return std::nullopt;
  }

 private:
  const BearerTokenOptions o_;
};

class BodySignature final : public RouteCredential {
 public:
  explicit BodySignature(BodySignatureOptions o) : o_(std::move(o)) {}

  std::optional<Response> refusal(const Request& request) const override {
    if (auto reason = why_refused(request)) {
      return o_.refused ? o_.refused() : error_response(ApiError::unauthenticated(*reason));
    }
    return std::nullopt;
  }

 private:
  std::optional<std::string> why_refused(const Request& request) const {
    const std::string_view given = request.headers.get(o_.header);
    if (given.substr(0, o_.prefix.size()) != o_.prefix) return "The request signature is missing.";
    const std::string secret = o_.secret();
    if (secret.empty()) return "This route takes no signed requests yet.";
    const auto text = o_.signed_text(request);
    if (!text) return "The request is too old or lacks its timestamp.";
    if (!constant_time_equal(given.substr(o_.prefix.size()), hmac_sha256_hex(secret, *text)))
      return "The request signature does not match.";
    return std::nullopt;
  }

  const BodySignatureOptions o_;
};

}  // namespace

std::shared_ptr<const RouteCredential> bearer_token(BearerTokenOptions options) {
  return std::make_shared<BearerToken>(std::move(options));
}

std::shared_ptr<const RouteCredential> body_signature(BodySignatureOptions options) {
  return std::make_shared<BodySignature>(std::move(options));
}

std::string hmac_sha256_hex(std::string_view key, std::string_view text) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t size = 0;
  if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                 reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, sizeof mac, &size))
    return {};  // never equal to a given signature
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 15];
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace hub::http
