#pragma once
// The DVR "NMR" ShapeNet renderings: <root>/<class>/softras_{train,val,test}.lst and
// <root>/<class>/<id>/{image,mask}/0000..0023.png, cameras.npz, pointcloud.npz.
#include <ATen/core/Tensor.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dibr {

struct NmrObject {
  std::string class_id;   // e.g. "02691156"
  std::string object_id;  // folder name
  std::string path;       // <root>/<class>/<id>

  std::string id() const { return class_id + "/" + object_id; }  // how previews, reports and the studio name it
};

struct DatasetProblem {
  std::string path;     // the file or folder at fault
  std::string message;  // what is wrong
};

struct DatasetIndex {
  std::string root;
  std::string split;
  std::vector<std::string> classes;  // classes that were indexed
  std::vector<NmrObject> objects;    // objects that passed validation
  std::vector<DatasetProblem> problems;  // every skipped object or class, with its reason
  int views_per_object = 24;
};

// <class_dir>/softras_<split>.lst, the list of a split's object folders.
std::string split_list_path(const std::string& class_dir, const std::string& split);
// Whether `folder` holds one of softras_{train,val,test}.lst: a class folder of the layout above.
bool is_class_folder(const std::string& folder);

// Lists the classes present under root (folders that hold at least one softras_*.lst). Folders that cannot be read
// (permission denied, a symlink loop) are skipped and, when problems is given, recorded there with the reason.
std::vector<std::string> list_classes(const std::string& root, std::vector<DatasetProblem>* problems = nullptr);
// Indexes a split. classes empty = every class found. deep_check also opens every PNG and npz
// (slower); otherwise only existence is checked. Never throws for a bad object: it is recorded
// in problems. Throws std::runtime_error if root does not exist or no class matches.
// progress(done, total) follows the deep check object by object.
DatasetIndex index_dataset(const std::string& root, const std::vector<std::string>& classes,
                           const std::string& split, bool deep_check = false,
                           const std::function<void(int done, int total)>& progress = {});

// One opened dataset: the resolved root (the built-in sample is resolved here and nowhere else), the three split
// indices and every problem found. Trainer, eval, the chamfer report, batch export, the studio and the
// checkpoint preview all take this value (shared, immutable) instead of a path to index again.
struct Dataset {
  std::string root;             // resolved, absolute for a folder given by the user
  bool builtin_sample = false;  // opened from an empty root
  std::vector<std::string> classes;   // indexed classes
  DatasetIndex train, val, test;
  std::vector<DatasetProblem> problems;  // of every split

  const DatasetIndex& split(const std::string& name) const;  // train, val or test; throws otherwise
  // The object named "<class>/<id>" (NmrObject::id) in val, train or test, in that order; nullptr when none is.
  const NmrObject* find(const std::string& id) const;
  bool usable() const { return !train.objects.empty(); }
  // The same data restricted to `classes` (empty = all), without indexing again. Throws std::runtime_error
  // naming an unknown class and listing the known ones.
  Dataset with_classes(const std::vector<std::string>& classes) const;
  // "the built-in sample at <root>" or "<root>".
  std::string describe() const;
};

struct DatasetOpenOptions {
  std::vector<std::string> classes;  // empty = every class found
  bool deep_check = false;           // also decode every PNG and npz (what training will read)
  std::function<void(int done, int total)> progress;  // generating the built-in sample
  std::function<void(const std::string& split, int done, int total)> check_progress;  // the deep check
};

// root empty = the built-in sample (generated on first use). Throws std::runtime_error naming the folder when it
// is not a dataset at all (missing, no class folder, unknown class); a bad object or split list is a problem.
std::shared_ptr<const Dataset> open_dataset(const std::string& root, const DatasetOpenOptions& options = {});

struct ViewData {
  at::Tensor image;      // (3,H,W) float32 in [0,1]
  at::Tensor mask;       // (1,H,W) float32 in [0,1]
  at::Tensor world_mat;  // (4,4) float32, OpenCV world->camera
  at::Tensor camera_mat; // (4,4) float32
};
// Loads one view, resized to size x size with area interpolation (size 0 keeps 64x64).
ViewData load_view(const NmrObject& object, int view, int size = 0);

// DVR's visual-hull depth of one view, <object>/visual_hull_depth/<view>.exr: (1,size,size) float32 camera
// z-depth of the first point on the pixel's ray inside every mask, inf (or any non-finite value) where there is
// none; resized by nearest pixel (size 0 keeps the file's). Undefined when the object has no such folder. Throws
// std::runtime_error naming the file when it exists but cannot be read.
at::Tensor load_visual_hull_depth(const NmrObject& object, int view, int size = 0);
// The file load_visual_hull_depth reads.
std::string visual_hull_depth_file(const NmrObject& object, int view);
// Whether the object has a visual_hull_depth folder.
bool has_visual_hull_depth(const NmrObject& object);

struct PointCloud {
  at::Tensor points;   // (N,3) float32, in the same frame as the cameras
  at::Tensor normals;  // (N,3) float32 (may be empty)
};
PointCloud load_pointcloud(const NmrObject& object);

}  // namespace dibr
