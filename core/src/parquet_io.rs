//! Parquet bytes in and out, in memory, so the same code serves the collector and the browser.
//!
//! Files are written with Snappy, the one codec that both the collector and the wasm32 app
//! build without a C toolchain, and with row groups small enough for a browser to decode.

use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use arrow_array::RecordBatch;

use crate::schema::{SCHEMA_VERSION, SCHEMA_VERSION_KEY, charge_schema};

/// Rows per row group: tens of thousands, so a browser decodes a group in a few milliseconds.
pub const ROW_GROUP_ROWS: usize = 65_536;

/// Why Parquet bytes could not be read as charges.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    #[error("not a readable Parquet file: {0}")]
    Format(#[from] parquet::errors::ParquetError),
    #[error("unreadable Arrow data in the Parquet file: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    #[error("the file has schema version `{found}`, this build reads version `{SCHEMA_VERSION}`")]
    SchemaVersion { found: String },
    #[error("the file lacks column `{0}` of the charge schema")]
    MissingColumn(String),
}

/// Writes `batches` (of the charge schema) as one Parquet file.
pub fn write_charges(batches: &[RecordBatch]) -> Result<Vec<u8>, ParquetError> {
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_key_value_metadata(Some(vec![KeyValue::new(
            SCHEMA_VERSION_KEY.to_owned(),
            SCHEMA_VERSION.to_string(),
        )]))
        .set_created_by(format!("allot {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut buffer = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut buffer, charge_schema(), Some(properties))?;
    for batch in batches {
        writer.write(batch)?;
    }
    writer.close()?;
    Ok(buffer)
}

/// Reads a Parquet file of charges, checking its schema version and columns.
pub fn read_charges(bytes: Bytes) -> Result<Vec<RecordBatch>, ParquetError> {
    let reader = checked_reader(bytes)?
        .with_batch_size(ROW_GROUP_ROWS)
        .build()?;
    reader
        .map(|batch| batch.map_err(ParquetError::from))
        .collect()
}

/// Reads only the columns named `columns` of a Parquet file of charges, after the same checks
/// as [`read_charges`]: what a reader that sums a few columns of a large file needs.
pub fn read_charge_columns(
    bytes: Bytes,
    columns: &[&str],
) -> Result<Vec<RecordBatch>, ParquetError> {
    let builder = checked_reader(bytes)?;
    let schema = builder.schema().clone();
    let roots = columns
        .iter()
        .map(|&name| {
            schema
                .index_of(name)
                .map_err(|_| ParquetError::MissingColumn(name.to_owned()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(ROW_GROUP_ROWS)
        .build()?;
    reader
        .map(|batch| batch.map_err(ParquetError::from))
        .collect()
}

/// A reader of a Parquet file of charges whose schema version and columns are checked.
fn checked_reader(bytes: Bytes) -> Result<ParquetRecordBatchReaderBuilder<Bytes>, ParquetError> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes)?;
    let version = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|pairs| pairs.iter().find(|pair| pair.key == SCHEMA_VERSION_KEY))
        .and_then(|pair| pair.value.clone())
        .unwrap_or_else(|| "none".to_owned());
    if version != SCHEMA_VERSION.to_string() {
        return Err(ParquetError::SchemaVersion { found: version });
    }
    let file_schema = builder.schema().clone();
    for field in charge_schema().fields() {
        if file_schema.field_with_name(field.name()).is_err() {
            return Err(ParquetError::MissingColumn(field.name().clone()));
        }
    }
    Ok(builder)
}
