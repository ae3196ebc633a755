#include "auth/Sodium.hpp"

#include <sodium.h>

namespace cityops::auth {

bool sodiumReady() {
  static const bool ready = sodium_init() >= 0;  // magic static: initialised exactly once, thread-safe
  return ready;
}

}  // namespace cityops::auth
