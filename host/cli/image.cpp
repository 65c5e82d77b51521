#include "cli/image.h"

#include <jpeglib.h>
#include <png.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <fstream>
#include <memory>

#include "core/error.h"

namespace hfx::cli {

namespace {

Image load_png(const std::string& path) {
    png_image png{};
    png.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&png, path.c_str())) fail("image '", path, "': ", png.message);
    png.format = PNG_FORMAT_RGBA;  // gray expands; alpha is dropped below, as PIL's convert("RGB")
    std::vector<uint8_t> rgba(PNG_IMAGE_SIZE(png));
    if (!png_image_finish_read(&png, nullptr, rgba.data(), 0, nullptr)) {
        std::string msg = png.message;
        png_image_free(&png);
        fail("image '", path, "': ", msg);
    }
    Image im;
    im.height = png.height, im.width = png.width;
    im.rgb.resize(size_t(im.height * im.width * 3));
    for (size_t k = 0; k < size_t(im.height * im.width); ++k)
        for (size_t c = 0; c < 3; ++c) im.rgb[k * 3 + c] = rgba[k * 4 + c];
    return im;
}

struct JpegError {
    jpeg_error_mgr mgr;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

Image load_jpeg(const std::string& path) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) fail("image '", path, "': cannot open");
    jpeg_decompress_struct cinfo{};
    JpegError err{};
    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = [](j_common_ptr c) {
        auto* e = reinterpret_cast<JpegError*>(c->err);
        e->mgr.format_message(c, e->message);
        std::longjmp(e->jump, 1);
    };
    Image im;  // declared before setjmp: the longjmp below skips no destructor
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        fail("image '", path, "': ", err.message);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, file.get());
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_RGB;  // gray becomes RGB; CMYK is refused by libjpeg
    jpeg_start_decompress(&cinfo);
    im.height = cinfo.output_height, im.width = cinfo.output_width;
    im.rgb.resize(size_t(im.height * im.width * 3));
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = im.rgb.data() + size_t(cinfo.output_scanline) * size_t(im.width) * 3;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return im;
}

// PIL's resampling filters (Resample.c), with their support radius.
struct Filter {
    double support;
    double (*f)(double);
};

double sinc(double x) {
    if (x == 0.0) return 1.0;
    x *= M_PI;
    return std::sin(x) / x;
}

Filter filter_for(int resample) {
    switch (resample) {
        case 1:
            return {3.0, [](double x) { return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0; }};
        case 2:
            return {1.0, [](double x) {
                        x = std::fabs(x);
                        return x < 1.0 ? 1.0 - x : 0.0;
                    }};
        case 3:
            return {2.0, [](double x) {
                        const double a = -0.5;
                        x = std::fabs(x);
                        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
                        return 0.0;
                    }};
        case 4:
            return {0.5, [](double x) { return x > -0.5 && x <= 0.5 ? 1.0 : 0.0; }};
        case 5:
            return {1.0, [](double x) {
                        x = std::fabs(x);
                        if (x == 0.0) return 1.0;
                        if (x >= 1.0) return 0.0;
                        x *= M_PI;
                        return std::sin(x) / x * (0.54 + 0.46 * std::cos(x));
                    }};
        default:
            fail("preprocessor 'resample': filter ", std::to_string(resample), " is not supported");
    }
}

// One axis of PIL's ImagingResample for 8-bit data: fixed-point coefficients
// (22 fractional bits), rounded and clipped to 0..255 after the pass.
// Resamples `count` lines of `in_size` samples spaced by `stride` (pixels) into `out_size`.
struct Coefficients {
    std::vector<int64_t> start;
    std::vector<std::vector<int32_t>> k;
};

Coefficients precompute(int64_t in_size, int64_t out_size, const Filter& filter) {
    constexpr int kPrecision = 32 - 8 - 2;
    double scale = double(in_size) / double(out_size), filterscale = std::max(scale, 1.0);
    double support = filter.support * filterscale;
    Coefficients c;
    for (int64_t xx = 0; xx < out_size; ++xx) {
        double center = (double(xx) + 0.5) * scale, ss = 1.0 / filterscale;
        int64_t xmin = std::max<int64_t>(0, int64_t(center - support + 0.5));
        int64_t xmax = std::min<int64_t>(in_size, int64_t(center + support + 0.5)) - xmin;
        std::vector<double> w(size_t(std::max<int64_t>(xmax, 0)));
        double total = 0;
        for (int64_t x = 0; x < xmax; ++x) total += w[size_t(x)] = filter.f((double(x + xmin) - center + 0.5) * ss);
        std::vector<int32_t> k;
        for (double v : w) {
            double n = total != 0.0 ? v / total : v;
            k.push_back(int32_t(n < 0 ? -0.5 + n * (1 << kPrecision) : 0.5 + n * (1 << kPrecision)));
        }
        c.start.push_back(xmin);
        c.k.push_back(std::move(k));
    }
    return c;
}

Image resample_axis(const Image& im, int64_t out_size, bool horizontal, const Filter& filter) {
    constexpr int kPrecision = 32 - 8 - 2;
    int64_t in_size = horizontal ? im.width : im.height;
    Coefficients co = precompute(in_size, out_size, filter);
    Image out;
    out.height = horizontal ? im.height : out_size;
    out.width = horizontal ? out_size : im.width;
    out.rgb.resize(size_t(out.height * out.width * 3));
    for (int64_t y = 0; y < out.height; ++y)
        for (int64_t x = 0; x < out.width; ++x)
            for (int64_t ch = 0; ch < 3; ++ch) {
                int64_t o = horizontal ? x : y;
                int64_t acc = int64_t(1) << (kPrecision - 1);
                const auto& k = co.k[size_t(o)];
                for (size_t t = 0; t < k.size(); ++t) {
                    int64_t src = co.start[size_t(o)] + int64_t(t);
                    int64_t sy = horizontal ? y : src, sx = horizontal ? src : x;
                    acc += int64_t(im.rgb[size_t((sy * im.width + sx) * 3 + ch)]) * k[t];
                }
                out.rgb[size_t((y * out.width + x) * 3 + ch)] = uint8_t(std::clamp<int64_t>(acc >> kPrecision, 0, 255));
            }
    return out;
}

// get_resize_output_image_size(default_to_square=False): the shorter side becomes `shortest`.
std::pair<int64_t, int64_t> shortest_edge_size(const Image& im, int64_t shortest) {
    bool portrait = im.width <= im.height;
    int64_t short_side = portrait ? im.width : im.height, long_side = portrait ? im.height : im.width;
    int64_t new_long = int64_t(double(shortest) * double(long_side) / double(short_side));
    return portrait ? std::pair{new_long, shortest} : std::pair{shortest, new_long};
}

int64_t json_int(const nlohmann::json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_number()) fail("preprocessor '", key, "': expected a number");
    return j[key].get<int64_t>();
}

}  // namespace

Image load_image(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("image '", path, "': cannot open");
    unsigned char sig[8] = {};
    in.read(reinterpret_cast<char*>(sig), 8);
    if (in.gcount() == 8 && png_sig_cmp(sig, 0, 8) == 0) return load_png(path);
    if (in.gcount() >= 3 && sig[0] == 0xFF && sig[1] == 0xD8 && sig[2] == 0xFF) return load_jpeg(path);
    fail("image '", path, "': not a PNG or JPEG file");
}

Image resize_image(const Image& im, int64_t height, int64_t width, int resample) {
    if (height <= 0 || width <= 0)
        fail("preprocessor 'size': ", std::to_string(height), "x", std::to_string(width), " is empty");
    if (resample == 0) {  // nearest: the source pixel under each output pixel's center
        Image out{height, width, std::vector<uint8_t>(size_t(height * width * 3))};
        for (int64_t y = 0; y < height; ++y)
            for (int64_t x = 0; x < width; ++x) {
                int64_t sy = std::min(im.height - 1, int64_t((double(y) + 0.5) * double(im.height) / double(height)));
                int64_t sx = std::min(im.width - 1, int64_t((double(x) + 0.5) * double(im.width) / double(width)));
                std::copy_n(&im.rgb[size_t((sy * im.width + sx) * 3)], 3, &out.rgb[size_t((y * width + x) * 3)]);
            }
        return out;
    }
    Filter filter = filter_for(resample);
    Image out = im;
    if (width != im.width) out = resample_axis(out, width, true, filter);
    if (height != im.height) out = resample_axis(out, height, false, filter);
    return out;
}

Image center_crop(const Image& im, int64_t height, int64_t width) {
    Image out{height, width, std::vector<uint8_t>(size_t(height * width * 3), 0)};
    int64_t top = (im.height - height) / 2, left = (im.width - width) / 2;  // negative: zero padding
    for (int64_t y = 0; y < height; ++y)
        for (int64_t x = 0; x < width; ++x) {
            int64_t sy = y + top, sx = x + left;
            if (sy < 0 || sx < 0 || sy >= im.height || sx >= im.width) continue;
            std::copy_n(&im.rgb[size_t((sy * im.width + sx) * 3)], 3, &out.rgb[size_t((y * width + x) * 3)]);
        }
    return out;
}

Tensor preprocess(const Image& input, const nlohmann::json* config, int64_t height, int64_t width) {
    static const nlohmann::json kNone = nlohmann::json::object();
    const nlohmann::json& cfg = config ? *config : kNone;
    auto flag = [&](const char* key, bool fallback) { return cfg.contains(key) ? cfg[key].get<bool>() : fallback; };
    int resample = cfg.value("resample", 2);
    Image im = input;
    // CLIP and ConvNext processors read an int `size` as the shorter side; the others as a square.
    std::string type = cfg.value("image_processor_type", cfg.value("feature_extractor_type", std::string()));
    bool int_is_shortest = type.find("CLIP") != std::string::npos || type.find("ConvNext") != std::string::npos;
    if (config && flag("do_resize", true) && cfg.contains("size")) {
        const nlohmann::json& size = cfg["size"];
        if (size.is_object() && size.contains("height")) {
            im = resize_image(im, json_int(size, "height"), json_int(size, "width"), resample);
        } else if ((size.is_object() && size.contains("shortest_edge")) || (size.is_number() && int_is_shortest)) {
            int64_t shortest = size.is_number() ? size.get<int64_t>() : json_int(size, "shortest_edge");
            if (cfg.contains("crop_pct") && shortest < 384) {  // ConvNextImageProcessor
                auto [h, w] = shortest_edge_size(im, int64_t(double(shortest) / cfg["crop_pct"].get<double>()));
                im = center_crop(resize_image(im, h, w, resample), shortest, shortest);
            } else if (cfg.contains("crop_pct")) {
                im = resize_image(im, shortest, shortest, resample);
            } else {
                auto [h, w] = shortest_edge_size(im, shortest);
                im = resize_image(im, h, w, resample);
            }
        } else if (size.is_number()) {
            im = resize_image(im, size.get<int64_t>(), size.get<int64_t>(), resample);
        } else {
            fail("preprocessor 'size': expected a number, {height, width} or {shortest_edge}");
        }
    }
    if (config && flag("do_center_crop", false) && cfg.contains("crop_size")) {
        const nlohmann::json& crop = cfg["crop_size"];
        int64_t ch = crop.is_number() ? crop.get<int64_t>() : json_int(crop, "height");
        int64_t cw = crop.is_number() ? crop.get<int64_t>() : json_int(crop, "width");
        im = center_crop(im, ch, cw);
    }
    // Whatever the processor did, the graph takes exactly height x width.
    if (im.height != height || im.width != width) im = resize_image(im, height, width, resample);

    double scale = !config || flag("do_rescale", true) ? cfg.value("rescale_factor", 1.0 / 255.0) : 1.0;
    std::vector<double> mean(3, 0.0), std(3, 1.0);
    if (config && flag("do_normalize", false)) {
        auto channels = [&](const char* key, std::vector<double>& out) {
            if (!cfg.contains(key)) return;
            const nlohmann::json& v = cfg[key];
            for (size_t c = 0; c < 3; ++c)
                out[c] = v.is_array() ? v.at(v.size() == 1 ? 0 : c).get<double>() : v.get<double>();
        };
        channels("image_mean", mean);
        channels("image_std", std);
    }
    Tensor t = Tensor::empty(DType::f32, {1, 3, height, width});
    float* p = t.ptr<float>();
    for (int64_t c = 0; c < 3; ++c)
        for (int64_t k = 0; k < height * width; ++k) {
            float rescaled = float(double(im.rgb[size_t(k * 3 + c)]) * scale);  // rescale() yields float32
            p[c * height * width + k] = float((double(rescaled) - mean[size_t(c)]) / std[size_t(c)]);
        }
    return t;
}

}  // namespace hfx::cli
