#pragma once
// A GL texture (RGBA8) showing a tensor image in ImGui: (H,W) grey or (3,H,W) / (H,W,3) colour, values in
// [0,1] (clamped), CPU or CUDA. CUDA images go device-to-device through CUDA-GL interop when available.
// The GL texture is created on the first set(); the object must be destroyed while its context is current.
#include <ATen/core/Tensor.h>
#include <imgui.h>

#include <memory>

namespace dibr {

class ImageTexture {
 public:
  ImageTexture();
  explicit ImageTexture(const at::Tensor& image);  // needs a current GL context
  ~ImageTexture();
  ImageTexture(ImageTexture&&) noexcept;
  ImageTexture& operator=(ImageTexture&&) noexcept;

  // Replaces the image (the texture is re-allocated when the size changes). Throws std::invalid_argument
  // naming the shape when it is not one of the layouts above.
  void set(const at::Tensor& image);

  ImTextureID id() const;        // for ImGui::Image; null before the first set()
  unsigned int gl_texture() const;
  int width() const;
  int height() const;
  bool empty() const { return width() == 0; }
  const char* upload_path() const;  // "CUDA-GL interop" or "host upload"

  // (H,W,4) uint8 RGBA, alpha 255: the exact bytes set() uploads.
  static at::Tensor to_rgba8(const at::Tensor& image);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dibr
