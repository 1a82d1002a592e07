//! The manifest: the list of Parquet files that make up a published data set.
//!
//! It is written last, after every file it lists; a reader that starts from the manifest
//! therefore sees one complete data set. Each file entry carries what a reader needs to choose
//! files for a period and to check what it fetched: row count, charge period range, size,
//! SHA-256 and the `BilledCost` total per currency.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::schema::SCHEMA_VERSION;

/// The manifest's file name, at the root of a data set.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The allocation rules' file name, published next to the manifest.
pub const ALLOCATION_FILE: &str = "allocation.toml";

/// A published data set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The normalized schema's version, [`SCHEMA_VERSION`] when written by this build.
    pub schema_version: u32,
    /// When the manifest was written (RFC 3339, UTC).
    pub created_at: String,
    /// What wrote it, e.g. `allot 0.1.0`.
    pub created_by: String,
    /// Every Parquet file of the data set.
    pub files: Vec<ManifestFile>,
    /// Files of the previous data set that this one no longer lists. They stay in place until
    /// the next run, so a reader that read the previous manifest can still fetch them.
    #[serde(default)]
    pub retired: Vec<String>,
}

/// One Parquet file of a data set: the charges of one source in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Path relative to the manifest, with `/` separators.
    pub path: String,
    /// `x_Source` of every row.
    pub source: String,
    /// The month of `ChargePeriodStart` of every row, `YYYY-MM`.
    pub month: String,
    pub rows: u64,
    /// Earliest `ChargePeriodStart` (RFC 3339).
    pub charge_period_start: String,
    /// Latest `ChargePeriodEnd` (RFC 3339, exclusive).
    pub charge_period_end: String,
    pub bytes: u64,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// Sum of `BilledCost` per `BillingCurrency`, exact decimal text.
    pub billed_cost: BTreeMap<String, String>,
}

/// Why a manifest could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("the manifest is not valid JSON of the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the manifest has schema version `{0}`, this build reads version `{SCHEMA_VERSION}`")]
    SchemaVersion(u32),
}

impl Manifest {
    /// Parses a manifest and checks that this build can read its data.
    pub fn from_json(text: &str) -> Result<Self, ManifestError> {
        let manifest: Manifest = serde_json::from_str(text)?;
        if manifest.schema_version != SCHEMA_VERSION {
            return Err(ManifestError::SchemaVersion(manifest.schema_version));
        }
        Ok(manifest)
    }

    /// The manifest as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a manifest serializes")
    }
}
