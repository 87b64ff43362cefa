#!/usr/bin/env bash
# Data flows one way: app -> trainer -> render. Fails when a file includes a layer above its own, or when the
# studio's headless model includes ImGui, GLFW or GL. Run by scripts/test.sh and ctest (layering).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
forbid() {  # forbid <folder or files> <regex> <why>
  local hits
  hits=$(grep -rnE "^\s*#\s*include\s*[<\"]($2)" $1 --include='*.h' --include='*.cpp' --include='*.cu' --include='*.cuh' || true)
  if [[ -n "$hits" ]]; then
    echo "check-layers: $3:" >&2
    echo "$hits" >&2
    status=1
  fi
}
forbid render 'trainer/|app/|cuda_interop/' "render/ includes a layer above it"
forbid trainer 'app/|cuda_interop/|imgui|GLFW/|epoxy/|opencv2/' "trainer/ includes app/, cuda_interop/ or GUI code"
forbid "app/studio_model.h app/studio_model.cpp app/studio_job.h app/studio_options.h app/studio_options.cpp" \
  'imgui|backends/|GLFW/|epoxy/|app/panels.h|app/mesh_viewport.h|app/image_texture.h' "the headless studio model includes window code"
((status == 0)) && echo "check-layers: render <- trainer <- app layering holds; the studio model is headless"
exit $status
