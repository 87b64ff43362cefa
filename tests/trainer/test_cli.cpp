// The `dibr` program: parsing, config layering, errors, and train --max-steps 0 -> eval end to end.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <string>

#include "nmr_fixture.h"
#include "trainer/config.h"
#include "trainer/obj_io.h"

namespace dibr {
namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

CommandResult run_dibr(const std::string& args) {
  const std::string command = std::string("'") + DIBR_CLI_PATH + "' " + args + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

TEST(Cli, HelpListsTheSubcommands) {
  const auto r = run_dibr("--help");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* sub : {"make-sample", "check-data", "train", "eval", "chamfer"}) {
    EXPECT_NE(r.output.find(sub), std::string::npos) << sub << " missing from:\n" << r.output;
  }
}

TEST(Cli, EverySubcommandHasHelp) {
  const std::pair<const char*, const char*> expected[] = {
      {"make-sample", "--objects-per-class"}, {"train", "--max-steps"}, {"eval", "--checkpoint"}, {"chamfer", "--pred"}};
  for (const auto& [sub, flag] : expected) {
    const auto r = run_dibr(std::string(sub) + " --help");
    EXPECT_EQ(r.exit_code, 0) << sub << ":\n" << r.output;
    EXPECT_NE(r.output.find(flag), std::string::npos) << sub << " --help does not mention " << flag;
  }
}

TEST(Cli, UnknownFlagIsAnError) {
  const auto r = run_dibr("train --no-such-flag 3");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--no-such-flag"), std::string::npos) << r.output;
}

TEST(Cli, MissingSubcommandIsAnError) {
  const auto r = run_dibr("");
  EXPECT_NE(r.exit_code, 0) << r.output;
}

TEST(Cli, UnknownPresetIsAnError) {
  const auto r = run_dibr("train --preset huge --print-config");
  EXPECT_NE(r.exit_code, 0) << r.output;
}

TEST(Cli, FlagsOverrideThePreset) {
  const auto r = run_dibr("train --preset quick --batch 3 --lr 0.002 --classes 02691156,03001627 --print-config");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  const TrainConfig quick = TrainConfig::from_preset("quick");
  EXPECT_EQ(j.at("data").at("batch_objects").get<int>(), 3);
  EXPECT_DOUBLE_EQ(j.at("optim").at("learning_rate").get<double>(), 0.002);
  EXPECT_EQ(j.at("data").at("classes").get<std::vector<std::string>>(), (std::vector<std::string>{"02691156", "03001627"}));
  EXPECT_EQ(j.at("data").at("image_size").get<int>(), quick.data.image_size);  // not given: the preset's
  EXPECT_EQ(j.at("optim").at("max_steps").get<int64_t>(), quick.optim.max_steps);
}

TEST(Cli, ConfigFileOverridesThePresetAndFlagsOverrideTheFile) {
  test::TempDir dir("cli_config");
  const fs::path file = dir.path / "config.json";
  std::ofstream(file) << R"({"image_size": 48, "batch_objects": 5, "max_steps": 77})";
  const auto r = run_dibr("train --preset paper --config " + quoted(file) + " --batch 2 --print-config");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  const TrainConfig paper = TrainConfig::from_preset("paper");
  EXPECT_EQ(j.at("preset").get<std::string>(), "paper");
  EXPECT_EQ(j.at("data").at("image_size").get<int>(), 48);       // file
  EXPECT_EQ(j.at("optim").at("max_steps").get<int64_t>(), 77);     // file
  EXPECT_EQ(j.at("data").at("batch_objects").get<int>(), 2);      // flag beats file
  EXPECT_EQ(j.at("run").at("keep_every").get<int64_t>(), paper.run.keep_every);  // preset
}

TEST(Cli, ConfigFileWithUnknownKeyIsAnError) {
  test::TempDir dir("cli_badconfig");
  const fs::path file = dir.path / "config.json";
  std::ofstream(file) << R"({"imagesize": 48})";
  const auto r = run_dibr("train --config " + quoted(file) + " --print-config");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("imagesize"), std::string::npos) << r.output;
}

TEST(Cli, MissingDataFolderIsAClearError) {
  test::TempDir dir("cli_nodata");
  const fs::path missing = dir.path / "no_such_dataset";
  const auto train = run_dibr("train --data " + quoted(missing) + " --out " + quoted(dir.path / "run"));
  EXPECT_NE(train.exit_code, 0);
  EXPECT_NE(train.output.find("no_such_dataset"), std::string::npos) << train.output;

  const fs::path checkpoint = dir.path / "fake.pt";
  std::ofstream(checkpoint) << "x";
  const auto eval = run_dibr("eval --checkpoint " + quoted(checkpoint) + " --data " + quoted(missing) + " --out " +
                             quoted(dir.path / "eval"));
  EXPECT_NE(eval.exit_code, 0);
  EXPECT_NE(eval.output.find("no_such_dataset"), std::string::npos) << eval.output;
}

TEST(Cli, StepZeroCheckpointThenEvalWritesMeshes) {
  test::TempDir dir("cli_e2e");
  const fs::path data = dir.path / "data";
  const fs::path cls = data / "02691156";
  test::write_fake_object(cls / "a", 1);
  test::write_fake_object(cls / "b", 2);
  test::write_list(cls / "softras_train.lst", {"a"});
  test::write_list(cls / "softras_val.lst", {});
  test::write_list(cls / "softras_test.lst", {"b"});
  const fs::path run = dir.path / "run";

  const auto train = run_dibr("train --data " + quoted(data) + " --out " + quoted(run) +
                              " --max-steps 0 --size 32 --batch 1 --views 1 --preview-count 0 --workers 1 --device cpu");
  ASSERT_EQ(train.exit_code, 0) << train.output;
  ASSERT_TRUE(fs::is_regular_file(run / "latest.pt")) << train.output;
  const auto written = nlohmann::json::parse(std::ifstream(run / "config.json"));
  EXPECT_EQ(written.at("data").at("image_size").get<int>(), 32);
  EXPECT_EQ(written.at("optim").at("max_steps").get<int64_t>(), 0);

  const fs::path eval = dir.path / "eval";
  const auto r = run_dibr("eval --checkpoint " + quoted(run / "latest.pt") + " --data " + quoted(data) + " --out " +
                          quoted(eval));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const ObjMesh mesh = read_obj((eval / "02691156" / "b_0.obj").string());
  EXPECT_EQ(mesh.vertices.size(0), 642);
  EXPECT_EQ(mesh.faces.size(0), 1280);
  EXPECT_TRUE(fs::is_regular_file(eval / "02691156" / "b_0.png"));
  EXPECT_FALSE(fs::exists(eval / "02691156" / "a_0.obj"));  // train split object: not evaluated
}

}  // namespace
}  // namespace dibr
