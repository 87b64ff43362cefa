#include "trainer/cli/common.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "trainer/progress_line.h"

namespace dibr::cli {
namespace {

std::atomic<bool> g_interrupted{false};
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction g_previous[3] {};

void on_sigint(int) {
  if (g_interrupted.exchange(true)) _exit(130);
  static const char kMessage[] = "\ninterrupted: finishing cleanly (press Ctrl-C again to quit at once)\n";
  [[maybe_unused]] auto ignored = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

}  // namespace

InterruptHandler::InterruptHandler() {
  g_interrupted = false;
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &action, &g_previous[i]);
}

InterruptHandler::~InterruptHandler() {
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &g_previous[i], nullptr);
}

const std::atomic<bool>& InterruptHandler::flag() const { return g_interrupted; }

namespace {
std::vector<std::string>& stored_arguments() {
  static std::vector<std::string> arguments;
  return arguments;
}
}  // namespace

void set_program_arguments(int argc, char** argv) { stored_arguments().assign(argv, argv + argc); }
const std::vector<std::string>& program_arguments() { return stored_arguments(); }

std::shared_ptr<const Dataset> open_data(const std::string& data_flag, const char* command, bool quiet) {
  ProgressLine line(stderr, 5);
  bool generated = false;
  DatasetOpenOptions options;
  options.progress = [&](int done, int total) {
    generated = true;
    line.update(done, "generating the built-in sample: object " + std::to_string(done) + "/" + std::to_string(total));
  };
  auto dataset = open_dataset(data_flag, options);
  if (generated) line.finish("generated the built-in sample");
  if (quiet) return dataset;
  if (dataset->builtin_sample)
    std::cerr << "dibr " << command << ": data = built-in sample at " << dataset->root << " (use --data DIR for the NMR dataset)\n";
  else
    std::cerr << "dibr " << command << ": data " << dataset->root << "\n";
  return dataset;
}

void write_text_file(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("could not write '" + path + "'");
}

size_t print_problems(const std::string& title, const std::vector<std::string>& problems, size_t limit) {
  if (problems.empty()) return 0;
  std::cerr << title << ": " << problems.size() << (problems.size() == 1 ? " problem" : " problems") << ":\n";
  for (size_t i = 0; i < problems.size() && i < limit; ++i) std::cerr << "  " << problems[i] << "\n";
  if (problems.size() > limit) std::cerr << "  ... and " << problems.size() - limit << " more\n";
  return problems.size();
}

std::function<void(int, int)> object_progress(ProgressLine& line, const std::string& prefix) {
  const auto start = std::chrono::steady_clock::now();
  return [&line, prefix, start](int done, int total) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = elapsed > 0 ? done / elapsed : 0;
    const double eta = rate > 0 ? (total - done) / rate : -1;
    line.update(done, prefix + ": " + format_progress("object", done, total, rate, eta));
  };
}

}  // namespace dibr::cli
