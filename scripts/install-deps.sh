#!/usr/bin/env bash
# Installs the Debian bookworm packages DIB-R Studio builds and tests with. Idempotent.
#   scripts/install-deps.sh          everything (core, studio, tests, benchmarks)
#   scripts/install-deps.sh --core   only what the core (render + trainer + CLI) needs
set -euo pipefail

# libopenblas0-pthread: Debian's LibTorch links libblas.so.3, which is the slow reference BLAS unless
# OpenBLAS provides the alternative.
# libgloo-dev: the headers of the Gloo version Debian's LibTorch links, needed by c10d's ProcessGroupGloo.hpp
# (distributed training); without them the build says so and --nproc is an error.
# libopenexr-dev: DVR's visual-hull depth maps (visual_hull_depth/*.exr); without it the build says so and DVR
# samples its occupancy points in the unit cube.
core=(build-essential cmake ccache pkg-config libtorch-dev libgloo-dev libopenexr-dev libopenblas0-pthread zlib1g-dev libstb-dev libgif-dev
      nlohmann-json3-dev libcli11-dev libnanoflann-dev libgtest-dev libbenchmark-dev)
gui=(libglfw3-dev libimgui-dev libepoxy-dev libglm-dev libopencv-dev xvfb xauth xdotool libgl1-mesa-dri)

packages=("${core[@]}")
[[ "${1:-}" == "--core" ]] || packages+=("${gui[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
