// `dibr compare`: runs of any methods evaluated on the same objects by the same protocols, side by side.
#include <iostream>
#include <memory>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/compare_report.h"

namespace dibr::cli {
namespace {

struct CompareFlags {
  CompareOptions options;
  std::string data;
};

int run_compare_command(CompareFlags& flags) {
  CompareOptions options = flags.options;
  options.dataset = open_data(flags.data, "compare");
  InterruptHandler interrupt;
  options.cancel = &interrupt.flag();
  options.stage = [](const std::string& stage) { std::cerr << "compare: " << stage << "\n"; };
  const CompareReport report = run_compare(options);
  if (interrupt.requested()) {
    std::cerr << "dibr compare: interrupted; the report was not written\n";
    return 130;
  }
  std::cout << report.markdown() << "\n";
  std::cerr << "dibr compare: wrote " << options.out_dir << "/compare.md, .csv, .json and compare_grid.png\n";
  for (const auto& run : report.runs) {
    if (run.reference.objects.empty()) {
      std::cerr << "dibr compare: error: no object of " << run.label << " could be evaluated\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace

Command add_compare_command(CLI::App& parent) {
  auto flags = std::make_shared<CompareFlags>();
  CompareOptions& o = flags->options;
  o.out_dir = "runs/compare";
  CLI::App* app = parent.add_subcommand(
      "compare",
      "Evaluate several runs (any methods) on the same objects: chamfer x100 (2500 points), DVR's Chamfer-L1 "
      "(100k points), F-score at 1% and 2%, voxel IoU with --voxels, steps/s and parameters, per class, as "
      "<out>/compare.md, .csv and .json, plus compare_grid.png (input | each run's render | each run's mesh from a "
      "novel view).");
  app->add_option("runs", o.runs, "run folders (their latest.pt, else the newest step_N.pt) or checkpoint files")
      ->required();
  app->add_option("--data", flags->data, "NMR dataset root; default: the built-in sample");
  app->add_option("--split", o.split, "train, val or test")
      ->check(CLI::IsMember({"train", "val", "test"}))
      ->capture_default_str();
  app->add_option("--classes", o.classes, "comma-separated class ids (default: all)")->delimiter(',');
  app->add_option("--out", o.out_dir, "output folder")->capture_default_str();
  app->add_option("--voxels", o.voxels_dir,
                  "Kato's voxel files (<DIR>/<class>_<split>_voxels.npz) for voxel IoU; the built-in sample has its "
                  "own: --voxels <sample folder>");
  app->add_option("--device", o.device, "cpu, cuda, cuda:N or auto")->capture_default_str();
  app->add_option("--grid-objects", o.grid_objects, "rows of compare_grid.png (0: no grid)")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  app->add_option("--seed", o.seed, "point sampling seed")->capture_default_str();
  return {app, [flags] { return run_compare_command(*flags); }};
}

}  // namespace dibr::cli
