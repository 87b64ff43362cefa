#include "render/tensor_checks.h"

#include <c10/util/Exception.h>

#ifdef DIBR_TORCH_CUDA
#include <c10/cuda/CUDAStream.h>
#endif

namespace dibr {

std::string shape_text(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

void check_shape(const at::Tensor& t, const char* who, const char* name, std::initializer_list<int64_t> expected) {
  TORCH_CHECK(t.defined(), who, ": ", name, " is undefined");
  std::string want = "(";
  int64_t i = 0;
  bool ok = t.dim() == static_cast<int64_t>(expected.size());
  for (int64_t e : expected) {
    want += (i ? ", " : "") + (e < 0 ? std::string("*") : std::to_string(e));
    if (ok && e >= 0 && t.size(i) != e) ok = false;
    ++i;
  }
  want += ")";
  TORCH_CHECK(ok, who, ": ", name, " must have shape ", want, ", got ", shape_text(t));
}

void check_float_like(const at::Tensor& t, const char* who, const char* name, const at::Tensor& like,
                      const char* like_name) {
  TORCH_CHECK(t.scalar_type() == at::kFloat || t.scalar_type() == at::kDouble, who, ": ", name,
              " must be float32 or float64, got ", t.scalar_type());
  TORCH_CHECK(t.scalar_type() == like.scalar_type(), who, ": ", name, " has dtype ", t.scalar_type(), " but ",
              like_name, " has ", like.scalar_type(), " (all inputs must share one dtype)");
  TORCH_CHECK(t.device() == like.device(), who, ": ", name, " is on ", t.device(), " but ", like_name, " is on ",
              like.device(), " (all inputs must share one device)");
  TORCH_CHECK(t.device().is_cpu() || t.device().is_cuda(), who, ": unsupported device ", t.device(),
              " (CPU or CUDA only)");
}

void fail_no_cuda_kernels(const char* who) {
  TORCH_CHECK(false, who, ": got CUDA tensors but this build has no CUDA kernels (render/*.cu are compiled only when "
                          "CMake finds nvcc)");
}

#ifdef DIBR_TORCH_CUDA
void* current_cuda_stream(const at::Tensor& t) {
  return c10::cuda::getCurrentCUDAStream(t.device().index()).stream();
}
#else
void* current_cuda_stream(const at::Tensor&) { return nullptr; }
#endif

}  // namespace dibr
