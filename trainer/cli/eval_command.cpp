// `dibr eval`: meshes (and previews) predicted from view 0 of every object of a split.
#include <filesystem>
#include <iostream>
#include <memory>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/eval.h"
#include "trainer/progress_line.h"

namespace dibr::cli {
namespace {

int run_eval_command(EvalOptions options, const std::string& flags_data) {
  options.dataset = open_data(flags_data, "eval");
  InterruptHandler interrupt;
  options.cancel = &interrupt.flag();
  ProgressLine line(stderr, 50);
  options.progress = object_progress(line, "eval");
  const EvalSummary summary = run_eval(options);
  line.finish("eval: wrote " + std::to_string(summary.written) + " predictions to " + options.out_dir);
  if (!summary.problems.empty()) {
    print_problems("dibr eval", summary.problems);
    std::cerr << "  (full list in " << (std::filesystem::path(options.out_dir) / "problems.txt").string() << ")\n";
  }
  if (summary.cancelled) {
    std::cerr << "dibr eval: interrupted after " << summary.written << " objects\n";
    return 130;
  }
  if (summary.written == 0) {
    std::cerr << "dibr eval: error: no prediction was written\n";
    return 1;
  }
  return 0;
}

}  // namespace

Command add_eval_command(CLI::App& parent) {
  struct EvalFlags {
    EvalOptions options;
    std::string data;
    bool no_png = false;
    std::string ply = "binary";
    int mise_resolution = -1, mise_upsampling = -1, refine_steps = -1;  // -1: the checkpoint's
  };
  auto flags = std::make_shared<EvalFlags>();
  EvalOptions* options = &flags->options;
  CLI::App* app = parent.add_subcommand(
      "eval",
      "Predict from view 0 of every object of a split: <out>/<class>/<id>_0.obj (vertex colours; .ply for point "
      "methods) and "
      "<id>_0.png ([input | predicted render | predicted silhouette]). Score them with `dibr chamfer`.");
  app->add_option("--checkpoint", options->checkpoint, "checkpoint (e.g. runs/quick/latest.pt)")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("--data", flags->data, "NMR dataset root; default: the built-in sample");
  app->add_option("--split", options->split, "train, val or test")
      ->check(CLI::IsMember({"train", "val", "test"}))
      ->capture_default_str();
  app->add_option("--classes", options->classes, "comma-separated class ids (default: all)")->delimiter(',');
  app->add_option("--out", options->out_dir, "output folder")->required();
  app->add_option("--device", options->device, "cpu, cuda or auto")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  app->add_option("--batch", options->batch, "objects per forward pass")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_flag("--no-png", flags->no_png, "write only the OBJ files");
  app->add_option("--ply", flags->ply, "PLY encoding of point clouds: binary (default) or ascii")
      ->check(CLI::IsMember({"binary", "ascii"}));
  app->add_option("--mise-resolution", flags->mise_resolution,
                  "DVR: cells per side of MISE's first grid (default: the checkpoint's dvr.mise_resolution)")
      ->check(CLI::Range(2, 512));
  app->add_option("--mise-upsampling", flags->mise_upsampling, "DVR: MISE's refinements (default: the checkpoint's)")
      ->check(CLI::Range(0, 6));
  app->add_option("--refine-steps", flags->refine_steps, "DVR: mesh refinement steps (default: the checkpoint's)")
      ->check(CLI::Range(0, 10000));
  return {app, [flags] {
            EvalOptions o = flags->options;
            if (flags->mise_resolution >= 0) o.overrides.push_back({"dvr.mise_resolution", std::to_string(flags->mise_resolution)});
            if (flags->mise_upsampling >= 0) o.overrides.push_back({"dvr.mise_upsampling", std::to_string(flags->mise_upsampling)});
            if (flags->refine_steps >= 0) o.overrides.push_back({"dvr.refine_steps", std::to_string(flags->refine_steps)});
            o.write_png = !flags->no_png;
            o.ply = ply_encoding_from(flags->ply);
            return run_eval_command(o, flags->data);
          }};
}

}  // namespace dibr::cli
