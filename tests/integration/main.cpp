// Entry point of test_integration: --cityops-bin=PATH (or $CITYOPS_BIN) names the server binary under test.
#include "ServerProcess.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstring>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    constexpr const char* kFlag = "--cityops-bin=";
    if (std::strncmp(argv[i], kFlag, std::strlen(kFlag)) == 0) cityops::it::setCityopsBinary(argv[i] + std::strlen(kFlag));
  }
  std::signal(SIGPIPE, SIG_IGN);  // a server killed mid-request must not kill the test process
  return RUN_ALL_TESTS();
}
