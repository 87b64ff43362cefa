// `dibr check-data DIR`: the deep check of a dataset: every PNG and npz that training, eval and the chamfer report
// would read is decoded and validated; every problem is printed with its file and reason.
#include <iostream>
#include <memory>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/dataset.h"
#include "trainer/progress_line.h"

namespace dibr::cli {
namespace {

struct CheckDataFlags {
  std::string root;
  std::vector<std::string> classes;
};

int run_check_data(const CheckDataFlags& flags) {
  ProgressLine line(stderr, 50);
  DatasetOpenOptions options;
  options.classes = flags.classes;
  options.deep_check = true;
  options.check_progress = [&](const std::string& split, int done, int total) {
    line.update(done, "check-data: " + split + " " + format_progress("object", done, total, 0, -1));
  };
  const auto dataset = open_dataset(flags.root, options);
  line.finish("check-data: checked " + dataset->describe());
  std::cout << "classes: " << dataset->classes.size() << "\n";
  for (const char* split : {"train", "val", "test"})
    std::cout << split << ": " << dataset->split(split).objects.size() << " usable objects\n";
  std::vector<std::string> lines;
  for (const auto& p : dataset->problems) lines.push_back(p.path + ": " + p.message);
  for (const auto& l : lines) std::cout << "problem: " << l << "\n";
  std::cout << lines.size() << (lines.size() == 1 ? " problem" : " problems") << "\n";
  return lines.empty() ? 0 : 1;
}

}  // namespace

Command add_check_data_command(CLI::App& parent) {
  auto flags = std::make_shared<CheckDataFlags>();
  CLI::App* app = parent.add_subcommand(
      "check-data",
      "Deep-check a dataset: decode every image, mask, cameras.npz and pointcloud.npz of every split and list each "
      "problem (file and reason) on stdout. Exit code 0 when there is none, 1 otherwise.");
  app->add_option("DIR", flags->root, "dataset root (the NMR layout)")->required();
  app->add_option("--classes", flags->classes, "comma-separated class ids (default: all)")->delimiter(',');
  return {app, [flags] { return run_check_data(*flags); }};
}

}  // namespace dibr::cli
