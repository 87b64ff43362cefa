// CUDA kernels of the tiled DIB-R rasterizer (raster_kernels.h has the design). The per-pixel and per-tile work
// is the host-device code of raster_pixel.h and raster_tile.h, shared with the CPU. No torch headers here.
#include "render/cuda_launch.h"
#include "render/raster_kernels.h"
#include "render/raster_pixel.h"
#include "render/raster_tile.h"
#include "render/tile_bins.h"

namespace dibr::raster {
namespace {

static_assert(kRasterTilePixels % 32 == 0 && kRasterTilePixels <= 1024, "one thread per tile pixel");
constexpr int kWarps = kRasterTilePixels / 32;

template <typename T>
__global__ void face_boxes_kernel(RasterSizes s, const T* corners, PixelBox* boxes) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= s.batch * s.num_faces) return;
  boxes[i] = face_centre_box(Tri<T>::load(corners + i * 6), T(s.boxlen), s.height, s.width);
}

template <typename T>
void launch_face_boxes(const RasterSizes& s, const T* corners, int32_t* boxes, cudaStream_t stream) {
  face_boxes_kernel<T><<<cuda::blocks_for(s.batch * s.num_faces), cuda::kThreads, 0, stream>>>(
      s, corners, reinterpret_cast<PixelBox*>(boxes));
  cuda::check_launch("dibr_rasterize", "face boxes");
}

// The faces [first, first + kRasterTilePixels) of one image whose centre box meets the tile, compacted in index
// order into ids (a block-wide count and prefix sum over warp ballots); returns how many, in every thread.
__device__ int compact_chunk(const PixelBox* boxes, int64_t num_faces, int64_t first, const PixelBox& tile,
                             int32_t* ids, int* warp_counts) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int64_t f = first + threadIdx.x;
  const bool keep = f < num_faces && !intersect(boxes[f], tile).empty();
  const unsigned ballot = __ballot_sync(0xffffffffu, keep);
  if (lane == 0) warp_counts[warp] = __popc(ballot);
  __syncthreads();
  int offset = 0, total = 0;
  for (int w = 0; w < kWarps; ++w) {
    offset += w < warp ? warp_counts[w] : 0;
    total += warp_counts[w];
  }
  if (keep) ids[offset + __popc(ballot & ((1u << lane) - 1u))] = static_cast<int32_t>(f);
  __syncthreads();
  return total;
}

struct TilePixel {
  PixelBox tile;
  int x, y;
  bool inside;  // the tile may be cut by the image's edge
};
__device__ TilePixel tile_pixel(const RasterSizes& s) {
  TilePixel t;
  t.tile = raster_grid(s).pixels(blockIdx.x);
  t.x = t.tile.x.first + int(threadIdx.x) % kRasterTile;
  t.y = t.tile.y.first + int(threadIdx.x) / kRasterTile;
  t.inside = t.x <= t.tile.x.last && t.y <= t.tile.y.last;
  return t;
}

// grid (tiles, B), kRasterTilePixels threads.
template <typename T>
__global__ void forward_kernel(const RasterForwardParams<T> p) {
  __shared__ int32_t ids[kRasterTilePixels];
  __shared__ int warp_counts[kWarps];
  const RasterSizes& s = p.sizes;
  const int64_t b = blockIdx.y;
  const TilePixel tp = tile_pixel(s);
  const PixelBox* boxes = reinterpret_cast<const PixelBox*>(p.face_boxes) + b * s.num_faces;
  const ImageFaces<T> img = image_faces(p, b);
  const T px = pixel_ndc_x<T>(tp.x, s.width), py = pixel_ndc_y<T>(tp.y, s.height);
  PixelForward<T> st;
  for (int64_t first = 0; first < s.num_faces; first += kRasterTilePixels) {
    const int n = compact_chunk(boxes, s.num_faces, first, tp.tile, ids, warp_counts);
    if (tp.inside)
      for (int i = 0; i < n; ++i) forward_visit(st, s, img, ids[i], px, py);
    __syncthreads();
  }
  if (tp.inside) write_pixel(p, (b * s.height + tp.y) * s.width + tp.x, b, st.cover, st.outside);
}

// The covered pixels of a warp that share a winning face add their values in registers and shared memory,
// then the lowest lane of each group issues one atomic per value (values: 6 corners, then 3*D features).
template <typename T>
__device__ void aggregate_covered(T* values, int count, int64_t face, bool active, T* grad_corners, T* grad_features) {
  const unsigned all = 0xffffffffu;
  const int lane = threadIdx.x & 31;
  // Lanes without a covered pixel get a key of their own, so they form no group with others.
  const long long key = active ? static_cast<long long>(face) : -1 - static_cast<long long>(threadIdx.x);
  const unsigned peers = __match_any_sync(all, key);
  __syncwarp();
  if (!active || __ffs(peers) - 1 != lane) return;
  T* row0 = values - lane * count;  // this warp's first row
  for (int v = 0; v < count; ++v) {
    T sum = T(0);
    for (unsigned m = peers; m; m &= m - 1) sum += row0[(__ffs(m) - 1) * count + v];
    if (sum == T(0)) continue;
    if (v < 6)
      atomicAdd(grad_corners + face * 6 + v, sum);
    else
      atomicAdd(grad_features + face * (count - 6) + (v - 6), sum);
  }
}

// grid (tiles, B), kRasterTilePixels threads, dynamic shared memory kRasterTilePixels * (6 + 3D) * sizeof(T)
// when Aggregate.
template <typename T, bool Aggregate>
__global__ void backward_kernel(const RasterBackwardParams<T> p) {
  __shared__ int32_t ids[kRasterTilePixels];
  __shared__ int warp_counts[kWarps];
  extern __shared__ __align__(16) unsigned char dynamic_shared[];
  const RasterSizes& s = p.sizes;
  const int64_t b = blockIdx.y, D = s.feature_dim;
  const TilePixel tp = tile_pixel(s);
  const int64_t pixel = (b * s.height + tp.y) * s.width + tp.x;
  const T px = pixel_ndc_x<T>(tp.x, s.width), py = pixel_ndc_y<T>(tp.y, s.height);
  T* grad_corners = p.grad_face_vertices_image + b * s.num_faces * 6;
  T* grad_features = p.grad_face_features + b * s.num_faces * 3 * D;
  const int64_t best = tp.inside ? p.face_index[pixel] : -1;

  const bool covered = best >= 0 && p.grad_features != nullptr;
  if (Aggregate) {
    const int count = int(6 + 3 * D);
    T* row = reinterpret_cast<T*>(dynamic_shared) + threadIdx.x * count;
    for (int v = 0; v < count; ++v) row[v] = T(0);
    if (covered) {
      struct {
        T* row;
        int64_t D;
        DIBR_HD void feature(int i, int64_t d, T v) { row[6 + i * D + d] += v; }
        DIBR_HD void corner(int k, T v) { row[k] += v; }
      } sink{row, D};
      covered_backward(p, pixel, b, best, px, py, sink);
    }
    aggregate_covered(row, count, best, covered, grad_corners, grad_features);
  } else if (covered) {
    struct {
      T* feature_dst;
      T* corner_dst;
      int64_t D;
      DIBR_HD void feature(int i, int64_t d, T v) { cuda::AtomicAdd{}(feature_dst + i * D + d, v); }
      DIBR_HD void corner(int k, T v) { cuda::AtomicAdd{}(corner_dst + k, v); }
    } sink{grad_features + best * 3 * D, grad_corners + best * 6, D};
    covered_backward(p, pixel, b, best, px, py, sink);
  }

  const bool soft = tp.inside && best < 0 && p.grad_soft_mask != nullptr && p.grad_soft_mask[pixel] != T(0);
  if (__syncthreads_or(soft) == 0) return;  // block-uniform: no thread of this tile has a soft-mask gradient
  const PixelBox* boxes = reinterpret_cast<const PixelBox*>(p.face_boxes) + b * s.num_faces;
  const T* corners = p.face_vertices_image + b * s.num_faces * 6;
  SoftGather<T> gather;
  for (int64_t first = 0; first < s.num_faces; first += kRasterTilePixels) {
    const int n = compact_chunk(boxes, s.num_faces, first, tp.tile, ids, warp_counts);
    if (soft)
      for (int i = 0; i < n && gather.n < s.knum; ++i) gather.visit(s, corners, ids[i], px, py);
    __syncthreads();
  }
  if (!soft) return;
  soft_mask_backward(
      s, p.grad_soft_mask[pixel], px, py, gather.n, gather.terms,
      [&](int k) { return corners + int64_t(gather.ids[k]) * 6; },
      [&](int k, int component, T v) { cuda::AtomicAdd{}(grad_corners + int64_t(gather.ids[k]) * 6 + component, v); });
}

// One thread per image: the CPU's tiled backward, tiles in order, each tile's list built by scanning the face
// boxes in index order, its entry slots added into the faces right after it.
template <typename T>
__global__ void deterministic_backward_kernel(const RasterBackwardParams<T> p) {
  const int64_t b = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  const RasterSizes& s = p.sizes;
  if (b >= s.batch) return;
  DeterministicScratch<T> scratch(s, p.scratch + b * DeterministicScratch<T>::bytes(s));
  const PixelBox* boxes = reinterpret_cast<const PixelBox*>(p.face_boxes) + b * s.num_faces;
  const TileGrid grid = raster_grid(s);
  for (int64_t t = 0; t < grid.count(); ++t) {
    const PixelBox tile = grid.pixels(t);
    int32_t n = 0;
    for (int64_t f = 0; f < s.num_faces; ++f)
      if (!intersect(boxes[f], tile).empty()) scratch.list[n++] = static_cast<int32_t>(f);
    const FaceList list{scratch.list, n};
    backward_tile(p, b, t, list, boxes, scratch.entries, scratch.slots, scratch.terms);
    gather_entries(p, b, n, scratch.list, scratch.entries.corners, scratch.entries.features);
  }
}

// The brute-force baseline (the reference kernels' design): one thread per pixel over every face.
template <typename T>
__global__ void unbinned_forward_kernel(const RasterForwardParams<T> p, int64_t pixels) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < pixels) forward_pixel(p, i, AllFaces{p.sizes.num_faces});
}
template <typename T>
__global__ void unbinned_backward_kernel(const RasterBackwardParams<T> p, int64_t pixels) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < pixels) backward_pixel(p, i, AllFaces{p.sizes.num_faces}, cuda::AtomicAdd{});
}

}  // namespace

template <typename scalar_t>
void rasterize_forward_cuda_unbinned(const RasterForwardParams<scalar_t>& p, void* stream) {
  const int64_t pixels = p.sizes.batch * p.sizes.height * p.sizes.width;
  if (pixels == 0) return;
  unbinned_forward_kernel<scalar_t>
      <<<cuda::blocks_for(pixels), cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, pixels);
  cuda::check_launch("dibr_rasterize", "unbinned forward");
}

template <typename scalar_t>
void rasterize_backward_cuda_unbinned(const RasterBackwardParams<scalar_t>& p, void* stream) {
  const int64_t pixels = p.sizes.batch * p.sizes.height * p.sizes.width;
  if (pixels == 0) return;
  unbinned_backward_kernel<scalar_t>
      <<<cuda::blocks_for(pixels), cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, pixels);
  cuda::check_launch("dibr_rasterize", "unbinned backward");
}

template <typename scalar_t>
void rasterize_forward_cuda(const RasterForwardParams<scalar_t>& p, void* stream) {
  const RasterSizes& s = p.sizes;
  if (s.batch == 0) return;
  const auto st = static_cast<cudaStream_t>(stream);
  launch_face_boxes(s, p.face_vertices_image, p.face_boxes, st);
  const dim3 grid(static_cast<unsigned>(raster_grid(s).count()), static_cast<unsigned>(s.batch));
  forward_kernel<scalar_t><<<grid, kRasterTilePixels, 0, st>>>(p);
  cuda::check_launch("dibr_rasterize", "forward");
}

template <typename scalar_t>
void rasterize_backward_cuda(const RasterBackwardParams<scalar_t>& p, void* stream) {
  const RasterSizes& s = p.sizes;
  if (s.batch == 0) return;
  const auto st = static_cast<cudaStream_t>(stream);
  launch_face_boxes(s, p.face_vertices_image, p.face_boxes, st);
  if (s.deterministic_backward) {
    deterministic_backward_kernel<scalar_t><<<cuda::blocks_for(s.batch), cuda::kThreads, 0, st>>>(p);
    cuda::check_launch("dibr_rasterize", "deterministic backward");
    return;
  }
  const dim3 grid(static_cast<unsigned>(raster_grid(s).count()), static_cast<unsigned>(s.batch));
  const size_t shared = size_t(kRasterTilePixels) * size_t(6 + 3 * s.feature_dim) * sizeof(scalar_t);
  if (shared <= 40 * 1024)
    backward_kernel<scalar_t, true><<<grid, kRasterTilePixels, shared, st>>>(p);
  else
    backward_kernel<scalar_t, false><<<grid, kRasterTilePixels, 0, st>>>(p);
  cuda::check_launch("dibr_rasterize", "backward");
}

template void rasterize_forward_cuda<float>(const RasterForwardParams<float>&, void*);
template void rasterize_forward_cuda<double>(const RasterForwardParams<double>&, void*);
template void rasterize_backward_cuda<float>(const RasterBackwardParams<float>&, void*);
template void rasterize_backward_cuda<double>(const RasterBackwardParams<double>&, void*);
template void rasterize_forward_cuda_unbinned<float>(const RasterForwardParams<float>&, void*);
template void rasterize_backward_cuda_unbinned<float>(const RasterBackwardParams<float>&, void*);

}  // namespace dibr::raster
