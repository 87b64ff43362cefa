#include "app/screenshot.h"

#include <epoxy/gl.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "app/gl_program.h"

namespace dibr {
namespace {

// `top_down_bgr` is what cv::imwrite expects.
void write_png(const std::string& path, const cv::Mat& top_down_bgr) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent))
    throw std::runtime_error("screenshot: cannot write '" + path + "': folder '" + parent.string() +
                             "' does not exist");
  bool written = false;
  try {
    written = cv::imwrite(path, top_down_bgr);
  } catch (const cv::Exception& e) {
    throw std::runtime_error("screenshot: cannot write '" + path + "': " + e.what());
  }
  if (!written) throw std::runtime_error("screenshot: cannot write '" + path + "'");
}

void check_size(int width, int height) {
  if (width <= 0 || height <= 0)
    throw std::runtime_error("screenshot: size " + std::to_string(width) + "x" + std::to_string(height) +
                             " is empty");
}

}  // namespace

void save_framebuffer_region_png(const std::string& path, int fb_w, int fb_h, int x, int y, int width, int height) {
  check_size(fb_w, fb_h);
  const int x0 = std::clamp(x, 0, fb_w), y0 = std::clamp(y, 0, fb_h);
  const int x1 = std::clamp(x + width, 0, fb_w), y1 = std::clamp(y + height, 0, fb_h);
  check_size(x1 - x0, y1 - y0);
  cv::Mat bottom_up(y1 - y0, x1 - x0, CV_8UC3);
  GLint previous_fbo = 0;
  glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &previous_fbo);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
  glReadBuffer(GL_BACK);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  // GL rows count from the bottom.
  glReadPixels(x0, fb_h - y1, x1 - x0, y1 - y0, GL_RGB, GL_UNSIGNED_BYTE, bottom_up.data);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(previous_fbo));
  gl::check_error("screenshot: glReadPixels");
  cv::Mat image;
  cv::flip(bottom_up, image, 0);
  cv::cvtColor(image, image, cv::COLOR_RGB2BGR);
  write_png(path, image);
}

void save_framebuffer_png(const std::string& path, int width, int height) {
  save_framebuffer_region_png(path, width, height, 0, 0, width, height);
}

void save_rgba_png(const std::string& path, const std::vector<std::uint8_t>& rgba_bottom_up, int width, int height) {
  check_size(width, height);
  if (rgba_bottom_up.size() != static_cast<size_t>(width) * height * 4)
    throw std::runtime_error("screenshot: " + std::to_string(rgba_bottom_up.size()) + " bytes are not " +
                             std::to_string(width) + "x" + std::to_string(height) + " RGBA pixels");
  const cv::Mat bottom_up(height, width, CV_8UC4, const_cast<std::uint8_t*>(rgba_bottom_up.data()));
  cv::Mat image;
  cv::flip(bottom_up, image, 0);
  cv::cvtColor(image, image, cv::COLOR_RGBA2BGR);
  write_png(path, image);
}

}  // namespace dibr
