//! Mistral AI: the Admin API's usage endpoint (`GET /usage?month=&year=&workspace_id=`), one
//! month per response, saved to files or fetched by `allot collect`.
//!
//! Mistral documents the endpoint only in part: the response "breaks consumption down by
//! category (chat, completion, ocr, audio, connectors, libraries_api, fine_tuning, vibe_usage),
//! together with the period (start_date, end_date) and the currency". allot reads the shape
//! that Mistral's own console shows for the same data, and assumes the Admin API answers alike:
//!
//! - each category is an object whose arrays hold usage entries, nested by model where the
//!   category is per model (`completion.models.<model>.input`, `fine_tuning.training.<model>`);
//!   a last key `input`, `output` or `cached` is the token type;
//! - an entry is `{event_type, billing_metric, billing_group, billing_display_name,
//!   timestamp, value, value_paid}`, with no money in it: its cost is `value_paid` (the billed
//!   units, `value` where it is missing) times the `price` of the entry in the response's
//!   `prices` list with the same `event_type`, `billing_metric` and `billing_group`;
//! - `currency` is the response's ISO 4217 code; `timestamp` is the entry's UTC day.
//!
//! `BilledCost` is `value_paid × price`, `ListCost` `value × price` (`value` also counts what
//! the plan covers). An entry without a price, or a number outside the entries that is not zero
//! (such as `vibe_usage`), cannot be priced: it is rejected with its place, never dropped. The
//! attribution key is the workspace the response was asked for (`default` without one).

use std::collections::{BTreeMap, HashSet};

use allot_core::charge::AI_SERVICE_CATEGORY;
use allot_core::model::canonical_model;
use allot_core::{Amount, Charge, ChargeCategory, TokenType};
use anyhow::{Result, bail};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, Time};

use super::pages::Page;
use super::{currency_code, month_start, next_month_start};
use crate::report::SourceReport;

/// The attribution key of usage asked for without a workspace.
pub const DEFAULT_WORKSPACE: &str = "default";

/// The response's fields that are about the response, not usage.
const RESPONSE_FIELDS: [&str; 9] = [
    "date",
    "previous_month",
    "next_month",
    "start_date",
    "end_date",
    "currency",
    "currency_symbol",
    "prices",
    "workspace_id",
];

#[derive(Deserialize)]
struct Response {
    currency: String,
    #[serde(default)]
    prices: Vec<ListedPrice>,
    start_date: Option<String>,
    workspace_id: Option<String>,
    #[serde(flatten)]
    categories: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct ListedPrice {
    event_type: Option<String>,
    billing_metric: Option<String>,
    billing_group: Option<String>,
    price: Box<RawValue>,
}

#[derive(Deserialize)]
struct Entry {
    event_type: Option<String>,
    billing_metric: Option<String>,
    billing_group: Option<String>,
    billing_display_name: Option<String>,
    timestamp: String,
    value: Box<RawValue>,
    value_paid: Option<Box<RawValue>>,
}

/// Where an entry sits in the response, and what that says about it.
struct Place<'a> {
    path: String,
    model: Option<&'a str>,
    token_type: Option<TokenType>,
}

/// Reads usage responses. The same month of the same workspace given twice is an error: its
/// money would otherwise count twice.
pub fn read_pages(source: &str, pages: &[Page], report: &mut SourceReport) -> Result<Vec<Charge>> {
    let mut charges = Vec::new();
    let mut seen = HashSet::new();
    for page in pages {
        let response: Response = page.parse()?;
        let workspace = page
            .scope
            .clone()
            .or_else(|| response.workspace_id.clone())
            .unwrap_or_else(|| DEFAULT_WORKSPACE.to_owned());
        if let Some(start) = &response.start_date
            && !seen.insert((workspace.clone(), start.clone()))
        {
            bail!(
                "`{}`: the usage of workspace `{workspace}` from `{start}` is given twice; give \
                 each month once",
                page.origin
            );
        }
        let currency = currency_code(&response.currency)
            .map_err(|error| anyhow::anyhow!("`{}` currency: {error}", page.origin))?;
        let reader = MonthReader {
            source,
            origin: &page.origin,
            workspace: &workspace,
            currency: &currency,
            prices: &response.prices,
        };
        for (category, value) in &response.categories {
            if RESPONSE_FIELDS.contains(&category.as_str()) {
                continue;
            }
            let place = Place {
                path: category.clone(),
                model: None,
                token_type: None,
            };
            reader.walk(value, &place, report, &mut charges);
        }
    }
    Ok(charges)
}

/// What one response's entries share.
struct MonthReader<'a> {
    source: &'a str,
    origin: &'a str,
    workspace: &'a str,
    currency: &'a str,
    prices: &'a [ListedPrice],
}

impl MonthReader<'_> {
    /// Reads the entries under `value`, at `place` in the response.
    fn walk(
        &self,
        value: &Value,
        place: &Place<'_>,
        report: &mut SourceReport,
        charges: &mut Vec<Charge>,
    ) {
        match value {
            Value::Object(fields) => {
                let parent = place.path.rsplit('.').next().unwrap_or_default();
                for (key, child) in fields {
                    let is_model = matches!(parent, "models" | "training");
                    let child_place = Place {
                        path: format!("{}.{key}", place.path),
                        model: if is_model { Some(key) } else { place.model },
                        token_type: match key.as_str() {
                            "input" => Some(TokenType::Input),
                            "output" => Some(TokenType::Output),
                            "cached" => Some(TokenType::CacheRead),
                            _ => place.token_type,
                        },
                    };
                    self.walk(child, &child_place, report, charges);
                }
            }
            Value::Array(entries) => {
                for (index, entry) in entries.iter().enumerate() {
                    report.rows_read += 1;
                    let location = format!("{}[{index}]", place.path);
                    match self.charge(entry, place) {
                        Ok(charge) => {
                            report.add_input(self.currency, charge.billed_cost);
                            report.rows_kept += 1;
                            charges.push(charge);
                        }
                        Err(reason) => report.reject(self.origin, location, reason),
                    }
                }
            }
            Value::Number(number) if number.as_f64().is_some_and(|n| n != 0.0) => {
                report.rows_read += 1;
                report.reject(
                    self.origin,
                    place.path.clone(),
                    format!(
                        "`{number}` is not broken down into priced entries: allot cannot tell \
                         its cost"
                    ),
                );
            }
            _ => {}
        }
    }

    fn charge(&self, entry: &Value, place: &Place<'_>) -> Result<Charge, String> {
        let entry = Entry::deserialize(entry).map_err(|error| format!("not an entry: {error}"))?;
        let price = self.price(&entry)?;
        let value = decimal(entry.value.get()).map_err(|error| format!("value: {error}"))?;
        let paid = match &entry.value_paid {
            Some(paid) => decimal(paid.get()).map_err(|error| format!("value_paid: {error}"))?,
            None => value,
        };
        let cost = |quantity: Decimal| {
            quantity
                .checked_mul(price)
                .ok_or_else(|| format!("`{quantity}` × `{price}` is too large"))
                .and_then(|cost| Amount::try_from_decimal(cost).map_err(|error| error.to_string()))
        };
        let (billed, list) = (cost(paid)?, cost(value)?);
        let quantity = |quantity: Decimal| Amount::try_from_decimal(quantity).ok();
        let day = entry_day(&entry.timestamp)?;
        let start = day.with_time(Time::MIDNIGHT).assume_utc();
        let sku = place
            .model
            .map(str::to_owned)
            .or_else(|| entry.event_type.clone());
        Ok(Charge {
            charge_period_start: start,
            charge_period_end: start + Duration::DAY,
            billing_period_start: month_start(start),
            billing_period_end: next_month_start(start),
            billing_account_id: self.source.to_owned(),
            billing_account_name: None,
            invoice_issuer_name: "Mistral AI".to_owned(),
            billing_currency: self.currency.to_owned(),
            billed_cost: billed,
            effective_cost: billed,
            list_cost: list,
            contracted_cost: billed,
            pricing_quantity: quantity(paid),
            pricing_unit: entry.billing_metric.clone(),
            provider_name: "Mistral AI".to_owned(),
            publisher_name: "Mistral AI".to_owned(),
            service_name: "Mistral AI API".to_owned(),
            service_category: AI_SERVICE_CATEGORY.to_owned(),
            sub_account_id: Some(self.workspace.to_owned()),
            sub_account_name: None,
            resource_id: None,
            resource_name: None,
            region_id: None,
            sku_id: sku,
            charge_description: entry
                .billing_display_name
                .clone()
                .or_else(|| Some(place.path.clone())),
            charge_category: if billed < Amount::ZERO {
                ChargeCategory::Credit
            } else {
                ChargeCategory::Usage
            },
            charge_class: None,
            consumed_quantity: quantity(value),
            consumed_unit: Some(if place.token_type.is_some() {
                "Tokens".to_owned()
            } else {
                entry.billing_metric.clone().unwrap_or_default()
            })
            .filter(|unit| !unit.is_empty()),
            tags: BTreeMap::new(),
            source: self.source.to_owned(),
            model: place.model.and_then(canonical_model),
            token_type: place.token_type,
            service_tier: None,
            attribution_kind: "workspace".to_owned(),
            attribution_key: self.workspace.to_owned(),
            cost_estimated: false,
        })
    }

    /// The price of an entry: the one with its event type, billing metric and billing group.
    fn price(&self, entry: &Entry) -> Result<Decimal, String> {
        let price = self
            .prices
            .iter()
            .find(|price| {
                price.event_type == entry.event_type
                    && price.billing_metric == entry.billing_metric
                    && price.billing_group == entry.billing_group
            })
            .ok_or_else(|| {
                format!(
                    "no price in `prices` for event_type `{}`, billing_metric `{}`, \
                     billing_group `{}`",
                    entry.event_type.as_deref().unwrap_or("null"),
                    entry.billing_metric.as_deref().unwrap_or("null"),
                    entry.billing_group.as_deref().unwrap_or("null"),
                )
            })?;
        decimal(price.price.get()).map_err(|error| format!("price: {error}"))
    }
}

/// A JSON number or numeric string (`0.0000004`, `3e-06`) as an exact decimal.
fn decimal(json: &str) -> Result<Decimal, String> {
    let text = json.trim().trim_matches('"');
    Decimal::from_str_exact(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| format!("`{text}` is not a decimal number"))
}

/// The UTC day of an entry's `timestamp`: an RFC 3339 time or a `YYYY-MM-DD` date.
fn entry_day(timestamp: &str) -> Result<Date, String> {
    if let Ok(at) = OffsetDateTime::parse(timestamp, &Rfc3339) {
        return Ok(at.to_offset(time::UtcOffset::UTC).date());
    }
    let date_part = timestamp.get(..10).unwrap_or(timestamp);
    Date::parse(
        date_part,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| format!("timestamp `{timestamp}` is neither an RFC 3339 time nor a date"))
}
