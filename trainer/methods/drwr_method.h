#pragma once
// DRWR ("Differentiable Renderer without Rendering", Han et al., ICML 2020) and its follow-up 2DPM (ICCV 2021)
// behind the method seam: one network predicting N points (trainer/methods/point_networks.h), projected with
// NMR's cameras onto a grid, and no rendering in the loss.
//   drwr  interior term from the mask distance field + mask-weighted Gaussian repulsion (seed_methods.md §2.3);
//   2dpm  2D chamfer between the projected points and points sampled in the silhouette (§2.6).
#include "trainer/method.h"

namespace dibr {

MethodInfo drwr_method_info();
MethodInfo twodpm_method_info();

}  // namespace dibr
