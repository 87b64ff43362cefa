#pragma once
// `dibr eval`: predictions for a split, view 0: <out>/<class>/<id>_0.obj (.ply for point methods) and <id>_0.png
// (input | prediction).
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trainer/dataset.h"
#include "trainer/ply_io.h"

namespace dibr {

struct EvalOptions {
  std::string checkpoint;
  std::shared_ptr<const Dataset> dataset;  // open_dataset()
  std::vector<std::string> classes;        // empty = the dataset's
  std::string split = "test";
  std::string out_dir;
  std::string device = "cpu";
  int batch = 16;
  bool write_png = true;
  PlyEncoding ply = PlyEncoding::Binary;   // point clouds' PLY files
  std::vector<std::pair<std::string, std::string>> overrides;  // InferenceModel's (an implicit field's meshing)
  std::function<void(int done, int total)> progress;
  const std::atomic<bool>* cancel = nullptr;
};

struct EvalSummary {
  int written = 0;
  int total = 0;                      // objects of the split that were indexed
  bool cancelled = false;             // options.cancel was raised before every object was done
  std::vector<std::string> problems;  // "<file>: <what is wrong>"; also written to <out_dir>/problems.txt
};

// Throws std::runtime_error for a bad checkpoint, a missing dataset or an unwritable output folder; a bad object is recorded in
// problems and the others go on. Also writes <out_dir>/eval.json (checkpoint, step, split, counts).
EvalSummary run_eval(const EvalOptions& options);

}  // namespace dibr
