#include "trainer/trainer.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "render/camera.h"
#include "render/icosphere.h"
#include "render/render_mesh.h"
#include "trainer/checkpoint.h"
#include "trainer/dataset.h"
#include "trainer/inference.h"
#include "trainer/reconstruction_model.h"
#include "trainer/sample_maker.h"
#include "trainer/training_step.h"

namespace dibr {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char* to_string(TrainerState state) {
  switch (state) {
    case TrainerState::Idle: return "idle";
    case TrainerState::Running: return "running";
    case TrainerState::Paused: return "paused";
    case TrainerState::Stopping: return "stopping";
    case TrainerState::Finished: return "finished";
    case TrainerState::Failed: return "failed";
  }
  return "unknown";
}

namespace {

constexpr int64_t kPreviewPoints = 2048;

torch::Device resolve_device(const std::string& name) {
  if (name == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  if (name == "cpu") return torch::Device(torch::kCPU);
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    if (!torch::cuda::is_available()) {
      throw std::runtime_error("config.device = \"" + name + "\" but no CUDA device is available (use \"auto\" or \"cpu\")");
    }
    return name == "cuda" ? torch::Device(torch::kCUDA, 0) : torch::Device(name);
  }
  throw std::invalid_argument("config.device: unknown device \"" + name + "\" (expected auto, cpu or cuda)");
}

void validate(const TrainConfig& c) {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("TrainConfig: " + what);
  };
  require(c.image_size >= 16, "image_size must be >= 16, got " + std::to_string(c.image_size));
  require(c.batch_objects >= 1, "batch_objects must be >= 1");
  require(c.decoder_hidden >= 8, "decoder_hidden must be >= 8");
  require(c.views_per_object >= 1 && c.views_per_object <= kNmrViewsPerObject, "views_per_object must be in 1..24");
  require(c.learning_rate > 0, "learning_rate must be > 0");
  require(c.lr_decay_step >= 1, "lr_decay_step must be >= 1");
  require(c.max_steps >= 0, "max_steps must be >= 0");
  require(c.checkpoint_every >= 1, "checkpoint_every must be >= 1");
  require(c.keep_every >= 0, "keep_every must be >= 0");
  require(c.snapshot_every >= 1, "snapshot_every must be >= 1");
  require(c.preview_count >= 0, "preview_count must be >= 0");
  require(c.loader_workers >= 1, "loader_workers must be >= 1");
  require(!c.out_dir.empty(), "out_dir must not be empty");
}

double learning_rate_at(const TrainConfig& c, int64_t step) {
  return c.learning_rate * std::pow(c.lr_decay, static_cast<double>(step / c.lr_decay_step));
}

void report_problems(const DatasetIndex& index) {
  if (index.problems.empty()) return;
  std::cerr << "dibr: " << index.problems.size() << " problem(s) in the " << index.split << " split of " << index.root
            << ":\n";
  for (const auto& p : index.problems) std::cerr << "  " << p.path << ": " << p.message << "\n";
}

std::string format_terms(const LossTerms& t) {
  std::ostringstream s;
  s << "total=" << t.total << ", color=" << t.color << ", iou=" << t.iou << ", laplacian=" << t.laplacian
    << ", flatten=" << t.flatten;
  return s.str();
}

struct Preview {
  std::vector<std::string> ids;
  at::Tensor images, masks, world_mats, focals, gt_points;
};

}  // namespace

struct Trainer::Impl {
  TrainConfig config;
  torch::Device device{torch::kCPU};
  DatasetIndex train_index;
  std::vector<DatasetProblem> problems;
  std::unique_ptr<BatchLoader> loader;
  ReconstructionNet model{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer;
  TrainingGeometry geometry;
  Preview preview;
  std::function<void(int64_t, Batch&)> batch_hook;

  mutable std::mutex mutex;
  std::condition_variable cv;
  TrainerState state = TrainerState::Idle;
  bool stop_requested = false, pause_requested = false;
  std::string error;
  std::thread thread;
  std::thread::id loop_thread_id;

  std::atomic<int64_t> step{0};
  int64_t last_saved_step = -1;
  LossTerms last_losses;
  double seconds_base = 0;  // training time of the run before this process (resume)
  double steps_per_second = 0;

  mutable std::mutex snapshot_mutex;
  std::shared_ptr<const TrainingSnapshot> snapshot;
  mutable std::mutex history_mutex;
  std::vector<LossRecord> history;
  std::ofstream metrics;

  fs::path out_dir() const { return fs::path(config.out_dir); }
  std::string latest_path() const { return (out_dir() / "latest.pt").string(); }

  void load_data();
  void load_preview(const std::string& root);
  void open_metrics(bool resumed);
  void save(const std::string& path);
  void take_snapshot();
  bool train_one_step(double elapsed_base, Clock::time_point started);
  void loop(const std::function<void(const TrainerProgress&)>& on_progress);
  void fail(const std::string& message);
  bool on_loop_thread() const { return std::this_thread::get_id() == loop_thread_id; }
};

void Trainer::Impl::load_data() {
  std::string root = config.data_root.empty() ? ensure_default_sample() : config.data_root;
  train_index = index_dataset(root, config.classes, "train");
  report_problems(train_index);
  problems = train_index.problems;
  if (train_index.objects.empty()) {
    throw std::runtime_error("no usable training objects under " + root + " (" + std::to_string(problems.size()) +
                             " problems, see above)");
  }
  LoaderOptions options;
  options.batch_objects = config.batch_objects;
  options.views_per_object = config.views_per_object;
  options.image_size = config.image_size;
  options.workers = config.loader_workers;
  options.seed = config.seed;
  options.pin_memory = device.is_cuda();
  loader = std::make_unique<BatchLoader>(train_index, options);
  load_preview(root);
}

void Trainer::Impl::load_preview(const std::string& root) {
  if (config.preview_count == 0) return;
  DatasetIndex val;
  try {
    val = index_dataset(root, config.classes, "val");
    report_problems(val);
    problems.insert(problems.end(), val.problems.begin(), val.problems.end());
  } catch (const std::exception& e) {
    std::cerr << "dibr: no val split for the preview (" << e.what() << "); using training objects\n";
  }
  const auto& source = val.objects.empty() ? train_index.objects : val.objects;
  std::vector<at::Tensor> images, masks, mats, focals, points;
  for (const auto& object : source) {
    if (static_cast<int>(preview.ids.size()) >= config.preview_count) break;
    auto view = load_view(object, 0, config.image_size);
    auto cloud = load_pointcloud(object);
    const int64_t n = cloud.points.size(0);
    auto pick = torch::linspace(0, static_cast<double>(std::max<int64_t>(n - 1, 0)), std::min(n, kPreviewPoints))
                    .round()
                    .to(torch::kInt64);
    auto sampled = cloud.points.index_select(0, pick);
    if (sampled.size(0) < kPreviewPoints && n > 0) {  // pad by repetition so previews stack
      sampled = sampled.repeat({(kPreviewPoints + n - 1) / n, 1}).narrow(0, 0, kPreviewPoints);
    }
    preview.ids.push_back(object.class_id + "/" + object.object_id);
    images.push_back(view.image);
    masks.push_back(view.mask.squeeze(0));
    mats.push_back(view.world_mat);
    focals.push_back(view.camera_mat[0][0].reshape({1}));
    points.push_back(sampled);
  }
  if (preview.ids.empty()) return;
  preview.images = torch::stack(images).to(device);
  preview.masks = torch::stack(masks).to(device);
  preview.world_mats = torch::stack(mats).to(device);
  preview.focals = torch::cat(focals).to(device);
  preview.gt_points = torch::stack(points);
}

void Trainer::Impl::open_metrics(bool resumed) {
  fs::create_directories(out_dir());
  const fs::path path = out_dir() / "metrics.csv";
  const char* header = "step,seconds,total,color,iou,laplacian,flatten,lr";
  std::vector<std::string> kept;
  if (resumed && fs::exists(path)) {
    // Rows after the checkpoint's step were computed again after resuming: drop them.
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      LossRecord r;
      double lr = 0;
      char comma;
      std::istringstream s(line);
      if (!(s >> r.step >> comma >> r.seconds >> comma >> r.losses.total >> comma >> r.losses.color >> comma >>
            r.losses.iou >> comma >> r.losses.laplacian >> comma >> r.losses.flatten >> comma >> lr)) {
        continue;
      }
      if (r.step > step) continue;
      kept.push_back(line);
      history.push_back(r);
      seconds_base = r.seconds;
    }
  }
  metrics.open(path, std::ios::trunc);
  if (!metrics) throw std::runtime_error("cannot write " + path.string());
  metrics << header << "\n";
  for (const auto& line : kept) metrics << line << "\n";
  metrics.flush();
}

void Trainer::Impl::save(const std::string& path) {
  CheckpointMeta meta;
  meta.step = step;
  meta.loss = last_losses.total;
  meta.batches_drawn = step;
  meta.config_json = config.to_json();
  capture_rng_state(meta);
  save_checkpoint(path, *model, optimizer.get(), meta);
}

void Trainer::Impl::take_snapshot() {
  if (preview.ids.empty()) return;
  auto snap = std::make_shared<TrainingSnapshot>();
  {
    torch::NoGradGuard no_grad;
    model->eval();
    auto prediction = model->forward(preview.images);
    auto render = render_mesh(prediction.vertices, geometry.faces, prediction.colors, preview.world_mats,
                              preview.focals, rasterize_settings(config, config.image_size));
    model->train();
    snap->vertices = prediction.vertices;
    snap->colors = prediction.colors;
    snap->silhouettes = render.silhouette;
    snap->renders = render.image.permute({0, 3, 1, 2}).contiguous();
  }
  snap->step = step;
  snap->losses = last_losses;
  snap->steps_per_second = steps_per_second;
  snap->eta_seconds = steps_per_second > 0 ? (config.max_steps - step) / steps_per_second : 0;
  snap->preview_ids = preview.ids;
  snap->images = preview.images;
  snap->gt_masks = preview.masks;
  snap->faces = geometry.faces;
  snap->gt_points = preview.gt_points;
  std::lock_guard<std::mutex> lock(snapshot_mutex);
  snapshot = std::move(snap);
}

void Trainer::Impl::fail(const std::string& message) {
  std::lock_guard<std::mutex> lock(mutex);
  state = TrainerState::Failed;
  error = message;
  cv.notify_all();
}

// One optimisation step. Returns false (state Failed) when the loss is not finite; the model is then untouched.
bool Trainer::Impl::train_one_step(double elapsed_base, Clock::time_point started) {
  const auto t0 = Clock::now();
  Batch batch = loader->next();
  if (batch_hook) batch_hook(step, batch);
  const bool non_blocking = device.is_cuda();
  batch.images = batch.images.to(device, non_blocking);
  batch.masks = batch.masks.to(device, non_blocking);
  batch.world_mats = batch.world_mats.to(device, non_blocking);
  batch.focals = batch.focals.to(device, non_blocking);

  const double lr = learning_rate_at(config, step);
  for (auto& group : optimizer->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);

  optimizer->zero_grad();
  auto prediction = model->forward(batch.images);
  auto losses = compute_step_losses(prediction, batch, config, geometry);
  const LossTerms terms = losses.values();
  if (!std::isfinite(terms.total)) {
    fail(std::string("loss became ") + (std::isnan(terms.total) ? "NaN" : "Inf") + " at step " +
         std::to_string(step + 1) + " (" + format_terms(terms) + "); the last good checkpoint is " + latest_path());
    return false;
  }
  losses.total.backward();
  optimizer->step();
  ++step;
  last_losses = terms;

  const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
  const double rate = dt > 0 ? 1.0 / dt : 0;
  steps_per_second = steps_per_second == 0 ? rate : 0.9 * steps_per_second + 0.1 * rate;

  LossRecord record;
  record.step = step;
  record.losses = terms;
  record.seconds = elapsed_base + std::chrono::duration<double>(Clock::now() - started).count();
  {
    std::lock_guard<std::mutex> lock(history_mutex);
    history.push_back(record);
  }
  metrics << record.step << ',' << record.seconds << ',' << terms.total << ',' << terms.color << ',' << terms.iou
          << ',' << terms.laplacian << ',' << terms.flatten << ',' << lr << '\n';
  metrics.flush();

  if (step % config.snapshot_every == 0) take_snapshot();
  if (config.keep_every > 0 && step % config.keep_every == 0) {
    save((out_dir() / ("step_" + std::to_string(step.load()) + ".pt")).string());
  }
  if (step % config.checkpoint_every == 0) {
    save(latest_path());
    last_saved_step = step;
  }
  return true;
}

void Trainer::Impl::loop(const std::function<void(const TrainerProgress&)>& on_progress) {
  const auto started = Clock::now();
  const double elapsed_base = seconds_base;
  bool failed = false;
  try {
    bool have_snapshot;
    {
      std::lock_guard<std::mutex> lock(snapshot_mutex);
      have_snapshot = snapshot != nullptr;
    }
    if (!have_snapshot) take_snapshot();  // the studio shows the starting point at once
    while (step < config.max_steps) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        if (pause_requested && !stop_requested) {
          state = TrainerState::Paused;
          cv.notify_all();
          cv.wait(lock, [&] { return !pause_requested || stop_requested; });
        }
        if (stop_requested) break;
        state = TrainerState::Running;
      }
      if (!train_one_step(elapsed_base, started)) {
        failed = true;
        break;
      }
      if (on_progress) {
        TrainerProgress p;
        p.step = step;
        p.max_steps = config.max_steps;
        p.steps_per_second = steps_per_second;
        p.eta_seconds = steps_per_second > 0 ? (config.max_steps - step) / steps_per_second : 0;
        p.losses = last_losses;
        on_progress(p);
      }
    }
    if (!failed && last_saved_step != step) {
      save(latest_path());
      last_saved_step = step;
    }
  } catch (const std::exception& e) {
    fail(std::string("training stopped at step ") + std::to_string(step.load()) + ": " + e.what());
    failed = true;
  }
  std::lock_guard<std::mutex> lock(mutex);
  if (!failed) state = step >= config.max_steps ? TrainerState::Finished : TrainerState::Idle;
  stop_requested = false;
  pause_requested = false;
  cv.notify_all();
}

Trainer::Trainer(TrainConfig config, bool resume) : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  validate(config);
  m.config = std::move(config);
  m.device = resolve_device(m.config.device);
  if (m.config.num_threads > 0) at::set_num_threads(m.config.num_threads);
  m.load_data();

  torch::manual_seed(m.config.seed);  // reproducible initialisation
  auto template_mesh = make_icosphere(3, 0.5);
  m.model = ReconstructionNet(template_mesh, m.config.decoder_hidden);
  if (!m.config.pretrained_encoder.empty()) load_pretrained_encoder(m.model->encoder, m.config.pretrained_encoder);
  m.model->move_to(m.device);
  m.model->train();
  m.optimizer = std::make_unique<torch::optim::Adam>(m.model->parameters(),
                                                     torch::optim::AdamOptions(m.config.learning_rate));
  m.geometry = make_training_geometry(template_mesh, m.device);

  bool resumed = false;
  if (resume && fs::exists(m.latest_path())) {
    auto meta = load_checkpoint(m.latest_path(), m.model.get(), m.optimizer.get(), m.device);
    m.step = meta.step;
    m.last_saved_step = meta.step;
    m.last_losses.total = meta.loss;
    restore_rng_state(meta);
    m.loader->reset(m.config.seed, meta.batches_drawn);
    resumed = true;
  }
  m.open_metrics(resumed);
  if (resumed) {
    std::lock_guard<std::mutex> lock(m.history_mutex);
    if (!m.history.empty()) m.last_losses = m.history.back().losses;
  }
}

Trainer::~Trainer() {
  try {
    stop();
  } catch (...) {
  }
}

void Trainer::start() {
  auto& m = *impl_;
  std::unique_lock<std::mutex> lock(m.mutex);
  if (m.state == TrainerState::Running || m.state == TrainerState::Paused || m.state == TrainerState::Stopping) return;
  if (m.state == TrainerState::Failed) throw std::logic_error("Trainer::start: training failed: " + m.error);
  if (m.step >= m.config.max_steps) {
    m.state = TrainerState::Finished;
    return;
  }
  if (m.thread.joinable()) {
    lock.unlock();
    m.thread.join();
    lock.lock();
  }
  m.state = TrainerState::Running;
  m.stop_requested = false;
  m.thread = std::thread([&m] {
    {
      std::lock_guard<std::mutex> guard(m.mutex);
      m.loop_thread_id = std::this_thread::get_id();
    }
    m.loop({});
  });
}

void Trainer::pause() {
  auto& m = *impl_;
  std::unique_lock<std::mutex> lock(m.mutex);
  if (m.state != TrainerState::Running) return;
  m.pause_requested = true;
  if (m.on_loop_thread()) return;
  // Return once the loop sits between steps, so the step no longer advances.
  m.cv.wait(lock, [&] { return m.state != TrainerState::Running || m.stop_requested; });
}

void Trainer::resume() {
  auto& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  m.pause_requested = false;
  if (m.state == TrainerState::Paused) m.state = TrainerState::Running;
  m.cv.notify_all();
}

void Trainer::stop() {
  auto& m = *impl_;
  {
    std::unique_lock<std::mutex> lock(m.mutex);
    const bool active =
        m.state == TrainerState::Running || m.state == TrainerState::Paused || m.state == TrainerState::Stopping;
    if (active) {
      m.stop_requested = true;
      m.state = TrainerState::Stopping;
      m.cv.notify_all();
      if (m.on_loop_thread()) return;  // called from on_progress: the loop ends after this step
      if (!m.thread.joinable()) {      // run() on another thread
        m.cv.wait(lock, [&] {
          return m.state != TrainerState::Running && m.state != TrainerState::Paused &&
                 m.state != TrainerState::Stopping;
        });
        return;
      }
    }
  }
  if (m.thread.joinable() && !m.on_loop_thread()) m.thread.join();
}

void Trainer::wait() {
  auto& m = *impl_;
  if (m.thread.joinable() && !m.on_loop_thread()) m.thread.join();
}

void Trainer::run(const std::function<void(const TrainerProgress&)>& on_progress) {
  auto& m = *impl_;
  {
    std::lock_guard<std::mutex> lock(m.mutex);
    if (m.thread.joinable() || m.state == TrainerState::Running || m.state == TrainerState::Paused) {
      throw std::logic_error("Trainer::run: training is already running on a background thread");
    }
    if (m.state == TrainerState::Failed) throw std::logic_error("Trainer::run: training failed: " + m.error);
    m.state = TrainerState::Running;
    m.stop_requested = false;
    m.loop_thread_id = std::this_thread::get_id();
  }
  m.loop(on_progress);
  std::lock_guard<std::mutex> lock(m.mutex);
  m.loop_thread_id = std::thread::id();
  if (m.state == TrainerState::Failed) throw std::runtime_error(m.error);
}

TrainerState Trainer::state() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->state;
}

std::string Trainer::error() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->error;
}

int64_t Trainer::step() const { return impl_->step; }
const TrainConfig& Trainer::config() const { return impl_->config; }
std::string Trainer::device_name() const { return impl_->device.str(); }

std::shared_ptr<const TrainingSnapshot> Trainer::latest_snapshot() const {
  std::lock_guard<std::mutex> lock(impl_->snapshot_mutex);
  return impl_->snapshot;
}

std::vector<LossRecord> Trainer::loss_history() const {
  std::lock_guard<std::mutex> lock(impl_->history_mutex);
  return impl_->history;
}

std::vector<CheckpointInfo> Trainer::checkpoints() const { return list_checkpoints(impl_->config.out_dir); }
std::vector<DatasetProblem> Trainer::dataset_problems() const { return impl_->problems; }
std::string Trainer::latest_checkpoint_path() const { return impl_->latest_path(); }

void Trainer::set_batch_hook(std::function<void(int64_t step, Batch& batch)> hook) {
  impl_->batch_hook = std::move(hook);
}

TrainConfig Trainer::config_from_checkpoint(const std::string& path) {
  return TrainConfig::from_json(load_checkpoint(path, nullptr, nullptr).config_json);
}

}  // namespace dibr
