//! The collect configuration: which sources to read, from which files or vendor APIs, and
//! where to publish.
//!
//! ```toml
//! out = "data"                    # a folder, or s3://, gs://, az:// URL to publish to
//! rules = "allocation.toml"       # optional: published next to the data for the dashboard
//!
//! [[source]]
//! id = "anthropic"                # x_Source of its rows
//! kind = "anthropic"              # optional when the id is a kind's name
//! input = ["exports/anthropic/*.json"]
//!
//! [[source]]
//! id = "openai"
//! [source.api]                    # pulled from the vendor's admin API instead of files
//! key_env = "OPENAI_ADMIN_KEY"    # optional: the kind's usual variable
//! start = "2026-01-01"            # the first day of the first pull
//! restate_days = 3                # days before the last collected one asked for again
//! ```
//!
//! Relative paths are relative to the configuration file. Keys are read from the environment
//! only, never from the file.

use std::path::{Path, PathBuf};

use allot_core::allocation::line_and_column;
use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::pull::{ApiConfig, ApiPlan};
use crate::sources::SourceKind;

/// A parsed configuration file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A folder (relative to the configuration file) or an object store URL.
    pub out: Option<String>,
    pub rules: Option<PathBuf>,
    #[serde(rename = "source", default)]
    pub sources: Vec<SourceConfig>,
}

/// One `[[source]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub id: String,
    pub kind: Option<SourceKind>,
    #[serde(default)]
    pub input: Vec<String>,
    /// Pull from the vendor's admin API instead of reading files.
    pub api: Option<ApiConfig>,
}

/// One source to read, with its files found or its API pull planned.
#[derive(Debug)]
pub struct SourcePlan {
    pub id: String,
    pub kind: SourceKind,
    pub input: SourceInput,
}

/// Where a source's data comes from.
#[derive(Debug)]
pub enum SourceInput {
    Files(Vec<PathBuf>),
    Api(Box<ApiPlan>),
}

impl Config {
    /// Reads a configuration file, resolving its paths against the file's folder.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration `{}`", path.display()))?;
        let mut config: Config = toml::from_str(&text).map_err(|error| {
            let (line, column) = error
                .span()
                .map_or((0, 0), |span| line_and_column(&text, span.start));
            anyhow::anyhow!(
                "`{}` line {line}, column {column}: {}",
                path.display(),
                error.message()
            )
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.out = config.out.map(|out| {
            if out.contains("://") {
                out
            } else {
                base.join(out).display().to_string()
            }
        });
        config.rules = config.rules.map(|rules| base.join(rules));
        for source in &mut config.sources {
            for pattern in &mut source.input {
                *pattern = base.join(&*pattern).display().to_string();
            }
        }
        Ok(config)
    }
}

/// Plans one `[[source]]` of a configuration file: its files, or its API pull.
pub fn plan_configured(source: &SourceConfig) -> Result<SourcePlan> {
    let id = &source.id;
    let Some(api) = &source.api else {
        if source.input.is_empty() {
            bail!("source `{id}` needs `input` files or an `[source.api]` table");
        }
        return plan_source(id, source.kind, &source.input);
    };
    if !source.input.is_empty() {
        bail!("source `{id}` has both `input` and `[source.api]`: give one of them");
    }
    let kind = source_kind(id, source.kind)?;
    Ok(SourcePlan {
        id: id.clone(),
        kind,
        input: SourceInput::Api(Box::new(ApiPlan::new(id, kind, api)?)),
    })
}

fn source_kind(id: &str, kind: Option<SourceKind>) -> Result<SourceKind> {
    kind.or_else(|| SourceKind::from_id(id)).ok_or_else(|| {
        anyhow::anyhow!(
            "source `{id}` needs a `kind` (anthropic, openai, mistral, aws, azure, gcp or focus)"
        )
    })
}

/// Resolves a source's kind and finds its files: each input is a path or a glob, and every
/// glob must match at least one file.
pub fn plan_source(id: &str, kind: Option<SourceKind>, inputs: &[String]) -> Result<SourcePlan> {
    let kind = source_kind(id, kind)?;
    let mut files = Vec::new();
    for input in inputs {
        let mut matched: Vec<PathBuf> = glob::glob(input)
            .with_context(|| format!("source `{id}`: `{input}` is not a valid path pattern"))?
            .collect::<Result<_, _>>()
            .with_context(|| format!("source `{id}`: cannot list `{input}`"))?;
        if matched.is_empty() {
            bail!("source `{id}`: no file matches `{input}`");
        }
        matched.sort();
        files.extend(matched);
    }
    files.dedup();
    Ok(SourcePlan {
        id: id.to_owned(),
        kind,
        input: SourceInput::Files(files),
    })
}
