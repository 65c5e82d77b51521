#include <spdlog/spdlog.h>

#include "runtime/session.h"
#include "torchscript/torchscript.h"
#include "validate/compare.h"

namespace hfx {

bool validate_torchscript(const Model& eager, const std::string& pt_path, const ValidationOptions& o,
                          std::ostream& log) {
    TorchScriptModule file(pt_path);
    const std::vector<std::string>& names = file.output_names();
    rt::SessionOptions so;
    so.threads = o.threads;
    rt::Session reference(eager_form(eager), so);
    bool ok = true;
    for (const DimBindings& dims : {o.dims, second_validation_dims()}) {
        Outputs inputs = make_dummy_inputs(eager, dims);
        Outputs expected = to_map(names, reference.run(names, inputs));
        Outputs got = file.run(inputs, o.threads);
        ok &= compare_outputs("libtorch vs eager reference, " + dims_text(dims, eager), names, got, expected, o.atol,
                              log, "TorchScript module");
    }
    ok &= compare_with_reference_file(o, file.input_names(), names, "libtorch", "TorchScript module", log,
                                      [&](const Outputs& feeds) { return file.run(feeds, o.threads); });
    return ok;
}

}  // namespace hfx
