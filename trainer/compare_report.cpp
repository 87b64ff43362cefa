#include "trainer/compare_report.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "trainer/chamfer.h"
#include "trainer/config.h"
#include "trainer/checkpoint.h"
#include "trainer/eval.h"
#include "trainer/image_io.h"
#include "trainer/inference.h"
#include "trainer/prediction.h"

namespace fs = std::filesystem;

namespace dibr {
namespace {

constexpr int kGridCell = 64;      // pixels per grid cell
constexpr int kNovelViewOffset = 6;  // the novel view is 6 x 15 = 90 degrees of azimuth from the input view

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("compare: cannot write " + path.string());
}

// A run folder or a checkpoint file -> the checkpoint, and the run folder (for metrics.csv).
std::pair<std::string, fs::path> resolve_run(const std::string& source) {
  std::error_code ec;
  if (fs::is_directory(source, ec)) {
    const std::string checkpoint = resume_checkpoint(source);
    if (checkpoint.empty()) throw std::runtime_error("compare: " + source + " holds no readable checkpoint");
    return {checkpoint, fs::path(source)};
  }
  if (fs::is_regular_file(source, ec)) return {source, fs::path(source).parent_path()};
  throw std::runtime_error("compare: " + source + " is neither a run folder nor a checkpoint file");
}

// steps / seconds of the last row of <run>/metrics.csv, -1 when unknown.
double steps_per_second(const fs::path& run_dir) {
  std::ifstream csv(run_dir / "metrics.csv");
  std::string header, line, last;
  if (!std::getline(csv, header) || header.rfind("step,seconds,", 0) != 0) return -1;
  while (std::getline(csv, line))
    if (!line.empty()) last = line;
  double step = 0, seconds = 0;
  if (last.empty() || std::sscanf(last.c_str(), "%lf,%lf", &step, &seconds) != 2 || !(seconds > 0)) return -1;
  return step / seconds;
}

std::string folder_name(const fs::path& run_dir) {
  const fs::path clean = run_dir.lexically_normal();
  const std::string name = (clean.has_filename() ? clean : clean.parent_path()).filename().string();
  return name.empty() ? clean.string() : name;
}

std::string safe_name(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return out;
}

// (3,S,S) or (S,S) in [0,1] -> (kGridCell,kGridCell,3)
at::Tensor grid_cell(const at::Tensor& image) {
  at::Tensor chw = image.dim() == 2 ? image.unsqueeze(0).expand({3, -1, -1}) : image;
  chw = chw.to(torch::kCPU, torch::kFloat32).unsqueeze(0);
  namespace F = torch::nn::functional;
  chw = F::interpolate(chw, F::InterpolateFuncOptions()
                                .size(std::vector<int64_t>{kGridCell, kGridCell})
                                .mode(torch::kNearest));
  return chw[0].permute({1, 2, 0}).clamp(0, 1);
}

// The first objects of each class in turn, up to `count`.
std::vector<const NmrObject*> grid_objects(const DatasetIndex& index, int count) {
  std::map<std::string, std::vector<const NmrObject*>> by_class;
  std::vector<std::string> order;
  for (const auto& o : index.objects) {
    if (!by_class.count(o.class_id)) order.push_back(o.class_id);
    by_class[o.class_id].push_back(&o);
  }
  std::vector<const NmrObject*> picked;
  for (size_t round = 0; static_cast<int>(picked.size()) < count; ++round) {
    bool any = false;
    for (const auto& c : order) {
      if (round < by_class[c].size() && static_cast<int>(picked.size()) < count) {
        picked.push_back(by_class[c][round]);
        any = true;
      }
    }
    if (!any) break;
  }
  return picked;
}

// Rows: objects; columns: the input, each run's render from the input view, each run's render from a novel view.
void write_grid(const CompareOptions& options, const std::vector<CompareRun>& runs, const DatasetIndex& index,
                std::vector<std::string>& problems) {
  const auto objects = grid_objects(index, options.grid_objects);
  if (objects.empty() || runs.empty()) return;
  std::vector<at::Tensor> rows(objects.size());
  std::vector<std::vector<at::Tensor>> input_view(objects.size()), novel_view(objects.size());
  for (const auto& run : runs) {
    InferenceModel model(run.checkpoint, options.device);
    const int size = model.config().data.image_size;
    for (size_t i = 0; i < objects.size(); ++i) {
      at::Tensor input_cell, novel_cell;
      try {
        const ViewData in = load_view(*objects[i], 0, size), novel = load_view(*objects[i], kNovelViewOffset, size);
        torch::NoGradGuard no_grad;
        const auto focal = torch::full({1}, in.camera_mat[0][0].item<float>());
        const auto r = model.predict(in.image.unsqueeze(0), in.world_mat.unsqueeze(0), focal);
        const RenderedViews n = model.render(r.prediction, novel.world_mat.unsqueeze(0), focal, size);
        // Methods without colour show their silhouette grey on white, as in the eval strips.
        input_cell = grid_cell(r.renders.defined() ? r.renders[0] : 1 - 0.4 * r.silhouettes[0]);
        novel_cell = grid_cell(n.images.defined() ? n.images[0] : 1 - 0.4 * n.silhouettes[0]);
        if (!rows[i].defined()) rows[i] = grid_cell(load_view(*objects[i], 0, kGridCell).image);
      } catch (const std::exception& e) {
        problems.push_back("grid: " + run.label + " on " + objects[i]->path + ": " + e.what());
        input_cell = novel_cell = torch::full({kGridCell, kGridCell, 3}, 0.5);
      }
      input_view[i].push_back(input_cell);
      novel_view[i].push_back(novel_cell);
    }
  }
  std::vector<at::Tensor> lines;
  for (size_t i = 0; i < objects.size(); ++i) {
    std::vector<at::Tensor> cells = {rows[i].defined() ? rows[i] : torch::full({kGridCell, kGridCell, 3}, 0.5)};
    cells.insert(cells.end(), input_view[i].begin(), input_view[i].end());
    cells.insert(cells.end(), novel_view[i].begin(), novel_view[i].end());
    lines.push_back(torch::cat(cells, 1));
  }
  write_png((fs::path(options.out_dir) / "compare_grid.png").string(), torch::cat(lines, 0).contiguous());
}

struct Cells {
  std::string chamfer, floor, matched, matched_floor, dvr, f1, f2, iou;
};

std::string scaled_or_dash(const ChamferClassRow* row, double ChamferClassRow::*field, double scale = 100, int digits = 3) {
  return row && row->*field >= 0 ? fixed(scale * (row->*field), digits) : "—";
}

Cells cells_of(const CompareRun& run, const ChamferClassRow* ref, const ChamferClassRow* dvr,
               const ChamferClassRow* matched) {
  Cells c;
  c.chamfer = scaled_or_dash(ref, &ChamferClassRow::chamfer);
  c.floor = scaled_or_dash(ref, &ChamferClassRow::floor);
  c.matched = scaled_or_dash(matched, &ChamferClassRow::chamfer);
  c.matched_floor = scaled_or_dash(matched, &ChamferClassRow::floor);
  c.dvr = scaled_or_dash(dvr, &ChamferClassRow::chamfer, 10, 4);  // DVR's paper scale
  c.f1 = ref ? fixed(100 * ref->fscore[0], 2) : "—";
  c.f2 = ref ? fixed(100 * ref->fscore[1], 2) : "—";
  c.iou = run.points > 0                ? "n/a (points)"
          : ref && ref->voxel_iou >= 0 ? fixed(ref->voxel_iou, 4)
          : run.reference.has_voxels   ? "—"
                                       : "not measured";
  return c;
}

const ChamferClassRow* find_class(const ChamferReport& r, const std::string& class_id) {
  for (const auto& c : r.classes)
    if (c.class_id == class_id) return &c;
  return nullptr;
}

// The mean row of a report as a class row (mean of class means; F-scores averaged over classes).
ChamferClassRow mean_row(const ChamferReport& r) {
  ChamferClassRow m;
  m.class_id = "mean";
  m.chamfer = r.mean_of_class_means;
  m.voxel_iou = r.mean_voxel_iou;
  m.floor = r.mean_floor;
  for (const auto& c : r.classes) {
    m.objects += c.objects;
    for (size_t i = 0; i < c.fscore.size(); ++i) m.fscore[i] += c.fscore[i] / static_cast<double>(r.classes.size());
  }
  return m;
}

std::set<std::string> all_classes(const std::vector<CompareRun>& runs) {
  std::set<std::string> classes;
  for (const auto& r : runs)
    for (const auto& c : r.reference.classes) classes.insert(c.class_id);
  return classes;
}

}  // namespace

std::string run_label(const std::string& method, const std::string& run_dir) {
  return (method.empty() ? std::string("?") : method) + " · " + folder_name(fs::path(run_dir));
}

std::string run_method(const std::string& run_dir) {
  try {
    std::ifstream in(fs::path(run_dir) / "config.json");
    if (in) {
      std::stringstream text;
      text << in.rdbuf();
      return TrainConfig::from_json(text.str()).model.method;
    }
    const std::string checkpoint = resume_checkpoint(run_dir);
    if (!checkpoint.empty()) return load_checkpoint(checkpoint, nullptr, nullptr).method;
  } catch (const std::exception&) {
  }
  return "";
}

std::string CompareReport::markdown() const {
  static_assert(kFscoreThresholds[0] == 0.01 && kFscoreThresholds[1] == 0.02, "F@1% and F@2% columns");
  std::ostringstream md;
  const bool matched_columns = matched_points > 0;
  const std::string n = std::to_string(matched_points);
  md << "| run | method | prediction | points | class | objects | chamfer ×100 (2500 pts) | its sampling floor ×100 |";
  if (matched_columns) md << " chamfer ×100 (" << n << " pts) | its sampling floor ×100 |";
  md << " Chamfer-L1 ×10 (DVR, 100k pts) | F@1% ×100 | F@2% ×100 | voxel IoU | steps/s | parameters |\n";
  md << "|---|---|---|---:|---|---:|---:|---:|" << (matched_columns ? "---:|---:|" : "") << "---:|---:|---:|---:|---:|---:|\n";
  for (const auto& run : runs) {
    const std::string rate = run.steps_per_second < 0 ? "—" : fixed(run.steps_per_second, 2);
    const std::string points = run.points > 0 ? std::to_string(run.points) : "surface";
    auto line = [&](const std::string& cls, const ChamferClassRow* ref, const ChamferClassRow* dvr,
                    const ChamferClassRow* matched, bool bold) {
      const Cells c = cells_of(run, ref, dvr, matched);
      const std::string b = bold ? "**" : "";
      md << "| " << run.label << " | " << run.method << " | " << run.prediction << " | " << points << " | " << b << cls
         << b << " | " << (ref ? ref->objects : 0) << " | " << b << c.chamfer << b << " | " << c.floor << " |";
      if (matched_columns) md << " " << b << c.matched << b << " | " << c.matched_floor << " |";
      md << " " << c.dvr << " | " << c.f1 << " | " << c.f2 << " | " << c.iou << " | " << rate << " | " << run.parameters
         << " |\n";
    };
    for (const auto& cls : all_classes(runs))
      line(cls, find_class(run.reference, cls), find_class(run.dvr, cls), find_class(run.matched, cls), false);
    const ChamferClassRow ref = mean_row(run.reference), dvr = mean_row(run.dvr), matched = mean_row(run.matched);
    line("mean", &ref, &dvr, matched_columns ? &matched : nullptr, true);
  }
  md << "\nThe sampling floor is the score of a perfect prediction with the same number of points under the same "
        "protocol (two independent samples of the GT cloud).";
  if (matched_columns)
    md << " Point clouds are scored with their own points (all of them when they have fewer than the protocol's); the "
       << n << "-point columns score every run, meshes sampled on their surface, and the GT at the point methods' "
       << "smallest N, so those rows share one floor.";
  md << " Voxel IoU needs a surface: n/a for point clouds.\n";
  md << "\nSplit: " << split << ". Each run's checkpoint:";
  for (const auto& run : runs) md << "\n- " << run.label << ": " << run.checkpoint << " (step " << run.step << ")";
  md << "\n";
  if (!problems.empty()) {
    md << "\n" << problems.size() << " problem(s):\n";
    for (const auto& p : problems) md << "- " << p << "\n";
  }
  return md.str();
}

void CompareReport::save(const std::string& dir) const {
  fs::create_directories(dir);
  write_text(fs::path(dir) / "compare.md", markdown());
  std::ostringstream csv;
  csv << "run,method,prediction,points,checkpoint,step,class,objects,chamfer,sampling_floor,chamfer_matched,"
         "sampling_floor_matched,chamfer_l1_dvr,f@0.01,f@0.02,voxel_iou,steps_per_second,parameters\n";
  nlohmann::ordered_json j;
  j["split"] = split;
  j["matched_points"] = matched_points == 0 ? nlohmann::json() : nlohmann::json(matched_points);
  j["runs"] = nlohmann::json::array();
  for (const auto& run : runs) {
    nlohmann::ordered_json r;
    r["label"] = run.label;
    r["source"] = run.source;
    r["method"] = run.method;
    r["prediction"] = run.prediction;
    r["points"] = run.points == 0 ? nlohmann::json() : nlohmann::json(run.points);
    r["checkpoint"] = run.checkpoint;
    r["step"] = run.step;
    r["parameters"] = run.parameters;
    r["steps_per_second"] = run.steps_per_second < 0 ? nlohmann::json() : nlohmann::json(run.steps_per_second);
    r["classes"] = nlohmann::json::array();
    auto opt = [](const ChamferClassRow* row, double ChamferClassRow::*field) {
      return row && row->*field >= 0 ? fixed(row->*field, 8) : std::string();
    };
    auto opt_json = [](const ChamferClassRow* row, double ChamferClassRow::*field) {
      return row && row->*field >= 0 ? nlohmann::json(row->*field) : nlohmann::json();
    };
    const std::string iou_na = run.points > 0 ? "n/a" : "";
    auto row = [&](const std::string& cls, const ChamferClassRow* ref, const ChamferClassRow* dvr,
                   const ChamferClassRow* matched) {
      csv << run.label << "," << run.method << "," << run.prediction << "," << run.points << "," << run.checkpoint
          << "," << run.step << "," << cls << "," << (ref ? ref->objects : 0) << "," << opt(ref, &ChamferClassRow::chamfer)
          << "," << opt(ref, &ChamferClassRow::floor) << "," << opt(matched, &ChamferClassRow::chamfer) << ","
          << opt(matched, &ChamferClassRow::floor) << "," << opt(dvr, &ChamferClassRow::chamfer) << ","
          << (ref ? fixed(ref->fscore[0], 6) : "") << "," << (ref ? fixed(ref->fscore[1], 6) : "") << ","
          << (!iou_na.empty() ? iou_na : ref && ref->voxel_iou >= 0 ? fixed(ref->voxel_iou, 6) : "") << ","
          << (run.steps_per_second < 0 ? "" : fixed(run.steps_per_second, 4)) << "," << run.parameters << "\n";
      nlohmann::ordered_json c;
      c["class"] = cls;
      c["objects"] = ref ? ref->objects : 0;
      c["chamfer"] = ref ? nlohmann::json(ref->chamfer) : nlohmann::json();
      c["sampling_floor"] = opt_json(ref, &ChamferClassRow::floor);
      c["chamfer_matched"] = opt_json(matched, &ChamferClassRow::chamfer);
      c["sampling_floor_matched"] = opt_json(matched, &ChamferClassRow::floor);
      c["chamfer_l1_dvr"] = dvr ? nlohmann::json(dvr->chamfer) : nlohmann::json();
      c["f_0.01"] = ref ? nlohmann::json(ref->fscore[0]) : nlohmann::json();
      c["f_0.02"] = ref ? nlohmann::json(ref->fscore[1]) : nlohmann::json();
      c["voxel_iou"] = !iou_na.empty() ? nlohmann::json(iou_na)
                       : ref && ref->voxel_iou >= 0 ? nlohmann::json(ref->voxel_iou) : nlohmann::json();
      r["classes"].push_back(c);
    };
    for (const auto& cls : all_classes(runs))
      row(cls, find_class(run.reference, cls), find_class(run.dvr, cls), find_class(run.matched, cls));
    const ChamferClassRow ref = mean_row(run.reference), dvr = mean_row(run.dvr), matched = mean_row(run.matched);
    row("mean", &ref, &dvr, matched_points > 0 ? &matched : nullptr);
    j["runs"].push_back(r);
  }
  j["problems"] = problems;
  write_text(fs::path(dir) / "compare.csv", csv.str());
  write_text(fs::path(dir) / "compare.json", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

CompareReport run_compare(const CompareOptions& options) {
  if (options.runs.empty()) throw std::runtime_error("compare: no run given");
  if (!options.dataset) throw std::runtime_error("compare: no dataset given");
  if (options.out_dir.empty()) throw std::runtime_error("compare: no output folder given");
  fs::create_directories(options.out_dir);
  const Dataset dataset = options.dataset->with_classes(options.classes);
  auto shared = std::make_shared<const Dataset>(dataset);
  CompareReport report;
  report.split = options.split;
  std::map<std::string, int> label_uses;
  auto cancelled = [&] { return options.cancel && options.cancel->load(); };
  for (size_t k = 0; k < options.runs.size() && !cancelled(); ++k) {
    CompareRun run;
    run.source = options.runs[k];
    const auto [checkpoint, run_dir] = resolve_run(run.source);
    run.checkpoint = checkpoint;
    {
      InferenceModel model(checkpoint, options.device);
      run.method = model.method().name;
      run.step = model.step();
      run.parameters = model.parameter_count();
      run.prediction = to_string(model.method().prediction);
      if (model.method().prediction == PredictionKind::PointCloud) run.points = model.config().points.count;
    }
    run.steps_per_second = steps_per_second(run_dir);
    run.label = run_label(run.method, run_dir.string());
    if (label_uses[run.label]++ > 0) run.label += " #" + std::to_string(label_uses[run.label]);
    const fs::path work = fs::path(options.out_dir) / "runs" / (std::to_string(k) + "_" + safe_name(run.method + "_" + folder_name(run_dir)));
    auto stage = [&](const std::string& what) {
      if (options.stage) options.stage(run.label + ": " + what);
    };

    stage("predicting the " + options.split + " split");
    EvalOptions eval;
    eval.checkpoint = checkpoint;
    eval.dataset = shared;
    eval.split = options.split;
    eval.out_dir = (work / "eval").string();
    eval.device = options.device;
    eval.cancel = options.cancel;
    const EvalSummary summary = run_eval(eval);
    for (const auto& p : summary.problems) report.problems.push_back(run.label + ": " + p);
    if (cancelled()) break;

    ChamferReportOptions chamfer;
    chamfer.predictions_dir = eval.out_dir;
    chamfer.dataset = shared;
    chamfer.split = options.split;
    chamfer.seed = options.seed;
    chamfer.cancel = options.cancel;
    chamfer.voxels_dir = options.voxels_dir;
    chamfer.sampling_floor = true;
    run.predictions_dir = eval.out_dir;
    stage("chamfer, 2500 points" + std::string(options.voxels_dir.empty() ? "" : ", voxel IoU"));
    run.reference = run_chamfer_report(chamfer);
    run.reference.save((work / "chamfer").string());
    chamfer.voxels_dir.clear();
    chamfer.sampling_floor = false;
    chamfer.dvr_protocol = true;
    stage("Chamfer-L1, 100k points");
    run.dvr = run_chamfer_report(chamfer);
    run.dvr.save((work / "chamfer_dvr").string());
    for (const auto& p : run.reference.problems) report.problems.push_back(run.label + ": " + p);
    report.runs.push_back(std::move(run));
  }
  for (const auto& run : report.runs)
    if (run.points > 0) report.matched_points = report.matched_points == 0 ? run.points : std::min(report.matched_points, run.points);
  for (size_t k = 0; report.matched_points > 0 && k < report.runs.size() && !cancelled(); ++k) {
    CompareRun& run = report.runs[k];
    if (options.stage) options.stage(run.label + ": chamfer at " + std::to_string(report.matched_points) + " points");
    ChamferReportOptions chamfer;
    chamfer.predictions_dir = run.predictions_dir;
    chamfer.dataset = shared;
    chamfer.split = options.split;
    chamfer.seed = options.seed;
    chamfer.cancel = options.cancel;
    chamfer.num_points = static_cast<int>(report.matched_points);
    chamfer.sampling_floor = true;
    run.matched = run_chamfer_report(chamfer);
    run.matched.save((fs::path(run.predictions_dir).parent_path() / "chamfer_matched").string());
  }
  if (cancelled()) {
    report.problems.push_back("cancelled");
    return report;
  }
  if (options.grid_objects > 0) {
    if (options.stage) options.stage("picture grid");
    write_grid(options, report.runs, dataset.split(options.split), report.problems);
  }
  report.save(options.out_dir);
  return report;
}

}  // namespace dibr
