// "Update display and all other lights": the arena frame, lit.
//
// A full-screen triangle, drawn into the arena's viewport, samples the
// software-drawn frame and lights it: a dim ambient plus up to eight point
// lights (the player, the cursor, the pick-ups) with a smooth falloff,
// computed in arena pixels. With `params.x == 0` it draws the frame as is.

struct Light {
    // x, y (arena pixels), radius (pixels), intensity
    pos: vec4<f32>,
    // r, g, b, unused
    color: vec4<f32>,
};

struct Uniforms {
    // x: lights on (1) or off (0); y: flash 0..1; z: number of lights; w: unused
    params: vec4<f32>,
    // x, y: arena size in pixels
    size: vec4<f32>,
    lights: array<Light, 8>,
};

@group(0) @binding(0) var frame_texture: texture_2d<f32>;
@group(0) @binding(1) var frame_sampler: sampler;
@group(0) @binding(2) var<uniform> u: Uniforms;

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    @location(0) uv: vec2<f32>,
};

@vertex
fn vs_main(@builtin(vertex_index) i: u32) -> VertexOut {
    // Three vertices that cover the viewport: (0,0), (2,0), (0,2) in uv.
    let x = f32((i << 1u) & 2u);
    let y = f32(i & 2u);
    var out: VertexOut;
    out.position = vec4<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
    out.uv = vec2<f32>(x, y);
    return out;
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    let base = textureSample(frame_texture, frame_sampler, in.uv).rgb;
    if (u.params.x < 0.5) {
        return vec4<f32>(base, 1.0);
    }
    let p = in.uv * u.size.xy;
    var light = vec3<f32>(0.42, 0.44, 0.52) + vec3<f32>(0.35) * u.params.y;
    // The same count for every pixel: uniform control flow, cheap even on
    // a software rasteriser.
    let count = u32(u.params.z);
    for (var i = 0u; i < count; i = i + 1u) {
        let l = u.lights[i];
        let falloff = max(1.0 - length(p - l.pos.xy) / max(l.pos.z, 1.0), 0.0);
        light = light + l.color.rgb * (l.pos.w * falloff * falloff);
    }
    // Bright things glow a little beyond themselves.
    let lit = base * light;
    return vec4<f32>(lit / (vec3<f32>(1.0) + lit * 0.25), 1.0);
}
