//! FOCUS: any FinOps FOCUS 1.0 to 1.2 cost and usage file, as CSV (plain or gzip) or Parquet,
//! including the clouds' own FOCUS exports (AWS's, Microsoft's), which the `aws` and `azure`
//! sources hand to this reader.
//!
//! The lines whose `ServiceCategory` is "AI and Machine Learning" are kept, and Bedrock models
//! sold through AWS Marketplace (`ServiceName` `<Model> (Amazon Bedrock Edition)`, whatever
//! their category); every other line is counted as not AI with its `BilledCost`. Real files
//! carry quirks this reader accepts: the literal `NULL` for a null, columns that are not
//! FOCUS's (kept out, except the `x_` columns below), header names in another case, and times
//! with or without a zone.
//!
//! FOCUS has no model column, so the model and token type come from `x_Model` and
//! `x_TokenType` where a file has them (allot's own data set), else from what each cloud's
//! export carries: AWS's `x_UsageType` (`USE1-Claude4.6Sonnet-input-tokens`), Microsoft's meter
//! name (`SkuMeter` or `x_SkuMeterName`, `gpt 4o 0513 Input global Tokens`), Google's SKU
//! description, read as the `aws`, `azure` and `gcp` sources read them, so one model has one
//! `x_Model` whichever export it came through.

use std::collections::BTreeMap;
use std::path::Path;

use allot_core::charge::AI_SERVICE_CATEGORY;
use allot_core::model::canonical_model;
use allot_core::{Charge, ChargeCategory, TokenType};
use anyhow::Result;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use super::csv_file::{Line, read_lines};
use super::parquet_file::Screen;
use super::{aws, azure, currency_code, gcp, json_object_strings};
use crate::report::SourceReport;

/// Columns without which a line cannot be read or reconciled.
const REQUIRED: [&str; 5] = [
    "BilledCost",
    "BillingCurrency",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ServiceCategory",
];

/// The first test of a Parquet file's rows (see [`may_be_ai`]), and the columns [`read_line`]
/// reads from the rows that pass it.
const SCREEN: Screen = Screen {
    columns: &["ServiceCategory", "ServiceName"],
    may_be_ai: |values| may_be_ai(values[0], values[1]),
    cost: "BilledCost",
    currency: "BillingCurrency",
    read: &[
        "BilledCost",
        "BillingAccountId",
        "BillingAccountName",
        "BillingCurrency",
        "BillingPeriodEnd",
        "BillingPeriodStart",
        "ChargeCategory",
        "ChargeClass",
        "ChargeDescription",
        "ChargePeriodEnd",
        "ChargePeriodStart",
        "ConsumedQuantity",
        "ConsumedUnit",
        "ContractedCost",
        "EffectiveCost",
        "InvoiceIssuerName",
        "ListCost",
        "PricingQuantity",
        "PricingUnit",
        "ProviderName",
        "PublisherName",
        "RegionId",
        "ResourceId",
        "ResourceName",
        "ServiceCategory",
        "ServiceName",
        "SkuId",
        "SkuMeter",
        "SubAccountId",
        "SubAccountName",
        "Tags",
    ],
    read_prefixes: &["x_"],
};

/// Reads one file of this source, adding its charges to `charges`.
pub fn read_file(
    source: &str,
    path: &Path,
    report: &mut SourceReport,
    charges: &mut Vec<Charge>,
) -> Result<()> {
    let required: Vec<&[&str]> = REQUIRED.iter().map(std::slice::from_ref).collect();
    read_lines(
        path,
        "FOCUS",
        &required,
        Some(&SCREEN),
        report,
        |line, report| {
            if let Some(charge) = read_line(source, line, report)? {
                charges.push(charge);
            }
            Ok(())
        },
    )
}

/// A FOCUS date and time column.
fn instant(line: &Line, name: &str) -> Result<OffsetDateTime, String> {
    let text = line.required(name)?;
    parse_instant(text).ok_or_else(|| format!("column {name}: `{text}` is not a date and time"))
}

/// One line: `Ok(Some)` kept, `Ok(None)` counted as not AI, `Err` rejected with the reason.
fn read_line(
    source: &str,
    line: &Line,
    report: &mut SourceReport,
) -> Result<Option<Charge>, String> {
    let billed_cost = line
        .amount("BilledCost")?
        .ok_or("column BilledCost: no value")?;
    let currency = currency_code(line.required("BillingCurrency")?)
        .map_err(|error| format!("column BillingCurrency: {error}"))?;
    if !may_be_ai(
        Some(line.required("ServiceCategory")?),
        line.text("ServiceName"),
    ) {
        report.add_input(&currency, billed_cost);
        report.add_not_ai(&currency, billed_cost);
        return Ok(None);
    }

    let charge_period_start = instant(line, "ChargePeriodStart")?;
    let charge_period_end = instant(line, "ChargePeriodEnd")?;
    let billing_period_start = instant(line, "BillingPeriodStart")
        .unwrap_or_else(|_| super::month_start(charge_period_start));
    let billing_period_end = instant(line, "BillingPeriodEnd")
        .unwrap_or_else(|_| super::next_month_start(charge_period_start));
    let charge_category = match line.text("ChargeCategory") {
        None => ChargeCategory::Usage,
        Some(text) => ChargeCategory::parse(text).ok_or_else(|| {
            format!("column ChargeCategory: `{text}` is not a FOCUS charge category")
        })?,
    };
    let tags = match line.text("Tags") {
        None => BTreeMap::new(),
        Some(text) => parse_tags(text)?,
    };
    let or_billed = |name: &str| {
        line.amount(name)
            .map(|amount| amount.unwrap_or(billed_cost))
    };
    let provider = line
        .owned("ProviderName")
        .unwrap_or_else(|| "Unknown".to_owned());
    let sub_account_id = line.owned("SubAccountId");
    let resource_id = line.owned("ResourceId");
    let (attribution_kind, attribution_key) = match (&resource_id, &sub_account_id) {
        (Some(resource), _) => ("resource", resource.clone()),
        (None, Some(sub_account)) => ("sub_account", sub_account.clone()),
        (None, None) => (
            "billing_account",
            line.owned("BillingAccountId").unwrap_or_default(),
        ),
    };

    let identity = model_identity(line, &provider);
    let charge = Charge {
        charge_period_start,
        charge_period_end,
        billing_period_start,
        billing_period_end,
        billing_account_id: line
            .owned("BillingAccountId")
            .unwrap_or_else(|| source.to_owned()),
        billing_account_name: line.owned("BillingAccountName"),
        invoice_issuer_name: line
            .owned("InvoiceIssuerName")
            .unwrap_or_else(|| provider.clone()),
        billing_currency: currency.clone(),
        billed_cost,
        effective_cost: or_billed("EffectiveCost")?,
        list_cost: or_billed("ListCost")?,
        contracted_cost: or_billed("ContractedCost")?,
        pricing_quantity: line.amount("PricingQuantity")?,
        pricing_unit: line.owned("PricingUnit"),
        publisher_name: line
            .owned("PublisherName")
            .unwrap_or_else(|| provider.clone()),
        provider_name: provider,
        service_name: line
            .owned("ServiceName")
            .unwrap_or_else(|| "Unknown".to_owned()),
        service_category: AI_SERVICE_CATEGORY.to_owned(),
        sub_account_id,
        sub_account_name: line.owned("SubAccountName"),
        resource_id,
        resource_name: line.owned("ResourceName"),
        region_id: line.owned("RegionId"),
        sku_id: line.owned("SkuId"),
        charge_description: line.owned("ChargeDescription"),
        charge_category,
        charge_class: line.owned("ChargeClass"),
        consumed_quantity: line.amount("ConsumedQuantity")?,
        consumed_unit: line.owned("ConsumedUnit"),
        tags,
        source: source.to_owned(),
        model: identity.model,
        token_type: identity.token_type,
        service_tier: identity.service_tier,
        attribution_kind: line
            .owned("x_AttributionKind")
            .unwrap_or_else(|| attribution_kind.to_owned()),
        attribution_key: line.owned("x_AttributionKey").unwrap_or(attribution_key),
        cost_estimated: false,
    };
    report.add_input(&currency, billed_cost);
    report.rows_kept += 1;
    Ok(Some(charge))
}

/// Whether a line with this `ServiceCategory` and `ServiceName` is an AI charge.
fn may_be_ai(service_category: Option<&str>, service_name: Option<&str>) -> bool {
    service_category.is_some_and(|category| category.eq_ignore_ascii_case(AI_SERVICE_CATEGORY))
        || service_name.is_some_and(|name| name.ends_with(aws::MARKETPLACE_EDITION))
}

/// What a line says about its model.
struct ModelIdentity {
    model: Option<String>,
    token_type: Option<TokenType>,
    service_tier: Option<String>,
}

/// The model, token type and tier of a line: allot's own `x_` columns where the file has them,
/// else what the provider's export writes where the provider's own source finds it.
fn model_identity(line: &Line, provider: &str) -> ModelIdentity {
    let own = ModelIdentity {
        model: line.text("x_Model").and_then(canonical_model),
        token_type: line.text("x_TokenType").and_then(TokenType::parse),
        service_tier: line.owned("x_ServiceTier"),
    };
    if own.model.is_some() {
        return own;
    }
    match provider {
        "AWS" | "Amazon Web Services" => {
            let usage_type = line.text("x_UsageType");
            ModelIdentity {
                model: aws::model_of(line.text("ServiceName"), usage_type),
                token_type: usage_type.and_then(aws::token_type_of),
                service_tier: None,
            }
        }
        "Microsoft" => match line
            .first_text(&["SkuMeter", "x_SkuMeterName"])
            .and_then(azure::parse_meter)
        {
            Some(meter) => ModelIdentity {
                model: meter.model,
                token_type: Some(meter.token_type),
                service_tier: meter.tier,
            },
            None => own,
        },
        "Google" | "Google Cloud" => {
            let sku = line
                .first_text(&["x_SkuDescription", "ChargeDescription"])
                .map(gcp::describe_sku);
            ModelIdentity {
                model: sku.as_ref().and_then(|sku| sku.model.clone()),
                token_type: sku.and_then(|sku| sku.token_type),
                service_tier: None,
            }
        }
        _ => own,
    }
}

/// FOCUS `Tags`: a JSON object; values that are not strings are kept as their JSON text.
fn parse_tags(text: &str) -> Result<BTreeMap<String, String>, String> {
    json_object_strings(text).map_err(|error| format!("column Tags: not a JSON object: {error}"))
}

/// A FOCUS date and time: RFC 3339, or `YYYY-MM-DD HH:MM:SS` / `YYYY-MM-DDTHH:MM:SS` / a bare
/// date, taken as UTC.
fn parse_instant(text: &str) -> Option<OffsetDateTime> {
    if let Ok(instant) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(instant);
    }
    let spaced = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let with_t = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let bare = text.trim_end_matches('Z');
    PrimitiveDateTime::parse(bare, spaced)
        .or_else(|_| PrimitiveDateTime::parse(bare, with_t))
        .map(PrimitiveDateTime::assume_utc)
        .ok()
        .or_else(|| {
            let date = Date::parse(bare, format_description!("[year]-[month]-[day]")).ok()?;
            Some(date.midnight().assume_utc())
        })
}

#[cfg(test)]
mod tests {
    use super::parse_instant;
    use time::macros::datetime;

    #[test]
    fn reads_the_time_forms_of_real_files() {
        let expected = datetime!(2024-09-18 22:00:00 UTC);
        for text in [
            "2024-09-18 22:00:00",
            "2024-09-18T22:00:00Z",
            "2024-09-18T22:00:00",
            "2024-09-18T22:00:00+00:00",
        ] {
            assert_eq!(parse_instant(text), Some(expected), "{text}");
        }
        assert_eq!(
            parse_instant("2024-09-18"),
            Some(datetime!(2024-09-18 00:00:00 UTC))
        );
        assert_eq!(parse_instant("18/09/2024"), None);
    }
}
