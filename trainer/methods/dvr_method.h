#pragma once
// DVR ("Differentiable Volumetric Rendering", Niemeyer et al., CVPR 2020) behind the method seam: an image code
// conditions an occupancy and texture field (dvr_network.h); pixels' rays are marched to the surface with the
// analytic depth gradient (dvr_marching.h); the RGB, free-space, occupancy and normal losses are DVR's, summed over
// rays and divided by the number of predictions; meshes come from MISE and marching cubes (dvr_extraction.h).
#include "trainer/method.h"

namespace dibr {

MethodInfo dvr_method_info();

}  // namespace dibr
