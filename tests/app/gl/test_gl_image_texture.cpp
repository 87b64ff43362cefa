#include <gtest/gtest.h>
#include <torch/torch.h>

#include <stdexcept>
#include <vector>

#include "app/image_texture.h"
#include "gl_test_context.h"

namespace {

// Level 0 of a GL texture as (H,W,4) uint8, row 0 first as uploaded.
torch::Tensor read_texture(const dibr::ImageTexture& t) {
  auto out = torch::empty({t.height(), t.width(), 4}, torch::kByte);
  glBindTexture(GL_TEXTURE_2D, t.gl_texture());
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glGetTexImage(GL_TEXTURE_2D, 0, GL_RGBA, GL_UNSIGNED_BYTE, out.data_ptr<uint8_t>());
  EXPECT_EQ(glGetError(), static_cast<GLenum>(GL_NO_ERROR));
  return out;
}

class ImageTextureGl : public dibr::test::GlContext {};

}  // namespace

TEST(ImageTextureRgba, LayoutsConvertToTheSameBytes) {
  torch::manual_seed(0);
  const auto chw = torch::rand({3, 5, 7});
  const auto rgba = dibr::ImageTexture::to_rgba8(chw);
  ASSERT_EQ(rgba.sizes(), torch::IntArrayRef({5, 7, 4}));
  EXPECT_TRUE(torch::equal(rgba, dibr::ImageTexture::to_rgba8(chw.permute({1, 2, 0}).contiguous())));
  EXPECT_TRUE(torch::equal(rgba.select(2, 3), torch::full({5, 7}, 255, torch::kByte)));
  EXPECT_EQ(rgba[2][3][1].item<int>(), static_cast<int>(std::lround(chw[1][2][3].item<float>() * 255.0f)));

  const auto grey = dibr::ImageTexture::to_rgba8(torch::tensor({0.0f, 0.5f, 1.0f, 2.0f, -1.0f, 0.25f}).reshape({2, 3}));
  EXPECT_EQ(grey[0][1][0].item<int>(), 128);
  EXPECT_EQ(grey[0][1][2].item<int>(), 128);
  EXPECT_EQ(grey[1][0][1].item<int>(), 255);  // clamped
  EXPECT_EQ(grey[1][1][0].item<int>(), 0);

  EXPECT_THROW(dibr::ImageTexture::to_rgba8(torch::rand({2, 5, 7})), std::invalid_argument);
  EXPECT_THROW(dibr::ImageTexture::to_rgba8(torch::rand({5})), std::invalid_argument);
  EXPECT_THROW(dibr::ImageTexture::to_rgba8(torch::Tensor()), std::invalid_argument);
}

TEST_F(ImageTextureGl, UploadsExactlyTheConvertedPixels) {
  dibr::ImageTexture texture;
  EXPECT_TRUE(texture.empty());
  torch::manual_seed(1);
  const auto image = torch::rand({3, 9, 13});
  texture.set(image);
  EXPECT_EQ(texture.width(), 13);
  EXPECT_EQ(texture.height(), 9);
  EXPECT_NE(texture.id(), nullptr);
  EXPECT_STREQ(texture.upload_path(), "host upload");
  EXPECT_TRUE(torch::equal(read_texture(texture), dibr::ImageTexture::to_rgba8(image)));

  // A new size re-allocates; a grey image fills all three channels.
  const auto grey = torch::linspace(0, 1, 4 * 6).reshape({4, 6});
  texture.set(grey);
  EXPECT_EQ(texture.width(), 6);
  EXPECT_EQ(texture.height(), 4);
  const auto back = read_texture(texture);
  EXPECT_TRUE(torch::equal(back, dibr::ImageTexture::to_rgba8(grey)));
  EXPECT_TRUE(torch::equal(back.select(2, 0), back.select(2, 2)));

  EXPECT_THROW(texture.set(torch::rand({4, 4, 4, 4})), std::invalid_argument);
  EXPECT_EQ(texture.width(), 6);  // a rejected image leaves the texture as it was
}

TEST_F(ImageTextureGl, MovesKeepTheTexture) {
  dibr::ImageTexture a(torch::ones({2, 2}));
  const unsigned int name = a.gl_texture();
  dibr::ImageTexture b(std::move(a));
  EXPECT_EQ(b.gl_texture(), name);
  EXPECT_EQ(b.width(), 2);
  EXPECT_TRUE(glIsTexture(name));
}
