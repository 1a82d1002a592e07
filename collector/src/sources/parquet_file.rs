//! Reading a cloud's Parquet export: each row turned into the same text record the CSV form of
//! the export gives (see [`super::csv_file`]), so one mapping serves both forms.
//!
//! Values become text the way the CSV exports spell them: strings as they are, integers and
//! decimals as their digits, floating-point numbers as the shortest decimal that reads back as
//! the same number (what the JSON and CSV forms print), times as RFC 3339 in UTC, and maps,
//! structs and lists as JSON. The conversion is written here rather than taken from a library
//! because those choices decide the money: a float must become the decimal it prints as, never
//! its binary expansion.
//!
//! A large export (a CUR is gigabytes a month, the AI lines a sliver of it) is read streaming,
//! a batch of rows at a time, with a [`Screen`]: a cheap test on a few columns that every AI
//! line passes. Rows that fail it are counted and their cost summed as not AI from the cost
//! and currency columns alone; only the rows that pass have the columns the mapping reads
//! decoded, so columns the mapping never reads are never decoded, and neither are the row
//! groups without any row that passes. Memory stays bounded by the batch size and the AI rows.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use allot_core::Amount;
use anyhow::{Context, Result, bail};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, BooleanArray, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowPredicateFn, ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowFilter,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::csv_file::{Header, Line, fold};
use crate::report::SourceReport;

/// Rows decoded at a time.
const BATCH_ROWS: usize = 32 * 1024;

/// The first bytes of every Parquet file.
const MAGIC: &[u8; 4] = b"PAR1";

/// Whether `path` is a Parquet file: by its name, or by its first bytes whatever its name.
pub fn is_parquet(path: &Path) -> bool {
    if path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("parquet"))
    {
        return true;
    }
    let mut start = [0_u8; 4];
    File::open(path)
        .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut start))
        .is_ok_and(|()| &start == MAGIC)
}

/// A cheap first test of each row of a large export, on a few text columns: a row that fails
/// it is certainly not AI and is counted as such with its cost; a row that passes goes to the
/// source's mapping, which decides.
pub struct Screen {
    /// The text columns the test reads, in the order `may_be_ai` receives their values.
    pub columns: &'static [&'static str],
    pub may_be_ai: fn(&[Option<&str>]) -> bool,
    /// The cost and currency columns of a row that fails the test.
    pub cost: &'static str,
    pub currency: &'static str,
    /// The columns the mapping reads from a row that passes (also those whose name starts
    /// with one of `read_prefixes`); no other column is decoded.
    pub read: &'static [&'static str],
    pub read_prefixes: &'static [&'static str],
}

impl Screen {
    /// The indices of the columns of a file that are decoded for a row that passes.
    fn columns_read(&self, columns: &Columns) -> Vec<usize> {
        let wanted = |folded: &str| {
            self.read
                .iter()
                .chain(self.columns)
                .chain([&self.cost, &self.currency])
                .any(|name| fold(name) == folded)
                || self
                    .read_prefixes
                    .iter()
                    .any(|prefix| folded.starts_with(&fold(prefix)))
        };
        (0..columns.names.len())
            .filter(|&index| wanted(&fold(&columns.names[index])))
            .collect()
    }
}

/// The columns of a file by folded name.
struct Columns {
    /// Folded column name to its index among the file's top-level columns.
    by_name: HashMap<String, usize>,
    names: Vec<String>,
}

impl Columns {
    fn index(&self, name: &str) -> Option<usize> {
        self.by_name.get(&fold(name)).copied()
    }
}

/// Reads the Parquet file `path`, calling `read_line` on each row (each row that passes
/// `screen`, when given). A file without one of the `required` columns is an error that calls
/// it not a `kind` file; a row that cannot be read, or that `read_line` refuses, is rejected in
/// `report` with its row number (counted from 1).
pub fn read_rows(
    path: &Path,
    kind: &str,
    required: &[&[&str]],
    screen: Option<&Screen>,
    report: &mut SourceReport,
    mut read_line: impl FnMut(&Line, &mut SourceReport) -> Result<(), String>,
) -> Result<()> {
    let file_name = path.display().to_string();
    let (builder, columns) = open(path, &file_name)?;
    let missing = Header::new(columns.names.clone()).missing(required);
    if !missing.is_empty() {
        bail!(
            "`{file_name}` is not a {kind} file: it has no column {}",
            missing.join(", ")
        );
    }
    let parquet_schema = builder.parquet_schema().clone();
    let (builder, read, tally) = match screen {
        None => (builder, (0..columns.names.len()).collect(), None),
        Some(screen) => {
            let tally = Arc::new(Mutex::new(Tally::default()));
            let tested = screened_columns(screen, &columns, &file_name)?;
            let mask = ProjectionMask::roots(&parquet_schema, tested.roots.clone());
            let predicate = {
                let tally = Arc::clone(&tally);
                ArrowPredicateFn::new(mask, move |batch: RecordBatch| {
                    let mut tally = tally.lock().unwrap_or_else(PoisonError::into_inner);
                    Ok(tested.screen(&batch, &mut tally))
                })
            };
            let builder = builder.with_row_filter(RowFilter::new(vec![Box::new(predicate)]));
            (builder, screen.columns_read(&columns), Some(tally))
        }
    };
    let reader = builder
        .with_projection(ProjectionMask::roots(&parquet_schema, read.iter().copied()))
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|error| damaged(&file_name, &error))?;

    let header = Header::new(
        read.iter()
            .map(|&index| columns.names[index].clone())
            .collect(),
    );
    let mut record = csv::StringRecord::new();
    let mut field = String::new();
    let mut row_number: u64 = 0;
    for batch in reader {
        let batch = batch.map_err(|error| damaged(&file_name, &error))?;
        for row in 0..batch.num_rows() {
            row_number = match &tally {
                Some(tally) => {
                    let mut tally = tally.lock().unwrap_or_else(PoisonError::into_inner);
                    tally.passed.pop_front().unwrap_or(row_number + 1)
                }
                None => row_number + 1,
            };
            report.rows_read += 1;
            record.clear();
            let mut unreadable = None;
            for (position, array) in batch.columns().iter().enumerate() {
                field.clear();
                if let Err(reason) = write_value(array.as_ref(), row, false, &mut field) {
                    let name = &columns.names[read[position]];
                    unreadable.get_or_insert(format!("column {name}: {reason}"));
                }
                record.push_field(&field);
            }
            let outcome = match unreadable {
                Some(reason) => Err(reason),
                None => read_line(&Line::new(&record, &header), report),
            };
            if let Err(reason) = outcome {
                report.reject(&file_name, format!("row {row_number}"), reason);
            }
        }
    }
    if let Some(tally) = tally {
        tally
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .add_to(report, &file_name);
    }
    Ok(())
}

/// Opens the Parquet file `path` for reading, with its top-level columns.
fn open(path: &Path, file_name: &str) -> Result<(ParquetRecordBatchReaderBuilder<File>, Columns)> {
    let file = File::open(path).with_context(|| format!("cannot read `{file_name}`"))?;
    let options = ArrowReaderOptions::new().with_skip_arrow_metadata(true);
    let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options)
        .map_err(|error| anyhow::anyhow!("`{file_name}` is not a Parquet file: {error}"))?;
    let fields = builder.schema().fields();
    let columns = Columns {
        by_name: fields
            .iter()
            .enumerate()
            .map(|(index, field)| (fold(field.name()), index))
            .collect(),
        names: fields.iter().map(|field| field.name().clone()).collect(),
    };
    Ok((builder, columns))
}

/// The names of the top-level columns of the Parquet file `path`.
pub fn column_names(path: &Path) -> Result<Vec<String>> {
    let file_name = path.display().to_string();
    Ok(open(path, &file_name)?.1.names)
}

/// Reads the Parquet file `path`, calling `read_row` on each row written as a JSON object of
/// all its columns (nested records as objects, repeated fields as arrays), the way a row of
/// the newline-delimited JSON form of the same export reads. A row that cannot be read, or
/// that `read_row` refuses, is rejected in `report` with its row number (counted from 1).
pub fn read_json_rows(
    path: &Path,
    report: &mut SourceReport,
    mut read_row: impl FnMut(&str, &mut SourceReport) -> Result<(), String>,
) -> Result<()> {
    let file_name = path.display().to_string();
    let (builder, _) = open(path, &file_name)?;
    let reader = builder
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|error| damaged(&file_name, &error))?;
    let mut row_number: u64 = 0;
    let mut object = String::new();
    for batch in reader {
        let batch = batch.map_err(|error| damaged(&file_name, &error))?;
        let names: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|field| serde_json::to_string(field.name()).unwrap_or_default())
            .collect();
        for row in 0..batch.num_rows() {
            row_number += 1;
            report.rows_read += 1;
            object.clear();
            object.push('{');
            let mut outcome = Ok(());
            for (position, array) in batch.columns().iter().enumerate() {
                if position > 0 {
                    object.push(',');
                }
                object.push_str(&names[position]);
                object.push(':');
                if let Err(reason) = write_value(array.as_ref(), row, true, &mut object) {
                    let name = batch.schema_ref().field(position).name().clone();
                    outcome = Err(format!("column {name}: {reason}"));
                    break;
                }
            }
            object.push('}');
            if let Err(reason) = outcome.and_then(|()| read_row(&object, report)) {
                report.reject(&file_name, format!("row {row_number}"), reason);
            }
        }
    }
    Ok(())
}

fn damaged(file: &str, error: &dyn std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("`{file}` is damaged or not a readable Parquet file: {error}")
}

/// What the screen counted: the rows it set aside as not AI and their cost, the rows it could
/// not read, and the numbers of the rows it let through, in order.
#[derive(Default)]
struct Tally {
    rows_seen: u64,
    rows_not_ai: u64,
    not_ai: HashMap<String, Amount>,
    rejected: Vec<(u64, String)>,
    passed: VecDeque<u64>,
}

impl Tally {
    /// Adds what the screen counted to `report`, the rows read included.
    fn add_to(&self, report: &mut SourceReport, file_name: &str) {
        report.rows_read += self.rows_not_ai + self.rejected.len() as u64;
        report.rows_not_ai += self.rows_not_ai;
        for (currency, cost) in &self.not_ai {
            report.add_input(currency, *cost);
            *report.not_ai_cost.entry(currency.clone()).or_default() += *cost;
        }
        for (row, reason) in &self.rejected {
            report.reject(file_name, format!("row {row}"), reason.clone());
        }
    }
}

/// The positions, within the screen's batch, of the columns a [`Screen`] reads.
struct ScreenedColumns {
    screen_columns: Vec<(String, Option<usize>)>,
    cost: (String, usize),
    currency: (String, usize),
    may_be_ai: fn(&[Option<&str>]) -> bool,
    roots: Vec<usize>,
}

impl ScreenedColumns {
    fn position(&self, root: usize) -> usize {
        self.roots.iter().position(|&r| r == root).unwrap_or(0)
    }

    /// Tests each row of `batch`: true for rows that may be AI; the others are tallied.
    fn screen(&self, batch: &RecordBatch, tally: &mut Tally) -> BooleanArray {
        let text_columns: Vec<Option<&dyn Array>> = self
            .screen_columns
            .iter()
            .map(|(_, root)| root.map(|root| batch.column(self.position(root)).as_ref()))
            .collect();
        let cost = batch.column(self.position(self.cost.1)).as_ref();
        let currency = batch.column(self.position(self.currency.1)).as_ref();
        let mut values: Vec<Option<&str>> = vec![None; text_columns.len()];
        let mut passes = Vec::with_capacity(batch.num_rows());
        let mut cost_text = String::new();
        let mut last_currency: Option<(String, String)> = None;
        for row in 0..batch.num_rows() {
            tally.rows_seen += 1;
            for (value, column) in values.iter_mut().zip(&text_columns) {
                *value = column.and_then(|column| text_at(column, row));
            }
            if (self.may_be_ai)(&values) {
                tally.passed.push_back(tally.rows_seen);
                passes.push(true);
                continue;
            }
            passes.push(false);
            cost_text.clear();
            let amount = match write_value(cost, row, false, &mut cost_text) {
                Ok(()) if cost_text.is_empty() => Err("no value".to_owned()),
                Ok(()) => Amount::parse(&cost_text).map_err(|error| error.to_string()),
                Err(reason) => Err(reason),
            };
            let amount = match amount {
                Ok(amount) => amount,
                Err(reason) => {
                    let name = &self.cost.0;
                    tally
                        .rejected
                        .push((tally.rows_seen, format!("column {name}: {reason}")));
                    continue;
                }
            };
            let Some(code) = text_at(currency, row) else {
                let name = &self.currency.0;
                tally
                    .rejected
                    .push((tally.rows_seen, format!("column {name}: no value")));
                continue;
            };
            let code = match &last_currency {
                Some((raw, normalized)) if raw == code => normalized.clone(),
                _ => match super::currency_code(code) {
                    Ok(normalized) => {
                        last_currency = Some((code.to_owned(), normalized.clone()));
                        normalized
                    }
                    Err(error) => {
                        let name = &self.currency.0;
                        tally
                            .rejected
                            .push((tally.rows_seen, format!("column {name}: {error}")));
                        continue;
                    }
                },
            };
            *tally.not_ai.entry(code).or_default() += amount;
            tally.rows_not_ai += 1;
        }
        BooleanArray::from(passes)
    }
}

/// Finds the columns `screen` reads; the cost and currency columns must be there, and the
/// tested ones must hold text.
fn screened_columns(screen: &Screen, columns: &Columns, file: &str) -> Result<ScreenedColumns> {
    let required = |name: &str| -> Result<(String, usize)> {
        let index = columns
            .index(name)
            .with_context(|| format!("`{file}` has no column {name}"))?;
        Ok((columns.names[index].clone(), index))
    };
    let cost = required(screen.cost)?;
    let currency = required(screen.currency)?;
    let screen_columns: Vec<(String, Option<usize>)> = screen
        .columns
        .iter()
        .map(|name| ((*name).to_owned(), columns.index(name)))
        .collect();
    let mut roots: Vec<usize> = screen_columns
        .iter()
        .filter_map(|(_, index)| *index)
        .chain([cost.1, currency.1])
        .collect();
    roots.sort_unstable();
    roots.dedup();
    Ok(ScreenedColumns {
        screen_columns,
        cost,
        currency,
        may_be_ai: screen.may_be_ai,
        roots,
    })
}

/// The text of a string column's value; `None` for a null, or a column that is not text.
fn text_at(array: &dyn Array, row: usize) -> Option<&str> {
    if array.is_null(row) {
        return None;
    }
    match array.data_type() {
        DataType::Utf8 => Some(array.as_string::<i32>().value(row)),
        DataType::LargeUtf8 => Some(array.as_string::<i64>().value(row)),
        DataType::Utf8View => Some(array.as_string_view().value(row)),
        _ => None,
    }
}

/// Appends the value at `row` of `array` to `out` as text (nothing for a null). Strings are
/// written as they are, or as JSON strings when `json` (inside a map, struct or list).
pub fn write_value(
    array: &dyn Array,
    row: usize,
    json: bool,
    out: &mut String,
) -> Result<(), String> {
    if array.is_null(row) {
        if json {
            out.push_str("null");
        }
        return Ok(());
    }
    match array.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let text = text_at(array, row).unwrap_or_default();
            if json {
                out.push_str(&serde_json::to_string(text).map_err(|error| error.to_string())?);
            } else {
                out.push_str(text);
            }
            Ok(())
        }
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _) => {
            write_time(array, row, json, out)
        }
        DataType::Map(_, _) | DataType::Struct(_) | DataType::List(_) | DataType::LargeList(_) => {
            write_nested(array, row, out)
        }
        _ => write_number(array, row, out),
    }
}

/// Appends a boolean or number: integers and decimals as their digits, floating-point numbers
/// as the shortest decimal that reads back as the same number.
fn write_number(array: &dyn Array, row: usize, out: &mut String) -> Result<(), String> {
    let integer = match array.data_type() {
        DataType::Boolean => {
            out.push_str(if array.as_boolean().value(row) {
                "true"
            } else {
                "false"
            });
            return Ok(());
        }
        DataType::Float64 | DataType::Float32 => {
            let value = match array.data_type() {
                DataType::Float64 => array.as_primitive::<Float64Type>().value(row),
                _ => f64::from(array.as_primitive::<Float32Type>().value(row)),
            };
            if !value.is_finite() {
                return Err(format!("{value} is not an amount"));
            }
            if array.data_type() == &DataType::Float32 {
                #[allow(clippy::cast_possible_truncation)]
                out.push_str(ryu::Buffer::new().format_finite(value as f32));
            } else {
                out.push_str(ryu::Buffer::new().format_finite(value));
            }
            return Ok(());
        }
        DataType::Decimal128(_, _) => {
            out.push_str(&array.as_primitive::<Decimal128Type>().value_as_string(row));
            return Ok(());
        }
        DataType::Int8 => i128::from(array.as_primitive::<Int8Type>().value(row)),
        DataType::Int16 => i128::from(array.as_primitive::<Int16Type>().value(row)),
        DataType::Int32 => i128::from(array.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => i128::from(array.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => i128::from(array.as_primitive::<UInt8Type>().value(row)),
        DataType::UInt16 => i128::from(array.as_primitive::<UInt16Type>().value(row)),
        DataType::UInt32 => i128::from(array.as_primitive::<UInt32Type>().value(row)),
        DataType::UInt64 => i128::from(array.as_primitive::<UInt64Type>().value(row)),
        other => return Err(format!("values of type {other} cannot be read")),
    };
    out.push_str(&integer.to_string());
    Ok(())
}

/// Appends a date or timestamp as RFC 3339 in UTC, quoted when `json`.
fn write_time(array: &dyn Array, row: usize, json: bool, out: &mut String) -> Result<(), String> {
    let (nanos, date_only) = match array.data_type() {
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(row);
            (i128::from(days) * 86_400 * 1_000_000_000, true)
        }
        DataType::Date64 => {
            let millis = array.as_primitive::<Date64Type>().value(row);
            (i128::from(millis) * 1_000_000, false)
        }
        DataType::Timestamp(unit, _) => {
            let (value, nanos_per_unit) = match unit {
                TimeUnit::Second => (
                    array.as_primitive::<TimestampSecondType>().value(row),
                    1_000_000_000,
                ),
                TimeUnit::Millisecond => (
                    array.as_primitive::<TimestampMillisecondType>().value(row),
                    1_000_000,
                ),
                TimeUnit::Microsecond => (
                    array.as_primitive::<TimestampMicrosecondType>().value(row),
                    1_000,
                ),
                TimeUnit::Nanosecond => (
                    array.as_primitive::<TimestampNanosecondType>().value(row),
                    1,
                ),
            };
            (i128::from(value) * nanos_per_unit, false)
        }
        other => return Err(format!("values of type {other} cannot be read")),
    };
    write_instant(nanos, date_only, json, out)
}

/// Appends a map, struct or list as JSON.
fn write_nested(array: &dyn Array, row: usize, out: &mut String) -> Result<(), String> {
    let quoted = |text: &str| serde_json::to_string(text).map_err(|error| error.to_string());
    match array.data_type() {
        DataType::Map(_, _) => {
            let entries = array.as_map().value(row);
            let keys = entries.column(0).as_ref();
            let values = entries.column(1).as_ref();
            out.push('{');
            for entry in 0..entries.len() {
                if entry > 0 {
                    out.push(',');
                }
                let mut key = String::new();
                write_value(keys, entry, false, &mut key)?;
                out.push_str(&quoted(&key)?);
                out.push(':');
                write_value(values, entry, true, out)?;
            }
            out.push('}');
        }
        DataType::Struct(fields) => {
            let record = array.as_struct();
            out.push('{');
            for (index, field) in fields.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&quoted(field.name())?);
                out.push(':');
                write_value(record.column(index).as_ref(), row, true, out)?;
            }
            out.push('}');
        }
        DataType::List(_) | DataType::LargeList(_) => {
            let items = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().value(row),
                _ => array.as_list::<i64>().value(row),
            };
            out.push('[');
            for item in 0..items.len() {
                if item > 0 {
                    out.push(',');
                }
                write_value(items.as_ref(), item, true, out)?;
            }
            out.push(']');
        }
        other => return Err(format!("values of type {other} cannot be read")),
    }
    Ok(())
}

/// Writes the instant `nanos` after the Unix epoch as RFC 3339 in UTC (a date alone when
/// `date_only`), quoted when `json`.
fn write_instant(nanos: i128, date_only: bool, json: bool, out: &mut String) -> Result<(), String> {
    let instant = OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .map_err(|error| format!("not a time: {error}"))?;
    let text = if date_only {
        instant.date().to_string()
    } else {
        instant
            .format(&Rfc3339)
            .map_err(|error| error.to_string())?
    };
    if json {
        out.push('"');
        out.push_str(&text);
        out.push('"');
    } else {
        out.push_str(&text);
    }
    Ok(())
}
