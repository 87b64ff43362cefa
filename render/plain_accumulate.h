#pragma once
// The CPU kernels' accumulation functors: the plain counterparts of cuda_launch.h's atomics, passed to the shared
// per-pixel and per-point code where one thread owns every write (an image, or a face's own slot).

namespace dibr {

struct PlainAdd {
  template <typename T>
  void operator()(T* dst, T value) const { *dst += value; }
};

struct PlainMax {
  template <typename T>
  void operator()(T* dst, T value) const {
    if (*dst < value) *dst = value;
  }
};

}  // namespace dibr
