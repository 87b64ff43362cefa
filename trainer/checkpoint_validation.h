#pragma once
// A checkpoint's validation score: the silhouette IoU of its predictions on the val views, and the chamfer distance
// on the val objects that have GT point clouds. It is written beside the checkpoint as <checkpoint>.val.json, so the
// studio (which scores every new checkpoint in the background) and `dibr validate` show the same numbers.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "trainer/dataset.h"
#include "trainer/training_types.h"

namespace dibr {

struct ValidationOptions {
  std::shared_ptr<const Dataset> dataset;  // open_dataset()
  std::string split = "val";
  int objects_per_class = 8;  // the first N of each class's split list (the same objects for every checkpoint)
  int views = 8;              // silhouette views per object, evenly spaced over its 24; view 0 is also the input
  int chamfer_points = 2500;  // the DIB-R protocol's
  std::string device = "cpu";
  uint64_t seed = 0;          // point sampling
  std::function<void(int done, int total)> progress;
  const std::atomic<bool>* cancel = nullptr;
};

struct ValidationScore {
  std::string checkpoint;      // the file that was scored
  int64_t step = 0;            // the step its weights were at
  std::string method;
  std::string split;
  std::string data_root;       // Dataset::describe()
  int objects_per_class = 0, views = 0, chamfer_points = 0;  // the settings it was scored with
  int objects = 0;             // objects scored
  double silhouette_iou = -1;  // mean of the classes' mean IoU (predicted silhouette > 0.5 vs mask > 0.5), -1: none
  int chamfer_objects = 0;     // objects with a GT point cloud
  double chamfer = -1;         // mean of the classes' mean chamfer, unscaled (the README's ×100 figure / 100); -1: none
  double seconds = 0;
  std::vector<std::string> problems;  // objects skipped, with the reason

  std::string to_json() const;
  static ValidationScore from_json(const std::string& text);  // throws std::runtime_error for a malformed file
};

// Scores a checkpoint. Throws std::runtime_error for an unreadable checkpoint, a missing dataset or a split without
// objects (nothing to validate on); an object that fails is a problem and the others go on. A cancel returns what
// was scored so far with a "cancelled" problem.
ValidationScore validate_checkpoint(const std::string& checkpoint, const ValidationOptions& options);

// <checkpoint>.val.json
std::string validation_file(const std::string& checkpoint);
// Writes validation_file(score.checkpoint) atomically; throws std::runtime_error naming the file.
void save_validation(const ValidationScore& score);
// The stored score of a checkpoint at `step`; nullopt when there is none, it is of another step (latest.pt is
// rewritten as training goes on) or it cannot be read. A latest.pt without its own score takes that of the
// step_<step>.pt beside it (the same weights).
std::optional<ValidationScore> load_validation(const CheckpointInfo& checkpoint);

// The best of a run's scores: the lowest chamfer when every score has one, else the highest silhouette IoU; -1 when
// no score is given. Scores may be missing (nullopt) for checkpoints not scored yet.
int best_validation(const std::vector<std::optional<ValidationScore>>& scores);

// Whether a stored score was made with these settings on this dataset (else `dibr validate` scores it again).
bool same_validation_settings(const ValidationScore& score, const ValidationOptions& options);

// A run folder's checkpoints, one per step: a step_N.pt is preferred to latest.pt at the same step (its copy).
std::vector<CheckpointInfo> checkpoint_steps(const std::string& run_dir);

// One row per checkpoint with its score, if any.
struct ValidationRow {
  CheckpointInfo checkpoint;
  std::optional<ValidationScore> score;
};
// Markdown: step, file, train loss, val IoU, val chamfer ×100, and "best" on best_validation's row.
std::string validation_table(const std::vector<ValidationRow>& rows);
// CSV: step,file,train_loss,val_iou,val_chamfer,best (chamfer unscaled; empty cells when not scored).
std::string validation_csv(const std::vector<ValidationRow>& rows);

}  // namespace dibr
