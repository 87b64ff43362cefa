#pragma once
// The studio without a window: all its state, its actions and the polling of its background jobs (dataset check,
// training run, checkpoint preview, batch export, chamfer report). No ImGui, GLFW or GL: the panels
// (app/panels.h) draw it and call its actions, and tests/app/test_studio_model.cpp drives it with no display.
// Everything here runs on the UI thread; the jobs and the run work on their own threads and are polled by poll().
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/image_gallery.h"
#include "app/recent_folders.h"
#include "app/studio_job.h"
#include "app/studio_options.h"
#include "trainer/chamfer_report.h"
#include "trainer/checkpoint_validation.h"
#include "trainer/compare_report.h"
#include "trainer/config.h"
#include "trainer/dataset.h"
#include "trainer/eval.h"
#include "trainer/metrics_log.h"
#include "trainer/run_writer.h"
#include "trainer/training_run.h"
#include "trainer/training_types.h"
#include "trainer/error_text.h"

namespace dibr::studio {

struct Message {
  bool error = false;
  std::string text;
  std::string time;  // HH:MM:SS
};

// Objects per split and per class of the open dataset (the Dataset panel's table).
struct ClassCounts {
  std::string class_id;
  int train = 0, val = 0, test = 0;
};

// What the silhouette and 3D views show: the live training snapshot or a checkpoint's predictions on the same
// preview set (preview_set.h).
using PreviewData = TrainingSnapshot;

// Predicts the preview set with a checkpoint on its own InferenceModel (CPU). ids: the objects to show (the live
// set's, so both views agree); empty: select_preview_set's choice.
// A comparison (dibr compare) and each compared run's predictions on the preview objects shown when it started.
struct CompareResult {
  CompareReport report;
  std::vector<PreviewData> previews;  // one per report run, in its order
};

// extra_ids: objects of any split predicted after the preview ones (StudioModel::show_object).
PreviewData predict_checkpoint_preview(const std::string& checkpoint_path, const Dataset& dataset,
                                       const std::vector<std::string>& ids, int count, JobControl& control,
                                       const std::vector<std::string>& extra_ids = {});

class StudioModel {
 public:
  // recent_file: the recent-folders list ("" = none kept). Opens options.config.data.root (the built-in sample
  // when empty) and starts training when options.autostart.
  StudioModel(StudioOptions options, const std::string& recent_file);
  ~StudioModel();
  StudioModel(const StudioModel&) = delete;
  StudioModel& operator=(const StudioModel&) = delete;

  // Once per frame: takes finished jobs' results, follows the run, rescans checkpoints every second.
  void poll();
  // Stops training (latest.pt is written) and waits for every worker.
  void shutdown();

  // ---- actions (menus, buttons, shortcuts and tests all go through these) ----
  void open_dataset(const std::string& root);  // "" = the built-in sample
  // A run folder (dibr train's or the studio's): its settings (config.json, else its newest checkpoint's), its loss
  // curves (metrics.csv) and its checkpoints (the newest is shown); its dataset is opened when another is in use.
  // Start then resumes it. Refused while training.
  void open_run(const std::string& run_dir);
  // Dropped folders open as a dataset, dropped images are reconstructed (open_images); anything else is refused.
  void on_drop(const std::vector<std::string>& paths);
  // Reconstructs users' pictures with the model on show and shows the first in the 3D view.
  void open_images(const std::vector<std::string>& paths);
  void select_image(int index);  // also puts it in the 3D view
  void remove_image(int index);
  void clear_images();
  void set_image_threshold(double threshold);
  void set_class_enabled(const std::string& class_id, bool enabled);
  void apply_preset(const std::string& preset);
  // Sets a config field from text; a bad value is refused with its name and bounds (returned and logged).
  std::string set_field(const std::string& key, const std::string& text);
  void start_or_resume_training();
  void toggle_pause();
  void stop_training();
  void select_checkpoint(int index);
  void step_checkpoint(int delta);
  void toggle_checkpoint_view();
  void go_live();
  void select_object(int index);
  // Shows any object of the dataset ("<class>/<id>", e.g. a val or test object, or a chamfer table row): selected
  // when it is a preview object, else predicted with the checkpoint on show (the latest one from the live view)
  // beside the preview objects, and selected once that prediction is in. An unknown id, or no checkpoint yet, is
  // an error message.
  void show_object(const std::string& id);
  const std::vector<std::string>& extra_objects() const { return extra_objects_; }  // also puts the preview object back in the 3D view
  // The 3D view's prediction (a preview object's or an image's; OBJ or PLY) to export_path() or an automatic name.
  void export_shown();
  // What export_shown() would write now: the prediction's kind and the file name it takes when no path is typed
  // (<object>_<live|checkpoint>_step<N>, without extension); nullopt when the 3D view has no prediction. The save
  // dialog starts from it.
  struct ExportSubject {
    std::string automatic_name;
    PredictionKind kind = PredictionKind::Mesh;
  };
  std::optional<ExportSubject> export_subject() const;
  void start_batch_export();
  void cancel_batch_export();
  void start_chamfer_report();
  void cancel_chamfer_report();
  // Side by side (dibr compare): the run on show and other run folders, any methods, on the open dataset's test
  // split (with the built-in sample's voxel IoU). A folder without a readable checkpoint is refused.
  void add_compare_run(const std::string& run_dir);
  void remove_compare_run(size_t index);
  void start_compare();
  void cancel_compare();
  // Which compared run the 3D view shows for the selected object: -1 the run on show, else an index into
  // compare_previews().
  void set_compare_view(int run);
  void request_screenshot() { screenshot_requested_ = true; }
  bool take_screenshot_request() { return std::exchange(screenshot_requested_, false); }
  void clear_messages() { messages_.clear(); }
  void rescan_checkpoints();

  // ---- state ----
  const StudioOptions& options() const { return options_; }
  const TrainConfig& config() const { return config_; }
  const std::shared_ptr<const Dataset>& dataset() const { return dataset_; }
  std::vector<ClassCounts> class_counts() const;
  bool dataset_checking() const { return dataset_job_.running(); }
  // After a dataset opens, every file is decoded in the background (what training will read); the dataset then
  // lists those problems too. False until that check is done.
  bool dataset_deep_checked() const { return deep_checked_; }
  bool dataset_deep_checking() const { return deep_job_.running(); }
  float dataset_deep_progress() const { return deep_job_.progress(); }
  const std::string& checking_root() const { return checking_root_; }
  float dataset_progress() const { return dataset_job_.progress(); }
  const std::vector<std::string>& class_choice() const { return class_choice_; }  // empty = all
  // How many preview objects training and the checkpoint view show: one per class in use (at most
  // kMostAutomaticPreviews; select_preview_set takes the classes in turn), unless --preview-count or the panel set
  // run.preview_count, or the setting asks for more.
  int preview_count() const;
  // View 0 of preview object `object` of the shown preview, as the dataset holds it: the picture the prediction was
  // made from and its camera (the 3D view's input camera). Empty when there is no such object or dataset.
  std::optional<ViewData> input_view(int object) const;
  static constexpr int kMostAutomaticPreviews = 13;
  const RecentFolders& recent() const { return recent_; }

  const TrainingRun& run() const { return run_; }
  RunState run_state() const { return run_.state(); }
  bool training_active() const { return run_.active(); }
  bool run_started() const { return run_started_; }
  double steps_per_second() const { return steps_per_second_; }
  // The nice value the current (or last) training thread took (StudioOptions::training_nice); -1 before a run.
  int training_thread_nice() const { return training_thread_nice_.load(); }
  const std::optional<LossTerms>& last_losses() const { return last_losses_; }
  const std::vector<LossRecord>& loss_history() const { return history_; }
  const std::vector<std::string>& loss_names() const { return loss_names_; }
  // The process that trains the run folder on show, when it is not this studio (the studio then follows it).
  const std::optional<RunWriter>& followed_writer() const { return follows_; }

  const PreviewData& shown_preview() const { return show_checkpoint_ ? checkpoint_preview_ : live_; }
  bool showing_checkpoint() const { return show_checkpoint_; }
  bool checkpoint_loading() const { return checkpoint_job_.running() || !pending_checkpoint_.empty(); }
  int selected_object() const { return selected_object_; }
  // Which plane of an implicit field the Silhouettes panel shows: 0 (x = 0), 1 (y = 0) or 2 (z = 0).
  int field_slice_axis() const { return field_slice_axis_; }
  void set_field_slice_axis(int axis);
  const ImageGallery& gallery() const { return gallery_; }
  // The 3D view shows the selected gallery image (when it has a prediction) instead of a preview object.
  bool viewing_image() const { return view_image_ && shown_image() != nullptr; }
  const GalleryImage* shown_image() const;
  const std::vector<CheckpointInfo>& checkpoints() const { return checkpoints_; }
  int checkpoint_index() const { return checkpoint_index_; }
  std::string out_dir() const { return config_.run.out_dir; }
  // The validation score of checkpoint row `row` (checkpoint_validation.h): scored in the background on the open
  // dataset as checkpoints appear (the newest first) and stored beside them; nullopt while not scored.
  const std::optional<ValidationScore>& validation(int row) const;
  int best_checkpoint() const;  // the row best_validation picks, -1 when none is scored
  bool validating() const { return validation_job_.running(); }
  float validation_progress() const { return validation_job_.progress(); }
  int64_t validating_step() const { return validating_step_; }  // -1 when none
  bool validate_checkpoints() const { return validate_checkpoints_; }
  void set_validate_checkpoints(bool on);

  const Job<EvalSummary>& batch_export_job() const { return eval_job_; }
  // The last batch export's pictures (<out>/<class>/<id>_0.png: input | prediction), by object id, sorted; a
  // click on one in the Export panel shows that object (show_object).
  struct ExportedPicture {
    std::string id, path;
  };
  const std::vector<ExportedPicture>& exported_pictures() const { return exported_pictures_; }
  const Job<ChamferReport>& chamfer_job() const { return chamfer_job_; }
  const std::optional<ChamferReport>& chamfer_report() const { return chamfer_report_; }
  const std::string& chamfer_saved_prefix() const { return chamfer_saved_prefix_; }
  const std::vector<std::string>& compare_runs() const { return compare_runs_; }
  const Job<CompareResult>& compare_job() const { return compare_job_; }
  const std::vector<PreviewData>& compare_previews() const { return compare_previews_; }
  int compare_view() const { return compare_view_; }
  // What the 3D view draws for a preview object: the chosen compared run's predictions, or shown_preview().
  const PreviewData& viewport_preview() const;
  const std::optional<CompareReport>& compare_report() const { return compare_report_; }
  const std::string& compare_dir() const { return compare_dir_; }  // the last report's folder (compare_grid.png)
  const std::string& compare_stage() const { return compare_stage_text_; }

  const std::vector<Message>& messages() const { return messages_; }
  size_t error_count() const;
  std::string window_title() const;
  // The model's part of the --ui-map state (the window adds its view and frame figures).
  nlohmann::json state_json() const;
  nlohmann::json validation_json() const;  // state_json()'s "validation"
  // Changes whenever anything a panel draws changes (state, progress, snapshots): the window redraws on a change.
  std::string redraw_signature() const;

  // Text fields the panels edit in place.
  std::string& data_root_input() { return data_root_input_; }
  std::string& export_path() { return export_path_; }
  // The encoding of exported point clouds (the 3D view's and batch exports): binary (default) or ASCII PLY.
  PlyEncoding ply_encoding() const { return ply_encoding_; }
  void set_ply_encoding(PlyEncoding encoding) { ply_encoding_ = encoding; }
  // How the 3D view's mesh is exported when the typed path has no extension (and the automatic name): ".obj" or
  // ".ply" (point clouds are always PLY), and whether vertex normals are written.
  const std::string& mesh_format() const { return mesh_format_; }
  void set_mesh_format(const std::string& extension);  // ".obj" or ".ply"; throws std::invalid_argument otherwise
  bool export_normals() const { return export_normals_; }
  void set_export_normals(bool on) { export_normals_ = on; }
  const std::string& last_export() const { return last_export_; }  // the file the last export wrote
  std::string& predictions_dir() { return chamfer_pred_dir_; }
  const std::string& predictions_dir() const { return chamfer_pred_dir_; }

  void info(const std::string& text);
  void error(const std::string& text);
  // The latest error of an action, for the panel of that action (shown there, wrapped, next to what failed): the
  // action is what the message names first ("export: ...", "batch export: ...", "validation of step 4: ..."; see
  // kPanelActions). Empty once dismissed or once the action has since succeeded.
  std::string panel_error(const std::string& action) const;
  void dismiss_error(const std::string& action) { panel_errors_.erase(action); }

 private:
  template <typename F>
  void guarded(const char* what, F&& action) {
    try {
      action();
    } catch (const std::exception& e) {
      error(std::string(what) + ": " + error_text(e));
    }
  }
  void poll_dataset();
  void poll_run();
  void poll_checkpoints();
  void poll_validation();
  void poll_followed_run();
  void read_followed_metrics();
  void update_steps_per_second();
  void poll_exports();
  void poll_gallery();
  void reapply_given_fields();
  // At start-up, a run already in the output folder keeps its own settings (config.json, else its newest
  // checkpoint's), as `dibr train --resume` does, unless --preset or --method was given; flags still apply.
  void adopt_run_settings();
  void load_run_history();
  // Why training in out_dir() on the dataset in use would continue a run of another dataset ("" = it would not).
  std::string dataset_mismatch() const;

  StudioOptions options_;

  std::string checking_root_;
  bool start_when_dataset_ready_ = false;
  std::string data_root_input_;
  Job<std::shared_ptr<const Dataset>> dataset_job_;
  Job<std::shared_ptr<const Dataset>> deep_job_;
  bool deep_checked_ = false;
  std::shared_ptr<const Dataset> dataset_;
  RecentFolders recent_;

  TrainConfig config_;
  std::vector<std::string> class_choice_;
  bool preview_count_chosen_ = false;  // run.preview_count set in the panel
  std::vector<ExportedPicture> exported_pictures_;
  std::vector<std::string> extra_objects_;  // shown beside the preview objects in the checkpoint view (show_object)
  std::string select_when_loaded_;          // show_object's id, selected when the checkpoint preview holds it
  TrainingRun run_;
  bool run_started_ = false;
  std::vector<LossRecord> history_;
  std::vector<std::string> loss_names_;
  // Following a run that another process writes (dibr train, a distributed run, another studio): its metrics.csv
  // rows as they are appended, its checkpoints as they appear; Start is refused meanwhile.
  std::optional<RunWriter> follows_;
  std::unique_ptr<MetricsFollower> metrics_follower_;
  std::chrono::steady_clock::time_point last_follow_check_{};
  double steps_per_second_ = 0;
  std::atomic<int> training_thread_nice_{-1};
  std::optional<LossTerms> last_losses_;
  bool failure_reported_ = false;
  RunState seen_state_ = RunState::Idle;

  PreviewData live_, checkpoint_preview_;
  bool show_checkpoint_ = false;
  int selected_object_ = 0;

  std::vector<CheckpointInfo> checkpoints_;
  std::chrono::steady_clock::time_point last_checkpoint_scan_{};
  int checkpoint_index_ = -1;
  std::string pending_checkpoint_;
  std::string loading_checkpoint_, failed_checkpoint_;  // path@step of the checkpoint job's file, and of the last that failed
  Job<PreviewData> checkpoint_job_;

  std::vector<std::optional<ValidationScore>> validation_;  // per checkpoints_ row
  std::map<std::string, ValidationScore> validation_cache_;  // path@step -> its score
  Job<ValidationScore> validation_job_;
  std::string validating_;                  // path@step being scored
  int64_t validating_step_ = -1;
  std::set<std::string> failed_validation_;  // path@step that failed once: not retried
  bool validate_checkpoints_ = true;
  bool no_val_reported_ = false;

  std::string export_path_;
  PlyEncoding ply_encoding_ = PlyEncoding::Binary;
  std::string mesh_format_ = ".obj";
  bool export_normals_ = false;
  std::string last_export_;
  Job<EvalSummary> eval_job_;
  std::string eval_out_;
  std::string chamfer_pred_dir_;
  Job<ChamferReport> chamfer_job_;
  std::optional<ChamferReport> chamfer_report_;
  std::string chamfer_saved_prefix_;
  std::vector<std::string> compare_runs_;
  Job<CompareResult> compare_job_;
  std::vector<PreviewData> compare_previews_;
  int compare_view_ = -1;
  std::optional<CompareReport> compare_report_;
  std::string compare_dir_, compare_stage_text_;
  std::shared_ptr<std::string> compare_stage_;  // written by the job under compare_stage_mutex_
  std::shared_ptr<std::mutex> compare_stage_mutex_ = std::make_shared<std::mutex>();

  ImageGallery gallery_;
  bool view_image_ = false;
  int field_slice_axis_ = 2;

  bool screenshot_requested_ = false;
  std::vector<Message> messages_;
  std::map<std::string, std::string> panel_errors_;  // action -> its latest error
};

// The actions whose errors a panel shows (the first words of their messages), longest first where they overlap.
inline constexpr const char* kPanelActions[] = {"batch export", "chamfer report", "open run", "run folder", "export", "object",
                                                "dataset", "training", "preset", "checkpoints", "checkpoint",
                                                "validation", "compare", "images", "reconstruct"};

// (3,S,S) comparison of a predicted and a GT silhouette, both (S,S) in [0,1]: red = predicted only,
// green = GT only, white = both, black = neither.
at::Tensor silhouette_diff_image(const at::Tensor& predicted, const at::Tensor& gt);
// (3,R,R) colour image of an occupancy slice (R,R) in [0,1]: free space blue, occupied red, the surface (0.5)
// white, so the iso-line that becomes the mesh stands out.
at::Tensor field_slice_image(const at::Tensor& probability);

}  // namespace dibr::studio
