#pragma once
// libsodium initialisation, once per process and thread-safe. Every auth/ entry point that touches libsodium
// calls sodiumReady() first.

namespace cityops::auth {

/// true when libsodium is initialised (sodium_init() returned 0 or 1). Cheap after the first call.
bool sodiumReady();

}  // namespace cityops::auth
