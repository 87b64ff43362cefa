#include "app/thread_priority.h"

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#endif

namespace dibr::studio {

#ifdef __linux__
namespace {
// getpriority/setpriority with PRIO_PROCESS and a thread id address that one thread on Linux.
id_t this_thread_id() { return static_cast<id_t>(syscall(SYS_gettid)); }
}  // namespace

int this_thread_nice() {
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, this_thread_id());
  return errno == 0 ? nice : 0;
}

int lower_this_thread_priority(int nice) {
  if (nice > 19) nice = 19;
  if (nice > this_thread_nice()) setpriority(PRIO_PROCESS, this_thread_id(), nice);
  return this_thread_nice();
}
#else
int this_thread_nice() { return 0; }
int lower_this_thread_priority(int) { return 0; }
#endif

}  // namespace dibr::studio
