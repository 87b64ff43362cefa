#include <gtest/gtest.h>
#include <torch/torch.h>
#include <zlib.h>

#include <fstream>
#include <string>
#include <vector>

#include "nmr_fixture.h"
#include "trainer/npz.h"

namespace {

using dibr::test::TempDir;

void put16(std::string& b, uint32_t v) {
  b.push_back(static_cast<char>(v & 0xff));
  b.push_back(static_cast<char>((v >> 8) & 0xff));
}
void put32(std::string& b, uint32_t v) {
  put16(b, v & 0xffff);
  put16(b, v >> 16);
}

// An .npy built by hand (independent of the writer under test).
std::string npy(const std::string& descr, const std::string& shape, const void* data, size_t bytes,
                bool fortran = false, int major = 1) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': " + shape + ", }\n";
  std::string out = "\x93NUMPY";
  out.push_back(static_cast<char>(major));
  out.push_back(0);
  if (major == 1)
    put16(out, static_cast<uint32_t>(header.size()));
  else
    put32(out, static_cast<uint32_t>(header.size()));
  out += header;
  out.append(static_cast<const char*>(data), bytes);
  return out;
}

std::string raw_deflate(const std::string& in) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&s, in.size()), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

// A minimal zip writer for the tests: members stored (method 0) or deflated (method 8). zip64_local
// mimics numpy's np.savez (zipfile with force_zip64): local headers carry 0xFFFFFFFF sizes and a ZIP64
// extra field, the central directory the real 32-bit sizes.
void write_zip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& members, bool deflated,
               bool zip64_local = false) {
  std::string zip, central;
  for (const auto& [name, data] : members) {
    const std::string body = deflated ? raw_deflate(data) : data;
    const uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
    const uint32_t offset = static_cast<uint32_t>(zip.size());
    const uint32_t method = deflated ? 8 : 0;
    put32(zip, 0x04034b50);
    put16(zip, 20), put16(zip, 0), put16(zip, method), put16(zip, 0), put16(zip, 0);
    if (zip64_local) {
      put32(zip, crc), put32(zip, 0xffffffffu), put32(zip, 0xffffffffu);
      put16(zip, static_cast<uint32_t>(name.size())), put16(zip, 20);
      zip += name;
      put16(zip, 1), put16(zip, 16);
      put32(zip, static_cast<uint32_t>(data.size())), put32(zip, 0);
      put32(zip, static_cast<uint32_t>(body.size())), put32(zip, 0);
      zip += body;
    } else {
      put32(zip, crc), put32(zip, static_cast<uint32_t>(body.size())), put32(zip, static_cast<uint32_t>(data.size()));
      put16(zip, static_cast<uint32_t>(name.size())), put16(zip, 0);
      zip += name + body;
    }
    put32(central, 0x02014b50);
    put16(central, 20), put16(central, 20), put16(central, 0), put16(central, method), put16(central, 0), put16(central, 0);
    put32(central, crc), put32(central, static_cast<uint32_t>(body.size())), put32(central, static_cast<uint32_t>(data.size()));
    put16(central, static_cast<uint32_t>(name.size())), put16(central, 0), put16(central, 0);
    put16(central, 0), put16(central, 0), put32(central, 0), put32(central, offset);
    central += name;
  }
  const uint32_t cd = static_cast<uint32_t>(zip.size());
  zip += central;
  put32(zip, 0x06054b50);
  put16(zip, 0), put16(zip, 0), put16(zip, static_cast<uint32_t>(members.size())),
      put16(zip, static_cast<uint32_t>(members.size()));
  put32(zip, static_cast<uint32_t>(central.size())), put32(zip, cd), put16(zip, 0);
  std::ofstream(path, std::ios::binary).write(zip.data(), static_cast<std::streamsize>(zip.size()));
}

std::string expect_throw_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected std::runtime_error";
  return {};
}

void check_hand_built(bool deflated) {
  TempDir dir(deflated ? "npz_deflated" : "npz_stored");
  const std::vector<float> f32 = {1.5f, -2.0f, 3.25f, 0.0f, 1e-3f, 7.0f};
  const std::vector<double> f64 = {0.1, -0.2, 1e10};
  const std::vector<int64_t> i64 = {-5, 1LL << 40};
  const double scalar = 0.75;
  const auto file = (dir.path / "a.npz").string();
  write_zip(file,
            {{"f32.npy", npy("<f4", "(2, 3)", f32.data(), f32.size() * 4)},
             {"f64.npy", npy("<f8", "(3,)", f64.data(), f64.size() * 8, false, 2)},
             {"i64.npy", npy("<i8", "(2,)", i64.data(), i64.size() * 8)},
             {"scale.npy", npy("<f8", "()", &scalar, 8)}},
            deflated);
  const auto arrays = dibr::read_npz(file);
  ASSERT_EQ(arrays.size(), 4u);
  const auto& a = arrays.at("f32");
  ASSERT_EQ(a.scalar_type(), torch::kFloat32);
  ASSERT_EQ(a.sizes(), torch::IntArrayRef({2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(a.view({-1})[i].item<float>(), f32[i]);
  const auto& b = arrays.at("f64");
  ASSERT_EQ(b.scalar_type(), torch::kFloat64);
  ASSERT_EQ(b.sizes(), torch::IntArrayRef({3}));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b[i].item<double>(), f64[i]);
  EXPECT_EQ(arrays.at("i64")[1].item<int64_t>(), 1LL << 40);
  EXPECT_EQ(arrays.at("scale").dim(), 0);
  EXPECT_EQ(arrays.at("scale").item<double>(), 0.75);
}

TEST(Npz, ReadsStoredMembers) { check_hand_built(false); }

TEST(Npz, ReadsDeflatedMembers) { check_hand_built(true); }

TEST(Npz, ReadsLargeDeflatedFloat16Cloud) {
  TempDir dir("npz_f16");
  auto points = (torch::rand({5000, 3}) - 0.5).to(torch::kHalf).contiguous();
  const auto file = (dir.path / "pointcloud.npz").string();
  write_zip(file, {{"points.npy", npy("<f2", "(5000, 3)", points.data_ptr(), points.numel() * 2)}}, true);
  const auto arrays = dibr::read_npz(file);
  EXPECT_TRUE(torch::equal(arrays.at("points"), points));
}

TEST(Npz, ReadsNumpyStyleZip64LocalHeaders) {
  TempDir dir("npz_zip64");
  const std::vector<double> values = {1.0, 2.0, 3.0, 4.0};
  for (bool deflated : {false, true}) {
    const auto file = (dir.path / (deflated ? "d.npz" : "s.npz")).string();
    write_zip(file, {{"a.npy", npy("<f8", "(2, 2)", values.data(), 32)}, {"b.npy", npy("<f8", "(4,)", values.data(), 32)}},
              deflated, /*zip64_local=*/true);
    const auto arrays = dibr::read_npz(file);
    ASSERT_EQ(arrays.size(), 2u);
    EXPECT_EQ(arrays.at("a")[1][1].item<double>(), 4.0);
    EXPECT_EQ(arrays.at("b")[2].item<double>(), 3.0);
  }
}

TEST(Npz, RoundTripsAllTypes) {
  TempDir dir("npz_roundtrip");
  const std::map<std::string, at::Tensor> arrays = {
      {"f32", torch::randn({7, 3})},
      {"f64", torch::randn({4, 4}, torch::kFloat64)},
      {"i32", torch::randint(-100, 100, {5}, torch::kInt32)},
      {"i64", torch::randint(-100, 100, {2, 2, 2}, torch::kInt64)},
      {"u8", torch::randint(0, 255, {9}, torch::kUInt8)},
      {"b", torch::rand({6}) > 0.5},
      {"scalar", torch::tensor(1.0, torch::kFloat64).reshape({})},
      {"empty", torch::zeros({0, 3})},
  };
  const auto file = (dir.path / "r.npz").string();
  dibr::write_npz(file, arrays);
  const auto back = dibr::read_npz(file);
  ASSERT_EQ(back.size(), arrays.size());
  for (const auto& [k, v] : arrays) {
    ASSERT_TRUE(back.count(k)) << k;
    EXPECT_EQ(back.at(k).scalar_type(), v.scalar_type()) << k;
    EXPECT_EQ(back.at(k).sizes(), v.sizes()) << k;
    EXPECT_TRUE(torch::equal(back.at(k), v)) << k;
  }
}

TEST(Npz, WrittenHeaderIsNumpyStyle) {
  TempDir dir("npz_header");
  const auto file = (dir.path / "h.npz").string();
  dibr::write_npz(file, {{"points", torch::zeros({10, 3})}});
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto magic = bytes.find("\x93NUMPY");
  ASSERT_NE(magic, std::string::npos);
  const size_t header_len = static_cast<uint8_t>(bytes[magic + 8]) | (static_cast<uint8_t>(bytes[magic + 9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);  // data aligned as numpy does
  const auto header = bytes.substr(magic + 10, header_len);
  EXPECT_NE(header.find("'descr': '<f4'"), std::string::npos) << header;
  EXPECT_NE(header.find("'shape': (10, 3)"), std::string::npos) << header;
  EXPECT_EQ(header.back(), '\n');
}

TEST(Npz, ErrorsNameTheFileAndMember) {
  TempDir dir("npz_errors");
  const auto missing = (dir.path / "missing.npz").string();
  EXPECT_NE(expect_throw_message([&] { dibr::read_npz(missing); }).find(missing), std::string::npos);

  const auto garbage = (dir.path / "garbage.npz").string();
  std::ofstream(garbage) << std::string(100, 'x');
  const auto msg = expect_throw_message([&] { dibr::read_npz(garbage); });
  EXPECT_NE(msg.find(garbage), std::string::npos) << msg;

  const auto bad_magic = (dir.path / "bad_magic.npz").string();
  write_zip(bad_magic, {{"x.npy", std::string("NOTNUMPY") + std::string(40, ' ')}}, false);
  const auto msg2 = expect_throw_message([&] { dibr::read_npz(bad_magic); });
  EXPECT_NE(msg2.find("x.npy"), std::string::npos) << msg2;
  EXPECT_NE(msg2.find("magic"), std::string::npos) << msg2;

  const float data[4] = {1, 2, 3, 4};
  const auto fortran = (dir.path / "fortran.npz").string();
  write_zip(fortran, {{"m.npy", npy("<f4", "(2, 2)", data, 16, true)}}, false);
  const auto msg3 = expect_throw_message([&] { dibr::read_npz(fortran); });
  EXPECT_NE(msg3.find("fortran"), std::string::npos) << msg3;
  EXPECT_NE(msg3.find(fortran), std::string::npos) << msg3;

  const auto big_endian = (dir.path / "be.npz").string();
  write_zip(big_endian, {{"m.npy", npy(">f4", "(4,)", data, 16)}}, false);
  EXPECT_NE(expect_throw_message([&] { dibr::read_npz(big_endian); }).find(">f4"), std::string::npos);

  const auto truncated = (dir.path / "trunc.npz").string();
  write_zip(truncated, {{"m.npy", npy("<f4", "(8,)", data, 16)}}, true);
  EXPECT_NE(expect_throw_message([&] { dibr::read_npz(truncated); }).find("truncated"), std::string::npos);
}

}  // namespace
