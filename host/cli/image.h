// Images for `hfexport run --image`: PNG (libpng) and JPEG (libjpeg) decoding,
// and the preprocessing of a checkpoint's preprocessor_config.json as the
// transformers image processors apply it (resize with PIL's resampling filters,
// center crop, rescale, normalize) into pixel_values [1, channels, height, width].
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace hfx::cli {

// 8-bit RGB, row-major [height, width, 3].
struct Image {
    int64_t height = 0, width = 0;
    std::vector<uint8_t> rgb;
};

// Decodes a PNG or JPEG file (told apart by its signature); gray and alpha become RGB.
Image load_image(const std::string& path);

// PIL.Image.resize with `resample` as PIL numbers it (0 nearest, 1 lanczos,
// 2 bilinear, 3 bicubic, 4 box, 5 hamming), 8-bit as PIL computes it.
Image resize_image(const Image& im, int64_t height, int64_t width, int resample);

// transformers' center_crop: the centered height x width window (top/left rounded down).
Image center_crop(const Image& im, int64_t height, int64_t width);

// The preprocessor_config.json steps (or, with `config` null, a plain resize to
// the model's size and rescale by 1/255), ending at exactly height x width.
Tensor preprocess(const Image& im, const nlohmann::json* config, int64_t height, int64_t width);

}  // namespace hfx::cli
