#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "trainer/dataset.h"
#include "trainer/sample_maker.h"

namespace fs = std::filesystem;

namespace dibr {
namespace {

// A problem inside a class folder belongs to that class; the others (the root, a split) to every class.
bool belongs_to(const DatasetProblem& problem, const DatasetIndex& index, const std::vector<std::string>& wanted) {
  for (const auto& c : index.classes) {
    const std::string folder = (fs::path(index.root) / c).string();
    if (problem.path == folder || problem.path.rfind(folder + "/", 0) == 0) {
      for (const auto& w : wanted)
        if (w == c) return true;
      return false;
    }
  }
  return true;
}

DatasetIndex restrict(const DatasetIndex& index, const std::vector<std::string>& classes) {
  DatasetIndex out;
  out.root = index.root;
  out.split = index.split;
  out.views_per_object = index.views_per_object;
  out.classes = classes;
  for (const auto& o : index.objects)
    for (const auto& c : classes)
      if (o.class_id == c) out.objects.push_back(o);
  for (const auto& p : index.problems)
    if (belongs_to(p, index, classes)) out.problems.push_back(p);
  return out;
}

}  // namespace

const DatasetIndex& Dataset::split(const std::string& name) const {
  if (name == "train") return train;
  if (name == "val") return val;
  if (name == "test") return test;
  throw std::runtime_error("dataset: split must be train, val or test, got '" + name + "'");
}

Dataset Dataset::with_classes(const std::vector<std::string>& wanted) const {
  if (wanted.empty()) return *this;
  for (const auto& c : wanted) {
    bool known = false;
    for (const auto& k : classes) known = known || k == c;
    if (!known) {
      std::string list;
      for (const auto& k : classes) list += (list.empty() ? "" : ", ") + k;
      throw std::runtime_error("dataset: unknown class '" + c + "' in " + describe() + "; classes found: " +
                               (list.empty() ? "(none)" : list));
    }
  }
  Dataset d;
  d.root = root;
  d.builtin_sample = builtin_sample;
  d.classes = wanted;
  d.train = restrict(train, wanted);
  d.val = restrict(val, wanted);
  d.test = restrict(test, wanted);
  for (const DatasetIndex* s : {&d.train, &d.val, &d.test})
    d.problems.insert(d.problems.end(), s->problems.begin(), s->problems.end());
  return d;
}

const NmrObject* Dataset::find(const std::string& id) const {
  for (const DatasetIndex* index : {&val, &train, &test})
    for (const NmrObject& o : index->objects)
      if (o.id() == id) return &o;
  return nullptr;
}

std::string Dataset::describe() const { return builtin_sample ? "the built-in sample at " + root : root; }

namespace {

// What the user probably meant when `root` holds no class folder: its parent when it is a class folder itself,
// or a sub-folder (one or two levels down) that is a dataset root. Empty when there is nothing to suggest.
std::string dataset_suggestion(const fs::path& root) {
  if (is_class_folder(root.string())) return "; this is a class folder: open its parent '" + root.parent_path().string() + "'";
  std::error_code ec;
  std::vector<std::string> found;
  constexpr int kLookedAt = 200;
  int looked = 0;
  for (fs::directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end && looked < kLookedAt; it.increment(ec), ++looked) {
    std::error_code sub_ec;
    if (!it->is_directory(sub_ec)) continue;
    if (!list_classes(it->path().string()).empty()) found.push_back(it->path().filename().string() + "/");
    for (fs::directory_iterator deeper(it->path(), fs::directory_options::skip_permission_denied, sub_ec), deeper_end;
         !sub_ec && deeper != deeper_end && found.size() < 3; deeper.increment(sub_ec)) {
      std::error_code deep_ec;
      if (deeper->is_directory(deep_ec) && !list_classes(deeper->path().string()).empty())
        found.push_back(it->path().filename().string() + "/" + deeper->path().filename().string() + "/");
    }
    if (found.size() >= 3) break;
  }
  if (found.empty()) return "";
  std::sort(found.begin(), found.end());
  std::string text = "; did you mean the sub-folder " + found[0];
  for (size_t i = 1; i < found.size(); ++i) text += (i + 1 == found.size() ? " or " : ", ") + found[i];
  return text + "?";
}

}  // namespace

std::shared_ptr<const Dataset> open_dataset(const std::string& root_in, const DatasetOpenOptions& options) {
  auto d = std::make_shared<Dataset>();
  d->builtin_sample = root_in.empty();
  std::error_code ec;
  if (d->builtin_sample) {
    d->root = ensure_default_sample(options.progress);
  } else {
    if (!fs::is_directory(root_in, ec))
      throw std::runtime_error("dataset: '" + root_in + "' is not a folder (expected the DVR NMR layout: "
                               "<root>/<class>/softras_*.lst)");
    d->root = fs::absolute(root_in, ec).lexically_normal().string();
    if (d->root.size() > 1 && d->root.back() == '/') d->root.pop_back();
  }
  std::vector<DatasetProblem> listing;
  const std::vector<std::string> found = list_classes(d->root, &listing);
  if (found.empty() && !listing.empty())
    throw std::runtime_error("dataset: '" + listing.front().path + "': " + listing.front().message);
  if (found.empty())
    throw std::runtime_error("dataset: '" + d->root + "' holds no class folder with softras_*.lst (expected <root>/<class>/softras_train.lst)" +
                             dataset_suggestion(d->root));
  d->classes = found;
  if (!options.classes.empty()) *d = d->with_classes(options.classes);
  auto progress_of = [&](const char* split) -> std::function<void(int, int)> {
    if (!options.check_progress) return {};
    return [&options, split](int done, int total) { options.check_progress(split, done, total); };
  };
  d->train = index_dataset(d->root, d->classes, "train", options.deep_check, progress_of("train"));
  d->val = index_dataset(d->root, d->classes, "val", options.deep_check, progress_of("val"));
  d->test = index_dataset(d->root, d->classes, "test", options.deep_check, progress_of("test"));
  // Folder-level problems (an unreadable class folder) are found by each split: list them once.
  std::set<std::pair<std::string, std::string>> seen;
  for (const DatasetIndex* s : {&d->train, &d->val, &d->test})
    for (const auto& p : s->problems)
      if (seen.insert({p.path, p.message}).second) d->problems.push_back(p);
  return d;
}

}  // namespace dibr
