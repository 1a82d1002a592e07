//! Azure: Cost Management exports (EA and MCA, actual or amortized) as CSV (plain or gzip) or
//! Parquet, and Microsoft's FOCUS export, which is read as FOCUS (see [`super::focus`]).
//!
//! Azure OpenAI / Foundry Models lines are found by their service (`ConsumedService`
//! `Microsoft.CognitiveServices`) and a token meter, whatever the meter category is called this
//! year; every other line is counted as not AI with its cost. Header casing varies, dates are
//! `M/D/YYYY` or ISO, `Tags` come without their outer braces, older EA files name the cost
//! `Cost`. The meter name gives the model, the token direction and the deployment tier
//! (`gpt 4o 0513 Input global Tokens`, `gpt-4o-0806-Batch-Inp-glbl Tokens`). `Quantity` counts
//! tokens; `PricingQuantity` is it divided by the block size of the `UnitOfMeasure` (`1K`,
//! `10K`, `1M`, read as Microsoft's own `PricingUnits` table reads them).
//!
//! Attribution: the Cognitive Services account of `ResourceId`, and the Foundry project or the
//! deployment where the resource id names one (`…/accounts/<account>/projects/<project>`); the
//! resource group, the subscription (`SubAccountId`) and every tag, those Azure adds per
//! Foundry project included, stay on the charge for rules to match.

use std::collections::BTreeMap;
use std::path::Path;

use allot_core::charge::AI_SERVICE_CATEGORY;
use allot_core::model::canonical_model;
use allot_core::{Amount, Charge, ChargeCategory, TokenType};
use anyhow::Result;
use time::macros::format_description;
use time::{Date, Duration};

use super::csv_file::{Line, read_lines};
use super::{
    currency_code, focus, is_focus_file, json_object_strings, month_start, next_month_start,
};
use crate::report::SourceReport;

const COST: [&str; 2] = ["CostInBillingCurrency", "Cost"];
const CURRENCY: [&str; 2] = ["BillingCurrencyCode", "BillingCurrency"];

/// Reads one file of this source, adding its charges to `charges`.
pub fn read_file(
    source: &str,
    path: &Path,
    report: &mut SourceReport,
    charges: &mut Vec<Charge>,
) -> Result<()> {
    if is_focus_file(path)? {
        return focus::read_file(source, path, report, charges);
    }
    let required: [&[&str]; 5] = [
        &["Date"],
        &COST,
        &CURRENCY,
        &["MeterName"],
        &["ConsumedService"],
    ];
    read_lines(
        path,
        "Azure cost export",
        &required,
        None,
        report,
        |line, report| {
            let cost_text = line
                .first_text(&COST)
                .ok_or("column CostInBillingCurrency: no value")?;
            let cost = Amount::parse(cost_text)
                .map_err(|error| format!("column CostInBillingCurrency: {error}"))?;
            let currency = currency_code(line.first_text(&CURRENCY).unwrap_or_default())
                .map_err(|error| format!("column BillingCurrencyCode: {error}"))?;
            let meter = line.required("MeterName")?;
            let Some(meter) = parse_meter(meter).filter(|_| is_azure_ai(line)) else {
                report.add_input(&currency, cost);
                report.add_not_ai(&currency, cost);
                return Ok(());
            };
            let charge = charge(source, line, cost, currency.clone(), meter)?;
            report.add_input(&currency, cost);
            report.rows_kept += 1;
            charges.push(charge);
            Ok(())
        },
    )
}

fn is_azure_ai(line: &Line) -> bool {
    line.text("ConsumedService")
        .is_some_and(|service| service.eq_ignore_ascii_case("Microsoft.CognitiveServices"))
}

fn charge(
    source: &str,
    line: &Line,
    cost: Amount,
    currency: String,
    meter: Meter,
) -> Result<Charge, String> {
    let day = parse_date(line.required("Date")?).ok_or_else(|| {
        format!(
            "column Date: `{}` is not a date",
            line.text("Date").unwrap_or("")
        )
    })?;
    let start = day.midnight().assume_utc();
    let billing_start = line
        .text("BillingPeriodStartDate")
        .and_then(parse_date)
        .map_or_else(|| month_start(start), |date| date.midnight().assume_utc());
    // Azure's billing period end is the last day, inclusive.
    let billing_end = line
        .text("BillingPeriodEndDate")
        .and_then(parse_date)
        .map_or_else(
            || next_month_start(start),
            |date| date.midnight().assume_utc() + Duration::days(1),
        );
    let quantity = line.amount("Quantity")?;
    let block = line.text("UnitOfMeasure").and_then(block_size);
    let pricing_quantity = quantity
        .zip(block)
        .and_then(|(quantity, block)| quantity.checked_div_exact(block.into()));
    let resource = line.text("ResourceId").map(ResourcePath::parse);
    let tags = match line.text("Tags") {
        None => BTreeMap::new(),
        Some(text) => parse_tags(text)?,
    };
    let category = match line.text("ChargeType").unwrap_or("Usage") {
        "Purchase" => ChargeCategory::Purchase,
        "Tax" => ChargeCategory::Tax,
        "Credit" | "Refund" => ChargeCategory::Credit,
        "RoundingAdjustment" => ChargeCategory::Adjustment,
        _ => ChargeCategory::Usage,
    };
    let subscription = line.owned("SubscriptionId");
    Ok(Charge {
        charge_period_start: start,
        charge_period_end: start + Duration::days(1),
        billing_period_start: billing_start,
        billing_period_end: billing_end,
        billing_account_id: line
            .first_text(&["BillingAccountId", "BillingProfileId", "SubscriptionId"])
            .unwrap_or(source)
            .to_owned(),
        billing_account_name: line.owned("BillingAccountName"),
        invoice_issuer_name: "Microsoft".to_owned(),
        billing_currency: currency,
        billed_cost: cost,
        effective_cost: cost,
        list_cost: cost,
        contracted_cost: cost,
        pricing_quantity,
        pricing_unit: line
            .owned("UnitOfMeasure")
            .map(|unit| format!("{unit} Tokens")),
        provider_name: "Microsoft".to_owned(),
        publisher_name: "OpenAI".to_owned(),
        service_name: "Azure OpenAI".to_owned(),
        service_category: AI_SERVICE_CATEGORY.to_owned(),
        sub_account_id: subscription,
        sub_account_name: line.owned("SubscriptionName"),
        resource_id: line.owned("ResourceId"),
        resource_name: resource
            .as_ref()
            .and_then(|resource| resource.account.clone()),
        region_id: line.owned("ResourceLocation"),
        sku_id: line.owned("MeterId").or_else(|| line.owned("MeterName")),
        charge_description: line.owned("MeterName"),
        charge_category: category,
        charge_class: None,
        consumed_quantity: quantity,
        consumed_unit: quantity.map(|_| "Tokens".to_owned()),
        tags,
        source: source.to_owned(),
        model: meter.model,
        token_type: Some(meter.token_type),
        service_tier: meter.tier,
        attribution_kind: resource
            .as_ref()
            .map_or("resource", ResourcePath::attribution_kind)
            .to_owned(),
        attribution_key: resource
            .as_ref()
            .map(ResourcePath::attribution_key)
            .unwrap_or_default(),
        cost_estimated: false,
    })
}

/// What an Azure OpenAI / Foundry `ResourceId` names:
/// `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.CognitiveServices/accounts/
/// <account>`, perhaps followed by `/projects/<project>` or `/deployments/<deployment>`.
#[derive(Debug, PartialEq, Eq)]
struct ResourcePath {
    account: Option<String>,
    project: Option<String>,
    deployment: Option<String>,
}

impl ResourcePath {
    fn parse(resource_id: &str) -> Self {
        let parts: Vec<&str> = resource_id
            .split('/')
            .filter(|part| !part.is_empty())
            .collect();
        let after = |name: &str| {
            parts
                .windows(2)
                .find(|pair| pair[0].eq_ignore_ascii_case(name))
                .map(|pair| pair[1].to_owned())
        };
        ResourcePath {
            account: after("accounts").or_else(|| parts.last().map(|last| (*last).to_owned())),
            project: after("projects"),
            deployment: after("deployments"),
        }
    }

    fn attribution_kind(&self) -> &'static str {
        if self.deployment.is_some() {
            "deployment"
        } else if self.project.is_some() {
            "project"
        } else {
            "resource"
        }
    }

    /// The account, and its project or deployment: `support-aoai/triage`.
    fn attribution_key(&self) -> String {
        let account = self.account.clone().unwrap_or_default();
        match self.deployment.as_ref().or(self.project.as_ref()) {
            Some(inner) => format!("{account}/{inner}"),
            None => account,
        }
    }
}

/// `Tags` as Azure writes them: JSON members, with or without the outer braces.
fn parse_tags(text: &str) -> Result<BTreeMap<String, String>, String> {
    let json = if text.trim_start().starts_with('{') {
        text.to_owned()
    } else {
        format!("{{{text}}}")
    };
    json_object_strings(&json).map_err(|error| format!("column Tags: not JSON members: {error}"))
}

/// `M/D/YYYY`, `MM/DD/YYYY` or ISO `YYYY-MM-DD` (with or without a time).
fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Ok(date) = Date::parse(
        text.get(..10).unwrap_or(text),
        format_description!("[year]-[month]-[day]"),
    ) {
        return Some(date);
    }
    let mut parts = text.split(' ').next()?.split('/');
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    let year: i32 = parts.next()?.parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// The pricing block of a `UnitOfMeasure`: its leading number, times a thousand, a million or
/// a billion for a `K`, `M` or `B` right after it (`1K`, `10K/Hour`, `1M`, `1B`); 1 for a unit
/// without a number (`Unit`) or whose number is part of a word (`10000s`, transactions counted
/// one by one). `None` for a unit that does not start so (`/Hour`).
fn block_size(unit: &str) -> Option<u64> {
    let unit = unit.trim();
    let digits = unit.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return unit
            .bytes()
            .next()
            .is_some_and(|first| first.is_ascii_alphabetic())
            .then_some(1);
    }
    let number: u64 = unit[..digits].parse().ok()?;
    let multiplier = match unit.as_bytes().get(digits) {
        Some(b'K') => 1_000,
        Some(b'M') => 1_000_000,
        Some(b'B') => 1_000_000_000,
        Some(letter) if letter.is_ascii_lowercase() => return Some(1),
        _ => 1,
    };
    number.checked_mul(multiplier)
}

/// What a token meter's name says.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Meter {
    pub model: Option<String>,
    pub token_type: TokenType,
    pub tier: Option<String>,
}

/// Reads `gpt 4o 0513 Input global Tokens`, `gpt 4o 1120 cached Inp glbl Tokens`,
/// `gpt-4o-0806-Batch-Inp-glbl Tokens`, `gpt 4o Priority Processing Input global Tokens`;
/// `None` for a meter that is not a token meter.
pub(super) fn parse_meter(name: &str) -> Option<Meter> {
    let lower = name.to_ascii_lowercase().replace('-', " ");
    let words: Vec<&str> = lower.split_whitespace().collect();
    if words.last() != Some(&"tokens") {
        return None;
    }
    let has = |word: &str| words.contains(&word);
    let token_type = if has("cached") {
        TokenType::CacheRead
    } else if has("inp") || has("input") {
        TokenType::Input
    } else if has("outp") || has("output") {
        TokenType::Output
    } else {
        return None;
    };
    let tier = if has("batch") {
        Some("batch")
    } else if has("priority") {
        Some("priority")
    } else if has("glbl") || has("global") {
        Some("global")
    } else if has("regnl") || has("regional") {
        Some("regional")
    } else if has("dzn") || lower.contains("data zone") {
        Some("data_zone")
    } else {
        None
    };
    let model_words: Vec<&str> = words
        .iter()
        .copied()
        .take_while(|word| {
            let version = word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit());
            !version
                && ![
                    "cached", "batch", "inp", "input", "outp", "output", "priority", "tokens",
                ]
                .contains(word)
        })
        .collect();
    let model = canonical_model(&model_words.join("-"));
    Some(Meter {
        model,
        token_type,
        tier: tier.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meter_names_give_model_direction_and_tier() {
        let meter = |model: &str, token_type, tier: &str| Meter {
            model: Some(model.to_owned()),
            token_type,
            tier: Some(tier.to_owned()),
        };
        assert_eq!(
            parse_meter("gpt 4o 0513 Input global Tokens"),
            Some(meter("gpt-4o", TokenType::Input, "global"))
        );
        assert_eq!(
            parse_meter("gpt 4o 1120 cached Inp glbl Tokens"),
            Some(meter("gpt-4o", TokenType::CacheRead, "global"))
        );
        assert_eq!(
            parse_meter("gpt-4o-0806-Batch-Inp-glbl Tokens"),
            Some(meter("gpt-4o", TokenType::Input, "batch"))
        );
        assert_eq!(
            parse_meter("gpt-4o-mini-0718-Outp-regnl Tokens"),
            Some(meter("gpt-4o-mini", TokenType::Output, "regional"))
        );
        assert_eq!(
            parse_meter("gpt 5 pro inp Data Zone Tokens"),
            Some(meter("gpt-5-pro", TokenType::Input, "data_zone"))
        );
        assert_eq!(parse_meter("D2 v3/D2s v3"), None);
    }

    #[test]
    fn block_sizes_agree_with_every_row_of_microsofts_pricing_units() {
        let table = include_str!("../../../tests/fixtures/samples/azure/PricingUnits.csv");
        let mut reader = csv::Reader::from_reader(table.as_bytes());
        let mut rows = 0;
        for record in reader.records() {
            let record = record.expect("a row of PricingUnits.csv");
            let expected: u64 = record[2].parse().expect("a block size");
            assert_eq!(block_size(&record[0]), Some(expected), "`{}`", &record[0]);
            rows += 1;
        }
        assert!(rows > 300, "{rows} rows");
        assert_eq!(block_size("/Hour"), None);
    }

    #[test]
    fn resource_ids_name_the_account_and_its_project_or_deployment() {
        let account = "/subscriptions/0000/resourceGroups/rg-support/providers/\
                       Microsoft.CognitiveServices/accounts/support-aoai";
        let plain = ResourcePath::parse(account);
        assert_eq!(plain.attribution_key(), "support-aoai");
        assert_eq!(plain.attribution_kind(), "resource");
        let project = ResourcePath::parse(&format!("{account}/projects/triage"));
        assert_eq!(project.attribution_key(), "support-aoai/triage");
        assert_eq!(project.attribution_kind(), "project");
        let deployment = ResourcePath::parse(&format!("{account}/deployments/gpt-4o-prod"));
        assert_eq!(deployment.attribution_key(), "support-aoai/gpt-4o-prod");
        assert_eq!(deployment.account.as_deref(), Some("support-aoai"));
    }

    #[test]
    fn dates_and_tags_in_the_forms_exports_use() {
        let october_7 = Date::from_calendar_date(2026, time::Month::October, 7).ok();
        assert_eq!(parse_date("10/7/2026"), october_7);
        assert_eq!(parse_date("10/07/2026"), october_7);
        assert_eq!(parse_date("2026-10-07"), october_7);
        assert_eq!(parse_date("2026-10-07T00:00:00Z"), october_7);
        let tags = parse_tags("\"team\": \"support\",\"env\": \"prod\"").expect("tags");
        assert_eq!(tags.get("team").map(String::as_str), Some("support"));
        assert_eq!(parse_tags("{\"a\": \"b\"}").expect("tags").len(), 1);
    }
}
