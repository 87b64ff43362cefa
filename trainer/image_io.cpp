#include "trainer/image_io.h"

#include <torch/torch.h>

#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

// stb is third-party C; its warnings are not ours to fix.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#include <stb_image.h>
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#pragma GCC diagnostic pop

namespace dibr {

at::Tensor decode_png(const std::string& bytes, const std::string& name, int channels) {
  if (channels != 0 && channels != 1 && channels != 3 && channels != 4)
    throw std::invalid_argument("read_png: channels must be 0, 1, 3 or 4, got " + std::to_string(channels) +
                                " (" + name + ")");
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    throw std::runtime_error("read_png: " + name + " is larger than 2 GB");
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int len = static_cast<int>(bytes.size());
  int w = 0, h = 0, file_channels = 0;
  if (!stbi_info_from_memory(data, len, &w, &h, &file_channels))
    throw std::runtime_error("read_png: cannot read " + name + ": " + stbi_failure_reason());
  if (w > kMaxImageSide || h > kMaxImageSide)
    throw std::runtime_error("read_png: " + name + " is " + std::to_string(w) + "x" + std::to_string(h) +
                             ", larger than the " + std::to_string(kMaxImageSide) + "x" + std::to_string(kMaxImageSide) +
                             " limit for dataset images");
  stbi_uc* pixels = stbi_load_from_memory(data, len, &w, &h, &file_channels, channels);
  if (!pixels) throw std::runtime_error("read_png: cannot read " + name + ": " + stbi_failure_reason());
  const int c = channels ? channels : file_channels;
  auto out = torch::empty({h, w, c}, torch::kUInt8);
  std::memcpy(out.data_ptr<uint8_t>(), pixels, static_cast<size_t>(w) * h * c);
  stbi_image_free(pixels);
  return out;
}

at::Tensor read_png(const std::string& path, int channels) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("read_png: cannot open " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return decode_png(bytes.str(), path, channels);
}

namespace {
void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
}
}  // namespace

void write_png(const std::string& path, const at::Tensor& image) {
  TORCH_CHECK(image.defined() && image.dim() == 3, "write_png: image must be (H,W,C) for ", path, ", got ",
              image.defined() ? image.sizes() : at::IntArrayRef{});
  const int64_t h = image.size(0), w = image.size(1), c = image.size(2);
  TORCH_CHECK(c == 1 || c == 3 || c == 4, "write_png: channels must be 1, 3 or 4 for ", path, ", got ", c);
  TORCH_CHECK(h > 0 && w > 0, "write_png: empty image for ", path);
  auto img = image.detach().to(at::kCPU);
  if (img.scalar_type() != at::kByte) {
    TORCH_CHECK(img.is_floating_point(), "write_png: image must be uint8 or floating point in [0,1] for ", path);
    img = img.to(at::kFloat).clamp(0.0, 1.0).mul(255.0).round().to(at::kByte);
  }
  img = img.contiguous();
  std::string png;
  if (!stbi_write_png_to_func(append_bytes, &png, static_cast<int>(w), static_cast<int>(h), static_cast<int>(c),
                              img.data_ptr<uint8_t>(), static_cast<int>(w * c)))
    throw std::runtime_error("write_png: cannot encode " + path);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("write_png: cannot create " + path);
  out.write(png.data(), static_cast<std::streamsize>(png.size()));
  if (!out) throw std::runtime_error("write_png: write error on " + path);
}

}  // namespace dibr
