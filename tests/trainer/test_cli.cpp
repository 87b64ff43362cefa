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
#include "trainer/image_io.h"
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
  for (const char* sub : {"make-sample", "check-data", "train", "eval", "chamfer", "compare", "reconstruct", "validate"}) {
    EXPECT_NE(r.output.find(sub), std::string::npos) << sub << " missing from:\n" << r.output;
  }
}

TEST(Cli, EverySubcommandHasHelp) {
  const std::pair<const char*, const char*> expected[] = {
      {"make-sample", "--objects-per-class"}, {"train", "--max-steps"}, {"eval", "--checkpoint"}, {"chamfer", "--pred"},
      {"chamfer", "--voxels"}, {"compare", "--grid-objects"}};
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

TEST(Cli, AnotherMethodsSettingIsAClearError) {
  const auto r = run_dibr("train --preset softras-quick --sigmainv 100 --print-config");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--sigmainv is a setting of another method; softras"), std::string::npos) << r.output;
  EXPECT_EQ(run_dibr("train --preset softras-quick --softras-sigma 2e-4 --print-config").exit_code, 0);
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

// dibr validate as a user runs it after `dibr train`: every checkpoint scored once and stored beside it, the table
// with the best marked, validation.csv, and the run's own dataset found without --data.
TEST(Cli, ValidateScoresEachCheckpointOnceAndMarksTheBest) {
  test::TempDir dir("cli_validate");
  const fs::path data = dir.path / "data";
  test::write_tiny_dataset(data, "02691156", 4, {0, 1}, {2, 3}, {});
  const fs::path run = dir.path / "run";
  const auto train = run_dibr("train --data " + quoted(data) + " --out " + quoted(run) +
                              " --max-steps 4 --checkpoint-every 2 --keep-every 2 --size 32 --batch 2 --preview-count 0"
                              " --workers 1 --device cpu");
  ASSERT_EQ(train.exit_code, 0) << train.output;

  const auto first = run_dibr("validate " + quoted(run) + " --views 2");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("data " + fs::weakly_canonical(data).string()), std::string::npos)
      << "the run's dataset, from its config.json\n" << first.output;
  for (const char* step : {"step_2.pt", "step_4.pt"}) {
    EXPECT_TRUE(fs::is_regular_file(run / (std::string(step) + ".val.json"))) << step << "\n" << first.output;
    EXPECT_NE(first.output.find(std::string("| ") + step + " |"), std::string::npos) << first.output;
  }
  EXPECT_FALSE(fs::exists(run / "latest.pt.val.json")) << "latest.pt is step_4.pt's copy: one row, one score";
  EXPECT_NE(first.output.find("**best**"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("2 scored now, 0 stored"), std::string::npos) << first.output;
  std::ifstream csv(run / "validation.csv");
  std::string header, row2, row4, extra;
  std::getline(csv, header);
  std::getline(csv, row2);
  std::getline(csv, row4);
  EXPECT_EQ(header, "step,file,train_loss,val_iou,val_chamfer,best");
  EXPECT_EQ(row2.substr(0, 12), "2,step_2.pt,");
  EXPECT_EQ(row4.substr(0, 12), "4,step_4.pt,");
  EXPECT_FALSE(std::getline(csv, extra) && !extra.empty()) << extra;

  const auto again = run_dibr("validate " + quoted(run) + " --views 2");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("0 scored now, 2 stored"), std::string::npos) << again.output;
  const auto other = run_dibr("validate " + quoted(run) + " --views 3");
  ASSERT_EQ(other.exit_code, 0) << other.output;
  EXPECT_NE(other.output.find("2 scored now, 0 stored"), std::string::npos) << "other settings: scored again\n" << other.output;

  const auto empty = run_dibr("validate " + quoted(dir.path));
  EXPECT_NE(empty.exit_code, 0);
  EXPECT_NE(empty.output.find("no checkpoint in"), std::string::npos) << empty.output;
  const auto no_val = run_dibr("validate " + quoted(run) + " --split test");
  EXPECT_NE(no_val.exit_code, 0);
  EXPECT_NE(no_val.output.find("holds no object"), std::string::npos) << no_val.output;
}

// --profile prints the phase table after a short run: every phase, and the steps it covered.
TEST(Cli, ProfilePrintsTheTimeOfEachPhase) {
  test::TempDir dir("cli_profile");
  const fs::path data = dir.path / "data";
  const fs::path cls = data / "02691156";
  test::write_fake_object(cls / "a", 1);
  test::write_fake_object(cls / "b", 2);
  test::write_list(cls / "softras_train.lst", {"a", "b"});
  test::write_list(cls / "softras_val.lst", {});
  test::write_list(cls / "softras_test.lst", {});
  const auto r = run_dibr("train --data " + quoted(data) + " --out " + quoted(dir.path / "run") +
                          " --max-steps 3 --size 32 --batch 2 --views 1 --preview-count 0 --workers 1 --device cpu "
                          "--profile");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* phase : {"data", "encoder", "decoder", "renders", "losses", "backward", "optimiser", "snapshot",
                            "checkpoint", "other", "total"})
    EXPECT_NE(r.output.find(std::string("\n") + phase + " "), std::string::npos) << phase << "\n" << r.output;
  EXPECT_NE(r.output.find("3 steps,"), std::string::npos) << r.output;
  const auto plain = run_dibr("train --data " + quoted(data) + " --out " + quoted(dir.path / "plain") +
                              " --max-steps 1 --size 32 --batch 2 --views 1 --preview-count 0 --workers 1 --device cpu");
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_EQ(plain.output.find("ms/step"), std::string::npos) << plain.output;
}

TEST(Cli, CompareTwoMethodsWritesTheReportAndRefusesAFolderWithoutCheckpoint) {
  test::TempDir dir("cli_compare");
  const fs::path data = dir.path / "data";
  const fs::path cls = data / "02691156";
  test::write_fake_object(cls / "a", 1, 32);
  test::write_fake_object(cls / "b", 2, 32);
  test::write_list(cls / "softras_train.lst", {"a"});
  test::write_list(cls / "softras_val.lst", {"a"});
  test::write_list(cls / "softras_test.lst", {"b"});
  for (const char* preset : {"quick", "nmr-quick"}) {
    const auto r = run_dibr(std::string("train --preset ") + preset + " --data " + quoted(data) + " --out " +
                            quoted(dir.path / preset) + " --max-steps 0 --batch 1 --preview-count 0 --device cpu");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  const fs::path out = dir.path / "cmp";
  const auto r = run_dibr("compare " + quoted(dir.path / "quick") + " " + quoted(dir.path / "nmr-quick") + " --data " +
                          quoted(data) + " --out " + quoted(out) + " --grid-objects 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("| dibr · quick | dibr | mesh | surface | **mean** |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| nmr · nmr-quick | nmr | mesh | surface | **mean** |"), std::string::npos) << r.output;
  for (const char* f : {"compare.md", "compare.csv", "compare.json", "compare_grid.png"})
    EXPECT_TRUE(fs::is_regular_file(out / f)) << f;
  fs::create_directories(dir.path / "empty");
  const auto bad = run_dibr("compare " + quoted(dir.path / "empty") + " --data " + quoted(data) + " --out " + quoted(out));
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("holds no readable checkpoint"), std::string::npos) << bad.output;
}

// Runs a shell command line; returns its output (stdout and stderr) with "exit=N" appended.
std::string run_shell(const std::string& line) {
  FILE* pipe = popen((line + " 2>&1; echo \"exit=$?\"").c_str(), "r");
  std::string output;
  if (!pipe) return output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  pclose(pipe);
  return output;
}

std::string cli() { return std::string("'") + DIBR_CLI_PATH + "'"; }

// README's example is made by scripts/reconstruct-example.sh with README's command; here with 2 training steps and
// a small sample, into a scratch docs folder.
TEST(Cli, TheReadmeReconstructExampleIsMadeByItsScript) {
  test::TempDir dir("cli_reconstruct_example");
  const std::string out = run_shell("DIBR=" + cli() + " WORK=" + quoted(dir.path / "work") + " DOCS_DIR=" + quoted(dir.path / "docs") +
                                    " SAMPLE_FLAGS='--objects-per-class 3 --points 500 --supersample 1' '" + DIBR_SOURCE_DIR +
                                    "/scripts/reconstruct-example.sh' 2");
  ASSERT_NE(out.find("exit=0"), std::string::npos) << out;
  const auto input = read_png((dir.path / "docs" / "reconstruct_input.png").string());
  const auto strip = read_png((dir.path / "docs" / "reconstruct_turntable.png").string());
  EXPECT_EQ(input.size(0), 128);
  EXPECT_EQ(strip.size(0), 128);
  EXPECT_EQ(strip.size(1), 12 * 128) << "12 views by default";
  const auto report = nlohmann::json::parse(std::ifstream(dir.path / "work" / "mine" / "reconstruct.json"));
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(report[0].at("error").get<std::string>(), "");
  EXPECT_EQ(read_obj((dir.path / "work" / "mine" / "chair.obj").string()).vertices.size(0), 642);

  // Several pictures: a progress line, unique names, and a broken one named while the others are written.
  const std::string chair = (dir.path / "work" / "chair.png").string();
  std::ofstream(dir.path / "broken.png") << "not a png";
  const auto r = run_dibr("reconstruct --checkpoint " + quoted(dir.path / "work" / "run" / "latest.pt") + " '" + chair + "' '" + chair +
                          "' " + quoted(dir.path / "broken.png") + " '" + chair + "' --views 2 --out " + quoted(dir.path / "many"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("reconstruct: 4 images"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("broken.png"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1 of 4 images failed"), std::string::npos) << r.output;
  for (const char* name : {"chair.obj", "chair_2.obj", "chair_3.obj", "chair_3_turntable.gif"})
    EXPECT_TRUE(fs::is_regular_file(dir.path / "many" / name)) << name << "\n" << r.output;
}

TEST(Cli, BadValuesAreRefusedAtParseTimeWithNameAndBounds) {
  for (const char* flags : {"--knum 1000", "--boxlen -1", "--sigmainv nan", "--size 33.9", "--seed -1", "--workers 100000",
                            "--threads 100000", "--max-steps 99999999999999999999", "--weight-iou -1", "--lr-decay nan",
                            "--method nerf", "--soft-distance nearest"}) {
    const auto r = run_dibr(std::string("train --print-config ") + flags);  // checked before anything runs
    EXPECT_NE(r.exit_code, 0) << flags << ": " << r.output;
    const std::string name = std::string(flags).substr(0, std::string(flags).find(' '));
    EXPECT_NE(r.output.find(name), std::string::npos) << flags << ": " << r.output;
  }
  const auto knum = run_dibr("train --print-config --knum 1000");
  EXPECT_NE(knum.output.find("[1, 128]"), std::string::npos) << knum.output;
  const auto ok = run_dibr("train --print-config --knum 128 --method dibr --soft-distance triangle");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

TEST(Cli, CheckDataDecodesEverythingAndNamesTheBrokenFile) {
  test::TempDir dir("cli_check_data");
  const fs::path data = dir.path / "data";
  test::write_fake_object(data / "02691156" / "a", 1, 8);
  test::write_fake_object(data / "02691156" / "b", 2, 8);
  test::write_list(data / "02691156" / "softras_train.lst", {"a", "b"});
  auto r = run_dibr("check-data " + quoted(data));
  EXPECT_EQ(r.exit_code, 1) << "no val/test lists are problems: " << r.output;
  test::write_list(data / "02691156" / "softras_val.lst", {});
  test::write_list(data / "02691156" / "softras_test.lst", {});
  r = run_dibr("check-data " + quoted(data));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("train: 2 usable objects"), std::string::npos) << r.output;
  const fs::path png = data / "02691156" / "b" / "image" / "0011.png";
  fs::resize_file(png, fs::file_size(png) / 2);  // the existence check cannot see this
  r = run_dibr("check-data " + quoted(data));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("0011.png"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("train: 1 usable objects"), std::string::npos) << r.output;
}

TEST(Cli, ResumeOnAFolderWithoutCheckpointSaysSo) {
  test::TempDir dir("cli_resume_none");
  const fs::path data = dir.path / "data";
  test::write_fake_object(data / "02691156" / "a", 1);
  test::write_list(data / "02691156" / "softras_train.lst", {"a"});
  const auto r = run_dibr("train --data " + quoted(data) + " --out " + quoted(dir.path / "run") +
                          " --resume --max-steps 0 --size 32 --batch 1 --views 1 --preview-count 0 --device cpu");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("no checkpoint in"), std::string::npos) << r.output;
}

TEST(Cli, SigtermStopsTrainingWithACheckpointLikeCtrlC) {
  test::TempDir dir("cli_sigterm");
  const fs::path data = dir.path / "data";
  test::write_fake_object(data / "02691156" / "a", 1, 32);
  test::write_list(data / "02691156" / "softras_train.lst", {"a"});
  const fs::path run = dir.path / "run", log = dir.path / "log.txt";
  // Started in the background; SIGTERM once its first progress line is out (waits on state, not on time).
  const auto out = run_shell(cli() + " train --data " + quoted(data) + " --out " + quoted(run) +
                             " --max-steps 100000 --size 32 --batch 1 --views 2 --preview-count 0 --device cpu --threads 1"
                             " --log-every 1 >" + quoted(log) + " 2>&1 & pid=$!; "
                             "for i in $(seq 900); do grep -q '^step ' " + quoted(log) + " && break; kill -0 $pid 2>/dev/null || break; sleep 0.2; done; "
                             "kill -TERM $pid; wait $pid");
  std::ifstream in(log);
  const std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(out.find("exit=130"), std::string::npos) << out << output;
  EXPECT_NE(output.find("stopped at step"), std::string::npos) << output;
  EXPECT_TRUE(fs::is_regular_file(run / "latest.pt")) << output;
}

TEST(Cli, AFailedCheckpointWriteIsAMessageAndThePreviousOneStaysIntact) {
  test::TempDir dir("cli_full_disk");
  const fs::path data = dir.path / "data";
  test::write_fake_object(data / "02691156" / "a", 1, 32);
  test::write_list(data / "02691156" / "softras_train.lst", {"a"});
  const fs::path run = dir.path / "run";
  const std::string flags = " --data " + quoted(data) + " --out " + quoted(run) +
                            " --size 32 --batch 1 --views 2 --preview-count 0 --device cpu --threads 1 --keep-every 0";
  ASSERT_EQ(run_dibr("train --max-steps 1" + flags).exit_code, 0);
  const auto before = fs::file_size(run / "latest.pt");
  // A 20 MB file-size limit: the next checkpoint (~140 MB) cannot be written, as on a full disk.
  auto output = run_shell("ulimit -f 20000; " + cli() + " train --resume --max-steps 2" + flags);
  EXPECT_NE(output.find("exit=1"), std::string::npos) << output;
  EXPECT_NE(output.find("file too large"), std::string::npos) << output;
  EXPECT_NE(output.find("the previous checkpoint at step 1"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(run / "latest.pt.tmp")) << "the partial file is removed";
  EXPECT_EQ(fs::file_size(run / "latest.pt"), before) << "the previous checkpoint is untouched";
  // By choice, training goes on past failed periodic checkpoints (and still says so when the last one fails).
  output = run_shell("ulimit -f 20000; " + cli() + " train --resume --max-steps 3" + flags +
                     " --checkpoint-every 1 --on-save-error continue --log-every 1");
  EXPECT_NE(output.find("(training goes on)"), std::string::npos) << output;
  EXPECT_NE(output.find("step 3/3"), std::string::npos) << output;
  EXPECT_NE(output.find("exit=1"), std::string::npos) << output;
  EXPECT_EQ(fs::file_size(run / "latest.pt"), before);
}

}  // namespace
}  // namespace dibr
