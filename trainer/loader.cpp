#include "trainer/loader.h"

#include <torch/torch.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "trainer/error_text.h"

namespace dibr {
namespace {

// splitmix64: a tiny, well-mixed generator whose output is the same on every platform.
struct SplitMix64 {
  uint64_t state;
  uint64_t operator()() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) (Lemire's multiply-shift; the bias is below 2^-40 for our n).
  int64_t below(int64_t n) { return static_cast<int64_t>((static_cast<unsigned __int128>((*this)()) * n) >> 64); }
};

SplitMix64 stream(uint64_t seed, uint64_t a, uint64_t b = 0) {
  SplitMix64 g{seed};
  g.state = g() ^ (a * 0xd1b54a32d192ed03ull);
  g.state = g() ^ (b * 0x8cb92ba72f3d8dd7ull);
  return g;
}

template <typename T>
void shuffle(std::vector<T>& v, SplitMix64& g) {
  for (int64_t i = static_cast<int64_t>(v.size()) - 1; i > 0; --i) std::swap(v[i], v[g.below(i + 1)]);
}

struct BatchPlan {
  std::vector<int64_t> objects;  // batch_objects entries
  std::vector<int64_t> views;    // batch_objects * views_per_object entries
};

}  // namespace

struct BatchLoader::Impl {
  DatasetIndex index;
  LoaderOptions options;
  bool pin = false;

  std::mutex mutex;
  std::condition_variable work_cv, ready_cv;
  std::vector<std::thread> threads;
  bool stopping = false;
  int64_t next_to_claim = 0;    // next batch a worker will build
  int64_t next_to_deliver = 0;  // next batch next() returns
  std::map<int64_t, Batch> ready;
  std::map<int64_t, std::exception_ptr> failed;
  mutable std::mutex broken_mutex;
  mutable std::map<int64_t, std::string> broken;  // object index -> why it failed (written by build())
  mutable std::vector<DatasetProblem> broken_list;

  bool is_broken(int64_t object) const {
    std::lock_guard<std::mutex> lock(broken_mutex);
    return broken.count(object) > 0;
  }
  void mark_broken(int64_t object, const std::string& why) const {
    std::lock_guard<std::mutex> lock(broken_mutex);
    if (!broken.emplace(object, why).second) return;
    broken_list.push_back({index.objects[object].path, why + "; replaced in its batches and not used again"});
    const double n = static_cast<double>(index.objects.size());
    if (static_cast<double>(broken.size()) > kMaxBrokenFraction * n)
      throw std::runtime_error(std::to_string(broken.size()) + " of " + std::to_string(index.objects.size()) +
                               " training objects are broken (more than " +
                               std::to_string(static_cast<int>(kMaxBrokenFraction * 100)) +
                               "%): training stops; the latest: " + index.objects[object].path + ": " + why +
                               " (the list is in dataset_problems.txt; deep check: dibr check-data)");
  }

  // Objects come from per-epoch permutations (drop_last, as a shuffled PyTorch DataLoader), so the
  // objects of a batch are distinct and every object is seen once per epoch. Everything depends only
  // on (seed, k), never on which thread builds the batch.
  BatchPlan plan(int64_t k) const {
    const int64_t n = static_cast<int64_t>(index.objects.size());
    const int64_t B = options.batch_objects, V = options.views_per_object;
    BatchPlan p;
    if (n >= B) {
      const int64_t per_epoch = n / B, epoch = k / per_epoch, slot = k % per_epoch;
      std::vector<int64_t> perm(n);
      for (int64_t i = 0; i < n; ++i) perm[i] = i;
      auto g = stream(options.seed, 1, static_cast<uint64_t>(epoch));
      shuffle(perm, g);
      p.objects.assign(perm.begin() + slot * B, perm.begin() + (slot + 1) * B);
    } else {
      // Fewer objects than batch slots: every object once, the rest drawn at random (repeats unavoidable).
      auto g = stream(options.seed, 2, static_cast<uint64_t>(k));
      for (int64_t i = 0; i < n; ++i) p.objects.push_back(i);
      shuffle(p.objects, g);
      while (static_cast<int64_t>(p.objects.size()) < B) p.objects.push_back(g.below(n));
    }
    const int64_t views_total = index.views_per_object;
    auto g = stream(options.seed, 3, static_cast<uint64_t>(k));
    std::vector<int64_t> all(views_total);
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t i = 0; i < views_total; ++i) all[i] = i;
      // Partial Fisher-Yates: the first V entries are distinct random views.
      for (int64_t i = 0; i < V; ++i) std::swap(all[i], all[i + g.below(views_total - i)]);
      p.views.insert(p.views.end(), all.begin(), all.begin() + V);
    }
    return p;
  }

  // The V views of one object, or an exception naming the file that failed.
  void load_object(Batch& batch, int64_t slot, int64_t object, const std::vector<int64_t>& views) const {
    const int64_t V = options.views_per_object, S = options.image_size;
    const auto& o = index.objects[object];
    for (int64_t v = 0; v < V; ++v) {
      const int64_t i = slot * V + v, view = views[i];
      const auto data = load_view(o, static_cast<int>(view), S);
      batch.images[i].copy_(data.image);
      batch.masks[i].copy_(data.mask);
      batch.world_mats[i].copy_(data.world_mat);
      batch.focals[i] = data.camera_mat[0][0];
      batch.object_index[i] = object;
      batch.view_index[i] = view;
      if (options.visual_hull_depth) {
        const at::Tensor hull = load_visual_hull_depth(o, static_cast<int>(view), static_cast<int>(S));
        if (hull.defined()) batch.visual_hull_depth[i].copy_(hull);
        else batch.visual_hull_depth[i].fill_(std::numeric_limits<float>::infinity());
      }
    }
  }

  // A broken object's stand-in: drawn from (seed, k, slot, attempt) only, skipping broken objects and (when there
  // are enough objects) the batch's others.
  int64_t substitute(int64_t k, int64_t slot, int attempt, const std::vector<int64_t>& in_batch) const {
    const int64_t n = static_cast<int64_t>(index.objects.size());
    auto g = stream(options.seed, 4 + static_cast<uint64_t>(attempt), static_cast<uint64_t>(k) * 4096 + static_cast<uint64_t>(slot));
    for (int tries = 0; tries < 64; ++tries) {
      const int64_t c = g.below(n);
      const bool taken = n > options.batch_objects && std::find(in_batch.begin(), in_batch.end(), c) != in_batch.end();
      if (!taken) return c;
    }
    return g.below(n);
  }

  Batch build(int64_t k) const {
    auto p = plan(k);
    const int64_t B = options.batch_objects, V = options.views_per_object, N = B * V, S = options.image_size;
    Batch batch;
    batch.images = torch::empty({N, 3, S, S}, torch::kFloat32);
    batch.masks = torch::empty({N, 1, S, S}, torch::kFloat32);
    batch.world_mats = torch::empty({N, 4, 4}, torch::kFloat32);
    batch.focals = torch::empty({N}, torch::kFloat32);
    batch.object_index = torch::empty({N}, torch::kLong);
    batch.view_index = torch::empty({N}, torch::kLong);
    if (options.visual_hull_depth) batch.visual_hull_depth = torch::empty({N, 1, S, S}, torch::kFloat32);
    const int max_attempts = static_cast<int>(4 * index.objects.size() + 16);
    for (int64_t b = 0; b < B; ++b) {
      for (int attempt = 0;; ++attempt) {
        if (attempt >= max_attempts)
          throw std::runtime_error("no loadable training object left to fill batch " + std::to_string(k));
        const int64_t object = p.objects[b];
        if (!is_broken(object)) {
          try {
            load_object(batch, b, object, p.views);
            break;
          } catch (const std::exception& e) {
            mark_broken(object, error_text(e));
          }
        }
        p.objects[b] = substitute(k, b, attempt, p.objects);
      }
    }
    if (pin) {
      batch.images = batch.images.pin_memory();
      batch.masks = batch.masks.pin_memory();
      batch.world_mats = batch.world_mats.pin_memory();
      batch.focals = batch.focals.pin_memory();
      if (batch.visual_hull_depth.defined()) batch.visual_hull_depth = batch.visual_hull_depth.pin_memory();
    }
    return batch;
  }

  void worker() {
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      work_cv.wait(lock, [&] { return stopping || next_to_claim < next_to_deliver + options.prefetch; });
      if (stopping) return;
      const int64_t k = next_to_claim++;
      lock.unlock();
      Batch batch;
      std::exception_ptr error;
      try {
        batch = build(k);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      if (error)
        failed[k] = error;
      else
        ready[k] = std::move(batch);
      ready_cv.notify_all();
    }
  }

  void start() {
    stopping = false;
    for (int i = 0; i < options.workers; ++i) threads.emplace_back([this] { worker(); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    work_cv.notify_all();
    for (auto& t : threads) t.join();
    threads.clear();
  }
};

BatchLoader::BatchLoader(const DatasetIndex& index, const LoaderOptions& options) : impl_(new Impl) {
  if (index.objects.empty()) throw std::invalid_argument("BatchLoader: the dataset index has no objects (" + index.root + ")");
  if (options.batch_objects < 1) throw std::invalid_argument("BatchLoader: batch_objects must be >= 1");
  if (options.views_per_object < 1 || options.views_per_object > index.views_per_object)
    throw std::invalid_argument("BatchLoader: views_per_object must be in [1," + std::to_string(index.views_per_object) +
                                "], got " + std::to_string(options.views_per_object));
  if (options.image_size < 1) throw std::invalid_argument("BatchLoader: image_size must be >= 1");
  if (options.workers < 0) throw std::invalid_argument("BatchLoader: workers must be >= 0");
  impl_->index = index;
  impl_->options = options;
  impl_->options.prefetch = std::max(1, options.prefetch);
  impl_->pin = options.pin_memory && torch::cuda::is_available();
  impl_->start();
}

BatchLoader::~BatchLoader() { impl_->stop(); }

Batch BatchLoader::next() {
  auto& s = *impl_;
  auto rethrow = [](int64_t k, const std::exception_ptr& error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      throw std::runtime_error("BatchLoader: batch " + std::to_string(k) + ": " + error_text(e));
    }
  };
  if (s.options.workers == 0) {
    const int64_t k = s.next_to_deliver++;
    try {
      return s.build(k);
    } catch (...) {
      rethrow(k, std::current_exception());
    }
  }
  std::unique_lock<std::mutex> lock(s.mutex);
  const int64_t k = s.next_to_deliver;
  s.ready_cv.wait(lock, [&] { return s.ready.count(k) || s.failed.count(k); });
  ++s.next_to_deliver;
  s.work_cv.notify_all();
  if (auto f = s.failed.find(k); f != s.failed.end()) {
    const auto error = f->second;
    s.failed.erase(f);
    lock.unlock();
    rethrow(k, error);
  }
  Batch batch = std::move(s.ready[k]);
  s.ready.erase(k);
  return batch;
}

std::vector<DatasetProblem> BatchLoader::broken_objects() const {
  std::lock_guard<std::mutex> lock(impl_->broken_mutex);
  return impl_->broken_list;
}

void BatchLoader::reset(uint64_t seed, int64_t batches_already_drawn) {
  if (batches_already_drawn < 0) throw std::invalid_argument("BatchLoader::reset: batches_already_drawn must be >= 0");
  auto& s = *impl_;
  s.stop();
  s.ready.clear();
  s.failed.clear();
  s.options.seed = seed;
  s.next_to_claim = s.next_to_deliver = batches_already_drawn;
  s.start();
}

}  // namespace dibr
