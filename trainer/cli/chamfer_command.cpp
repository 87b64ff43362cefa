// `dibr chamfer`: chamfer distance and F-score of `dibr eval` predictions against the GT point clouds.
#include <filesystem>
#include <iostream>
#include <memory>

#include "trainer/chamfer_report.h"
#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/progress_line.h"

namespace dibr::cli {
namespace {

struct ChamferFlags {
  ChamferReportOptions options;
  std::string data;
  std::string out_prefix;
};

int run_chamfer_command(ChamferFlags& flags) {
  ChamferReportOptions options = flags.options;
  if (!std::filesystem::is_directory(options.predictions_dir)) {
    throw std::runtime_error("--pred '" + options.predictions_dir + "' is not a folder (expected the --out of `dibr eval`)");
  }
  options.dataset = open_data(flags.data, "chamfer");
  InterruptHandler interrupt;
  options.cancel = &interrupt.flag();
  ProgressLine line(stderr, 50);
  options.progress = object_progress(line, "chamfer");
  const ChamferReport report = run_chamfer_report(options);
  line.finish("chamfer: " + std::to_string(report.objects.size()) + " objects evaluated");
  if (interrupt.requested()) {
    std::cerr << "dibr chamfer: interrupted; nothing written\n";
    return 130;
  }
  std::cout << report.markdown() << "\n";
  print_problems("dibr chamfer", report.problems);
  const std::string prefix = flags.out_prefix.empty()
                                 ? (std::filesystem::path(options.predictions_dir) / "chamfer").string()
                                 : flags.out_prefix;
  report.save(prefix);
  std::cerr << "dibr chamfer: wrote " << prefix << ".md, .csv and .json\n";
  if (report.objects.empty()) {
    std::cerr << "dibr chamfer: error: no object could be evaluated\n";
    return 1;
  }
  return 0;
}

}  // namespace

Command add_chamfer_command(CLI::App& parent) {
  auto flags = std::make_shared<ChamferFlags>();
  ChamferReportOptions& o = flags->options;
  CLI::App* app = parent.add_subcommand(
      "chamfer",
      "Chamfer distance and F-score (x100 in the table, as in the paper) of the meshes written by `dibr eval` "
      "against the GT point clouds; prints a Markdown table and writes <out>.md, .csv and .json.");
  app->add_option("--pred", o.predictions_dir, "predictions folder (the --out of `dibr eval`)")->required();
  app->add_option("--data", flags->data, "NMR dataset root; default: the built-in sample");
  app->add_option("--split", o.split, "train, val or test")
      ->check(CLI::IsMember({"train", "val", "test"}))
      ->capture_default_str();
  app->add_option("--classes", o.classes, "comma-separated class ids (default: all found in --pred)")->delimiter(',');
  app->add_option("--points", o.num_points, "points sampled on each predicted mesh and GT cloud")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_flag("--dvr", o.dvr_protocol, "DVR protocol (100000 points) instead of the reference 2500");
  app->add_option("--seed", o.seed, "sampling seed")->capture_default_str();
  app->add_option("--voxels", o.voxels_dir,
                  "also Kato's voxel IoU (32^3, interior filled) against <DIR>/<class>_<split>_voxels.npz; the built-in "
                  "sample has its own: --voxels <sample folder>");
  app->add_option("--out", flags->out_prefix, "output prefix (default: <pred>/chamfer)");
  return {app, [flags] { return run_chamfer_command(*flags); }};
}

}  // namespace dibr::cli
