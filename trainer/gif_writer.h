#pragma once
// Animated GIFs through giflib: frames quantised to a fixed 6x6x6 colour cube plus grays, looping forever.
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace dibr {

// frames: each (H,W,3) float in [0,1] (or uint8), all the same size; delay in hundredths of a second.
// Throws std::runtime_error naming the file.
void write_gif(const std::string& path, const std::vector<at::Tensor>& frames, int delay_centiseconds = 10);
// The frame count and size of a GIF (for tests and checks). Throws std::runtime_error naming the file.
struct GifInfo {
  int frames = 0, width = 0, height = 0;
};
GifInfo read_gif_info(const std::string& path);

}  // namespace dibr
