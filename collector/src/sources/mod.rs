//! The sources: each turns one vendor's billing files into [`Charge`]s and a [`SourceReport`].
//!
//! A source never drops a line silently: every input line is kept, counted as not AI (with its
//! cost) or rejected with its file and place, and its money is added to the input total as it
//! is read.

pub mod anthropic;
mod anthropic_usage;
pub mod aws;
pub mod azure;
mod csv_file;
pub mod focus;
pub mod gcp;
pub mod mistral;
pub mod openai;
mod openai_usage;
pub mod pages;
mod parquet_file;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use allot_core::Charge;
use allot_core::model::is_known_model;
use anyhow::{Context, Result, bail};
use serde::Deserialize;

use self::pages::Page;
use time::{Date, Month, OffsetDateTime, Time};

use crate::report::SourceReport;

/// The kinds of source allot reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Anthropic Admin API cost report responses (JSON pages).
    Anthropic,
    /// OpenAI organization costs responses (JSON pages).
    Openai,
    /// AWS CUR 2.0 (Data Exports), CSV.
    Aws,
    /// Azure Cost Management exports (EA and MCA), CSV.
    Azure,
    /// Any FinOps FOCUS 1.0 to 1.2 file (CSV).
    Focus,
    /// Google Cloud Billing export to BigQuery, as newline-delimited JSON.
    Gcp,
    /// Mistral Admin API usage responses (JSON, one month each).
    Mistral,
}

impl SourceKind {
    /// The kind named by a source id, for ids that are a kind's name.
    pub fn from_id(id: &str) -> Option<Self> {
        match id {
            "anthropic" => Some(SourceKind::Anthropic),
            "openai" => Some(SourceKind::Openai),
            "aws" => Some(SourceKind::Aws),
            "azure" => Some(SourceKind::Azure),
            "focus" => Some(SourceKind::Focus),
            "gcp" => Some(SourceKind::Gcp),
            "mistral" => Some(SourceKind::Mistral),
            _ => None,
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            SourceKind::Anthropic => "anthropic",
            SourceKind::Openai => "openai",
            SourceKind::Aws => "aws",
            SourceKind::Azure => "azure",
            SourceKind::Focus => "focus",
            SourceKind::Gcp => "gcp",
            SourceKind::Mistral => "mistral",
        })
    }
}

/// What a source read.
pub struct SourceOutput {
    pub charges: Vec<Charge>,
    pub report: SourceReport,
}

/// Reads the files of one source.
pub fn read_source(id: &str, kind: SourceKind, files: &[PathBuf]) -> Result<SourceOutput> {
    let mut report = SourceReport::new(id);
    report.files = files
        .iter()
        .map(|file| file.display().to_string())
        .collect();
    let charges = match kind {
        SourceKind::Anthropic | SourceKind::Openai | SourceKind::Mistral => {
            let pages = files
                .iter()
                .map(|path| Page::from_file(path))
                .collect::<Result<Vec<_>>>()?;
            return read_pages(id, kind, &pages, report);
        }
        SourceKind::Aws => read_each(id, files, &mut report, aws::read_file)?,
        SourceKind::Azure => read_each(id, files, &mut report, azure::read_file)?,
        SourceKind::Focus => read_each(id, files, &mut report, focus::read_file)?,
        SourceKind::Gcp => read_each(id, files, &mut report, gcp::read_file)?,
    };
    Ok(finish(charges, report))
}

/// Reads the response pages of a vendor's admin API, saved to files or fetched.
pub fn read_pages(
    id: &str,
    kind: SourceKind,
    pages: &[Page],
    mut report: SourceReport,
) -> Result<SourceOutput> {
    let charges = match kind {
        SourceKind::Anthropic => anthropic::read_pages(id, pages, &mut report)?,
        SourceKind::Openai => openai::read_pages(id, pages, &mut report)?,
        SourceKind::Mistral => mistral::read_pages(id, pages, &mut report)?,
        other => bail!("source `{id}`: `{other}` is read from export files, not API pages"),
    };
    Ok(finish(charges, report))
}

/// Lists the charges for models allot does not know in the report.
fn finish(charges: Vec<Charge>, mut report: SourceReport) -> SourceOutput {
    for charge in &charges {
        let unknown = match (&charge.model, charge.token_type) {
            (Some(model), _) if !is_known_model(model) => Some(model.as_str()),
            (None, Some(_)) => Some(charge.sku_id.as_deref().unwrap_or("(no model name)")),
            _ => None,
        };
        if let Some(model) = unknown {
            *report.unknown_models.entry(model.to_owned()).or_default() += 1;
        }
    }
    SourceOutput { charges, report }
}

/// A reader of one file of a source.
type FileReader = fn(&str, &Path, &mut SourceReport, &mut Vec<Charge>) -> Result<()>;

/// Reads `files` one by one with `read_file`.
fn read_each(
    source: &str,
    files: &[PathBuf],
    report: &mut SourceReport,
    read_file: FileReader,
) -> Result<Vec<Charge>> {
    let mut charges = Vec::new();
    for path in files {
        read_file(source, path, report, &mut charges)?;
    }
    Ok(charges)
}

/// The columns that make a file a FOCUS file rather than a cloud's own export.
const FOCUS_COLUMNS: [&str; 3] = ["BilledCost", "ChargePeriodStart", "ServiceCategory"];

/// Whether `path` (CSV or Parquet) is a FOCUS file: the clouds deliver their FOCUS exports
/// through the same channels as their own, and allot reads either from the cloud's source.
pub fn is_focus_file(path: &Path) -> Result<bool> {
    let names = if parquet_file::is_parquet(path) {
        parquet_file::column_names(path)?
    } else {
        csv_file::column_names(path)?
    };
    let folded: Vec<String> = names.iter().map(|name| csv_file::fold(name)).collect();
    Ok(FOCUS_COLUMNS
        .iter()
        .all(|column| folded.contains(&csv_file::fold(column))))
}

/// A JSON object whose values are kept as text: strings as they are, anything else as its
/// JSON (FOCUS `Tags`, Azure `Tags`, CUR map columns).
pub fn json_object_strings(text: &str) -> serde_json::Result<BTreeMap<String, String>> {
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)?;
    Ok(object
        .into_iter()
        .map(|(key, value)| match value {
            serde_json::Value::String(text) => (key, text),
            other => (key, other.to_string()),
        })
        .collect())
}

/// The first bytes of every gzip file.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Opens an input file for reading as a stream, gunzipped when it is a gzip file (by its first
/// bytes, whatever its name), so that a file of any size is read in bounded memory.
pub fn open_input(path: &Path) -> Result<Input> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let mut start = [0_u8; 2];
    let is_gzip = file.read_exact(&mut start).is_ok() && start == GZIP_MAGIC;
    file.seek(std::io::SeekFrom::Start(0))
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    let reader: Box<dyn BufRead> = if is_gzip {
        Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    Ok(Input { reader, is_gzip })
}

/// An input file opened by [`open_input`].
pub struct Input {
    pub reader: Box<dyn BufRead>,
    pub is_gzip: bool,
}

impl Input {
    /// The error for a failure to read `path` part-way: for a gzip file, that it is not whole.
    pub fn read_error(path: &Path, is_gzip: bool, error: &std::io::Error) -> anyhow::Error {
        if is_gzip {
            anyhow::anyhow!("`{}` is not a complete gzip file: {error}", path.display())
        } else {
            anyhow::anyhow!("cannot read `{}`: {error}", path.display())
        }
    }
}

/// Reads a whole file as text (gunzipped when it is a gzip file, without a byte-order mark),
/// naming it on failure. For the vendors' JSON pages, which are small; exports are streamed.
pub fn read_text(path: &Path) -> Result<String> {
    let mut input = open_input(path)?;
    let mut bytes = Vec::new();
    if let Err(error) = input.reader.read_to_end(&mut bytes) {
        return Err(Input::read_error(path, input.is_gzip, &error));
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        anyhow::anyhow!(
            "`{}` is not UTF-8 text (byte {} is not)",
            path.display(),
            error.utf8_error().valid_up_to()
        )
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(without_byte_order_mark) => without_byte_order_mark.to_owned(),
        None => text,
    })
}

/// The first instant of the month of `at`.
pub fn month_start(at: OffsetDateTime) -> OffsetDateTime {
    let date = Date::from_calendar_date(at.year(), at.month(), 1).unwrap_or(at.date());
    date.with_time(Time::MIDNIGHT).assume_utc()
}

/// The first instant of the month after the month of `at` (the exclusive end of its month).
pub fn next_month_start(at: OffsetDateTime) -> OffsetDateTime {
    let (year, month) = match at.month() {
        Month::December => (at.year() + 1, Month::January),
        month => (at.year(), month.next()),
    };
    let date = Date::from_calendar_date(year, month, 1).unwrap_or(at.date());
    date.with_time(Time::MIDNIGHT).assume_utc()
}

/// An ISO 4217 code from a vendor's currency field (`usd` becomes `USD`).
pub fn currency_code(text: &str) -> Result<String> {
    let code = text.trim().to_ascii_uppercase();
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        bail!("`{text}` is not an ISO 4217 currency code");
    }
    Ok(code)
}
