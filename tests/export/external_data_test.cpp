// --external-data files as every consumer reads them: the weights in
// model.onnx_data at page-aligned offsets, the small shape and axes constants
// inline (ONNX shape inference, hence ONNX Runtime, cannot read those from
// external data), loaded by ONNX Runtime and our runtime, both matching the
// golden fixture; and validation refusing a file ONNX Runtime would refuse,
// even where ONNX Runtime is not installed.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "checkpoint/checkpoint.h"
#include "checkpoint/safetensors_write.h"
#include "core/error.h"
#include "export/exporter.h"
#include "export/writer.h"
#include "runtime/session.h"
#include "support/golden.h"
#include "validate/file_check.h"
#include "validate/ort_oracle.h"
#include "validate/validate.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

GoldenCase fixture_case(const std::string& arch, const std::string& name) {
    for (const GoldenCase& c : golden_cases())
        if (c.arch == arch && c.name == name) return c;
    ADD_FAILURE() << "no fixture " << arch << "/" << name;
    return {};
}

onnx::ModelProto read_model(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    onnx::ModelProto mp;
    EXPECT_TRUE(mp.ParseFromIstream(&in)) << path;
    return mp;
}

std::string external_value(const onnx::TensorProto& t, const std::string& key) {
    for (const auto& e : t.external_data())
        if (e.key() == key) return e.value();
    return "";
}

// The layout promised by export/writer.h, read back with protobuf.
void expect_layout(const std::string& path) {
    ASSERT_TRUE(fs::exists(path + "_data")) << "no model.onnx_data";
    uint64_t data_size = fs::file_size(path + "_data");
    onnx::ModelProto mp = read_model(path);
    std::vector<std::pair<uint64_t, uint64_t>> extents;
    int inline_count = 0, inline_int64 = 0;
    for (const auto& t : mp.graph().initializer()) {
        if (t.data_location() == onnx::TensorProto::EXTERNAL) {
            EXPECT_EQ(external_value(t, "location"), "model.onnx_data") << t.name();
            uint64_t offset = std::stoull(external_value(t, "offset")),
                     length = std::stoull(external_value(t, "length"));
            EXPECT_EQ(offset % kExternalDataAlign, 0u) << t.name() << " at " << offset;
            EXPECT_GE(length, kExternalDataMinBytes) << t.name();
            EXPECT_LE(offset + length, data_size) << t.name();
            extents.emplace_back(offset, length);
        } else {
            EXPECT_TRUE(t.has_raw_data()) << t.name();
            EXPECT_LT(t.raw_data().size(), kExternalDataMinBytes) << t.name() << " is inline";
            ++inline_count;
            inline_int64 += t.data_type() == onnx::TensorProto::INT64;
        }
    }
    EXPECT_GT(extents.size(), 0u) << "no weight in model.onnx_data";
    EXPECT_GT(inline_int64, 0) << "the shape/axes constants are not inline (" << inline_count << " inline tensors)";
    std::sort(extents.begin(), extents.end());
    for (size_t k = 1; k < extents.size(); ++k)
        EXPECT_LE(extents[k - 1].first + extents[k - 1].second, extents[k].first) << "overlapping external tensors";
}

struct Fixture {
    const char* arch;
    const char* name;
};
void PrintTo(const Fixture& f, std::ostream* os) { *os << f.arch << "/" << f.name; }

class ExternalData : public ::testing::TestWithParam<Fixture> {};

TEST_P(ExternalData, LoadsInBothRuntimesAndMatchesTheFixture) {
    GoldenCase c = fixture_case(GetParam().arch, GetParam().name);
    Checkpoint ckpt = Checkpoint::open(c.path);
    BuiltModel built = build_model(plugin_registry(), ckpt, c.task);
    TempDir dir;
    std::string path = dir.path + "/model.onnx";
    write_export(built, ckpt, path, {.external_data = true});
    expect_layout(path);
    EXPECT_NO_THROW(check_onnx_file(path));

    auto golden = read_safetensors(c.path + "/golden.safetensors");
    rt::Session session(path);
    std::vector<std::string> names = session.output_names();
    std::string why;
    auto fed = fixture_feed(c, golden, session.input_names(), names, "", &why);
    ASSERT_TRUE(fed) << why;
    std::vector<Tensor> ours = session.run(names, fed->feeds);

    std::optional<OrtOracle> ort = find_ort();
    if (std::getenv("HFEXPORT_ORT_NODE_MODULES"))
        ASSERT_TRUE(ort) << "HFEXPORT_ORT_NODE_MODULES is set but ONNX Runtime was not found";
    std::map<std::string, Tensor> theirs;
    if (ort) ASSERT_NO_THROW(theirs = ort_run(*ort, path, fed->feeds));
    int compared = 0;
    for (size_t k = 0; k < names.size(); ++k) {
        if (!fed->ref_names.count(names[k])) continue;
        const Tensor& ref = golden.at(fed->ref_names.at(names[k]));
        EXPECT_TRUE(all_close(ours[k], ref, 1e-4, 1e-4)) << names[k] << ": max |diff| " << max_abs_diff(ours[k], ref);
        if (ort) {
            ASSERT_TRUE(theirs.count(names[k])) << names[k] << " missing from ONNX Runtime's outputs";
            EXPECT_TRUE(all_close(theirs.at(names[k]), ref, 1e-4, 1e-4))
                << names[k] << " (ONNX Runtime): max |diff| " << max_abs_diff(theirs.at(names[k]), ref);
        }
        ++compared;
    }
    EXPECT_GT(compared, 0);
    if (!ort) std::cout << "[external-data] ONNX Runtime not found: only our runtime compared\n";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ExternalData,
                         ::testing::Values(Fixture{"bert", "masked-lm"}, Fixture{"gpt2", "causal-lm-with-past"}),
                         [](const auto& info) { return std::string(info.param.arch); });

// Moves initializer `name` of `path` to the end of its data file (page-aligned), as
// the writer before 4 KiB alignment and a size threshold did with every tensor.
void move_to_external_data(const std::string& path, const std::string& name) {
    onnx::ModelProto mp = read_model(path);
    for (auto& t : *mp.mutable_graph()->mutable_initializer()) {
        if (t.name() != name) continue;
        ASSERT_TRUE(t.has_raw_data());
        std::string bytes = t.raw_data();
        uint64_t offset =
            (fs::file_size(path + "_data") + kExternalDataAlign - 1) / kExternalDataAlign * kExternalDataAlign;
        fs::resize_file(path + "_data", offset);
        std::ofstream(path + "_data", std::ios::binary | std::ios::app) << bytes;
        t.clear_raw_data();
        t.set_data_location(onnx::TensorProto::EXTERNAL);
        for (auto [k, v] : {std::pair<std::string, std::string>{"location", "model.onnx_data"},
                            {"offset", std::to_string(offset)},
                            {"length", std::to_string(bytes.size())}}) {
            auto* e = t.add_external_data();
            e->set_key(k);
            e->set_value(v);
        }
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        ASSERT_TRUE(mp.SerializeToOstream(&out));
        return;
    }
    FAIL() << "no initializer " << name;
}

TEST(ExternalDataCheck, ValidationRefusesAShapeConstantInTheDataFileWithoutOnnxRuntime) {
    GoldenCase c = fixture_case("bert", "masked-lm");
    Checkpoint ckpt = Checkpoint::open(c.path);
    BuiltModel built = build_model(plugin_registry(), ckpt, c.task);
    TempDir dir;
    std::string path = dir.path + "/model.onnx";
    write_export(built, ckpt, path, {.external_data = true});
    std::string shape_constant;  // an int64 constant some node reads as its axes / shape input
    onnx::ModelProto written = read_model(path);
    for (const auto& t : written.graph().initializer())
        if (t.data_type() == onnx::TensorProto::INT64 && t.name().find("Squeeze") != std::string::npos)
            shape_constant = t.name();
    ASSERT_FALSE(shape_constant.empty());
    move_to_external_data(path, shape_constant);
    // Our runtime reads it (external data is data), ONNX Runtime's loader would not.
    EXPECT_NO_THROW(rt::Session{path});
    ValidationOptions o;
    o.use_ort = false;
    std::ostringstream log;
    try {
        validate_export(built.model, path, o, log);
        ADD_FAILURE() << "validation passed:\n" << log.str();
    } catch (const Error& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("onnx '" + path + "': ONNX checker: "), std::string::npos) << msg;
        EXPECT_NE(msg.find("Cannot parse data from external tensors"), std::string::npos) << msg;
        EXPECT_EQ(msg.find('\n'), std::string::npos) << "not one line: " << msg;
    }
}

TEST(ExternalDataCheck, ACheckpointOfSmallTensorsOnlyWritesNoDataFile) {
    // Nothing reaches the threshold: the data file would be empty, so there is none.
    Model m;
    m.inputs = {ValueInfo{"x", DType::f32, {Dim{2, ""}}}};
    m.outputs = {ValueInfo{"y", DType::f32, {Dim{2, ""}}}};
    m.initializers["b"] = Tensor::from<float>(DType::f32, {2}, {1.f, 2.f});
    Node add;
    add.op = "Add";
    add.name = "/Add";
    add.inputs = {"x", "b"};
    add.outputs = {"y"};
    m.nodes.push_back(add);
    m.opsets[""] = 14;
    TempDir dir;
    std::vector<std::string> files = write_onnx(m, dir.path + "/model.onnx", {.external_data = true});
    EXPECT_EQ(files, std::vector<std::string>{dir.path + "/model.onnx"});
    EXPECT_FALSE(fs::exists(dir.path + "/model.onnx_data"));
    EXPECT_NO_THROW(check_onnx_file(dir.path + "/model.onnx"));
    auto y = rt::Session(dir.path + "/model.onnx").run({}, {{"x", Tensor::from<float>(DType::f32, {2}, {3.f, 4.f})}});
    EXPECT_EQ(y[0].ptr<float>()[1], 6.f);
}

}  // namespace
}  // namespace hfx::test
