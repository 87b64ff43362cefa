#pragma once
// Kato's voxel IoU protocol (mesh_reconstruction's evaluate_iou; shared/specs/data_metrics.md §2.3), the headline
// metric of NMR and SoftRas: predicted meshes voxelised at 32^3 with the interior filled, in Kato's transform and
// axis order, against the GT voxels of <class>_<split>_voxels.npz.
#include <ATen/core/Tensor.h>

#include <map>
#include <string>

namespace dibr {

constexpr int kKatoVoxelSize = 32;

// vertices (V,3) in the [-0.5,0.5]^3 object frame, faces (F,3) int64 -> (S,S,S) bool in the axis order of Kato's
// GT files. A vertex coordinate v falls in voxel floor((S-1) v + S/2) (Kato's faces * 31/32 + 0.5, times 32); the
// grid indexed (X,Y,Z) by vertex axes is then transposed to (Y,X,Z) with Z reversed, as Kato aligns it with GT.
// Voxels the surface passes through are solid, and so is every voxel that cannot be reached from the grid's
// border through empty voxels (the filled interior of a closed mesh). Surface parts outside the grid are ignored.
at::Tensor voxelize_kato(const at::Tensor& vertices, const at::Tensor& faces, int size = kKatoVoxelSize);

// |a and b| / |a or b| of two boolean grids of one shape; 1 when both are empty.
double voxel_iou(const at::Tensor& a, const at::Tensor& b);

// The GT voxels of one class and split, (N,32,32,32) bool, one per line of softras_<split>.lst in order: from
// <dir>/<class>_<split>_voxels.npz (Kato's layout) or <dir>/<class>/<class>_<split>_voxels.npz (the sample's).
// Throws std::runtime_error naming the file when it is missing, unreadable or not (N,32,32,32).
at::Tensor read_kato_voxels(const std::string& dir, const std::string& class_id, const std::string& split);
// Writes grids (N,32,32,32) bool as <path> (the member is arr_0, as numpy.savez).
void write_kato_voxels(const std::string& path, const at::Tensor& grids);

// Row of each object id in <root>/<class>/softras_<split>.lst: its position among the non-empty lines (first
// occurrence). Throws std::runtime_error when the list cannot be read.
std::map<std::string, int64_t> split_list_rows(const std::string& root, const std::string& class_id,
                                               const std::string& split);

}  // namespace dibr
