//! FOCUS: any FinOps FOCUS 1.0 to 1.2 cost and usage file, as CSV.
//!
//! The lines whose `ServiceCategory` is "AI and Machine Learning" are kept; every other line is
//! counted as not AI with its `BilledCost`. Real files carry quirks this reader accepts: the
//! literal `NULL` for a null, columns that are not FOCUS's (kept out), header names in another
//! case, and times with or without a zone.

use std::collections::BTreeMap;
use std::path::Path;

use allot_core::charge::AI_SERVICE_CATEGORY;
use allot_core::model::canonical_model;
use allot_core::{Charge, ChargeCategory};
use anyhow::Result;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use super::csv_file::{Line, read_lines};
use super::{currency_code, json_object_strings};
use crate::report::SourceReport;

/// Columns without which a line cannot be read or reconciled.
const REQUIRED: [&str; 5] = [
    "BilledCost",
    "BillingCurrency",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ServiceCategory",
];

/// Reads one file of this source, adding its charges to `charges`.
pub fn read_file(
    source: &str,
    path: &Path,
    report: &mut SourceReport,
    charges: &mut Vec<Charge>,
) -> Result<()> {
    let required: Vec<&[&str]> = REQUIRED.iter().map(std::slice::from_ref).collect();
    read_lines(path, "FOCUS", &required, report, |line, report| {
        if let Some(charge) = read_line(source, line, report)? {
            charges.push(charge);
        }
        Ok(())
    })
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
    let service_category = line.required("ServiceCategory")?;
    if !service_category.eq_ignore_ascii_case(AI_SERVICE_CATEGORY) {
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
        model: line.text("x_Model").and_then(canonical_model),
        token_type: None,
        service_tier: None,
        attribution_kind: attribution_kind.to_owned(),
        attribution_key,
        cost_estimated: false,
    };
    report.add_input(&currency, billed_cost);
    report.rows_kept += 1;
    Ok(Some(charge))
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
