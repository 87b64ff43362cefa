#pragma once
// The one place a device name ("auto", "cpu", "cuda", "cuda:N") becomes a device: training, eval and inference.
#include <c10/core/Device.h>

#include <string>

namespace dibr {

// "auto" is CUDA device 0 when one is available, else the CPU. Throws std::runtime_error when CUDA is asked for and
// none is available, std::invalid_argument for a name that is not a device.
c10::Device resolve_device(const std::string& name);

// "the CPU (no CUDA device)", "the CPU" or "cuda:0": where training runs, for logs and the studio ("training on ...").
std::string describe_device(const c10::Device& device, const std::string& requested);

}  // namespace dibr
