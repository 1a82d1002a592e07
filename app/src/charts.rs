//! The daily cost charts: stacked bars per series, built with the `plotly` crate and drawn by
//! the global `Plotly` that `index.html` loads.
//!
//! The drawing goes through a binding of our own rather than `plotly::bindings`: those panic
//! when plotly.js rejects a figure, which would stop the whole app, and exist only on wasm32,
//! which would keep the unit tests of this crate from running natively.

use std::collections::HashMap;

use allot_core::aggregate::Series;
use leptos::prelude::*;
use plotly::common::{Font, Marker, Title};
use plotly::configuration::DisplayModeBar;
use plotly::layout::{Axis, BarMode, HoverMode, Legend, Margin, TraceOrder};
use plotly::{Bar, Configuration, Layout, Plot};
use time::Date;
use wasm_bindgen::prelude::*;

use crate::format;

/// Series colors: the chart and its table use the same color for a name.
const PALETTE: [&str; 16] = [
    "#2f6fde", "#f28c28", "#2aa876", "#d64550", "#8a5cd0", "#16a3b8", "#c9a227", "#e36fb0",
    "#5b7083", "#7cb342", "#a0522d", "#4a4ad6", "#00897b", "#b0417a", "#8d9e2a", "#6d4c41",
];

/// The font of the page (see `public/style.css`), so the charts read as part of it.
const FONT_FAMILY: &str = "system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif";

/// The longest period, in days, whose every day gets a tick.
const SHORT_PERIOD_DAYS: usize = 14;

/// A day in milliseconds, plotly's unit of time on a date axis.
const DAY_MILLIS: f64 = 86_400_000.0;

/// One color per series name, kept whatever period is shown: names are ranked once, by their
/// total over the whole data set, so a team keeps its color when the dates change.
#[derive(Debug, Clone, Default)]
pub struct SeriesColors {
    rank: HashMap<String, usize>,
}

impl SeriesColors {
    /// Colors for `names`, largest first; a name given twice keeps its first place.
    pub fn new(names: impl IntoIterator<Item = String>) -> Self {
        let mut rank = HashMap::new();
        for name in names {
            let next = rank.len();
            rank.entry(name).or_insert(next);
        }
        SeriesColors { rank }
    }

    /// The color of `name`; a name not ranked gets one from its letters.
    pub fn of(&self, name: &str) -> &'static str {
        let index = self.rank.get(name).copied().unwrap_or_else(|| {
            name.bytes().fold(0_usize, |sum, byte| {
                sum.wrapping_mul(31).wrapping_add(byte.into())
            })
        });
        PALETTE[index % PALETTE.len()]
    }
}

/// A stacked daily bar chart of `series` over `days`, amounts in `currency`.
pub fn stacked_daily(
    days: &[Date],
    series: &[Series],
    currency: &str,
    colors: &SeriesColors,
) -> Plot {
    let x: Vec<String> = days.iter().copied().map(format::iso_date).collect();
    let symbol = format::currency_symbol(currency);
    let hover = format!("{symbol}%{{y:,.2f}} {currency}");

    let mut plot = Plot::new();
    for one in series {
        let y: Vec<f64> = one.daily.iter().map(|amount| amount.to_f64()).collect();
        plot.add_trace(
            Bar::new(x.clone(), y)
                .name(&one.name)
                .marker(Marker::new().color(colors.of(&one.name)))
                .hover_template(hover.as_str()),
        );
    }
    plot.set_layout(
        Layout::new()
            .bar_mode(BarMode::Relative)
            .bar_gap(0.15)
            .hover_mode(HoverMode::XUnified)
            .height(340)
            .margin(Margin::new().left(64).right(16).top(16).bottom(40))
            .font(Font::new().family(FONT_FAMILY).size(12).color("#3b4451"))
            .paper_background_color("rgba(0,0,0,0)")
            .plot_background_color("rgba(0,0,0,0)")
            .show_legend(true)
            .legend(Legend::new().trace_order(TraceOrder::Normal))
            .x_axis(days_axis(days.len()))
            .y_axis(
                Axis::new()
                    .title(Title::with_text(currency))
                    .tick_prefix(symbol)
                    .tick_format(",.2~f")
                    .grid_color("#e6e9ef")
                    .zero_line_color("#b8c0cc")
                    .fixed_range(true),
            ),
    );
    plot.set_configuration(
        Configuration::new()
            .responsive(true)
            .display_logo(false)
            .display_mode_bar(DisplayModeBar::False),
    );
    plot
}

/// The time axis: plotly picks the ticks of a long period, but would label the days of a short
/// one with their midnight (`00:00:00`), so those get one tick a day.
fn days_axis(day_count: usize) -> Axis {
    let axis = Axis::new()
        .show_grid(false)
        .fixed_range(true)
        .hover_format("%a %-d %b %Y");
    if day_count <= SHORT_PERIOD_DAYS {
        axis.tick_format("%-d %b").dtick(DAY_MILLIS)
    } else {
        axis
    }
}

/// Whether plotly.js has loaded: without it every drawing fails with `Plotly is not defined`,
/// so the dashboard says plainly that plotly.js is missing instead.
pub fn plotly_loaded() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &"Plotly".into()).unwrap_or(false)
}

#[wasm_bindgen]
extern "C" {
    /// `Plotly.react`: draws `figure` in the element with id `id`, or updates it in place.
    #[wasm_bindgen(catch, js_namespace = Plotly, js_name = react)]
    async fn plotly_react(id: &str, figure: JsValue) -> Result<JsValue, JsValue>;
}

/// Draws or redraws each `(element id, plot)`; after the first drawing of a page, records the
/// time in `document.body.dataset.chartsDrawnMs` (milliseconds since navigation start).
pub async fn draw(plots: Vec<(&'static str, Plot)>) -> Result<(), String> {
    for (id, plot) in &plots {
        let figure = js_sys::JSON::parse(&plot.to_json()).map_err(|error| describe(&error))?;
        plotly_react(id, figure)
            .await
            .map_err(|error| describe(&error))?;
    }
    mark_first_drawing();
    Ok(())
}

/// The message of a JavaScript exception.
fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}

fn mark_first_drawing() {
    let Some(body) = document().body() else {
        return;
    };
    let dataset = body.dataset();
    if dataset.get("chartsDrawnMs").is_some() {
        return;
    }
    if let Some(performance) = window().performance() {
        let elapsed_ms = performance.now().round();
        // Best effort: the mark is for tests, and a page without it still shows its charts.
        let _ = dataset.set("chartsDrawnMs", &format!("{elapsed_ms}"));
    }
}

#[cfg(test)]
mod tests {
    use super::SeriesColors;

    #[test]
    fn a_name_keeps_its_color_and_ranked_names_do_not_share_one() {
        let names = (0..16).map(|index| format!("team-{index}"));
        let colors = SeriesColors::new(names.chain(["team-3".to_owned()]));
        assert_eq!(colors.of("team-0"), "#2f6fde");
        assert_eq!(colors.of("team-1"), "#f28c28");
        let distinct: std::collections::HashSet<&str> = (0..16)
            .map(|index| colors.of(&format!("team-{index}")))
            .collect();
        assert_eq!(distinct.len(), 16);
        assert_eq!(colors.of("not ranked"), colors.of("not ranked"));
    }
}
