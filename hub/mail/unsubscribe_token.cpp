#include "hub/mail/unsubscribe_token.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "hub/auth/secrets.hpp"
#include "hub/mail/preferences.hpp"

namespace hub::mail {
namespace {

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto dot = s.find('.');
    parts.push_back(s.substr(0, dot));
    if (dot == std::string_view::npos) return parts;
    s.remove_prefix(dot + 1);
  }
}

bool parse_int(std::string_view s, std::int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out > 0;
}

http::ApiError bad_token() {
  return http::ApiError::bad_request("This unsubscribe link is not valid. Change your mail on your Account page.");
}

}  // namespace

std::string UnsubscribeSigner::mac(std::string_view payload) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(payload.data()),
       payload.size(), out, &len);
  return auth::base64url(std::string_view(reinterpret_cast<const char*>(out), len));
}

std::string UnsubscribeSigner::sign(std::int64_t user_id, std::string_view kind, std::int64_t expires_at) const {
  unsigned char raw[12];
  RAND_bytes(raw, sizeof raw);
  std::string nonce;
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char ch : raw) {
    nonce += kHex[ch >> 4];
    nonce += kHex[ch & 15];
  }
  std::string payload = "v1." + std::to_string(user_id) + "." + std::string(kind) + "." + std::to_string(expires_at) +
                        "." + nonce;
  return payload + "." + mac(payload);
}

http::Result<UnsubscribeClaim> UnsubscribeSigner::verify(std::string_view token, std::int64_t now) const {
  if (token.size() > 200) return bad_token();
  const auto parts = split_dots(token);
  if (parts.size() != 6 || parts[0] != "v1") return bad_token();
  const auto payload = token.substr(0, token.size() - parts[5].size() - 1);
  if (!auth::constant_time_equal(mac(payload), parts[5])) return bad_token();
  UnsubscribeClaim claim;
  if (!parse_int(parts[1], claim.user_id) || !parse_int(parts[3], claim.expires_at) || !is_mail_kind(parts[2]))
    return bad_token();
  claim.kind = std::string(parts[2]);
  claim.nonce = std::string(parts[4]);
  if (claim.expires_at <= now)
    return http::ApiError::bad_request("This unsubscribe link has expired. Change your mail on your Account page.");
  return claim;
}

std::string load_or_create_key(const std::string& path) {
  namespace fs = std::filesystem;
  if (!fs::exists(path)) {
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) throw std::runtime_error("cannot write " + tmp);
      out << auth::random_token(32) << "\n";
    }
    ::chmod(tmp.c_str(), 0600);
    fs::rename(tmp, path);
  }
  std::ifstream in(path, std::ios::binary);
  std::string key;
  std::getline(in, key);
  if (key.size() < 32) throw std::runtime_error(path + " must hold a key of at least 32 characters");
  return key;
}

}  // namespace hub::mail
