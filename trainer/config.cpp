#include "trainer/config.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace dibr {

TrainConfig TrainConfig::from_preset(const std::string& name) {
  TrainConfig c;
  c.preset = name;
  if (name == "quick") {
    // Must visibly learn within minutes on a 2-core CPU with the built-in sample: 32^2 renders,
    // 4 objects x 2 views, and lr 3e-4 (3x the paper's; stable here because the batch is tiny and the
    // decoder starts from the sphere, alpha = 0). The decoder is 64 wide instead of 256: at 256 its
    // 642-vertex GEMMs cost ~16x more than the rest of the step on the CPU (measured, see report).
    c.out_dir = "runs/quick";
    c.image_size = 32;
    c.decoder_hidden = 64;
    c.batch_objects = 4;
    c.views_per_object = 2;
    c.learning_rate = 3e-4;
    c.lr_decay_step = 400;
    c.lr_decay = 0.5;
    c.max_steps = 800;
    c.checkpoint_every = 100;
    c.keep_every = 200;
    c.snapshot_every = 10;
    c.loader_workers = 1;
    c.device = "auto";
  } else if (name == "paper") {
    // The reference DIB-R setup: 224^2 renders, 32 objects x 2 views, Adam 1e-4 halved every 400k steps.
    c.out_dir = "runs/paper";
    c.image_size = 224;
    c.decoder_hidden = 256;
    c.batch_objects = 32;
    c.views_per_object = 2;
    c.learning_rate = 1e-4;
    c.lr_decay_step = 400000;
    c.lr_decay = 0.5;
    c.max_steps = 500000;
    c.checkpoint_every = 1000;
    c.keep_every = 50000;
    c.snapshot_every = 50;
    c.loader_workers = 4;
    c.device = "auto";
  } else {
    throw std::invalid_argument("TrainConfig::from_preset: unknown preset '" + name +
                                "' (expected \"quick\" or \"paper\")");
  }
  return c;
}

namespace {

// One list of fields drives both directions, so a new field cannot be forgotten in one of them.
template <typename Config, typename Visitor>
void visit_fields(Config& c, Visitor&& v) {
  v("preset", c.preset);
  v("data_root", c.data_root);
  v("classes", c.classes);
  v("out_dir", c.out_dir);
  v("device", c.device);
  v("image_size", c.image_size);
  v("decoder_hidden", c.decoder_hidden);
  v("batch_objects", c.batch_objects);
  v("views_per_object", c.views_per_object);
  v("learning_rate", c.learning_rate);
  v("lr_decay_step", c.lr_decay_step);
  v("lr_decay", c.lr_decay);
  v("max_steps", c.max_steps);
  v("weight_color", c.weight_color);
  v("weight_iou", c.weight_iou);
  v("weight_laplacian", c.weight_laplacian);
  v("weight_flatten", c.weight_flatten);
  v("sigmainv", c.sigmainv);
  v("boxlen", c.boxlen);
  v("knum", c.knum);
  v("checkpoint_every", c.checkpoint_every);
  v("keep_every", c.keep_every);
  v("snapshot_every", c.snapshot_every);
  v("preview_count", c.preview_count);
  v("loader_workers", c.loader_workers);
  v("num_threads", c.num_threads);
  v("seed", c.seed);
  v("pretrained_encoder", c.pretrained_encoder);
}

}  // namespace

TrainConfig TrainConfig::with_preset(const std::string& name) const {
  const TrainConfig old_defaults = from_preset(preset);
  TrainConfig next = from_preset(name);
  nlohmann::json changed = nlohmann::json::object();
  visit_fields(*this, [&](const char* key, const auto& value) { changed[key] = value; });
  visit_fields(old_defaults, [&](const char* key, const auto& value) {
    if (changed[key] == nlohmann::json(value)) changed.erase(key);
  });
  changed.erase("preset");
  visit_fields(next, [&](const char* key, auto& value) {
    if (auto it = changed.find(key); it != changed.end()) it->get_to(value);
  });
  return next;
}

std::string TrainConfig::to_json() const {
  nlohmann::ordered_json j;
  visit_fields(*this, [&](const char* key, const auto& value) { j[key] = value; });
  return j.dump(2);
}

TrainConfig TrainConfig::from_json(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(std::string("TrainConfig::from_json: invalid JSON: ") + e.what());
  }
  if (!j.is_object()) throw std::invalid_argument("TrainConfig::from_json: expected a JSON object");

  // Keys that are absent keep the value of the named preset (or the defaults without one).
  TrainConfig c;
  if (j.contains("preset")) {
    if (!j["preset"].is_string()) throw std::invalid_argument("TrainConfig::from_json: 'preset' must be a string");
    c = from_preset(j["preset"].get<std::string>());
  }

  size_t known = 0;
  visit_fields(c, [&](const char* key, auto& value) {
    auto it = j.find(key);
    if (it == j.end()) return;
    ++known;
    try {
      it->get_to(value);
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument(std::string("TrainConfig::from_json: bad value for '") + key + "': " + e.what());
    }
  });
  if (known != j.size()) {
    TrainConfig probe;
    for (auto it = j.begin(); it != j.end(); ++it) {
      bool found = false;
      visit_fields(probe, [&](const char* key, auto&) { found = found || it.key() == key; });
      if (!found) throw std::invalid_argument("TrainConfig::from_json: unknown key '" + it.key() + "'");
    }
  }
  return c;
}

}  // namespace dibr
