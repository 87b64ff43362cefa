#pragma once
// Files that a crash, a full disk or a concurrent reader never see half-written.
#include <string>

namespace dibr {

// Writes bytes to <path>.tmp with checked writes and fsync, then renames it over path and syncs the folder.
// On any error the temporary file is removed, path is untouched, and the std::runtime_error says what went wrong
// ("disk full", "file too large (disk quota or ulimit -f)", ...), naming the file.
void write_file_atomically(const std::string& path, const std::string& bytes);

// A write error in words: "disk full", "file too large", or strerror.
std::string io_error_text(int err);

}  // namespace dibr
