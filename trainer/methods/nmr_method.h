#pragma once
// NMR (Kato et al., "Neural 3D Mesh Renderer", CVPR 2018) behind the method seam, as in mesh_reconstruction:
// Kato's encoder -> template decoder deforming a 642-vertex sphere; NMR silhouettes (hard, anti-aliased, with the
// approximate edge gradient) of the four cross-view renders of each object; IoU + optional smoothness;
// neural_renderer's Adam with per-layer lr multipliers.
#include "trainer/method.h"

namespace dibr {

MethodInfo nmr_method_info();

}  // namespace dibr
