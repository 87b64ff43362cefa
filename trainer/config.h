#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dibr {

struct TrainConfig {
  std::string preset = "quick";      // "quick" or "paper"
  std::string data_root;             // empty = built-in sample (generated on first use)
  std::vector<std::string> classes;  // empty = all
  std::string out_dir = "runs/quick";
  std::string device = "auto";       // "auto", "cpu", "cuda"
  int image_size = 64;               // render and input resolution
  int decoder_hidden = 256;          // width of the mesh decoder (256 in the reference; quick uses less)
  int batch_objects = 8;
  int views_per_object = 2;
  double learning_rate = 1e-4;
  int64_t lr_decay_step = 400000;    // multiply by lr_decay every lr_decay_step steps
  double lr_decay = 0.5;
  int64_t max_steps = 2000;
  double weight_color = 3.0, weight_iou = 1.0, weight_laplacian = 0.01, weight_flatten = 0.001;
  double sigmainv = 7000.0, boxlen = 0.02;
  int knum = 30;
  int64_t checkpoint_every = 500;    // latest.pt is rewritten this often
  int64_t keep_every = 1000;         // step_<N>.pt kept this often (0 = never)
  int64_t snapshot_every = 10;       // preview snapshot for the studio
  int preview_count = 4;             // fixed preview objects (from the val split)
  int loader_workers = 2;
  int num_threads = 0;               // intra-op threads, 0 = LibTorch default
  uint64_t seed = 0;
  std::string pretrained_encoder;    // optional file with ResNet-18 weights (see README)

  // Named preset: "quick" (2-core CPU, 64^2, batch 8x2) or "paper" (reference: 224^2, batch 32x2,
  // 1e-4 halved at 400k). Throws std::invalid_argument for an unknown name.
  static TrainConfig from_preset(const std::string& name);
  // This config moved to another preset: fields still at the current preset's value take the new
  // preset's, fields set by hand (flags, the studio's panel) keep theirs.
  TrainConfig with_preset(const std::string& name) const;
  std::string to_json() const;
  static TrainConfig from_json(const std::string& text);  // unknown keys rejected with a clear error
};

}  // namespace dibr
