// dibr-studio: window, GL context and ImGui setup around StudioApp.
#include <epoxy/gl.h>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/key_trickle.h"
#include "app/mouse_trickle.h"
#include "app/studio_app.h"
#include "app/studio_options.h"
#include "app/studio_settings.h"

namespace {

dibr::studio::StudioApp* g_app = nullptr;
dibr::studio::KeyTrickle g_keys;
dibr::studio::MouseTrickle g_mouse;
bool g_input = false;  // any input since the last loop turn: the window draws

void on_glfw_error(int code, const char* description) { std::fprintf(stderr, "dibr-studio: GLFW error %d: %s\n", code, description); }

void forward_input(GLFWwindow* window, const dibr::studio::InputEvent& e) {
  if (e.is_char) {
    ImGui_ImplGlfw_CharCallback(window, e.codepoint);
    return;
  }
  ImGui_ImplGlfw_KeyCallback(window, e.key, e.scancode, e.action, e.mods);
  if (g_app && (e.action == GLFW_PRESS || e.action == GLFW_REPEAT)) g_app->on_key(e.key, e.mods);
}

void on_key(GLFWwindow* window, int key, int scancode, int action, int mods) {
  g_input = true;
  const auto e = dibr::studio::InputEvent::make_key(key, scancode, action, mods);
  if (g_keys.on_event(e)) forward_input(window, e);
}

void on_char(GLFWwindow* window, unsigned codepoint) {
  g_input = true;
  const auto e = dibr::studio::InputEvent::make_char(codepoint);
  if (g_keys.on_event(e)) forward_input(window, e);
}

// Replaces the backend's button callback: the buttons reach ImGui through MouseTrickle, one change a frame.
void on_mouse_button(GLFWwindow* window, int button, int action, int /*mods*/) {
  g_input = true;
  double x = 0, y = 0;
  glfwGetCursorPos(window, &x, &y);
  g_mouse.on_button(button, action == GLFW_PRESS, static_cast<float>(x), static_cast<float>(y));
}

void apply_mouse_frame(const dibr::studio::MouseTrickle::Frame& frame) {
  ImGuiIO& io = ImGui::GetIO();
  for (int b = 0; b < dibr::studio::MouseTrickle::kButtons; ++b) io.MouseDown[b] = frame.down[b];
  if (frame.position) io.MousePos = ImVec2((*frame.position)[0], (*frame.position)[1]);
}

void on_scroll(GLFWwindow* window, double dx, double dy) {
  g_input = true;
  ImGui_ImplGlfw_ScrollCallback(window, dx, dy);
}

void on_focus(GLFWwindow* window, int focused) {
  g_input = true;
  ImGui_ImplGlfw_WindowFocusCallback(window, focused);
}

void on_cursor_enter(GLFWwindow* window, int entered) {
  g_input = true;
  ImGui_ImplGlfw_CursorEnterCallback(window, entered);
}

void on_cursor_moved(GLFWwindow*, double, double) { g_input = true; }
void on_resized(GLFWwindow*, int, int) { g_input = true; }

void on_drop(GLFWwindow*, int count, const char** paths) {
  g_input = true;
  if (!g_app) return;
  std::vector<std::string> list(paths, paths + count);
  g_app->on_drop(list);
}

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  auto options = dibr::studio::parse_studio_options(argc, argv, exit_code);
  if (!options) return exit_code;

  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit()) {
    std::fprintf(stderr, "dibr-studio: cannot initialise GLFW (no display? set DISPLAY or run under xvfb-run)\n");
    return 1;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  // The window's size, splits and view settings as they were when it was last closed.
  const std::string settings_file = dibr::studio::studio_config_file("settings.json");
  std::string settings_warning;
  const dibr::studio::StudioSettings remembered = dibr::studio::load_settings(settings_file, &settings_warning);
  const int width = options->window_given ? options->window_width : remembered.window_width;
  const int height = options->window_given ? options->window_height : remembered.window_height;
  GLFWwindow* window = glfwCreateWindow(width, height, "DIB-R Studio", nullptr, nullptr);
  if (!window) {
    std::fprintf(stderr, "dibr-studio: cannot create an OpenGL 3.3 core window\n");
    glfwTerminate();
    return 1;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);
  float content_scale = 1, content_scale_y = 1;
  glfwGetWindowContentScale(window, &content_scale, &content_scale_y);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is computed every frame (its splits are kept in StudioSettings)
  ImGui::StyleColorsDark();
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  // Keys and characters go through KeyTrickle, then to ImGui's handlers (and keys to the shortcuts).
  glfwSetKeyCallback(window, on_key);
  glfwSetCharCallback(window, on_char);
  glfwSetMouseButtonCallback(window, on_mouse_button);
  // The backend's other handlers, wrapped so that any input makes the (lazily drawn) window draw.
  glfwSetScrollCallback(window, on_scroll);
  glfwSetWindowFocusCallback(window, on_focus);
  glfwSetCursorEnterCallback(window, on_cursor_enter);
  glfwSetCursorPosCallback(window, on_cursor_moved);
  glfwSetFramebufferSizeCallback(window, on_resized);
  ImGui_ImplOpenGL3_Init("#version 330 core");

  int code = 0;
  try {
    auto app = std::make_unique<dibr::studio::StudioApp>(*options, remembered, settings_file, settings_warning, content_scale);
    g_app = app.get();
    glfwSetDropCallback(window, on_drop);
    std::string title;
    float limits_scale = 0;
    while (!glfwWindowShouldClose(window)) {
      // Sleep until input, the next allowed frame or the next model poll (FramePacer), then draw only if needed.
      const double wait = app->pacer().wait_seconds(glfwGetTime());
      if (wait > 0) glfwWaitEventsTimeout(wait);
      else glfwPollEvents();
      const bool changed = app->poll();
      const bool input = std::exchange(g_input, false) || !g_keys.idle() || !g_mouse.idle();
      const double frame_start = glfwGetTime();
      if (!app->pacer().should_draw(frame_start, input, changed, app->training())) continue;
      app->before_frame();
      if (app->ui_scale() != limits_scale) {
        // Smaller windows could not show a tab's controls whole at this scale.
        limits_scale = app->ui_scale();
        glfwSetWindowSizeLimits(window, static_cast<int>(dibr::studio::kMinimumWindowWidth * limits_scale),
                                static_cast<int>(dibr::studio::kMinimumWindowHeight * limits_scale), GLFW_DONT_CARE, GLFW_DONT_CARE);
      }
      ImGui_ImplOpenGL3_NewFrame();
      ImGui_ImplGlfw_NewFrame();
      apply_mouse_frame(g_mouse.next_frame());
      ImGui::NewFrame();
      app->frame();
      if (app->quit_requested()) glfwSetWindowShouldClose(window, GLFW_TRUE);
      ImGui::Render();
      int fb_w = 0, fb_h = 0;
      glfwGetFramebufferSize(window, &fb_w, &fb_h);
      glViewport(0, 0, fb_w, fb_h);
      glClearColor(0.09f, 0.09f, 0.11f, 1.0f);
      glClear(GL_COLOR_BUFFER_BIT);
      ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
      app->after_render(fb_w, fb_h);
      glfwSwapBuffers(window);
      app->pacer().drawn(frame_start, glfwGetTime() - frame_start);
      // Held-back keys go to ImGui between one drawn frame and the next, before new events (KeyTrickle's order).
      for (const auto& e : g_keys.next_frame()) forward_input(window, e);
      if (std::string t = app->window_title(); t != title) {
        title = t;
        glfwSetWindowTitle(window, title.c_str());
      }
    }
    glfwSetWindowTitle(window, "DIB-R Studio - stopping training...");
    app->shutdown();
    g_app = nullptr;
    app.reset();  // GL objects go while the context is current
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dibr-studio: fatal: %s\n", e.what());
    code = 1;
  }
  g_app = nullptr;
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return code;
}
