#pragma once
// The built-in sample dataset: procedural shapes of several classes, rendered by our rasterizer
// on the NMR camera rig, written in exactly the DVR NMR layout.
#include <functional>
#include <string>

namespace dibr {

struct SampleOptions {
  int objects_per_class = 12;   // split train/val/test roughly 8/2/2
  int image_size = 64;
  int supersample = 4;          // anti-aliasing: render at size*supersample and box-filter down
  int points_per_object = 100000;
  uint64_t seed = 1;
  std::function<void(int done, int total)> progress;  // optional
};

struct SampleSummary {
  std::string root;
  int classes = 0;
  int objects = 0;
};

// Writes the dataset into out_dir (created). Throws std::runtime_error on I/O errors.
SampleSummary make_sample_dataset(const std::string& out_dir, const SampleOptions& options = {});
// The cache folder of the built-in sample ($DIBR_CACHE or $XDG_CACHE_HOME/dibr or ~/.cache/dibr)/sample;
// generates it on first use (and if a previous generation was interrupted).
std::string ensure_default_sample(const std::function<void(int, int)>& progress = {});

}  // namespace dibr
