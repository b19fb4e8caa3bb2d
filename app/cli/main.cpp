// quantviz-cli entry point: registers the subcommands, parses, and maps every failure to exit 0/1/2.
#include <cstdio>
#include <exception>
#include <iostream>
#include <new>
#include <vector>

#include "app/cli/cli_support.h"

using namespace qv::cli;

int main(int argc, char** argv) {
    CLI::App app{
        "quantviz-cli: inspect, export, quantize, calibrate, report, run the int8 GEMM core and measure llama.cpp's block types on tensor "
        "files (.npy, .safetensors and the other formats quantviz opens), headless and scriptable.\n"
        "Exit codes: 0 success, 1 bad data (unreadable file, missing tensor, I/O error), 2 bad usage.\n"
        "Semantics (scales, rounding, ranges) are documented in docs/cli.md.",
        "quantviz-cli"};
    app.require_subcommand(1, 1);
    app.fallthrough(false);

    std::vector<Command> commands;
    commands.push_back(addInspectCommand(app));
    commands.push_back(addExportCommand(app));
    commands.push_back(addQuantizeCommand(app));
    commands.push_back(addCalibrateCommand(app));
    commands.push_back(addReportCommand(app));
    commands.push_back(addGemmCommand(app));
    commands.push_back(addLlamaCppCommand(app));

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e) == 0 ? kExitOk : kExitBadUsage;
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e) == 0 ? kExitOk : kExitBadUsage;
    } catch (const CLI::ParseError& e) {
        // CLI11's own codes go up to 127; every parse problem is a usage error here.
        app.exit(e);
        return kExitBadUsage;
    }

    for (const Command& cmd : commands) {
        if (!cmd.app->parsed()) continue;
        const std::string prefix = "quantviz-cli " + cmd.app->get_name() + ": error: ";
        try {
            int code = cmd.run();
            std::cout.flush();
            if (!std::cout) {
                std::cerr << prefix << "cannot write to standard output\n";
                return kExitBadData;
            }
            return code;
        } catch (const CliFailure& e) {
            std::cout.flush();
            std::cerr << prefix << e.what() << "\n";
            return e.code();
        } catch (const std::bad_alloc&) {
            std::cerr << prefix << "out of memory\n";
            return kExitBadData;
        } catch (const std::exception& e) {
            std::cerr << prefix << e.what() << "\n";
            return kExitBadData;
        }
    }
    return kExitBadUsage;  // unreachable: require_subcommand(1)
}
