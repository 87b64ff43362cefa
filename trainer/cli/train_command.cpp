// `dibr train`: preset, then --config JSON, then flags; live progress; Ctrl-C stops with a checkpoint.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/config.h"
#include "trainer/progress_line.h"
#include "trainer/trainer.h"

namespace dibr::cli {
namespace {

struct TrainFlags {
  std::string preset = "quick";
  CLI::Option* preset_option = nullptr;
  std::string config_file;
  bool resume = false;
  bool print_config = false;
  int64_t log_every = 10;
  TrainConfig values;  // holds the values of the config flags; only the ones given are applied
  std::vector<std::pair<CLI::Option*, std::function<void(TrainConfig&)>>> overrides;
};

template <typename T>
CLI::Option* add_override(CLI::App& app, const std::shared_ptr<TrainFlags>& flags, const std::string& name,
                          T TrainConfig::*field, const std::string& help) {
  CLI::Option* option = app.add_option(name, flags->values.*field, help);
  TrainFlags* f = flags.get();
  flags->overrides.emplace_back(option, [f, field](TrainConfig& c) { c.*field = f->values.*field; });
  return option;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("--config '" + path + "' could not be opened");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// preset -> JSON file (its keys replace the preset's) -> command-line flags.
TrainConfig build_config(const TrainFlags& flags) {
  const bool preset_given = flags.preset_option->count() > 0;
  TrainConfig config = TrainConfig::from_preset(flags.preset);
  if (!flags.config_file.empty()) {
    nlohmann::json file;
    try {
      file = nlohmann::json::parse(read_text_file(flags.config_file));
    } catch (const nlohmann::json::parse_error& e) {
      throw std::runtime_error("--config '" + flags.config_file + "': invalid JSON: " + e.what());
    }
    if (!file.is_object()) throw std::runtime_error("--config '" + flags.config_file + "': expected a JSON object");
    // The file may name its own preset; an explicit --preset wins.
    std::string base = flags.preset;
    if (!preset_given && file.contains("preset") && file["preset"].is_string()) base = file["preset"].get<std::string>();
    nlohmann::json merged = nlohmann::json::parse(TrainConfig::from_preset(base).to_json());
    merged.update(file);
    merged["preset"] = base;
    try {
      config = TrainConfig::from_json(merged.dump());
    } catch (const std::exception& e) {
      throw std::runtime_error("--config '" + flags.config_file + "': " + e.what());
    }
  }
  for (const auto& [option, apply] : flags.overrides) {
    if (option->count() > 0) apply(config);
  }
  return config;
}

std::string loss_text(const LossTerms& l) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "loss %.4f (color %.4f iou %.4f lap %.5f flat %.5f)", l.total, l.color, l.iou,
                l.laplacian, l.flatten);
  return buf;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// --resume without --preset or --config continues with the settings stored in <out>/latest.pt.
bool use_checkpoint_config(const TrainFlags& flags, TrainConfig& config) {
  if (!flags.resume || flags.preset_option->count() > 0 || !flags.config_file.empty()) return false;
  TrainConfig probe = TrainConfig::from_preset(flags.preset);
  for (const auto& [option, apply] : flags.overrides) {
    if (option->count() > 0) apply(probe);
  }
  const std::string latest = (std::filesystem::path(probe.out_dir) / "latest.pt").string();
  if (!std::filesystem::exists(latest)) return false;
  config = Trainer::config_from_checkpoint(latest);
  for (const auto& [option, apply] : flags.overrides) {
    if (option->count() > 0) apply(config);
  }
  std::cerr << "dibr train: resuming with the settings stored in " << latest << " (flags given here override them)\n";
  return true;
}

int run_train(TrainFlags& flags) {
  TrainConfig config;
  if (!use_checkpoint_config(flags, config)) config = build_config(flags);
  if (flags.print_config) {
    std::cout << config.to_json() << "\n";
    return 0;
  }

  config.data_root = resolve_data_root(config.data_root, "train");
  if (!config.classes.empty()) std::cerr << "dibr train: classes " << join(config.classes) << "\n";

  InterruptHandler interrupt;
  // Indexes the data (listing every skipped object on stderr) and builds the model; throws for a bad folder.
  Trainer trainer(config, flags.resume);
  const auto problems = trainer.dataset_problems();
  if (!problems.empty()) {
    const std::string list_path = (std::filesystem::path(config.out_dir) / "dataset_problems.txt").string();
    std::string all;
    for (const auto& p : problems) all += p.path + ": " + p.message + "\n";
    write_text_file(list_path, all);
    std::cerr << "dibr train: " << problems.size() << " dataset problem(s) (listed above and in " << list_path
              << ")\n";
  }
  const std::string config_path = (std::filesystem::path(config.out_dir) / "config.json").string();
  write_text_file(config_path, config.to_json() + "\n");
  std::cerr << "dibr train: preset " << config.preset << ", device " << trainer.device_name() << ", "
            << config.image_size << "^2, batch " << config.batch_objects << "x" << config.views_per_object
            << ", step " << trainer.step() << " -> " << config.max_steps << ", out " << config.out_dir << "\n";

  if (interrupt.requested()) {
    std::cerr << "dibr train: interrupted before the first step; nothing trained\n";
    return 130;
  }
  ProgressLine line(stderr, flags.log_every);
  TrainerProgress last;
  bool stepped = false;
  try {
    trainer.run([&](const TrainerProgress& p) {
      last = p;
      stepped = true;
      line.update(p.step, format_progress("step", p.step, p.max_steps, p.steps_per_second, p.eta_seconds) + " | " +
                              loss_text(p.losses));
      // Called on the training thread: the loop ends after this step and writes latest.pt.
      if (interrupt.requested()) trainer.stop();
    });
  } catch (const std::exception& e) {
    line.message("");
    throw std::runtime_error(std::string("training failed: ") + e.what());
  }
  if (trainer.state() == TrainerState::Failed) throw std::runtime_error("training failed: " + trainer.error());

  if (stepped) {
    line.finish(format_progress("step", trainer.step(), config.max_steps, last.steps_per_second, 0) + " | " +
                loss_text(last.losses));
  }
  const std::string latest = trainer.latest_checkpoint_path();
  if (interrupt.requested()) {
    std::cerr << "dibr train: stopped at step " << trainer.step() << "; checkpoint " << latest
              << " (continue with: dibr train --out " << config.out_dir << " --resume)\n";
    return 130;
  }
  std::cerr << "dibr train: done at step " << trainer.step() << "; checkpoint " << latest << ", metrics "
            << (std::filesystem::path(config.out_dir) / "metrics.csv").string() << ", config " << config_path << "\n";
  return 0;
}

}  // namespace

Command add_train_command(CLI::App& parent) {
  auto flags = std::make_shared<TrainFlags>();
  CLI::App* app = parent.add_subcommand(
      "train",
      "Train the DIB-R network. The config is the preset, then --config FILE.json (its keys replace the preset's), "
      "then the flags given here. Progress goes to stderr; Ctrl-C stops after the current step and writes "
      "<out>/latest.pt (twice: quit at once).");

  flags->preset_option = app->add_option("--preset", flags->preset, "quick (2-core CPU, minutes) or paper (reference)")
                             ->check(CLI::IsMember({"quick", "paper"}))
                             ->capture_default_str();
  app->add_option("--config", flags->config_file, "JSON file with TrainConfig keys (see docs/cli.md)")
      ->check(CLI::ExistingFile);
  add_override(*app, flags, "--data", &TrainConfig::data_root,
               "NMR dataset root (<root>/<class>/softras_train.lst ...); default: the built-in sample");
  add_override(*app, flags, "--classes", &TrainConfig::classes, "comma-separated class ids (default: all)")
      ->delimiter(',');
  add_override(*app, flags, "--out", &TrainConfig::out_dir, "run folder: checkpoints, metrics.csv, config.json");
  add_override(*app, flags, "--device", &TrainConfig::device, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  add_override(*app, flags, "--max-steps", &TrainConfig::max_steps,
               "stop at this step (0 writes an untrained step-0 checkpoint)")
      ->check(CLI::NonNegativeNumber);
  add_override(*app, flags, "--batch", &TrainConfig::batch_objects, "objects per batch")->check(CLI::PositiveNumber);
  add_override(*app, flags, "--views", &TrainConfig::views_per_object, "random views per object in a batch")
      ->check(CLI::PositiveNumber);
  add_override(*app, flags, "--size", &TrainConfig::image_size, "input and render resolution")
      ->check(CLI::PositiveNumber);
  add_override(*app, flags, "--lr", &TrainConfig::learning_rate, "Adam learning rate")->check(CLI::PositiveNumber);
  add_override(*app, flags, "--lr-decay-step", &TrainConfig::lr_decay_step, "multiply the lr by --lr-decay this often")
      ->check(CLI::PositiveNumber);
  add_override(*app, flags, "--lr-decay", &TrainConfig::lr_decay, "lr factor every --lr-decay-step steps")
      ->check(CLI::PositiveNumber);
  add_override(*app, flags, "--weight-color", &TrainConfig::weight_color, "weight of the colour (L1) loss");
  add_override(*app, flags, "--weight-iou", &TrainConfig::weight_iou, "weight of the silhouette IoU loss");
  add_override(*app, flags, "--weight-laplacian", &TrainConfig::weight_laplacian, "weight of the Laplacian loss");
  add_override(*app, flags, "--weight-flatten", &TrainConfig::weight_flatten, "weight of the flatten loss");
  add_override(*app, flags, "--sigmainv", &TrainConfig::sigmainv, "soft silhouette sharpness (1/NDC^2)")
      ->check(CLI::PositiveNumber);
  add_override(*app, flags, "--boxlen", &TrainConfig::boxlen, "NDC margin of the soft-silhouette face boxes");
  add_override(*app, flags, "--knum", &TrainConfig::knum, "faces per pixel in the soft silhouette")
      ->check(CLI::PositiveNumber);
  add_override(*app, flags, "--checkpoint-every", &TrainConfig::checkpoint_every, "rewrite latest.pt this often")
      ->check(CLI::PositiveNumber);
  add_override(*app, flags, "--keep-every", &TrainConfig::keep_every, "keep step_<N>.pt this often (0 = never)")
      ->check(CLI::NonNegativeNumber);
  add_override(*app, flags, "--snapshot-every", &TrainConfig::snapshot_every, "preview snapshot interval (studio)")
      ->check(CLI::PositiveNumber);
  add_override(*app, flags, "--preview-count", &TrainConfig::preview_count, "preview objects (val split)")
      ->check(CLI::NonNegativeNumber);
  add_override(*app, flags, "--workers", &TrainConfig::loader_workers, "batch loader threads")
      ->check(CLI::PositiveNumber);
  add_override(*app, flags, "--threads", &TrainConfig::num_threads, "LibTorch intra-op threads (0 = default)")
      ->check(CLI::NonNegativeNumber);
  add_override(*app, flags, "--seed", &TrainConfig::seed, "random seed");
  add_override(*app, flags, "--pretrained-encoder", &TrainConfig::pretrained_encoder,
               "file with ResNet-18 encoder weights (optional)")
      ->check(CLI::ExistingFile);
  app->add_flag("--resume", flags->resume, "continue from <out>/latest.pt when it exists (without --preset/--config: with the settings stored in it)");
  app->add_option("--log-every", flags->log_every,
                  "when stderr is not a terminal, print one progress line every N steps")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_flag("--print-config", flags->print_config, "print the resolved config as JSON and exit");

  return {app, [flags] { return run_train(*flags); }};
}

}  // namespace dibr::cli
