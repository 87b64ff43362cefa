#pragma once
// Launch helpers shared by the CUDA kernels of render/ (*.cu only): grid sizes, launch checks and atomics.
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace dibr::cuda {

constexpr int kThreads = 256;

inline unsigned blocks_for(int64_t items) {
  return static_cast<unsigned>((items + kThreads - 1) / kThreads);
}

// Throws "<who>: CUDA <what> launch failed: <reason>" when the last launch failed.
inline void check_launch(const char* who, const char* what) {
  const cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess)
    throw std::runtime_error(std::string(who) + ": CUDA " + what + " launch failed: " + cudaGetErrorString(err));
}

struct AtomicAdd {
  template <typename T>
  __device__ void operator()(T* dst, T value) const {
    if (value != T(0)) atomicAdd(dst, value);
  }
};

// atomicMax for floating point through compare-and-swap on the bit pattern.
__device__ inline void atomic_max(float* dst, float value) {
  int* bits = reinterpret_cast<int*>(dst);
  int old = *bits;
  while (__int_as_float(old) < value) {
    const int seen = atomicCAS(bits, old, __float_as_int(value));
    if (seen == old) break;
    old = seen;
  }
}
__device__ inline void atomic_max(double* dst, double value) {
  unsigned long long* bits = reinterpret_cast<unsigned long long*>(dst);
  unsigned long long old = *bits;
  while (__longlong_as_double(static_cast<long long>(old)) < value) {
    const unsigned long long seen = atomicCAS(bits, old, static_cast<unsigned long long>(__double_as_longlong(value)));
    if (seen == old) break;
    old = seen;
  }
}

}  // namespace dibr::cuda
