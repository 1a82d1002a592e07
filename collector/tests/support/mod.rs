//! What the collector's integration tests share: running the real `allot` binary on fixtures
//! and reading back, as text, every row of the data set it published.

#![allow(
    dead_code,
    reason = "each test file uses the part of these helpers it needs"
)]

pub mod cases;
pub mod vendor_server;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use allot_core::Amount;
use allot_core::manifest::Manifest;
use allot_core::parquet_io::read_charges;
use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub fn fixture(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(path)
        .display()
        .to_string()
}

/// Runs `allot` with `args`.
pub fn allot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(args)
        .output()
        .expect("allot runs")
}

/// Collects one source into a fresh folder; returns the folder and the command's output.
pub fn collect(source: &str, inputs: &[String]) -> (tempfile::TempDir, Output) {
    let out = tempfile::tempdir().expect("temp dir");
    let mut args = vec!["collect", "--source", source, "--input"];
    args.extend(inputs.iter().map(String::as_str));
    let out_path = out.path().display().to_string();
    args.extend(["--out", &out_path]);
    let output = allot(&args);
    (out, output)
}

/// A published row: column name to its value as text (exact decimals, RFC 3339 times).
pub type Row = BTreeMap<String, Option<String>>;

/// Every row of the data set in `out`, read from the Parquet files its manifest lists.
pub fn published_rows(out: &Path) -> Vec<Row> {
    let manifest = std::fs::read_to_string(out.join("manifest.json")).expect("manifest");
    let manifest = Manifest::from_json(&manifest).expect("valid manifest");
    let mut rows = Vec::new();
    for file in &manifest.files {
        let bytes = std::fs::read(out.join(&file.path)).expect("listed file exists");
        assert_eq!(bytes.len() as u64, file.bytes, "size of {}", file.path);
        for batch in read_charges(bytes.into()).expect("readable parquet") {
            rows.extend(batch_rows(&batch));
        }
    }
    rows
}

pub fn batch_rows(batch: &RecordBatch) -> Vec<Row> {
    let schema = batch.schema();
    (0..batch.num_rows())
        .map(|row| {
            schema
                .fields()
                .iter()
                .zip(batch.columns())
                .map(|(field, column)| (field.name().clone(), cell(column.as_ref(), row)))
                .collect()
        })
        .collect()
}

pub fn cell(column: &dyn Array, row: usize) -> Option<String> {
    if column.is_null(row) {
        return None;
    }
    Some(match column.data_type() {
        DataType::Utf8 => column.as_string::<i32>().value(row).to_owned(),
        DataType::Boolean => column.as_boolean().value(row).to_string(),
        DataType::Decimal128(..) => {
            Amount::from_raw(column.as_primitive::<Decimal128Type>().value(row)).to_string()
        }
        DataType::Timestamp(..) => {
            let micros = column.as_primitive::<TimestampMicrosecondType>().value(row);
            let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
                .expect("valid time");
            at.format(&Rfc3339).expect("formats")
        }
        other => panic!("unexpected column type {other}"),
    })
}

pub fn value<'a>(row: &'a Row, column: &str) -> Option<&'a str> {
    row.get(column)
        .unwrap_or_else(|| panic!("no column {column}"))
        .as_deref()
}

pub fn find<'a>(rows: &'a [Row], column: &str, wanted: Option<&str>) -> &'a Row {
    let matching: Vec<&Row> = rows
        .iter()
        .filter(|row| value(row, column) == wanted)
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "rows with {column} = {wanted:?}: {rows:#?}"
    );
    matching[0]
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "allot failed\nstdout:\n{}\nstderr:\n{}",
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    );
}
