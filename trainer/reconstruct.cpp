#include "trainer/reconstruct.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "render/camera.h"
#include "trainer/error_text.h"
#include "trainer/gif_writer.h"
#include "trainer/image_io.h"
#include "trainer/user_image.h"

namespace fs = std::filesystem;

namespace dibr {
namespace {

namespace F = torch::nn::functional;

struct Box {
  int64_t x0 = 0, y0 = 0, x1 = -1, y1 = -1;  // inclusive
  bool empty() const { return x1 < x0 || y1 < y0; }
};

Box box_of(const at::Tensor& mask) {
  const at::Tensor on = mask > 0.5;
  const at::Tensor rows = on.any(1), cols = on.any(0);
  Box b;
  if (!rows.any().item<bool>()) return b;
  const at::Tensor ys = rows.nonzero(), xs = cols.nonzero();
  b.y0 = ys.min().item<int64_t>();
  b.y1 = ys.max().item<int64_t>();
  b.x0 = xs.min().item<int64_t>();
  b.x1 = xs.max().item<int64_t>();
  return b;
}

at::Tensor resize(const at::Tensor& chw, int64_t h, int64_t w) {
  const bool shrink = h <= chw.size(1) && w <= chw.size(2);
  auto options = F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w});
  if (shrink) options.mode(torch::kArea);
  else options.mode(torch::kBilinear).align_corners(false);
  return F::interpolate(chw.unsqueeze(0), options).squeeze(0);
}

std::string hex_colour(const at::Tensor& rgb) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(std::lround(rgb[0].item<double>() * 255)),
                static_cast<int>(std::lround(rgb[1].item<double>() * 255)), static_cast<int>(std::lround(rgb[2].item<double>() * 255)));
  return buf;
}

// The cropped input with the mask's outline in red, enlarged (nearest) to at least 128 pixels.
at::Tensor outlined(const FramedInput& in) {
  const at::Tensor m = (in.mask > 0.5).to(torch::kFloat32).unsqueeze(0).unsqueeze(0);
  const at::Tensor eroded = -F::max_pool2d(-m, F::MaxPool2dFuncOptions(3).stride(1).padding(1));
  const at::Tensor edge = (m - eroded).squeeze(0).squeeze(0) > 0.5;
  at::Tensor img = in.image.clone();
  img[0].masked_fill_(edge, 1.0);
  img[1].masked_fill_(edge, 0.0);
  img[2].masked_fill_(edge, 0.0);
  const int64_t k = std::max<int64_t>(1, 128 / img.size(1));
  img = img.repeat_interleave(k, 1).repeat_interleave(k, 2);
  return img.permute({1, 2, 0}).contiguous();
}

}  // namespace

Framing measure_framing(const Dataset& dataset, int samples) {
  Framing f;
  double fill_sum = 0, count = 0;
  at::Tensor bg_sum = torch::zeros({3}, torch::kFloat64);
  double bg_count = 0;
  for (const auto& object : dataset.train.objects) {
    if (count >= samples) break;
    for (int view : {0, 12}) {
      try {
        const ViewData v = load_view(object, view, 0);
        const at::Tensor mask = v.mask[0];
        const Box b = box_of(mask);
        if (b.empty()) continue;
        fill_sum += static_cast<double>(std::max(b.x1 - b.x0 + 1, b.y1 - b.y0 + 1)) / mask.size(0);
        ++count;
        const at::Tensor outside = mask < 0.01;
        const int64_t n = outside.sum().item<int64_t>();
        if (n > 0) {
          bg_sum += v.image.masked_select(outside.unsqueeze(0).expand_as(v.image)).view({3, -1}).sum(1).to(torch::kFloat64);
          bg_count += static_cast<double>(n);
        }
      } catch (const std::exception&) {
        // A broken training view says nothing about the framing.
      }
    }
  }
  if (count > 0) f.fill = fill_sum / count;
  f.background = bg_count > 0 ? (bg_sum / bg_count).to(torch::kFloat32) : torch::ones({3});
  return f;
}

ImageMask find_object_mask(const std::string& path, const at::Tensor& rgb, const at::Tensor& alpha, bool has_alpha,
                           const MaskOptions& options) {
  ImageMask out;
  const int64_t h = rgb.size(1), w = rgb.size(2);
  if (has_alpha && alpha.min().item<float>() < 0.95f && alpha.max().item<float>() > 0.05f) {
    out.mask = alpha;
    out.source = "alpha channel";
  } else if (!options.mask_file.empty()) {
    const at::Tensor m = read_user_mask(options.mask_file);
    if (m.size(0) != h || m.size(1) != w)
      throw std::runtime_error(options.mask_file + ": the mask is " + std::to_string(m.size(1)) + "x" + std::to_string(m.size(0)) +
                               " but " + path + " is " + std::to_string(w) + "x" + std::to_string(h));
    out.mask = (m > 0.5).to(torch::kFloat32);
    out.source = "mask file " + options.mask_file;
  } else {
    // The background is the border's median colour; what differs from it by more than the threshold is object.
    const int64_t k = std::min<int64_t>(2, std::min(h, w));
    const at::Tensor border = torch::cat({rgb.slice(1, 0, k).reshape({3, -1}), rgb.slice(1, h - k, h).reshape({3, -1}),
                                          rgb.slice(2, 0, k).reshape({3, -1}), rgb.slice(2, w - k, w).reshape({3, -1})},
                                         1);
    const at::Tensor bg = std::get<0>(border.median(1));
    const at::Tensor diff = std::get<0>((rgb - bg.view({3, 1, 1})).abs().max(0));
    out.mask = (diff > options.bg_threshold).to(torch::kFloat32);
    char t[32];
    std::snprintf(t, sizeof t, "%.3g", options.bg_threshold);
    out.source = "background " + hex_colour(bg) + " (threshold " + t + ")";
  }
  const double covered = (out.mask > 0.5).to(torch::kFloat64).mean().item<double>();
  const int64_t pixels = (out.mask > 0.5).sum().item<int64_t>();
  if (pixels < 16 || covered > 0.995) {
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.1f%%", covered * 100);
    throw std::runtime_error(path + ": no object found: try --mask or --bg-threshold (the mask from the " + out.source +
                             " covers " + pct + " of the image)");
  }
  return out;
}

FramedInput frame_object(const at::Tensor& rgb, const at::Tensor& mask, const Framing& framing, int size) {
  const Box b = box_of(mask);
  if (b.empty()) throw std::runtime_error("frame_object: empty mask");
  const int64_t h = rgb.size(1), w = rgb.size(2);
  const double side = std::max(b.x1 - b.x0 + 1, b.y1 - b.y0 + 1) / std::clamp(framing.fill, 0.05, 1.0);
  const double cx = (b.x0 + b.x1 + 1) * 0.5, cy = (b.y0 + b.y1 + 1) * 0.5;
  const double x_lo = cx - side / 2, y_lo = cy - side / 2, scale = size / side;
  // Crop first (clamped to the image), then resize only the crop: memory stays bounded by the picture.
  const int64_t sx0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(x_lo)));
  const int64_t sy0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(y_lo)));
  const int64_t sx1 = std::min<int64_t>(w, static_cast<int64_t>(std::ceil(x_lo + side)));
  const int64_t sy1 = std::min<int64_t>(h, static_cast<int64_t>(std::ceil(y_lo + side)));
  const int64_t tw = std::max<int64_t>(1, std::llround((sx1 - sx0) * scale));
  const int64_t th = std::max<int64_t>(1, std::llround((sy1 - sy0) * scale));
  const at::Tensor both = torch::cat({rgb, mask.unsqueeze(0)}, 0).slice(1, sy0, sy1).slice(2, sx0, sx1);
  const at::Tensor resized = resize(both, th, tw);
  const int64_t ox = std::llround((sx0 - x_lo) * scale), oy = std::llround((sy0 - y_lo) * scale);

  at::Tensor canvas = torch::zeros({4, size, size});
  const int64_t dx0 = std::max<int64_t>(0, ox), dy0 = std::max<int64_t>(0, oy);
  const int64_t dx1 = std::min<int64_t>(size, ox + tw), dy1 = std::min<int64_t>(size, oy + th);
  if (dx1 > dx0 && dy1 > dy0)
    canvas.slice(1, dy0, dy1).slice(2, dx0, dx1).copy_(resized.slice(1, dy0 - oy, dy1 - oy).slice(2, dx0 - ox, dx1 - ox));
  FramedInput out;
  out.mask = canvas[3].clamp(0, 1);
  const at::Tensor bg = framing.background.defined() ? framing.background : torch::ones({3});
  out.image = (canvas.slice(0, 0, 3) * out.mask + bg.view({3, 1, 1}) * (1 - out.mask)).clamp(0, 1).contiguous();
  return out;
}

Reconstructor::Reconstructor(const std::string& checkpoint, const std::string& device, const ReconstructOptions& options,
                             std::shared_ptr<const Dataset> framing_from)
    : options_(options), model_(checkpoint, device) {
  if (options_.turntable_views < 1 || options_.turntable_views > 360)
    throw std::invalid_argument("turntable views must be in [1, 360], got " + std::to_string(options_.turntable_views));
  if (options_.fill > 0) {
    if (options_.fill > 1) throw std::invalid_argument("--fill must be in (0, 1], got " + std::to_string(options_.fill));
    framing_.fill = options_.fill;
    framing_.background = torch::ones({3});
    if (framing_from) framing_.background = measure_framing(*framing_from, 8).background;
    return;
  }
  if (!framing_from) {
    try {
      framing_from = open_dataset(model_.config().data.root);
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot measure the framing of the training data (" + error_text(e) +
                               "): give --data DIR or --fill F");
    }
  }
  framing_ = measure_framing(*framing_from);
}

ReconstructedImage Reconstructor::reconstruct(const std::string& image_path, const std::string& name) {
  ReconstructedImage r;
  r.image_path = image_path;
  r.name = name;
  try {
    const UserImage img = read_user_image(image_path);
    const ImageMask mask = find_object_mask(image_path, img.rgb, img.alpha, img.has_alpha, options_.mask);
    r.mask_source = mask.source;
    const int size = model_.config().data.image_size;
    r.input = frame_object(img.rgb, mask.mask, framing_, size);
    r.prediction = model_.predict(r.input.image.unsqueeze(0)).prediction.to_cpu();

    const int views = options_.turntable_views, render_size = std::max(size, 128);
    std::vector<at::Tensor> mats;
    for (int i = 0; i < views; ++i) mats.push_back(nmr_world_mat(360.0 * i / views));
    const RenderedViews turn = model_.render(r.prediction, torch::cat(mats), torch::full({views}, focal_from_fovy(kNmrFovyDegrees)),
                                             render_size);
    const at::Tensor sil = turn.silhouettes.to(torch::kCPU).unsqueeze(1);
    const at::Tensor colour = turn.images.defined() ? turn.images.to(torch::kCPU) : torch::full_like(sil.expand({-1, 3, -1, -1}), 0.6);
    const at::Tensor frames = (colour * sil + (1 - sil)).clamp(0, 1).permute({0, 2, 3, 1}).contiguous();  // (N,R,R,3)
    r.turntable = torch::cat(frames.unbind(0), 1);

    if (!options_.out_dir.empty()) {
      fs::create_directories(options_.out_dir);
      const fs::path stem = fs::path(options_.out_dir) / name;
      r.prediction_path = stem.string() + export_extension(r.prediction.kind);
      write_prediction(r.prediction, 0, r.prediction_path);
      r.input_png = stem.string() + "_input.png";
      write_png(r.input_png, outlined(r.input));
      r.turntable_png = stem.string() + "_turntable.png";
      write_png(r.turntable_png, r.turntable);
      r.turntable_gif = stem.string() + "_turntable.gif";
      write_gif(r.turntable_gif, frames.unbind(0), 100 / std::max(1, std::min(views, 25)));
    }
  } catch (const std::exception& e) {
    r.error = error_text(e);
  }
  return r;
}

std::vector<ReconstructedImage> Reconstructor::reconstruct_all(const std::vector<std::string>& paths) {
  std::vector<ReconstructedImage> out;
  std::map<std::string, int> used;
  const int total = static_cast<int>(paths.size());
  if (options_.progress) options_.progress(0, total);
  for (const auto& path : paths) {
    std::string name = fs::path(path).stem().string();
    if (name.empty()) name = "image";
    if (const int n = ++used[name]; n > 1) name += "_" + std::to_string(n);
    out.push_back(reconstruct(path, name));
    if (options_.progress) options_.progress(static_cast<int>(out.size()), total);
  }
  return out;
}

}  // namespace dibr
