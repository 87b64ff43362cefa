#version 330 core
// The input picture behind the prediction (the input camera view); with background.vert's full-screen triangle.
in vec2 v_uv;

uniform sampler2D u_image;

out vec4 out_color;

void main() {
  // Image rows start at the top, GL's v at the bottom.
  out_color = vec4(texture(u_image, vec2(v_uv.x, 1.0 - v_uv.y)).rgb, 1.0);
}
