#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "nmr_fixture.h"
#include "render/camera.h"
#include "trainer/dataset.h"
#include "trainer/image_io.h"
#include "trainer/npz.h"
#include "trainer/sample_maker.h"
#include "trainer/sample_shapes.h"

namespace {

namespace fs = std::filesystem;
using dibr::test::TempDir;

// Sum of signed tetrahedron volumes: > 0 for a closed mesh with outward (CCW from outside) faces.
double signed_volume(const dibr::SampleShape& s) {
  const auto c = s.vertices.to(torch::kDouble).index_select(0, s.faces.reshape({-1})).view({-1, 3, 3});
  return (at::cross(c.select(1, 0), c.select(1, 1), 1) * c.select(1, 2)).sum().item<double>() / 6.0;
}

TEST(SampleShapes, AreNormalisedOutwardAndDeterministic) {
  for (const auto& kind : dibr::sample_shape_kinds()) {
    for (uint64_t seed : {1, 2, 3}) {
      const auto s = dibr::make_sample_shape(kind, seed);
      ASSERT_EQ(s.vertices.size(1), 3);
      ASSERT_EQ(s.colors.sizes(), s.vertices.sizes());
      EXPECT_GE(s.colors.min().item<float>(), 0.0f);
      EXPECT_LE(s.colors.max().item<float>(), 1.0f);
      const auto lo = std::get<0>(s.vertices.min(0)), hi = std::get<0>(s.vertices.max(0));
      EXPECT_TRUE(torch::allclose(lo + hi, torch::zeros({3}), 0, 1e-5)) << kind;
      const double half = ((hi - lo).max() / 2).item<double>();
      EXPECT_GE(half, 0.45 - 1e-5) << kind;
      EXPECT_LE(half, 0.5 + 1e-5) << kind;
      EXPECT_GT(signed_volume(s), 0.0) << kind;
      EXPECT_TRUE(torch::equal(s.faces, dibr::make_sample_shape(kind, seed).faces));
      EXPECT_TRUE(torch::equal(s.vertices, dibr::make_sample_shape(kind, seed).vertices));
    }
  }
  // Convex shapes: every face normal points away from the centre.
  for (const char* kind : {"box", "cylinder", "cone"}) {
    const auto s = dibr::make_sample_shape(kind, 5);
    const auto c = s.vertices.index_select(0, s.faces.reshape({-1})).view({-1, 3, 3});
    const auto n = at::cross(c.select(1, 1) - c.select(1, 0), c.select(1, 2) - c.select(1, 0), 1);
    const auto centre_dir = c.mean(1) - s.vertices.mean(0);
    EXPECT_GT((n * centre_dir).sum(1).min().item<float>(), 0.0f) << kind;
  }
  EXPECT_THROW(dibr::make_sample_shape("teapot", 1), std::invalid_argument);
}

TEST(SampleMaker, WritesAValidNmrDatasetOnTheRig) {
  TempDir dir("sample");
  dibr::SampleOptions options;
  options.objects_per_class = 1;
  options.supersample = 2;
  options.points_per_object = 2000;
  int calls = 0;
  options.progress = [&](int, int) { ++calls; };
  const auto out = (dir.path / "sample").string();
  const auto summary = dibr::make_sample_dataset(out, options);
  EXPECT_EQ(summary.classes, static_cast<int>(dibr::sample_shape_kinds().size()));
  EXPECT_EQ(summary.objects, summary.classes);
  EXPECT_EQ(calls, summary.objects);
  for (const auto& entry : fs::directory_iterator(dir.path))  // no leftover <out>.partial-<pid>
    EXPECT_EQ(entry.path().filename().string().find(".partial"), std::string::npos) << entry.path();

  const auto index = dibr::index_dataset(out, {}, "train", /*deep_check=*/true);
  EXPECT_TRUE(index.problems.empty()) << index.problems[0].path << ": " << index.problems[0].message;
  ASSERT_EQ(index.objects.size(), dibr::sample_shape_kinds().size());
  EXPECT_EQ(dibr::index_dataset(out, {}, "test").objects.size(), index.objects.size());

  for (const auto& object : index.objects) {
    const auto cameras = dibr::read_npz(object.path + "/cameras.npz");
    EXPECT_EQ(cameras.at("world_mat_0").scalar_type(), torch::kFloat64);
    for (int v : {0, 5, 23}) {
      const auto view = dibr::load_view(object, v);
      EXPECT_TRUE(torch::allclose(view.world_mat, dibr::nmr_world_mat(15.0 * v)[0], 1e-5, 1e-6)) << v;
      EXPECT_TRUE(torch::allclose(view.camera_mat, dibr::nmr_camera_mat()[0], 1e-5, 1e-6));

      // Masks match the images' coverage: white outside, coloured inside, anti-aliased edge in between.
      const auto img = dibr::read_png(object.path + "/image/" + dibr::test::view_name(v));
      const auto mask = dibr::read_png(object.path + "/mask/" + dibr::test::view_name(v));
      ASSERT_EQ(img.sizes(), torch::IntArrayRef({64, 64, 3}));
      ASSERT_EQ(mask.sizes(), torch::IntArrayRef({64, 64, 1}));
      const auto m = mask.select(2, 0);
      const auto min_channel = std::get<0>(img.min(2));
      EXPECT_TRUE(min_channel.masked_select(m == 0).eq(255).all().item<bool>()) << object.class_id;
      EXPECT_TRUE(min_channel.masked_select(m == 255).lt(250).all().item<bool>()) << object.class_id;
      EXPECT_GT((m == 255).sum().item<int64_t>(), 100) << object.class_id;
      EXPECT_GT(((m > 0) & (m < 255)).sum().item<int64_t>(), 0) << object.class_id;

      // The object projects in the middle (its silhouette's bounding box is centred) and inside the frame.
      const auto rows = (m > 0).any(1).nonzero().view({-1}), cols = (m > 0).any(0).nonzero().view({-1});
      ASSERT_GT(rows.numel(), 0);
      const double row_mid = (rows.min().item<double>() + rows.max().item<double>()) / 2;
      const double col_mid = (cols.min().item<double>() + cols.max().item<double>()) / 2;
      EXPECT_NEAR(row_mid, 31.5, 5.0) << object.class_id << " view " << v;
      EXPECT_NEAR(col_mid, 31.5, 5.0) << object.class_id << " view " << v;
      EXPECT_GT(rows.min().item<int64_t>(), 0) << object.class_id << " view " << v;
      EXPECT_LT(rows.max().item<int64_t>(), 63) << object.class_id << " view " << v;
      EXPECT_GT(cols.min().item<int64_t>(), 0) << object.class_id << " view " << v;
      EXPECT_LT(cols.max().item<int64_t>(), 63) << object.class_id << " view " << v;
    }
    const auto cloud = dibr::load_pointcloud(object);
    ASSERT_EQ(cloud.points.sizes(), torch::IntArrayRef({2000, 3}));
    EXPECT_LE(cloud.points.abs().max().item<float>(), 0.5f + 1e-5f);
    ASSERT_EQ(cloud.normals.sizes(), cloud.points.sizes());
    EXPECT_TRUE(torch::allclose(cloud.normals.norm(2, 1), torch::ones({2000}), 0, 1e-4));
  }

  // A leftover of a dead process is cleaned up; regenerating over our own dataset is allowed.
  const auto stale = dir.path / "sample.partial-999999999";
  fs::create_directories(stale);
  EXPECT_NO_THROW(dibr::make_sample_dataset(out, options));
  EXPECT_FALSE(fs::exists(stale));
  // Over a foreign folder it is refused.
  const auto foreign = dir.path / "foreign";
  fs::create_directories(foreign);
  std::ofstream(foreign / "keep.txt") << "mine";
  EXPECT_THROW(dibr::make_sample_dataset(foreign.string(), options), std::runtime_error);
  EXPECT_TRUE(fs::exists(foreign / "keep.txt"));
  // A sample folder holding a user's file is not replaced either: nothing a user made is lost.
  fs::path class_dir;
  for (const auto& e : fs::directory_iterator(out))
    if (e.is_directory()) class_dir = e.path();
  ASSERT_FALSE(class_dir.empty());
  std::ofstream(class_dir / "my_notes.txt") << "mine";
  try {
    dibr::make_sample_dataset(out, options);
    FAIL() << "a sample folder with a user's file was replaced";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("my_notes.txt"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::exists(class_dir / "my_notes.txt"));
}

TEST(SampleMaker, IsDeterministicForASeed) {
  TempDir dir("sample_det");
  dibr::SampleOptions options;
  options.objects_per_class = 1;
  options.supersample = 1;
  options.points_per_object = 500;
  dibr::make_sample_dataset((dir.path / "a").string(), options);
  dibr::make_sample_dataset((dir.path / "b").string(), options);
  for (const char* file : {"sample_torus/o0000/image/0007.png", "sample_chair/o0000/mask/0013.png"})
    EXPECT_TRUE(torch::equal(dibr::read_png((dir.path / "a" / file).string()), dibr::read_png((dir.path / "b" / file).string())))
        << file;
  EXPECT_TRUE(torch::equal(dibr::read_npz((dir.path / "a/sample_cone/o0000/pointcloud.npz").string()).at("points"),
                           dibr::read_npz((dir.path / "b/sample_cone/o0000/pointcloud.npz").string()).at("points")));
}

}  // namespace
