#pragma once
// Users' own pictures for `dibr reconstruct` and the studio: PNG, JPEG, BMP and TGA of any size up to a limit,
// RGB, RGBA, grayscale (with alpha), 8 or 16 bits. Dataset files keep the strict PNG-only reader (image_io.h).
#include <ATen/core/Tensor.h>

#include <string>

namespace dibr {

// Larger images are refused from their header, before they are decoded.
constexpr int kMaxUserImageSide = 8192;

struct UserImage {
  at::Tensor rgb;    // (3,H,W) float32 in [0,1]
  at::Tensor alpha;  // (H,W) float32 in [0,1]; all ones when the file has no alpha channel
  bool has_alpha = false;
};

// Throws std::runtime_error naming the file: unreadable, truncated, not an image, or over the size limit.
UserImage read_user_image(const std::string& path);
// A grayscale reading of a mask file (any channel count: the first colour channel, or alpha for a pure alpha
// mask), (H,W) float32 in [0,1].
at::Tensor read_user_mask(const std::string& path);

}  // namespace dibr
