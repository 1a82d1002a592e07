//! Reading a vendor's CSV export (plain or gzip, or the Parquet form of the same export) line by
//! line: columns found by name whatever their case and separators (`lineItem/UnblendedCost` is
//! `line_item_unblended_cost`, `costInBillingCurrency` is `CostInBillingCurrency`), the literal
//! `NULL` read as no value, and every line that cannot be read rejected with its line number
//! rather than dropped. The file is streamed, so memory does not grow with its size.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use allot_core::Amount;
use anyhow::{Result, bail};

use super::parquet_file::{Screen, is_parquet, read_rows};
use super::{Input, open_input};
use crate::report::SourceReport;

/// The columns of a file: their names as written, and by folded name (see [`fold`]).
pub struct Header {
    names: Vec<String>,
    by_folded_name: HashMap<String, usize>,
}

impl Header {
    pub fn new(names: Vec<String>) -> Self {
        let by_folded_name = names
            .iter()
            .enumerate()
            .map(|(position, name)| (fold(name), position))
            .collect();
        Header {
            names,
            by_folded_name,
        }
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.by_folded_name.get(&fold(name)).copied()
    }

    /// The `required` column groups (any one name of a group will do) the file lacks.
    pub fn missing(&self, required: &[&[&str]]) -> Vec<String> {
        required
            .iter()
            .filter(|names| !names.iter().any(|name| self.position(name).is_some()))
            .map(|names| names.join(" or "))
            .collect()
    }
}

/// One record, read by column name.
pub struct Line<'a> {
    record: &'a csv::StringRecord,
    header: &'a Header,
}

impl<'a> Line<'a> {
    /// A record whose fields are in the order of `header`'s columns.
    pub fn new(record: &'a csv::StringRecord, header: &'a Header) -> Self {
        Line { record, header }
    }

    /// The fields with a value whose column name starts with `prefix` (compared as written):
    /// the rest of each name, and the field's text. Legacy CUR writes one column per tag
    /// (`resourceTags/user:team`).
    pub fn prefixed(&self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let record = self.record;
        self.header
            .names
            .iter()
            .enumerate()
            .filter_map(move |(position, name)| {
                let rest = name.strip_prefix(prefix)?;
                let value = record.get(position)?.trim();
                (!value.is_empty() && !value.eq_ignore_ascii_case("null")).then_some((rest, value))
            })
    }

    /// The field's text, `None` when the column is absent, empty or the literal `NULL`.
    pub fn text(&self, name: &str) -> Option<&str> {
        let position = self.header.position(name)?;
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

/// The column names of the CSV file `path`, from its header line.
pub fn column_names(path: &Path) -> Result<Vec<String>> {
    let input = open_input(path)?;
    let is_gzip = input.is_gzip;
    let mut reader = csv::ReaderBuilder::new().from_reader(input.reader);
    match reader.headers() {
        Ok(headers) => Ok(headers.iter().map(str::to_owned).collect()),
        Err(error) => match error.kind() {
            csv::ErrorKind::Io(error) => Err(Input::read_error(path, is_gzip, error)),
            _ => bail!("`{}`: cannot read the header line: {error}", path.display()),
        },
    }
}

/// Counts the quote characters of the bytes read through it: an odd count at the end of a file
/// means a quote was opened and never closed, and the reader swallowed the rest of the file.
struct QuoteCounter<R> {
    inner: R,
    quotes: u64,
}

impl<R: Read> Read for QuoteCounter<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.quotes += memchr::memchr_iter(b'"', &buffer[..read]).count() as u64;
        Ok(read)
    }
}

/// A column name with case and separators folded away.
pub fn fold(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Reads the CSV file `path`, calling `read_line` on each record. A file without one of the
/// `required` columns is an error that calls it not a `kind` file; a record that cannot be
/// parsed, or that `read_line` refuses, is rejected in `report` with its line number. A Parquet
/// file of the same export is read row by row into the same records, through `screen` when
/// given (see [`read_rows`]).
pub fn read_lines(
    path: &Path,
    kind: &str,
    required: &[&[&str]],
    screen: Option<&Screen>,
    report: &mut SourceReport,
    mut read_line: impl FnMut(&Line, &mut SourceReport) -> Result<(), String>,
) -> Result<()> {
    if is_parquet(path) {
        return read_rows(path, kind, required, screen, report, read_line);
    }
    let file = path.display().to_string();
    let input = open_input(path)?;
    let is_gzip = input.is_gzip;
    let counter = QuoteCounter {
        inner: input.reader,
        quotes: 0,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(counter);
    let read_failure = |error: &std::io::Error| Input::read_error(path, is_gzip, error);
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => match error.kind() {
            csv::ErrorKind::Io(error) => return Err(read_failure(error)),
            _ => bail!("`{file}`: cannot read the header line: {error}"),
        },
    };
    let header = Header::new(headers.iter().map(str::to_owned).collect());
    let missing = header.missing(required);
    if !missing.is_empty() {
        bail!(
            "`{file}` is not a {kind} file: it has no column {}",
            missing.join(", ")
        );
    }

    let mut record = csv::StringRecord::new();
    let mut last_record_line = 1;
    loop {
        let line_number = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                if let csv::ErrorKind::Io(error) = error.kind() {
                    return Err(read_failure(error));
                }
                let line = error.position().map_or(line_number, csv::Position::line);
                last_record_line = line;
                report.rows_read += 1;
                report.reject(&file, format!("line {line}"), error.to_string());
                continue;
            }
        }
        report.rows_read += 1;
        let line_number = record.position().map_or(line_number, csv::Position::line);
        last_record_line = line_number;
        let line = Line::new(&record, &header);
        if let Err(reason) = read_line(&line, report) {
            report.reject(&file, format!("line {line_number}"), reason);
        }
    }
    if reader.get_ref().quotes % 2 == 1 {
        bail!(
            "`{file}` line {last_record_line}: a quote opened on this line is never closed, so \
             the lines after it cannot be read"
        );
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
