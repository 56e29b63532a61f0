// The Matrix appservice policy as one table: every role, with and without the homeserver's
// hs_token, for the appservice routes (push a transaction, query a user, query a room alias).
#include "bridge/matrix/policy.hpp"
#include "tests/unit/support/policy_table.hpp"

using namespace hub::testing::policy_table;
using hub::auth::Actor;
using hub::bridge::matrix::policy::may_call_appservice;

namespace {

enum class Token { with_hs_token, without_hs_token };
enum class Act { push_transaction, query_user, query_room, ping };
using MatrixRow = Row<Act, Token>;

// push_transaction: PUT /_matrix/app/v1/transactions/{txnId}; query_user: GET /_matrix/app/v1/users/{userId};
// query_room: GET /_matrix/app/v1/rooms/{roomAlias}; ping: POST /_matrix/app/v1/ping. The token decides; no role adds or removes anything.
// clang-format off
const MatrixRow kTable[] = {
  {Who::admin,     Token::with_hs_token,    Act::push_transaction, yes},
  {Who::admin,     Token::with_hs_token,    Act::query_user,       yes},
  {Who::admin,     Token::with_hs_token,    Act::query_room,       yes},
  {Who::admin,     Token::with_hs_token,    Act::ping,             yes},
  {Who::admin,     Token::without_hs_token, Act::push_transaction, no},
  {Who::admin,     Token::without_hs_token, Act::query_user,       no},
  {Who::admin,     Token::without_hs_token, Act::query_room,       no},
  {Who::admin,     Token::without_hs_token, Act::ping,             no},
  {Who::mentor,    Token::with_hs_token,    Act::push_transaction, yes},
  {Who::mentor,    Token::with_hs_token,    Act::query_user,       yes},
  {Who::mentor,    Token::with_hs_token,    Act::query_room,       yes},
  {Who::mentor,    Token::with_hs_token,    Act::ping,             yes},
  {Who::mentor,    Token::without_hs_token, Act::push_transaction, no},
  {Who::mentor,    Token::without_hs_token, Act::query_user,       no},
  {Who::mentor,    Token::without_hs_token, Act::query_room,       no},
  {Who::mentor,    Token::without_hs_token, Act::ping,             no},
  {Who::member,    Token::with_hs_token,    Act::push_transaction, yes},
  {Who::member,    Token::with_hs_token,    Act::query_user,       yes},
  {Who::member,    Token::with_hs_token,    Act::query_room,       yes},
  {Who::member,    Token::with_hs_token,    Act::ping,             yes},
  {Who::member,    Token::without_hs_token, Act::push_transaction, no},
  {Who::member,    Token::without_hs_token, Act::query_user,       no},
  {Who::member,    Token::without_hs_token, Act::query_room,       no},
  {Who::member,    Token::without_hs_token, Act::ping,             no},
  {Who::stranger,  Token::with_hs_token,    Act::push_transaction, yes},
  {Who::stranger,  Token::with_hs_token,    Act::query_user,       yes},
  {Who::stranger,  Token::with_hs_token,    Act::query_room,       yes},
  {Who::stranger,  Token::with_hs_token,    Act::ping,             yes},
  {Who::stranger,  Token::without_hs_token, Act::push_transaction, no},
  {Who::stranger,  Token::without_hs_token, Act::query_user,       no},
  {Who::stranger,  Token::without_hs_token, Act::query_room,       no},
  {Who::stranger,  Token::without_hs_token, Act::ping,             no},
  {Who::anonymous, Token::with_hs_token,    Act::push_transaction, yes},
  {Who::anonymous, Token::with_hs_token,    Act::query_user,       yes},
  {Who::anonymous, Token::with_hs_token,    Act::query_room,       yes},
  {Who::anonymous, Token::with_hs_token,    Act::ping,             yes},
  {Who::anonymous, Token::without_hs_token, Act::push_transaction, no},
  {Who::anonymous, Token::without_hs_token, Act::query_user,       no},
  {Who::anonymous, Token::without_hs_token, Act::query_room,       no},
  {Who::anonymous, Token::without_hs_token, Act::ping,             no},
};
// clang-format on

}  // namespace

TEST_CASE("matrix policy: the hs_token, and nothing else, opens the appservice routes") {
  check_table(kTable, [](const Actor& a, Token token, Act) {
    return may_call_appservice(a, token == Token::with_hs_token);
  });
}
