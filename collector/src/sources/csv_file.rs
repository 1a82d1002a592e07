//! Reading a vendor's CSV export line by line: columns found by name whatever their case and
//! separators (`lineItem/UnblendedCost` is `line_item_unblended_cost`, `costInBillingCurrency`
//! is `CostInBillingCurrency`), the literal `NULL` read as no value, and every line that cannot
//! be read rejected with its line number rather than dropped.

use std::collections::HashMap;
use std::path::Path;

use allot_core::Amount;
use anyhow::{Context, Result, bail};

use super::read_text;
use crate::report::SourceReport;

/// One CSV record, read by column name.
pub struct Line<'a> {
    record: &'a csv::StringRecord,
    columns: &'a HashMap<String, usize>,
}

impl Line<'_> {
    /// The field's text, `None` when the column is absent, empty or the literal `NULL`.
    pub fn text(&self, name: &str) -> Option<&str> {
        let position = *self.columns.get(&fold(name))?;
        let value = self.record.get(position)?.trim();
        (!value.is_empty() && !value.eq_ignore_ascii_case("null")).then_some(value)
    }

    /// The text of the first of `names` that has a value (for columns renamed over time).
    pub fn first_text(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|name| self.text(name))
    }

    pub fn owned(&self, name: &str) -> Option<String> {
        self.text(name).map(str::to_owned)
    }

    pub fn required(&self, name: &str) -> Result<&str, String> {
        self.text(name)
            .ok_or_else(|| format!("column {name}: no value"))
    }

    pub fn amount(&self, name: &str) -> Result<Option<Amount>, String> {
        self.text(name)
            .map(|text| Amount::parse(text).map_err(|error| format!("column {name}: {error}")))
            .transpose()
    }
}

/// The line on which the file's last record starts: where an unclosed quote swallows the rest.
fn last_record_line(text: &str) -> u64 {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    while let Ok(true) = reader.read_record(&mut record) {
        line = record.position().map_or(line, csv::Position::line);
    }
    line
}

/// A column name with case and separators folded away.
fn fold(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Reads the CSV file `path`, calling `read_line` on each record. A file without one of the
/// `required` columns is an error that calls it not a `kind` file; a record that cannot be
/// parsed, or that `read_line` refuses, is rejected in `report` with its line number.
pub fn read_lines(
    path: &Path,
    kind: &str,
    required: &[&[&str]],
    report: &mut SourceReport,
    mut read_line: impl FnMut(&Line, &mut SourceReport) -> Result<(), String>,
) -> Result<()> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .with_context(|| format!("`{file}`: cannot read the header line"))?;
    let columns: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(position, name)| (fold(name), position))
        .collect();
    let missing: Vec<String> = required
        .iter()
        .filter(|names| !names.iter().any(|name| columns.contains_key(&fold(name))))
        .map(|names| names.join(" or "))
        .collect();
    if !missing.is_empty() {
        bail!(
            "`{file}` is not a {kind} file: it has no column {}",
            missing.join(", ")
        );
    }

    if text.bytes().filter(|&byte| byte == b'"').count() % 2 == 1 {
        bail!(
            "`{file}` line {}: a quote opened on this line is never closed, so the lines after \
             it cannot be read",
            last_record_line(&text)
        );
    }

    let mut record = csv::StringRecord::new();
    loop {
        let line_number = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                report.rows_read += 1;
                let line = error.position().map_or(line_number, csv::Position::line);
                report.reject(&file, format!("line {line}"), error.to_string());
                continue;
            }
        }
        report.rows_read += 1;
        let line_number = record.position().map_or(line_number, csv::Position::line);
        let line = Line {
            record: &record,
            columns: &columns,
        };
        if let Err(reason) = read_line(&line, report) {
            report.reject(&file, format!("line {line_number}"), reason);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn column_names_match_across_case_and_separators() {
        assert_eq!(
            fold("lineItem/UnblendedCost"),
            fold("line_item_unblended_cost")
        );
        assert_eq!(fold("costInBillingCurrency"), fold("CostInBillingCurrency"));
        assert_ne!(fold("Cost"), fold("CostInBillingCurrency"));
    }
}
