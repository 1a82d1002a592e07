//! The demo organization's Mistral AI spend, as responses of the Admin API usage endpoint
//! (`GET /usage?month=&year=&workspace_id=`): one response per month of the period and
//! workspace, each workspace's tokens by model and day, with the month's prices.
//!
//! The demo organization is billed in US dollars. A response carries no money: its cost is each
//! entry's `value_paid` tokens times the listed price per token, which the total here adds up
//! exactly, as `allot collect` does.

use std::collections::BTreeSet;

use anyhow::Context as _;
use rand::SeedableRng as _;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value, json};
use time::{Date, Month};

use super::VendorPages;
use super::calendar::{Demand, Period, Schedule, row_noise};
use super::organization::mistral_workspace;

const SEED: u64 = 0x6d69_7374_7261_6c21;

/// A Mistral model and its prices per token in US dollars, as the response lists them.
struct Model {
    id: &'static str,
    input_usd_per_token: &'static str,
    output_usd_per_token: &'static str,
}

const MISTRAL_LARGE: Model = Model {
    id: "mistral-large-2411",
    input_usd_per_token: "0.000002",
    output_usd_per_token: "0.000006",
};

const MISTRAL_SMALL: Model = Model {
    id: "mistral-small-2503",
    input_usd_per_token: "0.0000001",
    output_usd_per_token: "0.0000003",
};

/// One team's use of one model in its workspace.
struct Workload {
    workspace_id: &'static str,
    model: &'static Model,
    /// Output tokens per input token.
    output_per_input: f64,
    demand: Demand,
}

const WORKLOADS: [Workload; 2] = [
    // docs-ai translates the documentation into French and German.
    Workload {
        workspace_id: mistral_workspace::DOCS_AI,
        model: &MISTRAL_LARGE,
        output_per_input: 0.9,
        demand: Demand {
            weekday_usd: 45.0,
            monthly_growth: 0.05,
            weekend_share: 0.1,
            schedule: Schedule::Ongoing,
        },
    },
    // support-bot sorts incoming tickets by language and topic: many small prompts.
    Workload {
        workspace_id: mistral_workspace::SUPPORT,
        model: &MISTRAL_SMALL,
        output_per_input: 0.05,
        demand: Demand {
            weekday_usd: 14.0,
            monthly_growth: 0.1,
            weekend_share: 0.6,
            schedule: Schedule::Ongoing,
        },
    },
];

/// A workload's input and output entries of each day of a month.
type DayEntries = Vec<(Entry, Entry)>;

#[derive(Serialize)]
struct Entry {
    usage_type: &'static str,
    event_type: &'static str,
    billing_metric: &'static str,
    billing_display_name: String,
    billing_group: &'static str,
    timestamp: String,
    value: u64,
    value_paid: u64,
}

/// The usage responses for `period`, oldest month first, each workspace in the order of the
/// workloads.
pub(super) fn usage_responses(period: &Period) -> anyhow::Result<VendorPages> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut months: Vec<(Date, Vec<DayEntries>)> = Vec::new();
    for &day in period.days() {
        let month = day.replace_day(1).context("the first of a month")?;
        if months.last().is_none_or(|(last, _)| *last != month) {
            months.push((month, WORKLOADS.iter().map(|_| Vec::new()).collect()));
        }
        let (_, by_workload) = months.last_mut().context("a month")?;
        for (workload, entries) in WORKLOADS.iter().zip(by_workload.iter_mut()) {
            if let Some(pair) = workload.entries_on(period, day, &mut rng)? {
                entries.push(pair);
            }
        }
    }

    let mut pages = Vec::new();
    let mut total_usd = Decimal::ZERO;
    for (month, by_workload) in months {
        for (workload, entries) in WORKLOADS.iter().zip(by_workload) {
            let (response, cost) = workload.response(month, entries)?;
            total_usd += cost;
            pages.push(serde_json::to_vec_pretty(&response).context("a usage response")?);
        }
    }
    Ok(VendorPages {
        pages,
        total_usd,
        models: WORKLOADS
            .iter()
            .map(|workload| workload.model.id)
            .collect::<BTreeSet<_>>(),
    })
}

impl Workload {
    /// The day's input and output entries; `None` when the workload does not run that day.
    fn entries_on(
        &self,
        period: &Period,
        day: Date,
        rng: &mut ChaCha8Rng,
    ) -> anyhow::Result<Option<(Entry, Entry)>> {
        let usd = self.demand.usd_on(period, day, rng);
        if usd <= 0.0 {
            return Ok(None);
        }
        let price = |text: &str| text.parse::<f64>().context("a price");
        let usd_per_input_token = price(self.model.input_usd_per_token)?
            + self.output_per_input * price(self.model.output_usd_per_token)?;
        let input_estimate = usd / usd_per_input_token * row_noise(rng);
        let (input, output) = (
            tokens(input_estimate),
            tokens(input_estimate * self.output_per_input),
        );
        let timestamp = format!("{day}T00:00:00Z");
        let entry = |metric: &'static str, kind: &str, value: u64| Entry {
            usage_type: "completion",
            event_type: "completion",
            billing_metric: metric,
            billing_display_name: format!("{} {kind} tokens", self.model.id),
            billing_group: self.model.id,
            timestamp: timestamp.clone(),
            value,
            value_paid: value,
        };
        Ok(Some((
            entry("input_tokens", "input", input),
            entry("output_tokens", "output", output),
        )))
    }

    /// The response of one month, and what its entries cost.
    fn response(
        &self,
        month: Date,
        entries: Vec<(Entry, Entry)>,
    ) -> anyhow::Result<(Value, Decimal)> {
        let input_price = Decimal::from_str_exact(self.model.input_usd_per_token)?;
        let output_price = Decimal::from_str_exact(self.model.output_usd_per_token)?;
        let cost: Decimal = entries
            .iter()
            .map(|(input, output)| {
                Decimal::from(input.value_paid) * input_price
                    + Decimal::from(output.value_paid) * output_price
            })
            .sum();
        let (inputs, outputs): (Vec<Entry>, Vec<Entry>) = entries.into_iter().unzip();
        let mut by_model = Map::new();
        by_model.insert(
            self.model.id.to_owned(),
            json!({"input": inputs, "output": outputs}),
        );
        let next = next_month(month)?;
        let price = |metric: &str, price: &str| {
            json!({"event_type": "completion", "billing_metric": metric,
                   "billing_group": self.model.id, "price": price})
        };
        let response = json!({
            "completion": {"models": by_model},
            "vibe_usage": 0.0,
            "date": format!("{month}"),
            "start_date": format!("{month}T00:00:00Z"),
            "end_date": format!("{next}T00:00:00Z"),
            "currency": "USD",
            "currency_symbol": "$",
            "workspace_id": self.workspace_id,
            "prices": [
                price("input_tokens", self.model.input_usd_per_token),
                price("output_tokens", self.model.output_usd_per_token),
            ],
        });
        Ok((response, cost))
    }
}

/// The first day of the month after `month`'s.
fn next_month(month: Date) -> anyhow::Result<Date> {
    let (year, next) = match month.month() {
        Month::December => (month.year() + 1, Month::January),
        other => (month.year(), other.next()),
    };
    Ok(Date::from_calendar_date(year, next, 1)?)
}

/// A token count from a float estimate of it.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a day's tokens are positive and far below u64::MAX"
)]
fn tokens(estimate: f64) -> u64 {
    estimate.round().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn decimal(value: &Value) -> Decimal {
        match value {
            Value::String(text) => Decimal::from_str_exact(text).expect("a price"),
            other => Decimal::from(other.as_u64().expect("a count")),
        }
    }

    #[test]
    fn the_total_is_value_paid_times_the_listed_price_of_every_entry() {
        let period = Period::ending_on(date!(2026 - 11 - 30)).expect("period");
        let written = usage_responses(&period).expect("responses");
        assert_eq!(written.pages.len(), 12, "six months, two workspaces");

        let mut total = Decimal::ZERO;
        let mut days = BTreeSet::new();
        for page in &written.pages {
            let response: Value = serde_json::from_slice(page).expect("JSON");
            assert_eq!(response["currency"], "USD");
            let prices = response["prices"].as_array().expect("prices");
            for (model, kinds) in response["completion"]["models"]
                .as_object()
                .expect("models")
            {
                for (kind, entries) in kinds.as_object().expect("kinds") {
                    let metric = format!("{kind}_tokens");
                    let price = prices
                        .iter()
                        .find(|p| {
                            p["billing_metric"] == metric.as_str()
                                && p["billing_group"] == model.as_str()
                        })
                        .expect("a listed price");
                    for entry in entries.as_array().expect("entries") {
                        total += decimal(&entry["value_paid"]) * decimal(&price["price"]);
                        days.insert(entry["timestamp"].as_str().expect("day").to_owned());
                    }
                }
            }
        }
        assert_eq!(written.total_usd, total);
        assert_eq!(days.len(), 183);
        assert!(
            total > Decimal::from(5_000) && total < Decimal::from(20_000),
            "{total}"
        );
    }
}
