#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "app/mesh_viewport.h"
#include "app/screenshot.h"
#include "gl_test_context.h"

namespace {

class ScreenshotGl : public dibr::test::GlContext {
 protected:
  void SetUp() override {
    GlContext::SetUp();
    dir_ = std::filesystem::temp_directory_path() / ("dibr_screenshot_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

}  // namespace

TEST_F(ScreenshotGl, WritesTheBackBufferTopRowFirst) {
  int width = 0, height = 0;
  glfwGetFramebufferSize(window(), &width, &height);
  ASSERT_GT(width, 8);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glViewport(0, 0, width, height);
  glDisable(GL_SCISSOR_TEST);
  glClearColor(0.0f, 0.0f, 1.0f, 1.0f);  // blue everywhere
  glClear(GL_COLOR_BUFFER_BIT);
  glEnable(GL_SCISSOR_TEST);  // then a red band over the top quarter
  glScissor(0, height - height / 4, width, height / 4);
  glClearColor(1.0f, 0.0f, 0.0f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  glDisable(GL_SCISSOR_TEST);

  const std::string path = (dir_ / "shot.png").string();
  dibr::save_framebuffer_png(path, width, height);
  const cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  ASSERT_FALSE(image.empty()) << path;
  EXPECT_EQ(image.cols, width);
  EXPECT_EQ(image.rows, height);
  const cv::Vec3b top = image.at<cv::Vec3b>(1, width / 2), bottom = image.at<cv::Vec3b>(height - 2, width / 2);
  EXPECT_EQ(top, cv::Vec3b(0, 0, 255));     // BGR red
  EXPECT_EQ(bottom, cv::Vec3b(255, 0, 0));  // BGR blue
}

TEST_F(ScreenshotGl, MissingFolderIsAClearError) {
  const std::string path = (dir_ / "no_such_folder" / "shot.png").string();
  try {
    dibr::save_framebuffer_png(path, 16, 16);
    FAIL() << "wrote into a missing folder";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_folder"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dibr::save_framebuffer_png((dir_ / "shot.unknown_format").string(), 16, 16), std::runtime_error);
  EXPECT_THROW(dibr::save_framebuffer_png((dir_ / "empty.png").string(), 0, 16), std::runtime_error);
}

TEST_F(ScreenshotGl, ViewportPixelsRoundTrip) {
  dibr::MeshViewport view;
  view.render(40, 30);
  const auto pixels = view.read_pixels();
  const std::string path = (dir_ / "viewport.png").string();
  dibr::save_rgba_png(path, pixels, 40, 30);
  const cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  ASSERT_EQ(image.cols, 40);
  ASSERT_EQ(image.rows, 30);
  // Bottom-up GL row 0 is the last image row.
  const cv::Vec3b last = image.at<cv::Vec3b>(29, 5);
  EXPECT_EQ(last, cv::Vec3b(pixels[5 * 4 + 2], pixels[5 * 4 + 1], pixels[5 * 4 + 0]));
  EXPECT_THROW(dibr::save_rgba_png(path, pixels, 41, 30), std::runtime_error);
}
