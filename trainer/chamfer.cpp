#include "trainer/chamfer.h"

#include <torch/torch.h>

#include <nanoflann.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace dibr {
namespace {

struct PointsAdaptor {
  std::vector<double> xyz;
  size_t kdtree_get_point_count() const { return xyz.size() / 3; }
  double kdtree_get_pt(size_t i, size_t d) const { return xyz[3 * i + d]; }
  template <class Box>
  bool kdtree_get_bbox(Box&) const { return false; }
};
using KdTree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, PointsAdaptor, double>,
                                                   PointsAdaptor, 3, size_t>;

std::vector<double> to_vector(const at::Tensor& points) {
  const auto p = points.detach().to(at::kCPU, at::kDouble).contiguous();
  return std::vector<double>(p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
}

// Euclidean distance from every query point to its nearest neighbour in the reference cloud.
std::vector<double> nearest_distances(const std::vector<double>& query, const std::vector<double>& reference) {
  PointsAdaptor adaptor{reference};
  KdTree tree(3, adaptor, nanoflann::KDTreeSingleIndexAdaptorParams(10));
  const int64_t n = static_cast<int64_t>(query.size() / 3);
  std::vector<double> out(static_cast<size_t>(n));
  at::parallel_for(0, n, 2048, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      size_t index = 0;
      double dist_sq = 0;
      tree.knnSearch(&query[3 * i], 1, &index, &dist_sq);
      out[i] = std::sqrt(dist_sq);
    }
  });
  return out;
}

ChamferResult summarize(const std::vector<double>& pred_to_gt, const std::vector<double>& gt_to_pred) {
  ChamferResult r;
  for (double d : pred_to_gt) r.pred_to_gt += d;
  for (double d : gt_to_pred) r.gt_to_pred += d;
  r.pred_to_gt /= static_cast<double>(pred_to_gt.size());
  r.gt_to_pred /= static_cast<double>(gt_to_pred.size());
  r.chamfer = 0.5 * (r.pred_to_gt + r.gt_to_pred);
  for (size_t t = 0; t < kFscoreThresholds.size(); ++t) {
    const double th = kFscoreThresholds[t];
    double precision = 0, recall = 0;
    for (double d : pred_to_gt) precision += d <= th;
    for (double d : gt_to_pred) recall += d <= th;
    precision /= static_cast<double>(pred_to_gt.size());
    recall /= static_cast<double>(gt_to_pred.size());
    r.fscore[t] = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
  }
  return r;
}

void check_cloud(const at::Tensor& t, const char* name) {
  if (!t.defined() || t.dim() != 2 || t.size(1) != 3 || t.size(0) == 0)
    throw std::invalid_argument(std::string("chamfer_distance: ") + name + " must be a non-empty (N,3) tensor, got " +
                                (t.defined() ? c10::str(t.sizes()) : std::string("undefined")));
}

std::vector<double> nearest_distances_bruteforce(const at::Tensor& query, const at::Tensor& reference) {
  const auto ref = reference.detach().to(at::kFloat).contiguous();
  const auto q = query.detach().to(ref.device(), at::kFloat).contiguous();
  // Chunks keep the (chunk x M) distance matrix near 64M entries.
  const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 26) / std::max<int64_t>(1, ref.size(0)));
  std::vector<at::Tensor> mins;
  for (int64_t s = 0; s < q.size(0); s += chunk) {
    // compute_mode 2: exact differences, not the |x|^2+|y|^2-2xy matmul shortcut that loses precision near 0.
    const auto d = at::cdist(q.slice(0, s, std::min(s + chunk, q.size(0))), ref, 2.0, 2);
    mins.push_back(std::get<0>(d.min(1)));
  }
  const auto all = at::cat(mins).to(at::kCPU, at::kDouble).contiguous();
  return std::vector<double>(all.data_ptr<double>(), all.data_ptr<double>() + all.numel());
}

}  // namespace

ChamferResult chamfer_distance(const at::Tensor& pred, const at::Tensor& gt) {
  check_cloud(pred, "pred");
  check_cloud(gt, "gt");
  if (pred.is_cuda() || gt.is_cuda()) {
    const auto device = pred.is_cuda() ? pred.device() : gt.device();
    const auto p = pred.to(device), g = gt.to(device);
    return summarize(nearest_distances_bruteforce(p, g), nearest_distances_bruteforce(g, p));
  }
  const auto p = to_vector(pred), g = to_vector(gt);
  return summarize(nearest_distances(p, g), nearest_distances(g, p));
}

ChamferResult chamfer_distance_bruteforce(const at::Tensor& pred, const at::Tensor& gt) {
  check_cloud(pred, "pred");
  check_cloud(gt, "gt");
  return summarize(nearest_distances_bruteforce(pred, gt), nearest_distances_bruteforce(gt, pred));
}

at::Tensor nearest_point_distances(const at::Tensor& query, const at::Tensor& reference) {
  check_cloud(query, "query");
  check_cloud(reference, "reference");
  const std::vector<double> d = nearest_distances(to_vector(query), to_vector(reference));
  return at::tensor(std::vector<float>(d.begin(), d.end()));
}

}  // namespace dibr
