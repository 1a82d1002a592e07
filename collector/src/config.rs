//! The collect configuration: which sources to read, from which files, and where to publish.
//!
//! ```toml
//! out = "data"                    # a folder, or s3://, gs://, az:// URL to publish to
//! rules = "allocation.toml"       # optional: published next to the data for the dashboard
//!
//! [[source]]
//! id = "anthropic"                # x_Source of its rows
//! kind = "anthropic"              # optional when the id is a kind's name
//! input = ["exports/anthropic/*.json"]
//! ```
//!
//! Relative paths are relative to the configuration file.

use std::path::{Path, PathBuf};

use allot_core::allocation::line_and_column;
use anyhow::{Context, Result, bail};
use serde::Deserialize;

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
    pub input: Vec<String>,
}

/// One source to read, with its files found.
#[derive(Debug, Clone)]
pub struct SourcePlan {
    pub id: String,
    pub kind: SourceKind,
    pub files: Vec<PathBuf>,
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

/// Resolves a source's kind and finds its files: each input is a path or a glob, and every
/// glob must match at least one file.
pub fn plan_source(id: &str, kind: Option<SourceKind>, inputs: &[String]) -> Result<SourcePlan> {
    let Some(kind) = kind.or_else(|| SourceKind::from_id(id)) else {
        bail!("source `{id}` needs a `kind` (anthropic, openai, aws, azure, gcp or focus)");
    };
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
        files,
    })
}
