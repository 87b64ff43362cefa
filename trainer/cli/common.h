#pragma once
// Helpers shared by the `dibr` subcommands.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trainer/dataset.h"

#include "trainer/progress_line.h"

namespace dibr::cli {

// Ctrl-C (and SIGTERM, SIGHUP: job schedulers, docker stop, a closed terminal) for long jobs: the first signal sets
// flag() so the job can stop cleanly (and write what it
// must); a second SIGINT ends the process at once with status 130. The previous handler is restored on exit.
class InterruptHandler {
 public:
  InterruptHandler();
  ~InterruptHandler();
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;
  const std::atomic<bool>& flag() const;
  bool requested() const { return flag().load(); }
};

// --data: opens the dataset (an explicit folder must be one: clear error otherwise); empty means the built-in
// sample, generated on first use with a progress line. Prints which data is used, so the user knows where it lives
// (unless quiet: a distributed run's ranks other than 0).
std::shared_ptr<const Dataset> open_data(const std::string& data_flag, const char* command, bool quiet = false);

// The program's command line as main() received it (the launcher passes it on to its workers).
void set_program_arguments(int argc, char** argv);
const std::vector<std::string>& program_arguments();

// Writes text to path (parent folders created). Throws std::runtime_error naming the file.
void write_text_file(const std::string& path, const std::string& text);

// Prints "N problems:" and the first `limit` of them to stderr; returns how many there were.
size_t print_problems(const std::string& title, const std::vector<std::string>& problems, size_t limit = 20);

// A done/total callback that shows "<prefix>: object i/n | rate | ETA" on `line`.
std::function<void(int, int)> object_progress(ProgressLine& line, const std::string& prefix);

}  // namespace dibr::cli
