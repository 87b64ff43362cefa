#pragma once
// Helpers shared by the rasterizer tests: hand-built meshes and random meshes whose corners stay away from
// pixel centres, so that finite differences never cross a coverage or box discontinuity.
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "render/rasterize.h"

namespace dibr::test {

struct RasterInputs {
  at::Tensor z;         // (B,F,3)
  at::Tensor image;     // (B,F,3,2)
  at::Tensor features;  // (B,F,3,D)
  at::Tensor normals;   // (B,F)
};

inline double pixel_x(int w, int width) { return double(2 * w + 1 - width) / width; }
inline double pixel_y(int h, int height) { return double(height - 2 * h - 1) / height; }

// One image (B=1) from a list of triangles given as {x0,y0,x1,y1,x2,y2}, a constant depth and normal per face.
inline RasterInputs single_image(const std::vector<std::vector<double>>& tris, const std::vector<double>& depth,
                                 const std::vector<double>& normal_z, int feature_dim = 3) {
  const int64_t F = static_cast<int64_t>(tris.size());
  auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  RasterInputs in;
  in.image = torch::zeros({1, F, 3, 2}, opts);
  in.z = torch::zeros({1, F, 3}, opts);
  in.normals = torch::zeros({1, F}, opts);
  for (int64_t f = 0; f < F; ++f) {
    for (int k = 0; k < 6; ++k) in.image[0][f][k / 2][k % 2] = tris[f][k];
    in.z[0][f].fill_(depth[f]);
    in.normals[0][f] = normal_z[f];
  }
  in.features = torch::rand({1, F, 3, feature_dim}, opts);
  return in;
}

inline double segment_distance(double px, double py, double ax, double ay, double bx, double by) {
  const double ex = bx - ax, ey = by - ay, len2 = ex * ex + ey * ey;
  double s = len2 > 0 ? ((px - ax) * ex + (py - ay) * ey) / len2 : 0.0;
  s = std::min(1.0, std::max(0.0, s));
  return std::hypot(px - ax - s * ex, py - ay - s * ey);
}

// True when every pixel centre is at least `gap` away from every edge of every face and from every side
// of every face's box grown by boxlen.
inline bool far_from_discontinuities(const at::Tensor& image, int height, int width, double boxlen, double gap) {
  auto acc = image.accessor<double, 4>();
  for (int64_t b = 0; b < image.size(0); ++b)
    for (int64_t f = 0; f < image.size(1); ++f) {
      double x[3], y[3];
      for (int i = 0; i < 3; ++i) x[i] = acc[b][f][i][0], y[i] = acc[b][f][i][1];
      const double lo_x = std::min({x[0], x[1], x[2]}) - boxlen, hi_x = std::max({x[0], x[1], x[2]}) + boxlen;
      const double lo_y = std::min({y[0], y[1], y[2]}) - boxlen, hi_y = std::max({y[0], y[1], y[2]}) + boxlen;
      for (int h = 0; h < height; ++h)
        for (int w = 0; w < width; ++w) {
          const double px = pixel_x(w, width), py = pixel_y(h, height);
          for (int i = 0; i < 3; ++i)
            if (segment_distance(px, py, x[i], y[i], x[(i + 1) % 3], y[(i + 1) % 3]) < gap) return false;
          if (std::abs(px - lo_x) < gap || std::abs(px - hi_x) < gap || std::abs(py - lo_y) < gap ||
              std::abs(py - hi_y) < gap)
            return false;
        }
    }
  return true;
}

// Random float64 triangles in [-0.8,0.8]^2 with a constant depth per face (no depth-crossing lines),
// redrawn until no pixel centre is within `gap` of an edge or a grown box side.
inline RasterInputs random_inputs(int64_t B, int64_t F, int64_t D, int height, int width, double boxlen,
                                  double culled_fraction, uint64_t seed, double gap = 2e-3) {
  torch::manual_seed(seed);
  auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  RasterInputs in;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const at::Tensor centre = torch::rand({B, F, 1, 2}, opts) * 1.2 - 0.6;
    in.image = centre + (torch::rand({B, F, 3, 2}, opts) - 0.5) * 0.9;
    if (far_from_discontinuities(in.image, height, width, boxlen, gap)) break;
  }
  TORCH_CHECK(far_from_discontinuities(in.image, height, width, boxlen, gap), "random_inputs: no clean mesh found");
  in.z = (torch::rand({B, F, 1}, opts) * -2.0 - 1.0).expand({B, F, 3}).contiguous();
  in.features = torch::randn({B, F, 3, D}, opts);
  in.normals = torch::where(torch::rand({B, F}, opts) < culled_fraction, torch::full({B, F}, -1.0, opts),
                            torch::full({B, F}, 1.0, opts));
  return in;
}

}  // namespace dibr::test
