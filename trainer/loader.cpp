#include "trainer/loader.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

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

  Batch build(int64_t k) const {
    const auto p = plan(k);
    const int64_t B = options.batch_objects, V = options.views_per_object, N = B * V, S = options.image_size;
    Batch batch;
    batch.images = torch::empty({N, 3, S, S}, torch::kFloat32);
    batch.masks = torch::empty({N, 1, S, S}, torch::kFloat32);
    batch.world_mats = torch::empty({N, 4, 4}, torch::kFloat32);
    batch.focals = torch::empty({N}, torch::kFloat32);
    batch.object_index = torch::empty({N}, torch::kLong);
    batch.view_index = torch::empty({N}, torch::kLong);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t v = 0; v < V; ++v) {
        const int64_t i = b * V + v, view = p.views[i];
        const auto& object = index.objects[p.objects[b]];
        const auto data = load_view(object, static_cast<int>(view), S);
        batch.images[i].copy_(data.image);
        batch.masks[i].copy_(data.mask);
        batch.world_mats[i].copy_(data.world_mat);
        batch.focals[i] = data.camera_mat[0][0];
        batch.object_index[i] = p.objects[b];
        batch.view_index[i] = view;
      }
    if (pin) {
      batch.images = batch.images.pin_memory();
      batch.masks = batch.masks.pin_memory();
      batch.world_mats = batch.world_mats.pin_memory();
      batch.focals = batch.focals.pin_memory();
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
      throw std::runtime_error("BatchLoader: batch " + std::to_string(k) + ": " + e.what());
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
