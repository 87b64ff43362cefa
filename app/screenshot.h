#pragma once
// PNG screenshots of what GL has drawn.
#include <cstdint>
#include <string>
#include <vector>

namespace dibr {

// Reads the back buffer of the default framebuffer (call after rendering, before swapping), flips it to
// top-row-first and writes an RGB PNG. Throws std::runtime_error naming the path when the folder does
// not exist or the file cannot be written.
void save_framebuffer_png(const std::string& path, int width, int height);

// The rectangle (x, y, width, height; top-left origin, framebuffer pixels, clamped to it) of the back buffer.
void save_framebuffer_region_png(const std::string& path, int framebuffer_width, int framebuffer_height, int x, int y,
                                 int width, int height);

// Writes RGBA8 pixels given bottom row first (glReadPixels order, e.g. MeshViewport::read_pixels()).
void save_rgba_png(const std::string& path, const std::vector<std::uint8_t>& rgba_bottom_up, int width, int height);

}  // namespace dibr
