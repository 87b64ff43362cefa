#include "trainer/distributed/gradient_sync.h"

#include <torch/torch.h>

#include <algorithm>

namespace dibr {
namespace {

at::Tensor flatten(const std::vector<at::Tensor>& tensors) {
  std::vector<at::Tensor> flat;
  flat.reserve(tensors.size());
  for (const auto& t : tensors) flat.push_back(t.detach().reshape({-1}));
  return torch::cat(flat);
}

void unflatten_into(const at::Tensor& flat, const std::vector<at::Tensor>& tensors) {
  torch::NoGradGuard no_grad;
  int64_t offset = 0;
  for (const auto& t : tensors) {
    const int64_t n = t.numel();
    t.detach().copy_(flat.narrow(0, offset, n).view_as(t));
    offset += n;
  }
}

}  // namespace

std::vector<GradientSync::Bucket> GradientSync::make_buckets(const std::vector<at::Tensor>& tensors,
                                                             size_t bucket_bytes) {
  std::vector<Bucket> buckets;
  size_t bytes = 0;
  for (const auto& t : tensors) {
    if (t.numel() == 0) continue;
    const size_t size = static_cast<size_t>(t.numel()) * t.element_size();
    const bool fits = !buckets.empty() && buckets.back().tensors.front().device() == t.device() &&
                      buckets.back().tensors.front().scalar_type() == t.scalar_type() && bytes + size <= bucket_bytes;
    if (!fits) {
      buckets.emplace_back();
      bytes = 0;
    }
    buckets.back().tensors.push_back(t);
    bytes += size;
  }
  return buckets;
}

GradientSync::GradientSync(Communicator& communicator, torch::nn::Module& network, size_t bucket_bytes)
    : communicator_(communicator) {
  std::vector<at::Tensor> trained, frozen;
  for (const auto& p : network.parameters()) (p.requires_grad() ? trained : frozen).push_back(p);
  std::reverse(trained.begin(), trained.end());  // backward produces the last layers' gradients first
  buckets_ = make_buckets(trained, bucket_bytes);
  frozen_buckets_ = make_buckets(frozen, bucket_bytes);
  buffer_buckets_ = make_buckets(network.buffers(), bucket_bytes);
}

void GradientSync::broadcast_buckets(const std::vector<Bucket>& buckets) {
  if (buckets.empty()) return;
  std::vector<at::Tensor> flat;
  for (const auto& b : buckets) flat.push_back(flatten(b.tensors));
  communicator_.broadcast(flat, 0);
  for (size_t i = 0; i < buckets.size(); ++i) unflatten_into(flat[i], buckets[i].tensors);
}

void GradientSync::broadcast_parameters_and_buffers() {
  broadcast_buckets(buckets_);
  broadcast_buckets(frozen_buckets_);
  broadcast_buckets(buffer_buckets_);
}

void GradientSync::broadcast_buffers() { broadcast_buckets(buffer_buckets_); }

void GradientSync::average_gradients() {
  if (buckets_.empty()) return;
  std::vector<at::Tensor> flat;
  std::vector<float> defined;
  for (const auto& b : buckets_) {
    std::vector<at::Tensor> grads;
    for (const auto& p : b.tensors) {
      const at::Tensor& g = p.grad();
      defined.push_back(g.defined() ? 1.f : 0.f);
      grads.push_back(g.defined() ? g : torch::zeros_like(p));
    }
    flat.push_back(flatten(grads));
  }
  // How many ranks gave each parameter a gradient, beside the gradients (on their device, for NCCL).
  flat.push_back(torch::tensor(defined).to(flat.front().device()));
  communicator_.all_reduce_sum(flat);
  const at::Tensor given_counts = flat.back().cpu();
  const float* given = given_counts.data_ptr<float>();
  const double world = communicator_.world_size();
  size_t k = 0;
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    flat[i].div_(world);
    int64_t offset = 0;
    for (const auto& p : buckets_[i].tensors) {
      const int64_t n = p.numel();
      const at::Tensor mean = flat[i].narrow(0, offset, n).view_as(p);
      offset += n;
      if (given[k++] == 0) continue;
      if (p.grad().defined())
        p.mutable_grad().copy_(mean);
      else
        p.mutable_grad() = mean.clone();
    }
  }
}

std::vector<double> GradientSync::sum(const std::vector<double>& values) {
  std::vector<at::Tensor> t{torch::tensor(values, torch::kFloat64)};
  communicator_.all_reduce_sum(t);
  const double* v = t[0].data_ptr<double>();
  return {v, v + values.size()};
}

}  // namespace dibr
