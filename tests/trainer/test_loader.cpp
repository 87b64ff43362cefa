#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "nmr_fixture.h"
#include "trainer/dataset.h"
#include "trainer/loader.h"

namespace {

namespace fs = std::filesystem;
using dibr::test::TempDir;

struct LoaderData {
  TempDir dir{"loader"};
  dibr::DatasetIndex index;
  LoaderData() {
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
      ids.push_back("o" + std::to_string(i));
      dibr::test::write_fake_object(dir.path / "cls" / ids.back(), i, 16);
    }
    dibr::test::write_list(dir.path / "cls" / "softras_train.lst", ids);
    index = dibr::index_dataset(dir.str(), {}, "train");
  }
};

dibr::LoaderOptions small_options(int workers) {
  dibr::LoaderOptions o;
  o.batch_objects = 2;
  o.views_per_object = 3;
  o.image_size = 8;
  o.workers = workers;
  o.prefetch = 3;
  o.seed = 42;
  return o;
}

void expect_same(const dibr::Batch& a, const dibr::Batch& b) {
  EXPECT_TRUE(torch::equal(a.object_index, b.object_index));
  EXPECT_TRUE(torch::equal(a.view_index, b.view_index));
  EXPECT_TRUE(torch::equal(a.images, b.images));
  EXPECT_TRUE(torch::equal(a.world_mats, b.world_mats));
}

TEST(Loader, BatchesHaveShapesRangesAndDistinctViews) {
  LoaderData data;
  ASSERT_EQ(data.index.objects.size(), 5u);
  dibr::BatchLoader loader(data.index, small_options(2));
  std::set<int64_t> seen_objects;
  for (int k = 0; k < 4; ++k) {
    const auto b = loader.next();
    ASSERT_EQ(b.images.sizes(), torch::IntArrayRef({6, 3, 8, 8}));
    ASSERT_EQ(b.masks.sizes(), torch::IntArrayRef({6, 1, 8, 8}));
    ASSERT_EQ(b.world_mats.sizes(), torch::IntArrayRef({6, 4, 4}));
    ASSERT_EQ(b.focals.sizes(), torch::IntArrayRef({6}));
    EXPECT_GE(b.images.min().item<float>(), 0.0f);
    EXPECT_LE(b.images.max().item<float>(), 1.0f);
    EXPECT_NEAR(b.focals[0].item<float>(), dibr::focal_from_fovy(30.0), 1e-5);
    EXPECT_NE(b.object_index[0].item<int64_t>(), b.object_index[3].item<int64_t>());
    for (int o = 0; o < 2; ++o) {
      std::set<int64_t> views;
      for (int v = 0; v < 3; ++v) {
        const int64_t i = o * 3 + v;
        EXPECT_EQ(b.object_index[i].item<int64_t>(), b.object_index[o * 3].item<int64_t>());
        views.insert(b.view_index[i].item<int64_t>());
        // The fake images encode (object, view) in their grey level.
        const int64_t obj = b.object_index[i].item<int64_t>(), view = b.view_index[i].item<int64_t>();
        EXPECT_NEAR(b.images[i].mean().item<float>(), ((obj * 24 + view) % 256) / 255.0f, 1e-5);
        EXPECT_TRUE(torch::allclose(b.world_mats[i], dibr::nmr_world_mat(15.0 * view)[0], 1e-5, 1e-5));
      }
      EXPECT_EQ(views.size(), 3u);
      seen_objects.insert(b.object_index[o * 3].item<int64_t>());
    }
  }
  // Two batches per epoch (drop_last): each epoch covers 4 distinct objects.
  EXPECT_GE(seen_objects.size(), 4u);
}

TEST(Loader, SameSeedAndBatchGiveSameContentWhateverTheWorkers) {
  LoaderData data;
  dibr::BatchLoader a(data.index, small_options(0));
  dibr::BatchLoader b(data.index, small_options(3));
  std::vector<dibr::Batch> first;
  for (int k = 0; k < 6; ++k) {
    first.push_back(a.next());
    expect_same(first.back(), b.next());
  }
  // reset(seed, k) resumes the stream at batch k.
  b.reset(42, 3);
  for (int k = 3; k < 6; ++k) expect_same(first[k], b.next());
  a.reset(42, 0);
  expect_same(first[0], a.next());
  // Another seed gives another stream.
  auto other = small_options(1);
  other.seed = 7;
  dibr::BatchLoader c(data.index, other);
  bool differs = false;
  for (int k = 0; k < 6; ++k) differs |= !torch::equal(c.next().view_index, first[k].view_index);
  EXPECT_TRUE(differs);
}

TEST(Loader, WorkerErrorsAreRethrownWithTheFileName) {
  LoaderData data;
  for (const auto& o : data.index.objects)
    for (int v = 0; v < 24; ++v) fs::remove(fs::path(o.path) / "image" / dibr::test::view_name(v));
  dibr::BatchLoader loader(data.index, small_options(2));
  try {
    loader.next();
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(".png"), std::string::npos) << e.what();
  }
}

TEST(Loader, RejectsBadOptions) {
  LoaderData data;
  auto o = small_options(0);
  o.views_per_object = 25;
  EXPECT_THROW(dibr::BatchLoader(data.index, o), std::invalid_argument);
  dibr::DatasetIndex empty;
  EXPECT_THROW(dibr::BatchLoader(empty, small_options(0)), std::invalid_argument);
}

}  // namespace

namespace {

// 40 objects; o3 has a truncated PNG in view 5, o7 a cameras.npz that is not an npz, o9 a JPEG named .png.
struct DamagedData {
  TempDir dir{"loader_damaged"};
  dibr::DatasetIndex index;
  DamagedData() {
    std::vector<std::string> ids;
    for (int i = 0; i < 40; ++i) {
      ids.push_back("o" + std::to_string(i));
      dibr::test::write_fake_object(dir.path / "cls" / ids.back(), i, 8);
    }
    const fs::path png = dir.path / "cls" / "o3" / "image" / "0005.png";
    fs::resize_file(png, fs::file_size(png) / 2);
    std::ofstream(dir.path / "cls" / "o7" / "cameras.npz", std::ios::trunc) << "garbage";
    std::ofstream(dir.path / "cls" / "o9" / "mask" / "0002.png", std::ios::trunc | std::ios::binary)
        << "\xFF\xD8\xFF\xE0" << std::string(64, 'J');
    dibr::test::write_list(dir.path / "cls" / "softras_train.lst", ids);
    index = dibr::index_dataset(dir.str(), {}, "train");  // existence checks only: all 40 pass
  }
};

std::vector<dibr::Batch> draw(const dibr::DatasetIndex& index, int workers, int count, dibr::BatchLoader** out = nullptr) {
  auto o = small_options(workers);
  o.batch_objects = 4;
  o.views_per_object = 24;  // every view: each damaged file is met whenever its object is drawn
  auto* loader = new dibr::BatchLoader(index, o);
  std::vector<dibr::Batch> batches;
  for (int k = 0; k < count; ++k) batches.push_back(loader->next());
  if (out) *out = loader;
  else delete loader;
  return batches;
}

TEST(Loader, BrokenObjectsAreReportedAndReplacedDeterministically) {
  DamagedData data;
  ASSERT_EQ(data.index.objects.size(), 40u);
  dibr::BatchLoader* loader = nullptr;
  const auto one = draw(data.index, 1, 30, &loader);  // 3 epochs: every object is drawn
  const auto broken = loader->broken_objects();
  delete loader;
  ASSERT_EQ(broken.size(), 3u);
  std::set<std::string> paths;
  for (const auto& p : broken) paths.insert(fs::path(p.path).filename().string());
  EXPECT_EQ(paths, (std::set<std::string>{"o3", "o7", "o9"}));
  for (const auto& p : broken) EXPECT_NE(p.message.find("replaced"), std::string::npos) << p.message;
  for (const auto& b : one) {
    for (int64_t i = 0; i < b.object_index.size(0); ++i) {
      const auto id = data.index.objects[b.object_index[i].item<int64_t>()].object_id;
      EXPECT_TRUE(id != "o3" && id != "o7" && id != "o9") << "a broken object reached a batch";
    }
  }
  // The same batches with another number of workers, and after a reset (an exact resume).
  const auto two = draw(data.index, 2, 30);
  for (size_t k = 0; k < one.size(); ++k) expect_same(one[k], two[k]);
  auto o = small_options(2);
  o.batch_objects = 4;
  o.views_per_object = 24;
  dibr::BatchLoader resumed(data.index, o);
  resumed.reset(o.seed, 17);
  for (size_t k = 17; k < 20; ++k) expect_same(one[k], resumed.next());
}

TEST(Loader, TooManyBrokenObjectsStopWithAClearError) {
  DamagedData data;
  for (const char* id : {"o1", "o2"})  // 5 of 40 > 10%
    std::ofstream(data.dir.path / "cls" / id / "cameras.npz", std::ios::trunc) << "garbage";
  auto o = small_options(1);
  o.batch_objects = 4;
  o.views_per_object = 24;
  dibr::BatchLoader loader(data.index, o);
  try {
    for (int k = 0; k < 20; ++k) loader.next();
    FAIL() << "training went on with a third of its objects broken";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("training objects are broken"), std::string::npos) << e.what();
  }
}

}  // namespace
