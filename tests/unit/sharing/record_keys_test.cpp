#include <catch2/catch.hpp>

#include <fstream>

#include "hub/app.hpp"
#include "hub/sharing/record_keys.hpp"
#include "tests/unit/support/run_coro.hpp"

using namespace hub::sharing;

TEST_CASE("keys: rows are sealed with AES-256-GCM bound to their id and owner") {
  RecordCipher cipher(std::string(32, 'k'));
  const std::string sealed = cipher.seal("amount 123456", "row/1/2");
  CHECK(sealed.find("123456") == std::string::npos);
  CHECK(cipher.open(sealed, "row/1/2") == "amount 123456");
  CHECK_FALSE(cipher.open(sealed, "row/1/3"));  // moved to another owner
  std::string tampered = sealed;
  tampered[14] ^= 1;
  CHECK_FALSE(cipher.open(tampered, "row/1/2"));
  CHECK_FALSE(RecordCipher(std::string(32, 'x')).open(sealed, "row/1/2"));
  CHECK(cipher.seal("same", "a") != cipher.seal("same", "a"));  // a fresh nonce each time
}

TEST_CASE("keys: pseudonyms are HMAC-SHA256 of the member id under K") {
  Pseudonymizer k1(std::string(32, 'a')), k2(std::string(32, 'b'));
  CHECK(k1.pseudonym(7) == k1.pseudonym(7));
  CHECK(k1.pseudonym(7) != k1.pseudonym(8));
  CHECK(k1.pseudonym(7) != k2.pseudonym(7));
  CHECK(k1.pseudonym(7).size() == 32);
}

TEST_CASE("keys: init writes both key files and they load as 256-bit keys") {
  hub::testing::TempDir dir;
  hub::DataDir data{dir.path + "/d"};
  hub::init_data_dir(data);
  CHECK(load_key_file(data.keys() + "/pseudonym-hmac.key").size() == 32);
  CHECK(load_key_file(data.keys() + "/records-aes256.key").size() == 32);
  std::ofstream(dir.path + "/bad.key") << "short\n";
  CHECK_THROWS(load_key_file(dir.path + "/bad.key"));
  CHECK_THROWS(load_key_file(dir.path + "/missing.key"));
}
