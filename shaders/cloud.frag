#version 330 core
in vec3 v_color;
uniform float u_ambient;

out vec4 out_color;

void main() {
  // Round sprites shaded as small spheres lit by the headlight, so the cloud's depth reads at a glance.
  vec2 d = gl_PointCoord * 2.0 - 1.0;
  float r2 = dot(d, d);
  if (r2 > 1.0) discard;
  float lambert = sqrt(1.0 - r2);
  out_color = vec4(v_color * (u_ambient + (1.0 - u_ambient) * lambert), 1.0);
}
