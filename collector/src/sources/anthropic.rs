//! Anthropic: the Admin API cost report (`GET /v1/organizations/cost_report`), as saved pages.
//!
//! Each result of a daily bucket becomes one charge. `amount` is a decimal string in the
//! currency's smallest unit (cents for USD): `"41280.000000"` is $412.80. A null
//! `workspace_id` is the organization's default workspace, attributed as `default`.

use std::path::{Path, PathBuf};

use allot_core::charge::AI_SERVICE_CATEGORY;
use allot_core::model::canonical_model;
use allot_core::{Amount, Charge, ChargeCategory, TokenType};
use anyhow::Result;
use serde::Deserialize;
use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{
    SeenBuckets, currency_code, month_start, next_month_start, read_text, saved_page_buckets,
};
use crate::report::SourceReport;

/// The attribution key of the default workspace (a null `workspace_id`).
pub const DEFAULT_WORKSPACE: &str = "default";

#[derive(Deserialize)]
struct Bucket {
    starting_at: String,
    ending_at: String,
    results: Vec<Box<RawValue>>,
}

/// One `CostItem` of the cost report.
#[derive(Deserialize)]
struct CostItem {
    amount: String,
    currency: String,
    workspace_id: Option<String>,
    description: Option<String>,
    cost_type: Option<String>,
    model: Option<String>,
    token_type: Option<String>,
    service_tier: Option<String>,
    inference_geo: Option<String>,
}

/// Reads saved cost report pages. A bucket (a day) that two files both report is an error: the
/// same export given twice would otherwise count its money twice.
pub fn read_cost_reports(
    source: &str,
    files: &[PathBuf],
    report: &mut SourceReport,
) -> Result<Vec<Charge>> {
    let mut charges = Vec::new();
    let mut seen_buckets = SeenBuckets::default();
    for path in files {
        let text = read_text(path)?;
        let (prefix, buckets) = saved_page_buckets::<Bucket>(path, &text)?;
        let file = path.display().to_string();
        for (bucket_index, bucket) in buckets.into_iter().enumerate() {
            let bucket_path = format!("{prefix}[{bucket_index}]");
            if !bucket.results.is_empty() {
                seen_buckets.record(&bucket.starting_at, &file, &bucket_path)?;
            }
            read_bucket(source, path, &bucket_path, &bucket, report, &mut charges);
        }
    }
    Ok(charges)
}

fn read_bucket(
    source: &str,
    path: &Path,
    bucket_path: &str,
    bucket: &Bucket,
    report: &mut SourceReport,
    charges: &mut Vec<Charge>,
) {
    let file = path.display().to_string();
    let period = parse_instant(&bucket.starting_at)
        .and_then(|start| Ok((start, parse_instant(&bucket.ending_at)?)));
    for (index, raw) in bucket.results.iter().enumerate() {
        report.rows_read += 1;
        let location = format!("{bucket_path}.results[{index}]");
        let item = match serde_json::from_str::<CostItem>(raw.get()) {
            Ok(item) => item,
            Err(error) => {
                report.reject(
                    &file,
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
                report.reject(&file, format!("{location}.amount"), error.to_string());
                continue;
            }
            (_, Err(error)) => {
                report.reject(&file, format!("{location}.currency"), error.to_string());
                continue;
            }
        };
        let (start, end) = match &period {
            Ok(period) => *period,
            Err(error) => {
                report.reject(&file, location, format!("bucket period: {error}"));
                continue;
            }
        };
        report.add_input(&currency, amount);
        report.rows_kept += 1;
        charges.push(charge(source, start, end, amount, currency, item));
    }
}

fn parse_instant(text: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|error| anyhow::anyhow!("`{text}` is not an RFC 3339 time: {error}"))
}

fn charge(
    source: &str,
    start: OffsetDateTime,
    end: OffsetDateTime,
    amount: Amount,
    currency: String,
    item: CostItem,
) -> Charge {
    let workspace = item
        .workspace_id
        .clone()
        .unwrap_or_else(|| DEFAULT_WORKSPACE.to_owned());
    let workspace_name = item
        .workspace_id
        .is_none()
        .then(|| "Default workspace".to_owned());
    let description = item.description.clone().or_else(|| {
        item.cost_type.as_deref().map(|cost_type| match cost_type {
            "web_search" => "Web Search Usage".to_owned(),
            "code_execution" => "Code Execution Usage".to_owned(),
            other => other.to_owned(),
        })
    });
    let region = item.inference_geo.filter(|geo| geo != "not_available");
    Charge {
        charge_period_start: start,
        charge_period_end: end,
        billing_period_start: month_start(start),
        billing_period_end: next_month_start(start),
        billing_account_id: source.to_owned(),
        billing_account_name: None,
        invoice_issuer_name: "Anthropic".to_owned(),
        billing_currency: currency,
        billed_cost: amount,
        effective_cost: amount,
        list_cost: amount,
        contracted_cost: amount,
        pricing_quantity: None,
        pricing_unit: None,
        provider_name: "Anthropic".to_owned(),
        publisher_name: "Anthropic".to_owned(),
        service_name: "Claude API".to_owned(),
        service_category: AI_SERVICE_CATEGORY.to_owned(),
        sub_account_id: Some(workspace.clone()),
        sub_account_name: workspace_name,
        resource_id: None,
        resource_name: None,
        region_id: region,
        sku_id: item.model.clone(),
        charge_description: description,
        charge_category: ChargeCategory::Usage,
        charge_class: None,
        consumed_quantity: None,
        consumed_unit: None,
        tags: std::collections::BTreeMap::new(),
        source: source.to_owned(),
        model: item.model.as_deref().and_then(canonical_model),
        token_type: item.token_type.as_deref().and_then(token_type),
        service_tier: item.service_tier,
        attribution_kind: "workspace".to_owned(),
        attribution_key: workspace,
        cost_estimated: false,
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
