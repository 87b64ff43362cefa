#pragma once
// Cameras of the DVR NMR renderings. world_mat is OpenCV [R|t] (x right, y down, z forward);
// we render in an OpenGL-style camera frame (x right, y up, looking down -z). See docs/conventions.md.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <utility>

namespace dibr {

constexpr double kNmrFovyDegrees = 30.0;
constexpr double kNmrElevationDegrees = 30.0;
constexpr double kNmrDistance = 2.732;
constexpr int kNmrViewsPerObject = 24;

// Focal length in NDC units (1 / tan(fovy/2)).
double focal_from_fovy(double fovy_degrees);

// (B,4,4) OpenCV world->camera to (B,4,4) OpenGL world->camera (rows y and z negated).
at::Tensor opengl_view_from_opencv(const at::Tensor& world_mat);

// DVR-style OpenCV world_mat for a camera on a sphere around the origin, looking at it, world y up.
// azimuth 0 looks from +z towards the origin; positive elevation is above the object.
at::Tensor nmr_world_mat(double azimuth_degrees, double elevation_degrees = kNmrElevationDegrees,
                         double distance = kNmrDistance);
// DVR camera_mat: diag(focal, focal, 1, 1).
at::Tensor nmr_camera_mat(double fovy_degrees = kNmrFovyDegrees);

struct ProjectedVertices {
  at::Tensor camera;  // (B,V,3) OpenGL camera-space positions
  at::Tensor ndc;     // (B,V,2) NDC x,y (x right, y up)
};
// vertices (B,V,3) world; view (B,4,4) OpenGL world->camera; focal scalar or (B) tensor in NDC units.
// Differentiable w.r.t. vertices.
ProjectedVertices project_vertices(const at::Tensor& vertices, const at::Tensor& view, const at::Tensor& focal);

// Camera centres in world coordinates, -R^T t, from (B,4,4) world_mat (OpenCV or OpenGL) -> (B,3).
at::Tensor camera_center_from_world_mat(const at::Tensor& world_mat);
// (H,W,2) NDC x,y of every pixel centre: pixel (h,w) -> ((2w+1-W)/W, (H-2h-1)/H); row 0 is the top.
at::Tensor pixel_center_ndc(int64_t height, int64_t width, const at::TensorOptions& options);
// Inverse of the pixel-centre formula: continuous (row, col), pixel centres at integer values.
std::pair<double, double> ndc_to_pixel(double x_ndc, double y_ndc, int64_t height, int64_t width);

}  // namespace dibr
