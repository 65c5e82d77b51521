// Output files are written under temporary sibling names and renamed into
// place only when every file of the export is complete; on failure (an error,
// a full disk, Ctrl-C / SIGTERM) the temporaries are removed, so the output
// folder never holds a partial model, or a model without its config.json.
//
// Groups nest: while a StagedFiles lives, every StagedFiles created inside it
// (by the ONNX writer, the config copy, the TorchScript writer...) joins it, and
// only the outermost one renames, at its commit(). A multi-file export (model
// + external data + config.json, or --split's three models) opens one group
// around all its writes.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace hfx {

class StagedFiles {
public:
    StagedFiles();
    ~StagedFiles();  // removes the temporaries unless the group was committed
    StagedFiles(const StagedFiles&) = delete;
    StagedFiles& operator=(const StagedFiles&) = delete;

    // The temporary path to write `final_path` under ("<final>.tmp-<pid>").
    std::string add(const std::string& final_path);
    // Renames every temporary of the group into place (outermost group only;
    // an inner group's commit leaves that to the outer one). Errors name the file.
    void commit();

private:
    StagedFiles* outer_ = nullptr;
    bool committed_ = false;
    struct File {
        std::string temp, final_path;
        int slot;  // in the signal handler's registry, -1 if it was full
    };
    std::vector<File> files_;
};

// SIGINT, SIGTERM and SIGHUP remove every staged temporary of the process
// (async-signal-safe: unlink only), then end the process by that signal.
void install_staged_files_signal_cleanup();

}  // namespace hfx
