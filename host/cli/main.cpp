// hfexport: export Hugging Face checkpoints to ONNX, validate, and run them.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <iostream>

#include "cli/common.h"
#include "core/staged_files.h"
#include "hfx/error.h"

namespace {
// The exit code of each error kind (README.md, "Exit codes"); 0 is success. A command's own
// verdict (validate's mismatch, selftest's failures) exits 1 as well.
int exit_code(hfx::ErrorKind kind) {
    switch (kind) {
        case hfx::ErrorKind::input:
            return 1;
        case hfx::ErrorKind::checkpoint:
            return 2;
        case hfx::ErrorKind::config:
            return 3;
        case hfx::ErrorKind::plugin:
            return 4;
        case hfx::ErrorKind::internal:
            return 5;
    }
    return 5;
}
}  // namespace

int main(int argc, char** argv) {
    using namespace hfx::cli;
    // Diagnostics go to stderr, one line each; stdout carries results.
    auto logger = spdlog::stderr_color_mt("hfexport");
    logger->set_pattern("%^%l%$: %v");
    spdlog::set_default_logger(logger);

    CLI::App app{"hfexport: Hugging Face checkpoints to ONNX, without Python"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("hfexport ") + HFX_VERSION);
    Globals& g = globals();
    app.add_flag("-v,--verbose", g.verbose, "Log more (debug level)");
    app.add_flag("-q,--quiet", g.quiet, "Log errors only");
    app.add_option("--config", g.config_file, "TOML configuration file");
    app.add_option("--plugin-dir", g.plugin_dirs, "Extra folder with libhfx_*.so plugins (repeatable)");

    std::vector<std::pair<CLI::App*, Command>> commands;
    add_export_command(app, commands);
    add_validate_command(app, commands);
    add_features_command(app, commands);
    add_run_command(app, commands);
    add_generate_command(app, commands);
    add_make_tiny_command(app, commands);
    add_selftest_command(app, commands);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);  // --help and --version exit 0
        return rc == 0 ? 0 : exit_code(hfx::ErrorKind::input);
    }
    // Ctrl-C or SIGTERM during an export removes its temporary files (core/staged_files.h).
    hfx::install_staged_files_signal_cleanup();
    spdlog::set_level(g.verbose ? spdlog::level::debug : g.quiet ? spdlog::level::err : spdlog::level::info);
    try {
        for (auto& [sub, run] : commands)
            if (sub->parsed()) return run();
    } catch (const hfx::Error& e) {
        spdlog::error("{}", e.what());
        return exit_code(e.kind());
    } catch (const std::exception& e) {  // not raised as an hfx::Error: nobody checked for it
        spdlog::error("{}", hfx::one_line(e.what()));
        return exit_code(hfx::ErrorKind::internal);
    }
    return 1;
}
