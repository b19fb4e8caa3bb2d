// Runs the real quantviz-cli binary (posix_spawn, no shell) and captures its exit code, stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace qv::test {

struct CliRun {
    int exitCode = -1;  // -1 when the process did not exit normally
    std::string out;
    std::string err;
};

CliRun runCli(const std::vector<std::string>& args);

}  // namespace qv::test
