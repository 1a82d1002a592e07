//! Anthropic: the Admin API's reports, as pages saved to files or fetched by `allot collect`.
//!
//! Three reports are read, each told apart by the shape of its rows:
//!
//! - the cost report (`GET /v1/organizations/cost_report`, grouped by `workspace_id` and
//!   `description`): the billed money, per day, workspace, model, token type, service tier and
//!   context window. `amount` is a decimal string in the currency's smallest unit (cents for
//!   USD): `"41280.000000"` is $412.80;
//! - the messages usage report (`GET /v1/organizations/usage_report/messages`, grouped by
//!   `api_key_id`, `workspace_id`, `model`, `service_tier` and `context_window`): tokens by
//!   type, cache creation nested by TTL. It carries no money: its tokens are joined to the cost
//!   rows of the same day, workspace, model, tier, context window and token type, and they say
//!   how a workspace's cost splits over its API keys (see [`anthropic_usage`]);
//! - the usage-and-cost analytics endpoint (`GET /v1/organizations/analytics/cost`, beta): cost
//!   per API key as billed, in fractional cents, with the list price beside it. Where it is
//!   read, the cost report is not: the two would count the same money twice.
//!
//! A null `workspace_id` is the organization's default workspace, attributed as `default`.
//!
//! [`anthropic_usage`]: super::anthropic_usage

use std::collections::BTreeMap;

use allot_core::allocation::split::{minor_unit_decimals, split_amount};
use allot_core::charge::AI_SERVICE_CATEGORY;
use allot_core::model::canonical_model;
use allot_core::{Amount, Charge, ChargeCategory, TokenType};
use anyhow::{Result, bail};
use serde::Deserialize;
use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::anthropic_usage::{UsageKey, UsageTokens};
use super::pages::{Page, SeenBuckets};
use super::{currency_code, month_start, next_month_start};
use crate::report::SourceReport;

/// The attribution key of the default workspace (a null `workspace_id`).
pub const DEFAULT_WORKSPACE: &str = "default";

#[derive(Deserialize)]
struct Bucket {
    starting_at: String,
    ending_at: String,
    results: Vec<Box<RawValue>>,
}

/// The dimensions of a cost row: the cost report's `CostItem` fields, or an analytics row's
/// `group`. Each is null unless the report was grouped by it.
#[derive(Deserialize, Default, Clone)]
struct Dimensions {
    workspace_id: Option<String>,
    api_key_id: Option<String>,
    description: Option<String>,
    cost_type: Option<String>,
    model: Option<String>,
    token_type: Option<String>,
    service_tier: Option<String>,
    context_window: Option<String>,
    inference_geo: Option<String>,
}

/// One `CostItem` of the cost report.
#[derive(Deserialize)]
struct CostItem {
    amount: String,
    currency: String,
    #[serde(flatten)]
    dimensions: Dimensions,
}

/// One row of the analytics cost endpoint.
#[derive(Deserialize)]
struct AnalyticsRow {
    starting_at: String,
    ending_at: String,
    #[serde(default)]
    group: Dimensions,
    cost: AnalyticsCost,
}

#[derive(Deserialize)]
struct AnalyticsCost {
    /// Post-discount, pre-credit, in fractional cents.
    amount: String,
    /// Pre-discount, in fractional cents.
    list_amount: Option<String>,
    currency: String,
}

/// A billed amount read from either cost endpoint.
struct CostLine {
    start: OffsetDateTime,
    end: OffsetDateTime,
    amount: Amount,
    list_amount: Option<Amount>,
    currency: String,
    dimensions: Dimensions,
}

/// Which report a page is from, by the shape of its rows.
#[derive(Debug, PartialEq, Eq)]
enum Report {
    Cost,
    Usage,
    Analytics,
    /// No rows at all: any of the three, with nothing to read.
    Empty,
}

/// Reads pages of the three reports into charges: the cost rows (or the analytics rows) with
/// the usage report's tokens joined to them.
pub fn read_pages(source: &str, pages: &[Page], report: &mut SourceReport) -> Result<Vec<Charge>> {
    let mut lines = Vec::new();
    let mut usage = UsageTokens::default();
    let mut seen_cost = SeenBuckets::default();
    let mut seen_usage = SeenBuckets::default();
    let mut read_cost_report = None;
    let mut read_analytics = None;
    for page in pages {
        let (prefix, items) = page.data::<Box<RawValue>>()?;
        match classify(&items) {
            Report::Cost => {
                read_cost_report.get_or_insert_with(|| page.origin.clone());
                for (index, bucket) in buckets(page, prefix, &items)? {
                    if !bucket.results.is_empty() {
                        seen_cost.record(&bucket.starting_at, &page.origin, &index)?;
                    }
                    read_cost_bucket(page, &index, &bucket, report, &mut lines);
                }
            }
            Report::Usage => {
                for (index, bucket) in buckets(page, prefix, &items)? {
                    if !bucket.results.is_empty() {
                        seen_usage.record(&bucket.starting_at, &page.origin, &index)?;
                    }
                    let start = parse_instant(&bucket.starting_at);
                    usage.read_bucket(&page.origin, &index, &start, &bucket.results, report);
                }
            }
            Report::Analytics => {
                read_analytics.get_or_insert_with(|| page.origin.clone());
                read_analytics_rows(page, prefix, &items, report, &mut lines);
            }
            Report::Empty => {}
        }
    }
    if let (Some(cost), Some(analytics)) = (read_cost_report, read_analytics) {
        bail!(
            "`{cost}` is a cost report page and `{analytics}` an analytics cost page: the two \
             report the same money, give one of them"
        );
    }

    let mut charges = Vec::with_capacity(lines.len());
    for line in lines {
        charges_of_line(source, &line, &usage, report, &mut charges);
    }
    Ok(charges)
}

fn classify(items: &[Box<RawValue>]) -> Report {
    #[derive(Deserialize)]
    struct Probe {
        group: Option<serde_json::Value>,
        cost: Option<serde_json::Value>,
        #[serde(default)]
        results: Vec<serde_json::Map<String, serde_json::Value>>,
    }
    for item in items {
        let Ok(probe) = serde_json::from_str::<Probe>(item.get()) else {
            continue;
        };
        if probe.group.is_some() || probe.cost.is_some() {
            return Report::Analytics;
        }
        if let Some(result) = probe.results.first() {
            return if result.contains_key("amount") {
                Report::Cost
            } else {
                Report::Usage
            };
        }
    }
    Report::Empty
}

/// The buckets of a page, each with its JSON path.
fn buckets(page: &Page, prefix: &str, items: &[Box<RawValue>]) -> Result<Vec<(String, Bucket)>> {
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let path = format!("{prefix}[{index}]");
            let bucket = serde_json::from_str::<Bucket>(item.get()).map_err(|error| {
                anyhow::anyhow!("`{}` {path}: not a bucket: {error}", page.origin)
            })?;
            Ok((path, bucket))
        })
        .collect()
}

fn read_cost_bucket(
    page: &Page,
    bucket_path: &str,
    bucket: &Bucket,
    report: &mut SourceReport,
    lines: &mut Vec<CostLine>,
) {
    let origin = &page.origin;
    let period = parse_instant(&bucket.starting_at)
        .and_then(|start| Ok((start, parse_instant(&bucket.ending_at)?)));
    for (index, raw) in bucket.results.iter().enumerate() {
        report.rows_read += 1;
        let location = format!("{bucket_path}.results[{index}]");
        let item = match serde_json::from_str::<CostItem>(raw.get()) {
            Ok(item) => item,
            Err(error) => {
                report.reject(
                    origin,
                    location,
                    format!("not a cost report result: {error}"),
                );
                continue;
            }
        };
        let (amount, currency) = match (
            Amount::parse_cents(&item.amount),
            currency_code(&item.currency),
        ) {
            (Ok(amount), Ok(currency)) => (amount, currency),
            (Err(error), _) => {
                report.reject(origin, format!("{location}.amount"), error.to_string());
                continue;
            }
            (_, Err(error)) => {
                report.reject(origin, format!("{location}.currency"), error.to_string());
                continue;
            }
        };
        let (start, end) = match &period {
            Ok(period) => *period,
            Err(error) => {
                report.reject(origin, location, format!("bucket period: {error}"));
                continue;
            }
        };
        report.add_input(&currency, amount);
        report.rows_kept += 1;
        lines.push(CostLine {
            start,
            end,
            amount,
            list_amount: None,
            currency,
            dimensions: item.dimensions,
        });
    }
}

fn read_analytics_rows(
    page: &Page,
    prefix: &str,
    items: &[Box<RawValue>],
    report: &mut SourceReport,
    lines: &mut Vec<CostLine>,
) {
    let origin = &page.origin;
    for (index, raw) in items.iter().enumerate() {
        report.rows_read += 1;
        let location = format!("{prefix}[{index}]");
        let row = match serde_json::from_str::<AnalyticsRow>(raw.get()) {
            Ok(row) => row,
            Err(error) => {
                report.reject(
                    origin,
                    location,
                    format!("not an analytics cost row: {error}"),
                );
                continue;
            }
        };
        let parsed = (
            Amount::parse_cents(&row.cost.amount).map_err(|e| ("cost.amount", e.to_string())),
            row.cost
                .list_amount
                .as_deref()
                .map(Amount::parse_cents)
                .transpose()
                .map_err(|e| ("cost.list_amount", e.to_string())),
            currency_code(&row.cost.currency).map_err(|e| ("cost.currency", e.to_string())),
            parse_instant(&row.starting_at)
                .and_then(|start| Ok((start, parse_instant(&row.ending_at)?)))
                .map_err(|e| ("starting_at", e.to_string())),
        );
        let (amount, list_amount, currency, (start, end)) = match parsed {
            (Ok(amount), Ok(list), Ok(currency), Ok(period)) => (amount, list, currency, period),
            (Err((field, error)), ..)
            | (_, Err((field, error)), ..)
            | (_, _, Err((field, error)), _)
            | (_, _, _, Err((field, error))) => {
                report.reject(origin, format!("{location}.{field}"), error);
                continue;
            }
        };
        report.add_input(&currency, amount);
        report.rows_kept += 1;
        lines.push(CostLine {
            start,
            end,
            amount,
            list_amount,
            currency,
            dimensions: row.group,
        });
    }
}

fn parse_instant(text: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|error| anyhow::anyhow!("`{text}` is not an RFC 3339 time: {error}"))
}

/// The charges of one billed line: one, with the usage report's tokens where they match; or,
/// where the line is a workspace's cost and the usage report names the API keys that used
/// those tokens, one per key with the cost split by their tokens, marked as estimated.
fn charges_of_line(
    source: &str,
    line: &CostLine,
    usage: &UsageTokens,
    report: &mut SourceReport,
    charges: &mut Vec<Charge>,
) {
    let key = UsageKey::of(
        line.start,
        line.dimensions.workspace_id.as_deref(),
        line.dimensions.model.as_deref(),
        line.dimensions.service_tier.as_deref(),
        line.dimensions.context_window.as_deref(),
        line.dimensions.token_type.as_deref(),
    );
    let tokens_by_key = key.as_ref().and_then(|key| usage.tokens_by_api_key(key));

    if line.dimensions.api_key_id.is_some() {
        let tokens = tokens_by_key.and_then(|by_key| by_key.get(&line.dimensions.api_key_id));
        let part = Part::billed(line, tokens.copied());
        charges.push(charge(source, line, part));
        return;
    }
    let Some(by_key) = tokens_by_key.filter(|by_key| by_key.keys().any(Option::is_some)) else {
        let tokens = tokens_by_key.map(|by_key| by_key.values().sum());
        charges.push(charge(source, line, Part::billed(line, tokens)));
        return;
    };

    let weights: Vec<u128> = by_key.values().map(|&tokens| u128::from(tokens)).collect();
    let Some(amounts) = split_amount(line.amount, &weights, minor_unit_decimals(&line.currency))
    else {
        charges.push(charge(source, line, Part::billed(line, None)));
        return;
    };
    report.rows_split_for_estimate += 1;
    for ((api_key, &tokens), amount) in by_key.iter().zip(amounts) {
        let part = Part {
            api_key_id: api_key.clone(),
            amount,
            list_amount: amount,
            tokens: Some(tokens),
            estimated: true,
        };
        charges.push(charge(source, line, part));
        report.rows_estimated += 1;
    }
}

/// What one charge of a billed line carries: all of the line, or one API key's share of it.
struct Part {
    api_key_id: Option<String>,
    amount: Amount,
    list_amount: Amount,
    tokens: Option<u64>,
    estimated: bool,
}

impl Part {
    /// The whole line as billed, with its tokens where the usage report has them.
    fn billed(line: &CostLine, tokens: Option<u64>) -> Self {
        Part {
            api_key_id: line.dimensions.api_key_id.clone(),
            amount: line.amount,
            list_amount: line.list_amount.unwrap_or(line.amount),
            tokens,
            estimated: false,
        }
    }
}

fn charge(source: &str, line: &CostLine, part: Part) -> Charge {
    let dimensions = &line.dimensions;
    let workspace = dimensions
        .workspace_id
        .clone()
        .unwrap_or_else(|| DEFAULT_WORKSPACE.to_owned());
    let workspace_name = dimensions
        .workspace_id
        .is_none()
        .then(|| "Default workspace".to_owned());
    let description = dimensions.description.clone().or_else(|| {
        dimensions
            .cost_type
            .as_deref()
            .map(|cost_type| match cost_type {
                "web_search" => "Web Search Usage".to_owned(),
                "code_execution" => "Code Execution Usage".to_owned(),
                other => other.to_owned(),
            })
    });
    let region = dimensions
        .inference_geo
        .clone()
        .filter(|geo| geo != "not_available");
    let (attribution_kind, attribution_key) = match &part.api_key_id {
        Some(api_key) => ("api_key", api_key.clone()),
        None => ("workspace", workspace.clone()),
    };
    let consumed = part
        .tokens
        .filter(|&tokens| tokens > 0)
        .and_then(|tokens| Amount::from_whole(i128::from(tokens)));
    Charge {
        charge_period_start: line.start,
        charge_period_end: line.end,
        billing_period_start: month_start(line.start),
        billing_period_end: next_month_start(line.start),
        billing_account_id: source.to_owned(),
        billing_account_name: None,
        invoice_issuer_name: "Anthropic".to_owned(),
        billing_currency: line.currency.clone(),
        billed_cost: part.amount,
        effective_cost: part.amount,
        list_cost: part.list_amount,
        contracted_cost: part.amount,
        pricing_quantity: None,
        pricing_unit: None,
        provider_name: "Anthropic".to_owned(),
        publisher_name: "Anthropic".to_owned(),
        service_name: "Claude API".to_owned(),
        service_category: AI_SERVICE_CATEGORY.to_owned(),
        sub_account_id: Some(workspace),
        sub_account_name: workspace_name,
        resource_id: part.api_key_id,
        resource_name: None,
        region_id: region,
        sku_id: dimensions.model.clone(),
        charge_description: description,
        charge_category: ChargeCategory::Usage,
        charge_class: None,
        consumed_quantity: consumed,
        consumed_unit: consumed.map(|_| "Tokens".to_owned()),
        tags: BTreeMap::new(),
        source: source.to_owned(),
        model: dimensions.model.as_deref().and_then(canonical_model),
        token_type: dimensions.token_type.as_deref().and_then(token_type),
        service_tier: dimensions.service_tier.clone(),
        attribution_kind: attribution_kind.to_owned(),
        attribution_key,
        cost_estimated: part.estimated,
    }
}

/// The cost report's `token_type` as `x_TokenType`.
fn token_type(text: &str) -> Option<TokenType> {
    match text {
        "uncached_input_tokens" | "input_tokens" => Some(TokenType::Input),
        "output_tokens" => Some(TokenType::Output),
        "cache_read_input_tokens" => Some(TokenType::CacheRead),
        other if other.starts_with("cache_creation") => Some(TokenType::CacheWrite),
        _ => None,
    }
}
