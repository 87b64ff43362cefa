#pragma once
// DIB-R (Chen et al., NeurIPS 2019) behind the method seam: ResNet-18 -> code -> conditioned decoder deforming the
// 642-vertex icosphere; DIB-R renders of every view of each object; colour L1 + IoU + Laplacian + flatten.
#include "trainer/method.h"

namespace dibr {

MethodInfo dibr_method_info();

}  // namespace dibr
