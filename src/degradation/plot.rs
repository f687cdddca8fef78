//! The figure, drawn like the paper's: tasks in the pipeline on a log axis,
//! throughput above and latency below, one line per design (SVG, plotters).

use plotters::prelude::*;

use super::Measured;

const WIDTH: u32 = 820;
const HEIGHT: u32 = 640;

/// Renders the curves to an SVG document.
pub(crate) fn svg(results: &[Measured]) -> Result<String, String> {
    let mut out = String::new();
    draw(&mut out, results).map_err(|e| format!("cannot draw the plot: {e}"))?;
    Ok(out)
}

type Drawn = Result<(), Box<dyn std::error::Error>>;

fn draw(out: &mut String, results: &[Measured]) -> Drawn {
    let root = SVGBackend::with_string(out, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, bottom) = root.split_vertically(HEIGHT / 2);
    let all = || results.iter().flat_map(|m| m.points.iter());
    let x_max = all().map(|p| p.concurrency).max().unwrap_or(1).max(2) as f64 * 1.5;
    let x_range = || (0.7f64..x_max).log_scale();

    // Log scale: the designs differ by an order of magnitude, and a fall by
    // half must still show.
    let rate = |p: &super::tasks::Point| p.tasks_per_second().max(1.0);
    let rate_max = all().map(rate).fold(10.0, f64::max) * 2.0;
    let rate_min = all()
        .map(rate)
        .fold(f64::MAX, f64::min)
        .min(rate_max / 10.0)
        / 2.0;
    let mut chart = ChartBuilder::on(&top)
        .caption(
            "SEDA Figure 2 on this machine: 8 KB reads of one cached file",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(80)
        .build_cartesian_2d(x_range(), (rate_min..rate_max).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("tasks in the pipeline (= threads of the threaded server)")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("throughput, tasks/s (log)")
        .y_label_formatter(&|v| format!("{:.0}k", v / 1000.0))
        .draw()?;
    for (i, m) in results.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let line = m.points.iter().map(|p| (p.concurrency as f64, rate(p)));
        chart
            .draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))?
            .label(m.name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart.draw_series(line.map(|xy| Circle::new(xy, 3, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::MiddleRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;

    let ms = |p: &super::tasks::Point| (p.latency.mean() / 1e6).max(1e-4);
    let lat_max = all().map(ms).fold(1e-3, f64::max) * 2.0;
    let lat_min = all().map(ms).fold(f64::MAX, f64::min).min(lat_max / 10.0) / 2.0;
    let mut chart = ChartBuilder::on(&bottom)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(80)
        .build_cartesian_2d(x_range(), (lat_min..lat_max).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("tasks in the pipeline")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("mean latency, ms (log)")
        .draw()?;
    for (i, m) in results.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let line = m.points.iter().map(|p| (p.concurrency as f64, ms(p)));
        chart.draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))?;
        chart.draw_series(line.map(|xy| Circle::new(xy, 3, color.filled())))?;
    }
    root.present()?;
    Ok(())
}
