#include "trainer/trainer.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "trainer/checkpoint.h"
#include "trainer/device.h"
#include "trainer/distributed/gradient_sync.h"
#include "trainer/exr_io.h"
#include "trainer/preview_set.h"
#include "trainer/step_profile.h"

namespace dibr {
namespace fs = std::filesystem;

namespace {

std::string format_terms(const MethodInfo& method, const LossTerms& t) {
  std::ostringstream s;
  s << "total=" << t.total;
  for (size_t i = 0; i < method.loss_terms.size(); ++i) s << ", " << method.loss_terms[i] << "=" << t.term(i);
  return s.str();
}

}  // namespace

struct Trainer::Impl {
  TrainConfig config;
  const MethodInfo* method_info = nullptr;
  c10::Device device{c10::kCPU};
  Dataset dataset;
  std::unique_ptr<BatchLoader> loader;
  std::unique_ptr<Method> method;
  std::unique_ptr<torch::optim::Adam> optimizer;
  PreviewSet preview;
  at::Tensor preview_images, preview_masks, preview_mats, preview_focals;  // on the device
  std::function<void(int64_t, Batch&)> batch_hook;
  int64_t step = 0;
  bool resumed = false;
  LossTerms last_losses;
  Communicator* group = nullptr;
  std::unique_ptr<GradientSync> sync;
  uint64_t seed = 0;  // this rank's
  bool stop_voted = false, group_stopping = false;
  std::vector<DatasetProblem> notes;  // said once about the data (e.g. DVR without visual-hull depth)

  std::string latest_path() const { return (fs::path(config.run.out_dir) / "latest.pt").string(); }
};

namespace {

// Object i of the split goes to rank i mod world: every rank sees the same index (same data, same order), so the
// shards are disjoint and cover it.
DatasetIndex shard_of(const DatasetIndex& index, int rank, int world) {
  DatasetIndex shard = index;
  shard.objects.clear();
  for (size_t i = static_cast<size_t>(rank); i < index.objects.size(); i += static_cast<size_t>(world))
    shard.objects.push_back(index.objects[i]);
  return shard;
}

// DVR falls back to occupancy points drawn in the unit cube where an object has no visual_hull_depth folder (or
// this build cannot read EXR): said once, as a problem of the run's data.
void note_missing_visual_hull(const DatasetIndex& train, std::vector<DatasetProblem>& notes) {
  int64_t missing = 0;
  std::string first;
  for (const auto& o : train.objects)
    if (!has_visual_hull_depth(o)) {
      if (first.empty()) first = o.path;
      ++missing;
    }
  if (!exr_supported()) {
    notes.push_back({train.objects.empty() ? std::string() : train.objects.front().path,
                     "this build cannot read EXR (libopenexr-dev): DVR's occupancy points are drawn uniformly in the "
                     "unit cube instead of at the visual-hull depth"});
  } else if (missing > 0) {
    notes.push_back({first, std::to_string(missing) + " of " + std::to_string(train.objects.size()) +
                                " training objects have no visual_hull_depth/*.exr: for them DVR's occupancy points "
                                "are drawn uniformly in the unit cube"});
  }
}

}  // namespace

namespace {

// Why a checkpoint of the same method does not load into this run, and what to do: usually another preset.
std::string resume_advice(const CheckpointMeta& checkpoint, const TrainConfig& run) {
  std::string preset;
  try {
    preset = TrainConfig::from_json(checkpoint.config_json).preset;
  } catch (const std::exception&) {
  }
  if (!preset.empty() && preset != run.preset)
    return " (this folder holds a " + preset + "-preset checkpoint at step " + std::to_string(checkpoint.step) +
           " and this run uses the " + run.preset + " preset: choose another --out folder, or --preset " + preset + ")";
  return " (the checkpoint was trained with other network settings: choose another --out folder)";
}

}  // namespace

Trainer::Trainer(TrainConfig config, std::shared_ptr<const Dataset> dataset, bool resume, Communicator* group)
    : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  validate(config);
  if (!dataset) throw std::invalid_argument("Trainer: no dataset given");
  m.config = std::move(config);
  m.method_info = &find_method(m.config.model.method);
  m.device = resolve_device(m.config.system.device);
  if (m.config.system.num_threads > 0) at::set_num_threads(m.config.system.num_threads);
  m.dataset = dataset->with_classes(m.config.data.classes);
  if (m.dataset.train.objects.empty())
    throw std::runtime_error("no usable training objects in " + m.dataset.describe() + " (" +
                             std::to_string(m.dataset.train.problems.size()) + " problems in the train split)");

  m.group = group && group->world_size() > 1 ? group : nullptr;
  const int rank = m.group ? m.group->rank() : 0, world = m.group ? m.group->world_size() : 1;
  m.seed = rank_seed(m.config.system.seed, rank);
  const DatasetIndex train_shard = m.group ? shard_of(m.dataset.train, rank, world) : m.dataset.train;
  if (train_shard.objects.empty())
    throw std::runtime_error("rank " + std::to_string(rank) + " of " + std::to_string(world) + " has no training "
                             "object: " + std::to_string(m.dataset.train.objects.size()) + " objects cannot be shared "
                             "among " + std::to_string(world) + " ranks (use fewer processes)");

  LoaderOptions options;
  options.batch_objects = m.config.data.batch_objects;
  options.views_per_object = m.config.data.views_per_object;
  options.image_size = m.config.data.image_size;
  options.workers = m.config.system.loader_workers;
  options.seed = m.seed;
  options.pin_memory = m.device.is_cuda();
  // Without EXR support the maps cannot be read even where they exist: the method samples the cube, as it says.
  const bool wants_hull = m.method_info->loads_visual_hull && m.method_info->loads_visual_hull(m.config);
  options.visual_hull_depth = wants_hull && exr_supported();
  if (wants_hull) note_missing_visual_hull(train_shard, m.notes);
  m.loader = std::make_unique<BatchLoader>(train_shard, options);
  m.preview = select_preview_set(m.dataset, rank == 0 ? m.config.run.preview_count : 0, m.config.data.image_size);
  if (m.preview.count() > 0) {
    m.preview_images = m.preview.images.to(m.device);
    m.preview_masks = m.preview.masks.to(m.device);
    m.preview_mats = m.preview.world_mats.to(m.device);
    m.preview_focals = m.preview.focals.to(m.device);
  }

  torch::manual_seed(m.config.system.seed);  // reproducible initialisation
  m.method = m.method_info->create(m.config);
  m.method->to(m.device);
  m.method->network().train();
  m.optimizer = m.method->make_optimizer(m.config.optim.learning_rate);

  const std::string from = resume ? resume_checkpoint(m.config.run.out_dir) : std::string();
  if (!from.empty()) {
    const CheckpointMeta probe = load_checkpoint(from, nullptr, nullptr);
    if (probe.method != m.config.model.method)
      throw std::runtime_error("cannot resume from " + from + ": it holds a '" + probe.method +
                               "' network and this run trains '" + m.config.model.method +
                               "' (choose another --out folder or --method " + probe.method + ")");
    CheckpointMeta meta;
    try {
      meta = load_checkpoint(from, &m.method->network(), m.optimizer.get(), m.device);
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string(e.what()) + resume_advice(probe, m.config));
    }
    m.step = meta.step;
    m.last_losses.total = meta.loss;
    restore_rng_state(meta);
    m.loader->reset(m.seed, meta.batches_drawn);
    m.resumed = true;
  }
  if (m.group) {
    // Every rank must continue from the same step: a folder that only some nodes see would fork the run.
    m.sync = std::make_unique<GradientSync>(*m.group, m.method->network());
    const auto agreed = m.sync->sum({1.0, static_cast<double>(m.step)});
    if (agreed[1] != static_cast<double>(m.step) * world)
      throw std::runtime_error("the ranks do not resume from the same step (rank " + std::to_string(rank) + " is at " +
                               std::to_string(m.step) + "; mean " + std::to_string(agreed[1] / world) + "): every "
                               "node must see the same run folder " + m.config.run.out_dir);
    m.sync->broadcast_parameters_and_buffers();
  }
}

Trainer::~Trainer() = default;

LossRecord Trainer::train_step() {
  auto& m = *impl_;
  Batch batch = in_phase(Phase::Data, [&] {
    Batch b = m.loader->next();
    if (m.batch_hook) m.batch_hook(m.step, b);
    const bool non_blocking = m.device.is_cuda();
    b.images = b.images.to(m.device, non_blocking);
    b.masks = b.masks.to(m.device, non_blocking);
    b.world_mats = b.world_mats.to(m.device, non_blocking);
    b.focals = b.focals.to(m.device, non_blocking);
    return b;
  });

  if (m.group) {
    // The step's randomness depends on (rank, step) alone, so a resumed run replays the uninterrupted one.
    torch::manual_seed(step_seed(m.seed, m.step));
    in_phase(Phase::Sync, [&] { m.sync->broadcast_buffers(); });
  }
  const double lr = learning_rate_at(m.config.optim, m.step);
  in_phase(Phase::Optimizer, [&] {
    for (auto& group : m.optimizer->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    m.optimizer->zero_grad();
  });
  m.method->begin_step(m.step, lr);
  const Prediction prediction = m.method->predict(batch.images);
  const StepLosses losses = in_phase(Phase::Losses, [&] { return m.method->step_losses(prediction, batch); });
  LossRecord record;
  record.step = m.step + 1;
  record.lr = lr;
  in_phase(Phase::Logging, [&] {
    // One device-to-host copy for the total and every term (a single synchronisation on a GPU).
    const auto as_double = [&](const at::Tensor& t) {
      return t.defined() ? t.detach().reshape({1}).to(torch::kFloat64)
                         : torch::zeros({1}, losses.total.options().dtype(torch::kFloat64));
    };
    std::vector<at::Tensor> values{as_double(losses.total)};
    for (const auto& t : losses.terms) values.push_back(as_double(t));
    const at::Tensor host = torch::cat(values).cpu();
    const double* v = host.data_ptr<double>();
    record.losses.total = v[0];
    for (size_t i = 0; i < losses.terms.size(); ++i) record.losses.terms.push_back(v[i + 1]);
  });
  if (m.group) {
    // The logged losses are the means over ranks (a NaN on any rank stops every rank at this step), and a stop
    // vote rides along.
    std::vector<double> values{record.losses.total};
    values.insert(values.end(), record.losses.terms.begin(), record.losses.terms.end());
    values.push_back(m.stop_voted ? 1.0 : 0.0);
    values = in_phase(Phase::Sync, [&] { return m.sync->sum(values); });
    const double world = m.group->world_size();
    record.losses.total = values[0] / world;
    for (size_t i = 0; i < record.losses.terms.size(); ++i) record.losses.terms[i] = values[i + 1] / world;
    m.group_stopping = values.back() > 0;
  } else {
    m.group_stopping = m.stop_voted;
  }
  if (!std::isfinite(record.losses.total)) {
    const bool have_checkpoint = fs::exists(m.latest_path());
    throw NonFiniteLoss(std::string("loss became ") + (std::isnan(record.losses.total) ? "NaN" : "Inf") + " at step " +
                        std::to_string(m.step + 1) + " (" + format_terms(*m.method_info, record.losses) + "); " +
                        (have_checkpoint ? "the last good checkpoint is " + m.latest_path()
                                         : std::string("no checkpoint was written before it")));
  }
  in_phase(Phase::Backward, [&] { losses.total.backward(); });
  if (m.group) in_phase(Phase::Sync, [&] { m.sync->average_gradients(); });
  in_phase(Phase::Optimizer, [&] { m.optimizer->step(); });
  ++m.step;
  if (m.group) m.group->announce_step(m.step);
  m.last_losses = record.losses;
  return record;
}

void Trainer::save(const std::string& path) const {
  const auto& m = *impl_;
  // A loss can be finite while the step that follows it overflows the weights: never keep those.
  for (const auto& p : m.method->network().parameters()) {
    if (!torch::isfinite(p).all().item<bool>())
      throw NonFiniteLoss("the weights became NaN or Inf by step " + std::to_string(m.step) + "; " + path +
                          " was not written (lower the learning rate)" +
                          (fs::exists(m.latest_path()) ? "; the last good checkpoint is " + m.latest_path() : std::string()));
  }
  CheckpointMeta meta;
  meta.step = m.step;
  meta.loss = m.last_losses.total;
  meta.batches_drawn = m.step;
  meta.config_json = m.config.to_json();
  meta.method = m.config.model.method;
  meta.world_size = m.group ? m.group->world_size() : 1;
  capture_rng_state(meta);
  save_checkpoint(path, m.method->network(), m.optimizer.get(), meta);
}

std::shared_ptr<TrainingSnapshot> Trainer::snapshot() {
  auto& m = *impl_;
  if (m.preview.count() == 0) return nullptr;
  auto snap = std::make_shared<TrainingSnapshot>();
  {
    torch::NoGradGuard no_grad;
    m.method->network().eval();
    snap->prediction = m.method->predict(m.preview_images);
    m.method->extract_meshes(snap->prediction, MeshDetail::Preview);
    snap->field_slices = m.method->field_slices(snap->prediction, kFieldSliceResolution);
    if (snap->field_slices.defined()) snap->field_slices = snap->field_slices.to(torch::kCPU);
    const RenderedViews views =
        m.method->render(snap->prediction, m.preview_mats, m.preview_focals, m.config.data.image_size);
    m.method->network().train();
    snap->silhouettes = views.silhouettes;
    snap->renders = views.images;
  }
  snap->step = m.step;
  snap->method = m.config.model.method;
  snap->loss_names = m.method_info->loss_terms;
  snap->losses = m.last_losses;
  snap->preview_ids = m.preview.ids;
  snap->images = m.preview_images;
  snap->gt_masks = m.preview_masks;
  snap->gt_points = m.preview.gt_points;
  return snap;
}

void Trainer::vote_stop() { impl_->stop_voted = true; }
bool Trainer::group_stopping() const { return impl_->group_stopping; }

int64_t Trainer::step() const { return impl_->step; }
bool Trainer::resumed() const { return impl_->resumed; }
const TrainConfig& Trainer::config() const { return impl_->config; }
const MethodInfo& Trainer::method() const { return *impl_->method_info; }
const c10::Device& Trainer::device() const { return impl_->device; }
const Dataset& Trainer::dataset() const { return impl_->dataset; }
torch::nn::Module& Trainer::network() { return impl_->method->network(); }
std::string Trainer::latest_checkpoint_path() const { return impl_->latest_path(); }

std::vector<DatasetProblem> Trainer::dataset_problems() const {
  std::vector<DatasetProblem> all = impl_->dataset.train.problems;
  all.insert(all.end(), impl_->dataset.val.problems.begin(), impl_->dataset.val.problems.end());
  all.insert(all.end(), impl_->preview.problems.begin(), impl_->preview.problems.end());
  const auto broken = broken_objects();
  all.insert(all.end(), broken.begin(), broken.end());
  all.insert(all.end(), impl_->notes.begin(), impl_->notes.end());
  return all;
}

std::vector<DatasetProblem> Trainer::broken_objects() const { return impl_->loader->broken_objects(); }

void Trainer::set_batch_hook(std::function<void(int64_t step, Batch& batch)> hook) { impl_->batch_hook = std::move(hook); }

TrainConfig Trainer::config_from_checkpoint(const std::string& path) {
  return TrainConfig::from_json(load_checkpoint(path, nullptr, nullptr).config_json);
}

}  // namespace dibr
