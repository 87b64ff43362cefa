#pragma once
// Prefetching batch loader: worker threads assemble batches of (objects x views) ahead of training.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "trainer/dataset.h"

namespace dibr {

struct Batch {
  at::Tensor images;      // (N,3,S,S) float32 [0,1], N = objects * views; views of one object are adjacent
  at::Tensor masks;       // (N,1,S,S) float32
  at::Tensor world_mats;  // (N,4,4) float32
  at::Tensor focals;      // (N) float32 NDC focal length (camera_mat[0][0])
  at::Tensor object_index;  // (N) int64 index into DatasetIndex::objects
  at::Tensor view_index;    // (N) int64
  at::Tensor visual_hull_depth;  // (N,1,S,S) float32, inf where unknown; only with LoaderOptions::visual_hull_depth
};

struct LoaderOptions {
  int batch_objects = 8;
  int views_per_object = 2;  // distinct random views per object
  int image_size = 64;
  int workers = 2;
  int prefetch = 4;          // batches queued ahead
  uint64_t seed = 0;
  bool pin_memory = false;   // for CUDA training
  bool visual_hull_depth = false;  // also load visual_hull_depth/*.exr (DVR); objects without them get inf
};

// A training object whose files fail to load (a truncated or foreign PNG, a bad cameras.npz, ...) is reported once
// (broken_objects()) and replaced in its batch by a substitute chosen from (seed, batch, slot) alone, so batches stay
// the same for any number of workers and after an exact resume; it is never loaded again. When more than
// kMaxBrokenFraction of the objects are broken, next() throws and training stops.
class BatchLoader {
 public:
  static constexpr double kMaxBrokenFraction = 0.1;

  BatchLoader(const DatasetIndex& index, const LoaderOptions& options);
  ~BatchLoader();
  // Blocks until the next batch is ready. Epochs reshuffle forever. Errors in workers are rethrown here.
  Batch next();
  // Every object found broken so far (file and reason), in the order found.
  std::vector<DatasetProblem> broken_objects() const;
  // Resets the random stream so that batch k after reset(seed, k) is the same as in a fresh run.
  void reset(uint64_t seed, int64_t batches_already_drawn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dibr
