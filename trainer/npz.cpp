#include "trainer/npz.h"

#include <torch/torch.h>

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace dibr {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& member, const std::string& what) {
  std::string where = "npz: " + path;
  if (!member.empty()) where += " [" + member + "]";
  throw std::runtime_error(where + ": " + what);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "", "cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail(path, "", "read error");
  return ss.str();
}

// at + n <= size without overflow (offsets and sizes come from the file and may be anything up to 2^64).
bool fits(uint64_t at, uint64_t n, uint64_t size) { return at <= size && n <= size - at; }

uint16_t le16(const std::string& b, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(b[at]) | (static_cast<uint8_t>(b[at + 1]) << 8));
}
uint32_t le32(const std::string& b, size_t at) { return le16(b, at) | (static_cast<uint32_t>(le16(b, at + 2)) << 16); }
uint64_t le64(const std::string& b, size_t at) { return le32(b, at) | (static_cast<uint64_t>(le32(b, at + 4)) << 32); }

void put16(std::string& b, uint16_t v) {
  b.push_back(static_cast<char>(v & 0xff));
  b.push_back(static_cast<char>(v >> 8));
}
void put32(std::string& b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v & 0xffff));
  put16(b, static_cast<uint16_t>(v >> 16));
}

struct NpyType {
  const char* descr;
  at::ScalarType type;
  size_t size;
};
// Occupancy-Networks point clouds are float16 ('<f2'). numpy writes '|u1' and '|b1'; '<' is the only byte order we accept for wider types (x86/ARM are little-endian).
constexpr NpyType kNpyTypes[] = {
    {"<f2", at::kHalf, 2}, {"<f4", at::kFloat, 4}, {"<f8", at::kDouble, 8}, {"<i4", at::kInt, 4},
    {"<i8", at::kLong, 8},  {"|u1", at::kByte, 1},   {"|b1", at::kBool, 1},
};

// Value text of `'key': value` in the npy header dict (a Python literal).
std::string header_field(const std::string& header, const std::string& key, const std::string& path,
                         const std::string& member) {
  const auto k = header.find("'" + key + "'");
  if (k == std::string::npos) fail(path, member, "npy header has no '" + key + "': " + header);
  auto v = header.find(':', k);
  if (v == std::string::npos) fail(path, member, "malformed npy header: " + header);
  ++v;
  while (v < header.size() && header[v] == ' ') ++v;
  size_t end = v;
  if (header[v] == '(') {
    end = header.find(')', v);
    if (end == std::string::npos) fail(path, member, "malformed npy shape: " + header);
    ++end;
  } else if (header[v] == '\'' || header[v] == '"') {
    end = header.find(header[v], v + 1);
    if (end == std::string::npos) fail(path, member, "malformed npy header: " + header);
    ++end;
  } else {
    while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
  }
  return header.substr(v, end - v);
}

std::vector<int64_t> parse_shape(const std::string& text, const std::string& path, const std::string& member) {
  std::vector<int64_t> shape;
  std::string inner = text.substr(1, text.size() - 2);
  std::stringstream ss(inner);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto first = item.find_first_not_of(" L");
    if (first == std::string::npos) continue;
    try {
      size_t used = 0;
      const long long v = std::stoll(item.substr(first), &used);
      if (v < 0) throw std::invalid_argument("negative");
      shape.push_back(v);
    } catch (const std::exception&) {
      fail(path, member, "bad npy shape " + text);
    }
  }
  return shape;
}

at::Tensor decode_npy(const std::string& b, const std::string& path, const std::string& member) {
  if (b.size() < 10 || b.compare(0, 6, "\x93NUMPY") != 0) fail(path, member, "not an .npy array (bad magic)");
  const int major = static_cast<uint8_t>(b[6]);
  size_t header_len = 0, header_at = 0;
  if (major == 1) {
    header_len = le16(b, 8);
    header_at = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) fail(path, member, "truncated npy header");
    header_len = le32(b, 8);
    header_at = 12;
  } else {
    fail(path, member, "unsupported npy version " + std::to_string(major));
  }
  if (!fits(header_at, header_len, b.size())) fail(path, member, "truncated npy header");
  const std::string header = b.substr(header_at, header_len);

  std::string descr = header_field(header, "descr", path, member);
  descr = descr.substr(1, descr.size() - 2);
  if (descr.size() == 3 && descr[0] == '=') descr[0] = '<';
  if (descr == "<u1" || descr == "=u1") descr = "|u1";
  if (descr == "<b1") descr = "|b1";
  const NpyType* type = nullptr;
  for (const auto& t : kNpyTypes)
    if (descr == t.descr) type = &t;
  if (!type) fail(path, member, "unsupported npy dtype '" + descr + "' (supported: <f2 <f4 <f8 <i4 <i8 |u1 |b1)");
  if (header_field(header, "fortran_order", path, member) != "False")
    fail(path, member, "fortran_order arrays are not supported");
  const auto shape = parse_shape(header_field(header, "shape", path, member), path, member);

  const size_t data_at = header_at + header_len;
  const uint64_t available = b.size() - data_at;
  uint64_t count = 1;
  for (auto d : shape) {
    if (d < 0) fail(path, member, "negative dimension in the npy shape");
    if (d != 0 && count > available / static_cast<uint64_t>(d))  // the product alone would overflow
      fail(path, member, "the npy shape claims more data than the member holds");
    count *= static_cast<uint64_t>(d);
  }
  if (count > available / static_cast<uint64_t>(type->size))
    fail(path, member, "truncated npy data: expected " + std::to_string(count) + " elements, found " +
                           std::to_string(available / type->size));
  const size_t bytes = static_cast<size_t>(count) * type->size;
  if (available < bytes)
    fail(path, member, "truncated npy data: expected " + std::to_string(bytes) + " bytes, found " +
                           std::to_string(b.size() - data_at));
  auto t = torch::empty(shape, torch::TensorOptions().dtype(type->type));
  if (bytes) std::memcpy(t.data_ptr(), b.data() + data_at, bytes);
  return t;
}

std::string inflate_raw(const std::string& in, size_t out_size, const std::string& path, const std::string& member) {
  std::string out(out_size, '\0');
  z_stream s{};
  if (inflateInit2(&s, -MAX_WBITS) != Z_OK) fail(path, member, "zlib inflateInit2 failed");
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&s, Z_FINISH);
  const size_t produced = s.total_out;
  inflateEnd(&s);
  if (rc != Z_STREAM_END || produced != out_size)
    fail(path, member, "corrupt deflate stream (zlib code " + std::to_string(rc) + ")");
  return out;
}

struct ZipEntry {
  std::string name;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t compressed = 0, uncompressed = 0, local_offset = 0;
};

// Reads the ZIP64 extra field (id 1): it holds, in order, only the fields whose 32-bit slot is 0xFFFFFFFF.
void apply_zip64_extra(const std::string& b, size_t at, size_t len, ZipEntry& e) {
  const size_t end = at + len;
  while (at + 4 <= end) {
    const uint16_t id = le16(b, at), size = le16(b, at + 2);
    size_t p = at + 4;
    if (id == 1) {
      if (e.uncompressed == 0xffffffffu && p + 8 <= end) e.uncompressed = le64(b, p), p += 8;
      if (e.compressed == 0xffffffffu && p + 8 <= end) e.compressed = le64(b, p), p += 8;
      if (e.local_offset == 0xffffffffu && p + 8 <= end) e.local_offset = le64(b, p), p += 8;
    }
    at += 4 + size;
  }
}

std::vector<ZipEntry> read_central_directory(const std::string& b, const std::string& path) {
  if (b.size() < 22) fail(path, "", "not a zip/npz file (too small)");
  // The end-of-central-directory record sits in the last 22 + 65535 (max comment) bytes.
  size_t eocd = std::string::npos;
  const size_t lowest = b.size() > 22 + 65535 ? b.size() - 22 - 65535 : 0;
  for (size_t i = b.size() - 22 + 1; i-- > lowest;)
    if (le32(b, i) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == std::string::npos) fail(path, "", "not a zip/npz file (no end of central directory)");
  uint64_t entries = le16(b, eocd + 10), cd_offset = le32(b, eocd + 16);
  if ((entries == 0xffff || cd_offset == 0xffffffffu) && eocd >= 20 && le32(b, eocd - 20) == 0x07064b50) {
    const uint64_t z64 = le64(b, eocd - 20 + 8);
    if (!fits(z64, 56, b.size()) || le32(b, z64) != 0x06064b50) fail(path, "", "corrupt ZIP64 end record");
    entries = le64(b, z64 + 32);
    cd_offset = le64(b, z64 + 48);
  }
  std::vector<ZipEntry> out;
  if (entries > b.size() / 46) fail(path, "", "corrupt zip central directory (entry count)");
  uint64_t at = cd_offset;
  for (uint64_t i = 0; i < entries; ++i) {
    if (!fits(at, 46, b.size()) || le32(b, at) != 0x02014b50) fail(path, "", "corrupt zip central directory");
    ZipEntry e;
    e.method = le16(b, at + 10);
    e.crc = le32(b, at + 16);
    e.compressed = le32(b, at + 20);
    e.uncompressed = le32(b, at + 24);
    const uint16_t name_len = le16(b, at + 28), extra_len = le16(b, at + 30), comment_len = le16(b, at + 32);
    e.local_offset = le32(b, at + 42);
    if (!fits(at + 46, uint64_t(name_len) + extra_len, b.size())) fail(path, "", "corrupt zip central directory");
    e.name = b.substr(at + 46, name_len);
    apply_zip64_extra(b, at + 46 + name_len, extra_len, e);
    out.push_back(e);
    at += 46 + name_len + extra_len + comment_len;
  }
  return out;
}

std::string member_bytes(const std::string& b, const ZipEntry& e, const std::string& path) {
  const uint64_t at = e.local_offset;
  if (!fits(at, 30, b.size()) || le32(b, at) != 0x04034b50) fail(path, e.name, "corrupt zip local header");
  const uint64_t data_at = at + 30 + le16(b, at + 26) + le16(b, at + 28);
  if (!fits(data_at, e.compressed, b.size())) fail(path, e.name, "truncated zip member");
  const uint64_t claimed = e.method == 0 ? e.compressed : e.uncompressed;
  if (claimed > kMaxNpzMemberBytes)
    fail(path, e.name, "member of " + std::to_string(claimed) + " bytes is larger than the " +
                           std::to_string(kMaxNpzMemberBytes >> 20) + " MB limit");
  // Deflate cannot expand by more than about 1032:1.
  if (e.method == 8 && e.uncompressed > 1032 * e.compressed + 1024)
    fail(path, e.name, "claims " + std::to_string(e.uncompressed) + " bytes from " + std::to_string(e.compressed) +
                           " compressed bytes, more than deflate can produce (corrupt or hostile file)");
  const std::string raw = b.substr(data_at, e.compressed);
  std::string data;
  if (e.method == 0) {
    data = raw;
  } else if (e.method == 8) {
    data = inflate_raw(raw, e.uncompressed, path, e.name);
  } else {
    fail(path, e.name, "unsupported zip compression method " + std::to_string(e.method) + " (stored or deflate only)");
  }
  const uLong crc = crc32_z(0L, reinterpret_cast<const Bytef*>(data.data()), data.size());
  if (crc != e.crc) fail(path, e.name, "CRC mismatch (file corrupt)");
  return data;
}

std::string shape_text(const at::Tensor& t) {
  std::string s = "(";
  for (int64_t d = 0; d < t.dim(); ++d) s += std::to_string(t.size(d)) + (t.dim() == 1 ? "," : d + 1 < t.dim() ? ", " : "");
  return s + ")";
}

std::string encode_npy(const at::Tensor& tensor, const std::string& path, const std::string& name) {
  if (!tensor.defined()) fail(path, name, "undefined tensor");
  const NpyType* type = nullptr;
  for (const auto& t : kNpyTypes)
    if (t.type == tensor.scalar_type()) type = &t;
  if (!type) fail(path, name, std::string("cannot write dtype ") + c10::toString(tensor.scalar_type()));
  const auto t = tensor.detach().to(at::kCPU).contiguous();
  std::string header = std::string("{'descr': '") + type->descr + "', 'fortran_order': False, 'shape': " +
                       shape_text(t) + ", }";
  // numpy pads the header with spaces so the data starts on a 64-byte boundary, ending with '\n'.
  const size_t unpadded = 10 + header.size() + 1;
  header += std::string((64 - unpadded % 64) % 64, ' ') + "\n";
  std::string out = "\x93NUMPY";
  out.push_back(1);
  out.push_back(0);
  put16(out, static_cast<uint16_t>(header.size()));
  out += header;
  out.append(static_cast<const char*>(t.data_ptr()), static_cast<size_t>(t.numel()) * type->size);
  return out;
}

}  // namespace

std::map<std::string, at::Tensor> read_npz_bytes(const std::string& bytes, const std::string& path,
                                                 const std::vector<std::string>& only) {
  std::map<std::string, at::Tensor> arrays;
  for (const auto& e : read_central_directory(bytes, path)) {
    if (e.name.size() <= 4 || e.name.compare(e.name.size() - 4, 4, ".npy") != 0) continue;  // not an array
    const std::string key = e.name.substr(0, e.name.size() - 4);
    if (!only.empty() && std::find(only.begin(), only.end(), key) == only.end()) continue;
    arrays[key] = decode_npy(member_bytes(bytes, e, path), path, e.name);
  }
  return arrays;
}

std::map<std::string, at::Tensor> read_npz(const std::string& path, const std::vector<std::string>& only) {
  return read_npz_bytes(read_file(path), path, only);
}

void write_npz(const std::string& path, const std::map<std::string, at::Tensor>& arrays) {
  std::string zip, central;
  uint16_t count = 0;
  for (const auto& [key, tensor] : arrays) {
    const std::string name = key + ".npy";
    const std::string data = encode_npy(tensor, path, name);
    if (data.size() >= 0xffffffffu || zip.size() >= 0xffffffffu) fail(path, name, "array too large (no ZIP64 writing)");
    const uint32_t crc = crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
    const uint32_t offset = static_cast<uint32_t>(zip.size());
    // Local header: version 2.0, no flags, stored, DOS time/date 1980-01-01 00:00.
    put32(zip, 0x04034b50);
    put16(zip, 20), put16(zip, 0), put16(zip, 0), put16(zip, 0), put16(zip, 0x21);
    put32(zip, crc), put32(zip, static_cast<uint32_t>(data.size())), put32(zip, static_cast<uint32_t>(data.size()));
    put16(zip, static_cast<uint16_t>(name.size())), put16(zip, 0);
    zip += name;
    zip += data;

    put32(central, 0x02014b50);
    put16(central, 20), put16(central, 20), put16(central, 0), put16(central, 0), put16(central, 0), put16(central, 0x21);
    put32(central, crc), put32(central, static_cast<uint32_t>(data.size())), put32(central, static_cast<uint32_t>(data.size()));
    put16(central, static_cast<uint16_t>(name.size())), put16(central, 0), put16(central, 0);
    put16(central, 0), put16(central, 0), put32(central, 0), put32(central, offset);
    central += name;
    ++count;
  }
  const uint32_t cd_offset = static_cast<uint32_t>(zip.size());
  zip += central;
  put32(zip, 0x06054b50);
  put16(zip, 0), put16(zip, 0), put16(zip, count), put16(zip, count);
  put32(zip, static_cast<uint32_t>(central.size())), put32(zip, cd_offset), put16(zip, 0);

  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail(path, "", "cannot create " + tmp);
    out.write(zip.data(), static_cast<std::streamsize>(zip.size()));
    if (!out) fail(path, "", "write error");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    fail(path, "", "cannot rename " + tmp);
  }
}

}  // namespace dibr
