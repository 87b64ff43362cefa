#pragma once
// The studio's training thread yields the CPU to the window: on a 2-core laptop the trainer and the software GL
// rasterizer otherwise share the cores evenly and the window drops below 30 frames a second while the user
// interacts (BENCHMARKS.md). Lowering the trainer's priority costs it little when the window is idle, because the
// window then draws at most training_fps frames a second.

namespace dibr::studio {

// Gives the calling thread the nice value `nice` (0..19) when that lowers its priority; threads it creates
// afterwards inherit it (Linux keeps a nice value per thread). Never raises a priority. Returns the calling
// thread's nice value afterwards; 0 where the platform has no per-thread nice value.
int lower_this_thread_priority(int nice);

// The calling thread's nice value (0 where the platform has no per-thread nice value).
int this_thread_nice();

}  // namespace dibr::studio
