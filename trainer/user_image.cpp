#include "trainer/user_image.h"

#include <torch/torch.h>

#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

// stb is third-party C; its warnings are not ours to fix. This translation unit has its own static copy, with the
// formats users' pictures come in; the dataset reader stays PNG-only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_TGA
#include <stb_image.h>
#pragma GCC diagnostic pop

namespace dibr {
namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// (H,W,C) float in [0,1], C the file's channel count (1..4), 8 or 16 bits.
at::Tensor decode(const std::string& path) {
  const std::string bytes = read_bytes(path);
  if (bytes.empty()) throw std::runtime_error(path + ": empty file");
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) throw std::runtime_error(path + ": larger than 2 GB");
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int len = static_cast<int>(bytes.size());
  int w = 0, h = 0, c = 0;
  if (!stbi_info_from_memory(data, len, &w, &h, &c))
    throw std::runtime_error(path + ": not a readable PNG, JPEG, BMP or TGA image (" + stbi_failure_reason() + ")");
  if (w > kMaxUserImageSide || h > kMaxUserImageSide)
    throw std::runtime_error(path + ": " + std::to_string(w) + "x" + std::to_string(h) + " is larger than the " +
                             std::to_string(kMaxUserImageSide) + "x" + std::to_string(kMaxUserImageSide) + " limit");
  at::Tensor out;
  if (stbi_is_16_bit_from_memory(data, len)) {
    stbi_us* pixels = stbi_load_16_from_memory(data, len, &w, &h, &c, 0);
    if (!pixels) throw std::runtime_error(path + ": cannot decode (" + std::string(stbi_failure_reason()) + ")");
    out = torch::from_blob(pixels, {h * w * c}, torch::TensorOptions().dtype(torch::kInt16)).clone();
    stbi_image_free(pixels);
    // uint16 stored as int16 bits: reinterpret through int32.
    out = out.to(torch::kInt32).bitwise_and(0xffff).to(torch::kFloat32).div_(65535.0f).reshape({h, w, c});
  } else {
    stbi_uc* pixels = stbi_load_from_memory(data, len, &w, &h, &c, 0);
    if (!pixels) throw std::runtime_error(path + ": cannot decode (" + std::string(stbi_failure_reason()) + ")");
    out = torch::from_blob(pixels, {h, w, c}, torch::kUInt8).to(torch::kFloat32).div_(255.0f);
    stbi_image_free(pixels);
  }
  return out;
}

}  // namespace

UserImage read_user_image(const std::string& path) {
  const at::Tensor hwc = decode(path);
  const int64_t c = hwc.size(2);
  UserImage img;
  const at::Tensor colour = c >= 3 ? hwc.slice(2, 0, 3) : hwc.slice(2, 0, 1).expand({-1, -1, 3});
  img.rgb = colour.permute({2, 0, 1}).contiguous();
  img.has_alpha = c == 2 || c == 4;
  img.alpha = img.has_alpha ? hwc.select(2, c - 1).contiguous() : torch::ones({hwc.size(0), hwc.size(1)});
  return img;
}

at::Tensor read_user_mask(const std::string& path) {
  const at::Tensor hwc = decode(path);
  const int64_t c = hwc.size(2);
  // A mask drawn as transparency (colour constant, alpha varying) is read from its alpha.
  if ((c == 2 || c == 4) && hwc.select(2, 0).max().item<float>() - hwc.select(2, 0).min().item<float>() < 1e-3f)
    return hwc.select(2, c - 1).contiguous();
  return hwc.select(2, 0).contiguous();
}

}  // namespace dibr
