#pragma once
// One DIB-R training objective evaluation (internal: included by trainer/*.cpp only).
#include <ATen/core/Tensor.h>

#include "render/mesh_ops.h"
#include "render/rasterize.h"
#include "trainer/config.h"
#include "trainer/loader.h"
#include "trainer/reconstruction_model.h"
#include "trainer/training_types.h"

namespace dibr {

// Template-dependent constants of the regularisers, on the training device.
struct TrainingGeometry {
  at::Tensor faces;      // (F,3) int64
  at::Tensor laplacian;  // (V,V)
  EdgeAdjacency adjacency;
};
TrainingGeometry make_training_geometry(const TriangleMesh& template_mesh, const at::Device& device);

RasterizeSettings rasterize_settings(const TrainConfig& config, int image_size);

struct StepLosses {
  at::Tensor total, color, iou, laplacian, flatten;  // scalars; total carries the gradient
  LossTerms values() const;
};

// Renders mesh n (predicted from image n) from every view of its object in the batch (views of one
// object are adjacent), so N predictions give N * views_per_object renders, each compared with that
// view's image and mask. The batch must already be on the predictions' device.
StepLosses compute_step_losses(const MeshPrediction& prediction, const Batch& batch, const TrainConfig& config,
                               const TrainingGeometry& geometry);

}  // namespace dibr
