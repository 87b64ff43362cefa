#pragma once
// `dibr eval`: predictions for a split, view 0: <out>/<class>/<id>_0.obj and <id>_0.png (input | prediction).
#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace dibr {

struct EvalOptions {
  std::string checkpoint;
  std::string data_root;  // empty = built-in sample
  std::vector<std::string> classes;
  std::string split = "test";
  std::string out_dir;
  std::string device = "cpu";
  int batch = 16;
  bool write_png = true;
  std::function<void(int done, int total)> progress;
  const std::atomic<bool>* cancel = nullptr;
};

struct EvalSummary {
  int written = 0;
  std::vector<std::string> problems;
};

EvalSummary run_eval(const EvalOptions& options);

}  // namespace dibr
