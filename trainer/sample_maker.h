#pragma once
// The built-in sample dataset: procedural shapes of several classes, rendered by our rasterizer
// on the NMR camera rig, written in exactly the DVR NMR layout.
// Classes sample_{box,cylinder,cone,torus,chair,table}; objects o0000.. with per-vertex colours and baked
// headlight Lambert shading. Shapes are centred with largest half-extent 0.45-0.5, then shrunk (by 3%
// steps) until every one of the 24 views keeps them inside |NDC| <= 0.92 (a full cube would overflow).
// Images are composited on a WHITE background (as the DVR NMR images we know of), anti-aliased by
// rendering at size*supersample and box-filtering; masks are the anti-aliased hard coverage
// (face index >= 0), not the soft silhouette. cameras.npz holds float64 world_mat_i, camera_mat_i
// and their inverses; pointcloud.npz holds float32 points/normals, loc = 0 and scale = 1. Each class folder also
// holds <class>_<split>_voxels.npz: the GT shapes voxelised by Kato's protocol (voxel_iou.h), one per list line.
// With EXR support (libopenexr-dev) each object also gets visual_hull_depth/0000..0023.exr from its own masks
// (visual_hull.h), as the NMR_Dataset has for DVR.
// The default (6 classes x 12 objects x 24 views, supersample 4, 100k points) takes about 95 s on a 2-core Xeon
// (2026-12-03; 13 s before the visual-hull maps, which take most of it) and 200 MB of disk.
#include <functional>
#include <string>

namespace dibr {

struct SampleOptions {
  int objects_per_class = 12;   // split train/val/test 8/2/2 (n/6 each for val and test; all in every split if n < 3)
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

// Writes the dataset into out_dir (created): generated in <out_dir>.partial-<pid>, marker file written
// last, then renamed. Replaces an earlier sample in out_dir; refuses (throws) any other non-empty folder.
// Throws std::runtime_error on I/O errors.
SampleSummary make_sample_dataset(const std::string& out_dir, const SampleOptions& options = {});
// The cache folder of the built-in sample ($DIBR_CACHE or $XDG_CACHE_HOME/dibr or ~/.cache/dibr)/sample;
// generates it on first use (and if a previous generation was interrupted).
std::string ensure_default_sample(const std::function<void(int, int)>& progress = {});

}  // namespace dibr
