#pragma once
// What an exception says, in words: LibTorch's c10::Error without its C++ backtrace (which is for developers and
// would otherwise land in messages, problems.txt and reports).
#include <c10/util/Exception.h>

#include <exception>
#include <string>

namespace dibr {

inline std::string error_text(const std::exception& e) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) return c10_error->what_without_backtrace();
  return e.what();
}

}  // namespace dibr
