#pragma once
// <run>/writer.json: which process is training a run folder right now (host, pid, world size), so that another
// program (the studio) follows the run read-only instead of training it too. Written when a run starts, removed
// when it ends; a file left by a process that died on this host is recognised as stale.
#include <optional>
#include <string>

namespace dibr {

struct RunWriter {
  std::string host;
  long pid = 0;
  int world_size = 1;
  std::string describe() const;  // "dibr train (pid 1234 on host, 2 processes)"
};

// Marks run_dir as written by this process; the destructor removes the mark (if it is still ours).
class RunWriterMark {
 public:
  RunWriterMark(const std::string& run_dir, int world_size);
  ~RunWriterMark();
  RunWriterMark(const RunWriterMark&) = delete;
  RunWriterMark& operator=(const RunWriterMark&) = delete;

 private:
  std::string path_;
};

// The process that writes run_dir now, other than this one; nullopt when none (no mark, a stale mark of a dead
// process on this host, or this process's own mark).
std::optional<RunWriter> other_run_writer(const std::string& run_dir);

}  // namespace dibr
