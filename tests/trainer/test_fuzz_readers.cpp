// The file readers (npz/npy, PNG, OBJ, PLY) over thousands of seeded mutations of valid files: each call must
// return or throw a std::exception, never crash or read out of bounds. Bounded in count and time. The same source
// runs under AddressSanitizer and UndefinedBehaviorSanitizer as dibr_reader_fuzz_sanitized (tests/CMakeLists.txt).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>

#include "trainer/image_io.h"
#include "trainer/npz.h"
#include "trainer/obj_io.h"
#include "trainer/ply_io.h"

namespace dibr {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_all(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// One mutation of `in`: flipped bytes, extreme 16/32/64-bit fields (offsets, sizes, counts), truncation,
// insertion or a duplicated block.
std::string mutate(const std::string& in, std::mt19937_64& rng) {
  std::string s = in;
  if (s.empty()) return s;
  auto pos = [&] { return static_cast<size_t>(rng() % s.size()); };
  const int kind = static_cast<int>(rng() % 6);
  const int times = 1 + static_cast<int>(rng() % 4);
  for (int t = 0; t < times && !s.empty(); ++t) {
    switch (kind) {
      case 0: s[pos()] = static_cast<char>(rng()); break;
      case 1: {  // an extreme little-endian field
        static const uint64_t values[] = {0, 1, 0x7f, 0xff, 0xffff, 0x7fffffff, 0xffffffffu, 0xfffffffffffffff0ull,
                                          0xffffffffffffffffull, 1ull << 40};
        const uint64_t v = values[rng() % (sizeof values / sizeof values[0])];
        const size_t width = size_t{2} << (rng() % 3);
        const size_t at = pos();
        for (size_t k = 0; k < width && at + k < s.size(); ++k) s[at + k] = static_cast<char>((v >> (8 * k)) & 0xff);
        break;
      }
      case 2: s.resize(pos()); break;
      case 3: s.insert(pos(), std::string(1 + rng() % 16, static_cast<char>(rng()))); break;
      case 4: {
        const size_t at = pos(), n = std::min<size_t>(1 + rng() % 64, s.size() - at);
        s.insert(pos(), s.substr(at, n));
        break;
      }
      default: s[pos()] ^= static_cast<char>(1 << (rng() % 8)); break;
    }
  }
  return s;
}

// Runs `reader` over mutations of `valid` for at most `count` inputs or `seconds`; returns how many threw.
int fuzz(const std::string& valid, uint64_t seed, int count, double seconds, const std::function<void(const std::string&)>& reader) {
  std::mt19937_64 rng(seed);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int threw = 0, done = 0;
  for (; done < count && std::chrono::steady_clock::now() < deadline; ++done) {
    try {
      reader(mutate(valid, rng));
    } catch (const std::exception&) {
      ++threw;
    }
  }
  EXPECT_GT(done, 100) << "too few inputs tried to mean anything";
  return threw;
}

class FuzzReaders : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("dibr_fuzz_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  fs::path dir;
};

TEST_F(FuzzReaders, Npz) {
  write_npz((dir / "a.npz").string(), {{"points", torch::rand({40, 3})},
                                       {"world_mat_0", torch::eye(4, torch::kFloat64)},
                                       {"ids", torch::arange(7, torch::kInt64)}});
  const std::string valid = read_all(dir / "a.npz");
  ASSERT_EQ(read_npz_bytes(valid, "a.npz").size(), 3u);
  const auto only = read_npz_bytes(valid, "a.npz", {"points"});  // the other members are not inflated
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only.begin()->first, "points");
  const int threw = fuzz(valid, 1, 4000, 8.0, [](const std::string& b) { read_npz_bytes(b, "fuzz.npz"); });
  EXPECT_GT(threw, 0) << "no mutation was detected: the fuzzer tests nothing";
}

TEST_F(FuzzReaders, Png) {
  write_png((dir / "a.png").string(), (torch::rand({12, 9, 3}) * 255).to(torch::kUInt8));
  const std::string valid = read_all(dir / "a.png");
  ASSERT_EQ(decode_png(valid, "a.png").size(0), 12);
  const int threw = fuzz(valid, 2, 4000, 8.0, [](const std::string& b) { decode_png(b, "fuzz.png", 3); });
  EXPECT_GT(threw, 0);
}

TEST_F(FuzzReaders, Obj) {
  write_obj((dir / "a.obj").string(), torch::rand({6, 3}), torch::tensor({{0, 1, 2}, {2, 3, 4}, {4, 5, 0}}, torch::kLong),
            torch::rand({6, 3}));
  std::string valid = read_all(dir / "a.obj") + "f 1/1/1 2/2/2 3/3/3 4/4/4\nf -1 -2 -3\n";
  const fs::path file = dir / "fuzz.obj";
  const int threw = fuzz(valid, 3, 2000, 8.0, [&](const std::string& b) {
    write_all(file, b);
    read_obj(file.string());
  });
  EXPECT_GT(threw, 0);
}

TEST_F(FuzzReaders, Ply) {
  write_ply_points((dir / "a.ply").string(), torch::rand({30, 3}), torch::rand({30, 3}));
  const std::string valid = read_all(dir / "a.ply");
  const fs::path file = dir / "fuzz.ply";
  const int threw = fuzz(valid, 4, 2000, 8.0, [&](const std::string& b) {
    write_all(file, b);
    read_ply_points(file.string());
  });
  EXPECT_GT(threw, 0);
}

TEST(ReaderLimits, BombsAreRefusedBeforeAllocating) {
  const fs::path dir = fs::temp_directory_path() / ("dibr_bombs_" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  // A PNG header claiming 10000x10000: refused from its header, not decoded.
  write_png((dir / "small.png").string(), torch::zeros({4, 4, 1}, torch::kUInt8));
  std::string png = read_all(dir / "small.png");
  auto put_be32 = [&](size_t at, uint32_t v) {
    for (int k = 0; k < 4; ++k) png[at + k] = static_cast<char>((v >> (24 - 8 * k)) & 0xff);
  };
  put_be32(16, 10000);  // IHDR width
  put_be32(20, 10000);  // IHDR height
  try {
    decode_png(png, "bomb.png");
    FAIL() << "a 10000x10000 PNG was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("4096x4096 limit"), std::string::npos) << e.what();
  }
  // An npz member claiming 3.9 GB from 100 bytes: refused by its header fields.
  write_npz((dir / "a.npz").string(), {{"x", torch::zeros({16}, torch::kFloat32)}});
  std::string npz = read_all(dir / "a.npz");
  const size_t central = npz.find(std::string("PK\x01\x02", 4));
  ASSERT_NE(central, std::string::npos);
  auto put_le = [&](size_t at, uint32_t v, int bytes) {
    for (int k = 0; k < bytes; ++k) npz[at + k] = static_cast<char>((v >> (8 * k)) & 0xff);
  };
  put_le(central + 10, 8, 2);            // method: deflate
  put_le(central + 20, 100, 4);          // compressed
  put_le(central + 24, 0xF0000000u, 4);  // uncompressed: 3.9 GB
  try {
    read_npz_bytes(npz, "bomb.npz");
    FAIL() << "a member claiming 3.9 GB was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("limit"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dibr
