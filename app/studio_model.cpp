#include "app/studio_model.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "app/studio_export.h"
#include "app/thread_priority.h"
#include "trainer/checkpoint.h"
#include "trainer/config_table.h"
#include "trainer/device.h"
#include "trainer/inference.h"
#include "trainer/mesh_export.h"
#include "trainer/metrics_log.h"
#include "trainer/preview_set.h"

namespace fs = std::filesystem;

namespace dibr::studio {
namespace {

std::string now_hms() {
  const std::time_t t = std::time(nullptr);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", std::localtime(&t));
  return buf;
}

}  // namespace

PreviewData predict_checkpoint_preview(const std::string& checkpoint_path, const Dataset& dataset,
                                       const std::vector<std::string>& ids, int count, JobControl& control,
                                       const std::vector<std::string>& extra_ids) {
  control.progress(0, 3);
  InferenceModel model(checkpoint_path, "cpu");
  control.progress(1, 3);
  const Dataset data = dataset.with_classes(model.config().data.classes);
  PreviewSet set = select_preview_set(data, std::max(count, 1), model.config().data.image_size, ids);
  std::vector<std::string> extra;
  for (const auto& id : extra_ids)
    if (std::find(set.ids.begin(), set.ids.end(), id) == set.ids.end()) extra.push_back(id);
  if (!extra.empty()) {
    const PreviewSet more = select_preview_set(data, 1, model.config().data.image_size, extra);
    if (more.count() > 0 && set.count() > 0) {
      set.ids.insert(set.ids.end(), more.ids.begin(), more.ids.end());
      set.objects.insert(set.objects.end(), more.objects.begin(), more.objects.end());
      set.images = torch::cat({set.images, more.images});
      set.masks = torch::cat({set.masks, more.masks});
      set.world_mats = torch::cat({set.world_mats, more.world_mats});
      set.focals = torch::cat({set.focals, more.focals});
      set.gt_points = torch::cat({set.gt_points, more.gt_points});
    } else if (more.count() > 0) {
      set = more;
    }
  }
  if (set.count() == 0) throw std::runtime_error("no preview objects in " + data.describe() + " (val and train are empty)");
  if (control.cancel) throw std::runtime_error("cancelled");
  control.progress(2, 3);
  const InferenceResult r = model.predict(set.images, set.world_mats, set.focals);
  PreviewData p;
  p.from_checkpoint = true;
  p.checkpoint_path = checkpoint_path;
  p.step = model.step();
  p.method = model.method().name;
  p.loss_names = model.method().loss_terms;
  p.preview_ids = set.ids;
  p.images = set.images;
  p.gt_masks = set.masks;
  p.prediction = r.prediction;
  p.silhouettes = r.silhouettes.defined() ? r.silhouettes : torch::zeros_like(set.masks);
  p.renders = r.renders;
  p.gt_points = set.gt_points;
  p.field_slices = model.field_slices(r.prediction, kFieldSliceResolution);
  control.progress(3, 3);
  return p;
}

at::Tensor silhouette_diff_image(const at::Tensor& predicted, const at::Tensor& gt) {
  TORCH_CHECK(predicted.dim() == 2 && predicted.sizes() == gt.sizes(),
              "silhouette_diff_image: predicted and gt must be (S,S) of the same size, got ", predicted.sizes(), " and ",
              gt.sizes());
  const at::Tensor p = predicted.to(torch::kFloat).clamp(0, 1);
  const at::Tensor g = gt.to(p.device(), torch::kFloat).clamp(0, 1);
  return torch::stack({p, g, torch::minimum(p, g)});
}

at::Tensor field_slice_image(const at::Tensor& probability) {
  TORCH_CHECK(probability.dim() == 2, "field_slice_image: probability must be (R,R), got ", probability.sizes());
  const at::Tensor p = probability.to(torch::kFloat).clamp(0, 1);
  // Blue (0) -> white (0.5) -> red (1).
  const at::Tensor below = (2 * p).clamp_max(1), above = (2 - 2 * p).clamp_max(1);
  return torch::stack({below, torch::minimum(below, above), above});
}

StudioModel::StudioModel(StudioOptions options, const std::string& recent_file)
    : options_(std::move(options)), recent_(recent_file) {
  if (!recent_file.empty()) guarded("recent folders", [&] { recent_.load(); });
  config_ = options_.config;
  validate_checkpoints_ = options_.validate_checkpoints;
  // The newcomer's first line says where training will run, before any GL or CUDA detail.
  guarded("training", [&] { info("training on " + describe_device(resolve_device(config_.system.device), config_.system.device)); });
  guarded("run folder", [&] { adopt_run_settings(); });
  class_choice_ = config_.data.classes;
  open_dataset(config_.data.root);
  guarded("run folder", [&] { load_run_history(); });
  if (options_.autostart) start_or_resume_training();
}

// What a run folder already holds is shown at once: its loss curves and its newest checkpoint.
void StudioModel::load_run_history() {
  history_.clear();
  last_losses_.reset();
  follows_ = other_run_writer(out_dir());
  if (follows_) info("run " + out_dir() + " is being trained by " + follows_->describe() + ": following it read-only");
  read_followed_metrics();  // from the top: the follower is new
  rescan_checkpoints();
  if (!checkpoints_.empty()) select_checkpoint(static_cast<int>(checkpoints_.size()) - 1);
  if (!history_.empty() || !checkpoints_.empty())
    info("run " + out_dir() + ": " + std::to_string(history_.size()) + " logged steps, " + std::to_string(checkpoints_.size()) +
         " checkpoint(s)" + (checkpoints_.empty() ? "" : ", showing step " + std::to_string(checkpoints_.back().step)));
}

namespace {

// <dir>/config.json as a config; nullopt when there is none. Throws for one that does not parse.
std::optional<TrainConfig> read_run_config(const std::string& dir) {
  const fs::path file = fs::path(dir) / "config.json";
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  std::ifstream in(file);
  return TrainConfig::from_json(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
}

struct StoredRun {
  TrainConfig config;
  std::string source;  // the file it came from
};

// A run folder's settings: its config.json, else its newest checkpoint's; nullopt when it holds neither.
std::optional<StoredRun> stored_run_settings(const std::string& dir) {
  if (auto stored = read_run_config(dir)) return StoredRun{*stored, (fs::path(dir) / "config.json").string()};
  if (const std::string ckpt = resume_checkpoint(dir); !ckpt.empty())
    return StoredRun{TrainConfig::from_json(load_checkpoint(ckpt, nullptr, nullptr).config_json), ckpt};
  return std::nullopt;
}

// Whether `dataset` is the one a config's data.root names ("" = the built-in sample).
bool is_dataset(const Dataset& dataset, const std::string& root) {
  if (root.empty()) return dataset.builtin_sample;
  std::error_code ec;
  return !dataset.builtin_sample && fs::weakly_canonical(root, ec) == fs::weakly_canonical(dataset.root, ec);
}

std::string dataset_name(const std::string& root) { return root.empty() ? std::string("the built-in sample") : root; }

}  // namespace

void StudioModel::adopt_run_settings() {
  const auto& given = options_.given_keys;
  if (options_.preset_given || std::find(given.begin(), given.end(), "model.method") != given.end()) return;
  const std::string dir = out_dir();
  const std::optional<StoredRun> stored = stored_run_settings(dir);
  if (!stored) return;
  config_ = stored->config;
  config_.run.out_dir = options_.config.run.out_dir;
  reapply_given_fields();
  info("run " + dir + ": its own settings (" + config_.model.method + ", preset " + config_.preset + ") from " +
       stored->source + "; --preset overrides them");
}

void StudioModel::open_run(const std::string& run_dir) {
  guarded("open run", [&] {
    if (training_active()) throw std::runtime_error("stop training before opening another run");
    std::error_code ec;
    if (!fs::is_directory(run_dir, ec)) throw std::runtime_error("'" + run_dir + "' is not a folder");
    const std::string dir = fs::absolute(run_dir, ec).lexically_normal().string();
    const std::optional<StoredRun> stored = stored_run_settings(dir);
    if (!stored)
      throw std::runtime_error("'" + dir + "' holds no run (no config.json, latest.pt or step_N.pt): to train into it, "
                               "set the output folder in the Training panel");
    const std::string source = stored->source;
    config_ = stored->config;
    config_.run.out_dir = dir;
    class_choice_ = config_.data.classes;
    live_ = PreviewData{};
    checkpoint_preview_ = PreviewData{};
    go_live();
    run_started_ = false;
    load_run_history();
    info("opened run " + dir + " (settings from " + source + ")");
    const std::string wanted = config_.data.root;
    if (!dataset_ || !is_dataset(*dataset_, wanted)) {
      info("the run was trained on " + dataset_name(wanted) + ": opening it");
      open_dataset(wanted);
    }
  });
}

std::string StudioModel::dataset_mismatch() const {
  if (!dataset_ || resume_checkpoint(out_dir()).empty()) return "";
  std::optional<TrainConfig> stored;
  try {
    stored = read_run_config(out_dir());
  } catch (const std::exception&) {
    return "";  // an unreadable config.json is the trainer's to report
  }
  if (!stored || is_dataset(*dataset_, stored->data.root)) return "";
  return out_dir() + " holds a run trained on " + dataset_name(stored->data.root) + ", but " + dataset_->describe() +
         " is open: open that dataset (File > Open run folder... does it), or choose another output folder";
}

StudioModel::~StudioModel() { shutdown(); }

void StudioModel::shutdown() {
  run_.stop();
  run_.wait();
  dataset_job_.cancel_and_join();
  deep_job_.cancel_and_join();
  checkpoint_job_.cancel_and_join();
  validation_job_.cancel_and_join();
  eval_job_.cancel_and_join();
  chamfer_job_.cancel_and_join();
  compare_job_.cancel_and_join();
  gallery_.cancel_and_join();
}

void StudioModel::info(const std::string& text) {
  messages_.push_back({false, text, now_hms()});
  std::printf("dibr-studio: %s\n", text.c_str());
  std::fflush(stdout);
}

void StudioModel::error(const std::string& text) {
  messages_.push_back({true, text, now_hms()});
  for (const char* action : kPanelActions) {
    const size_t n = std::strlen(action);
    if (text.compare(0, n, action) == 0 && text.size() > n && (text[n] == ':' || text[n] == ' ')) {
      panel_errors_[action] = text;
      break;
    }
  }
  std::fprintf(stderr, "dibr-studio: error: %s\n", text.c_str());
}

std::string StudioModel::panel_error(const std::string& action) const {
  const auto it = panel_errors_.find(action);
  return it == panel_errors_.end() ? std::string() : it->second;
}

size_t StudioModel::error_count() const {
  size_t n = 0;
  for (const auto& m : messages_) n += m.error;
  return n;
}

// ---- dataset --------------------------------------------------------------------------------------

void StudioModel::open_dataset(const std::string& root) {
  if (dataset_job_.running()) {
    error("a dataset is still being checked; try again when it is done");
    return;
  }
  std::error_code ec;
  if (!root.empty() && !fs::is_directory(root, ec)) {
    data_root_input_ = root;
    error("dataset: '" + root + "' is not a folder");
    return;
  }
  // The dataset in use stays until the new one has passed the check.
  deep_job_.cancel_and_join();
  checking_root_ = root.empty() ? std::string() : fs::absolute(root, ec).lexically_normal().string();
  if (checking_root_.size() > 1 && checking_root_.back() == '/') checking_root_.pop_back();
  data_root_input_ = checking_root_;
  dataset_job_.start([root = checking_root_](JobControl& control) {
    DatasetOpenOptions o;
    o.progress = [&control](int d, int t) { control.progress(d, t); };
    return dibr::open_dataset(root, o);
  });
}

void StudioModel::on_drop(const std::vector<std::string>& paths) {
  std::vector<std::string> folders, images;
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) folders.push_back(path);
    else if (is_user_image_file(path)) images.push_back(path);
    else
      error("dropped '" + path + "' is neither a folder (a dataset) nor an image (" + kUserImageExtensions +
            "): drop a dataset folder, or images to reconstruct");
  }
  if (!folders.empty()) {
    info("dropped a folder: opening '" + folders.front() + "' as a dataset (drop image files to reconstruct them)");
    if (folders.size() > 1) error("only the first dropped folder is opened as the dataset");
    open_dataset(folders.front());
  }
  if (!images.empty()) open_images(images);
}

// ---- users' images --------------------------------------------------------------------------------

void StudioModel::open_images(const std::vector<std::string>& paths) {
  if (paths.empty()) return;
  std::vector<std::string> kept;
  for (const auto& path : paths) {
    if (is_user_image_file(path)) kept.push_back(path);
    else error("'" + path + "' is not an image (" + kUserImageExtensions + ")");
  }
  if (kept.empty()) return;
  gallery_.add(kept);
  view_image_ = true;
  poll_gallery();
  const GalleryModel& m = gallery_.model();
  const std::string what = kept.size() == 1 ? "'" + fs::path(kept.front()).filename().string() + "'"
                                            : std::to_string(kept.size()) + " images";
  if (m.checkpoint.empty()) info("dropped " + what + ": they wait for a model (" + m.why_none + ")");
  else info("dropped " + what + ": reconstructing with step " + std::to_string(m.step) + " (" + m.checkpoint + ")");
}

void StudioModel::select_image(int index) {
  gallery_.select(index);
  view_image_ = true;
}

void StudioModel::remove_image(int index) { gallery_.remove(index); }

void StudioModel::clear_images() {
  gallery_.clear();
  view_image_ = false;
}

void StudioModel::set_image_threshold(double threshold) { gallery_.set_threshold(threshold); }

const GalleryImage* StudioModel::shown_image() const {
  const GalleryImage* image = gallery_.selected_image();
  return image && image->done && image->result.error.empty() && image->result.prediction.count() > 0 ? image : nullptr;
}

// The model on show: the scrubbed checkpoint, else (live) the run's newest checkpoint.
void StudioModel::poll_gallery() {
  GalleryModel m;
  if (show_checkpoint_ && checkpoint_index_ >= 0 && checkpoint_index_ < static_cast<int>(checkpoints_.size())) {
    m.checkpoint = checkpoints_[checkpoint_index_].path;
    m.step = checkpoints_[checkpoint_index_].step;
  } else if (!checkpoints_.empty()) {
    const auto newest = std::max_element(checkpoints_.begin(), checkpoints_.end(),
                                         [](const CheckpointInfo& a, const CheckpointInfo& b) { return a.step < b.step; });
    m.checkpoint = newest->path;
    m.step = newest->step;
  } else {
    m.why_none = "no checkpoint in " + out_dir() + " yet: train until the first one is written (every " +
                 std::to_string(config_.run.checkpoint_every) + " steps), or choose a run folder that has one";
  }
  gallery_.set_model(m, dataset_);
  gallery_.poll([this](bool is_error, const std::string& text) { is_error ? error(text) : info(text); });
}

std::vector<ClassCounts> StudioModel::class_counts() const {
  std::vector<ClassCounts> counts;
  if (!dataset_) return counts;
  for (const auto& c : dataset_->classes) counts.push_back({c});
  auto add = [&](const DatasetIndex& index, int ClassCounts::*field) {
    for (const auto& o : index.objects)
      for (auto& c : counts)
        if (c.class_id == o.class_id) ++(c.*field);
  };
  add(dataset_->train, &ClassCounts::train);
  add(dataset_->val, &ClassCounts::val);
  add(dataset_->test, &ClassCounts::test);
  return counts;
}

void StudioModel::set_class_enabled(const std::string& class_id, bool enabled) {
  if (!dataset_ || training_active()) return;
  if (class_choice_.empty()) class_choice_ = dataset_->classes;
  if (enabled) class_choice_.push_back(class_id);
  else class_choice_.erase(std::remove(class_choice_.begin(), class_choice_.end(), class_id), class_choice_.end());
  std::sort(class_choice_.begin(), class_choice_.end());
  class_choice_.erase(std::unique(class_choice_.begin(), class_choice_.end()), class_choice_.end());
  if (class_choice_.size() == dataset_->classes.size()) class_choice_.clear();  // all = no filter
}

void StudioModel::poll_dataset() {
  if (auto r = dataset_job_.take_result()) {
    dataset_ = std::move(*r);
    dismiss_error("dataset");
    info("dataset " + dataset_->root + ": " + std::to_string(dataset_->classes.size()) + " classes" +
         (dataset_->problems.empty() ? "" : ", " + std::to_string(dataset_->problems.size()) + " problem(s)"));
    if (!dataset_->builtin_sample && !recent_.file().empty()) guarded("recent folders", [&] { recent_.add(dataset_->root); });
    // Ticked classes that this dataset lacks are dropped; none left means all.
    std::vector<std::string> kept;
    for (const auto& c : dataset_->classes)
      if (std::find(class_choice_.begin(), class_choice_.end(), c) != class_choice_.end()) kept.push_back(c);
    class_choice_ = kept.size() == dataset_->classes.size() ? std::vector<std::string>{} : kept;
    if (std::exchange(start_when_dataset_ready_, false)) start_or_resume_training();
    deep_checked_ = false;
    deep_job_.start([root = dataset_->builtin_sample ? std::string() : dataset_->root](JobControl& control) {
      DatasetOpenOptions o;
      o.deep_check = true;
      o.check_progress = [&control](const std::string&, int d, int t) {
        control.progress(d, t);
        if (control.cancel) throw std::runtime_error("deep check cancelled");
      };
      return dibr::open_dataset(root, o);
    });
  }
  if (auto r = deep_job_.take_result()) {
    // Only for the dataset still in use; the shallow one stays what a running trainer reads (its loader replaces
    // broken objects itself).
    if (dataset_ && (*r)->root == dataset_->root) {
      const size_t extra = (*r)->problems.size() > dataset_->problems.size() ? (*r)->problems.size() - dataset_->problems.size() : 0;
      dataset_ = std::move(*r);
      deep_checked_ = true;
      if (extra > 0)
        error("dataset " + dataset_->root + ": the deep check found " + std::to_string(extra) +
              " more problem(s) (see the Dataset panel); training replaces those objects");
      else
        info("dataset " + dataset_->root + ": deep check done, every file decodes");
    }
  }
  if (auto e = deep_job_.take_error(); !e.empty() && e != "deep check cancelled") error("deep check: " + e);
  if (auto e = dataset_job_.take_error(); !e.empty()) {
    const std::string kept = !dataset_ ? std::string("no dataset is open") : "still using " + dataset_->describe();
    error(e + " (" + kept + ")");
    data_root_input_ = dataset_ && !dataset_->builtin_sample ? dataset_->root : std::string();
    if (std::exchange(start_when_dataset_ready_, false)) error("training not started: the dataset check failed");
  }
}

// ---- config ---------------------------------------------------------------------------------------

void StudioModel::reapply_given_fields() {
  for (const auto& key : options_.given_keys) {
    const FieldSpec* f = find_field(key);
    if (f) set_field_text(*f, config_, field_text(*f, options_.config));
  }
}

// Values edited in the panel survive through with_preset; flags survive even when they equal a preset's.
void StudioModel::apply_preset(const std::string& preset) {
  guarded("preset", [&] {
    config_ = config_.with_preset(preset);
    reapply_given_fields();
  });
}

int StudioModel::preview_count() const {
  const auto& given = options_.given_keys;
  if (preview_count_chosen_ || std::find(given.begin(), given.end(), "run.preview_count") != given.end() || !dataset_)
    return config_.run.preview_count;
  const size_t classes = class_choice_.empty() ? dataset_->classes.size() : class_choice_.size();
  return std::max(config_.run.preview_count, std::min(static_cast<int>(classes), kMostAutomaticPreviews));
}

std::optional<ViewData> StudioModel::input_view(int object) const {
  const PreviewData& p = shown_preview();
  if (!dataset_ || object < 0 || object >= p.count()) return std::nullopt;
  const std::string& id = p.preview_ids[static_cast<size_t>(object)];
  const NmrObject* o = dataset_->find(id);
  if (!o) return std::nullopt;
  return load_view(*o, 0, p.images.defined() ? static_cast<int>(p.images.size(-1)) : 0);
}

std::string StudioModel::set_field(const std::string& key, const std::string& text) {
  const FieldSpec* f = find_field(key);
  if (!f) {
    error("no setting named '" + key + "'");
    return "unknown setting";
  }
  if (training_active()) return "cannot change settings while training";
  try {
    TrainConfig next = config_;
    set_field_text(*f, next, text);
    config_ = next;
    if (f->key() == "data.classes") class_choice_ = config_.data.classes;
    if (f->key() == "run.preview_count") preview_count_chosen_ = true;
    return "";
  } catch (const std::invalid_argument& e) {
    error(e.what());
    return e.what();
  }
}

// ---- training -------------------------------------------------------------------------------------

void StudioModel::start_or_resume_training() {
  guarded("training", [&] {
    if (run_.state() == RunState::Paused) {
      run_.resume();
      info("training resumed");
      return;
    }
    if (run_.active()) return;
    if (const auto writer = other_run_writer(out_dir()))
      throw std::runtime_error("this run folder is being trained by " + writer->describe() +
                               ": the studio follows it read-only (curves, checkpoints, previews); to train here too, "
                               "choose another output folder");
    if (dataset_job_.running()) {
      start_when_dataset_ready_ = true;
      info("training starts when the dataset check is done");
      return;
    }
    if (!dataset_) throw std::runtime_error("no dataset is open: open a dataset folder or the built-in sample first");
    if (!dataset_->usable()) throw std::runtime_error(dataset_->describe() + " has no training objects");
    if (const std::string why = dataset_mismatch(); !why.empty()) throw std::runtime_error(why);
    TrainConfig config = config_;
    config.data.classes = class_choice_;
    config.run.preview_count = preview_count();
    config.data.root = dataset_->builtin_sample ? std::string() : dataset_->root;
    validate(config);
    fs::create_directories(config.run.out_dir);
    const bool resume = !resume_checkpoint(config.run.out_dir).empty();
    history_.clear();
    last_losses_.reset();
    steps_per_second_ = 0;
    run_.set_thread_start_callback([this, nice = options_.training_nice] {
      training_thread_nice_.store(lower_this_thread_priority(nice));
    });
    run_.start(config, dataset_, resume);
    run_started_ = true;
    dismiss_error("training");
    go_live();  // the run's first snapshot comes at once
    failure_reported_ = false;
    info(std::string(resume ? "resuming training from " : "starting training in ") + config.run.out_dir);
  });
}

void StudioModel::toggle_pause() {
  if (run_.state() == RunState::Running) {
    run_.pause(/*wait=*/false);
    info("training paused");
  } else if (run_.state() == RunState::Paused) {
    run_.resume();
    info("training resumed");
  }
}

void StudioModel::stop_training() {
  if (!run_.active() || run_.state() == RunState::Stopping) return;
  run_.stop();
  info("stopping training (writing latest.pt)");
}

void StudioModel::poll_run() {
  if (!run_started_) return;
  if (follows_ && !run_.active()) return;  // the curves are the followed run's now
  const RunState state = run_.state();
  auto fresh = run_.loss_history_since(history_.size());
  if (!fresh.empty() && !history_.empty() && fresh.front().step <= history_.back().step) history_.clear();
  if (history_.empty() && !fresh.empty()) loss_names_ = run_.loss_names();
  history_.insert(history_.end(), fresh.begin(), fresh.end());
  if (!fresh.empty()) update_steps_per_second();
  if (!history_.empty()) last_losses_ = history_.back().losses;
  if (auto snap = run_.latest_snapshot(); snap && snap->step != live_.step) live_ = *snap;
  if (state == RunState::Failed && !failure_reported_) {
    failure_reported_ = true;
    error("training failed: " + run_.error());
  }
  if (state != seen_state_) {
    if (state == RunState::Stopped) info("stopped at step " + std::to_string(run_.step()) + ", latest.pt written");
    if (state == RunState::Finished) info("finished at step " + std::to_string(run_.step()) + ", latest.pt written");
    seen_state_ = state;
  }
}

// ---- following a run another process writes ----

// The rows appended to the run folder's metrics.csv since the last call (all of them for a new folder).
void StudioModel::read_followed_metrics() {
  const std::string path = (fs::path(out_dir()) / "metrics.csv").string();
  if (!metrics_follower_ || metrics_follower_->path() != path) {
    metrics_follower_ = std::make_unique<MetricsFollower>(path);
    history_.clear();
  }
  bool restarted = false;
  auto rows = metrics_follower_->read_new(&restarted);
  if (restarted) history_.clear();
  if (rows.empty()) return;
  if (!metrics_follower_->names().empty()) loss_names_ = metrics_follower_->names();
  history_.insert(history_.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
  last_losses_ = history_.back().losses;
  update_steps_per_second();
}

// it/s over the last ~20 logged steps (the snapshot's rate is only as fresh as the snapshot).
void StudioModel::update_steps_per_second() {
  if (history_.size() < 2) return;
  const LossRecord& last = history_.back();
  const LossRecord& first = history_[history_.size() - std::min<size_t>(history_.size(), 21)];
  if (last.seconds > first.seconds) steps_per_second_ = (last.step - first.step) / (last.seconds - first.seconds);
}

void StudioModel::poll_followed_run() {
  if (run_.active()) return;  // this studio writes the folder itself
  const auto now = std::chrono::steady_clock::now();
  if (now - last_follow_check_ < std::chrono::milliseconds(500)) return;
  last_follow_check_ = now;
  const bool was_following = follows_.has_value();
  follows_ = other_run_writer(out_dir());
  if (!follows_ && !was_following) return;
  if (follows_ && !was_following) {
    info("run " + out_dir() + " is being trained by " + follows_->describe() + ": following it read-only");
    metrics_follower_.reset();  // read it again from the top: this studio may have written rows of its own
  }
  read_followed_metrics();  // also the last rows once the writer is done
  rescan_checkpoints();  // a followed run's new checkpoint reaches the views there
  if (!follows_) info("the followed run has ended (" + std::to_string(history_.size()) + " logged steps)");
}

// ---- checkpoints ----------------------------------------------------------------------------------

void StudioModel::rescan_checkpoints() {
  last_checkpoint_scan_ = std::chrono::steady_clock::now();
  const bool had = checkpoint_index_ >= 0 && checkpoint_index_ < static_cast<int>(checkpoints_.size());
  const std::string current = had ? checkpoints_[checkpoint_index_].path : std::string();
  const int64_t current_step = had ? checkpoints_[checkpoint_index_].step : -1;
  // Following another process's run with the newest row selected (or none), a new checkpoint is selected: whichever
  // rescan (the periodic one, the follower's, a validation's) sees it first.
  const size_t rows_before = checkpoints_.size();
  const bool follow_newest = follows_ && !run_.active() && (checkpoint_index_ < 0 || checkpoint_index_ + 1 == static_cast<int>(rows_before));
  std::vector<CheckpointInfo> listed;
  try {
    listed = list_checkpoints(out_dir());
  } catch (const std::exception&) {
  }
  // One row per step: latest.pt is dropped when a step_N.pt holds the same step (it is that file's copy).
  std::stable_sort(listed.begin(), listed.end(), [](const CheckpointInfo& a, const CheckpointInfo& b) { return a.step < b.step; });
  checkpoints_.clear();
  int latest_row = -1;
  for (auto& c : listed) {
    const bool is_latest = fs::path(c.path).filename() == "latest.pt";
    if (!checkpoints_.empty() && checkpoints_.back().step == c.step) {
      if (!is_latest) checkpoints_.back() = std::move(c);
      if (is_latest) latest_row = static_cast<int>(checkpoints_.size()) - 1;
      continue;
    }
    checkpoints_.push_back(std::move(c));
    if (is_latest) latest_row = static_cast<int>(checkpoints_.size()) - 1;
  }
  validation_.assign(checkpoints_.size(), std::nullopt);
  for (size_t i = 0; i < checkpoints_.size(); ++i) {
    const std::string key = checkpoints_[i].path + "@" + std::to_string(checkpoints_[i].step);
    auto cached = validation_cache_.find(key);
    if (cached == validation_cache_.end())
      if (auto stored = load_validation(checkpoints_[i])) cached = validation_cache_.emplace(key, std::move(*stored)).first;
    if (cached != validation_cache_.end()) validation_[i] = cached->second;
  }
  // The selection follows its file (latest.pt: the row that now holds its step), else the newest row at or before
  // its step.
  checkpoint_index_ = -1;
  if (!current.empty() && fs::path(current).filename() == "latest.pt") checkpoint_index_ = latest_row;
  for (size_t i = 0; i < checkpoints_.size() && checkpoint_index_ < 0 && !current.empty(); ++i)
    if (checkpoints_[i].path == current) checkpoint_index_ = static_cast<int>(i);
  if (checkpoint_index_ < 0 && had && !checkpoints_.empty()) {
    checkpoint_index_ = 0;
    for (size_t i = 0; i < checkpoints_.size(); ++i)
      if (checkpoints_[i].step <= current_step) checkpoint_index_ = static_cast<int>(i);
  }
  if (follow_newest && checkpoints_.size() > rows_before) select_checkpoint(static_cast<int>(checkpoints_.size()) - 1);
  // The views never lag the selection: a shown step that the selected row no longer holds is loaded again.
  // (Not one that failed to load at that step: its error is shown once.)
  if (show_checkpoint_ && checkpoint_index_ >= 0 && pending_checkpoint_.empty() && !checkpoint_job_.running() &&
      checkpoint_preview_.step >= 0 && checkpoint_preview_.step != checkpoints_[checkpoint_index_].step) {
    const CheckpointInfo& row = checkpoints_[checkpoint_index_];
    if (row.path + "@" + std::to_string(row.step) != failed_checkpoint_) pending_checkpoint_ = row.path;
  }
}

void StudioModel::select_checkpoint(int index) {
  if (checkpoints_.empty()) return;
  index = std::clamp(index, 0, static_cast<int>(checkpoints_.size()) - 1);
  checkpoint_index_ = index;
  show_checkpoint_ = true;
  pending_checkpoint_ = checkpoints_[index].path;
}

void StudioModel::step_checkpoint(int delta) {
  if (checkpoints_.empty()) {
    error("no checkpoint in " + out_dir() + " yet");
    return;
  }
  select_checkpoint(checkpoint_index_ < 0 ? static_cast<int>(checkpoints_.size()) - 1 : checkpoint_index_ + delta);
}

// Ctrl+K: the newest checkpoint (not the one last scrubbed to), or back to live.
void StudioModel::toggle_checkpoint_view() {
  if (show_checkpoint_) {
    go_live();
    return;
  }
  rescan_checkpoints();
  if (checkpoints_.empty()) {
    error("no checkpoint in " + out_dir() + " yet");
    return;
  }
  select_checkpoint(static_cast<int>(checkpoints_.size()) - 1);
}

void StudioModel::go_live() {
  show_checkpoint_ = false;
  pending_checkpoint_.clear();
}

void StudioModel::set_field_slice_axis(int axis) {
  if (axis < 0 || axis > 2) throw std::invalid_argument("field slice axis must be 0 (x), 1 (y) or 2 (z), got " + std::to_string(axis));
  field_slice_axis_ = axis;
}

void StudioModel::show_object(const std::string& id) {
  guarded("object", [&] {
    if (!dataset_) throw std::runtime_error("no dataset is open");
    if (!dataset_->find(id)) throw std::runtime_error("no object '" + id + "' in " + dataset_->describe() + " (expected <class>/<id>)");
    const auto& shown = shown_preview().preview_ids;
    if (const auto it = std::find(shown.begin(), shown.end(), id); it != shown.end()) {
      select_object(static_cast<int>(it - shown.begin()));
      dismiss_error("object");
      return;
    }
    const bool same_checkpoint = show_checkpoint_ && !checkpoint_preview_.checkpoint_path.empty();
    if (!same_checkpoint) {
      rescan_checkpoints();
      if (checkpoints_.empty())
        throw std::runtime_error(id + " is not a preview object, and other objects are shown from a checkpoint: no checkpoint in " +
                                 out_dir() + " yet");
    }
    if (std::find(extra_objects_.begin(), extra_objects_.end(), id) == extra_objects_.end()) extra_objects_.push_back(id);
    select_when_loaded_ = id;
    if (same_checkpoint) pending_checkpoint_ = checkpoint_preview_.checkpoint_path;  // reloaded with the object added
    else select_checkpoint(static_cast<int>(checkpoints_.size()) - 1);
    dismiss_error("object");
    info("showing " + id + " from " + (pending_checkpoint_.empty() ? std::string("the checkpoint") : pending_checkpoint_));
  });
}

void StudioModel::select_object(int index) {
  selected_object_ = std::clamp(index, 0, std::max(shown_preview().count() - 1, 0));
  view_image_ = false;
}

void StudioModel::poll_checkpoints() {
  if (std::chrono::steady_clock::now() - last_checkpoint_scan_ > std::chrono::seconds(1)) rescan_checkpoints();
  // Latest request wins: a scrub while a checkpoint loads is queued, intermediate ones are dropped.
  // A dataset being opened comes first: the preview shows the objects of the dataset that will be in use.
  if (!pending_checkpoint_.empty() && !checkpoint_job_.running() && !dataset_job_.running()) {
    const std::string path = std::exchange(pending_checkpoint_, std::string());
    int64_t listed_step = -1;
    for (const auto& c : checkpoints_)
      if (c.path == path) listed_step = c.step;
    // Loaded already unless the file now holds another step (latest.pt is rewritten in place).
    const bool holds_extras = std::all_of(extra_objects_.begin(), extra_objects_.end(), [&](const std::string& id) {
      return std::find(checkpoint_preview_.preview_ids.begin(), checkpoint_preview_.preview_ids.end(), id) !=
             checkpoint_preview_.preview_ids.end();
    });
    if (!(checkpoint_preview_.checkpoint_path == path && checkpoint_preview_.step >= 0 && checkpoint_preview_.step == listed_step &&
          holds_extras)) {
      if (!dataset_) {
        error("checkpoint: no dataset is open to preview it on");
      } else {
        loading_checkpoint_ = path + "@" + std::to_string(listed_step);
        checkpoint_job_.start([path, dataset = dataset_, ids = live_.preview_ids, count = preview_count(),
                               extra = extra_objects_](JobControl& c) {
          return predict_checkpoint_preview(path, *dataset, ids, count, c, extra);
        });
      }
    }
  }
  if (auto r = checkpoint_job_.take_result()) {
    checkpoint_preview_ = std::move(*r);
    dismiss_error("checkpoint");
    if (!select_when_loaded_.empty()) {
      const auto& ids = checkpoint_preview_.preview_ids;
      const auto it = std::find(ids.begin(), ids.end(), select_when_loaded_);
      if (it != ids.end() && show_checkpoint_) {
        selected_object_ = static_cast<int>(it - ids.begin());
        view_image_ = false;
      }
      select_when_loaded_.clear();
    }
  }
  if (auto e = checkpoint_job_.take_error(); !e.empty()) {
    failed_checkpoint_ = loading_checkpoint_;
    error("checkpoint: " + e);
  }
}

// ---- validation -----------------------------------------------------------------------------------

const std::optional<ValidationScore>& StudioModel::validation(int row) const {
  static const std::optional<ValidationScore> none;
  return row >= 0 && row < static_cast<int>(validation_.size()) ? validation_[row] : none;
}

int StudioModel::best_checkpoint() const { return best_validation(validation_); }

void StudioModel::set_validate_checkpoints(bool on) {
  validate_checkpoints_ = on;
  if (!on && validation_job_.running()) validation_job_.cancel();
}

void StudioModel::poll_validation() {
  if (!validating_.empty() && !validation_job_.running()) {
    const std::string key = std::exchange(validating_, std::string());
    const int64_t step = std::exchange(validating_step_, -1);
    const bool cancelled = validation_job_.cancel_requested();
    if (auto score = validation_job_.take_result()) {
      if (!cancelled) {
        try {
          save_validation(*score);
        } catch (const std::exception& e) {
          error("validation of step " + std::to_string(score->step) + ": " + error_text(e) + " (the score is shown but not stored)");
        }
        validation_cache_[score->checkpoint + "@" + std::to_string(score->step)] = *score;
        dismiss_error("validation");
        rescan_checkpoints();
      }
    } else if (const std::string e = validation_job_.take_error(); !e.empty()) {
      failed_validation_.insert(key);
      error("validation of step " + std::to_string(step) + ": " + e);
    }
  }
  if (!validate_checkpoints_ || validation_job_.running() || !dataset_ || dataset_job_.running()) return;
  if (dataset_->val.objects.empty()) {
    if (!checkpoints_.empty() && !std::exchange(no_val_reported_, true))
      info("checkpoints are not validated: " + dataset_->describe() + " has no val objects (softras_val.lst)");
    return;
  }
  for (int i = static_cast<int>(checkpoints_.size()) - 1; i >= 0; --i) {
    const CheckpointInfo& row = checkpoints_[i];
    const std::string key = row.path + "@" + std::to_string(row.step);
    if (validation_[i] || failed_validation_.count(key)) continue;
    validating_ = key;
    validating_step_ = row.step;
    ValidationOptions options;  // the defaults `dibr validate` uses, so both share the stored scores
    options.dataset = dataset_;
    validation_job_.start([path = row.path, options](JobControl& control) mutable {
      options.cancel = &control.cancel;
      options.progress = [&control](int done, int total) { control.progress(done, total); };
      return validate_checkpoint(path, options);
    });
    return;
  }
}

// ---- exports --------------------------------------------------------------------------------------

void StudioModel::set_mesh_format(const std::string& extension) {
  if (extension != ".obj" && extension != ".ply")
    throw std::invalid_argument("mesh export format must be .obj or .ply, got '" + extension + "'");
  mesh_format_ = extension;
}

std::optional<StudioModel::ExportSubject> StudioModel::export_subject() const {
  if (viewing_image()) {
    const GalleryImage& image = *shown_image();
    return ExportSubject{file_safe(image.name) + "_step" + std::to_string(image.model_step), image.result.prediction.kind};
  }
  const PreviewData& p = shown_preview();
  if (p.count() == 0 || p.prediction.count() == 0) return std::nullopt;
  const int index = std::clamp(selected_object_, 0, p.count() - 1);
  return ExportSubject{file_safe(p.preview_ids[index]) + (p.from_checkpoint ? "_checkpoint" : "_live") + "_step" + std::to_string(p.step),
                       p.prediction.kind};
}

void StudioModel::export_shown() {
  guarded("export", [&] {
    const std::optional<ExportSubject> subject = export_subject();
    if (!subject) throw std::runtime_error("there is no prediction to export yet");
    ExportOptions options;
    options.ply = ply_encoding_;
    options.normals = export_normals_;
    const Prediction* prediction = nullptr;
    int64_t index = 0;
    if (viewing_image()) {
      const GalleryImage& image = *shown_image();
      prediction = &image.result.prediction;
      options.provenance = {image.model_key.substr(0, image.model_key.rfind('@')), image.model_step, config_.model.method,
                            "the picture " + image.path};
    } else {
      const PreviewData& p = shown_preview();
      index = std::clamp(selected_object_, 0, p.count() - 1);
      prediction = &p.prediction;
      options.provenance = {p.from_checkpoint ? p.checkpoint_path : "live training in " + out_dir(), p.step, p.method,
                            p.preview_ids[index] + " (" + dataset_name(config_.data.root) + "), view 0 as input"};
    }
    const std::string mesh_ext = export_extension(prediction->kind, mesh_format_.c_str());
    std::string path = export_path_.empty() ? (fs::path(out_dir()) / "exports" / (subject->automatic_name + mesh_ext)).string()
                                            : with_export_extension(export_path_, prediction->kind, mesh_format_);
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent);
    path = unique_path(path);
    export_prediction(*prediction, index, path, options);
    last_export_ = path;
    dismiss_error("export");
    info("wrote " + path + (viewing_image() ? " (reconstructed from " + shown_image()->path + ")" : std::string()));
  });
}

void StudioModel::start_batch_export() {
  if (eval_job_.running()) return;
  guarded("batch export", [&] {
    rescan_checkpoints();
    if (checkpoints_.empty()) throw std::runtime_error("no checkpoint in " + out_dir() + " yet");
    if (!dataset_) throw std::runtime_error("no dataset is open");
    const CheckpointInfo& ckpt = show_checkpoint_ && checkpoint_index_ >= 0 ? checkpoints_[checkpoint_index_] : checkpoints_.back();
    EvalOptions o;
    o.checkpoint = ckpt.path;
    o.dataset = dataset_;
    o.classes = class_choice_;
    o.split = "test";
    o.ply = ply_encoding_;
    eval_out_ = unique_path((fs::path(out_dir()) / ("eval_step" + std::to_string(ckpt.step))).string());
    o.out_dir = eval_out_;
    eval_job_.start([o](JobControl& control) mutable {
      o.progress = [&control](int done, int total) { control.progress(done, total); };
      o.cancel = &control.cancel;
      return run_eval(o);
    });
    info("batch export of the test split with step " + std::to_string(ckpt.step) + " into " + eval_out_);
  });
}

void StudioModel::cancel_batch_export() { eval_job_.cancel(); }

void StudioModel::start_chamfer_report() {
  if (chamfer_job_.running()) return;
  guarded("chamfer report", [&] {
    std::error_code ec;
    if (chamfer_pred_dir_.empty() || !fs::is_directory(chamfer_pred_dir_, ec))
      throw std::runtime_error("'" + chamfer_pred_dir_ + "' is not a folder of predictions (run a batch export first)");
    if (!dataset_) throw std::runtime_error("no dataset is open");
    ChamferReportOptions o;
    o.predictions_dir = chamfer_pred_dir_;
    o.dataset = dataset_;
    o.split = "test";
    chamfer_report_.reset();
    chamfer_job_.start([o](JobControl& control) mutable {
      o.progress = [&control](int done, int total) { control.progress(done, total); };
      o.cancel = &control.cancel;
      return run_chamfer_report(o);
    });
  });
}

void StudioModel::cancel_chamfer_report() { chamfer_job_.cancel(); }

void StudioModel::add_compare_run(const std::string& run_dir) {
  guarded("compare", [&] {
    if (resume_checkpoint(run_dir).empty())
      throw std::runtime_error("'" + run_dir + "' holds no readable checkpoint (choose a run folder)");
    for (const auto& r : compare_runs_)
      if (std::error_code same_ec; fs::equivalent(r, run_dir, same_ec)) return;
    compare_runs_.push_back(run_dir);
    info("compare: added " + run_label(run_method(run_dir), run_dir));
  });
}

void StudioModel::remove_compare_run(size_t index) {
  if (index < compare_runs_.size()) compare_runs_.erase(compare_runs_.begin() + static_cast<std::ptrdiff_t>(index));
}

void StudioModel::start_compare() {
  if (compare_job_.running()) return;
  guarded("compare", [&] {
    if (!dataset_) throw std::runtime_error("no dataset is open");
    CompareOptions o;
    std::error_code ec;
    const bool own_run = !resume_checkpoint(out_dir()).empty();
    if (own_run) o.runs.push_back(out_dir());
    for (const auto& r : compare_runs_)
      if (!own_run || !fs::equivalent(r, out_dir(), ec)) o.runs.push_back(r);
    if (o.runs.size() < 2)
      throw std::runtime_error("add at least " + std::string(own_run ? "one other run" : "two runs") +
                               " to compare (Add run...)");
    o.dataset = dataset_;
    if (dataset_->builtin_sample) o.voxels_dir = dataset_->root;  // the sample writes its own voxel files
    o.out_dir = unique_prefix((fs::path(out_dir()) / "compare").string(), {""});
    compare_dir_ = o.out_dir;
    compare_report_.reset();
    compare_stage_ = std::make_shared<std::string>("starting");
    const int stages = static_cast<int>(o.runs.size()) * 4 + 1;
    compare_job_.start([o, stages, text = compare_stage_, mutex = compare_stage_mutex_, ids = shown_preview().preview_ids,
                        count = preview_count()](JobControl& control) mutable {
      int stage = 0;
      o.stage = [&, text, mutex](const std::string& what) {
        control.progress(stage++, stages);
        std::lock_guard<std::mutex> lock(*mutex);
        *text = what;
      };
      o.cancel = &control.cancel;
      CompareResult result{run_compare(o), {}};
      for (const auto& run : result.report.runs) {
        if (control.cancel) break;
        o.stage(run.label + ": predictions for the preview objects");
        JobControl scratch;
        result.previews.push_back(predict_checkpoint_preview(run.checkpoint, *o.dataset, ids, count, scratch));
      }
      return result;
    });
    info("compare: " + std::to_string(o.runs.size()) + " runs on the test split into " + o.out_dir);
  });
}

void StudioModel::cancel_compare() { compare_job_.cancel(); }

void StudioModel::set_compare_view(int run) {
  compare_view_ = run >= 0 && run < static_cast<int>(compare_previews_.size()) ? run : -1;
}

const PreviewData& StudioModel::viewport_preview() const {
  if (compare_view_ >= 0 && compare_view_ < static_cast<int>(compare_previews_.size()) &&
      compare_previews_[compare_view_].preview_ids == shown_preview().preview_ids)
    return compare_previews_[compare_view_];
  return shown_preview();
}

void StudioModel::poll_exports() {
  if (auto r = eval_job_.take_result()) {
    dismiss_error("batch export");
    info("batch export: " + std::to_string(r->written) + "/" + std::to_string(r->total) + " objects written to " + eval_out_ +
         (r->cancelled ? " (cancelled)" : ""));
    for (const auto& p : r->problems) error("batch export: " + p);
    chamfer_pred_dir_ = eval_out_;
    exported_pictures_.clear();
    std::error_code ec;
    for (fs::recursive_directory_iterator it(eval_out_, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path& f = it->path();
      const std::string stem = f.stem().string();
      if (f.extension() != ".png" || stem.size() < 3 || stem.compare(stem.size() - 2, 2, "_0") != 0) continue;
      exported_pictures_.push_back({f.parent_path().filename().string() + "/" + stem.substr(0, stem.size() - 2), f.string()});
    }
    std::sort(exported_pictures_.begin(), exported_pictures_.end(),
              [](const ExportedPicture& a, const ExportedPicture& b) { return a.id < b.id; });
  }
  if (auto e = eval_job_.take_error(); !e.empty()) error("batch export: " + e);
  if (auto r = chamfer_job_.take_result()) {
    dismiss_error("chamfer report");
    chamfer_report_ = std::move(*r);
    guarded("chamfer report", [&] {
      chamfer_saved_prefix_ = unique_prefix((fs::path(chamfer_pred_dir_) / "chamfer").string(), {".md", ".csv", ".json"});
      chamfer_report_->save(chamfer_saved_prefix_);
      info("chamfer report saved as " + chamfer_saved_prefix_ + ".csv/.json/.md");
    });
    for (const auto& p : chamfer_report_->problems) error("chamfer: " + p);
  }
  if (auto e = chamfer_job_.take_error(); !e.empty()) error("chamfer report: " + e);
  if (compare_stage_) {
    std::lock_guard<std::mutex> lock(*compare_stage_mutex_);
    compare_stage_text_ = *compare_stage_;
  }
  if (auto r = compare_job_.take_result()) {
    dismiss_error("compare");
    compare_report_ = std::move(r->report);
    compare_previews_ = std::move(r->previews);
    compare_view_ = -1;
    info("compare: report written to " + compare_dir_ + " (compare.md, .csv, .json, compare_grid.png)");
    for (const auto& p : compare_report_->problems) error("compare: " + p);
  }
  if (auto e = compare_job_.take_error(); !e.empty()) error("compare: " + e);
}

// ---- polling and state ----------------------------------------------------------------------------

void StudioModel::poll() {
  guarded("dataset", [&] { poll_dataset(); });
  guarded("training", [&] { poll_run(); });
  guarded("checkpoints", [&] { poll_checkpoints(); });
  guarded("validation", [&] { poll_validation(); });
  guarded("followed run", [&] { poll_followed_run(); });
  guarded("export", [&] { poll_exports(); });
  guarded("images", [&] { poll_gallery(); });
  selected_object_ = std::clamp(selected_object_, 0, std::max(shown_preview().count() - 1, 0));
}

std::string StudioModel::window_title() const {
  std::string title = "DIB-R Studio - ";
  if (run_started_) title += std::string(to_string(run_.state())) + " step " + std::to_string(run_.step());
  else title += "idle";
  return title + " - view: " + shown_preview().label();
}

std::string StudioModel::redraw_signature() const {
  auto progress = [](float f) { return std::to_string(static_cast<int>(f * 1000)); };
  return state_json().dump() + "|" + progress(dataset_job_.progress()) + "|" + progress(deep_job_.progress()) + "|" +
         progress(eval_job_.progress()) + "|" + progress(chamfer_job_.progress()) + "|" + progress(compare_job_.progress()) + "|" + progress(validation_job_.progress()) + "|" + compare_stage_text_ + "|" + progress(gallery_.progress()) + "|" +
         std::to_string(live_.step) + "|" + std::to_string(checkpoint_preview_.step) + "|" + checkpoint_preview_.checkpoint_path +
         "|" + std::to_string(checkpoint_loading()) + "|" + std::to_string(static_cast<int>(steps_per_second_ * 100));
}

nlohmann::json StudioModel::validation_json() const {
  nlohmann::json rows = nlohmann::json::array();
  for (size_t i = 0; i < validation_.size(); ++i) {
    const auto& v = validation_[i];
    rows.push_back({{"step", checkpoints_[i].step},
                    {"iou", v && v->silhouette_iou >= 0 ? nlohmann::json(v->silhouette_iou) : nlohmann::json(nullptr)},
                    {"chamfer_x100", v && v->chamfer >= 0 ? nlohmann::json(100 * v->chamfer) : nlohmann::json(nullptr)}});
  }
  const int best = best_checkpoint();
  return {{"enabled", validate_checkpoints_},
          {"running_step", validating_.empty() ? nlohmann::json(nullptr) : nlohmann::json(validating_step_)},
          {"best_step", best < 0 ? nlohmann::json(nullptr) : nlohmann::json(checkpoints_[best].step)},
          {"rows", rows}};
}

nlohmann::json StudioModel::state_json() const {
  nlohmann::json dataset = nullptr;
  if (dataset_) {
    dataset = {{"root", dataset_->root},
               {"builtin_sample", dataset_->builtin_sample},
               {"classes", dataset_->classes.size()},
               {"splits", {{"train", dataset_->train.objects.size()}, {"val", dataset_->val.objects.size()}, {"test", dataset_->test.objects.size()}}},
               {"usable", dataset_->usable()},
               {"problems", dataset_->problems.size()},
               {"deep_checked", deep_checked_}};
  }
  nlohmann::json compare = {{"runs", compare_runs_}, {"running", compare_job_.running()}, {"report", nullptr}};
  if (compare_report_) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : compare_report_->runs)
      rows.push_back({{"label", r.label}, {"method", r.method}, {"chamfer_x100", r.reference.mean_of_class_means * 100},
                      {"voxel_iou", r.reference.mean_voxel_iou}, {"points", r.points},
                      {"matched_x100", r.matched.mean_of_class_means * 100}});
    compare["report"] = {{"dir", compare_dir_}, {"runs", rows}, {"matched_points", compare_report_->matched_points}};
    compare["previews"] = compare_previews_.size();
    compare["view"] = compare_view_;
  }
  nlohmann::json chamfer = nullptr;
  if (chamfer_report_) chamfer = {{"saved_as", chamfer_saved_prefix_}, {"mean_x100", chamfer_report_->mean_of_class_means * 100}};
  return {{"title", window_title()},
          {"dataset", dataset},
          {"dataset_checking", dataset_job_.running() ? nlohmann::json(checking_root_) : nlohmann::json(nullptr)},
          {"config", nlohmann::json::parse(config_.to_json())},
          {"run", {{"state", to_string(run_.state())}, {"step", run_.step()}, {"loss_rows", history_.size()},
                   {"following", follows_ ? nlohmann::json(follows_->describe()) : nlohmann::json(nullptr)}}},
          {"jobs", {{"batch_export", eval_job_.running()}, {"chamfer_report", chamfer_job_.running()}, {"checkpoint", checkpoint_job_.running()},
                    {"compare", compare_job_.running()}}},
          {"checkpoints", checkpoints_.size()},
          {"validation", validation_json()},
          {"showing", shown_preview().label()},
          {"predictions_dir", chamfer_pred_dir_},
          {"exported_pictures", exported_pictures_.size()},
          {"export_path", export_path_},
          {"ply_encoding", to_string(ply_encoding_)},
          {"prediction_kind", to_string(shown_preview().prediction.kind)},
          {"selected_object", selected_object_},
          {"selected_id", selected_object_ >= 0 && selected_object_ < shown_preview().count() ? shown_preview().preview_ids[selected_object_] : std::string()},
          {"last_export", last_export_},
          {"field_slices", shown_preview().field_slices.defined()},
          {"field_slice_axis", field_slice_axis_},
          {"view_subject", viewing_image() ? "image" : "preview"},
          {"images", gallery_.state_json()},
          {"chamfer_report", chamfer},
          {"compare", compare},
          {"messages", messages_.size()},
          {"errors", error_count()},
          {"last_message", messages_.empty() ? std::string() : messages_.back().text}};
}

}  // namespace dibr::studio
