// `dibr train`: preset, then --config JSON, then flags; live progress; Ctrl-C (or SIGTERM/SIGHUP) stops with a
// checkpoint.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <algorithm>
#include <stdexcept>

#include "trainer/checkpoint.h"
#include "trainer/cli/commands.h"
#include "trainer/cli/launcher.h"
#include "trainer/cli/common.h"
#include "trainer/config.h"
#include "trainer/config_flags.h"
#include "trainer/distributed/distributed_setup.h"
#include "trainer/method.h"
#include "trainer/progress_line.h"
#include "trainer/trainer.h"
#include "trainer/training_run.h"

namespace dibr::cli {
namespace {

struct TrainFlags {
  std::unique_ptr<ConfigFlags> config_flags;
  std::string config_file;
  bool resume = false;
  bool print_config = false;
  bool profile = false;
  int64_t log_every = 10;
  LaunchOptions launch;
  bool launch_requested = false;  // --nproc (or another launcher flag) given
  std::string preset() const { return config_flags->resolved_preset(); }
};

bool is_paper_preset(const std::string& preset) {
  return preset.size() >= 5 && preset.compare(preset.size() - 5, 5, "paper") == 0;
}

// The paper presets keep their global batch in a group: the per-rank batch is the global one divided among the ranks.
// Any other batch (a quick preset's, a --batch) is per rank and the global batch grows with the group.
// stored_world_size: the group size of the run being resumed with its stored settings (its batch was per rank).
void share_batch_among_ranks(const TrainFlags& flags, TrainConfig& config, int world, int stored_world_size,
                             bool quiet) {
  const auto& given = flags.config_flags->given_keys();
  const bool explicit_batch = std::find(given.begin(), given.end(), "data.batch_objects") != given.end();
  if (world <= 1 && stored_world_size <= 1) return;
  if (!is_paper_preset(config.preset) || explicit_batch) {
    if (!quiet && world > 1)
      std::cerr << "dibr train: batch " << config.data.batch_objects << " objects per rank x " << world
                << " ranks = global batch " << config.data.batch_objects * world << "\n";
    return;
  }
  const int global = config.data.batch_objects * std::max(1, stored_world_size);
  if (global % world != 0)
    throw std::invalid_argument("the " + config.preset + " preset's global batch of " + std::to_string(global) +
                                " objects does not divide among " + std::to_string(world) +
                                " ranks: choose the per-rank batch with --batch");
  config.data.batch_objects = global / world;
  if (!quiet)
    std::cerr << "dibr train: " << config.preset << " keeps its global batch of " << global << " objects: "
              << config.data.batch_objects << " per rank x " << world << " ranks\n";
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
  TrainConfig config = TrainConfig::from_preset(flags.preset());
  if (!flags.config_file.empty()) {
    nlohmann::json file;
    try {
      file = nlohmann::json::parse(read_text_file(flags.config_file));
    } catch (const nlohmann::json::parse_error& e) {
      throw std::runtime_error("--config '" + flags.config_file + "': invalid JSON: " + e.what());
    }
    if (!file.is_object()) throw std::runtime_error("--config '" + flags.config_file + "': expected a JSON object");
    // The file may name its own preset; an explicit --preset wins.
    if (!flags.config_flags->preset().empty() || !file.contains("preset")) file["preset"] = flags.preset();
    try {
      config = TrainConfig::from_json(file.dump());
    } catch (const std::exception& e) {
      throw std::runtime_error("--config '" + flags.config_file + "': " + e.what());
    }
  }
  flags.config_flags->apply(config);
  for (const auto& key : flags.config_flags->given_keys()) {
    if (setting_applies_to(key, config.model.method)) continue;
    const FieldSpec* f = find_field(key);
    throw std::invalid_argument(std::string(f ? f->flag : key.c_str()) + " is a setting of another method; " +
                                config.model.method + " (preset " + config.preset +
                                ") does not read it (docs/methods.md lists each method's settings)");
  }
  return config;
}

std::string loss_text(const std::vector<std::string>& names, const LossTerms& l) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "loss %.4f", l.total);
  std::string text = buf;
  for (size_t i = 0; i < names.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%s %.4g", i ? " " : " (", names[i].c_str(), l.term(i));
    text += buf;
  }
  return names.empty() ? text : text + ")";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// --resume without --preset or --config continues with the settings stored in the run's checkpoint.
bool use_checkpoint_config(const TrainFlags& flags, TrainConfig& config, int* stored_world_size = nullptr) {
  if (!flags.resume || !flags.config_flags->preset().empty() || !flags.config_file.empty()) return false;
  TrainConfig probe = TrainConfig::from_preset(flags.preset());
  flags.config_flags->apply(probe);
  const std::string from = resume_checkpoint(probe.run.out_dir);
  if (from.empty()) return false;
  const CheckpointMeta meta = load_checkpoint(from, nullptr, nullptr);
  config = TrainConfig::from_json(meta.config_json);
  if (stored_world_size) *stored_world_size = meta.world_size;
  flags.config_flags->apply(config);
  std::cerr << "dibr train: resuming with the settings stored in " << from << " (flags given here override them)\n";
  return true;
}

int run_train(TrainFlags& flags) {
  const std::optional<DistributedSetup> group = distributed_setup_from_environment();
  if (flags.launch_requested && group)
    throw std::invalid_argument("--nproc and the other launcher flags are for starting a group; this process already "
                                "is rank " + std::to_string(group->rank) + " of one (RANK/WORLD_SIZE are set)");
  const int world = flags.launch_requested ? flags.launch.nproc * flags.launch.nnodes : group ? group->world_size : 1;
  const bool quiet = group && group->rank != 0;  // only rank 0 talks, besides errors
  TrainConfig config;
  int stored_world_size = 1;
  if (!use_checkpoint_config(flags, config, &stored_world_size)) config = build_config(flags);
  // Said by the process that trains (rank 0, or one process), not also by the launcher.
  if (flags.resume && !quiet && !flags.launch_requested && stored_world_size != world && stored_world_size > 0 &&
      !resume_checkpoint(config.run.out_dir).empty())
    std::cerr << "dibr train: resuming a run of " << stored_world_size << " process(es) with " << world
              << ": the weights and optimiser continue exactly, each rank's data starts its new shard "
                 "(docs/distributed.md)\n";
  if (flags.launch_requested) {
    TrainConfig per_rank = config;  // checked here, before any worker starts; each worker shares it again
    share_batch_among_ranks(flags, per_rank, world, stored_world_size, true);
  } else {
    share_batch_among_ranks(flags, config, world, stored_world_size, quiet);
  }
  validate(config);
  if (flags.launch_requested && !flags.print_config) {
    if (config.data.root.empty()) open_data("", "train", true);  // generate the built-in sample once, not in every worker
    return launch_workers(flags.launch, without_launcher_flags(program_arguments()));
  }
  if (flags.print_config) {
    std::cout << config.to_json() << "\n";
    return 0;
  }
  if (flags.resume && resume_checkpoint(config.run.out_dir).empty())
    std::cerr << "dibr train: --resume: no checkpoint in " << config.run.out_dir << " yet; starting at step 0\n";

  InterruptHandler interrupt;
  auto dataset = open_data(config.data.root, "train", quiet);
  if (!config.data.classes.empty() && !quiet) std::cerr << "dibr train: classes " << join(config.data.classes) << "\n";

  TrainingRun run;
  if (group) {
    if (group->world_size > 1 && !distributed_training_available())
      throw std::runtime_error(distributed_unavailable_reason());
    run.set_distributed(*group);
  }
  ProgressLine line(stderr, flags.log_every);
  TrainerProgress last;
  bool stepped = false;
  std::vector<std::string> names;
  const std::string config_path = (std::filesystem::path(config.run.out_dir) / "config.json").string();
  run.set_ready_callback([&] {
    names = run.loss_names();
    if (quiet) return;
    if (group && group->world_size > 1)
      std::cerr << "dibr train: " << group->describe() << ", backend " << run.group_backend() << "\n";
    const auto problems = run.dataset_problems();
    if (!problems.empty()) {
      const std::string list_path = (std::filesystem::path(config.run.out_dir) / "dataset_problems.txt").string();
      std::vector<std::string> lines;
      for (const auto& p : problems) lines.push_back(p.path + ": " + p.message);
      print_problems("dibr train: dataset", lines);
      std::cerr << "dibr train: " << problems.size() << " dataset problem(s) (full list in " << list_path << ")\n";
    }
    std::cerr << "dibr train: method " << config.model.method << ", preset " << config.preset << ", device "
              << run.device_name() << ", " << config.data.image_size << "^2, batch " << config.data.batch_objects << "x"
              << config.data.views_per_object << ", step " << run.step() << " -> " << config.optim.max_steps << ", out "
              << config.run.out_dir << "\n";
  });
  run.set_progress_callback([&](const TrainerProgress& p) {
    last = p;
    stepped = true;
    if (quiet) return;
    std::string text = format_progress("step", p.step, p.max_steps, p.steps_per_second, p.eta_seconds) + " | " +
                       loss_text(names, p.losses);
    if (p.broken_objects > 0)
      text += " | " + std::to_string(p.broken_objects) + " broken object(s) replaced (dataset_problems.txt)";
    if (!p.save_warning.empty()) line.message("dibr train: warning: " + p.save_warning + " (training goes on)");
    line.update(p.step, text);
  });
  run.enable_profile(flags.profile);
  run.start(config, dataset, flags.resume);
  while (!run.wait_for(0.1)) {
    if (interrupt.requested()) run.stop();
  }
  if (run.state() == RunState::Failed) {
    if (stepped) line.message("");
    throw std::runtime_error((group && group->world_size > 1 ? "rank " + std::to_string(group->rank) + ": " : std::string()) +
                             "training failed: " + run.error());
  }
  if (quiet) return run.state() == RunState::Stopped ? 130 : 0;
  if (stepped) {
    line.finish(format_progress("step", run.step(), config.optim.max_steps, last.steps_per_second, 0) + " | " +
                loss_text(names, last.losses));
  }
  if (flags.profile && !run.profile_table().empty())
    std::cerr << "dibr train: time per step by phase (" << run.device_name() << ")\n" << run.profile_table();
  const std::string latest = run.latest_checkpoint_path();
  if (run.state() == RunState::Stopped) {
    std::cerr << "dibr train: stopped at step " << run.step() << "; checkpoint " << latest
              << " (continue with: dibr train --out " << config.run.out_dir << " --resume)\n";
    return 130;
  }
  std::cerr << "dibr train: done at step " << run.step() << "; checkpoint " << latest << ", metrics "
            << (std::filesystem::path(config.run.out_dir) / "metrics.csv").string() << ", config " << config_path << "\n";
  return 0;
}

}  // namespace

Command add_train_command(CLI::App& parent) {
  auto flags = std::make_shared<TrainFlags>();
  CLI::App* app = parent.add_subcommand(
      "train",
      "Train a reconstruction method (--method, default dibr). The config is the preset, then --config FILE.json "
      "(its keys replace the preset's), then the flags given here; every value is checked against its bounds. "
      "Progress goes to stderr; Ctrl-C, SIGTERM or SIGHUP stop after the current step and write <out>/latest.pt "
      "(twice: quit at once).");
  flags->config_flags = std::make_unique<ConfigFlags>(*app);
  app->add_option("--config", flags->config_file, "JSON file with config keys (see docs/cli.md)")->check(CLI::ExistingFile);
  app->add_flag("--resume", flags->resume,
                "continue from <out>/latest.pt (or the newest step_N.pt); without --preset/--config with the settings "
                "stored in it");
  app->add_option("--log-every", flags->log_every, "when stderr is not a terminal, print one progress line every N steps")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000000}))
      ->capture_default_str();
  app->add_flag("--print-config", flags->print_config, "print the resolved config as JSON and exit");
  const auto launcher = [&](CLI::Option* option) {
    option->group("Distributed (docs/distributed.md)")->each([flags](const std::string&) { flags->launch_requested = true; });
  };
  launcher(app->add_option("--nproc", flags->launch.nproc,
                           "start N worker processes on this machine (ranks of one group; Gloo on CPUs, NCCL on GPUs "
                           "where the LibTorch has it); torchrun's environment (RANK, WORLD_SIZE, ...) does the same")
               ->check(CLI::Range(1, 1024)));
  launcher(app->add_option("--nnodes", flags->launch.nnodes, "machines in the group (each runs dibr train --nproc N)")
               ->check(CLI::Range(1, 4096)));
  launcher(app->add_option("--node-rank", flags->launch.node_rank, "this machine's index; node 0 hosts the rendezvous")
               ->check(CLI::Range(0, 4095)));
  launcher(app->add_option("--master-addr", flags->launch.master_addr, "node 0's address (default 127.0.0.1)"));
  launcher(app->add_option("--master-port", flags->launch.master_port,
                           "the rendezvous port on node 0 (default 29500; 0: a free one, one machine only)")
               ->check(CLI::Range(0, 65535)));
  launcher(app->add_option("--dist-timeout", flags->launch.timeout_seconds,
                           "seconds after which a rank that died or hangs stops every other rank (default 60)")
               ->check(CLI::Range(1.0, 86400.0)));
  app->add_flag("--profile", flags->profile,
                "at the end, print the time per step of each phase (data, encoder, decoder, renders, losses, "
                "backward, optimiser, logging, snapshot, checkpoint); on CUDA it synchronises at every phase");
  return {app, [flags] { return run_train(*flags); }};
}

}  // namespace dibr::cli
