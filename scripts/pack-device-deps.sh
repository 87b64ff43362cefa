#!/usr/bin/env bash
# Copies the small header-only / static libraries the core needs into .deps/usr, for a machine that
# has a CUDA LibTorch but no Debian packages (the GPU device). Run it here; carry `.deps` there.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.deps/usr
arch=x86_64-linux-gnu
rm -rf .deps && mkdir -p "$dest/include" "$dest/lib/$arch" "$dest/share/cmake"
cp -r /usr/include/stb /usr/include/nlohmann /usr/include/CLI /usr/include/nanoflann.hpp \
      /usr/include/gtest /usr/include/gmock /usr/include/benchmark \
      /usr/include/zlib.h /usr/include/zconf.h "$dest/include/"
cp /usr/lib/$arch/libgtest*.a /usr/lib/$arch/libgmock*.a /usr/lib/$arch/libbenchmark*.a /usr/lib/$arch/libz.a \
   "$dest/lib/$arch/"
mkdir -p "$dest/lib/$arch/cmake" && cp -r /usr/lib/$arch/cmake/GTest /usr/lib/$arch/cmake/benchmark "$dest/lib/$arch/cmake/"
cp -r /usr/share/cmake/nlohmann_json "$dest/share/cmake/"
[ -d /usr/share/cmake/CLI11 ] && cp -r /usr/share/cmake/CLI11 "$dest/share/cmake/" || true
du -sh .deps
