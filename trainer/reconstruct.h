#pragma once
// `dibr reconstruct` and the studio's Images panel: a trained checkpoint run on a user's own picture.
// The picture is masked (alpha, a mask file, or the background estimated from its border), cropped and scaled to
// the framing of the training data, composited over the training background, and predicted; the prediction is
// written (OBJ or PLY), with the cropped input, a turntable strip and an animated turntable GIF.
#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trainer/inference.h"

namespace dibr {

// How training images frame their object: the object's bounding box spans `fill` of the image side, centred, over
// `background` (3) colour.
struct Framing {
  double fill = 0.75;
  at::Tensor background;  // (3) float32 in [0,1]
};

// Measured from up to `samples` training views (view 0 and 12 of the first objects): the mean of
// max(box width, box height) / image side over their masks, and the mean colour outside the masks.
Framing measure_framing(const Dataset& dataset, int samples = 32);

struct MaskOptions {
  std::string mask_file;      // used when the image has no informative alpha
  double bg_threshold = 0.1;  // a pixel whose colour differs from the border's by more (max over channels, in [0,1]) is object
};

struct ImageMask {
  at::Tensor mask;     // (H,W) float32 in [0,1] (soft when it comes from alpha)
  std::string source;  // "alpha channel", "mask file <path>", "background #rrggbb (threshold t)"
};

// In this order: the alpha channel when it is not trivial, the mask file, the border background. Throws
// std::runtime_error naming the file for an empty mask or one covering the whole image ("no object found: try
// --mask or --bg-threshold") and for a mask file whose size differs from the image's.
ImageMask find_object_mask(const std::string& image_path, const at::Tensor& rgb, const at::Tensor& alpha, bool has_alpha,
                           const MaskOptions& options);

struct FramedInput {
  at::Tensor image;  // (3,S,S) composited over the framing background
  at::Tensor mask;   // (S,S)
};
// Crops and scales rgb (3,H,W) and mask (H,W) so the object's box is centred and spans framing.fill of S, with
// area interpolation when shrinking; composites over framing.background.
FramedInput frame_object(const at::Tensor& rgb, const at::Tensor& mask, const Framing& framing, int size);

struct ReconstructOptions {
  std::string out_dir;
  MaskOptions mask;
  double fill = 0;        // > 0: use this framing instead of measuring it from the training data
  int turntable_views = 12;
  std::function<void(int done, int total)> progress;
};

struct ReconstructedImage {
  std::string image_path;
  std::string name;  // output stem
  std::string mask_source;
  std::string prediction_path, input_png, turntable_png, turntable_gif;
  std::string error;  // non-empty when this image failed (the others go on)
  FramedInput input;
  Prediction prediction;  // on the CPU
  at::Tensor turntable;   // (S, N*S, 3)
};

class Reconstructor {
 public:
  // Loads the checkpoint (any method). framing_from: the dataset the framing is measured on when options.fill is 0
  // (null: the checkpoint's own training data, opened from its config). Throws std::runtime_error.
  Reconstructor(const std::string& checkpoint, const std::string& device, const ReconstructOptions& options,
                std::shared_ptr<const Dataset> framing_from = nullptr);
  const Framing& framing() const { return framing_; }
  // The mask options of the following reconstruct() calls (the studio's threshold slider).
  void set_mask_options(const MaskOptions& mask) { options_.mask = mask; }
  InferenceModel& model() { return model_; }
  // One picture; never throws for a bad picture (error says why). Writes the outputs when options.out_dir is set.
  ReconstructedImage reconstruct(const std::string& image_path, const std::string& name);
  // Every picture, with unique output names; calls options.progress.
  std::vector<ReconstructedImage> reconstruct_all(const std::vector<std::string>& image_paths);

 private:
  ReconstructOptions options_;
  InferenceModel model_;
  Framing framing_;
};

}  // namespace dibr
