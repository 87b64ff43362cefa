#version 330 core
in vec3 v_color;

out vec4 out_color;

void main() {
  // Round points: drop the corners of the square sprite.
  vec2 d = gl_PointCoord * 2.0 - 1.0;
  if (dot(d, d) > 1.0) discard;
  out_color = vec4(v_color, 1.0);
}
