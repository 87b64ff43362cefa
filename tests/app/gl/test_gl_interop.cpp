#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "app/image_texture.h"
#include "app/mesh_viewport.h"
#include "cuda_interop/gl_buffer_interop.h"
#include "gl_test_context.h"

namespace {
class InteropGl : public dibr::test::GlContext {};
}  // namespace

TEST_F(InteropGl, UnavailableUnlessCudaAndAnNvidiaGlRenderer) {
  const std::string vendor = reinterpret_cast<const char*>(glGetString(GL_VENDOR));
  const bool available = dibr::interop_available();
  EXPECT_EQ(available, dibr::interop_available());  // cached
  const std::string status = dibr::interop_status();
  EXPECT_FALSE(status.empty());
  if (vendor.find("NVIDIA") == std::string::npos) {
    EXPECT_FALSE(available) << "GL vendor " << vendor << ", status: " << status;
  }
  if (!available) {
    EXPECT_EQ(status.find("CUDA-GL interop on"), std::string::npos) << status;
  }
}

TEST_F(InteropGl, CpuTensorsTakeTheHostPath) {
  dibr::MeshViewport view;
  view.set_points(torch::rand({10, 3}));
  EXPECT_STREQ(view.upload_path(), "host upload");
  dibr::ImageTexture texture(torch::rand({3, 4, 4}));
  EXPECT_STREQ(texture.upload_path(), "host upload");
}

TEST_F(InteropGl, DisablingIsPermanentAndExplained) {
  dibr::interop_disable("test: simulated CUDA error");
  EXPECT_FALSE(dibr::interop_available());
  EXPECT_NE(dibr::interop_status().find("simulated CUDA error"), std::string::npos) << dibr::interop_status();
  EXPECT_FALSE(dibr::interop_available());
}

TEST_F(InteropGl, RegisteringWhereInteropIsUnavailableThrows) {
  if (dibr::interop_available()) GTEST_SKIP() << "interop available: nothing to check";
  // A build without CUDA refuses outright; a CUDA build gets an error from CUDA (no device, or a GL
  // context CUDA cannot share) and reports it as InteropError.
  GLuint buffer = 0;
  glGenBuffers(1, &buffer);
  glBindBuffer(GL_ARRAY_BUFFER, buffer);
  glBufferData(GL_ARRAY_BUFFER, 64, nullptr, GL_DYNAMIC_DRAW);
  EXPECT_THROW(dibr::GlBufferInterop interop(buffer), dibr::InteropError);
  glDeleteBuffers(1, &buffer);
}
