#include <gtest/gtest.h>
#include <torch/torch.h>

#include "render/camera.h"
#include "render/icosphere.h"
#include "render/mesh_ops.h"
#include "render/render_mesh.h"

namespace {

dibr::RasterizeSettings settings64() {
  dibr::RasterizeSettings s;
  s.height = 64;
  s.width = 64;
  return s;
}

at::Tensor nmr_focal() { return torch::tensor(dibr::focal_from_fovy(dibr::kNmrFovyDegrees)); }

// Unit cube of half-extent 0.4, faces counter-clockwise seen from outside.
dibr::TriangleMesh make_cube(double half = 0.4) {
  auto v = torch::tensor({-1, -1, -1, 1, -1, -1, 1, 1, -1, -1, 1, -1, -1, -1, 1, 1, -1, 1, 1, 1, 1, -1, 1, 1},
                         torch::kFloat32)
               .view({8, 3}) *
           static_cast<float>(half);
  auto f = torch::tensor({0, 3, 2, 0, 2, 1,   // z = -1
                          4, 5, 6, 4, 6, 7,   // z = +1
                          0, 1, 5, 0, 5, 4,   // y = -1
                          3, 7, 6, 3, 6, 2,   // y = +1
                          0, 4, 7, 0, 7, 3,   // x = -1
                          1, 2, 6, 1, 6, 5},  // x = +1
                         torch::kLong)
               .view({12, 3});
  return {v, f};
}

// (row, col) centroid of the covered pixels of a (H,W) face_index map.
std::pair<double, double> coverage_centroid(const at::Tensor& face_index) {
  auto covered = (face_index >= 0).to(torch::kFloat64);
  const double n = covered.sum().item<double>();
  auto rows = torch::arange(face_index.size(0), torch::kFloat64).view({-1, 1});
  auto cols = torch::arange(face_index.size(1), torch::kFloat64).view({1, -1});
  return {(covered * rows).sum().item<double>() / n, (covered * cols).sum().item<double>() / n};
}

// Every face that wins a pixel must face the camera: world normal . (eye - centroid) > 0.
void expect_only_front_faces_win(const dibr::TriangleMesh& mesh, const at::Tensor& world_mat,
                                 const at::Tensor& face_index) {
  auto corners = dibr::gather_face_values(mesh.vertices.unsqueeze(0), mesh.faces)[0];
  auto normals = dibr::face_normals(corners);
  auto eye = dibr::camera_center_from_world_mat(world_mat)[0];
  auto facing = (normals * (eye - corners.mean(1))).sum(1);  // (F)
  auto winners = std::get<0>(at::_unique(face_index.masked_select(face_index >= 0)));
  ASSERT_GT(winners.numel(), 0);
  auto winner_facing = facing.index_select(0, winners);
  EXPECT_GT(winner_facing.min().item<float>(), 0.0f) << "a back face won a pixel";
  // And some back faces exist that would have been visible without culling / depth test.
  EXPECT_LT(facing.min().item<float>(), 0.0f);
}

TEST(RenderMesh, IcosphereOnlyFrontFacesWinAndSilhouetteIsCentred) {
  auto mesh = dibr::make_icosphere(3, 0.5);
  for (double azimuth : {0.0, 105.0, 240.0}) {
    auto world_mat = dibr::nmr_world_mat(azimuth);
    auto colors = torch::ones({1, 642, 3});
    auto out = dibr::render_mesh(mesh.vertices.unsqueeze(0), mesh.faces, colors, world_mat, nmr_focal(), settings64());
    ASSERT_EQ(out.image.sizes(), (at::IntArrayRef{1, 64, 64, 3}));
    ASSERT_EQ(out.silhouette.sizes(), (at::IntArrayRef{1, 64, 64}));
    ASSERT_EQ(out.face_index.sizes(), (at::IntArrayRef{1, 64, 64}));
    expect_only_front_faces_win(mesh, world_mat, out.face_index[0]);
    const auto [row, col] = coverage_centroid(out.face_index[0]);
    EXPECT_NEAR(row, 31.5, 0.5) << azimuth;
    EXPECT_NEAR(col, 31.5, 0.5) << azimuth;
    // Sphere of radius 0.5 at distance 2.732: angular radius asin(0.5/2.732), in NDC f*tan(that).
    const double r_ndc = dibr::focal_from_fovy(30.0) * std::tan(std::asin(0.5 / 2.732));
    const double expected_pixels = 3.14159265 * (r_ndc * 32) * (r_ndc * 32);
    const double covered = (out.face_index[0] >= 0).sum().item<int64_t>();
    EXPECT_NEAR(covered / expected_pixels, 1.0, 0.06) << azimuth;
    EXPECT_TRUE(torch::allclose(out.image.select(3, 0), (out.face_index >= 0).to(torch::kFloat32), 1e-4, 1e-4))
        << "constant white colour covers exactly the covered pixels, black background";
  }
}

TEST(RenderMesh, CubeOnlyFrontFacesWin) {
  auto cube = make_cube();
  for (double azimuth : {0.0, 45.0, 135.0, 270.0}) {
    auto world_mat = dibr::nmr_world_mat(azimuth);
    auto out = dibr::render_mesh(cube.vertices.unsqueeze(0), cube.faces, torch::ones({1, 8, 1}), world_mat,
                                 nmr_focal(), settings64());
    expect_only_front_faces_win(cube, world_mat, out.face_index[0]);
    const auto [row, col] = coverage_centroid(out.face_index[0]);
    EXPECT_NEAR(col, 31.5, 0.6) << azimuth;  // multiples of 45 degrees see the cube left-right symmetric
    EXPECT_NEAR(row, 31.5, 3.0) << azimuth;
  }
  // The top face (+y) is seen from 30 degrees above; the bottom face is not.
  auto out = dibr::render_mesh(cube.vertices.unsqueeze(0), cube.faces, torch::ones({1, 8, 1}),
                               dibr::nmr_world_mat(0.0), nmr_focal(), settings64());
  auto fi = out.face_index[0];
  EXPECT_GT(((fi == 6) | (fi == 7)).sum().item<int64_t>(), 0);
  EXPECT_EQ(((fi == 4) | (fi == 5)).sum().item<int64_t>(), 0);
}

TEST(RenderMesh, ColoursFollowImageOrientation) {
  // Red = world height, green = world x: high y must appear in top rows, high x in right columns.
  auto mesh = dibr::make_icosphere(3, 0.5);
  auto v = mesh.vertices;
  auto colors = torch::stack({v.select(1, 1) + 0.5, v.select(1, 0) + 0.5, torch::zeros({642})}, 1).unsqueeze(0);
  auto out = dibr::render_mesh(v.unsqueeze(0), mesh.faces, colors, dibr::nmr_world_mat(0.0), nmr_focal(),
                               settings64());
  auto img = out.image[0];
  auto covered = (out.face_index[0] >= 0).to(torch::kFloat32);
  auto mean_in = [&](const at::Tensor& channel, const at::Tensor& region) {
    return ((channel * region).sum() / region.sum()).item<float>();
  };
  auto top = covered.clone();
  top.slice(0, 32, 64).zero_();
  auto bottom = covered - top;
  auto left = covered.clone();
  left.slice(1, 32, 64).zero_();
  auto right = covered - left;
  EXPECT_GT(mean_in(img.select(2, 0), top), mean_in(img.select(2, 0), bottom) + 0.2f);
  EXPECT_GT(mean_in(img.select(2, 1), right), mean_in(img.select(2, 1), left) + 0.2f);
}

TEST(RenderMesh, GradientsReachVerticesAndColours) {
  auto mesh = dibr::make_icosphere(2, 0.4);
  for (auto dtype : {torch::kFloat32, torch::kFloat64}) {
    auto verts = mesh.vertices.to(dtype).unsqueeze(0).requires_grad_(true);
    auto colors = torch::full({1, mesh.vertices.size(0), 3}, 0.5, torch::dtype(dtype)).requires_grad_(true);
    dibr::RasterizeSettings s;
    s.height = 32;
    s.width = 32;
    auto out = dibr::render_mesh(verts, mesh.faces, colors, dibr::nmr_world_mat(30.0), nmr_focal(), s);
    EXPECT_EQ(out.image.scalar_type(), dtype);
    // A target that differs from the render in both colour and silhouette.
    auto target_mask = torch::zeros({1, 32, 32}, torch::dtype(dtype));
    target_mask.slice(1, 4, 28).slice(2, 10, 22).fill_(1.0);
    auto loss = (out.silhouette - target_mask).pow(2).sum() + (out.image - 0.2).pow(2).sum();
    loss.backward();
    ASSERT_TRUE(verts.grad().defined());
    ASSERT_TRUE(colors.grad().defined());
    EXPECT_TRUE(torch::isfinite(verts.grad()).all().item<bool>());
    EXPECT_TRUE(torch::isfinite(colors.grad()).all().item<bool>());
    EXPECT_GT(verts.grad().abs().sum().item<double>(), 0.0);
    EXPECT_GT(colors.grad().abs().sum().item<double>(), 0.0);
  }
}

TEST(RenderMesh, ShiftingMeshRightMovesSilhouetteRight) {
  auto mesh = dibr::make_icosphere(2, 0.3);
  auto shifted = mesh.vertices + torch::tensor({0.3f, 0.0f, 0.0f});
  auto verts = torch::stack({mesh.vertices, shifted});
  auto out = dibr::render_mesh(verts, mesh.faces, torch::ones({1, verts.size(1), 1}), dibr::nmr_world_mat(0.0),
                               nmr_focal(), settings64());
  ASSERT_EQ(out.face_index.size(0), 2) << "one camera is broadcast over a batch of two meshes";
  const auto centred = coverage_centroid(out.face_index[0]);
  const auto moved = coverage_centroid(out.face_index[1]);
  EXPECT_GT(moved.second, centred.second + 5.0);
  EXPECT_NEAR(moved.first, centred.first, 1.5);
}

TEST(RenderMesh, BatchedCamerasMatchSingleRenders) {
  auto mesh = dibr::make_icosphere(2, 0.45);
  auto cams = torch::cat({dibr::nmr_world_mat(0.0), dibr::nmr_world_mat(90.0)});
  auto colors = (mesh.vertices + 0.5).unsqueeze(0);
  auto both = dibr::render_mesh(mesh.vertices.unsqueeze(0), mesh.faces, colors, cams, nmr_focal(), settings64());
  auto second = dibr::render_mesh(mesh.vertices.unsqueeze(0), mesh.faces, colors, dibr::nmr_world_mat(90.0),
                                   nmr_focal(), settings64());
  EXPECT_TRUE(torch::allclose(both.image[1], second.image[0], 1e-5, 1e-5));
  EXPECT_TRUE(torch::equal(both.face_index[1], second.face_index[0]));
  EXPECT_FALSE(torch::equal(both.face_index[0], both.face_index[1]));
}

TEST(RenderMesh, RejectsBadShapes) {
  auto mesh = dibr::make_icosphere(1, 0.5);
  auto v = mesh.vertices.unsqueeze(0);
  auto c = torch::ones({1, v.size(1), 3});
  EXPECT_THROW(dibr::render_mesh(mesh.vertices, mesh.faces, c, dibr::nmr_world_mat(0.0), nmr_focal(), settings64()),
               c10::Error);
  EXPECT_THROW(dibr::render_mesh(v, mesh.faces, torch::ones({1, 5, 3}), dibr::nmr_world_mat(0.0), nmr_focal(),
                                 settings64()),
               c10::Error);
  EXPECT_THROW(dibr::render_mesh(v, mesh.faces, c, torch::eye(4), nmr_focal(), settings64()), c10::Error);
}

TEST(RenderMesh, CudaMatchesCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: skipped";
  auto mesh = dibr::make_icosphere(3, 0.5);
  auto cams = torch::cat({dibr::nmr_world_mat(0.0), dibr::nmr_world_mat(75.0)});
  auto verts = (mesh.vertices * torch::tensor({1.0f, 0.8f, 1.1f})).unsqueeze(0);
  auto colors = (mesh.vertices + 0.5).unsqueeze(0);
  auto cpu = dibr::render_mesh(verts, mesh.faces, colors, cams, nmr_focal(), settings64());
  auto gpu = dibr::render_mesh(verts.cuda(), mesh.faces.cuda(), colors.cuda(), cams.cuda(), nmr_focal().cuda(),
                               settings64());
  EXPECT_TRUE(gpu.image.is_cuda());
  EXPECT_TRUE(torch::allclose(gpu.image.cpu(), cpu.image, 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(gpu.silhouette.cpu(), cpu.silhouette, 1e-4, 1e-4));
  // Pixels whose winner differs can only be ties on shared edges; they must be rare.
  EXPECT_LT((gpu.face_index.cpu() != cpu.face_index).sum().item<int64_t>(), 20);
  // The mesh operators run on CUDA tensors too and agree with the CPU.
  EXPECT_TRUE(torch::allclose(dibr::uniform_laplacian(642, mesh.faces.cuda()).cpu(),
                              dibr::uniform_laplacian(642, mesh.faces)));
  EXPECT_TRUE(torch::equal(dibr::edge_face_adjacency(mesh.faces.cuda()).opposite.cpu(),
                           dibr::edge_face_adjacency(mesh.faces).opposite));
  EXPECT_TRUE(torch::allclose(dibr::sample_surface_points(mesh.vertices.cuda(), mesh.faces, 500, 5).cpu(),
                              dibr::sample_surface_points(mesh.vertices, mesh.faces, 500, 5), 1e-5, 1e-6));
}

}  // namespace
