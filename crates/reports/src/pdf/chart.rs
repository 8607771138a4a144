//! Charts drawn as vector paths: axes, grid lines with tick labels on a 1-2-5 scale, grouped
//! bars or polylines with markers, a legend and an optional reference line. The figures
//! are converted to `f32` for drawing only; the tables beside a chart print them exactly.

use super::layout::{LEFT, Layout, Op, RIGHT};
use crate::doc::{Chart, ChartKind};
use crate::fmt;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

const HEIGHT: f32 = 200.0;
const PALETTE: [(f32, f32, f32); 4] = [
    (0.18, 0.49, 0.35),
    (0.25, 0.45, 0.72),
    (0.86, 0.55, 0.18),
    (0.55, 0.35, 0.66),
];

fn f(d: Decimal) -> f32 {
    d.to_f32().unwrap_or(0.0)
}

/// A tick step of 1, 2 or 5 x 10^k giving about five intervals over `span`.
fn step(span: f32) -> f32 {
    if span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / 5.0;
    let mag = 10f32.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// Decimals to print ticks of `step` with.
fn tick_dp(step: f32) -> u32 {
    if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()).clamp(0.0, 6.0) as u32
    }
}

impl Layout<'_, '_> {
    /// Draws a chart block (see [`draw`]); here, so that the layout need not know charts.
    pub(super) fn chart(&mut self, c: &Chart) {
        draw(self, c)
    }
}

pub fn draw(l: &mut Layout, c: &Chart) {
    l.need(HEIGHT + 20.0);
    let top = l.y - 4.0;
    l.text(LEFT, top - 10.0, 9.5, &c.title, true, 0.0);
    // Legend, right-aligned on the title line.
    let mut x = RIGHT;
    for (i, s) in c.series.iter().enumerate().rev() {
        let w = l.font.width(&s.name, 7.5);
        x -= w;
        l.text(x, top - 10.0, 7.5, &s.name, false, 0.2);
        x -= 11.0;
        l.op(Op::Rect {
            x,
            y: top - 11.0,
            w: 8.0,
            h: 7.0,
            rgb: PALETTE[i % PALETTE.len()],
        });
        x -= 8.0;
    }
    let values: Vec<f32> = c
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().map(|v| f(*v)))
        .chain(c.reference.iter().map(|(_, v)| f(*v)))
        .collect();
    let hi = values.iter().copied().fold(0.0f32, f32::max);
    let lo = values.iter().copied().fold(0.0f32, f32::min);
    let st = step(hi - lo);
    let (lo, hi) = ((lo / st).floor() * st, ((hi / st).ceil() * st).max(st));
    let (px0, px1) = (LEFT + 48.0, RIGHT - 6.0);
    let (py0, py1) = (top - HEIGHT + 26.0, top - 24.0);
    let y_of = |v: f32| py0 + (v - lo) / (hi - lo) * (py1 - py0);
    // Grid and tick labels.
    let dp = tick_dp(st);
    let mut t = lo;
    while t <= hi + st * 0.01 {
        let y = y_of(t);
        l.op(Op::Line {
            from: (px0, y),
            to: (px1, y),
            width: 0.3,
            rgb: (0.82, 0.82, 0.82),
        });
        let d = Decimal::from_f32_retain(t).unwrap_or_default();
        let label = fmt::number(d, dp);
        let w = l.font.width(&label, 7.0);
        l.text(px0 - 4.0 - w, y - 2.5, 7.0, &label, false, 0.3);
        t += st;
    }
    l.text(LEFT, py1 + 6.0, 7.0, &c.unit, false, 0.3);
    l.op(Op::Line {
        from: (px0, py0),
        to: (px1, py0),
        width: 0.8,
        rgb: (0.3, 0.3, 0.3),
    });
    l.op(Op::Line {
        from: (px0, y_of(0.0).clamp(py0, py1)),
        to: (px1, y_of(0.0).clamp(py0, py1)),
        width: 0.6,
        rgb: (0.3, 0.3, 0.3),
    });
    let n = c.labels.len().max(1);
    let group = (px1 - px0) / n as f32;
    // Category labels, thinned out when they would overlap.
    let widest = c
        .labels
        .iter()
        .map(|s| l.font.width(s, 7.0))
        .fold(0.0f32, f32::max);
    let every = ((widest + 4.0) / group).ceil().max(1.0) as usize;
    for (i, label) in c.labels.iter().enumerate() {
        if i % every == 0 {
            let w = l.font.width(label, 7.0);
            let cx = px0 + group * (i as f32 + 0.5);
            l.text(cx - w / 2.0, py0 - 11.0, 7.0, label, false, 0.2);
        }
    }
    let series = c.series.len().max(1);
    for (si, s) in c.series.iter().enumerate() {
        let rgb = PALETTE[si % PALETTE.len()];
        match c.kind {
            ChartKind::Bar => {
                let bw = group * 0.72 / series as f32;
                for (i, v) in s.values.iter().enumerate() {
                    let Some(v) = v else { continue };
                    let x = px0 + group * i as f32 + group * 0.14 + bw * si as f32;
                    let (y0, y1) = (y_of(0.0), y_of(f(*v)));
                    l.op(Op::Rect {
                        x,
                        y: y0.min(y1),
                        w: bw,
                        h: (y1 - y0).abs(),
                        rgb,
                    });
                }
            }
            ChartKind::Line => {
                let points: Vec<(f32, f32)> = s
                    .values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.map(|v| (px0 + group * (i as f32 + 0.5), y_of(f(v)))))
                    .collect();
                for (x, y) in &points {
                    l.op(Op::Rect {
                        x: x - 2.0,
                        y: y - 2.0,
                        w: 4.0,
                        h: 4.0,
                        rgb,
                    });
                }
                l.op(Op::Polyline {
                    points,
                    width: 1.4,
                    rgb,
                });
            }
        }
    }
    if let Some((label, v)) = &c.reference {
        let y = y_of(f(*v));
        l.op(Op::Line {
            from: (px0, y),
            to: (px1, y),
            width: 0.9,
            rgb: (0.80, 0.15, 0.15),
        });
        let text = format!("{label} {}", fmt::number(*v, 2));
        let w = l.font.width(&text, 7.0);
        l.text(px1 - w, y + 2.5, 7.0, &text, false, 0.0);
    }
    l.y = top - HEIGHT - 8.0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_one_two_five() {
        assert_eq!(step(100.0), 20.0);
        assert_eq!(step(7.0), 2.0);
        assert!((step(0.3) - 0.1).abs() < 1e-6);
        assert_eq!(tick_dp(0.05), 2);
        assert_eq!(tick_dp(20.0), 0);
    }
}
