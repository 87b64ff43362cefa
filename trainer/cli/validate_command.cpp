// `dibr validate`: the validation score of every checkpoint of a run (the studio computes the same ones in the
// background), scored where missing and listed with the best marked.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "trainer/checkpoint.h"
#include "trainer/checkpoint_validation.h"
#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/config.h"
#include "trainer/progress_line.h"

namespace fs = std::filesystem;

namespace dibr::cli {
namespace {

struct ValidateFlags {
  ValidationOptions options;
  std::string run;
  std::string data;
  bool data_given = false;
  bool recompute = false;
};

// The data root the run was trained on: its config.json, else its newest checkpoint's config ("" = the sample).
std::string run_data_root(const std::string& run_dir) {
  const fs::path config = fs::path(run_dir) / "config.json";
  std::error_code ec;
  if (fs::is_regular_file(config, ec)) {
    std::ifstream in(config);
    return TrainConfig::from_json(std::string(std::istreambuf_iterator<char>(in), {})).data.root;
  }
  const std::string ckpt = resume_checkpoint(run_dir);
  return ckpt.empty() ? std::string() : TrainConfig::from_json(load_checkpoint(ckpt, nullptr, nullptr).config_json).data.root;
}

int run_validate_command(ValidateFlags& flags) {
  std::error_code ec;
  const bool single_file = fs::is_regular_file(flags.run, ec);
  if (!single_file && !fs::is_directory(flags.run, ec))
    throw std::runtime_error("'" + flags.run + "' is neither a run folder nor a checkpoint file");
  const std::string run_dir = single_file ? fs::path(flags.run).parent_path().string() : flags.run;
  std::vector<CheckpointInfo> checkpoints;
  if (single_file) {
    const CheckpointMeta meta = load_checkpoint(flags.run, nullptr, nullptr);
    checkpoints.push_back({flags.run, meta.step, meta.loss, meta.method});
  } else {
    checkpoints = checkpoint_steps(run_dir);
  }
  if (checkpoints.empty()) throw std::runtime_error("no checkpoint in " + run_dir + " (latest.pt or step_N.pt)");

  ValidationOptions options = flags.options;
  options.dataset = open_data(flags.data_given ? flags.data : run_data_root(run_dir.empty() ? "." : run_dir), "validate");
  InterruptHandler interrupt;
  options.cancel = &interrupt.flag();

  std::vector<ValidationRow> rows;
  int scored = 0, stored = 0;
  for (const auto& c : checkpoints) {
    ValidationRow row{c, load_validation(c)};
    if (row.score && (flags.recompute || !same_validation_settings(*row.score, options))) row.score.reset();
    if (row.score) {
      ++stored;
    } else if (!interrupt.requested()) {
      ProgressLine line(stderr, 50);
      options.progress = object_progress(line, "validate step " + std::to_string(c.step));
      ValidationScore score = validate_checkpoint(c.path, options);
      if (interrupt.requested()) {
        line.finish("validate: step " + std::to_string(c.step) + " interrupted, not saved");
      } else {
        line.finish("validate: step " + std::to_string(c.step) + " scored in " + std::to_string(static_cast<int>(score.seconds)) + " s");
        print_problems("dibr validate (step " + std::to_string(c.step) + ")", score.problems, 5);
        save_validation(score);
        row.score = std::move(score);
        ++scored;
      }
    }
    rows.push_back(std::move(row));
  }
  std::cout << validation_table(rows);
  const std::string csv = (fs::path(run_dir.empty() ? "." : run_dir) / "validation.csv").string();
  write_text_file(csv, validation_csv(rows));
  std::cerr << "dibr validate: " << scored << " scored now, " << stored << " stored (" << validation_file("<checkpoint>")
            << "); table in " << csv << "\n";
  if (interrupt.requested()) return 130;
  return scored + stored > 0 ? 0 : 1;
}

}  // namespace

Command add_validate_command(CLI::App& parent) {
  auto flags = std::make_shared<ValidateFlags>();
  ValidationOptions& o = flags->options;
  CLI::App* app = parent.add_subcommand(
      "validate",
      "Validation score of every checkpoint of a run: silhouette IoU on the val views and chamfer (x100, 2500 points) "
      "on the val objects; stored beside each checkpoint as <checkpoint>.val.json (the studio's too), scored only where "
      "missing, and listed with the best checkpoint marked (also <run>/validation.csv).");
  app->add_option("run", flags->run, "run folder (or one checkpoint file)")->required();
  app->add_option("--data", flags->data, "NMR dataset root; default: the one the run was trained on")
      ->each([flags](const std::string&) { flags->data_given = true; });
  app->add_option("--split", o.split, "split to score on")->check(CLI::IsMember({"train", "val", "test"}))->capture_default_str();
  app->add_option("--objects-per-class", o.objects_per_class, "the first N objects of each class's split list")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app->add_option("--views", o.views, "silhouette views per object, evenly spaced over its 24")
      ->check(CLI::Range(1, 24))
      ->capture_default_str();
  app->add_option("--device", o.device, "cpu, cuda or auto")->check(CLI::IsMember({"auto", "cpu", "cuda"}))->capture_default_str();
  app->add_flag("--recompute", flags->recompute, "score every checkpoint again, even those with a stored score");
  return {app, [flags] { return run_validate_command(*flags); }};
}

}  // namespace dibr::cli
