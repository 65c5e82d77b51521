// `hfexport run --image`: PNG/JPEG decoding, PIL-exact resizing, the
// preprocessor_config.json steps, and the command end to end on a PNG the
// test writes itself.
#include <gtest/gtest.h>
#include <jpeglib.h>
#include <png.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "cli/image.h"
#include "runtime/session.h"
#include "support/cli_run.h"
#include "support/golden.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

using cli::Image;

// Pixel (x, y, c) = (37x + 91y + 53c) mod 256: every value differs from its neighbours.
Image pattern(int64_t h, int64_t w) {
    Image im{h, w, std::vector<uint8_t>(size_t(h * w * 3))};
    for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
            for (int64_t c = 0; c < 3; ++c)
                im.rgb[size_t((y * w + x) * 3 + c)] = uint8_t((x * 37 + y * 91 + c * 53) % 256);
    return im;
}

Image solid(int64_t h, int64_t w, uint8_t r, uint8_t g, uint8_t b) {
    Image im{h, w, {}};
    for (int64_t k = 0; k < h * w; ++k) im.rgb.insert(im.rgb.end(), {r, g, b});
    return im;
}

void write_png(const std::string& path, const Image& im, bool alpha = false) {
    png_image png{};
    png.version = PNG_IMAGE_VERSION;
    png.width = uint32_t(im.width), png.height = uint32_t(im.height);
    png.format = alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
    std::vector<uint8_t> data;
    for (size_t k = 0; k < size_t(im.height * im.width); ++k) {
        data.insert(data.end(), im.rgb.begin() + long(k * 3), im.rgb.begin() + long(k * 3 + 3));
        if (alpha) data.push_back(uint8_t(k % 256));
    }
    ASSERT_TRUE(png_image_write_to_file(&png, path.c_str(), 0, data.data(), 0, nullptr)) << png.message;
}

void write_jpeg(const std::string& path, const Image& im) {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    jpeg_compress_struct c{};
    jpeg_error_mgr err{};
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, f);
    c.image_width = JDIMENSION(im.width), c.image_height = JDIMENSION(im.height);
    c.input_components = 3, c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 100, TRUE);
    jpeg_start_compress(&c, TRUE);
    for (int64_t y = 0; y < im.height; ++y) {
        JSAMPROW row = const_cast<uint8_t*>(im.rgb.data()) + y * im.width * 3;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    std::fclose(f);
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// PIL 9.4 Image.resize of pattern(5, 7) (height, width), bytes in RGB order.
TEST(Resize, MatchesPillowDownsampling) {
    Image im = pattern(5, 7);
    struct Case {
        int64_t h, w;
        int resample;
        std::vector<uint8_t> bytes;
    };
    std::vector<Case> cases = {
        {3, 4, 2, {58,  111, 159, 116, 169, 134, 162, 158, 151, 137, 109, 99,  137, 129, 105, 88,  113, 120,
                   117, 140, 136, 132, 152, 178, 88,  141, 187, 146, 158, 135, 109, 121, 95,  126, 121, 122}},
        {3, 4, 3, {55,  108, 162, 120, 175, 131, 166, 161, 155, 132, 103, 96,  145, 129, 101, 83,  109, 120,
                   117, 144, 132, 133, 154, 183, 83,  142, 190, 151, 156, 137, 106, 121, 91,  127, 124, 120}},
        {3, 4, 1, {56,  108, 166, 125, 178, 128, 165, 159, 154, 124, 99,  99,  147, 127, 100, 82,  108, 122,
                   119, 151, 126, 134, 153, 183, 77,  142, 187, 152, 151, 146, 104, 124, 91,  131, 129, 116}},
        {5, 3, 2, {32,  85,  138, 111, 164, 202, 190, 152, 95,  123, 176, 174, 187, 180, 67,
                   80,  78,  131, 159, 102, 64,  52,  90,  143, 116, 169, 222, 49,  102, 155,
                   128, 181, 159, 207, 169, 57,  140, 193, 191, 144, 91,  84,  42,  95,  148}},
    };
    for (const Case& c : cases) {
        Image out = cli::resize_image(im, c.h, c.w, c.resample);
        EXPECT_EQ(out.rgb, c.bytes) << c.h << "x" << c.w << " resample " << c.resample;
    }
}

TEST(Resize, MatchesPillowUpsampling) {
    // sum and position-weighted sum (mod 1000003) of the PIL result bytes.
    struct Case {
        int resample;
        int64_t sum, wsum;
    };
    for (Case c : {Case{3, 34081, 485729}, Case{2, 34189, 493803}}) {
        Image out = cli::resize_image(pattern(5, 7), 8, 11, c.resample);
        int64_t sum = 0, wsum = 0;
        for (size_t k = 0; k < out.rgb.size(); ++k)
            sum += out.rgb[k], wsum = (wsum + int64_t(k) * out.rgb[k]) % 1000003;
        EXPECT_EQ(sum, c.sum) << "resample " << c.resample;
        EXPECT_EQ(wsum, c.wsum) << "resample " << c.resample;
    }
}

TEST(Decode, PngRgbRgbaAndJpeg) {
    TempDir dir;
    Image im = pattern(9, 13);
    write_png(dir.path + "/rgb.png", im);
    write_png(dir.path + "/rgba.png", im, true);
    for (const char* name : {"/rgb.png", "/rgba.png"}) {
        Image back = cli::load_image(dir.path + name);
        EXPECT_EQ(back.height, 9);
        EXPECT_EQ(back.width, 13);
        EXPECT_EQ(back.rgb, im.rgb) << name << ": alpha is dropped, colors kept";
    }
    write_jpeg(dir.path + "/solid.jpg", solid(16, 24, 200, 40, 90));
    Image jpg = cli::load_image(dir.path + "/solid.jpg");
    ASSERT_EQ(jpg.height, 16);
    ASSERT_EQ(jpg.width, 24);
    for (size_t k = 0; k < jpg.rgb.size(); k += 3) {
        EXPECT_NEAR(jpg.rgb[k], 200, 3);
        EXPECT_NEAR(jpg.rgb[k + 1], 40, 3);
        EXPECT_NEAR(jpg.rgb[k + 2], 90, 3);
    }
}

TEST(Decode, RefusesOtherFilesInOneLine) {
    TempDir dir;
    write_text(dir.path + "/x.png", "not an image at all");
    try {
        cli::load_image(dir.path + "/x.png");
        FAIL() << "expected an error";
    } catch (const std::exception& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("not a PNG or JPEG file"), std::string::npos) << msg;
        EXPECT_EQ(msg.find('\n'), std::string::npos);
    }
    write_text(dir.path + "/broken.png", std::string("\x89PNG\r\n\x1a\n", 8) + "truncated");
    EXPECT_THROW(cli::load_image(dir.path + "/broken.png"), std::exception);
}

TEST(Preprocess, RescaleAndNormalizeAsViTImageProcessor) {
    auto cfg = nlohmann::json::parse(R"({"do_resize": true, "size": {"height": 30, "width": 30}, "resample": 2,
        "do_rescale": true, "rescale_factor": 0.00392156862745098, "do_normalize": true,
        "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]})");
    Tensor t = cli::preprocess(solid(17, 41, 255, 0, 128), &cfg, 30, 30);
    ASSERT_EQ(t.shape, (Shape{1, 3, 30, 30}));
    const float* p = t.ptr<float>();
    for (int64_t k = 0; k < 900; ++k) {
        EXPECT_FLOAT_EQ(p[k], 1.f);
        EXPECT_FLOAT_EQ(p[900 + k], -1.f);
        EXPECT_NEAR(p[1800 + k], (128.0 / 255.0 - 0.5) / 0.5, 1e-6);
    }
    // Without a preprocessor config: resize and rescale only.
    Tensor plain = cli::preprocess(solid(5, 5, 51, 102, 255), nullptr, 8, 8);
    EXPECT_NEAR(plain.ptr<float>()[0], 0.2, 1e-6);
    EXPECT_NEAR(plain.ptr<float>()[64], 0.4, 1e-6);
    EXPECT_NEAR(plain.ptr<float>()[128], 1.0, 1e-6);
}

TEST(Preprocess, ShortestEdgeThenCenterCropAsCLIPImageProcessor) {
    // 20 x 40 (h x w) -> shortest edge 10 -> 10 x 20 -> center crop 10 x 10 = columns 5..14 of the resized image.
    auto cfg = nlohmann::json::parse(R"({"image_processor_type": "CLIPImageProcessor", "do_resize": true,
        "size": {"shortest_edge": 10}, "resample": 3, "do_center_crop": true, "crop_size": {"height": 10, "width": 10},
        "do_rescale": true, "rescale_factor": 0.00392156862745098, "do_normalize": false})");
    Image im = pattern(20, 40);
    Tensor t = cli::preprocess(im, &cfg, 10, 10);
    Image expect = cli::center_crop(cli::resize_image(im, 10, 20, 3), 10, 10);
    for (int64_t y = 0; y < 10; ++y)
        for (int64_t x = 0; x < 10; ++x)
            for (int64_t c = 0; c < 3; ++c)
                EXPECT_FLOAT_EQ(t.ptr<float>()[c * 100 + y * 10 + x],
                                float(expect.rgb[size_t((y * 10 + x) * 3 + c)] * 0.00392156862745098));
    Image crop = cli::center_crop(im, 10, 10);
    EXPECT_EQ(crop.rgb[0], im.rgb[size_t((5 * 40 + 15) * 3)]) << "top = (20-10)/2, left = (40-10)/2";
}

TEST(Preprocess, CropPctAsConvNextImageProcessor) {
    // shortest_edge 16 < 384: resize the shorter side to int(16 / 0.875) = 18, then center crop 16 x 16.
    auto cfg = nlohmann::json::parse(R"({"image_processor_type": "ConvNextImageProcessor", "do_resize": true,
        "size": {"shortest_edge": 16}, "crop_pct": 0.875, "resample": 3, "do_rescale": false, "do_normalize": false})");
    Image im = pattern(20, 40);
    Tensor t = cli::preprocess(im, &cfg, 16, 16);
    Image expect = cli::center_crop(cli::resize_image(im, 18, 36, 3), 16, 16);
    for (int64_t k = 0; k < 256; ++k) EXPECT_FLOAT_EQ(t.ptr<float>()[256 + k], float(expect.rgb[size_t(k * 3 + 1)]));
}

using Result = CliResult;
Result run(const std::string& args) { return run_cli(args); }

TEST(RunImage, PrintsTopClassesOfAnExportedClassifier) {
    TempDir dir;
    std::string fixture = std::string(HFX_FIXTURES_DIR) + "/vit/image-classification";
    // A checkpoint folder with its own labels and a ViT preprocessor config.
    std::string ckpt = dir.path + "/ckpt";
    fs::create_directories(ckpt);
    fs::copy_file(fixture + "/model.safetensors", ckpt + "/model.safetensors");
    auto config = nlohmann::json::parse(std::ifstream(fixture + "/config.json"));
    config["id2label"] = {{"0", "tabby cat"}, {"1", "golden retriever"}, {"2", "teapot"}};
    std::ofstream(ckpt + "/config.json") << config.dump();
    std::string pre =
        R"({"image_processor_type": "ViTImageProcessor", "do_resize": true, "size": {"height": 30, "width": 30},
        "resample": 2, "do_rescale": true, "rescale_factor": 0.00392156862745098, "do_normalize": true,
        "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]})";
    write_text(ckpt + "/preprocessor_config.json", pre);
    Image im = pattern(48, 64);
    write_png(dir.path + "/cat.png", im);

    // The export leaves config.json and preprocessor_config.json beside model.onnx, as transformers.onnx does.
    Result exp = run("export --model " + ckpt + " --feature image-classification --no-validate " + dir.path + "/onnx");
    ASSERT_EQ(exp.code, 0) << exp.err;
    ASSERT_TRUE(fs::exists(dir.path + "/onnx/preprocessor_config.json"));

    Result r = run("run " + dir.path + "/onnx/model.onnx --image " + dir.path + "/cat.png");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("top-3:"), std::string::npos) << r.out;  // 3 labels: top-5 shows all

    // The same preprocessing and model in process: the printed ranking must be argmax first.
    auto pre_json = nlohmann::json::parse(pre);
    rt::Session session(dir.path + "/onnx/model.onnx");
    Tensor logits = session.run({"logits"}, {{"pixel_values", cli::preprocess(im, &pre_json, 30, 30)}})[0];
    const float* p = logits.ptr<float>();
    int64_t best = std::max_element(p, p + 3) - p;
    std::string names[] = {"tabby cat", "golden retriever", "teapot"};
    std::regex first(R"(1\. ([a-z ]+) \((\d)\)  p=([0-9.]+)  logit=(-?[0-9.]+))");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, first)) << r.out;
    EXPECT_EQ(m[1].str(), names[best]);
    EXPECT_EQ(std::stoll(m[2].str()), best);
    EXPECT_NEAR(std::stod(m[4].str()), p[best], 1e-3);

    // --model-dir names the checkpoint explicitly; --top limits the list.
    fs::remove(dir.path + "/onnx/preprocessor_config.json");
    Result top1 =
        run("run " + dir.path + "/onnx/model.onnx --image " + dir.path + "/cat.png --top 1 --model-dir " + ckpt);
    ASSERT_EQ(top1.code, 0) << top1.err;
    EXPECT_NE(top1.out.find("top-1:\n  1. " + names[best]), std::string::npos) << top1.out;
    EXPECT_EQ(top1.out.find("2. "), std::string::npos) << top1.out;
}

TEST(RunImage, RefusesWhatItCannotFeed) {
    TempDir dir;
    std::string text = std::string(HFX_FIXTURES_DIR) + "/bert/sequence-classification";
    ASSERT_EQ(
        run("export --model " + text + " --feature sequence-classification --no-validate " + dir.path + "/bert").code,
        0);
    write_png(dir.path + "/x.png", pattern(4, 4));
    Result r = run("run " + dir.path + "/bert/model.onnx --image " + dir.path + "/x.png");
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("--image only fills pixel_values"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

    Result both = run("run " + dir.path + "/bert/model.onnx --image " + dir.path + "/x.png --random batch=1");
    EXPECT_NE(both.code, 0);
    EXPECT_NE(both.err.find("give --inputs FILE, --random SIZES or --image FILE"), std::string::npos) << both.err;
}

}  // namespace
}  // namespace hfx::test
