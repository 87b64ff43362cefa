#include "app/image_gallery.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>
#include <utility>

namespace fs = std::filesystem;

namespace dibr::studio {

const char* const kUserImageExtensions = ".png .jpg .jpeg .bmp .tga";

bool is_user_image_file(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" || ext == ".tga";
}

bool GalleryImage::threshold_sensitive() const {
  return failed() || result.mask_source.rfind("background", 0) == 0;
}

ImageGallery::~ImageGallery() { job_.cancel_and_join(); }

void ImageGallery::add(const std::vector<std::string>& paths) {
  std::map<std::string, int> used;
  for (const auto& image : images_) used[image.name] = 1;
  bool first = true;
  for (const auto& path : paths) {
    std::string stem = fs::path(path).stem().string();
    if (stem.empty()) stem = "image";
    std::string name = stem;
    for (int n = 2; used.count(name); ++n) name = stem + "_" + std::to_string(n);
    used[name] = 1;
    GalleryImage image;
    image.id = next_id_++;
    std::error_code ec;
    image.path = fs::absolute(path, ec).lexically_normal().string();
    if (ec) image.path = path;
    image.name = name;
    images_.push_back(std::move(image));
    if (std::exchange(first, false)) selected_ = static_cast<int>(images_.size()) - 1;
  }
}

void ImageGallery::remove(int index) {
  if (index < 0 || index >= static_cast<int>(images_.size())) return;
  images_.erase(images_.begin() + index);
  if (selected_ >= static_cast<int>(images_.size())) selected_ = static_cast<int>(images_.size()) - 1;
}

void ImageGallery::clear() {
  images_.clear();
  selected_ = -1;
}

void ImageGallery::select(int index) {
  if (images_.empty()) return;
  selected_ = std::clamp(index, 0, static_cast<int>(images_.size()) - 1);
}

const GalleryImage* ImageGallery::selected_image() const {
  return selected_ >= 0 && selected_ < static_cast<int>(images_.size()) ? &images_[selected_] : nullptr;
}

void ImageGallery::set_threshold(double threshold) { threshold_ = std::clamp(threshold, kMinThreshold, kMaxThreshold); }

void ImageGallery::set_model(const GalleryModel& model, std::shared_ptr<const Dataset> framing_from) {
  if (framing_from != framing_from_) reconstructor_key_.clear();  // the framing is measured on another dataset
  model_ = model;
  framing_from_ = std::move(framing_from);
}

bool ImageGallery::needs_run(const GalleryImage& image) const {
  if (model_.checkpoint.empty()) return false;
  if (!image.done || image.model_key != model_.key()) return true;
  return image.threshold != threshold_ && image.threshold_sensitive();
}

int ImageGallery::pending() const {
  int n = 0;
  for (const auto& image : images_) n += !image.done || needs_run(image);
  return n;
}

void ImageGallery::wait_idle() {
  while (job_.running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void ImageGallery::poll(const std::function<void(bool error, const std::string& text)>& log) {
  if (auto batch = job_.take_result()) {
    reconstructor_ = batch->reconstructor;
    reconstructor_key_ = batch->model_key;
    for (auto& [id, result] : batch->results) {
      auto it = std::find_if(images_.begin(), images_.end(), [id = id](const GalleryImage& g) { return g.id == id; });
      if (it == images_.end()) continue;  // removed while it was being reconstructed
      if (!result.error.empty() && (!it->failed() || it->result.error != result.error)) log(true, "reconstruct: " + result.error);
      it->result = std::move(result);
      it->done = true;
      it->model_key = batch->model_key;
      it->model_step = batch->model_step;
      it->threshold = batch->threshold;
      ++it->generation;
    }
  }
  if (auto e = job_.take_error(); !e.empty()) {
    // The model itself could not be used: every waiting picture says why, and none is retried until it changes.
    for (auto& image : images_) {
      if (!needs_run(image)) continue;
      image.result = ReconstructedImage{};
      image.result.image_path = image.path;
      image.result.error = e;
      image.done = true;
      image.model_key = model_.key();
      image.model_step = model_.step;
      image.threshold = threshold_;
      ++image.generation;
    }
    log(true, "reconstruct: " + e);
  }
  if (job_.running() || model_.checkpoint.empty()) return;

  std::vector<Work> work;
  for (const auto& image : images_)
    if (needs_run(image)) work.push_back({image.id, image.path, image.name});
  if (work.empty()) return;
  std::shared_ptr<Reconstructor> reuse = reconstructor_key_ == model_.key() ? reconstructor_ : nullptr;
  job_.start([work = std::move(work), reuse, model = model_, framing_from = framing_from_,
              threshold = threshold_](JobControl& control) {
    const int total = static_cast<int>(work.size()) + (reuse ? 0 : 1);
    control.progress(0, total);
    Batch batch;
    batch.model_key = model.key();
    batch.model_step = model.step;
    batch.threshold = threshold;
    batch.reconstructor = reuse;
    if (!batch.reconstructor) {
      ReconstructOptions options;  // no out_dir: the panel shows the results and Export writes them
      batch.reconstructor = std::make_shared<Reconstructor>(model.checkpoint, "cpu", options, framing_from);
      control.progress(1, total);
    }
    MaskOptions mask;
    mask.bg_threshold = threshold;
    batch.reconstructor->set_mask_options(mask);
    for (const Work& w : work) {
      if (control.cancel) break;
      batch.results.emplace_back(w.id, batch.reconstructor->reconstruct(w.path, w.name));
      control.progress(total - static_cast<int>(work.size()) + static_cast<int>(batch.results.size()), total);
    }
    return batch;
  });
}

nlohmann::json ImageGallery::state_json() const {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& image : images_) {
    const Prediction& p = image.result.prediction;
    int64_t points = 0, faces = 0;
    if (image.done && image.result.error.empty() && p.count() > 0) {
      if (p.kind == PredictionKind::PointCloud) {
        points = p.vertices.size(1);
      } else {
        const TriangleMesh mesh = p.mesh(0);
        points = mesh.vertices.size(0);
        faces = mesh.faces.size(0);
      }
    }
    items.push_back({{"path", image.path},
                     {"name", image.name},
                     {"state", !image.done ? "waiting" : image.failed() ? "failed" : needs_run(image) ? "updating" : "done"},
                     {"error", image.result.error},
                     {"mask_source", image.result.mask_source},
                     {"step", image.model_step},
                     {"threshold", image.threshold},
                     {"generation", image.generation},
                     {"points", points},
                     {"faces", faces}});
  }
  return {{"count", images_.size()},
          {"selected", selected_},
          {"busy", job_.running()},
          {"pending", pending()},
          {"threshold", threshold_},
          {"model_step", model_.checkpoint.empty() ? nlohmann::json(nullptr) : nlohmann::json(model_.step)},
          {"waiting_for_model", model_.checkpoint.empty() ? model_.why_none : std::string()},
          {"items", items}};
}

}  // namespace dibr::studio
