#pragma once
// File naming for exports: nothing the user already has is ever overwritten.
#include <initializer_list>
#include <string>
#include <vector>

#include "trainer/chamfer_report.h"

namespace dibr::studio {

// `path` when nothing exists there, otherwise <stem>_1<ext>, <stem>_2<ext>, ... (the first free one).
std::string unique_path(const std::string& path);
// Same for a file prefix used with several extensions (e.g. chamfer report .md/.csv/.json): the first
// prefix for which none of <prefix><ext> exists.
std::string unique_prefix(const std::string& prefix, const std::initializer_list<const char*>& extensions);
// The chamfer report's rows for its table, sorted by `column` (0 class, 1 object, 2 chamfer, 3 + k: F@threshold k),
// ties by class then object; `objects`: one row per object, else per class (object empty).
std::vector<ChamferRow> chamfer_table_rows(const ChamferReport& report, bool objects, int column, bool ascending);

// Turns "02691156/abc" into "02691156_abc" (safe as a file name part).
std::string file_safe(const std::string& text);

}  // namespace dibr::studio
