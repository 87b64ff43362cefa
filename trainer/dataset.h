#pragma once
// The DVR "NMR" ShapeNet renderings: <root>/<class>/softras_{train,val,test}.lst and
// <root>/<class>/<id>/{image,mask}/0000..0023.png, cameras.npz, pointcloud.npz.
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace dibr {

struct NmrObject {
  std::string class_id;   // e.g. "02691156"
  std::string object_id;  // folder name
  std::string path;       // <root>/<class>/<id>
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

// Lists the classes present under root (folders that hold at least one softras_*.lst).
std::vector<std::string> list_classes(const std::string& root);
// Indexes a split. classes empty = every class found. deep_check also opens every PNG and npz
// (slower); otherwise only existence is checked. Never throws for a bad object: it is recorded
// in problems. Throws std::runtime_error if root does not exist or no class matches.
DatasetIndex index_dataset(const std::string& root, const std::vector<std::string>& classes,
                           const std::string& split, bool deep_check = false);

struct ViewData {
  at::Tensor image;      // (3,H,W) float32 in [0,1]
  at::Tensor mask;       // (1,H,W) float32 in [0,1]
  at::Tensor world_mat;  // (4,4) float32, OpenCV world->camera
  at::Tensor camera_mat; // (4,4) float32
};
// Loads one view, resized to size x size with area interpolation (size 0 keeps 64x64).
ViewData load_view(const NmrObject& object, int view, int size = 0);

struct PointCloud {
  at::Tensor points;   // (N,3) float32, in the same frame as the cameras
  at::Tensor normals;  // (N,3) float32 (may be empty)
};
PointCloud load_pointcloud(const NmrObject& object);

}  // namespace dibr
