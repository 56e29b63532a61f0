#include "bridge/matrix/policy.hpp"

namespace hub::bridge::matrix::policy {

bool may_call_appservice(const auth::Actor&, bool presents_hs_token) { return presents_hs_token; }

}  // namespace hub::bridge::matrix::policy
