#include "trainer/gif_writer.h"

#include <gif_lib.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace dibr {
namespace {

// 216 colours of the cube, then 40 grays between them.
ColorMapObject* make_palette() {
  ColorMapObject* map = GifMakeMapObject(256, nullptr);
  if (!map) throw std::runtime_error("write_gif: out of memory");
  int i = 0;
  for (int r = 0; r < 6; ++r)
    for (int g = 0; g < 6; ++g)
      for (int b = 0; b < 6; ++b, ++i) map->Colors[i] = {static_cast<GifByteType>(r * 51), static_cast<GifByteType>(g * 51), static_cast<GifByteType>(b * 51)};
  for (int k = 0; i < 256; ++i, ++k) {
    const auto v = static_cast<GifByteType>(std::lround(255.0 * (k + 0.5) / 40));
    map->Colors[i] = {v, v, v};
  }
  return map;
}

GifByteType nearest(const uint8_t* rgb) {
  const int r = rgb[0], g = rgb[1], b = rgb[2];
  const int cube = ((r + 25) / 51) * 36 + ((g + 25) / 51) * 6 + (b + 25) / 51;
  // Near-gray pixels take the finer gray ramp.
  if (std::abs(r - g) < 8 && std::abs(g - b) < 8) {
    const int gray = 216 + std::min(39, (r + g + b) / 3 * 40 / 256);
    return static_cast<GifByteType>(gray);
  }
  return static_cast<GifByteType>(cube);
}

[[noreturn]] void fail(const std::string& path, int code) {
  throw std::runtime_error("write_gif: " + path + ": " + GifErrorString(code));
}

}  // namespace

void write_gif(const std::string& path, const std::vector<at::Tensor>& frames, int delay) {
  if (frames.empty()) throw std::runtime_error("write_gif: " + path + ": no frames");
  const int64_t h = frames[0].size(0), w = frames[0].size(1);
  for (const auto& f : frames)
    if (f.dim() != 3 || f.size(0) != h || f.size(1) != w || f.size(2) != 3)
      throw std::runtime_error("write_gif: " + path + ": every frame must be (H,W,3) of one size");
  int err = 0;
  GifFileType* gif = EGifOpenFileName(path.c_str(), false, &err);
  if (!gif) fail(path, err);
  ColorMapObject* palette = make_palette();
  auto close = [&](bool ok) {
    const int write_error = ok ? 0 : gif->Error;  // read before EGifCloseFile frees gif
    int close_err = 0;
    const int rc = EGifCloseFile(gif, &close_err);
    GifFreeMapObject(palette);  // EGifPutScreenDesc keeps a copy
    if (!ok || rc == GIF_ERROR) {
      std::remove(path.c_str());
      fail(path, ok ? close_err : write_error);
    }
  };
  EGifSetGifVersion(gif, true);
  bool ok = EGifPutScreenDesc(gif, static_cast<int>(w), static_cast<int>(h), 8, 0, palette) != GIF_ERROR;
  // Loop forever (the NETSCAPE2.0 application extension).
  static const GifByteType loop[] = {1, 0, 0};
  ok = ok && EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) != GIF_ERROR &&
       EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") != GIF_ERROR && EGifPutExtensionBlock(gif, 3, loop) != GIF_ERROR &&
       EGifPutExtensionTrailer(gif) != GIF_ERROR;
  std::vector<GifByteType> row(static_cast<size_t>(w));
  for (const auto& frame : frames) {
    if (!ok) break;
    at::Tensor f = frame.detach().to(torch::kCPU);
    if (f.scalar_type() != torch::kUInt8) f = f.to(torch::kFloat32).clamp(0, 1).mul(255).round().to(torch::kUInt8);
    f = f.contiguous();
    const GifByteType control[] = {0, static_cast<GifByteType>(delay & 0xff), static_cast<GifByteType>((delay >> 8) & 0xff), 0};
    ok = EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, control) != GIF_ERROR &&
         EGifPutImageDesc(gif, 0, 0, static_cast<int>(w), static_cast<int>(h), false, nullptr) != GIF_ERROR;
    const uint8_t* p = f.data_ptr<uint8_t>();
    for (int64_t y = 0; ok && y < h; ++y) {
      for (int64_t x = 0; x < w; ++x) row[x] = nearest(p + (y * w + x) * 3);
      ok = EGifPutLine(gif, row.data(), static_cast<int>(w)) != GIF_ERROR;
    }
  }
  close(ok);
}

GifInfo read_gif_info(const std::string& path) {
  int err = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &err);
  if (!gif) throw std::runtime_error("read_gif_info: " + path + ": " + GifErrorString(err));
  const int rc = DGifSlurp(gif);
  GifInfo info{gif->ImageCount, gif->SWidth, gif->SHeight};
  const int slurp_error = gif->Error;
  DGifCloseFile(gif, &err);
  if (rc == GIF_ERROR) throw std::runtime_error("read_gif_info: " + path + ": " + GifErrorString(slurp_error));
  return info;
}

}  // namespace dibr
