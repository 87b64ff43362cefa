#pragma once
// The studio's Images panel without a window: users' own pictures reconstructed with the model on show (the
// scrubbed checkpoint, or during live training the run's newest checkpoint), on a background job. It owns the
// mask threshold: changing it, or the model on show, re-runs the pictures it affects; the latest request wins.
// Everything here runs on the UI thread (poll() once per frame); the job works on its own thread.
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/studio_job.h"
#include "trainer/dataset.h"
#include "trainer/reconstruct.h"

namespace dibr::studio {

// By extension (case-insensitive): .png .jpg .jpeg .bmp .tga, the formats read_user_image reads.
bool is_user_image_file(const std::string& path);
extern const char* const kUserImageExtensions;  // ".png .jpg .jpeg .bmp .tga", for messages

struct GalleryImage {
  int id = 0;              // stable while the gallery changes (textures and job results follow it)
  std::string path, name;  // name: the unique output stem
  bool done = false;       // a result (or an error) is here
  ReconstructedImage result;
  std::string model_key;   // the model it was made with (checkpoint path @ step)
  int64_t model_step = -1;
  double threshold = 0;    // the background threshold it was made with
  int generation = 0;      // bumped by every new result
  bool failed() const { return done && !result.error.empty(); }
  // Its result depends on the threshold: the mask came from the border background, or no mask was found.
  bool threshold_sensitive() const;
};

struct GalleryModel {
  std::string checkpoint;  // empty: no model to reconstruct with yet
  int64_t step = -1;
  std::string why_none;    // when checkpoint is empty: what to do to get one
  std::string key() const { return checkpoint.empty() ? std::string() : checkpoint + "@" + std::to_string(step); }
};

class ImageGallery {
 public:
  static constexpr double kMinThreshold = 0.01, kMaxThreshold = 0.6;
  ImageGallery() = default;
  ~ImageGallery();
  ImageGallery(const ImageGallery&) = delete;
  ImageGallery& operator=(const ImageGallery&) = delete;

  // Appends pictures (names made unique, like `dibr reconstruct`'s outputs); selects the first new one.
  void add(const std::vector<std::string>& paths);
  void remove(int index);
  void clear();
  void select(int index);
  int selected() const { return selected_; }
  const GalleryImage* selected_image() const;
  const std::vector<GalleryImage>& images() const { return images_; }

  // Clamped to [kMinThreshold, kMaxThreshold].
  void set_threshold(double threshold);
  double threshold() const { return threshold_; }

  // The model on show; framing_from: the dataset whose masks give the framing (null: the checkpoint's own data).
  void set_model(const GalleryModel& model, std::shared_ptr<const Dataset> framing_from);
  const GalleryModel& model() const { return model_; }

  // Takes a finished job's results and starts the next one for the pictures that need it. log(error, text)
  // receives one line per failed picture and per job error.
  void poll(const std::function<void(bool error, const std::string& text)>& log);
  bool busy() const { return job_.running(); }
  float progress() const { return job_.progress(); }
  // Pictures that wait for a (new) result.
  int pending() const;
  // Until the running job has ended (tests; the UI never waits).
  void wait_idle();
  void cancel_and_join() { job_.cancel_and_join(); }

  nlohmann::json state_json() const;

 private:
  struct Work {
    int id;
    std::string path, name;
  };
  struct Batch {
    std::shared_ptr<Reconstructor> reconstructor;
    std::string model_key;
    int64_t model_step = -1;
    double threshold = 0;
    std::vector<std::pair<int, ReconstructedImage>> results;
  };
  bool needs_run(const GalleryImage& image) const;

  std::vector<GalleryImage> images_;
  int next_id_ = 1, selected_ = -1;
  double threshold_ = MaskOptions{}.bg_threshold;
  GalleryModel model_;
  std::shared_ptr<const Dataset> framing_from_;
  std::shared_ptr<Reconstructor> reconstructor_;  // for model_ (built on the job thread, reused after)
  std::string reconstructor_key_;
  Job<Batch> job_;
};

}  // namespace dibr::studio
