//! AWS: CUR 2.0 (Data Exports) in its CSV form, where the map columns (`product`, `tags`,
//! `resource_tags`) arrive as JSON text, and legacy CUR CSV (`lineItem/UnblendedCost`-style
//! headers, read as their CUR 2.0 names).
//!
//! Bedrock lines are found by product code (`AmazonBedrock`) and by the product name, since
//! third-party models sold through AWS Marketplace carry another product code and the name
//! `<Model> (Amazon Bedrock Edition)`; every other line is counted as not AI with its cost.
//! Attribution is `line_item_iam_principal` without the session name (the role or user), or
//! the usage account when a line has no principal (credits, tax). Principal tags
//! (`iamPrincipal/team`) and activated resource tags (`user_team`) become `Tags` under their
//! plain key. Not read yet: the Parquet form (map columns as maps), legacy CUR's flat
//! `resourceTags/user:*` columns (such lines are kept without tags), gzip, and AWS's FOCUS
//! export through this source (the `focus` source reads it).

use std::collections::BTreeMap;
use std::path::Path;

use allot_core::charge::AI_SERVICE_CATEGORY;
use allot_core::model::canonical_model;
use allot_core::{Amount, Charge, ChargeCategory, TokenType};
use anyhow::Result;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::csv_file::{Line, read_lines};
use super::{currency_code, json_object_strings, month_start, next_month_start};
use crate::report::SourceReport;

const BEDROCK: &str = "AmazonBedrock";
const MARKETPLACE_EDITION: &str = " (Amazon Bedrock Edition)";

/// Reads one file of this source, adding its charges to `charges`.
pub fn read_file(
    source: &str,
    path: &Path,
    report: &mut SourceReport,
    charges: &mut Vec<Charge>,
) -> Result<()> {
    let required: [&[&str]; 4] = [
        &["line_item_unblended_cost"],
        &["line_item_currency_code"],
        &["line_item_usage_start_date"],
        &["line_item_product_code"],
    ];
    read_lines(path, "CUR 2.0", &required, report, |line, report| {
        let cost = line
            .amount("line_item_unblended_cost")?
            .ok_or("column line_item_unblended_cost: no value")?;
        let currency = currency_code(line.required("line_item_currency_code")?)
            .map_err(|error| format!("column line_item_currency_code: {error}"))?;
        // CUR 2.0 has a `product` map; legacy CUR a flat `product/ProductName` column.
        let product_name = json_map(line, "product")?
            .remove("product_name")
            .or_else(|| line.owned("product_product_name"));
        if !is_bedrock(line, product_name.as_deref()) {
            report.add_input(&currency, cost);
            report.add_not_ai(&currency, cost);
            return Ok(());
        }
        let charge = charge(
            source,
            line,
            cost,
            currency.clone(),
            product_name.as_deref(),
        )?;
        report.add_input(&currency, cost);
        report.rows_kept += 1;
        charges.push(charge);
        Ok(())
    })
}

fn is_bedrock(line: &Line, product_name: Option<&str>) -> bool {
    line.text("line_item_product_code") == Some(BEDROCK)
        || product_name.is_some_and(|name| name.ends_with(MARKETPLACE_EDITION))
}

/// A map column of the CSV form: JSON text, empty or `{}` for none.
fn json_map(line: &Line, column: &str) -> Result<BTreeMap<String, String>, String> {
    let Some(text) = line.text(column) else {
        return Ok(BTreeMap::new());
    };
    json_object_strings(text).map_err(|error| format!("column {column}: not a JSON map: {error}"))
}

fn instant(line: &Line, column: &str) -> Result<OffsetDateTime, String> {
    let text = line.required(column)?;
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|error| format!("column {column}: `{text}` is not a time: {error}"))
}

fn charge(
    source: &str,
    line: &Line,
    cost: Amount,
    currency: String,
    product_name: Option<&str>,
) -> Result<Charge, String> {
    let start = instant(line, "line_item_usage_start_date")?;
    let end = instant(line, "line_item_usage_end_date")?;
    let category = match line.text("line_item_line_item_type").unwrap_or("Usage") {
        "Tax" => ChargeCategory::Tax,
        "Credit"
        | "Refund"
        | "EdpDiscount"
        | "PrivateRateDiscount"
        | "BundledDiscount"
        | "Discount" => ChargeCategory::Credit,
        "Fee" | "RIFee" | "SavingsPlanUpfrontFee" | "SavingsPlanRecurringFee" => {
            ChargeCategory::Purchase
        }
        _ => ChargeCategory::Usage,
    };
    let usage_type = line.text("line_item_usage_type");
    let model = model_of(product_name, usage_type);
    let token_type = usage_type.and_then(token_type_of);
    let effective = line.amount("line_item_net_unblended_cost")?.unwrap_or(cost);
    let account = line.owned("line_item_usage_account_id");
    let (attribution_kind, attribution_key) =
        match line.text("line_item_iam_principal").map(principal_name) {
            Some(principal) => ("iam_principal", principal.to_owned()),
            None => ("account", account.clone().unwrap_or_default()),
        };
    let mut tags = BTreeMap::new();
    for (key, value) in json_map(line, "tags")?
        .into_iter()
        .chain(json_map(line, "resource_tags")?)
    {
        let key = key
            .strip_prefix("iamPrincipal/")
            .or_else(|| key.strip_prefix("user_"))
            .unwrap_or(&key)
            .to_owned();
        tags.entry(key).or_insert(value);
    }
    let marketplace = line.text("bill_billing_entity") == Some("AWS Marketplace");
    Ok(Charge {
        charge_period_start: start,
        charge_period_end: end,
        billing_period_start: month_start(start),
        billing_period_end: next_month_start(start),
        billing_account_id: line
            .owned("bill_payer_account_id")
            .unwrap_or_else(|| source.to_owned()),
        billing_account_name: None,
        invoice_issuer_name: if marketplace {
            "AWS Marketplace"
        } else {
            "Amazon Web Services"
        }
        .to_owned(),
        billing_currency: currency,
        billed_cost: cost,
        effective_cost: effective,
        list_cost: cost,
        contracted_cost: cost,
        pricing_quantity: line.amount("line_item_usage_amount")?,
        pricing_unit: line.owned("pricing_unit"),
        provider_name: "AWS".to_owned(),
        publisher_name: publisher_of(model.as_deref()).to_owned(),
        service_name: "Amazon Bedrock".to_owned(),
        service_category: AI_SERVICE_CATEGORY.to_owned(),
        sub_account_id: account,
        sub_account_name: line.owned("line_item_usage_account_name"),
        resource_id: line.owned("line_item_resource_id"),
        resource_name: None,
        region_id: line.owned("product_region_code"),
        sku_id: usage_type.map(str::to_owned),
        charge_description: product_name.map(str::to_owned),
        charge_category: category,
        charge_class: None,
        consumed_quantity: None,
        consumed_unit: None,
        tags,
        source: source.to_owned(),
        model,
        token_type,
        service_tier: None,
        attribution_kind: attribution_kind.to_owned(),
        attribution_key,
        cost_estimated: false,
    })
}

/// The role or user of a principal ARN, without a session name:
/// `arn:aws:sts::1:assumed-role/search-app/session-42` is `search-app`.
fn principal_name(arn: &str) -> &str {
    let resource = arn.rsplit_once(':').map_or(arn, |(_, resource)| resource);
    let mut parts = resource.split('/');
    match (parts.next(), parts.next()) {
        (Some("assumed-role" | "role" | "user"), Some(name)) => name,
        _ => resource,
    }
}

/// The model of a Bedrock line: the Marketplace product name, else the usage type's model
/// token (`USE1-NovaLite-input-tokens` is `nova-lite`).
fn model_of(product_name: Option<&str>, usage_type: Option<&str>) -> Option<String> {
    if let Some(name) = product_name.and_then(|name| name.strip_suffix(MARKETPLACE_EDITION)) {
        return canonical_model(&name.to_ascii_lowercase().replace(' ', "-"));
    }
    let usage_type = usage_type?;
    let after_region = usage_type
        .split_once('-')
        .map_or(usage_type, |(_, rest)| rest);
    let token = after_region.split('-').next()?;
    if token.contains(':') {
        return None;
    }
    let mut words: Vec<String> = Vec::new();
    let mut previous: Option<char> = None;
    for character in token.chars() {
        let starts_word = match previous {
            None => true,
            Some(before) => {
                (character.is_ascii_uppercase() && !before.is_ascii_uppercase())
                    || (character.is_ascii_digit() != before.is_ascii_digit()
                        && character != '.'
                        && before != '.')
            }
        };
        if starts_word {
            words.push(String::new());
        }
        if let Some(word) = words.last_mut() {
            word.push(character.to_ascii_lowercase());
        }
        previous = Some(character);
    }
    // AWS writes `Claude4.6Sonnet`; Anthropic names it `claude-sonnet-4-6`.
    if words.len() == 3 && words[0] == "claude" {
        words.swap(1, 2);
    }
    canonical_model(&words.join("-"))
}

fn token_type_of(usage_type: &str) -> Option<TokenType> {
    let lower = usage_type.to_ascii_lowercase();
    if lower.contains("cache-read") || lower.contains("cacheread") {
        Some(TokenType::CacheRead)
    } else if lower.contains("cache-write") || lower.contains("cachewrite") {
        Some(TokenType::CacheWrite)
    } else if lower.contains("input") {
        Some(TokenType::Input)
    } else if lower.contains("output") {
        Some(TokenType::Output)
    } else {
        None
    }
}

fn publisher_of(model: Option<&str>) -> &'static str {
    let model = model.unwrap_or_default();
    if model.starts_with("claude") {
        "Anthropic"
    } else if model.starts_with("llama") {
        "Meta"
    } else if model.starts_with("mistral") || model.starts_with("pixtral") {
        "Mistral AI"
    } else if model.starts_with("gpt") {
        "OpenAI"
    } else {
        "Amazon"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_lose_their_session_name() {
        assert_eq!(
            principal_name("arn:aws:sts::222222222222:assumed-role/search-app/session-42"),
            "search-app"
        );
        assert_eq!(
            principal_name("arn:aws:iam::222222222222:user/BedrockAPIKey-ab12"),
            "BedrockAPIKey-ab12"
        );
    }

    #[test]
    fn models_from_usage_types_and_marketplace_names() {
        assert_eq!(
            model_of(None, Some("USE1-NovaLite-input-tokens")).as_deref(),
            Some("nova-lite")
        );
        assert_eq!(
            model_of(None, Some("USE1-Claude4.6Sonnet-output-tokens")).as_deref(),
            Some("claude-sonnet-4-6")
        );
        assert_eq!(
            model_of(
                Some("Claude Sonnet 4.5 (Amazon Bedrock Edition)"),
                Some("USE1-MP:USE1_InputTokenCount-Units")
            )
            .as_deref(),
            Some("claude-sonnet-4-5")
        );
        assert_eq!(
            model_of(None, Some("USE1-MP:USE1_InputTokenCount-Units")),
            None
        );
        assert_eq!(
            token_type_of("USE1-MP:USE1_OutputTokenCount-Units"),
            Some(TokenType::Output)
        );
    }
}
