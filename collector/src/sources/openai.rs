//! OpenAI: the Administration API's costs and completions usage, as pages saved to files or
//! fetched by `allot collect`.
//!
//! Each result of a daily bucket of the costs endpoint (`GET /v1/organization/costs`) becomes
//! one charge. `amount.value` is a JSON number in dollars with up to 17 significant digits: it
//! is read from its text, never through a float, so every digit the JSON carries is kept. The
//! currency comes in lower case (`usd`). `line_item` is free text, `[<product> | ]<model
//! snapshot>, <token kind>` for models and other strings for tools. A null `project_id` is the
//! default project, attributed as `default`; where the costs are grouped by `api_key_id`, the
//! API key is the attribution key.
//!
//! Pages of the completions usage endpoint (told apart by their results' `object`) carry no
//! money: their tokens become the `ConsumedQuantity` of the costs results they match (see
//! [`openai_usage`]), unless the costs endpoint gave a quantity itself.
//!
//! [`openai_usage`]: super::openai_usage

use std::collections::BTreeMap;

use allot_core::charge::AI_SERVICE_CATEGORY;
use allot_core::model::canonical_model;
use allot_core::{Amount, Charge, ChargeCategory, TokenType};
use anyhow::Result;
use serde::Deserialize;
use serde_json::value::RawValue;
use time::OffsetDateTime;

use super::openai_usage::{ApiKeyMatch, CompletionsTokens};
use super::pages::{Page, SeenBuckets};
use super::{currency_code, month_start, next_month_start};
use crate::report::SourceReport;

/// The attribution key of the default project (a null `project_id`).
pub const DEFAULT_PROJECT: &str = "default";

#[derive(Deserialize)]
struct Bucket {
    start_time: i64,
    end_time: i64,
    #[serde(alias = "result")]
    results: Vec<Box<RawValue>>,
}

/// One `organization.costs.result`. Fields the endpoint adds later are ignored.
#[derive(Deserialize)]
struct CostsResult {
    amount: CostAmount,
    line_item: Option<String>,
    project_id: Option<String>,
    api_key_id: Option<String>,
    organization_id: Option<String>,
    quantity: Option<Box<RawValue>>,
    quantity_unit: Option<String>,
}

#[derive(Deserialize)]
struct CostAmount {
    value: Box<RawValue>,
    currency: String,
}

/// The `object` of a completions usage result.
const COMPLETIONS_RESULT: &str = "organization.usage.completions.result";

/// One costs result, read, waiting for the usage pages' tokens.
struct CostsLine {
    start: OffsetDateTime,
    end: OffsetDateTime,
    start_time: i64,
    amount: Amount,
    currency: String,
    quantity: Option<Amount>,
    result: CostsResult,
}

/// Reads pages of the costs and completions usage endpoints into charges. A bucket (a day)
/// that two pages of one endpoint both report is an error: the same export given twice would
/// otherwise count its money twice.
pub fn read_pages(source: &str, pages: &[Page], report: &mut SourceReport) -> Result<Vec<Charge>> {
    let mut lines = Vec::new();
    let mut usage = CompletionsTokens::default();
    let mut seen_costs = SeenBuckets::default();
    let mut seen_usage = SeenBuckets::default();
    for page in pages {
        let (prefix, buckets) = page.data::<Bucket>()?;
        for (bucket_index, bucket) in buckets.into_iter().enumerate() {
            let bucket_path = format!("{prefix}[{bucket_index}]");
            let is_usage = bucket.results.first().is_some_and(|result| {
                serde_json::from_str::<ResultObject>(result.get())
                    .is_ok_and(|probe| probe.object.as_deref() == Some(COMPLETIONS_RESULT))
            });
            if is_usage {
                seen_usage.record(&bucket.start_time.to_string(), &page.origin, &bucket_path)?;
                usage.read_bucket(
                    &page.origin,
                    &bucket_path,
                    bucket.start_time,
                    &bucket.results,
                    report,
                );
                continue;
            }
            if !bucket.results.is_empty() {
                seen_costs.record(&bucket.start_time.to_string(), &page.origin, &bucket_path)?;
            }
            read_costs_bucket(&page.origin, &bucket_path, &bucket, report, &mut lines);
        }
    }

    let grouped_by_api_key = lines.iter().any(|line| line.result.api_key_id.is_some());
    Ok(lines
        .into_iter()
        .map(|line| {
            let line_item = line.result.line_item.as_deref().map(parse_line_item);
            let tokens = line_item.as_ref().and_then(|item| match item {
                LineItem {
                    product: None,
                    model_snapshot: Some(model),
                    token_type: Some(token_type),
                } => usage.tokens(
                    line.start_time,
                    line.result.project_id.as_deref(),
                    model,
                    if grouped_by_api_key {
                        ApiKeyMatch::Key(line.result.api_key_id.as_deref())
                    } else {
                        ApiKeyMatch::AnyKey
                    },
                    *token_type,
                ),
                _ => None,
            });
            charge(source, line, line_item, tokens)
        })
        .collect())
}

#[derive(Deserialize)]
struct ResultObject {
    object: Option<String>,
}

fn read_costs_bucket(
    origin: &str,
    bucket_path: &str,
    bucket: &Bucket,
    report: &mut SourceReport,
    lines: &mut Vec<CostsLine>,
) {
    let period = OffsetDateTime::from_unix_timestamp(bucket.start_time)
        .and_then(|start| Ok((start, OffsetDateTime::from_unix_timestamp(bucket.end_time)?)));
    for (index, raw) in bucket.results.iter().enumerate() {
        report.rows_read += 1;
        let location = format!("{bucket_path}.results[{index}]");
        let result = match serde_json::from_str::<CostsResult>(raw.get()) {
            Ok(result) => result,
            Err(error) => {
                report.reject(origin, location, format!("not a costs result: {error}"));
                continue;
            }
        };
        let amount = match Amount::parse(result.amount.value.get()) {
            Ok(amount) => amount,
            Err(error) => {
                report.reject(
                    origin,
                    format!("{location}.amount.value"),
                    error.to_string(),
                );
                continue;
            }
        };
        let currency = match currency_code(&result.amount.currency) {
            Ok(currency) => currency,
            Err(error) => {
                report.reject(
                    origin,
                    format!("{location}.amount.currency"),
                    error.to_string(),
                );
                continue;
            }
        };
        let Ok((start, end)) = period else {
            report.reject(origin, location, "bucket times are out of range".to_owned());
            continue;
        };
        let quantity = match result
            .quantity
            .as_deref()
            .map(|raw| Amount::parse(raw.get()))
        {
            Some(Err(error)) => {
                report.reject(origin, format!("{location}.quantity"), error.to_string());
                continue;
            }
            Some(Ok(quantity)) => Some(quantity),
            None => None,
        };
        report.add_input(&currency, amount);
        report.rows_kept += 1;
        lines.push(CostsLine {
            start,
            end,
            start_time: bucket.start_time,
            amount,
            currency,
            quantity,
            result,
        });
    }
}

fn charge(
    source: &str,
    line: CostsLine,
    line_item: Option<LineItem>,
    usage_tokens: Option<u64>,
) -> Charge {
    let CostsLine {
        start,
        end,
        amount,
        currency,
        quantity,
        result,
        ..
    } = line;
    let project = result
        .project_id
        .clone()
        .unwrap_or_else(|| DEFAULT_PROJECT.to_owned());
    let project_name = result
        .project_id
        .is_none()
        .then(|| "Default project".to_owned());
    let (attribution_kind, attribution_key) = match &result.api_key_id {
        Some(key) => ("api_key", key.clone()),
        None => ("project", project.clone()),
    };
    let consumed = quantity
        .zip(result.quantity_unit.as_deref())
        .and_then(|(quantity, unit)| match unit {
            "tokens" => Some(quantity),
            "1000_tokens" => quantity.checked_mul_int(1000),
            _ => None,
        })
        .or_else(|| usage_tokens.and_then(|tokens| Amount::from_whole(i128::from(tokens))));
    Charge {
        charge_period_start: start,
        charge_period_end: end,
        billing_period_start: month_start(start),
        billing_period_end: next_month_start(start),
        billing_account_id: result.organization_id.unwrap_or_else(|| source.to_owned()),
        billing_account_name: None,
        invoice_issuer_name: "OpenAI".to_owned(),
        billing_currency: currency,
        billed_cost: amount,
        effective_cost: amount,
        list_cost: amount,
        contracted_cost: amount,
        pricing_quantity: quantity,
        pricing_unit: result.quantity_unit.clone(),
        provider_name: "OpenAI".to_owned(),
        publisher_name: "OpenAI".to_owned(),
        service_name: "OpenAI API".to_owned(),
        service_category: AI_SERVICE_CATEGORY.to_owned(),
        sub_account_id: Some(project),
        sub_account_name: project_name,
        resource_id: result.api_key_id.clone(),
        resource_name: None,
        region_id: None,
        sku_id: line_item
            .as_ref()
            .and_then(|item| item.model_snapshot.clone()),
        charge_description: result.line_item.clone(),
        charge_category: ChargeCategory::Usage,
        charge_class: None,
        consumed_quantity: consumed,
        consumed_unit: consumed.map(|_| "Tokens".to_owned()),
        tags: BTreeMap::new(),
        source: source.to_owned(),
        model: line_item
            .as_ref()
            .and_then(|item| item.model_snapshot.as_deref())
            .and_then(canonical_model),
        token_type: line_item.and_then(|item| item.token_type),
        service_tier: None,
        attribution_kind: attribution_kind.to_owned(),
        attribution_key,
        cost_estimated: false,
    }
}

/// What a costs `line_item` says.
#[derive(Debug, PartialEq, Eq)]
struct LineItem {
    /// The product before ` | ` (`evals`, `assistants api`), if any.
    product: Option<String>,
    model_snapshot: Option<String>,
    token_type: Option<TokenType>,
}

/// Reads `[<product> | ]<model snapshot>, <token kind>`; anything else is a charge that is not
/// for a model (a tool such as `assistants api | file search`).
fn parse_line_item(text: &str) -> LineItem {
    let (product, after_product) = match text.rsplit_once(" | ") {
        Some((product, rest)) => (Some(product.trim().to_owned()), rest),
        None => (None, text),
    };
    let Some((model, kind)) = after_product.rsplit_once(", ") else {
        return LineItem {
            product,
            model_snapshot: None,
            token_type: None,
        };
    };
    let token_type = match kind.trim() {
        "input" => Some(TokenType::Input),
        "output" => Some(TokenType::Output),
        "cached input" | "cached_input" | "input cached" => Some(TokenType::CacheRead),
        "cache write" | "cached input write" | "input cache write" => Some(TokenType::CacheWrite),
        _ => None,
    };
    LineItem {
        product,
        model_snapshot: Some(model.trim().to_owned()),
        token_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_items_name_a_model_and_a_token_kind_or_a_tool() {
        let item = |product: Option<&str>, model: Option<&str>, token_type| LineItem {
            product: product.map(str::to_owned),
            model_snapshot: model.map(str::to_owned),
            token_type,
        };
        assert_eq!(
            parse_line_item("gpt-4o-2024-08-06, input"),
            item(None, Some("gpt-4o-2024-08-06"), Some(TokenType::Input))
        );
        assert_eq!(
            parse_line_item("evals | gpt-4o-mini-2024-07-18, output"),
            item(
                Some("evals"),
                Some("gpt-4o-mini-2024-07-18"),
                Some(TokenType::Output)
            )
        );
        assert_eq!(
            parse_line_item("gpt-4.1-2025-04-14, cached input"),
            item(None, Some("gpt-4.1-2025-04-14"), Some(TokenType::CacheRead))
        );
        assert_eq!(
            parse_line_item("assistants api | file search"),
            item(Some("assistants api"), None, None)
        );
        assert_eq!(
            parse_line_item("web search tool calls"),
            item(None, None, None)
        );
    }
}
