// Checks for the studio end-to-end test.
//   dibr_studio_check screenshot PNG REGIONS_JSON NAME...   each named region is inside the image and not blank
//   dibr_studio_check obj FILE VERTICES FACES               the OBJ reads back with these counts
//   dibr_studio_check chamfer-report PREFIX CLASSES OBJECTS PREFIX.json/.csv hold a sane report of this size
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>

#include "trainer/obj_io.h"

namespace {

int fail(const std::string& message) {
  std::cerr << "dibr_studio_check: FAIL: " << message << "\n";
  return 1;
}

// A region is "not blank" when a good share of its pixels differ clearly from its most common colour
// (a flat background, an empty panel or an all-black texture all fail).
int check_screenshot(const std::string& png, const std::string& regions_path, int argc, char** argv) {
  const cv::Mat image = cv::imread(png, cv::IMREAD_COLOR);
  if (image.empty()) return fail("cannot read '" + png + "'");
  std::ifstream in(regions_path);
  if (!in) return fail("cannot read '" + regions_path + "'");
  const nlohmann::json j = nlohmann::json::parse(in);
  if (j.at("width").get<int>() != image.cols || j.at("height").get<int>() != image.rows) {
    return fail("screenshot is " + std::to_string(image.cols) + "x" + std::to_string(image.rows) + " but the app reported " +
                j.at("width").dump() + "x" + j.at("height").dump());
  }
  for (int a = 0; a < argc; ++a) {
    const std::string name = argv[a];
    if (!j.at("regions").contains(name)) return fail("region '" + name + "' was not drawn in the screenshot frame");
    const auto r = j.at("regions").at(name);
    cv::Rect rect(static_cast<int>(r[0].get<double>()), static_cast<int>(r[1].get<double>()),
                  static_cast<int>(r[2].get<double>()), static_cast<int>(r[3].get<double>()));
    if (rect.width < 16 || rect.height < 16 || rect.x < 0 || rect.y < 0 || rect.x + rect.width > image.cols ||
        rect.y + rect.height > image.rows) {
      return fail("region '" + name + "' " + r.dump() + " is too small or outside the image");
    }
    const cv::Mat roi = image(rect);
    std::map<int, int> histogram;
    for (int y = 0; y < roi.rows; ++y) {
      for (int x = 0; x < roi.cols; ++x) {
        const cv::Vec3b p = roi.at<cv::Vec3b>(y, x);
        histogram[(p[0] / 8) << 10 | (p[1] / 8) << 5 | (p[2] / 8)]++;
      }
    }
    int mode = 0, mode_count = 0;
    for (const auto& [key, count] : histogram) {
      if (count > mode_count) mode = key, mode_count = count;
    }
    const int b = ((mode >> 10) & 31) * 8 + 4, g = ((mode >> 5) & 31) * 8 + 4, rr = (mode & 31) * 8 + 4;
    int differing = 0;
    for (int y = 0; y < roi.rows; ++y) {
      for (int x = 0; x < roi.cols; ++x) {
        const cv::Vec3b p = roi.at<cv::Vec3b>(y, x);
        if (std::abs(p[0] - b) + std::abs(p[1] - g) + std::abs(p[2] - rr) > 40) ++differing;
      }
    }
    const double fraction = static_cast<double>(differing) / (roi.rows * roi.cols);
    std::printf("region %-12s %4dx%-4d at (%d,%d): %.1f%% of pixels differ from the background, %zu colours\n",
                name.c_str(), rect.width, rect.height, rect.x, rect.y, 100 * fraction, histogram.size());
    if (fraction < 0.02 || histogram.size() < 8) return fail("region '" + name + "' looks empty");
  }
  return 0;
}

int check_obj(const std::string& path, long vertices, long faces) {
  const dibr::ObjMesh mesh = dibr::read_obj(path);
  const long v = mesh.vertices.defined() ? mesh.vertices.size(0) : 0, f = mesh.faces.defined() ? mesh.faces.size(0) : 0;
  std::printf("%s: %ld vertices, %ld faces, colours %s\n", path.c_str(), v, f, mesh.colors.defined() ? "yes" : "no");
  if (v != vertices || f != faces) {
    return fail(path + " has " + std::to_string(v) + " vertices and " + std::to_string(f) + " faces, expected " +
                std::to_string(vertices) + " and " + std::to_string(faces));
  }
  if (!mesh.colors.defined()) return fail(path + " has no vertex colours");
  return 0;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read '" + path + "'");
  return nlohmann::json::parse(in);
}

// The JSON has `classes` entries with finite positive chamfer and `objects` per-object rows; the CSV has
// one line per object and per class after its header.
int check_chamfer_report(const std::string& prefix, int classes, int objects) {
  const nlohmann::json j = read_json(prefix + ".json");
  const auto& cls = j.at("classes");
  const auto& objs = j.at("objects");
  if (static_cast<int>(cls.size()) != classes || static_cast<int>(objs.size()) != objects) {
    return fail(prefix + ".json has " + std::to_string(cls.size()) + " classes and " + std::to_string(objs.size()) +
                " objects, expected " + std::to_string(classes) + " and " + std::to_string(objects));
  }
  int counted = 0;
  for (const auto& c : cls) {
    const double cd = c.at("chamfer").get<double>();
    if (!std::isfinite(cd) || cd <= 0 || cd > 1) return fail("class " + c.dump() + " has an implausible chamfer");
    counted += c.at("objects").get<int>();
  }
  if (counted != objects) return fail("the classes count " + std::to_string(counted) + " objects, the report lists " + std::to_string(objects));
  const double mean = j.at("mean_of_class_means").get<double>();
  if (!std::isfinite(mean) || mean <= 0) return fail("mean_of_class_means is " + std::to_string(mean));
  std::ifstream csv(prefix + ".csv");
  if (!csv) return fail("cannot read '" + prefix + ".csv'");
  std::string line;
  int lines = 0;
  std::getline(csv, line);
  if (line.rfind("kind,class,object", 0) != 0) return fail(prefix + ".csv has no header: '" + line + "'");
  while (std::getline(csv, line)) lines += !line.empty();
  if (lines != classes + objects) return fail(prefix + ".csv has " + std::to_string(lines) + " rows, expected " + std::to_string(classes + objects));
  std::printf("%s: %d classes, %d objects, mean of class means CD x100 = %.3f\n", prefix.c_str(), classes, objects, mean * 100);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "screenshot" && argc >= 5) return check_screenshot(argv[2], argv[3], argc - 4, argv + 4);
    if (mode == "obj" && argc == 5) return check_obj(argv[2], std::stol(argv[3]), std::stol(argv[4]));
    if (mode == "chamfer-report" && argc == 5) return check_chamfer_report(argv[2], std::stoi(argv[3]), std::stoi(argv[4]));
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  std::cerr << "usage: dibr_studio_check screenshot PNG REGIONS_JSON NAME... | obj FILE VERTICES FACES |\n"
               "                         chamfer-report PREFIX CLASSES OBJECTS\n";
  return 2;
}
