#include "trainer/device.h"

#include <torch/cuda.h>

#include <stdexcept>

namespace dibr {

c10::Device resolve_device(const std::string& name) {
  if (name == "auto") return torch::cuda::is_available() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    if (!torch::cuda::is_available())
      throw std::runtime_error("device \"" + name + "\" requested but no CUDA device is available (use auto or cpu)");
    if (name == "cuda") return c10::Device(c10::kCUDA, 0);
    try {
      const c10::Device d(name);
      if (d.index() >= static_cast<int>(torch::cuda::device_count()))
        throw std::runtime_error("device \"" + name + "\": only " + std::to_string(torch::cuda::device_count()) +
                                 " CUDA device(s) present");
      return d;
    } catch (const c10::Error&) {
    }
  }
  throw std::invalid_argument("unknown device \"" + name + "\" (expected auto, cpu, cuda or cuda:N)");
}

std::string describe_device(const c10::Device& device, const std::string& requested) {
  if (device.is_cpu()) {
    if (requested == "auto" && !torch::cuda::is_available()) return "the CPU (no CUDA device)";
    return "the CPU";
  }
  return device.str();
}

}  // namespace dibr
