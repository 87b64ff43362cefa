#version 330 core
// Vertex colours x Lambert from a headlight (a light at the eye) + ambient.
in vec3 v_normal_cam;
in vec3 v_position_cam;
in vec3 v_color;

uniform float u_ambient;

out vec4 out_color;

void main() {
  vec3 n = normalize(v_normal_cam);
  vec3 to_eye = normalize(-v_position_cam);
  // Predicted meshes can be inside-out in places: light both sides instead of showing black holes.
  float lambert = abs(dot(n, to_eye));
  vec3 c = clamp(v_color, 0.0, 1.0) * (u_ambient + (1.0 - u_ambient) * lambert);
  out_color = vec4(c, 1.0);
}
