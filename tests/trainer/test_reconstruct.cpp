// `dibr reconstruct`'s pieces: mask finding on hand-made pictures, the size limit, the framing that turns a picture
// of an object at another size and position into what the network was trained on, and the whole path to files.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "nmr_fixture.h"
#include "trainer/chamfer.h"
#include "trainer/gif_writer.h"
#include "trainer/image_io.h"
#include "trainer/obj_io.h"
#include "trainer/prediction.h"
#include "trainer/reconstruct.h"
#include "trainer/sample_maker.h"
#include "trainer/training_run.h"
#include "trainer/user_image.h"

// The JPEG writer for the test pictures (stb_image_write is header-only; static, so no clash with image_io.cpp).
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_image_write.h>
#pragma GCC diagnostic pop

namespace dibr {
namespace {

namespace fs = std::filesystem;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

at::Tensor square_on(float bg, int h, int w, int y0, int x0, int side) {
  auto rgb = torch::full({3, h, w}, bg);
  rgb[0].slice(0, y0, y0 + side).slice(1, x0, x0 + side).fill_(0.9f);
  rgb[1].slice(0, y0, y0 + side).slice(1, x0, x0 + side).fill_(0.1f);
  rgb[2].slice(0, y0, y0 + side).slice(1, x0, x0 + side).fill_(0.1f);
  return rgb;
}

TEST(Reconstruct, MaskFromAlphaMaskFileOrBorderBackground) {
  test::TempDir dir("recon_masks");
  const auto ones = torch::ones({40, 60});
  // Border background, white and grey: the red square is found.
  for (float bg : {1.0f, 0.5f}) {
    const auto m = find_object_mask("pic.png", square_on(bg, 40, 60, 10, 20, 15), ones, false, {});
    EXPECT_EQ((m.mask > 0.5).sum().item<int64_t>(), 15 * 15) << m.source;
    EXPECT_NE(m.source.find("background"), std::string::npos) << m.source;
  }
  // An informative alpha wins over everything.
  auto alpha = torch::zeros({40, 60});
  alpha.slice(0, 5, 25).slice(1, 5, 25).fill_(1.0f);
  const auto a = find_object_mask("pic.png", square_on(1.0f, 40, 60, 10, 20, 15), alpha, true, {});
  EXPECT_EQ(a.source, "alpha channel");
  EXPECT_EQ((a.mask > 0.5).sum().item<int64_t>(), 400);
  // A trivial alpha (all opaque) falls through to the mask file.
  const auto mask_file = (dir.path / "mask.png").string();
  auto m8 = torch::zeros({40, 60, 1}, torch::kUInt8);
  m8.slice(0, 0, 10).slice(1, 0, 10).fill_(255);
  write_png(mask_file, m8);
  MaskOptions with_file;
  with_file.mask_file = mask_file;
  const auto f = find_object_mask("pic.png", square_on(1.0f, 40, 60, 10, 20, 15), ones, true, with_file);
  EXPECT_NE(f.source.find("mask file"), std::string::npos);
  EXPECT_EQ((f.mask > 0.5).sum().item<int64_t>(), 100);
  // A mask of another size, an empty picture and a picture that is all object are clear errors.
  write_png(mask_file, torch::zeros({20, 20, 1}, torch::kUInt8));
  EXPECT_NE(error_of([&] { find_object_mask("pic.png", square_on(1.0f, 40, 60, 10, 20, 15), ones, false, with_file); }).find("20x20"),
            std::string::npos);
  EXPECT_NE(error_of([&] { find_object_mask("blank.png", torch::ones({3, 40, 60}), ones, false, {}); }).find("no object found: try --mask or --bg-threshold"),
            std::string::npos);
  MaskOptions loose;
  loose.bg_threshold = 0.0;  // everything differs from the border by more than 0 once noise is there
  auto noisy = torch::rand({3, 40, 60});
  EXPECT_NE(error_of([&] { find_object_mask("noise.png", noisy, ones, false, loose); }).find("no object found"), std::string::npos);
}

TEST(Reconstruct, PicturesOverTheSizeLimitAreRefusedBeforeDecoding) {
  test::TempDir dir("recon_limit");
  const auto path = (dir.path / "big.png").string();
  write_png(path, torch::zeros({4, 4, 3}, torch::kUInt8));
  std::string png;
  {
    std::ifstream in(path, std::ios::binary);
    png.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  for (int k = 0; k < 4; ++k) png[16 + k] = static_cast<char>((9000u >> (24 - 8 * k)) & 0xff);  // IHDR width 9000
  std::ofstream(path, std::ios::binary | std::ios::trunc) << png;
  const std::string e = error_of([&] { read_user_image(path); });
  EXPECT_NE(e.find("8192x8192 limit"), std::string::npos) << e;
  EXPECT_NE(error_of([&] { read_user_image((dir.path / "missing.jpg").string()); }).find("missing.jpg"), std::string::npos);
  std::ofstream(dir.path / "text.png") << "hello";
  EXPECT_NE(error_of([&] { read_user_image((dir.path / "text.png").string()); }).find("not a readable"), std::string::npos);
}

// A sample object's view 0, enlarged 2x onto a 300x200 grey picture off-centre, as JPEG and as RGBA PNG: framing
// must give back (nearly) the 64x64 view the network was trained on.
class ReconstructSample : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("recon_sample");
    SampleOptions o;
    o.objects_per_class = 6;
    o.points_per_object = 500;
    o.supersample = 1;
    make_sample_dataset((dir_->path / "data").string(), o);
    dataset_ = new std::shared_ptr<const Dataset>(open_dataset((dir_->path / "data").string()));
    object_ = new NmrObject((*dataset_)->test.objects.front());
    const ViewData view = load_view(*object_, 0, 0);
    const auto big = torch::nn::functional::interpolate(
        torch::cat({view.image, view.mask}, 0).unsqueeze(0),
        torch::nn::functional::InterpolateFuncOptions().size(std::vector<int64_t>{128, 128}).mode(torch::kBilinear).align_corners(false))[0];
    auto rgb = torch::full({3, 200, 300}, 0.5f), alpha = torch::zeros({200, 300});
    const auto m = big[3];
    rgb.slice(1, 40, 168).slice(2, 150, 278).copy_(big.slice(0, 0, 3) * m + 0.5f * (1 - m));
    alpha.slice(0, 40, 168).slice(1, 150, 278).copy_(m);
    const auto hwc = (rgb.permute({1, 2, 0}).clamp(0, 1) * 255).round().to(torch::kUInt8).contiguous();
    jpeg_ = new std::string((dir_->path / "object.jpg").string());
    stbi_write_jpg(jpeg_->c_str(), 300, 200, 3, hwc.data_ptr<uint8_t>(), 95);
    png_ = new std::string((dir_->path / "object_rgba.png").string());
    write_png(*png_, torch::cat({rgb, alpha.unsqueeze(0)}, 0).permute({1, 2, 0}).contiguous());

    TrainConfig c = TrainConfig::from_preset("quick");
    c.data.root = (dir_->path / "data").string();
    c.run.out_dir = (dir_->path / "run").string();
    // Trained a little: at step 0 the offsets' scale is 0 and every picture gives the template sphere.
    c.optim.max_steps = 40;
    c.run.checkpoint_every = 40;
    c.run.preview_count = 0;
    c.system.device = "cpu";
    TrainingRun run;
    run.start(c, *dataset_, false);
    run.wait();
    checkpoint_ = new std::string(run.latest_checkpoint_path());
  }
  static void TearDownTestSuite() {
    delete checkpoint_;
    delete png_;
    delete jpeg_;
    delete object_;
    delete dataset_;
    delete dir_;
  }
  static test::TempDir* dir_;
  static std::shared_ptr<const Dataset>* dataset_;
  static NmrObject* object_;
  static std::string *jpeg_, *png_, *checkpoint_;
};
test::TempDir* ReconstructSample::dir_ = nullptr;
std::shared_ptr<const Dataset>* ReconstructSample::dataset_ = nullptr;
NmrObject* ReconstructSample::object_ = nullptr;
std::string* ReconstructSample::jpeg_ = nullptr;
std::string* ReconstructSample::png_ = nullptr;
std::string* ReconstructSample::checkpoint_ = nullptr;

TEST_F(ReconstructSample, FramingGivesBackTheTrainingView) {
  const Framing framing = measure_framing(**dataset_);
  EXPECT_GT(framing.fill, 0.2);
  EXPECT_LT(framing.fill, 1.0);
  EXPECT_GT(framing.background.min().item<float>(), 0.9f) << "the sample's background is white";
  const ViewData view = load_view(*object_, 0, 0);
  for (const std::string* path : {jpeg_, png_}) {
    const UserImage img = read_user_image(*path);
    const ImageMask mask = find_object_mask(*path, img.rgb, img.alpha, img.has_alpha, {});
    EXPECT_EQ(mask.source.find("alpha") != std::string::npos, path == png_) << mask.source;
    // The object's own box spans its view's fill, not the sample mean: frame with the object's own fill so the
    // comparison is exact up to resampling (and JPEG) error.
    Framing own = framing;
    const auto on = view.mask[0] > 0.5;
    const auto rows = on.any(1).nonzero(), cols = on.any(0).nonzero();
    own.fill = static_cast<double>(std::max(rows.max().item<int64_t>() - rows.min().item<int64_t>() + 1,
                                            cols.max().item<int64_t>() - cols.min().item<int64_t>() + 1)) / 64.0;
    const FramedInput in = frame_object(img.rgb, mask.mask, own, 64);
    const double iou = ((in.mask > 0.5) & on).sum().item<double>() / ((in.mask > 0.5) | on).sum().item<double>();
    EXPECT_GT(iou, 0.85) << *path;
    // Mean colour error over the object: resampling twice plus JPEG stays well under 0.1.
    const double err = ((in.image - view.image).abs().mean(0) * on).sum().item<double>() / on.sum().item<double>();
    EXPECT_LT(err, 0.1) << *path;
  }
}

TEST_F(ReconstructSample, WritesEveryOutputAndReportsBadPictures) {
  ReconstructOptions o;
  o.out_dir = (dir_->path / "out").string();
  o.turntable_views = 6;
  std::ofstream(dir_->path / "broken.jpg") << "not an image";
  Reconstructor r(*checkpoint_, "cpu", o, *dataset_);
  const auto results = r.reconstruct_all({*jpeg_, (dir_->path / "broken.jpg").string(), *png_, *jpeg_});
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].error.empty()) << results[0].error;
  EXPECT_NE(results[1].error.find("broken.jpg"), std::string::npos) << results[1].error;
  EXPECT_TRUE(results[2].error.empty()) << results[2].error;
  EXPECT_EQ(results[3].name, "object_2") << "a repeated name gets a suffix: nothing is overwritten";
  const ObjMesh mesh = read_obj(results[0].prediction_path);
  EXPECT_EQ(mesh.vertices.size(0), 642);
  EXPECT_TRUE(fs::is_regular_file(results[0].input_png));
  const auto strip = read_png(results[0].turntable_png);
  EXPECT_EQ(strip.size(0), 128);
  EXPECT_EQ(strip.size(1), 6 * 128);
  const GifInfo gif = read_gif_info(results[0].turntable_gif);
  EXPECT_EQ(gif.frames, 6);
  EXPECT_EQ(gif.width, 128);
}

// The mesh from the off-centre 300x200 picture against the mesh the same checkpoint predicts from the dataset view
// it was made of: chamfer x100 between their vertices (the score's scale; vertices rather than 2500 surface samples,
// whose sampling noise alone is larger than the distances measured here). Framed with the object's own fill, the
// network sees the dataset view up to resampling, JPEG error and the box centring (the renderings do not centre an
// object's box exactly), so the bound is half the distance that a wrong framing gives: the same picture framed at
// 0.6x the scale, what a broken crop or scale would feed the network. Measured on this 40-step checkpoint: RGBA PNG
// ~0, JPEG ~0.3 of that distance.
TEST_F(ReconstructSample, TheMeshEqualsThePredictionFromTheDatasetView) {
  const ViewData view = load_view(*object_, 0, 0);
  const auto on = view.mask[0] > 0.5;
  const auto rows = on.any(1).nonzero(), cols = on.any(0).nonzero();
  ReconstructOptions o;
  o.fill = static_cast<double>(std::max(rows.max().item<int64_t>() - rows.min().item<int64_t>() + 1,
                                        cols.max().item<int64_t>() - cols.min().item<int64_t>() + 1)) / 64.0;
  o.turntable_views = 1;
  Reconstructor r(*checkpoint_, "cpu", o, *dataset_);
  // The dataset view as training feeds it: at the checkpoint's image size.
  const int size = r.model().config().data.image_size;
  const Prediction from_view = r.model().predict(load_view(*object_, 0, size).image.unsqueeze(0)).prediction.to_cpu();
  auto chamfer_x100 = [](const Prediction& a, const Prediction& b) {
    return 100 * chamfer_distance(a.mesh(0).vertices, b.mesh(0).vertices).chamfer;
  };
  const UserImage img = read_user_image(*png_);
  const ImageMask mask = find_object_mask(*png_, img.rgb, img.alpha, img.has_alpha, {});
  Framing wrong = r.framing();
  wrong.fill *= 0.6;
  const double misframed =
      chamfer_x100(r.model().predict(frame_object(img.rgb, mask.mask, wrong, size).image.unsqueeze(0)).prediction.to_cpu(), from_view);
  ASSERT_GT(misframed, 0.0) << "the checkpoint must depend on its input";
  for (const std::string* path : {jpeg_, png_}) {
    const ReconstructedImage result = r.reconstruct(*path, "object");
    ASSERT_TRUE(result.error.empty()) << result.error;
    const double to_view = chamfer_x100(result.prediction, from_view);
    EXPECT_LT(to_view, 0.5 * misframed) << *path << ": CD x100 to the dataset view's mesh " << to_view << ", misframed "
                                        << misframed;
  }
}

}  // namespace
}  // namespace dibr
