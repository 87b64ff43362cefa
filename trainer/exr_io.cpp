#include "trainer/exr_io.h"

#include <torch/torch.h>

#include <stdexcept>

#ifdef DIBR_HAVE_OPENEXR
#include <OpenEXR/ImfChannelList.h>
#include <OpenEXR/ImfFrameBuffer.h>
#include <OpenEXR/ImfHeader.h>
#include <OpenEXR/ImfInputFile.h>
#include <OpenEXR/ImfOutputFile.h>
#include <Imath/ImathBox.h>
#endif

namespace dibr {

#ifdef DIBR_HAVE_OPENEXR

bool exr_supported() { return true; }

at::Tensor read_exr_channel(const std::string& path) {
  try {
    Imf::InputFile file(path.c_str());
    const Imath::Box2i window = file.header().dataWindow();
    const int64_t width = window.max.x - window.min.x + 1, height = window.max.y - window.min.y + 1;
    const Imf::ChannelList& channels = file.header().channels();
    std::string name;
    if (channels.findChannel("R")) name = "R";
    else if (channels.findChannel("Y")) name = "Y";
    else if (channels.begin() != channels.end()) name = channels.begin().name();
    else throw std::runtime_error("no channel");
    at::Tensor image = torch::empty({height, width}, torch::kFloat32);
    float* origin = image.data_ptr<float>() - window.min.x - window.min.y * width;
    Imf::FrameBuffer frame;
    frame.insert(name.c_str(), Imf::Slice(Imf::FLOAT, reinterpret_cast<char*>(origin), sizeof(float), sizeof(float) * width));
    file.setFrameBuffer(frame);
    file.readPixels(window.min.y, window.max.y);
    return image;
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": cannot read EXR: " + e.what());
  }
}

void write_exr_channel(const std::string& path, const at::Tensor& image_in) {
  TORCH_CHECK(image_in.dim() == 2, "write_exr_channel: image must be (H,W), got ", image_in.sizes());
  const at::Tensor image = image_in.to(torch::kCPU, torch::kFloat32).contiguous();
  const int width = static_cast<int>(image.size(1)), height = static_cast<int>(image.size(0));
  try {
    Imf::Header header(width, height);
    header.channels().insert("Y", Imf::Channel(Imf::FLOAT));
    Imf::OutputFile file(path.c_str(), header);
    Imf::FrameBuffer frame;
    frame.insert("Y", Imf::Slice(Imf::FLOAT, reinterpret_cast<char*>(const_cast<float*>(image.data_ptr<float>())),
                                 sizeof(float), sizeof(float) * width));
    file.setFrameBuffer(frame);
    file.writePixels(height);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": cannot write EXR: " + e.what());
  }
}

#else

namespace {
[[noreturn]] void unsupported(const std::string& path) {
  throw std::runtime_error(path + ": this build has no EXR support (install libopenexr-dev and rebuild)");
}
}  // namespace

bool exr_supported() { return false; }
at::Tensor read_exr_channel(const std::string& path) { unsupported(path); }
void write_exr_channel(const std::string& path, const at::Tensor&) { unsupported(path); }

#endif

}  // namespace dibr
