#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include "nmr_fixture.h"
#include "render/camera.h"
#include "trainer/dataset.h"
#include "trainer/npz.h"
#include "trainer/preview_set.h"

namespace {

namespace fs = std::filesystem;
using dibr::test::TempDir;

// classA: 3 good objects + 1 missing a mask + 1 listed but absent; classB: objects but no test list.
struct FakeDataset {
  TempDir dir{"dataset"};
  FakeDataset() {
    for (int i = 0; i < 4; ++i) dibr::test::write_fake_object(dir.path / "classA" / ("obj" + std::to_string(i)), i);
    fs::remove(dir.path / "classA" / "obj3" / "mask" / "0007.png");
    dibr::test::write_list(dir.path / "classA" / "softras_test.lst", {"obj0", "obj1", "obj2", "obj3", "ghost"});
    dibr::test::write_list(dir.path / "classA" / "softras_train.lst", {"obj0"});
    dibr::test::write_fake_object(dir.path / "classB" / "objB", 10);
    dibr::test::write_list(dir.path / "classB" / "softras_train.lst", {"objB"});
    fs::create_directories(dir.path / "not_a_class");
  }
};

bool any_problem_mentions(const dibr::DatasetIndex& index, const std::string& text) {
  return std::any_of(index.problems.begin(), index.problems.end(),
                     [&](const dibr::DatasetProblem& p) { return p.path.find(text) != std::string::npos; });
}

TEST(Dataset, ListsClassesWithSplitFiles) {
  FakeDataset data;
  EXPECT_EQ(dibr::list_classes(data.dir.str()), (std::vector<std::string>{"classA", "classB"}));
}

TEST(Dataset, IndexKeepsGoodObjectsAndNamesBrokenFiles) {
  FakeDataset data;
  const auto index = dibr::index_dataset(data.dir.str(), {}, "test");
  ASSERT_EQ(index.objects.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(index.objects[i].class_id, "classA");
    EXPECT_EQ(index.objects[i].object_id, "obj" + std::to_string(i));
  }
  ASSERT_EQ(index.problems.size(), 3u);
  EXPECT_TRUE(any_problem_mentions(index, (fs::path("obj3") / "mask" / "0007.png").string()));
  EXPECT_TRUE(any_problem_mentions(index, "ghost"));
  EXPECT_TRUE(any_problem_mentions(index, (fs::path("classB") / "softras_test.lst").string()));
}

TEST(Dataset, DeepCheckCatchesCorruptFiles) {
  FakeDataset data;
  std::ofstream(data.dir.path / "classA" / "obj1" / "image" / "0003.png") << "not a png";
  dibr::write_npz((data.dir.path / "classA" / "obj2" / "cameras.npz").string(), {{"world_mat_0", torch::eye(4)}});
  const auto shallow = dibr::index_dataset(data.dir.str(), {"classA"}, "test");
  EXPECT_EQ(shallow.objects.size(), 3u);
  const auto deep = dibr::index_dataset(data.dir.str(), {"classA"}, "test", true);
  ASSERT_EQ(deep.objects.size(), 1u);
  EXPECT_EQ(deep.objects[0].object_id, "obj0");
  EXPECT_TRUE(any_problem_mentions(deep, (fs::path("obj1") / "image" / "0003.png").string()));
  EXPECT_TRUE(any_problem_mentions(deep, (fs::path("obj2") / "cameras.npz").string()));
}

TEST(Dataset, UnknownClassListsTheKnownOnes) {
  FakeDataset data;
  try {
    dibr::index_dataset(data.dir.str(), {"classZ"}, "train");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("classZ"), std::string::npos) << msg;
    EXPECT_NE(msg.find("classA"), std::string::npos) << msg;
    EXPECT_NE(msg.find("classB"), std::string::npos) << msg;
  }
  EXPECT_THROW(dibr::index_dataset((data.dir.path / "nowhere").string(), {}, "train"), std::runtime_error);
}

TEST(Dataset, LoadViewResizesWithAreaInterpolation) {
  FakeDataset data;
  const auto index = dibr::index_dataset(data.dir.str(), {"classA"}, "test");
  const auto& obj1 = index.objects[1];
  const auto v = dibr::load_view(obj1, 5);
  ASSERT_EQ(v.image.sizes(), torch::IntArrayRef({3, 64, 64}));
  ASSERT_EQ(v.mask.sizes(), torch::IntArrayRef({1, 64, 64}));
  EXPECT_NEAR(v.image.mean().item<double>(), (1 * 24 + 5) / 255.0, 1e-6);
  EXPECT_EQ(v.mask[0][0][0].item<float>(), 0.0f);
  EXPECT_EQ(v.mask[0][32][32].item<float>(), 1.0f);
  EXPECT_TRUE(torch::allclose(v.world_mat, dibr::nmr_world_mat(75.0)[0]));
  EXPECT_NEAR(v.camera_mat[0][0].item<double>(), dibr::focal_from_fovy(30.0), 1e-6);

  const auto big = dibr::load_view(obj1, 5, 224);
  ASSERT_EQ(big.image.sizes(), torch::IntArrayRef({3, 224, 224}));
  EXPECT_NEAR(big.mask.mean().item<double>(), v.mask.mean().item<double>(), 1e-6);
  const auto small = dibr::load_view(obj1, 5, 32);
  ASSERT_EQ(small.mask.sizes(), torch::IntArrayRef({1, 32, 32}));
  EXPECT_NEAR(small.mask.mean().item<double>(), 0.25, 1e-6);  // area-averaged, not nearest
  EXPECT_THROW(dibr::load_view(obj1, 24), std::out_of_range);
}

TEST(Dataset, LoadPointcloudUsesPointsAsStored) {
  FakeDataset data;
  const auto index = dibr::index_dataset(data.dir.str(), {"classB"}, "train");
  ASSERT_EQ(index.objects.size(), 1u);
  const auto cloud = dibr::load_pointcloud(index.objects[0]);
  const auto raw = dibr::read_npz((data.dir.path / "classB" / "objB" / "pointcloud.npz").string());
  EXPECT_TRUE(torch::equal(cloud.points, raw.at("points")));
  EXPECT_EQ(cloud.normals.sizes(), cloud.points.sizes());
}

}  // namespace

namespace {

TEST(DatasetValue, OpenIndexesEverySplitOnceWithEveryProblem) {
  FakeDataset data;
  const auto d = dibr::open_dataset(data.dir.str());
  EXPECT_FALSE(d->builtin_sample);
  EXPECT_EQ(d->root, fs::absolute(data.dir.path).lexically_normal().string());
  EXPECT_EQ(d->classes, (std::vector<std::string>{"classA", "classB"}));
  EXPECT_EQ(d->train.objects.size(), 2u);
  EXPECT_EQ(d->test.objects.size(), 3u);
  EXPECT_TRUE(d->usable());
  EXPECT_EQ(&d->split("test"), &d->test);
  EXPECT_THROW(d->split("dev"), std::runtime_error);
  // obj3's missing mask, the ghost object, classB's missing test list, and both classes' missing val lists.
  size_t expected = d->train.problems.size() + d->val.problems.size() + d->test.problems.size();
  EXPECT_EQ(d->problems.size(), expected);
  EXPECT_TRUE(any_problem_mentions(d->test, "ghost"));
}

TEST(DatasetValue, WithClassesRestrictsWithoutIndexingAgain) {
  FakeDataset data;
  const auto d = dibr::open_dataset(data.dir.str());
  const dibr::Dataset b = d->with_classes({"classB"});
  EXPECT_EQ(b.classes, (std::vector<std::string>{"classB"}));
  ASSERT_EQ(b.train.objects.size(), 1u);
  EXPECT_EQ(b.train.objects[0].object_id, "objB");
  EXPECT_TRUE(b.test.objects.empty());
  EXPECT_FALSE(any_problem_mentions(b.test, "ghost")) << "classA's problems are not classB's";
  EXPECT_EQ(d->with_classes({}).classes, d->classes);
  try {
    d->with_classes({"classC"});
    FAIL() << "an unknown class was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("classC"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("classA, classB"), std::string::npos) << e.what();
  }
}

TEST(DatasetValue, NotADatasetIsAClearError) {
  TempDir dir("dataset_none");
  EXPECT_THROW(dibr::open_dataset((dir.path / "missing").string()), std::runtime_error);
  fs::create_directories(dir.path / "empty");
  try {
    dibr::open_dataset((dir.path / "empty").string());
    FAIL() << "a folder without classes was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("softras"), std::string::npos) << e.what();
  }
}

}  // namespace


namespace {

TEST(PreviewSet, OneChoiceForTheLiveAndTheCheckpointView) {
  FakeDataset data;
  const auto d = dibr::open_dataset(data.dir.str());
  // No val split: the train objects are the preview source.
  const dibr::PreviewSet first = dibr::select_preview_set(*d, 1, 16);
  ASSERT_EQ(first.count(), 1);
  EXPECT_EQ(first.ids[0], d->train.objects[0].class_id + "/" + d->train.objects[0].object_id);
  EXPECT_EQ(first.images.sizes(), (std::vector<int64_t>{1, 3, 16, 16}));
  EXPECT_EQ(first.masks.sizes(), (std::vector<int64_t>{1, 16, 16}));
  EXPECT_EQ(first.gt_points.sizes(), (std::vector<int64_t>{1, dibr::kPreviewPoints, 3}));
  const dibr::PreviewSet both = dibr::select_preview_set(*d, 5, 16);
  EXPECT_EQ(both.count(), 2);
  // Asked by id (the checkpoint view asks for the live view's objects): those, in that order.
  const dibr::PreviewSet by_id = dibr::select_preview_set(*d, 1, 16, {both.ids[1], "classA/nope"});
  ASSERT_EQ(by_id.count(), 1);
  EXPECT_EQ(by_id.ids[0], both.ids[1]);
  EXPECT_TRUE(torch::equal(by_id.images[0], both.images[1]));
}

TEST(Dataset, AFolderAboveOrInsideADatasetSaysWhichFolderWasMeant) {
  TempDir dir("dataset_suggest");
  dibr::test::write_fake_object(dir.path / "downloads" / "tiny" / "classA" / "obj0", 0, 32);
  dibr::test::write_list(dir.path / "downloads" / "tiny" / "classA" / "softras_train.lst", {"obj0"});
  auto message = [](const fs::path& p) {
    try {
      dibr::open_dataset(p.string());
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("(opened)");
  };
  EXPECT_NE(message(dir.path / "downloads").find("did you mean the sub-folder tiny/?"), std::string::npos)
      << message(dir.path / "downloads");
  EXPECT_NE(message(dir.path).find("did you mean the sub-folder downloads/tiny/?"), std::string::npos) << message(dir.path);
  const std::string inside = message(dir.path / "downloads" / "tiny" / "classA");
  EXPECT_NE(inside.find("this is a class folder: open its parent '" + (dir.path / "downloads" / "tiny").string() + "'"),
            std::string::npos)
      << inside;
  fs::create_directories(dir.path / "empty");
  EXPECT_EQ(message(dir.path / "empty").find("did you mean"), std::string::npos);
}

TEST(PreviewSet, TakesEachClassInTurnSoThatFewPreviewsShowManyClasses) {
  TempDir dir("preview_classes");
  for (const char* c : {"classA", "classB", "classC"}) {
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) {
      dibr::test::write_fake_object(dir.path / c / ("obj" + std::to_string(i)), i, 32);
      ids.push_back("obj" + std::to_string(i));
    }
    dibr::test::write_list(dir.path / c / "softras_val.lst", ids);
    dibr::test::write_list(dir.path / c / "softras_train.lst", {"obj0"});
  }
  const auto d = dibr::open_dataset(dir.str());
  const dibr::PreviewSet four = dibr::select_preview_set(*d, 4, 16);
  EXPECT_EQ(four.ids, (std::vector<std::string>{"classA/obj0", "classB/obj0", "classC/obj0", "classA/obj1"}));
  EXPECT_EQ(dibr::select_preview_set(*d, 20, 16).count(), 9) << "every val object once";
}

}  // namespace

namespace {

TEST(DatasetHostile, IdsThatLeaveTheirClassFolderDuplicatesAndABomAreHandled) {
  TempDir dir("dataset_ids");
  for (const char* id : {"a", "b"}) dibr::test::write_fake_object(dir.path / "cls" / id, 1, 8);
  dibr::test::write_fake_object(dir.path / "other" / "victim", 2, 8);
  {
    std::ofstream list(dir.path / "cls" / "softras_train.lst", std::ios::binary);
    list << "\xEF\xBB\xBF" << "a\n../other/victim\n" << (dir.path / "other" / "victim").string() << "\nb\na\n..\n";
  }
  const auto index = dibr::index_dataset(dir.str(), {"cls"}, "train");
  ASSERT_EQ(index.objects.size(), 2u) << "the BOM is not part of the first id; traversals are refused";
  EXPECT_EQ(index.objects[0].object_id, "a");
  EXPECT_EQ(index.objects[1].object_id, "b");
  int leaving = 0, twice = 0;
  for (const auto& p : index.problems) {
    leaving += p.message.find("leaves its class folder") != std::string::npos;
    twice += p.message.find("listed twice") != std::string::npos;
  }
  EXPECT_EQ(leaving, 3);
  EXPECT_EQ(twice, 1);
  EXPECT_THROW(dibr::index_dataset(dir.str(), {"../cls"}, "train"), std::runtime_error);
}

TEST(DatasetHostile, BadCamerasAndPointsAreNamedWithTheirFile) {
  TempDir dir("dataset_values");
  dibr::test::write_fake_object(dir.path / "cls" / "nan_cam", 1, 8);
  dibr::test::write_fake_object(dir.path / "cls" / "big_cam", 2, 8);
  dibr::test::write_fake_object(dir.path / "cls" / "int_cam", 3, 8);
  dibr::test::write_fake_object(dir.path / "cls" / "nan_points", 4, 8);
  auto cameras = [](const at::Tensor& world0) {
    std::map<std::string, at::Tensor> c;
    for (int v = 0; v < 24; ++v) {
      c["world_mat_" + std::to_string(v)] = v == 0 ? world0 : torch::eye(4, torch::kFloat64);
      c["camera_mat_" + std::to_string(v)] = torch::eye(4, torch::kFloat64);
    }
    return c;
  };
  auto nan_world = torch::eye(4, torch::kFloat64);
  nan_world[0][3] = std::nan("");
  dibr::write_npz((dir.path / "cls" / "nan_cam" / "cameras.npz").string(), cameras(nan_world));
  dibr::write_npz((dir.path / "cls" / "big_cam" / "cameras.npz").string(), cameras(torch::zeros({5, 4}, torch::kFloat64)));
  dibr::write_npz((dir.path / "cls" / "int_cam" / "cameras.npz").string(), cameras(torch::eye(4, torch::kInt32)));
  auto points = torch::rand({100, 3});
  points[10][1] = std::numeric_limits<float>::infinity();
  dibr::write_npz((dir.path / "cls" / "nan_points" / "pointcloud.npz").string(), {{"points", points}});
  dibr::test::write_list(dir.path / "cls" / "softras_train.lst", {"nan_cam", "big_cam", "int_cam", "nan_points"});

  const auto deep = dibr::index_dataset(dir.str(), {}, "train", /*deep_check=*/true);
  EXPECT_TRUE(deep.objects.empty()) << "the deep check finds all four";
  ASSERT_EQ(deep.problems.size(), 4u);
  EXPECT_NE(deep.problems[0].message.find("NaN or Inf"), std::string::npos) << deep.problems[0].message;
  EXPECT_NE(deep.problems[1].message.find("4x4"), std::string::npos) << deep.problems[1].message;
  EXPECT_NE(deep.problems[2].message.find("floating-point"), std::string::npos) << deep.problems[2].message;
  EXPECT_NE(deep.problems[3].path.find("pointcloud.npz"), std::string::npos) << deep.problems[3].path;

  const auto shallow = dibr::index_dataset(dir.str(), {}, "train");
  ASSERT_EQ(shallow.objects.size(), 4u);
  try {
    dibr::load_view(shallow.objects[1], 0, 8);
    FAIL() << "a 5x4 world_mat was loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("big_cam/cameras.npz"), std::string::npos) << e.what();
  }
  try {
    dibr::load_pointcloud(shallow.objects[3]);
    FAIL() << "Inf points were loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("1 of 100 points"), std::string::npos) << e.what();
  }
}

TEST(DatasetHostile, ASymlinkLoopIsAProblemNotACrash) {
  FakeDataset data;
  fs::create_symlink(data.dir.path / "loop", data.dir.path / "loop");
  std::vector<dibr::DatasetProblem> problems;
  EXPECT_EQ(dibr::list_classes(data.dir.str(), &problems), (std::vector<std::string>{"classA", "classB"}));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].path.find("loop"), std::string::npos);
  const auto d = dibr::open_dataset(data.dir.str());
  EXPECT_EQ(d->classes.size(), 2u);
  size_t loops = 0;
  for (const auto& p : d->problems) loops += p.path.find("loop") != std::string::npos;
  EXPECT_EQ(loops, 1u) << "listed once, not once per split";
}

}  // namespace
