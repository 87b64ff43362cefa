#include "app/image_texture.h"

#include <epoxy/gl.h>

#include <stdexcept>
#include <string>

#include "app/gl_program.h"
#include "app/gl_tensor_buffer.h"
#include "cuda_interop/gl_buffer_interop.h"

namespace dibr {
namespace {

std::string shape_string(const at::Tensor& t) {
  std::string s = "(";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? "," : "") + std::to_string(t.size(i));
  return s + ")";
}

}  // namespace

struct ImageTexture::Impl {
  GLuint texture = 0;
  int width = 0, height = 0;
  const char* upload_path = gl::kHostUpload;
  std::unique_ptr<GlTextureInterop> interop;

  ~Impl() {
    interop.reset();  // unregister from CUDA before GL deletes the texture
    if (texture && gl::context_current()) glDeleteTextures(1, &texture);
  }
};

ImageTexture::ImageTexture() : impl_(std::make_unique<Impl>()) {}
ImageTexture::ImageTexture(const at::Tensor& image) : ImageTexture() { set(image); }
ImageTexture::~ImageTexture() = default;
ImageTexture::ImageTexture(ImageTexture&&) noexcept = default;
ImageTexture& ImageTexture::operator=(ImageTexture&&) noexcept = default;

at::Tensor ImageTexture::to_rgba8(const at::Tensor& image) {
  if (!image.defined()) throw std::invalid_argument("ImageTexture: image is undefined");
  at::Tensor hwc;
  if (image.dim() == 2) {
    hwc = image.unsqueeze(2).expand({-1, -1, 3});
  } else if (image.dim() == 3 && (image.size(2) == 3 || image.size(2) == 1)) {
    hwc = image.expand({-1, -1, 3});
  } else if (image.dim() == 3 && (image.size(0) == 3 || image.size(0) == 1)) {
    hwc = image.permute({1, 2, 0}).expand({-1, -1, 3});
  } else {
    throw std::invalid_argument("ImageTexture: image must be (H,W), (3,H,W) or (H,W,3), got " + shape_string(image));
  }
  if (hwc.size(0) == 0 || hwc.size(1) == 0)
    throw std::invalid_argument("ImageTexture: image is empty " + shape_string(image));
  at::NoGradGuard no_grad;
  const at::Tensor rgb = (hwc.detach().to(at::kFloat).clamp(0.0, 1.0) * 255.0f).round().to(at::kByte);
  const at::Tensor alpha = at::full({rgb.size(0), rgb.size(1), 1}, 255, rgb.options());
  return at::cat({rgb, alpha}, 2).contiguous();
}

void ImageTexture::set(const at::Tensor& image) {
  const at::Tensor rgba = to_rgba8(image);
  const int h = static_cast<int>(rgba.size(0)), w = static_cast<int>(rgba.size(1));
  Impl& d = *impl_;
  if (!d.texture) glGenTextures(1, &d.texture);
  glBindTexture(GL_TEXTURE_2D, d.texture);
  if (w != d.width || h != d.height) {
    d.interop.reset();
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    // Nearest: the 64x64 renderings are shown enlarged and their pixels should stay visible.
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    d.width = w;
    d.height = h;
  }
  if (rgba.is_cuda() && interop_available()) {
    try {
      if (!d.interop) d.interop = std::make_unique<GlTextureInterop>(d.texture);
      d.interop->copy_rgba8_from_device(rgba.data_ptr<uint8_t>(), static_cast<size_t>(w) * 4, w, h);
      d.upload_path = gl::kInteropUpload;
      return;
    } catch (const InteropError&) {
      d.interop.reset();  // interop is disabled for good now; upload from the host below
    }
  }
  const at::Tensor host = rgba.is_cuda() ? rgba.cpu() : rgba;
  glBindTexture(GL_TEXTURE_2D, d.texture);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  // Row 0 of the tensor is the top of the image: it goes to texture row 0, and ImGui's default uvs
  // (0,0) top-left show it the right way up.
  glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, host.data_ptr<uint8_t>());
  d.upload_path = gl::kHostUpload;
  gl::check_error("ImageTexture::set");
}

ImTextureID ImageTexture::id() const {
  return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(impl_->texture));
}
unsigned int ImageTexture::gl_texture() const { return impl_->texture; }
int ImageTexture::width() const { return impl_->width; }
int ImageTexture::height() const { return impl_->height; }
const char* ImageTexture::upload_path() const { return impl_->upload_path; }

}  // namespace dibr
