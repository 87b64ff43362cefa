#pragma once
// SoftRas (Liu et al., "Soft Rasterizer", ICCV 2019) behind the method seam, as in its examples/recon: Kato's
// encoder with BatchNorm -> a template decoder deforming a 642-vertex sphere; soft silhouettes of the four
// cross-view renders of each object; IoU + Laplacian + flatten losses; sigma follows the lr schedule.
#include "trainer/method.h"

namespace dibr {

MethodInfo softras_method_info();

}  // namespace dibr
