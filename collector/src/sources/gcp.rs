//! Google Cloud: the Cloud Billing export to BigQuery, as the newline-delimited JSON a user
//! exports from that table (one export row per line, nested records as objects, labels and
//! credits as arrays).
//!
//! The Vertex AI lines (Gemini, and partner models such as Claude on Vertex) are kept; every
//! other line is counted as not AI with its cost and credits. A kept line becomes a usage (or
//! tax, adjustment) charge of its `cost`, and one credit charge per entry of `credits`, so that
//! credits stay visible and the net is their sum. Money is read from the JSON number's text.
//! The Parquet form of the export (BigQuery's `EXPORT DATA ... FORMAT = PARQUET`) is read row
//! by row as the same JSON; the CSV form, which BigQuery writes only for a flattened query, is
//! read by column name (see [`row_from_csv`]). Every form is streamed and may be gzip.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use allot_core::charge::AI_SERVICE_CATEGORY;
use allot_core::model::canonical_model;
use allot_core::{Amount, Charge, ChargeCategory, TokenType};
use anyhow::Result;
use serde::Deserialize;
use serde_json::value::RawValue;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime};

use super::csv_file::{Line, read_lines};
use super::parquet_file::{is_parquet, read_json_rows};
use super::{Input, currency_code, json_object_strings, month_start, next_month_start, open_input};
use crate::report::SourceReport;

/// Services whose lines are AI charges.
const AI_SERVICES: [&str; 3] = ["Vertex AI", "Gemini API", "Generative Language API"];

/// Words of a SKU description that follow the model's name.
const NOT_MODEL: [&str; 12] = [
    "text",
    "image",
    "audio",
    "video",
    "input",
    "output",
    "tokens",
    "characters",
    "cached",
    "cache",
    "predictions",
    "batch",
];

/// One row of the billing export; fields allot does not use are ignored.
#[derive(Deserialize)]
struct ExportRow {
    billing_account_id: String,
    service: Described,
    sku: Described,
    usage_start_time: String,
    usage_end_time: String,
    project: Option<Project>,
    #[serde(default)]
    labels: Vec<Label>,
    #[serde(default)]
    system_labels: Vec<Label>,
    location: Option<Location>,
    cost: Box<RawValue>,
    currency: String,
    usage: Option<Usage>,
    #[serde(default)]
    credits: Vec<Credit>,
    invoice: Option<Invoice>,
    cost_type: Option<String>,
}

#[derive(Deserialize)]
struct Described {
    id: Option<String>,
    description: String,
}

#[derive(Deserialize)]
struct Project {
    id: Option<String>,
    name: Option<String>,
    #[serde(default)]
    labels: Vec<Label>,
}

#[derive(Deserialize)]
struct Label {
    key: String,
    value: Option<String>,
}

#[derive(Deserialize)]
struct Location {
    region: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    amount: Option<Box<RawValue>>,
    amount_in_pricing_units: Option<Box<RawValue>>,
    pricing_unit: Option<String>,
}

#[derive(Deserialize)]
struct Credit {
    name: Option<String>,
    amount: Box<RawValue>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct Invoice {
    month: Option<String>,
}

/// The columns of the CSV form without which a line cannot be read or reconciled.
const CSV_REQUIRED: [&[&str]; 6] = [
    &["cost"],
    &["currency"],
    &["service.description"],
    &["sku.description"],
    &["usage_start_time"],
    &["usage_end_time"],
];

/// Reads one file of this source (newline-delimited JSON, CSV or Parquet, any of them gzip),
/// adding its charges to `charges`.
pub fn read_file(
    source: &str,
    path: &Path,
    report: &mut SourceReport,
    charges: &mut Vec<Charge>,
) -> Result<()> {
    if is_parquet(path) {
        return read_json_rows(path, report, |row, report| {
            add_row(source, &parse_json_row(row)?, report, charges)
        });
    }
    let mut input = open_input(path)?;
    if !starts_with_json_object(&mut input) {
        return read_lines(
            path,
            "Cloud Billing export",
            &CSV_REQUIRED,
            None,
            report,
            |line, report| add_row(source, &row_from_csv(line)?, report, charges),
        );
    }
    let file = path.display().to_string();
    let mut bytes = Vec::new();
    let mut line_number = 0;
    loop {
        bytes.clear();
        match input.reader.read_until(b'\n', &mut bytes) {
            Ok(0) => break,
            Ok(_) => line_number += 1,
            Err(error) => return Err(Input::read_error(path, input.is_gzip, &error)),
        }
        let row = match std::str::from_utf8(&bytes) {
            Ok(text) => text.trim_start_matches('\u{feff}').trim(),
            Err(error) => {
                report.rows_read += 1;
                let reason = format!("not UTF-8 text: {error}");
                report.reject(&file, format!("line {line_number}"), reason);
                continue;
            }
        };
        if row.is_empty() {
            continue;
        }
        report.rows_read += 1;
        if let Err(reason) =
            parse_json_row(row).and_then(|row| add_row(source, &row, report, charges))
        {
            report.reject(&file, format!("line {line_number}"), reason);
        }
    }
    Ok(())
}

/// Whether the file starts (after a byte-order mark and blanks) with a JSON object, as the
/// newline-delimited JSON form does; the CSV form starts with its header line.
fn starts_with_json_object(input: &mut Input) -> bool {
    let Ok(start) = input.reader.fill_buf() else {
        return false;
    };
    let start = start.strip_prefix("\u{feff}".as_bytes()).unwrap_or(start);
    start
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|&byte| byte == b'{')
}

fn parse_json_row(text: &str) -> Result<ExportRow, String> {
    serde_json::from_str(text).map_err(|error| format!("column {}: {error}", error.column()))
}

/// A line of the CSV form, which BigQuery writes only for a query that flattens the table:
/// records as `service.description` (or `service_description`) columns, and the repeated
/// fields (`labels`, `project.labels`, `system_labels`, `credits`) as JSON text, an array of
/// `{"key": …, "value": …}` (or an object) for labels, an array of credits for credits.
fn row_from_csv(line: &Line) -> Result<ExportRow, String> {
    let raw_number = |column: &str| -> Result<Option<Box<RawValue>>, String> {
        line.text(column)
            .map(|text| {
                Amount::parse(text).map_err(|error| format!("column {column}: {error}"))?;
                RawValue::from_string(text.to_owned())
                    .map_err(|error| format!("column {column}: {error}"))
            })
            .transpose()
    };
    let labels = |column: &str| -> Result<Vec<Label>, String> {
        line.text(column).map_or(Ok(Vec::new()), |text| {
            labels_from_json(text).map_err(|error| format!("column {column}: {error}"))
        })
    };
    let credits = match line.text("credits") {
        None => Vec::new(),
        Some(text) => serde_json::from_str(text)
            .map_err(|error| format!("column credits: not a JSON array of credits: {error}"))?,
    };
    Ok(ExportRow {
        billing_account_id: line.owned("billing_account_id").unwrap_or_default(),
        service: Described {
            id: line.owned("service.id"),
            description: line.required("service.description")?.to_owned(),
        },
        sku: Described {
            id: line.owned("sku.id"),
            description: line.required("sku.description")?.to_owned(),
        },
        usage_start_time: line.required("usage_start_time")?.to_owned(),
        usage_end_time: line.required("usage_end_time")?.to_owned(),
        project: Some(Project {
            id: line.owned("project.id"),
            name: line.owned("project.name"),
            labels: labels("project.labels")?,
        }),
        labels: labels("labels")?,
        system_labels: labels("system_labels")?,
        location: Some(Location {
            region: line.owned("location.region"),
        }),
        cost: raw_number("cost")?.ok_or("column cost: no value")?,
        currency: line.required("currency")?.to_owned(),
        usage: Some(Usage {
            amount: raw_number("usage.amount")?,
            amount_in_pricing_units: raw_number("usage.amount_in_pricing_units")?,
            pricing_unit: line.owned("usage.pricing_unit"),
        }),
        credits,
        invoice: Some(Invoice {
            month: line.owned("invoice.month"),
        }),
        cost_type: line.owned("cost_type"),
    })
}

/// Labels written as JSON: BigQuery's array of `{"key": …, "value": …}`, or an object.
fn labels_from_json(text: &str) -> Result<Vec<Label>, String> {
    if text.trim_start().starts_with('{') {
        let object = json_object_strings(text).map_err(|error| error.to_string())?;
        return Ok(object
            .into_iter()
            .map(|(key, value)| Label {
                key,
                value: Some(value),
            })
            .collect());
    }
    serde_json::from_str(text).map_err(|error| format!("not a JSON array of labels: {error}"))
}

/// Reads one export row: its AI charges kept, or its money counted as not AI.
fn add_row(
    source: &str,
    row: &ExportRow,
    report: &mut SourceReport,
    charges: &mut Vec<Charge>,
) -> Result<(), String> {
    match read_row(source, row)? {
        Row::Ai {
            money,
            charges: kept,
        } => {
            report.add_input(&money.currency, money.total);
            report.rows_kept += 1;
            charges.extend(kept);
        }
        Row::NotAi { money } => {
            report.add_input(&money.currency, money.total);
            report.add_not_ai(&money.currency, money.total);
        }
    }
    Ok(())
}

/// What one export row holds: its cost plus its credits, in a currency.
struct Money {
    currency: String,
    total: Amount,
}

enum Row {
    Ai { money: Money, charges: Vec<Charge> },
    NotAi { money: Money },
}

fn amount(field: &str, raw: &RawValue) -> Result<Amount, String> {
    Amount::parse(raw.get()).map_err(|error| format!("{field}: {error}"))
}

/// One row: the AI charges it gives, or its money counted as not AI; `Err` rejects it.
fn read_row(source: &str, row: &ExportRow) -> Result<Row, String> {
    let currency = currency_code(&row.currency).map_err(|error| format!("currency: {error}"))?;
    let cost = amount("cost", &row.cost)?;
    let credits = row
        .credits
        .iter()
        .map(|credit| amount("credits.amount", &credit.amount))
        .collect::<Result<Vec<_>, _>>()?;
    let money = Money {
        currency: currency.clone(),
        total: cost + credits.iter().sum::<Amount>(),
    };
    if !is_ai(row) {
        return Ok(Row::NotAi { money });
    }

    let start = parse_timestamp(&row.usage_start_time)
        .ok_or_else(|| format!("usage_start_time: `{}` is not a time", row.usage_start_time))?;
    let end = parse_timestamp(&row.usage_end_time)
        .ok_or_else(|| format!("usage_end_time: `{}` is not a time", row.usage_end_time))?;
    let (billing_start, billing_end) = invoice_month(row.invoice.as_ref())
        .unwrap_or((month_start(start), next_month_start(start)));
    let category = match row.cost_type.as_deref().unwrap_or("regular") {
        "regular" => ChargeCategory::Usage,
        "tax" => ChargeCategory::Tax,
        "adjustment" | "rounding error" => ChargeCategory::Adjustment,
        other => return Err(format!("cost_type: `{other}` is not a known cost type")),
    };
    let sku = describe_sku(&row.sku.description);
    let consumed = match &row.usage {
        Some(Usage {
            amount: Some(raw), ..
        }) if sku.token_type.is_some() => Some(amount("usage.amount", raw)?),
        _ => None,
    };
    let pricing_quantity = match row
        .usage
        .as_ref()
        .and_then(|u| u.amount_in_pricing_units.as_ref())
    {
        Some(raw) => Some(amount("usage.amount_in_pricing_units", raw)?),
        None => None,
    };
    let project_id = row.project.as_ref().and_then(|project| project.id.clone());
    let project_name = row
        .project
        .as_ref()
        .and_then(|project| project.name.clone());

    let base = Charge {
        charge_period_start: start,
        charge_period_end: end,
        billing_period_start: billing_start,
        billing_period_end: billing_end,
        billing_account_id: row.billing_account_id.clone(),
        billing_account_name: None,
        invoice_issuer_name: "Google".to_owned(),
        billing_currency: currency,
        billed_cost: cost,
        effective_cost: cost,
        list_cost: cost,
        contracted_cost: cost,
        pricing_quantity,
        pricing_unit: row
            .usage
            .as_ref()
            .and_then(|usage| usage.pricing_unit.clone()),
        provider_name: "Google Cloud".to_owned(),
        publisher_name: sku.publisher.to_owned(),
        service_name: row.service.description.clone(),
        service_category: AI_SERVICE_CATEGORY.to_owned(),
        sub_account_id: project_id.clone(),
        sub_account_name: project_name,
        resource_id: None,
        resource_name: None,
        region_id: row
            .location
            .as_ref()
            .and_then(|location| location.region.clone()),
        sku_id: row.sku.id.clone(),
        charge_description: Some(row.sku.description.clone()),
        charge_category: category,
        charge_class: None,
        consumed_quantity: consumed,
        consumed_unit: consumed.map(|_| "Tokens".to_owned()),
        tags: tags_of(row),
        source: source.to_owned(),
        model: sku.model,
        token_type: sku.token_type,
        service_tier: None,
        attribution_kind: "project".to_owned(),
        attribution_key: project_id.unwrap_or_else(|| row.billing_account_id.clone()),
        cost_estimated: false,
    };
    let mut charges = credit_charges(&base, row, &credits);
    charges.insert(0, base);
    Ok(Row::Ai { money, charges })
}

/// Resource labels, then project labels, then system labels, as `Tags`; a key keeps its first
/// value.
fn tags_of(row: &ExportRow) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    let project_labels = row.project.iter().flat_map(|project| project.labels.iter());
    for label in row
        .labels
        .iter()
        .chain(project_labels)
        .chain(&row.system_labels)
    {
        tags.entry(label.key.clone())
            .or_insert_with(|| label.value.clone().unwrap_or_default());
    }
    tags
}

/// One credit charge per entry of `credits`, otherwise like the line's usage charge `base`.
fn credit_charges(base: &Charge, row: &ExportRow, values: &[Amount]) -> Vec<Charge> {
    row.credits
        .iter()
        .zip(values)
        .map(|(credit, value)| {
            let name = credit
                .name
                .as_deref()
                .or(credit.kind.as_deref())
                .unwrap_or("Credit");
            Charge {
                charge_category: ChargeCategory::Credit,
                billed_cost: *value,
                effective_cost: *value,
                list_cost: *value,
                contracted_cost: *value,
                pricing_quantity: None,
                consumed_quantity: None,
                consumed_unit: None,
                charge_description: Some(format!("{name}: {}", row.sku.description)),
                ..base.clone()
            }
        })
        .collect()
}

fn is_ai(row: &ExportRow) -> bool {
    AI_SERVICES
        .iter()
        .any(|service| row.service.description.eq_ignore_ascii_case(service))
}

/// A BigQuery `TIMESTAMP` as an export writes it: RFC 3339 (`2026-10-09T10:00:00Z`), or
/// BigQuery's own text (`2026-10-09 10:00:00 UTC`, with or without fractions of a second).
fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    if let Ok(instant) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(instant);
    }
    let local = text.trim().strip_suffix(" UTC")?;
    let format = format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(local, format)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// `invoice.month` (`YYYYMM`) as the billing period.
fn invoice_month(invoice: Option<&Invoice>) -> Option<(OffsetDateTime, OffsetDateTime)> {
    let text = invoice?.month.as_deref()?;
    let year: i32 = text.get(..4)?.parse().ok()?;
    let month = Month::try_from(text.get(4..6)?.parse::<u8>().ok()?).ok()?;
    let start = Date::from_calendar_date(year, month, 1)
        .ok()?
        .midnight()
        .assume_utc();
    Some((start, next_month_start(start)))
}

/// What a Vertex SKU description says about the model.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Sku {
    pub model: Option<String>,
    pub token_type: Option<TokenType>,
    pub publisher: &'static str,
}

/// Reads SKU descriptions such as `Gemini 2.5 Flash Text Input - Predictions` or
/// `Claude Sonnet 4.5 Output Tokens`: the model is the words before the modality and
/// direction, the token type is the direction.
pub(super) fn describe_sku(description: &str) -> Sku {
    let head = description
        .split(" - ")
        .next()
        .unwrap_or(description)
        .to_ascii_lowercase();
    let words: Vec<&str> = head.split_whitespace().collect();
    let token_type = if words.iter().any(|w| w.starts_with("cache")) {
        Some(TokenType::CacheRead)
    } else if words.contains(&"input") {
        Some(TokenType::Input)
    } else if words.contains(&"output") {
        Some(TokenType::Output)
    } else {
        None
    };
    let model_words: Vec<&str> = words
        .iter()
        .copied()
        .take_while(|word| !NOT_MODEL.contains(word))
        .collect();
    let family = model_words.first().copied().unwrap_or_default();
    let publisher = match family {
        "claude" => "Anthropic",
        "llama" => "Meta",
        "mistral" | "codestral" => "Mistral AI",
        _ => "Google",
    };
    let model = (token_type.is_some() && !model_words.is_empty())
        .then(|| model_words.join("-"))
        .and_then(|name| canonical_model(&name));
    Sku {
        model,
        token_type,
        publisher,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sku_descriptions_name_the_model_and_the_direction() {
        assert_eq!(
            describe_sku("Gemini 2.5 Flash Text Input - Predictions"),
            Sku {
                model: Some("gemini-2.5-flash".into()),
                token_type: Some(TokenType::Input),
                publisher: "Google"
            }
        );
        assert_eq!(
            describe_sku("Claude Sonnet 4.5 Output Tokens"),
            Sku {
                model: Some("claude-sonnet-4-5".into()),
                token_type: Some(TokenType::Output),
                publisher: "Anthropic"
            }
        );
        assert_eq!(describe_sku("Vertex AI Online Prediction node").model, None);
    }
}
