#pragma once
// The training configuration, grouped by the component that owns each value. Every field is described once,
// in the field table of trainer/config_table.h (name, bounds, help, presets); JSON, the `dibr train` flags, the
// studio's flags and panel, and validation all read that table.
#include <cstdint>
#include <string>
#include <vector>

namespace dibr {

struct DataConfig {
  std::string root;                  // empty = built-in sample (generated on first use)
  std::vector<std::string> classes;  // empty = all
  int image_size = 64;               // render and input resolution
  int batch_objects = 8;
  int views_per_object = 2;
};

struct ModelConfig {
  std::string method = "dibr";       // the reconstruction method (trainer/method.h)
  int decoder_hidden = 256;          // width of the mesh decoder (256 in the reference; quick uses less)
  std::string pretrained_encoder;    // optional file with ResNet-18 weights (see README)
  // Kato's template decoder (NMR, SoftRas): "reproduce" keeps the released code's template coordinates that are
  // exactly 0 frozen, "fix" lets them move (trainer/methods/kato_networks.h).
  std::string frozen_coordinates = "reproduce";
};

struct OptimConfig {
  double learning_rate = 1e-4;
  int64_t lr_decay_step = 400000;    // multiply by lr_decay every lr_decay_step steps
  double lr_decay = 0.5;
  int64_t max_steps = 2000;
};

// DIB-R's loss weights.
struct LossConfig {
  double color = 3.0, iou = 1.0, laplacian = 0.01, flatten = 0.001;  // weights
};

// SoftRas's renderer and loss weights (examples/recon/train.py); sigma decays with the learning rate.
struct SoftRasConfig {
  double sigma = 1e-4;       // probability-map sharpness at the initial lr, NDC^2
  double dist_eps = 1e-10;   // faces whose probability at a pixel is below this are skipped
  double laplacian = 5e-3;   // weight of the Laplacian loss (sum over vertices per mesh)
  double flatten = 5e-4;     // weight of the flatten loss
};

// NMR's renderer and loss weight (mesh_reconstruction); near 0.1 and far 100 are fixed, as Kato's.
struct NmrConfig {
  double eps = 1e-3;         // added to the edge displacement of the approximate gradient
  double smoothness = 0.0;   // weight of the smoothness loss (0 in Kato's multi-class run, 0.001 single-class)
};

// Shared by the point methods (DRWR, 2DPM, CAPNet, DIFFER).
struct PointsConfig {
  int count = 2000;  // N points per prediction (DRWR's config.yaml; 2DPM 8000, CAPNet/DIFFER 1024 in their presets)
};

// DRWR's loss on the projected 2D points (seed_methods.md §2.3): interior term and mask-weighted repulsion.
struct DrwrConfig {
  int grid = 32;                   // vox_size: the loss grid (masks are resized to grid x grid)
  double coord_weight = 1.0;       // interior term |1 - S(p)|
  double potential_weight = 3.0;   // repulsion
  double gauss_threshold = 5.0;    // tau of the repulsion, grid pixels^2
  double gauss_bias = 3.5;         // b_i = gauss_bias + mean of the mask over five rings around p_i
  // The repulsion's mask weights w_i and biases b_i: "released" lets the gradient through them (TF's autodiff in
  // the released code, which also pushes points out across the silhouette border), "detached" treats them as
  // constants so only the pairwise kernel pushes (docs/methods.md).
  std::string weight_gradient = "released";
};

// 2DPM's 2D chamfer against points sampled in the silhouette (seed_methods.md §2.6).
struct TwoDpmConfig {
  int grid = 64;                   // vox_size: the grid the points are projected onto
  int samples = 5000;              // points sampled per silhouette
  double mask_threshold = 0.6;     // a mask pixel is silhouette where it is >= this
};

// CAPNet's mask projection and losses (seed_methods.md §3.3, §3.5); DIFFER uses them too.
struct CapnetConfig {
  double sigma_sq = 0.5;           // Gaussian splat variance, pixels^2 (CAPNet 0.5, DIFFER 0.4)
  double splat_cutoff = 1e-7;      // a splat's factor along one axis below which pixels are skipped
  double bce = 1.0;                // weight of the BCE mask loss
  double affinity_fwd = 1.0;       // weights of the two affinity terms
  double affinity_bwd = 1.0;
  std::string affinity = "released";  // "released" (a weighted L1, as both repos compute it) or "paper" (2D chamfer)
  double input_scale = 255.0;      // images enter the network as raw 0-255 values in both repos
};

// DIFFER's soft z-buffer colour projection and RGB loss (seed_methods.md §3.4).
struct DifferConfig {
  double rgb = 1.0;                // weight of the RGB loss (the run scripts' 1; argparse's default is 10)
  double well_radius = 1.0;        // pixels
  double beta = 100.0;             // depth softmax sharpness
};

// DVR's field, ray marching, losses and mesh extraction (seed_methods.md §4; configs/default.yaml, ours_rgb.yaml).
struct DvrConfig {
  int hidden = 128;                 // decoder width (hidden_size: 128 on NMR, 512 by default)
  int latent = 256;                 // c_dim: the image code
  int input_size = 224;             // the encoder's input resolution (the image is resized to it)
  int rays = 1024;                  // n_training_points: pixels sampled per supervision image
  double mask_rays = 0;             // share of them drawn among the mask's pixels (0: uniform over the image, as released)
  int march_steps = 16;             // init_resolution: evaluations per ray, doubled at each milestone
  std::vector<std::string> march_milestones = {"50000", "100000", "250000"};  // steps after which they double
  int secant_steps = 8;
  double depth_max = 5.0;           // depth_range [0, depth_max] for rays that miss the padded cube
  int64_t chunk_points = 3500000;   // max_points: decoder evaluations per call while marching
  double rgb = 1.0, freespace = 1.0, occupancy = 1.0, normal = 0.05;  // loss weights
  std::string visual_hull = "auto"; // occupancy points at the visual-hull depth where the files exist ("auto") or never ("off")
  int mise_resolution = 32;         // MISE's first grid (cells per side) for eval and export
  int mise_upsampling = 3;          // MISE's refinements (32 -> 256)
  int refine_steps = 30;            // mesh refinement steps after marching cubes
  int preview_resolution = 32;      // the grid of the live previews (no refinement)
};

// DIB-R's RasterizeSettings without the image size (that is data.image_size).
struct RasterConfig {
  double sigmainv = 7000.0;
  double boxlen = 0.02;
  int knum = 30;
  std::string soft_distance = "boundary";  // "boundary" (Kaolin's) or "triangle" (0 inside a face), see rasterize.h
};

struct RunConfig {
  std::string out_dir = "runs/quick";
  int64_t checkpoint_every = 500;    // latest.pt is rewritten this often
  int64_t keep_every = 1000;         // step_<N>.pt kept this often (0 = never)
  int64_t snapshot_every = 10;       // preview snapshot for the studio
  int preview_count = 4;             // fixed preview objects (from the val split)
  std::string on_save_error = "stop";  // a checkpoint write fails (full disk): "stop" the run, or "continue" and retry
};

struct SystemConfig {
  std::string device = "auto";       // "auto", "cpu", "cuda", "cuda:N"
  int loader_workers = 2;
  int num_threads = 0;               // intra-op threads, 0 = LibTorch default
  uint64_t seed = 0;
};

struct TrainConfig {
  std::string preset = "quick";
  DataConfig data;
  ModelConfig model;
  OptimConfig optim;
  LossConfig loss;
  RasterConfig raster;
  SoftRasConfig softras;
  NmrConfig nmr;
  PointsConfig points;
  DrwrConfig drwr;
  TwoDpmConfig twodpm;
  CapnetConfig capnet;
  DifferConfig differ;
  DvrConfig dvr;
  RunConfig run;
  SystemConfig system;

  // A named preset (trainer/config_table.h lists them). Throws std::invalid_argument for an unknown name.
  static TrainConfig from_preset(const std::string& name);
  // This config moved to another preset: fields still at the current preset's value take the new
  // preset's, fields set by hand (flags, the studio's panel) keep theirs.
  TrainConfig with_preset(const std::string& name) const;
  // Grouped JSON ({"preset":..., "data": {...}, ...}).
  std::string to_json() const;
  // Accepts the grouped form and the flat form written before the config had groups (checkpoints of older
  // versions). Unknown keys, wrong types, non-integral integers and out-of-bounds values are rejected with the
  // field's name and bounds.
  static TrainConfig from_json(const std::string& text);
};

// Throws std::invalid_argument naming the first field outside its bounds (with the bounds) or a bad choice.
void validate(const TrainConfig& config);

// The learning rate of the step schedule at `step`.
// The milestones of dvr.march_milestones as numbers; throws std::invalid_argument unless they are increasing.
std::vector<int64_t> dvr_march_milestones(const DvrConfig& dvr);
double learning_rate_at(const OptimConfig& optim, int64_t step);

}  // namespace dibr
