#pragma once
// A check that stays on in every build type: a violated invariant aborts, so libFuzzer and the replay runner
// both report the input.
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                                   \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: %s\n", __FILE__, __LINE__, #cond, what); \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)
