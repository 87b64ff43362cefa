#pragma once
// CAPNet (Navaneet et al., AAAI 2019) and its extension DIFFER (CVPRW 2019) behind the method seam
// (seed_methods.md §3): points projected with NMR's cameras and splatted as Gaussians into a mask (BCE + affinity
// losses); DIFFER also predicts per-point colours, projected by a soft z-buffer (RGB loss).
#include "trainer/method.h"

namespace dibr {

MethodInfo capnet_method_info();
MethodInfo differ_method_info();

}  // namespace dibr
