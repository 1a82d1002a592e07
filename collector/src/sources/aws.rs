//! AWS: CUR 2.0 (Data Exports) in its Parquet form (map columns as maps) and its CSV form (map
//! columns as JSON text, plain or gzip), legacy CUR (`lineItem/UnblendedCost`-style headers,
//! read as their CUR 2.0 names, and one `resourceTags/user:*` column per tag), and AWS's FOCUS
//! export, which is read as FOCUS (see [`super::focus`]).
//!
//! Bedrock lines are found by product code (`AmazonBedrock`) and by the model: third-party
//! models sold through AWS Marketplace carry a Marketplace product code, the billing entity
//! `AWS Marketplace` and the name `<Model> (Amazon Bedrock Edition)`, or at least a model's name
//! and a token usage type; every other line is counted as not AI with its cost. A large
//! Parquet export is screened on its product code and billing entity first, so the columns of
//! the other lines are never decoded (see [`super::parquet_file::Screen`]).
//!
//! Attribution is `line_item_iam_principal` without the session name (the role or user), or
//! the usage account when a line has no principal (credits, tax). Principal tags
//! (`iamPrincipal/team`) and activated resource tags (`user_team`, legacy
//! `resourceTags/user:team`) become `Tags` under their plain key; the usage account is
//! `SubAccountId`.
//!
//! `BilledCost` is the unblended cost, so the lines add up to the invoice; `EffectiveCost` is
//! the amortized cost, net of discounts where the export has net columns: Savings Plan and
//! Reserved Instance covered usage at its effective cost, the negations and upfront fees at
//! zero, the recurring fees at their unused part, so that amortized totals count each dollar
//! once. `ListCost` is the public on-demand cost where the export has it.

use std::collections::BTreeMap;
use std::path::Path;

use allot_core::charge::AI_SERVICE_CATEGORY;
use allot_core::model::{canonical_model, is_known_model};
use allot_core::{Amount, Charge, ChargeCategory, TokenType};
use anyhow::Result;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::csv_file::{Line, read_lines};
use super::parquet_file::Screen;
use super::{
    currency_code, focus, is_focus_file, json_object_strings, month_start, next_month_start,
};
use crate::report::SourceReport;

const BEDROCK: &str = "AmazonBedrock";
pub(super) const MARKETPLACE_EDITION: &str = " (Amazon Bedrock Edition)";

/// The columns every line must have.
const REQUIRED: [&[&str]; 4] = [
    &["line_item_unblended_cost"],
    &["line_item_currency_code"],
    &["line_item_usage_start_date"],
    &["line_item_product_code"],
];

/// The first test of a Parquet export's rows (see [`may_be_bedrock`]), and the columns
/// [`read_line`] reads from the rows that pass it.
const SCREEN: Screen = Screen {
    columns: &["line_item_product_code", "bill_billing_entity"],
    may_be_ai: |values| may_be_bedrock(values[0], values[1]),
    cost: "line_item_unblended_cost",
    currency: "line_item_currency_code",
    read: &[
        "bill_billing_entity",
        "bill_payer_account_id",
        "line_item_currency_code",
        "line_item_iam_principal",
        "line_item_line_item_type",
        "line_item_net_unblended_cost",
        "line_item_product_code",
        "line_item_resource_id",
        "line_item_unblended_cost",
        "line_item_usage_account_id",
        "line_item_usage_account_name",
        "line_item_usage_amount",
        "line_item_usage_end_date",
        "line_item_usage_start_date",
        "line_item_usage_type",
        "pricing_public_on_demand_cost",
        "pricing_unit",
        "product",
        "product_product_name",
        "product_region_code",
        "reservation_effective_cost",
        "reservation_net_effective_cost",
        "reservation_net_unused_amortized_upfront_fee_for_billing_period",
        "reservation_net_unused_recurring_fee",
        "reservation_reservation_a_r_n",
        "reservation_unused_amortized_upfront_fee_for_billing_period",
        "reservation_unused_recurring_fee",
        "resource_tags",
        "savings_plan_net_savings_plan_effective_cost",
        "savings_plan_savings_plan_effective_cost",
        "savings_plan_total_commitment_to_date",
        "savings_plan_used_commitment",
        "tags",
    ],
    read_prefixes: &[LEGACY_TAG_PREFIX],
};

/// Legacy CUR writes each activated resource tag as a column of its own.
const LEGACY_TAG_PREFIX: &str = "resourceTags/";

/// Reads one file of this source (CUR as Parquet, CSV or gzip CSV, or a FOCUS export), adding
/// its charges to `charges`.
pub fn read_file(
    source: &str,
    path: &Path,
    report: &mut SourceReport,
    charges: &mut Vec<Charge>,
) -> Result<()> {
    if is_focus_file(path)? {
        return focus::read_file(source, path, report, charges);
    }
    let read = |line: &Line, report: &mut SourceReport| read_line(source, line, report, charges);
    read_lines(path, "CUR 2.0", &REQUIRED, Some(&SCREEN), report, read)
}

/// Reads one line of the export: a Bedrock charge, or a line counted as not AI.
fn read_line(
    source: &str,
    line: &Line,
    report: &mut SourceReport,
    charges: &mut Vec<Charge>,
) -> Result<(), String> {
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
}

/// Whether a line with this product code and billing entity can be a Bedrock line: Amazon
/// Bedrock's own, or a product sold through AWS Marketplace, which is billed by the entity
/// `AWS Marketplace` under a product code of its own rather than an AWS service's
/// (`AmazonEC2`, `AWSLambda`). Any other line is not AI, whatever else it says.
fn may_be_bedrock(product_code: Option<&str>, billing_entity: Option<&str>) -> bool {
    match product_code {
        Some(BEDROCK) => true,
        _ if billing_entity == Some("AWS Marketplace") => true,
        Some(code) => !code.starts_with("Amazon") && !code.starts_with("AWS"),
        None => true,
    }
}

/// A Bedrock line: Amazon Bedrock's own, or a model sold through AWS Marketplace, named
/// `<Model> (Amazon Bedrock Edition)` or, failing that, a model allot knows with a token usage
/// type (`USE1-MP:USE1_InputTokenCount-Units`).
fn is_bedrock(line: &Line, product_name: Option<&str>) -> bool {
    let product_code = line.text("line_item_product_code");
    if product_code == Some(BEDROCK) {
        return true;
    }
    if !may_be_bedrock(product_code, line.text("bill_billing_entity")) {
        return false;
    }
    let Some(name) = product_name else {
        return false;
    };
    if name.ends_with(MARKETPLACE_EDITION) {
        return true;
    }
    let names_a_model = model_of(Some(name), None).is_some();
    let counts_tokens = line
        .text("line_item_usage_type")
        .is_some_and(|usage_type| usage_type.to_ascii_lowercase().contains("token"));
    names_a_model && counts_tokens
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
    let line_item_type = line.text("line_item_line_item_type").unwrap_or("Usage");
    let usage_type = line.text("line_item_usage_type");
    let model = model_of(product_name, usage_type);
    let token_type = usage_type.and_then(token_type_of);
    let effective = effective_cost(line, line_item_type, cost)?;
    let account = line.owned("line_item_usage_account_id");
    let (attribution_kind, attribution_key) =
        match line.text("line_item_iam_principal").map(principal_name) {
            Some(principal) => ("iam_principal", principal.to_owned()),
            None => ("account", account.clone().unwrap_or_default()),
        };
    let legacy_tags = line
        .prefixed(LEGACY_TAG_PREFIX)
        .map(|(key, value)| (key.to_owned(), value.to_owned()));
    let mut tags = BTreeMap::new();
    for (key, value) in json_map(line, "tags")?
        .into_iter()
        .chain(json_map(line, "resource_tags")?)
        .chain(legacy_tags)
    {
        let key = key
            .strip_prefix("iamPrincipal/")
            .or_else(|| key.strip_prefix("user_"))
            .or_else(|| key.strip_prefix("user:"))
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
        list_cost: line
            .amount("pricing_public_on_demand_cost")?
            .unwrap_or(cost),
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
        charge_category: charge_category(line_item_type),
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

/// The FOCUS `ChargeCategory` of a `line_item_line_item_type`: usage (covered or not, and the
/// Savings Plan negations that offset covered usage), tax, credits, refunds and discounts, and
/// the fees of commitments and subscriptions as purchases.
fn charge_category(line_item_type: &str) -> ChargeCategory {
    match line_item_type {
        "Tax" => ChargeCategory::Tax,
        "Credit"
        | "Refund"
        | "EdpDiscount"
        | "PrivateRateDiscount"
        | "BundledDiscount"
        | "SppDiscount"
        | "DistributorDiscount"
        | "Discount" => ChargeCategory::Credit,
        "Fee" | "RIFee" | "SavingsPlanUpfrontFee" | "SavingsPlanRecurringFee" => {
            ChargeCategory::Purchase
        }
        _ => ChargeCategory::Usage,
    }
}

/// `EffectiveCost`: the amortized cost of a line, net of discounts where the export has net
/// columns (a `line_item_net_unblended_cost` value), so that each dollar of a commitment is
/// counted once, on the usage it covered.
fn effective_cost(line: &Line, line_item_type: &str, unblended: Amount) -> Result<Amount, String> {
    let net = line.text("line_item_net_unblended_cost").is_some();
    let net_or_plain = |net_column: &str, plain_column: &str| -> Result<Option<Amount>, String> {
        match line.amount(net_column)? {
            Some(amount) if net => Ok(Some(amount)),
            _ => line.amount(plain_column),
        }
    };
    let both = |a: Option<Amount>, b: Option<Amount>| a.zip(b).map(|(a, b)| a + b);
    let amortized = match line_item_type {
        "SavingsPlanCoveredUsage" => net_or_plain(
            "savings_plan_net_savings_plan_effective_cost",
            "savings_plan_savings_plan_effective_cost",
        )?,
        "DiscountedUsage" => net_or_plain(
            "reservation_net_effective_cost",
            "reservation_effective_cost",
        )?,
        "SavingsPlanNegation" | "SavingsPlanUpfrontFee" => Some(Amount::ZERO),
        "SavingsPlanRecurringFee" => line
            .amount("savings_plan_total_commitment_to_date")?
            .zip(line.amount("savings_plan_used_commitment")?)
            .map(|(commitment, used)| commitment - used),
        "RIFee" => both(
            net_or_plain(
                "reservation_net_unused_amortized_upfront_fee_for_billing_period",
                "reservation_unused_amortized_upfront_fee_for_billing_period",
            )?,
            net_or_plain(
                "reservation_net_unused_recurring_fee",
                "reservation_unused_recurring_fee",
            )?,
        ),
        // A reservation's upfront fee is amortized into the usage it covers.
        "Fee" if line.text("reservation_reservation_a_r_n").is_some() => Some(Amount::ZERO),
        _ => None,
    };
    match amortized {
        Some(amount) => Ok(amount),
        None if net => Ok(line
            .amount("line_item_net_unblended_cost")?
            .unwrap_or(unblended)),
        None => Ok(unblended),
    }
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

/// The model of a Bedrock line: the Marketplace product name (`Claude Sonnet 4.5 (Amazon Bedrock
/// Edition)`, or a model's name without the suffix), else the usage type's model token
/// (`USE1-NovaLite-input-tokens` is `nova-lite`).
pub(super) fn model_of(product_name: Option<&str>, usage_type: Option<&str>) -> Option<String> {
    if let Some(name) = product_name {
        let name = name.strip_suffix(MARKETPLACE_EDITION).unwrap_or(name);
        let model = canonical_model(&name.to_ascii_lowercase().replace(' ', "-"));
        if model.as_deref().is_some_and(is_known_model) || name.len() < product_name?.len() {
            return model;
        }
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

pub(super) fn token_type_of(usage_type: &str) -> Option<TokenType> {
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
