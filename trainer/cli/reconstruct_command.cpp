// `dibr reconstruct --checkpoint CKPT IMAGE... --out DIR`: a trained model on the user's own pictures.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/progress_line.h"
#include "trainer/reconstruct.h"

namespace dibr::cli {
namespace {

struct ReconstructFlags {
  std::string checkpoint, device = "cpu", data;
  std::vector<std::string> images;
  ReconstructOptions options;
};

int run_reconstruct(ReconstructFlags& flags) {
  std::shared_ptr<const Dataset> framing_data;
  if (!flags.data.empty() || flags.options.fill <= 0) {
    // The framing is measured on the training data: --data, else the checkpoint's own (the sample when empty).
    if (!flags.data.empty()) framing_data = open_data(flags.data, "reconstruct");
  }
  ProgressLine line(stderr, 1);
  const bool show_progress = flags.images.size() > 3;
  if (show_progress) flags.options.progress = object_progress(line, "reconstruct");
  Reconstructor reconstructor(flags.checkpoint, flags.device, flags.options, framing_data);
  std::cerr << "dibr reconstruct: " << reconstructor.model().method().name << " checkpoint at step "
            << reconstructor.model().step() << "; framing: object box " << reconstructor.framing().fill * 100
            << "% of the image side\n";
  const auto results = reconstructor.reconstruct_all(flags.images);
  if (show_progress) line.finish("reconstruct: " + std::to_string(results.size()) + " images");
  nlohmann::ordered_json report = nlohmann::json::array();
  int failed = 0;
  for (const auto& r : results) {
    if (!r.error.empty()) {
      ++failed;
      std::cerr << "dibr reconstruct: error: " << r.error << "\n";
    } else {
      std::cerr << "dibr reconstruct: " << r.image_path << " (mask: " << r.mask_source << ") -> " << r.prediction_path
                << ", " << r.turntable_gif << "\n";
    }
    report.push_back({{"image", r.image_path}, {"name", r.name}, {"mask", r.mask_source}, {"prediction", r.prediction_path},
                      {"input", r.input_png}, {"turntable", r.turntable_png}, {"gif", r.turntable_gif}, {"error", r.error}});
  }
  write_text_file((std::filesystem::path(flags.options.out_dir) / "reconstruct.json").string(),
                  report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (failed > 0) std::cerr << "dibr reconstruct: " << failed << " of " << results.size() << " images failed\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace

Command add_reconstruct_command(CLI::App& parent) {
  auto flags = std::make_shared<ReconstructFlags>();
  CLI::App* app = parent.add_subcommand(
      "reconstruct",
      "Reconstruct your own pictures (PNG, JPEG, BMP, TGA; any size up to 8192x8192) with a trained checkpoint. The "
      "object is found from the alpha channel, --mask, or the background estimated from the border; it is cropped, "
      "centred and scaled to the training framing. Writes <name>.obj (.ply for point methods), <name>_input.png, "
      "<name>_turntable.png and <name>_turntable.gif per image, and reconstruct.json. A bad picture is reported and "
      "the others go on (exit code 1 when any failed).");
  app->add_option("--checkpoint", flags->checkpoint, "checkpoint (any method)")->required()->check(CLI::ExistingFile);
  app->add_option("IMAGE", flags->images, "pictures")->required();
  app->add_option("--out", flags->options.out_dir, "output folder")->required();
  app->add_option("--mask", flags->options.mask.mask_file, "mask file (white = object), used when the image has no alpha")
      ->check(CLI::ExistingFile);
  app->add_option("--bg-threshold", flags->options.mask.bg_threshold,
                  "border-background mode: a pixel differing from the border colour by more than this (0-1) is object")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app->add_option("--fill", flags->options.fill,
                  "fraction of the image side the object's box spans (default: measured from the training masks)")
      ->check(CLI::Range(0.05, 1.0));
  app->add_option("--data", flags->data, "training data to measure the framing on (default: the checkpoint's)");
  app->add_option("--views", flags->options.turntable_views, "turntable views")->check(CLI::Range(1, 360))->capture_default_str();
  app->add_option("--device", flags->device, "cpu, cuda or auto")->check(CLI::IsMember({"auto", "cpu", "cuda"}))->capture_default_str();
  return {app, [flags] { return run_reconstruct(*flags); }};
}

}  // namespace dibr::cli
