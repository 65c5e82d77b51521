// hfexport: export Hugging Face checkpoints to ONNX, validate, and run them.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <iostream>

#include "cli/common.h"
#include "core/staged_files.h"
#include "hfx/error.h"

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
        return app.exit(e);
    }
    // Ctrl-C or SIGTERM during an export removes its temporary files (core/staged_files.h).
    hfx::install_staged_files_signal_cleanup();
    spdlog::set_level(g.verbose ? spdlog::level::debug : g.quiet ? spdlog::level::err : spdlog::level::info);
    try {
        for (auto& [sub, run] : commands)
            if (sub->parsed()) return run();
    } catch (const std::exception& e) {
        spdlog::error("{}", hfx::one_line(e.what()));
        return 1;
    }
    return 1;
}
