//! The display: pixels' frame buffer, lit by `shaders/lights.wgsl` into the
//! arena's part of the window, with the egui overlay drawn on top.

use std::sync::Arc;

use pixels::{Pixels, PixelsBuilder, SurfaceTexture, wgpu};
use winit::window::Window;

use crate::core::arena::{HEIGHT, WIDTH};
use crate::core::draw::{Light, MAX_LIGHTS};

const SHADER: &str = include_str!("../../shaders/lights.wgsl");

/// Bytes of the shader's `Uniforms`: params (16) + size (16) + 8 lights × 32.
const UNIFORM_BYTES: usize = 32 + MAX_LIGHTS * 32;

/// Why the display could not start.
#[derive(Debug)]
pub(crate) struct RenderError(pub String);

/// What one frame's lighting pass needs.
pub(crate) struct LightsInput<'a> {
    pub enabled: bool,
    pub flash: f32,
    pub lights: &'a [Light; MAX_LIGHTS],
}

/// The arena's place in the window, in physical pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Viewport {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Viewport {
    /// The largest arena-shaped rectangle centred in `(x, y, w, h)`.
    pub(crate) fn fit(x: f32, y: f32, w: f32, h: f32) -> Self {
        let aspect = WIDTH as f32 / HEIGHT as f32;
        let (fw, fh) = if w / h.max(1.0) > aspect {
            (h * aspect, h)
        } else {
            (w, w / aspect)
        };
        Self {
            x: (x + (w - fw) / 2.0).round(),
            y: (y + (h - fh) / 2.0).round(),
            w: fw.round().max(1.0),
            h: fh.round().max(1.0),
        }
    }

    /// Window pixels per arena pixel.
    pub(crate) fn scale(&self) -> f32 {
        self.w / WIDTH as f32
    }
}

/// pixels, the lighting pipeline and the egui renderer, on one device.
pub(crate) struct Renderer {
    pub pixels: Pixels<'static>,
    pipeline: wgpu::RenderPipeline,
    bind_group: wgpu::BindGroup,
    uniforms: wgpu::Buffer,
    uniform_bytes: [u8; UNIFORM_BYTES],
    pub egui: egui_wgpu::Renderer,
    pub size: (u32, u32),
}

impl Renderer {
    pub(crate) fn new(window: Arc<Window>) -> Result<Self, RenderError> {
        let size = window.inner_size();
        let (w, h) = (size.width.max(1), size.height.max(1));
        let surface = SurfaceTexture::new(w, h, window);
        let pixels = PixelsBuilder::new(WIDTH, HEIGHT, surface)
            // The loop owns pacing: never wait for vsync in present.
            .present_mode(wgpu::PresentMode::AutoNoVsync)
            // Plain (non-sRGB) formats: the bytes we draw are shown as they
            // are, and software rasterisers skip the sRGB conversions.
            .texture_format(wgpu::TextureFormat::Rgba8Unorm)
            .surface_texture_format(wgpu::TextureFormat::Bgra8Unorm)
            .clear_color(wgpu::Color {
                r: 0.02,
                g: 0.02,
                b: 0.03,
                a: 1.0,
            })
            .build()
            .map_err(|e| match e {
                pixels::Error::AdapterNotFound => RenderError(
                    "no GPU adapter found (for software rendering install mesa-vulkan-drivers: \
                     apt-get install mesa-vulkan-drivers libvulkan1)"
                        .into(),
                ),
                other => RenderError(format!("cannot start the display: {other}")),
            })?;
        let device = pixels.device();
        // wgpu's default answer to an error nobody captured is a panic. A
        // surface that cannot be configured because the X server just died
        // is the display going away: unwind to the loop, which ends the run
        // cleanly, without the panic hook's report (`resume_unwind` skips
        // it). Returning instead would let wgpu go on to acquire a frame
        // from the dead surface, which can spin for ever. Anything else is
        // a bug and panics, as the default would.
        device.on_uncaptured_error(Arc::new(|e: wgpu::Error| {
            if super::display::gone() {
                log::debug!("wgpu, the display gone: {e}");
                std::panic::resume_unwind(Box::new("the display went away"));
            }
            panic!("wgpu error: {e}");
        }));
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("lights"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("frame"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        let uniforms = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("lights"),
            size: UNIFORM_BYTES as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("lights"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: fragment,
                    count: None,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Float { filterable: true },
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: fragment,
                    count: None,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 2,
                    visibility: fragment,
                    count: None,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: wgpu::BufferSize::new(UNIFORM_BYTES as u64),
                    },
                },
            ],
        });
        let frame_view = pixels
            .texture()
            .create_view(&wgpu::TextureViewDescriptor::default());
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("lights"),
            layout: &layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&frame_view),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&sampler),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: uniforms.as_entire_binding(),
                },
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("lights"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let format = pixels.surface_texture_format();
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("lights"),
            layout: Some(&pipeline_layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend: None,
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        let egui = egui_wgpu::Renderer::new(device, format, egui_wgpu::RendererOptions::default());
        Ok(Self {
            pixels,
            pipeline,
            bind_group,
            uniforms,
            uniform_bytes: [0; UNIFORM_BYTES],
            egui,
            size: (w, h),
        })
    }

    /// Follows the window's size (zero sizes, i.e. minimised, are skipped).
    pub(crate) fn resize(&mut self, w: u32, h: u32) {
        if w == 0 || h == 0 || (w, h) == self.size {
            return;
        }
        if self.pixels.resize_surface(w, h).is_ok() {
            self.size = (w, h);
        }
    }

    fn write_uniforms(&mut self, input: &LightsInput<'_>) {
        let mut floats = [0f32; UNIFORM_BYTES / 4];
        // Only lit lights are passed, so the shader loops over just those.
        let mut count = 0;
        for l in input.lights.iter().filter(|l| l.intensity > 0.0) {
            let o = 8 + count * 8;
            floats[o..o + 8].copy_from_slice(&[
                l.x,
                l.y,
                l.radius,
                l.intensity,
                l.color[0],
                l.color[1],
                l.color[2],
                0.0,
            ]);
            count += 1;
        }
        floats[0] = if input.enabled { 1.0 } else { 0.0 };
        floats[1] = input.flash;
        floats[2] = count as f32;
        floats[4] = WIDTH as f32;
        floats[5] = HEIGHT as f32;
        for (chunk, f) in self.uniform_bytes.chunks_exact_mut(4).zip(floats) {
            chunk.copy_from_slice(&f.to_ne_bytes());
        }
        self.pixels
            .queue()
            .write_buffer(&self.uniforms, 0, &self.uniform_bytes);
    }

    /// Presents the frame buffer lit into `viewport`, and the overlay's
    /// tessellated `jobs` over everything. `Ok(false)`: nothing went to
    /// the display (the window is occluded, or its image did not come in
    /// time), which pixels does not count as an error.
    pub(crate) fn present(
        &mut self,
        viewport: Viewport,
        lights: &LightsInput<'_>,
        jobs: &[egui::ClippedPrimitive],
        textures: &egui::TexturesDelta,
        pixels_per_point: f32,
    ) -> Result<bool, String> {
        self.write_uniforms(lights);
        for (id, delta) in &textures.set {
            self.egui
                .update_texture(self.pixels.device(), self.pixels.queue(), *id, delta);
        }
        let screen = egui_wgpu::ScreenDescriptor {
            size_in_pixels: [self.size.0, self.size.1],
            pixels_per_point,
        };
        let (pipeline, bind_group, egui) = (&self.pipeline, &self.bind_group, &mut self.egui);
        let (sw, sh) = (self.size.0 as f32, self.size.1 as f32);
        // pixels runs this only with a swapchain image in hand, and
        // presents that image after it.
        let mut drawn = false;
        let result = self.pixels.render_with(|encoder, target, context| {
            drawn = true;
            {
                let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("lights"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view: target,
                        depth_slice: None,
                        resolve_target: None,
                        ops: wgpu::Operations {
                            load: wgpu::LoadOp::Clear(wgpu::Color {
                                r: 0.015,
                                g: 0.016,
                                b: 0.022,
                                a: 1.0,
                            }),
                            store: wgpu::StoreOp::Store,
                        },
                    })],
                    ..Default::default()
                });
                let x = viewport.x.clamp(0.0, sw - 1.0);
                let y = viewport.y.clamp(0.0, sh - 1.0);
                let w = viewport.w.min(sw - x).max(1.0);
                let h = viewport.h.min(sh - y).max(1.0);
                pass.set_viewport(x, y, w, h, 0.0, 1.0);
                pass.set_pipeline(pipeline);
                pass.set_bind_group(0, bind_group, &[]);
                pass.draw(0..3, 0..1);
            }
            let extra =
                egui.update_buffers(&context.device, &context.queue, encoder, jobs, &screen);
            if !extra.is_empty() {
                context.queue.submit(extra);
            }
            {
                let mut pass = encoder
                    .begin_render_pass(&wgpu::RenderPassDescriptor {
                        label: Some("overlay"),
                        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                            view: target,
                            depth_slice: None,
                            resolve_target: None,
                            ops: wgpu::Operations {
                                load: wgpu::LoadOp::Load,
                                store: wgpu::StoreOp::Store,
                            },
                        })],
                        ..Default::default()
                    })
                    .forget_lifetime();
                egui.render(&mut pass, jobs, &screen);
            }
            Ok(())
        });
        for id in &textures.free {
            self.egui.free_texture(id);
        }
        result.map(|()| drawn).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arena_is_fitted_and_centred() {
        let v = Viewport::fit(0.0, 0.0, 1280.0, 400.0);
        assert_eq!(
            v,
            Viewport {
                x: 320.0,
                y: 0.0,
                w: 640.0,
                h: 400.0
            }
        );
        let v = Viewport::fit(10.0, 20.0, 320.0, 1000.0);
        assert_eq!((v.w, v.h, v.x), (320.0, 200.0, 10.0));
        assert_eq!(v.scale(), 0.5);
    }
}
