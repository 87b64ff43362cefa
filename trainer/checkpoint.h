#pragma once
// Training checkpoints: one torch::serialize archive holding the model, the optimiser, the step,
// the RNG states, the loader position, the config JSON and the method, written atomically: serialised in memory,
// written to <file>.tmp with checked writes and fsync, renamed, folder synced. A small sidecar <file>.json
// ({step, loss, method, bytes}) lets run folders be listed without loading the archives; it is written first and
// trusted only when the archive has its size.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <vector>

#include "trainer/training_types.h"

namespace torch {
namespace nn {
class Module;
}
namespace optim {
class Optimizer;
}
}  // namespace torch

namespace dibr {

struct CheckpointMeta {
  int64_t step = 0;
  double loss = 0;             // total loss of the last step
  int64_t batches_drawn = 0;   // loader position
  std::string config_json;
  std::string method = "dibr";  // the method whose network the archive holds (absent before the method seam: dibr)
  int world_size = 1;          // processes of the run that wrote it (absent before distributed training: 1)
  at::Tensor cpu_rng_state;    // torch default CPU generator
  at::Tensor cuda_rng_state;   // undefined when CUDA was not available
};

// Writes path atomically; on any failure (a full disk included) the temporary file is removed, the previous file at
// path is left untouched, and std::runtime_error says what happened ("disk full while writing ...; the previous
// checkpoint at step N is intact"). optimizer may be null (weights only).
void save_checkpoint(const std::string& path, torch::nn::Module& model, const torch::optim::Optimizer* optimizer,
                     const CheckpointMeta& meta);

// Loads into model (and optimizer when given), mapping the stored tensors to device (that of the model),
// then returns the metadata (RNG states on the CPU). model/optimizer may be null to read the metadata only.
// Throws std::runtime_error naming the file.
CheckpointMeta load_checkpoint(const std::string& path, torch::nn::Module* model, torch::optim::Optimizer* optimizer,
                               const c10::Device& device = c10::Device(c10::DeviceType::CPU));

// Checkpoints under a run folder (latest.pt and step_*.pt), sorted by step, then path (latest.pt before step_N.pt of the
// same step). Files that are not readable checkpoints are left out.
std::vector<CheckpointInfo> list_checkpoints(const std::string& run_dir);

// What a resumed run continues from: <run_dir>/latest.pt, or when it is missing or unreadable the newest step_N.pt
// that reads; empty when the folder holds no checkpoint.
std::string resume_checkpoint(const std::string& run_dir);

// The generator states to store / restore (CPU always, CUDA when available).
void capture_rng_state(CheckpointMeta& meta);
void restore_rng_state(const CheckpointMeta& meta);

}  // namespace dibr
