#pragma once
// Input checks and the launch stream shared by the renderers' LibTorch entry points (rasterize.cpp,
// soft_rasterize.cpp). Every message starts with the entry point's name and names the argument.
#include <ATen/core/Tensor.h>

#include <initializer_list>
#include <string>

namespace dibr {

// "[2, 3]"
std::string shape_text(const at::Tensor& t);
// expected sizes, -1 for any; throws c10::Error "<who>: <name> must have shape (B, F, 3, *), got [...]".
void check_shape(const at::Tensor& t, const char* who, const char* name, std::initializer_list<int64_t> expected);
// float32 or float64, the dtype and device of `like` (named like_name), and CPU or CUDA.
void check_float_like(const at::Tensor& t, const char* who, const char* name, const at::Tensor& like,
                      const char* like_name);
// Throws c10::Error "<who>: got CUDA tensors but this build has no CUDA kernels ...".
[[noreturn]] void fail_no_cuda_kernels(const char* who);
// The current CUDA stream of t's device as a cudaStream_t (null, the legacy default stream, in CPU-only LibTorch).
void* current_cuda_stream(const at::Tensor& t);

}  // namespace dibr

// In a CUDA build `call` (a *_cuda entry point); otherwise the error above. For the LibTorch entry points.
#ifdef DIBR_WITH_CUDA
#define DIBR_CUDA_OR_FAIL(who, call) call
#else
#define DIBR_CUDA_OR_FAIL(who, call) ::dibr::fail_no_cuda_kernels(who)
#endif
