// Boost.JSON compiled into the libFuzzer binaries (header-only mode), so that the parser is instrumented for
// coverage like the code under test. Only used when CITYOPS_FUZZ is ON.
#include <boost/json/src.hpp>
