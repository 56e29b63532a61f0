#include "hub/net/outbound_budget.hpp"

namespace hub::net {

bool outbound_budget::try_charge(std::size_t n) {
  std::size_t used = used_.load(std::memory_order_relaxed);
  do {
    if (n > max_ || used > max_ - n) return false;
  } while (!used_.compare_exchange_weak(used, used + n, std::memory_order_relaxed));
  return true;
}

}  // namespace hub::net
