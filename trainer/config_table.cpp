#include "trainer/config_table.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "render/rasterize.h"

namespace dibr {
namespace {

constexpr double kMaxSteps = 1e12;
constexpr double kMaxSeed = 9007199254740991.0;  // 2^53 - 1: survives JSON numbers and the studio's fields

template <typename Group, typename T>
FieldRef member(TrainConfig& c, Group TrainConfig::*group, T Group::*field) {
  return &((c.*group).*field);
}

#define DIBR_REF(group, field) [](TrainConfig& c) -> FieldRef { return member(c, &TrainConfig::group, &decltype(TrainConfig::group)::field); }

std::vector<FieldSpec> make_table() {
  using S = FieldSection;
  std::vector<FieldSpec> t;
  auto add = [&](FieldSpec f) { t.push_back(std::move(f)); };
  // data
  add({"data", "root", "--data", "dataset", "NMR dataset root (<root>/<class>/softras_train.lst ...); empty: the built-in sample",
       0, 0, {}, S::Basic, "data_root", DIBR_REF(data, root)});
  add({"data", "classes", "--classes", "classes", "comma-separated class ids (empty: all)", 0, 0, {}, S::Basic, "classes",
       DIBR_REF(data, classes)});
  add({"data", "image_size", "--size", "image size", "input and render resolution (pixels)", 16, 1024, {}, S::Basic,
       "image_size", DIBR_REF(data, image_size)});
  add({"data", "batch_objects", "--batch", "batch objects", "objects per batch", 1, 1024, {}, S::Basic, "batch_objects",
       DIBR_REF(data, batch_objects)});
  add({"data", "views_per_object", "--views", "views per object", "random views per object in a batch", 1, 24, {},
       S::Advanced, "views_per_object", DIBR_REF(data, views_per_object)});
  // model
  add({"model", "method", "--method", "method", "reconstruction method (dibr, softras, nmr, drwr, 2dpm, capnet, differ, dvr)", 0, 0, {}, S::Advanced, nullptr,
       DIBR_REF(model, method)});
  add({"model", "decoder_hidden", "--decoder-hidden", "decoder width", "width of the DIB-R mesh decoder (256 in the reference)",
       8, 4096, {}, S::Advanced, "decoder_hidden", DIBR_REF(model, decoder_hidden)});
  add({"model", "pretrained_encoder", "--pretrained-encoder", "pretrained encoder",
       "file with ResNet-18 encoder weights (optional)", 0, 0, {}, S::Advanced, "pretrained_encoder",
       DIBR_REF(model, pretrained_encoder)});
  add({"model", "frozen_coordinates", "--frozen-coordinates", "frozen coordinates",
       "NMR/SoftRas template coordinates that are exactly 0: frozen as released (reproduce) or free to move (fix)", 0,
       0, {"reproduce", "fix"}, S::Advanced, nullptr, DIBR_REF(model, frozen_coordinates)});
  // optim
  add({"optim", "learning_rate", "--lr", "learning rate", "Adam learning rate", 1e-10, 1, {}, S::Basic, "learning_rate",
       DIBR_REF(optim, learning_rate)});
  add({"optim", "lr_decay_step", "--lr-decay-step", "lr decay step", "multiply the lr by --lr-decay this often (steps)", 1,
       kMaxSteps, {}, S::Advanced, "lr_decay_step", DIBR_REF(optim, lr_decay_step)});
  add({"optim", "lr_decay", "--lr-decay", "lr decay", "lr factor every --lr-decay-step steps", 1e-6, 1, {}, S::Advanced,
       "lr_decay", DIBR_REF(optim, lr_decay)});
  add({"optim", "max_steps", "--max-steps", "max steps", "stop at this step (0 writes an untrained step-0 checkpoint)", 0,
       kMaxSteps, {}, S::Basic, "max_steps", DIBR_REF(optim, max_steps)});
  // loss
  add({"loss", "color", "--weight-color", "colour weight", "DIB-R: weight of the masked colour (L1) loss", 0, 1e6, {}, S::Advanced,
       "weight_color", DIBR_REF(loss, color)});
  add({"loss", "iou", "--weight-iou", "IoU weight", "DIB-R: weight of the silhouette IoU loss", 0, 1e6, {}, S::Advanced,
       "weight_iou", DIBR_REF(loss, iou)});
  add({"loss", "laplacian", "--weight-laplacian", "Laplacian weight", "DIB-R: weight of the Laplacian loss", 0, 1e6, {},
       S::Advanced, "weight_laplacian", DIBR_REF(loss, laplacian)});
  add({"loss", "flatten", "--weight-flatten", "flatten weight", "DIB-R: weight of the flatten loss", 0, 1e6, {}, S::Advanced,
       "weight_flatten", DIBR_REF(loss, flatten)});
  // raster
  add({"raster", "sigmainv", "--sigmainv", "sigmainv", "DIB-R soft silhouette sharpness (1/NDC^2)", 1, 1e8, {}, S::Advanced,
       "sigmainv", DIBR_REF(raster, sigmainv)});
  add({"raster", "boxlen", "--boxlen", "boxlen", "NDC margin of the soft-silhouette face boxes", 0, 2, {}, S::Advanced,
       "boxlen", DIBR_REF(raster, boxlen)});
  add({"raster", "knum", "--knum", "knum", "faces per pixel in the soft silhouette", 1, kRasterMaxKnum, {}, S::Advanced,
       "knum", DIBR_REF(raster, knum)});
  add({"raster", "soft_distance", "--soft-distance", "soft-mask distance",
       "inside a culled face: distance to its boundary (Kaolin) or 0 (triangle)", 0, 0, {"boundary", "triangle"},
       S::Advanced, nullptr, DIBR_REF(raster, soft_distance)});
  // softras
  add({"softras", "sigma", "--softras-sigma", "SoftRas sigma",
       "SoftRas probability-map sharpness at the initial lr (NDC^2); it decays with the lr", 1e-8, 1, {}, S::Advanced,
       nullptr, DIBR_REF(softras, sigma)});
  add({"softras", "dist_eps", "--softras-dist-eps", "SoftRas dist_eps",
       "SoftRas skips a face at a pixel where its probability is below this", 1e-30, 0.49, {}, S::Advanced, nullptr,
       DIBR_REF(softras, dist_eps)});
  add({"softras", "laplacian", "--softras-laplacian", "SoftRas Laplacian weight",
       "weight of SoftRas's Laplacian loss (summed over each mesh's vertices)", 0, 1e6, {}, S::Advanced, nullptr,
       DIBR_REF(softras, laplacian)});
  add({"softras", "flatten", "--softras-flatten", "SoftRas flatten weight", "weight of SoftRas's flatten loss", 0, 1e6,
       {}, S::Advanced, nullptr, DIBR_REF(softras, flatten)});
  // nmr
  add({"nmr", "eps", "--nmr-eps", "NMR eps", "added to the edge displacement of NMR's approximate gradient (NDC)",
       1e-8, 1, {}, S::Advanced, nullptr, DIBR_REF(nmr, eps)});
  add({"nmr", "smoothness", "--nmr-smoothness", "NMR smoothness weight",
       "weight of NMR's smoothness loss (0 multi-class, 0.001 single-class in Kato's runs)", 0, 1e6, {}, S::Advanced,
       nullptr, DIBR_REF(nmr, smoothness)});
  // points (DRWR, 2DPM, CAPNet, DIFFER)
  add({"points", "count", "--points", "points", "points per predicted cloud", 1, 65536, {}, S::Basic, nullptr,
       DIBR_REF(points, count)});
  // drwr
  add({"drwr", "grid", "--drwr-grid", "DRWR grid", "DRWR's loss grid (vox_size): masks are resized to it", 4, 1024, {},
       S::Advanced, nullptr, DIBR_REF(drwr, grid)});
  add({"drwr", "coord_weight", "--drwr-coord-weight", "DRWR interior weight",
       "weight of DRWR's interior term |1 - S(p)| (mask distance field)", 0, 1e6, {}, S::Advanced, nullptr,
       DIBR_REF(drwr, coord_weight)});
  add({"drwr", "potential_weight", "--drwr-potential-weight", "DRWR repulsion weight",
       "weight of DRWR's mask-weighted Gaussian repulsion", 0, 1e6, {}, S::Advanced, nullptr,
       DIBR_REF(drwr, potential_weight)});
  add({"drwr", "gauss_threshold", "--drwr-gauss-threshold", "DRWR repulsion tau",
       "width of the repulsion kernel exp(-d^2 / tau), grid pixels^2", 1e-6, 1e6, {}, S::Advanced, nullptr,
       DIBR_REF(drwr, gauss_threshold)});
  add({"drwr", "gauss_bias", "--drwr-gauss-bias", "DRWR repulsion bias",
       "b_i = bias + the mask's mean over five rings around the point", -100, 100, {}, S::Advanced, nullptr,
       DIBR_REF(drwr, gauss_bias)});
  add({"drwr", "weight_gradient", "--drwr-weight-gradient", "DRWR weight gradient",
       "released: the repulsion's mask weights pass the gradient (pushes points out at the border); detached: they do not",
       0, 0, {"released", "detached"}, S::Advanced, nullptr, DIBR_REF(drwr, weight_gradient)});
  // twodpm
  add({"twodpm", "grid", "--2dpm-grid", "2DPM grid", "2DPM's projection grid (vox_size)", 4, 1024, {}, S::Advanced,
       nullptr, DIBR_REF(twodpm, grid)});
  add({"twodpm", "samples", "--2dpm-samples", "2DPM samples", "2D points sampled in each silhouette", 1, 1000000, {},
       S::Advanced, nullptr, DIBR_REF(twodpm, samples)});
  add({"twodpm", "mask_threshold", "--2dpm-mask-threshold", "2DPM mask threshold",
       "a mask pixel belongs to the silhouette where it is >= this", 1e-6, 1, {}, S::Advanced, nullptr,
       DIBR_REF(twodpm, mask_threshold)});
  // capnet
  add({"capnet", "sigma_sq", "--capnet-sigma-sq", "splat variance",
       "variance of each point's Gaussian splat, pixels^2 (CAPNet 0.5, DIFFER 0.4)", 1e-4, 100, {}, S::Advanced,
       nullptr, DIBR_REF(capnet, sigma_sq)});
  add({"capnet", "splat_cutoff", "--capnet-splat-cutoff", "splat cutoff",
       "a splat's factor along one axis below which pixels are skipped", 1e-30, 0.5, {}, S::Advanced, nullptr,
       DIBR_REF(capnet, splat_cutoff)});
  add({"capnet", "bce", "--capnet-bce", "BCE weight", "weight of the BCE mask loss", 0, 1e6, {}, S::Advanced, nullptr,
       DIBR_REF(capnet, bce)});
  add({"capnet", "affinity_fwd", "--capnet-affinity-fwd", "affinity fwd weight",
       "weight of the prediction-to-silhouette affinity term", 0, 1e6, {}, S::Advanced, nullptr,
       DIBR_REF(capnet, affinity_fwd)});
  add({"capnet", "affinity_bwd", "--capnet-affinity-bwd", "affinity bwd weight",
       "weight of the silhouette-to-prediction affinity term", 0, 1e6, {}, S::Advanced, nullptr,
       DIBR_REF(capnet, affinity_bwd)});
  add({"capnet", "affinity", "--capnet-affinity", "affinity form",
       "released: the weighted L1 both repos compute; paper: a 2D chamfer through distance transforms", 0, 0,
       {"released", "paper"}, S::Advanced, nullptr, DIBR_REF(capnet, affinity)});
  add({"capnet", "input_scale", "--capnet-input-scale", "input scale",
       "images enter the network times this (255: raw 0-255 values, as released)", 1e-6, 1e6, {}, S::Advanced,
       nullptr, DIBR_REF(capnet, input_scale)});
  // differ
  add({"differ", "rgb", "--differ-rgb", "RGB weight", "weight of DIFFER's RGB loss", 0, 1e6, {}, S::Advanced, nullptr,
       DIBR_REF(differ, rgb)});
  add({"differ", "well_radius", "--differ-well-radius", "well radius",
       "pixels around a point its colour reaches in the soft z-buffer", 0, 64, {}, S::Advanced, nullptr,
       DIBR_REF(differ, well_radius)});
  add({"differ", "beta", "--differ-beta", "z-buffer beta", "sharpness of the soft z-buffer's softmax over beta/depth",
       1e-6, 1e6, {}, S::Advanced, nullptr, DIBR_REF(differ, beta)});
  // dvr
  add({"dvr", "hidden", "--dvr-hidden", "DVR decoder width", "width of DVR's occupancy and texture decoder (128 on NMR)",
       4, 4096, {}, S::Advanced, nullptr, DIBR_REF(dvr, hidden)});
  add({"dvr", "latent", "--dvr-latent", "DVR code size", "size of the image code that conditions the decoder", 1, 4096,
       {}, S::Advanced, nullptr, DIBR_REF(dvr, latent)});
  add({"dvr", "input_size", "--dvr-input-size", "DVR input size", "the encoder's input resolution (224 as released)",
       16, 1024, {}, S::Advanced, nullptr, DIBR_REF(dvr, input_size)});
  add({"dvr", "rays", "--dvr-rays", "DVR rays", "pixels sampled per supervision image (n_training_points)", 1, 1 << 20,
       {}, S::Basic, nullptr, DIBR_REF(dvr, rays)});
  add({"dvr", "mask_rays", "--dvr-mask-rays", "DVR rays in the mask",
       "share of the rays drawn among the supervision mask's pixels (0: uniform over the image, as released)", 0, 1, {},
       S::Advanced, nullptr, DIBR_REF(dvr, mask_rays)});
  add({"dvr", "march_steps", "--dvr-march-steps", "DVR march steps",
       "evaluations per ray before the secant search; doubled at each milestone", 2, 4096, {}, S::Advanced, nullptr,
       DIBR_REF(dvr, march_steps)});
  add({"dvr", "march_milestones", "--dvr-march-milestones", "DVR march milestones",
       "comma-separated steps after which the march steps double (empty: never)", 0, 0, {}, S::Advanced, nullptr,
       DIBR_REF(dvr, march_milestones)});
  add({"dvr", "secant_steps", "--dvr-secant-steps", "DVR secant steps", "secant refinements of each ray's first crossing",
       0, 64, {}, S::Advanced, nullptr, DIBR_REF(dvr, secant_steps)});
  add({"dvr", "depth_max", "--dvr-depth-max", "DVR depth range", "rays that miss the padded unit cube march over [0, this]",
       1e-3, 1e3, {}, S::Advanced, nullptr, DIBR_REF(dvr, depth_max)});
  add({"dvr", "chunk_points", "--dvr-chunk-points", "DVR chunk points",
       "decoder evaluations per call while marching (bounds memory)", 1024, 1e10, {}, S::Advanced, nullptr,
       DIBR_REF(dvr, chunk_points)});
  add({"dvr", "rgb", "--dvr-rgb", "DVR RGB weight", "weight of DVR's photo-consistency (L1) loss", 0, 1e6, {},
       S::Advanced, nullptr, DIBR_REF(dvr, rgb)});
  add({"dvr", "freespace", "--dvr-freespace", "DVR free-space weight", "weight of DVR's free-space loss", 0, 1e6, {},
       S::Advanced, nullptr, DIBR_REF(dvr, freespace)});
  add({"dvr", "occupancy", "--dvr-occupancy", "DVR occupancy weight", "weight of DVR's occupancy loss", 0, 1e6, {},
       S::Advanced, nullptr, DIBR_REF(dvr, occupancy)});
  add({"dvr", "normal", "--dvr-normal", "DVR normal weight", "weight of DVR's normal smoothness loss", 0, 1e6, {},
       S::Advanced, nullptr, DIBR_REF(dvr, normal)});
  add({"dvr", "visual_hull", "--dvr-visual-hull", "DVR visual hull",
       "occupancy points at the visual-hull depth where visual_hull_depth/*.exr exist (auto), or uniform in the cube (off)",
       0, 0, {"auto", "off"}, S::Advanced, nullptr, DIBR_REF(dvr, visual_hull)});
  add({"dvr", "mise_resolution", "--dvr-mise-resolution", "DVR MISE resolution",
       "cells per side of MISE's first grid (eval, export, checkpoints)", 2, 512, {}, S::Advanced, nullptr,
       DIBR_REF(dvr, mise_resolution)});
  add({"dvr", "mise_upsampling", "--dvr-mise-upsampling", "DVR MISE upsampling",
       "MISE's refinements, each doubling the resolution", 0, 6, {}, S::Advanced, nullptr,
       DIBR_REF(dvr, mise_upsampling)});
  add({"dvr", "refine_steps", "--dvr-refine-steps", "DVR refine steps", "mesh refinement steps after marching cubes",
       0, 10000, {}, S::Advanced, nullptr, DIBR_REF(dvr, refine_steps)});
  add({"dvr", "preview_resolution", "--dvr-preview-resolution", "DVR preview resolution",
       "cells per side of the live previews' grid", 2, 256, {}, S::Advanced, nullptr, DIBR_REF(dvr, preview_resolution)});
  // run
  add({"run", "out_dir", "--out", "out folder", "run folder: checkpoints, metrics.csv, config.json", 0, 0, {}, S::Basic,
       "out_dir", DIBR_REF(run, out_dir)});
  add({"run", "checkpoint_every", "--checkpoint-every", "checkpoint every", "rewrite latest.pt this often (steps)", 1,
       kMaxSteps, {}, S::Basic, "checkpoint_every", DIBR_REF(run, checkpoint_every)});
  add({"run", "keep_every", "--keep-every", "keep every", "keep step_<N>.pt this often (0 = never)", 0, kMaxSteps, {},
       S::Advanced, "keep_every", DIBR_REF(run, keep_every)});
  add({"run", "snapshot_every", "--snapshot-every", "snapshot every", "preview snapshot interval for the studio (steps)", 1,
       kMaxSteps, {}, S::Advanced, "snapshot_every", DIBR_REF(run, snapshot_every)});
  add({"run", "preview_count", "--preview-count", "preview objects", "preview objects (val split)", 0, 64, {}, S::Advanced,
       "preview_count", DIBR_REF(run, preview_count)});
  add({"run", "on_save_error", "--on-save-error", "on save error",
       "when a checkpoint cannot be written (e.g. a full disk): stop the run, or continue and retry at the next one",
       0, 0, {"stop", "continue"}, S::Advanced, nullptr, DIBR_REF(run, on_save_error)});
  // system
  add({"system", "device", "--device", "device", "auto, cpu, cuda or cuda:N", 0, 0, {}, S::Advanced, "device",
       DIBR_REF(system, device)});
  add({"system", "loader_workers", "--workers", "loader workers", "batch loader threads", 1, 64, {}, S::Advanced,
       "loader_workers", DIBR_REF(system, loader_workers)});
  add({"system", "num_threads", "--threads", "threads", "LibTorch intra-op threads (0 = default)", 0, 256, {}, S::Advanced,
       "num_threads", DIBR_REF(system, num_threads)});
  add({"system", "seed", "--seed", "seed", "random seed", 0, kMaxSeed, {}, S::Advanced, "seed", DIBR_REF(system, seed)});
  return t;
}

#undef DIBR_REF

std::string number_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string describe(const FieldSpec& f) { return f.key() + " (" + f.flag + ")"; }

[[noreturn]] void refuse(const FieldSpec& f, const std::string& text, const std::string& what) {
  throw std::invalid_argument(describe(f) + " " + what + ", got '" + text + "'");
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

double parse_number(const FieldSpec& f, const std::string& raw) {
  const std::string text = trim(raw);
  const std::string expected = std::string("must be ") + (f.integral() ? "an integer" : "a number") + " in " + bounds_text(f);
  if (text.empty()) refuse(f, raw, expected);
  errno = 0;
  char* end = nullptr;
  double value;
  if (f.integral()) {
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (*end != '\0' || errno == ERANGE) refuse(f, raw, expected);
    value = static_cast<double>(v);
  } else {
    value = std::strtod(text.c_str(), &end);
    if (*end != '\0' || errno == ERANGE || !std::isfinite(value)) refuse(f, raw, expected);
  }
  if (value < f.min || value > f.max) refuse(f, raw, expected);
  return value;
}

}  // namespace

bool FieldSpec::numeric() const {
  TrainConfig probe;
  const FieldRef r = ref(probe);
  return !std::holds_alternative<std::string*>(r) && !std::holds_alternative<std::vector<std::string>*>(r);
}

bool FieldSpec::integral() const {
  TrainConfig probe;
  const FieldRef r = ref(probe);
  return std::holds_alternative<int*>(r) || std::holds_alternative<int64_t*>(r) || std::holds_alternative<uint64_t*>(r);
}

const std::vector<FieldSpec>& config_fields() {
  static const std::vector<FieldSpec> table = make_table();
  return table;
}

const FieldSpec* find_field(const std::string& key) {
  for (const auto& f : config_fields()) {
    if (key == f.key() || key == f.flag || (f.legacy_name && key == f.legacy_name)) return &f;
  }
  return nullptr;
}

std::string bounds_text(const FieldSpec& f) {
  if (f.numeric()) return "[" + number_text(f.min) + ", " + number_text(f.max) + "]";
  if (!f.choices.empty()) {
    std::string s = "one of ";
    for (size_t i = 0; i < f.choices.size(); ++i) s += (i ? ", " : "") + f.choices[i];
    return s;
  }
  return "";
}

std::string field_text(const FieldSpec& f, const TrainConfig& config) {
  TrainConfig& c = const_cast<TrainConfig&>(config);  // the reference is only read
  return std::visit(
      [](auto* p) -> std::string {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return *p;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          std::string s;
          for (size_t i = 0; i < p->size(); ++i) s += (i ? "," : "") + (*p)[i];
          return s;
        } else if constexpr (std::is_same_v<T, double>) {
          return number_text(*p);
        } else {
          return std::to_string(*p);
        }
      },
      f.ref(c));
}

double field_number(const FieldSpec& f, const TrainConfig& config) {
  TrainConfig& c = const_cast<TrainConfig&>(config);
  return std::visit(
      [&](auto* p) -> double {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_arithmetic_v<T>) {
          return static_cast<double>(*p);
        } else {
          throw std::invalid_argument(describe(f) + " is not a number");
        }
      },
      f.ref(c));
}

void set_field_text(const FieldSpec& f, TrainConfig& c, const std::string& text) {
  std::visit(
      [&](auto* p) {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (!f.choices.empty()) {
            bool ok = false;
            for (const auto& choice : f.choices) ok = ok || choice == text;
            if (!ok) refuse(f, text, "must be " + bounds_text(f));
          }
          *p = text;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          std::vector<std::string> items;
          size_t begin = 0;
          while (begin <= text.size()) {
            const size_t comma = text.find(',', begin);
            const std::string item = trim(text.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin));
            if (!item.empty()) items.push_back(item);
            if (comma == std::string::npos) break;
            begin = comma + 1;
          }
          *p = items;
        } else {
          *p = static_cast<T>(parse_number(f, text));
        }
      },
      f.ref(c));
}

void set_field_number(const FieldSpec& f, TrainConfig& c, double value) {
  if (!f.numeric()) throw std::invalid_argument(describe(f) + " is not a number");
  if (f.integral()) {
    if (value != std::floor(value)) refuse(f, number_text(value), "must be an integer in " + bounds_text(f));
    set_field_text(f, c, std::to_string(static_cast<long long>(value)));
  } else {
    set_field_text(f, c, number_text(value));
  }
}

std::string check_field(const FieldSpec& f, const TrainConfig& config) {
  if (!f.numeric()) {
    if (f.choices.empty()) return "";
    const std::string v = field_text(f, config);
    for (const auto& choice : f.choices)
      if (choice == v) return "";
    return describe(f) + " must be " + bounds_text(f) + ", got '" + v + "'";
  }
  const double v = field_number(f, config);
  if (std::isfinite(v) && v >= f.min && v <= f.max) return "";
  return describe(f) + " must be " + (f.integral() ? "an integer" : "a number") + " in " + bounds_text(f) + ", got " +
         field_text(f, config);
}

}  // namespace dibr
