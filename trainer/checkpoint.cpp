#include "trainer/checkpoint.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <fstream>
#include <regex>
#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "trainer/atomic_file.h"

namespace dibr {
namespace fs = std::filesystem;

namespace {

// "; the previous checkpoint at step N is intact" when path already holds one.
std::string previous_checkpoint_note(const std::string& path) {
  std::ifstream sidecar(path + ".json");
  if (sidecar) {
    try {
      return "; the previous checkpoint at step " + std::to_string(nlohmann::json::parse(sidecar).at("step").get<int64_t>()) +
             " (" + path + ") is intact";
    } catch (const std::exception&) {
    }
  }
  std::error_code ec;
  return fs::is_regular_file(path, ec) ? "; the previous " + path + " is intact" : std::string();
}

}  // namespace

void capture_rng_state(CheckpointMeta& meta) {
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    meta.cpu_rng_state = gen.get_state();
  }
  if (torch::cuda::is_available()) {
    auto gen = at::globalContext().defaultGenerator(at::Device(at::kCUDA));
    std::lock_guard<std::mutex> lock(gen.mutex());
    meta.cuda_rng_state = gen.get_state();
  }
}

void restore_rng_state(const CheckpointMeta& meta) {
  if (meta.cpu_rng_state.defined()) {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(meta.cpu_rng_state);
  }
  if (meta.cuda_rng_state.defined() && torch::cuda::is_available()) {
    auto gen = at::globalContext().defaultGenerator(at::Device(at::kCUDA));
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(meta.cuda_rng_state);
  }
}

void save_checkpoint(const std::string& path, torch::nn::Module& model, const torch::optim::Optimizer* optimizer,
                     const CheckpointMeta& meta) {
  // Serialised in memory first: LibTorch's file writer throws again from its destructor on a write error (a full
  // disk ended the process with SIGABRT), while a memory sink never fails.
  std::string bytes;
  try {
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive model_archive;
    model.save(model_archive);
    archive.write("model", model_archive);
    if (optimizer) {
      torch::serialize::OutputArchive optimizer_archive;
      optimizer->save(optimizer_archive);
      archive.write("optimizer", optimizer_archive);
    }
    archive.write("step", torch::tensor(meta.step, torch::kInt64));
    archive.write("loss", torch::tensor(meta.loss, torch::kFloat64));
    archive.write("batches_drawn", torch::tensor(meta.batches_drawn, torch::kInt64));
    archive.write("config_json", c10::IValue(meta.config_json));
    archive.write("method", c10::IValue(meta.method));
    archive.write("world_size", torch::tensor(static_cast<int64_t>(meta.world_size), torch::kInt64));
    if (meta.cpu_rng_state.defined()) archive.write("cpu_rng_state", meta.cpu_rng_state);
    if (meta.cuda_rng_state.defined()) archive.write("cuda_rng_state", meta.cuda_rng_state.cpu());
    archive.save_to([&bytes](const void* data, size_t n) {
      bytes.append(static_cast<const char*>(data), n);
      return n;
    });
  } catch (const c10::Error& e) {
    throw std::runtime_error("cannot serialise checkpoint " + path + ": " + e.what_without_backtrace());
  }
  // The sidecar (step, loss, method, archive size) goes first; list_checkpoints trusts it only when the archive
  // beside it has that size, so a crash between the two renames cannot make them disagree.
  const nlohmann::json sidecar = {{"step", meta.step}, {"loss", meta.loss}, {"method", meta.method}, {"bytes", bytes.size()}};
  const std::string note = previous_checkpoint_note(path);
  try {
    write_file_atomically(path + ".json", sidecar.dump() + "\n");
    write_file_atomically(path, bytes);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + note);
  }
}

CheckpointMeta load_checkpoint(const std::string& path, torch::nn::Module* model, torch::optim::Optimizer* optimizer,
                               const c10::Device& device) {
  if (!fs::is_regular_file(path)) throw std::runtime_error("checkpoint not found: " + path);
  CheckpointMeta meta;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path, device);
    auto read_tensor = [&](const char* key) {
      at::Tensor t;  // fresh each time: reading into a defined tensor would set_() it in place
      archive.read(key, t);
      return t;
    };
    meta.step = read_tensor("step").item<int64_t>();
    meta.loss = read_tensor("loss").item<double>();
    meta.batches_drawn = read_tensor("batches_drawn").item<int64_t>();
    c10::IValue config;
    archive.read("config_json", config);
    meta.config_json = config.toStringRef();
    c10::IValue method;
    if (archive.try_read("method", method) && method.isString()) meta.method = method.toStringRef();
    if (at::Tensor world; archive.try_read("world_size", world)) meta.world_size = static_cast<int>(world.item<int64_t>());
    at::Tensor cpu_state, cuda_state;
    if (archive.try_read("cpu_rng_state", cpu_state)) meta.cpu_rng_state = cpu_state.cpu();
    if (archive.try_read("cuda_rng_state", cuda_state)) meta.cuda_rng_state = cuda_state.cpu();
    if (model) {
      torch::serialize::InputArchive model_archive;
      archive.read("model", model_archive);
      // Module::load replaces tensors without comparing shapes, so a checkpoint of another network
      // would load and then fail deep inside the forward pass: compare before and after.
      std::vector<std::pair<std::string, std::vector<int64_t>>> expected;
      for (const auto& item : model->named_parameters()) expected.emplace_back(item.key(), item.value().sizes().vec());
      for (const auto& item : model->named_buffers()) expected.emplace_back(item.key(), item.value().sizes().vec());
      model->load(model_archive);
      std::size_t index = 0;
      auto check = [&](const std::string& name, const at::Tensor& loaded) {
        const auto& want = expected[index++].second;
        if (loaded.sizes().vec() != want) {
          throw std::runtime_error("'" + name + "' has shape " + c10::str(loaded.sizes()) + " but this network needs " +
                                   c10::str(c10::IntArrayRef(want)) +
                                   " (the checkpoint was written by a different network or configuration)");
        }
      };
      for (const auto& item : model->named_parameters()) check(item.key(), item.value());
      for (const auto& item : model->named_buffers()) check(item.key(), item.value());
    }
    if (optimizer) {
      torch::serialize::InputArchive optimizer_archive;
      if (!archive.try_read("optimizer", optimizer_archive)) {
        throw std::runtime_error("it holds no optimiser state (weights-only checkpoint)");
      }
      optimizer->load(optimizer_archive);
    }
  } catch (const c10::Error& e) {
    throw std::runtime_error("cannot load checkpoint " + path + ": " + e.what_without_backtrace());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("cannot load checkpoint " + path + ": " + e.what());
  }
  return meta;
}

std::vector<CheckpointInfo> list_checkpoints(const std::string& run_dir) {
  std::vector<CheckpointInfo> result;
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) return result;
  static const std::regex name(R"(latest\.pt|step_\d+\.pt)");
  for (const auto& entry : fs::directory_iterator(run_dir, ec)) {
    const std::string filename = entry.path().filename().string();
    if (!entry.is_regular_file() || !std::regex_match(filename, name)) continue;
    CheckpointInfo info;
    info.path = entry.path().string();
    bool have = false;
    std::ifstream sidecar(info.path + ".json");
    if (sidecar) {
      try {
        auto j = nlohmann::json::parse(sidecar);
        info.step = j.at("step").get<int64_t>();
        info.loss = j.at("loss").get<double>();
        info.method = j.value("method", std::string("dibr"));
        std::error_code size_ec;
        have = !j.contains("bytes") || j.at("bytes").get<uint64_t>() == fs::file_size(info.path, size_ec);
      } catch (const std::exception&) {
      }
    }
    if (!have) {
      try {
        auto meta = load_checkpoint(info.path, nullptr, nullptr);
        info.step = meta.step;
        info.loss = meta.loss;
        info.method = meta.method;
      } catch (const std::exception&) {
        continue;  // not a checkpoint of ours (or being written)
      }
    }
    result.push_back(info);
  }
  std::sort(result.begin(), result.end(), [](const CheckpointInfo& a, const CheckpointInfo& b) {
    return a.step != b.step ? a.step < b.step : a.path < b.path;
  });
  return result;
}

std::string resume_checkpoint(const std::string& run_dir) {
  const std::string latest = (fs::path(run_dir) / "latest.pt").string();
  const std::vector<CheckpointInfo> list = list_checkpoints(run_dir);
  for (const auto& c : list)
    if (c.path == latest) return latest;
  return list.empty() ? std::string() : list.back().path;
}

}  // namespace dibr
