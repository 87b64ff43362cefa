#version 330 core
layout(location = 0) in vec3 in_position;
layout(location = 1) in vec3 in_color;

uniform mat4 u_model_view;
uniform mat4 u_projection;
uniform float u_point_size;

out vec3 v_color;

void main() {
  gl_Position = u_projection * u_model_view * vec4(in_position, 1.0);
  gl_PointSize = u_point_size;
  v_color = in_color;
}
