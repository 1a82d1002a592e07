//! The dashboard of a loaded data set: the period and currency controls, the total, and the
//! daily cost by provider, by model and by team, each as a chart with its table of totals.
//!
//! Every number is recomputed from the decoded table when the period or currency changes;
//! nothing is fetched again.

use std::sync::Arc;

use allot_core::Amount;
use allot_core::aggregate::{Filter, NO_MODEL, Series, Summary, summarize};
use allot_core::allocation::UNALLOCATED;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use time::Date;
use time::format_description::well_known::Rfc3339;

use crate::charts::{self, SeriesColors};
use crate::data::{Dataset, RulesStatus};
use crate::format;
use crate::period::{Bounds, QuickRange, parse_iso_date};

/// The dashboard of `dataset`.
#[component]
pub fn Dashboard(dataset: Arc<Dataset>) -> impl IntoView {
    let Some((first, last)) = dataset.table.day_range() else {
        return view! { <EmptyDataset folder=dataset.folder.clone() /> }.into_any();
    };
    let bounds = Bounds { first, last };
    let from = RwSignal::new(first);
    let to = RwSignal::new(last);
    let currency = RwSignal::new(dataset.currencies.first().cloned().unwrap_or_default());
    let summary = Memo::new({
        let dataset = Arc::clone(&dataset);
        move |_| {
            let filter = Filter {
                first_day: Some(from.get()),
                last_day: Some(to.get()),
                currency: Some(currency.get()),
            };
            summarize(&dataset.table, &dataset.team, &filter)
        }
    });

    let colors = Arc::new(series_colors(&dataset));
    let charts = [
        NodeRef::<Div>::new(),
        NodeRef::<Div>::new(),
        NodeRef::<Div>::new(),
    ];
    let chart_problem = RwSignal::new(None::<String>);
    redraw_charts_on_change(summary, charts, Arc::clone(&colors), chart_problem);

    let rules_note = rules_note(&dataset.rules, &dataset.idle_rules);
    let rules = dataset.rules.clone();
    let currencies = (dataset.currencies.len() > 1).then(|| dataset.currencies.clone());
    view! {
        <section class="controls" aria-label="Period and currency">
            <PeriodControls bounds from to />
            {currencies.map(|currencies| view! { <CurrencySelect currencies currency /> })}
        </section>
        <RulesNotice status=rules />
        <TotalCard summary dataset from to />
        {move || {
            chart_problem.get().map(|problem| view! { <p class="notice warning">{problem}</p> })
        }}
        <Breakdown
            title="By provider"
            column="Provider"
            note="Who billed the charges"
            chart_id=PROVIDER_CHART
            chart=charts[0]
            summary
            pick=|summary| &summary.by_provider
            colors=colors[0].clone()
        />
        <Breakdown
            title="By model"
            column="Model"
            note=format!("Charges that are not for a model (tools, fees) are under “{NO_MODEL}”")
            chart_id=MODEL_CHART
            chart=charts[1]
            summary
            pick=|summary| &summary.by_model
            colors=colors[1].clone()
        />
        <Breakdown
            title="By team"
            column="Team"
            note=rules_note
            chart_id=TEAM_CHART
            chart=charts[2]
            summary
            pick=|summary| &summary.by_team
            colors=colors[2].clone()
        />
    }
    .into_any()
}

/// The colors of the provider, model and team series, ranked once over the whole data set in
/// every currency, so that a name keeps its color whatever period or currency is shown.
fn series_colors(dataset: &Dataset) -> [SeriesColors; 3] {
    let whole: Vec<Summary> = dataset
        .currencies
        .iter()
        .map(|currency| {
            let filter = Filter {
                currency: Some(currency.clone()),
                ..Filter::default()
            };
            summarize(&dataset.table, &dataset.team, &filter)
        })
        .collect();
    let names = |pick: fn(&Summary) -> &[Series]| {
        SeriesColors::new(
            whole
                .iter()
                .flat_map(|summary| pick(summary).iter().map(|one| one.name.clone())),
        )
    };
    [
        names(|summary| &summary.by_provider),
        names(|summary| &summary.by_model),
        names(|summary| &summary.by_team),
    ]
}

// The chart elements' ids, by which the end-to-end tests find the charts.
const PROVIDER_CHART: &str = "chart-provider";
const MODEL_CHART: &str = "chart-model";
const TEAM_CHART: &str = "chart-team";

/// Draws the three charts once their elements are mounted, and again whenever `summary`
/// changes; a failure is reported in `problem` rather than leaving the charts silently empty.
fn redraw_charts_on_change(
    summary: Memo<Summary>,
    charts: [NodeRef<Div>; 3],
    colors: Arc<[SeriesColors; 3]>,
    problem: RwSignal<Option<String>>,
) {
    Effect::new(move || {
        if charts.iter().any(|chart| chart.get().is_none()) {
            return;
        }
        if !charts::plotly_loaded() {
            problem.set(Some(
                "The charts could not be drawn: plotly.js did not load. The tables below still \
                 show every total."
                    .to_owned(),
            ));
            return;
        }
        let plots = summary.with(|summary| {
            let chart = |series: &[Series], colors: &SeriesColors| {
                charts::stacked_daily(&summary.days, series, &summary.currency, colors)
            };
            vec![
                (PROVIDER_CHART, chart(&summary.by_provider, &colors[0])),
                (MODEL_CHART, chart(&summary.by_model, &colors[1])),
                (TEAM_CHART, chart(&summary.by_team, &colors[2])),
            ]
        });
        spawn_local(async move {
            if let Err(error) = charts::draw(plots).await {
                leptos::logging::error!("allot: drawing the charts failed: {error}");
                problem.set(Some(format!(
                    "The charts could not be drawn ({error}). The tables below still show every \
                     total."
                )));
            }
        });
    });
}

/// The team chart's note: where the teams come from, and which rules decide nothing.
fn rules_note(status: &RulesStatus, idle_rules: &[String]) -> String {
    let note = match status {
        RulesStatus::Loaded { team_rules: 1 } => {
            format!("Allocated by 1 rule; what it does not match is “{UNALLOCATED}”")
        }
        RulesStatus::Loaded { team_rules } => {
            format!("Allocated by {team_rules} rules; what none matches is “{UNALLOCATED}”")
        }
        RulesStatus::Missing | RulesStatus::Invalid(_) => {
            format!("Without allocation rules every charge is “{UNALLOCATED}”")
        }
    };
    if idle_rules.is_empty() {
        note
    } else {
        format!(
            "{note}. Rules that decide no charge: {}",
            idle_rules.join("; ")
        )
    }
}

/// The from and to dates, bounded by the data, and the quick ranges.
#[component]
fn PeriodControls(bounds: Bounds, from: RwSignal<Date>, to: RwSignal<Date>) -> impl IntoView {
    let (min, max) = (
        format::iso_date(bounds.first),
        format::iso_date(bounds.last),
    );
    let on_from = move |event| {
        if let Some(date) = parse_iso_date(&event_target_value(&event)) {
            let date = bounds.clamp(date);
            from.set(date);
            if date > to.get_untracked() {
                to.set(date);
            }
        }
    };
    let on_to = move |event| {
        if let Some(date) = parse_iso_date(&event_target_value(&event)) {
            let date = bounds.clamp(date);
            to.set(date);
            if date < from.get_untracked() {
                from.set(date);
            }
        }
    };
    let quick = QuickRange::ALL.map(|range| {
        let (first, last) = range.period(bounds);
        let active = move || from.get() == first && to.get() == last;
        view! {
            <button
                type="button"
                class="quick"
                class:active=active
                aria-pressed=move || active().to_string()
                title=range.description()
                on:click=move |_| {
                    from.set(first);
                    to.set(last);
                }
            >
                {range.label()}
            </button>
        }
    });

    view! {
        <div class="period">
            <label for="from">"From"</label>
            <input
                type="date"
                id="from"
                min=min.clone()
                max=max.clone()
                prop:value=move || format::iso_date(from.get())
                on:change=on_from
            />
            <label for="to">"to"</label>
            <input
                type="date"
                id="to"
                min=min
                max=max
                prop:value=move || format::iso_date(to.get())
                on:change=on_to
            />
        </div>
        <div class="quick-ranges" role="group" aria-label="Quick periods">
            {quick}
        </div>
    }
}

/// The currency shown, when the data has several: amounts are never added across currencies.
#[component]
fn CurrencySelect(currencies: Vec<String>, currency: RwSignal<String>) -> impl IntoView {
    let options = currencies
        .into_iter()
        .map(|code| {
            let selected = {
                let code = code.clone();
                move || currency.with(|current| *current == code)
            };
            view! { <option value=code.clone() selected=selected>{code.clone()}</option> }
        })
        .collect_view();

    view! {
        <div class="currency">
            <label for="currency">"Currency"</label>
            <select id="currency" on:change=move |event| currency.set(event_target_value(&event))>
                {options}
            </select>
        </div>
    }
}

/// A notice about the allocation rules when they are missing or unreadable.
#[component]
fn RulesNotice(status: RulesStatus) -> impl IntoView {
    match status {
        RulesStatus::Loaded { .. } => None,
        RulesStatus::Missing => Some(
            view! {
                <p class="notice info" id="rules-notice">
                    "No allocation rules are published with this data (allocation.toml was not \
                     found), so every charge is shown as “Unallocated” by team."
                </p>
            }
            .into_any(),
        ),
        RulesStatus::Invalid(error) => Some(
            view! {
                <div class="notice warning" id="rules-notice" role="alert">
                    <p>
                        "The allocation rules could not be read, so every charge is shown as \
                         “Unallocated” by team until they are fixed:"
                    </p>
                    <pre>{error.to_string()}</pre>
                </div>
            }
            .into_any(),
        ),
    }
}

/// The total of the period, and what it is made of.
#[component]
fn TotalCard(
    summary: Memo<Summary>,
    dataset: Arc<Dataset>,
    from: RwSignal<Date>,
    to: RwSignal<Date>,
) -> impl IntoView {
    let period = move || {
        let (first, last) = (from.get(), to.get());
        if first == last {
            format::date(first)
        } else {
            format!("{} – {}", format::date(first), format::date(last))
        }
    };
    let total = move || summary.with(|summary| format::money(summary.total, &summary.currency));
    let exact = move || summary.with(|summary| summary.total.to_string());
    let currency = move || summary.with(|summary| summary.currency.clone());
    let charges = move || summary.with(|summary| format::count(summary.charges));
    let daily_average = move || {
        summary.with(|summary| {
            let days = i128::try_from(summary.days.len()).unwrap_or(1).max(1);
            let average = Amount::from_raw(summary.total.raw() / days);
            format::money(average, &summary.currency)
        })
    };
    let sources = dataset.sources.join(", ");
    let source_count = format::count(dataset.sources.len());
    let files = match dataset.manifest.files.len() {
        1 => "1 file".to_owned(),
        count => format!("{} files", format::count(count)),
    };
    let published = published_at(&dataset.manifest.created_at);

    view! {
        <section class="card total-card">
            <div class="total-main">
                <h1>"Total AI cost"</h1>
                <p class="period-label">{period}</p>
                <p id="total" class="total" data-exact=exact data-currency=currency>
                    {total}
                </p>
            </div>
            <dl class="stats">
                <div>
                    <dt>"Charges"</dt>
                    <dd id="charges">{charges}</dd>
                </div>
                <div>
                    <dt>"Daily average"</dt>
                    <dd>{daily_average}</dd>
                </div>
                <div>
                    <dt>"Sources"</dt>
                    <dd title=sources.clone()>{source_count}</dd>
                    <dd class="detail">{sources}</dd>
                </div>
                <div>
                    <dt>"Published"</dt>
                    <dd>{published}</dd>
                    <dd class="detail">{files}</dd>
                </div>
            </dl>
        </section>
    }
}

/// `created_at` of the manifest as `2026-09-05 14:03 UTC`, or as written when it is not RFC 3339.
fn published_at(created_at: &str) -> String {
    time::OffsetDateTime::parse(created_at, &Rfc3339).map_or_else(
        |_| created_at.to_owned(),
        |at| {
            let at = at.to_offset(time::UtcOffset::UTC);
            format!(
                "{} {:02}:{:02} UTC",
                format::iso_date(at.date()),
                at.hour(),
                at.minute()
            )
        },
    )
}

/// One breakdown: a stacked daily chart and the table of its series' totals.
#[component]
fn Breakdown(
    title: &'static str,
    column: &'static str,
    #[prop(into)] note: String,
    chart_id: &'static str,
    chart: NodeRef<Div>,
    summary: Memo<Summary>,
    pick: fn(&Summary) -> &[Series],
    colors: SeriesColors,
) -> impl IntoView {
    let rows = move || {
        summary.with(|summary| {
            let series = pick(summary);
            if series.is_empty() {
                return view! {
                    <tr>
                        <td colspan="3" class="empty">"No charges in this period"</td>
                    </tr>
                }
                .into_any();
            }
            series
                .iter()
                .map(|one| {
                    view! {
                        <tr>
                            <td class="name">
                                <span class="swatch" style:background=colors.of(&one.name)></span>
                                {one.name.clone()}
                            </td>
                            <td class="amount" title=one.total.to_string()>
                                {format::money_in_column(one.total, &summary.currency)}
                            </td>
                            <td class="share">{format::share(one.total, summary.total)}</td>
                        </tr>
                    }
                })
                .collect_view()
                .into_any()
        })
    };
    let total =
        move || summary.with(|summary| format::money_in_column(summary.total, &summary.currency));
    let cost_header = move || summary.with(|summary| format!("Cost ({})", summary.currency));

    view! {
        <section class="card breakdown">
            <header>
                <h2>{title}</h2>
                <p class="note">{note}</p>
            </header>
            <div class="breakdown-body">
                <div class="chart" id=chart_id node_ref=chart></div>
                <table class="series">
                    <thead>
                        <tr>
                            <th scope="col">{column}</th>
                            <th scope="col" class="amount">{cost_header}</th>
                            <th scope="col" class="share">"Share"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">"Total"</th>
                            <td class="amount">{total}</td>
                            <td class="share">"100%"</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}

/// A data set whose manifest lists no charges.
#[component]
fn EmptyDataset(folder: String) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"No charges yet"</h2>
            <p>"The data set at " {folder} " has a manifest but no charges."</p>
            <p id="total" class="total" data-exact="0" data-currency="">
                "0.00"
            </p>
        </section>
    }
}
