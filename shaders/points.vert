#version 330 core
layout(location = 0) in vec3 in_position;

uniform mat4 u_model_view;
uniform mat4 u_projection;
uniform float u_point_size;

void main() {
  gl_Position = u_projection * u_model_view * vec4(in_position, 1.0);
  gl_PointSize = u_point_size;
}
