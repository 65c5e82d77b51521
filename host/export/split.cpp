#include "export/split.h"

#include <filesystem>
#include <hfx/onnx_config.h>
#include <map>

#include "core/error.h"
#include "core/staged_files.h"
#include "export/config_audit.h"

namespace fs = std::filesystem;

namespace hfx {

std::vector<std::string> split_components(const std::string& feature) {
    if (is_with_past(feature)) return {"encoder", "decoder", "decoder-with-past"};
    return {"encoder", "decoder"};
}

std::string component_file_name(const std::string& component, Format format) {
    std::string s = component;
    for (char& c : s)
        if (c == '-') c = '_';
    return s + "_model" + format_extension(format);
}

std::vector<ComponentExport> export_split(const PluginRegistry& registry, const Checkpoint& ckpt,
                                          const std::string& feature, const std::string& out_dir,
                                          const ExportOptions& options, std::ostream& log) {
    const char* extension = format_extension(options.format);
    if (fs::path(out_dir).extension() == extension)
        fail("option 'output': a split export writes several files; give a folder, not '", out_dir, "'");
    std::string dir = fs::path(resolve_output_path(out_dir, extension)).parent_path().string();
    std::vector<ComponentExport> out;
    // Build every graph first: a component the plugin refuses leaves no file behind.
    for (const std::string& c : split_components(feature)) {
        ComponentExport e;
        e.component = c;
        e.path = (fs::path(dir) / component_file_name(c, options.format)).string();
        e.built = build_model(registry, ckpt, feature, options.opset, c);
        out.push_back(std::move(e));
    }
    StagedFiles staged;  // every component and config.json, or none of them
    std::vector<const BuiltModel*> builds;
    for (const ComponentExport& e : out) builds.push_back(&e.built);
    check_config_reads(ckpt.config(), builds, options.strict);  // over every graph: each reads its part
    for (const ComponentExport& e : out) write_export(e.built, ckpt, e.path, options);
    staged.commit();

    // Neither ONNX nor TorchScript files can share tensors across files: report what is stored more than once.
    std::map<std::string, std::vector<std::string>> holders;
    std::map<std::string, int64_t> bytes;
    for (const ComponentExport& e : out)
        for (const auto& [name, t] : e.built.model.initializers)
            if (ckpt.find(name)) {
                holders[name].push_back(fs::path(e.path).filename().string());
                bytes[name] = t.numel() * 4;
            }
    int64_t shared = 0, count = 0;
    for (const auto& [name, files] : holders)
        if (files.size() > 1) {
            shared += bytes[name] * int64_t(files.size() - 1);
            ++count;
        }
    if (count)
        log << "Shared weights: " << count << " checkpoint tensors are stored in more than one of these files ("
            << shared << " bytes duplicated); separate files cannot share tensors, so each is self-contained.\n";
    return out;
}

}  // namespace hfx
