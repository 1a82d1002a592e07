//! `allot report`: allocated totals of a published data set, grouped as asked, as a table, CSV
//! or JSON. Also the pieces the `rules` commands share with it: reading a data set, reading a
//! rules file and choosing a period.
//!
//! Every number comes from `allot_core`'s `allocate` and `aggregate`, the same code the
//! dashboard runs, so the command and the dashboard cannot disagree.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use allot_core::Amount;
use allot_core::aggregate::{Filter, GroupBy, NO_MODEL, Totals, aggregate};
use allot_core::allocation::split::minor_unit_decimals;
use allot_core::allocation::{Allocation, Rules, allocate};
use allot_core::manifest::{MANIFEST_FILE, Manifest};
use allot_core::parquet_io::read_charges;
use allot_core::table::{ChargeTable, day_to_date};
use anyhow::{Context, Result, bail};
use time::{Date, Month};

use crate::store::Destination;

#[derive(clap::Args)]
pub struct ReportArgs {
    /// The published data set: a folder or an s3://, gs:// or az:// URL
    #[arg(long)]
    data: String,
    /// The allocation rules
    #[arg(long)]
    rules: PathBuf,
    /// What to group by, comma-separated: dimensions of the rules (`team`, ...) and `day`,
    /// `month`, `provider`, `model`, `source`, `sub_account`, `key`, `service`,
    /// `charge_category`
    #[arg(long, value_delimiter = ',', default_value = "team")]
    by: Vec<String>,
    /// `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`; the whole data set when omitted
    #[arg(long)]
    period: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

/// Prints the report, one block (or CSV rows, or JSON entries) per currency.
pub async fn run(args: &ReportArgs) -> Result<()> {
    let rules = read_rules(&args.rules)?;
    let table = read_data_set(&args.data).await?;
    let (first_day, last_day) = parse_period(args.period.as_deref())?;

    let mut dimensions: Vec<String> = Vec::new();
    let mut by = Vec::new();
    for name in &args.by {
        by.push(group_by(name, &rules, &mut dimensions)?);
    }
    let allocations: Vec<Allocation> = dimensions
        .iter()
        .map(|dimension| allocate(&table, &rules, dimension))
        .collect();
    let allocations: Vec<&Allocation> = allocations.iter().collect();

    let filter = Filter {
        first_day,
        last_day,
        currency: None,
    };
    let currencies = aggregate(&table, &allocations, &[], &filter).currencies;
    let reports: Vec<Totals> = currencies
        .into_iter()
        .map(|currency| {
            let filter = Filter {
                currency: Some(currency),
                ..filter.clone()
            };
            aggregate(&table, &allocations, &by, &filter)
        })
        .collect();

    let labels = |totals: &Totals, key: &[u32]| -> Vec<String> {
        by.iter()
            .zip(key)
            .map(|(&group, &code)| label(&table, &allocations, totals, group, code))
            .collect()
    };
    let output = match args.format {
        Format::Table => render_table(&args.by, &reports, labels),
        Format::Csv => render_csv(&args.by, &reports, labels),
        Format::Json => render_json(&args.by, &reports, labels)?,
    };
    #[expect(clippy::print_stdout, reason = "the report is the command's output")]
    {
        print!("{output}");
    }
    Ok(())
}

/// Reads a published data set: its manifest, then every Parquet file it lists, checking each
/// file's size against the manifest.
///
/// `data` is a local folder, a `file://` URL or an object store URL (`s3://`, `gs://`,
/// `az://`), read with the same credentials as `allot collect` publishes with.
pub async fn read_data_set(data: &str) -> Result<ChargeTable> {
    if !data.contains("://") && !Path::new(data).is_dir() {
        bail!("no data set at `{data}`: the folder does not exist");
    }
    let store = Destination::open(data)?;
    let shown = store.shown().to_owned();
    let Some(text) = store.get(MANIFEST_FILE).await? else {
        bail!("no data set at `{shown}`: `{MANIFEST_FILE}` is missing");
    };
    let manifest = std::str::from_utf8(&text)
        .map_err(anyhow::Error::from)
        .and_then(|text| Ok(Manifest::from_json(text)?))
        .with_context(|| format!("cannot use `{MANIFEST_FILE}` of `{shown}`"))?;

    let mut table = ChargeTable::default();
    for file in &manifest.files {
        let Some(bytes) = store.get(&file.path).await? else {
            bail!(
                "`{}` is listed in `{MANIFEST_FILE}` but missing from `{shown}`",
                file.path
            );
        };
        if u64::try_from(bytes.len()).ok() != Some(file.bytes) {
            bail!(
                "`{}` has {} bytes where `{MANIFEST_FILE}` says {}: the file is truncated or was \
                 replaced after the manifest was written",
                file.path,
                bytes.len(),
                file.bytes
            );
        }
        let unreadable = || format!("`{}` is not a readable charge file", file.path);
        let batches = read_charges(bytes).with_context(unreadable)?;
        for batch in &batches {
            table.append(batch).with_context(unreadable)?;
        }
    }
    Ok(table)
}

/// Reads and checks a rules file; its errors carry the file, line and column.
pub fn read_rules(path: &Path) -> Result<Rules> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the rules `{}`", path.display()))?;
    Ok(Rules::parse(&path.display().to_string(), &text)?)
}

/// The first and last day of `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`; both `None`
/// without a period.
pub fn parse_period(period: Option<&str>) -> Result<(Option<Date>, Option<Date>)> {
    let Some(period) = period.map(str::trim) else {
        return Ok((None, None));
    };
    let day = |text: &str| {
        Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
    };
    if let Some((first, last)) = period.split_once("..") {
        if let (Some(first), Some(last)) = (day(first), day(last))
            && first <= last
        {
            return Ok((Some(first), Some(last)));
        }
    } else if let Some(date) = day(period) {
        return Ok((Some(date), Some(date)));
    } else if let Some((year, month)) = period.split_once('-')
        && let (Ok(year), Ok(month)) = (year.parse::<i32>(), month.parse::<u8>())
        && let Ok(month) = Month::try_from(month)
        && let Ok(first) = Date::from_calendar_date(year, month, 1)
    {
        let last = Date::from_calendar_date(year, month, month.length(year))?;
        return Ok((Some(first), Some(last)));
    }
    bail!("`{period}` is not a period: write `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`")
}

/// `name` as a grouping: a field, or a dimension of the rules (added to `dimensions`).
fn group_by(name: &str, rules: &Rules, dimensions: &mut Vec<String>) -> Result<GroupBy> {
    Ok(match name.trim() {
        "day" => GroupBy::Day,
        "month" => GroupBy::Month,
        "provider" => GroupBy::Provider,
        "model" => GroupBy::Model,
        "source" => GroupBy::Source,
        "sub_account" => GroupBy::SubAccount,
        "key" => GroupBy::AttributionKey,
        "service" => GroupBy::Service,
        "charge_category" => GroupBy::ChargeCategory,
        dimension if rules.dimensions().any(|defined| defined == dimension) => {
            dimensions.push(dimension.to_owned());
            GroupBy::Dimension(dimensions.len() - 1)
        }
        other => bail!(
            "cannot group by `{other}`: it is neither a dimension of the rules ({}) nor one of \
             `day`, `month`, `provider`, `model`, `source`, `sub_account`, `key`, `service`, \
             `charge_category`",
            rules.dimensions().collect::<Vec<_>>().join(", ")
        ),
    })
}

/// The text of a group's key part.
fn label(
    table: &ChargeTable,
    allocations: &[&Allocation],
    totals: &Totals,
    group: GroupBy,
    code: u32,
) -> String {
    match group {
        GroupBy::Dimension(dimension) => allocations[dimension].values[code as usize].clone(),
        GroupBy::Day => {
            let offset = i32::try_from(code).unwrap_or(i32::MAX);
            day_to_date(totals.first_day.saturating_add(offset)).to_string()
        }
        GroupBy::Month => format!("{}-{:02}", code / 12, code % 12 + 1),
        GroupBy::Model if table.strings.get(code).is_empty() => NO_MODEL.to_owned(),
        _ => table.strings.get(code).to_owned(),
    }
}

/// An amount rounded to its currency's smallest unit, for reading.
pub fn money(amount: Amount, currency: &str) -> String {
    amount.format_rounded(minor_unit_decimals(currency))
}

fn render_table(
    columns: &[String],
    reports: &[Totals],
    labels: impl Fn(&Totals, &[u32]) -> Vec<String>,
) -> String {
    let mut output = String::new();
    for totals in reports {
        let mut rows: Vec<Vec<String>> = totals
            .groups
            .iter()
            .map(|(key, amount)| {
                let mut row = labels(totals, key);
                row.push(money(*amount, &totals.currency));
                row
            })
            .collect();
        let mut total = vec!["Total".to_owned()];
        total.resize(columns.len(), String::new());
        total.push(money(totals.total, &totals.currency));
        rows.push(total);
        let mut header: Vec<String> = columns.to_vec();
        header.push(format!("cost ({})", totals.currency));
        output.push_str(&aligned(&header, &rows, 1));
        output.push('\n');
    }
    output
}

/// Rows under a header, columns padded, the last `amount_columns` aligned right.
pub fn aligned(header: &[String], rows: &[Vec<String>], amount_columns: usize) -> String {
    let mut widths: Vec<usize> = header.iter().map(|cell| cell.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut text = String::new();
        for (index, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            if index + amount_columns >= cells.len() {
                let _ = write!(text, "{cell:>width$}  ");
            } else {
                let _ = write!(text, "{cell:<width$}  ");
            }
        }
        text.trim_end().to_owned() + "\n"
    };
    let mut text = line(header);
    for row in rows {
        text.push_str(&line(row));
    }
    text
}

fn render_csv(
    columns: &[String],
    reports: &[Totals],
    labels: impl Fn(&Totals, &[u32]) -> Vec<String>,
) -> String {
    let quote = |cell: &str| {
        if cell.contains([',', '"', '\n']) {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell.to_owned()
        }
    };
    let mut output = columns.join(",") + ",currency,cost\n";
    for totals in reports {
        for (key, amount) in &totals.groups {
            let mut cells: Vec<String> = labels(totals, key).iter().map(|c| quote(c)).collect();
            cells.push(totals.currency.clone());
            cells.push(amount.to_string());
            output.push_str(&cells.join(","));
            output.push('\n');
        }
    }
    output
}

fn render_json(
    columns: &[String],
    reports: &[Totals],
    labels: impl Fn(&Totals, &[u32]) -> Vec<String>,
) -> Result<String> {
    let mut entries = Vec::new();
    for totals in reports {
        for (key, amount) in &totals.groups {
            let mut entry = serde_json::Map::new();
            for (column, label) in columns.iter().zip(labels(totals, key)) {
                entry.insert(column.clone(), label.into());
            }
            entry.insert("currency".to_owned(), totals.currency.clone().into());
            entry.insert("cost".to_owned(), amount.to_string().into());
            entries.push(serde_json::Value::Object(entry));
        }
    }
    Ok(serde_json::to_string_pretty(&entries)? + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_are_a_month_a_day_or_a_range() {
        assert_eq!(
            parse_period(Some("2026-10")).expect("a month"),
            (Some(date!(2026 - 10 - 01)), Some(date!(2026 - 10 - 31)))
        );
        assert_eq!(
            parse_period(Some("2026-02-03")).expect("a day"),
            (Some(date!(2026 - 02 - 03)), Some(date!(2026 - 02 - 03)))
        );
        assert_eq!(
            parse_period(Some("2026-01-30..2026-02-02")).expect("a range"),
            (Some(date!(2026 - 01 - 30)), Some(date!(2026 - 02 - 02)))
        );
        assert_eq!(parse_period(None).expect("none"), (None, None));
        assert!(parse_period(Some("2026-13")).is_err());
        assert!(parse_period(Some("2026-02-03..2026-02-01")).is_err());
    }

    #[test]
    fn tables_align_the_amounts_right() {
        let header = ["team".to_owned(), "cost (USD)".to_owned()];
        let rows = [
            vec!["search".to_owned(), "7.50".to_owned()],
            vec!["Unallocated".to_owned(), "3.00".to_owned()],
        ];
        assert_eq!(
            aligned(&header, &rows, 1),
            "team         cost (USD)\nsearch             7.50\nUnallocated        3.00\n"
        );
    }

    #[tokio::test]
    async fn a_missing_data_set_is_named() {
        let folder = tempfile::tempdir().expect("temp dir");
        let missing = folder.path().join("none").display().to_string();
        let error = read_data_set(&missing).await.expect_err("no folder");
        assert!(
            error.to_string().contains("the folder does not exist"),
            "{error}"
        );
        let empty = folder.path().display().to_string();
        let error = read_data_set(&empty).await.expect_err("no manifest");
        assert!(
            error.to_string().contains("`manifest.json` is missing"),
            "{error}"
        );
    }
}
