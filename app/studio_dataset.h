#pragma once
// Validation of a dataset folder for the Dataset panel: classes, objects per split, problems.
#include <string>
#include <vector>

#include "app/studio_job.h"
#include "trainer/dataset.h"

namespace dibr::studio {

struct SplitCounts {
  std::string split;
  int objects = 0;
};

struct ClassSummary {
  std::string class_id;
  int train = 0, val = 0, test = 0;
};

struct DatasetReport {
  std::string root;
  std::vector<ClassSummary> classes;
  std::vector<SplitCounts> splits;        // train, val, test totals
  std::vector<DatasetProblem> problems;   // from every split
  bool usable() const;                    // at least one training object
};

// Resolves the built-in sample when root is empty (may generate it), then indexes every split.
// Throws std::runtime_error naming the folder when it is not a dataset at all.
DatasetReport validate_dataset(const std::string& root, JobControl& control);

}  // namespace dibr::studio
