#include "trainer/run_writer.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "trainer/atomic_file.h"
#include "trainer/distributed/distributed_setup.h"

namespace dibr {
namespace fs = std::filesystem;
namespace {

std::string mark_path(const std::string& run_dir) { return (fs::path(run_dir) / "writer.json").string(); }

std::optional<RunWriter> read_mark(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  try {
    const auto j = nlohmann::json::parse(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
    RunWriter w;
    w.host = j.value("host", std::string());
    w.pid = j.value("pid", 0L);
    w.world_size = j.value("world_size", 1);
    return w;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::string RunWriter::describe() const {
  return "dibr train (pid " + std::to_string(pid) + " on " + host + (world_size > 1 ? ", " + std::to_string(world_size) + " processes" : std::string()) + ")";
}

RunWriterMark::RunWriterMark(const std::string& run_dir, int world_size) : path_(mark_path(run_dir)) {
  const nlohmann::json j = {{"host", host_name()}, {"pid", static_cast<long>(getpid())}, {"world_size", world_size}};
  write_file_atomically(path_, j.dump() + "\n");
}

RunWriterMark::~RunWriterMark() {
  const auto mark = read_mark(path_);
  if (mark && mark->pid == getpid() && mark->host == host_name()) {
    std::error_code ec;
    fs::remove(path_, ec);
  }
}

std::optional<RunWriter> other_run_writer(const std::string& run_dir) {
  auto mark = read_mark(mark_path(run_dir));
  if (!mark) return std::nullopt;
  if (mark->host == host_name()) {
    if (mark->pid == getpid()) return std::nullopt;
    if (!process_alive(mark->pid)) return std::nullopt;  // stale
  }
  return mark;
}

}  // namespace dibr
