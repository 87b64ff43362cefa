#include <gtest/gtest.h>
#include <torch/torch.h>

#include "nmr_fixture.h"
#include "trainer/image_io.h"

namespace {

using dibr::test::TempDir;

TEST(ImageIo, RoundTripsGreyRgbAndRgba) {
  TempDir dir("png");
  for (int64_t c : {1, 3, 4}) {
    const auto image = torch::randint(0, 256, {17, 23, c}, torch::kUInt8);
    const auto file = (dir.path / ("img" + std::to_string(c) + ".png")).string();
    dibr::write_png(file, image);
    const auto back = dibr::read_png(file);
    ASSERT_EQ(back.sizes(), image.sizes()) << c;
    EXPECT_EQ(back.scalar_type(), torch::kUInt8);
    EXPECT_TRUE(torch::equal(back, image)) << "channels " << c;
  }
}

TEST(ImageIo, FloatImagesAreClampedAndRounded) {
  TempDir dir("png_float");
  auto image = torch::tensor({-0.5f, 0.0f, 0.5f, 1.0f, 2.0f, 100.0f / 255.0f}).view({2, 3, 1});
  const auto file = (dir.path / "f.png").string();
  dibr::write_png(file, image);
  const auto back = dibr::read_png(file).view({-1});
  const std::vector<int> expected = {0, 0, 128, 255, 255, 100};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(back[i].item<int>(), expected[i]) << i;
}

TEST(ImageIo, ConvertsChannelsOnRequest) {
  TempDir dir("png_convert");
  const auto grey = torch::randint(0, 256, {8, 8, 1}, torch::kUInt8);
  const auto file = (dir.path / "g.png").string();
  dibr::write_png(file, grey);
  const auto rgb = dibr::read_png(file, 3);
  ASSERT_EQ(rgb.sizes(), torch::IntArrayRef({8, 8, 3}));
  for (int c = 0; c < 3; ++c) EXPECT_TRUE(torch::equal(rgb.select(2, c), grey.select(2, 0)));
}

TEST(ImageIo, ErrorsNameTheFile) {
  TempDir dir("png_errors");
  const auto missing = (dir.path / "nope.png").string();
  try {
    dibr::read_png(missing);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  const auto bad_dir = (dir.path / "no_such_dir" / "x.png").string();
  EXPECT_THROW(dibr::write_png(bad_dir, torch::zeros({4, 4, 3})), std::exception);
  EXPECT_THROW(dibr::write_png((dir.path / "c2.png").string(), torch::zeros({4, 4, 2})), std::exception);
}

}  // namespace
