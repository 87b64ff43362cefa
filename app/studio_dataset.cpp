#include "app/studio_dataset.h"

#include <map>
#include <stdexcept>

#include "trainer/sample_maker.h"

namespace dibr::studio {

bool DatasetReport::usable() const {
  for (const auto& s : splits) {
    if (s.split == "train" && s.objects > 0) return true;
  }
  return false;
}

DatasetReport validate_dataset(const std::string& root_in, JobControl& control) {
  DatasetReport report;
  report.root = root_in.empty() ? ensure_default_sample([&](int d, int t) { control.progress(d, t); }) : root_in;
  const std::vector<std::string> classes = list_classes(report.root);
  if (classes.empty()) {
    throw std::runtime_error("'" + report.root +
                             "' holds no dataset class (expected <root>/<class>/softras_train.lst, see docs/studio.md)");
  }
  std::map<std::string, ClassSummary> per_class;
  for (const auto& c : classes) per_class[c].class_id = c;
  const char* splits[] = {"train", "val", "test"};
  control.progress(0, 3);
  for (int i = 0; i < 3; ++i) {
    if (control.cancel) throw std::runtime_error("validation cancelled");
    SplitCounts counts{splits[i], 0};
    try {
      const DatasetIndex index = index_dataset(report.root, classes, splits[i]);
      counts.objects = static_cast<int>(index.objects.size());
      for (const auto& o : index.objects) {
        auto& c = per_class[o.class_id];
        c.class_id = o.class_id;
        (i == 0 ? c.train : i == 1 ? c.val : c.test)++;
      }
      report.problems.insert(report.problems.end(), index.problems.begin(), index.problems.end());
    } catch (const std::exception& e) {
      report.problems.push_back({report.root, std::string(splits[i]) + " split: " + e.what()});
    }
    report.splits.push_back(counts);
    control.progress(i + 1, 3);
  }
  for (auto& [id, summary] : per_class) report.classes.push_back(summary);
  return report;
}

}  // namespace dibr::studio
