#version 330 core
// Positions, normals and colours are de-indexed per triangle corner (flat shading).
layout(location = 0) in vec3 in_position;
layout(location = 1) in vec3 in_normal;
layout(location = 2) in vec3 in_color;

uniform mat4 u_model_view;
uniform mat4 u_projection;

out vec3 v_normal_cam;
out vec3 v_position_cam;
out vec3 v_color;

void main() {
  vec4 p = u_model_view * vec4(in_position, 1.0);
  v_position_cam = p.xyz;
  // The model-view has no scaling or shear (rotation + translation), so its upper 3x3 maps normals.
  v_normal_cam = mat3(u_model_view) * in_normal;
  v_color = in_color;
  gl_Position = u_projection * p;
}
