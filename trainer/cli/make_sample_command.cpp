// `dibr make-sample OUT`: writes a procedural dataset in the NMR layout.
#include <iostream>
#include <memory>

#include "trainer/cli/commands.h"
#include "trainer/progress_line.h"
#include "trainer/sample_maker.h"

namespace dibr::cli {
namespace {

struct MakeSampleFlags {
  std::string out_dir;
  SampleOptions options;
};

int run_make_sample(MakeSampleFlags& flags) {
  ProgressLine line(stderr, 5);
  flags.options.progress = [&](int done, int total) {
    line.update(done, "make-sample: object " + std::to_string(done) + "/" + std::to_string(total));
  };
  const SampleSummary summary = make_sample_dataset(flags.out_dir, flags.options);
  line.finish("make-sample: wrote " + std::to_string(summary.objects) + " objects in " +
              std::to_string(summary.classes) + " classes to " + summary.root);
  std::cout << summary.root << "\n";
  return 0;
}

}  // namespace

Command add_make_sample_command(CLI::App& parent) {
  auto flags = std::make_shared<MakeSampleFlags>();
  CLI::App* app = parent.add_subcommand(
      "make-sample",
      "Write a procedural sample dataset (several shape classes rendered on the NMR camera rig) in the DVR NMR "
      "layout. Training and evaluation use one such sample by default (generated on first use).");
  app->add_option("OUT", flags->out_dir, "output folder (created)")->required();
  app->add_option("--objects-per-class", flags->options.objects_per_class, "objects per class (split ~8/2/2)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_option("--size", flags->options.image_size, "image size in pixels")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_option("--supersample", flags->options.supersample, "anti-aliasing factor")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_option("--points", flags->options.points_per_object, "points in each pointcloud.npz")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_option("--seed", flags->options.seed, "random seed")->capture_default_str();
  return {app, [flags] { return run_make_sample(*flags); }};
}

}  // namespace dibr::cli
