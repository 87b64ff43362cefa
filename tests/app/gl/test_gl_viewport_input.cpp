// MeshViewport::draw() inside a real ImGui frame (no ImGui renderer needed): mouse input on the item
// drives the camera, input elsewhere does not.
#include <gtest/gtest.h>
#include <imgui.h>
#include <torch/torch.h>

#include <glm/gtc/type_ptr.hpp>

#include "app/mesh_viewport.h"
#include "gl_test_context.h"

namespace {

class ViewportInputGl : public dibr::test::GlContext {
 protected:
  void SetUp() override {
    GlContext::SetUp();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(300, 300);
    io.DeltaTime = 1.0f / 60.0f;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    view_.set_mesh(torch::tensor({-0.4f, -0.4f, 0.f, 0.4f, -0.4f, 0.f, 0.f, 0.4f, 0.f}).reshape({3, 3}), torch::Tensor(),
                   torch::tensor({0, 1, 2}, torch::kLong).reshape({1, 3}));
  }
  void TearDown() override { ImGui::DestroyContext(); }

  // One frame with the mouse at `pos`, left button `down`, `wheel` steps. Returns the item's centre.
  ImVec2 frame(ImVec2 pos, bool down, float wheel = 0, bool right = false) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = pos;
    io.MouseDown[0] = down;
    io.MouseDown[1] = right;
    io.MouseWheel = wheel;
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(300, 300));
    ImGui::Begin("view", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
    view_.draw("mesh", 200, 160);
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImGui::End();
    ImGui::Render();
    EXPECT_EQ(view_.width(), 200);
    EXPECT_EQ(view_.height(), 160);
    return ImVec2(0.5f * (a.x + b.x), 0.5f * (a.y + b.y));
  }

  static bool same(const glm::mat4& a, const glm::mat4& b) {
    const float* pa = glm::value_ptr(a);
    const float* pb = glm::value_ptr(b);
    for (int i = 0; i < 16; ++i)
      if (std::abs(pa[i] - pb[i]) > 1e-6f) return false;
    return true;
  }

  dibr::MeshViewport view_;
};

}  // namespace

TEST_F(ViewportInputGl, LeftDragRotatesAndDoubleClickResets) {
  const ImVec2 c = frame(ImVec2(-100, -100), false);
  const glm::mat4 start = view_.view_matrix();
  frame(c, false);
  frame(c, true);  // press on the item
  frame(ImVec2(c.x + 40, c.y), true);
  const glm::mat4 dragged = view_.view_matrix();
  EXPECT_FALSE(same(dragged, start));
  // Rotation only: the camera stays at the same distance from the origin.
  EXPECT_NEAR(glm::length(glm::vec3(dragged[3])), glm::length(glm::vec3(start[3])), 1e-4f);
  frame(ImVec2(c.x + 40, c.y), false);  // release: committed
  for (int i = 0; i < 30; ++i) frame(ImVec2(c.x + 40, c.y), false);  // let the double-click timer run out
  EXPECT_TRUE(same(view_.view_matrix(), dragged));

  frame(c, true);
  frame(c, false);
  frame(c, true);  // second click within the double-click time
  frame(c, false);
  EXPECT_TRUE(same(view_.view_matrix(), start));
}

TEST_F(ViewportInputGl, WheelZoomsAndRightDragPansOnlyOverTheItem) {
  const ImVec2 c = frame(ImVec2(-100, -100), false);
  const glm::mat4 start = view_.view_matrix();
  frame(ImVec2(290, 290), false, 2.0f);  // wheel outside the item
  EXPECT_TRUE(same(view_.view_matrix(), start));
  frame(c, false, 2.0f);
  const glm::mat4 zoomed = view_.view_matrix();
  EXPECT_LT(-zoomed[3][2], -start[3][2]);  // closer to the origin
  EXPECT_TRUE(same(glm::mat4(glm::mat3(zoomed)), glm::mat4(glm::mat3(start))));  // no rotation

  frame(c, false, 0, true);
  frame(ImVec2(c.x + 20, c.y), false, 0, true);
  const glm::mat4 panned = view_.view_matrix();
  EXPECT_GT(panned[3][0], zoomed[3][0]);  // dragged right: the scene moves right
  EXPECT_NEAR(panned[3][2], zoomed[3][2], 1e-6f);
}
