//! Loading a published data set: the manifest, then its Parquet files and allocation rules.
//!
//! Everything comes from one folder, `?data=<url>` or `data/` next to the page. The manifest is
//! fetched first because it names the files; then every file and the rules are fetched at once.
//! Each file is checked against the size the manifest gives and decoded as it arrives, so a
//! truncated or replaced file is named instead of silently changing the numbers.

use std::sync::Arc;

use allot_core::aggregate::{Filter, summarize};
use allot_core::allocation::{Allocation, RuleStatus, Rules, RulesError, allocate, coverage};
use allot_core::manifest::{ALLOCATION_FILE, MANIFEST_FILE, Manifest, ManifestFile};
use allot_core::parquet_io::read_charges;
use allot_core::table::ChargeTable;
use arrow_array::RecordBatch;
use bytes::Bytes;
use gloo_net::http::{Request, Response};
use leptos::prelude::*;
use web_sys::{RequestCache, Url, UrlSearchParams};

/// The data folder when the page's address has no `?data=`.
pub const DEFAULT_FOLDER: &str = "data/";

/// The allocation dimension the dashboard shows.
pub const TEAM: &str = "team";

/// What is being fetched, for the loading message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    Starting,
    Manifest { url: String },
    Files { done: usize, total: usize },
}

impl std::fmt::Display for Progress {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Progress::Starting => write!(formatter, "Starting…"),
            Progress::Manifest { url } => write!(formatter, "Fetching {MANIFEST_FILE} from {url}…"),
            Progress::Files { done, total } => {
                write!(formatter, "Fetching data files: {done} of {total}…")
            }
        }
    }
}

/// A loaded data set: its charges, allocated to teams.
#[derive(Debug)]
pub struct Dataset {
    /// The data folder's address, without credentials or query, for display.
    pub folder: String,
    pub manifest: Manifest,
    pub table: ChargeTable,
    pub team: Allocation,
    pub rules: RulesStatus,
    /// The `team` rules that decide no charge of the data, each as `line 12 (matches
    /// nothing)` or `line 30 (shadowed by line 4)`.
    pub idle_rules: Vec<String>,
    /// Every currency of the data, largest total first.
    pub currencies: Vec<String>,
    /// Every `x_Source` of the data, sorted.
    pub sources: Vec<String>,
}

/// What became of `allocation.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RulesStatus {
    /// Read, with this many `team` rules.
    Loaded { team_rules: usize },
    /// Not published: every charge is unallocated.
    Missing,
    /// Published but unreadable: every charge is unallocated until it is fixed.
    Invalid(RulesError),
}

/// Why the data set could not be loaded. Each message names what failed, with the address last.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("The data folder `{folder}` given with `?data=` is not a valid address")]
    Folder { folder: String },
    #[error(
        "No data published at {url}: {MANIFEST_FILE} was not found. Run `allot collect` with \
         `--out` set to this folder to publish data here, or open this page with \
         `?data=<folder>` to read data published elsewhere"
    )]
    ManifestMissing { url: String },
    #[error("`{MANIFEST_FILE}` cannot be used: {message}: {url}")]
    Manifest { message: String, url: String },
    #[error("`{file}` is listed in `{MANIFEST_FILE}` but was not found: {url}")]
    FileMissing { file: String, url: String },
    #[error("Fetching `{file}` failed: the server answered HTTP {status} {status_text}: {url}")]
    Http {
        file: String,
        status: u16,
        status_text: String,
        url: String,
    },
    #[error(
        "Fetching `{file}` failed ({message}). Check the network connection, and that the \
         server lets this page read the file (CORS): {url}"
    )]
    Network {
        file: String,
        message: String,
        url: String,
    },
    #[error(
        "`{file}` has {actual_bytes} bytes where `{MANIFEST_FILE}` says {expected_bytes}: the \
         file is truncated or was replaced after the manifest was written"
    )]
    Size {
        file: String,
        expected_bytes: u64,
        actual_bytes: u64,
    },
    #[error("`{file}` is not a readable charge file: {message}")]
    Parquet { file: String, message: String },
}

/// Fetches and decodes the data set, reporting what is being fetched to `progress`.
pub async fn load(progress: RwSignal<Progress>) -> Result<Arc<Dataset>, LoadError> {
    let folder = data_folder()?;
    let folder_text = displayable(&folder);

    progress.set(Progress::Manifest {
        url: folder_text.clone(),
    });
    let manifest_url = resolve(&folder, MANIFEST_FILE)?;
    let response =
        fetch(&manifest_url, MANIFEST_FILE)
            .await?
            .ok_or_else(|| LoadError::ManifestMissing {
                url: folder_text.clone(),
            })?;
    let text = response
        .text()
        .await
        .map_err(network_error(MANIFEST_FILE, &manifest_url))?;
    let manifest = Manifest::from_json(&text).map_err(|error| LoadError::Manifest {
        message: error.to_string(),
        url: displayable(&manifest_url),
    })?;

    let total = manifest.files.len();
    progress.set(Progress::Files { done: 0, total });
    let folder = &folder;
    let files = futures::future::try_join_all(manifest.files.iter().map(|file| async move {
        let batches = fetch_charges(folder, file).await?;
        progress.update(|progress| {
            if let Progress::Files { done, .. } = progress {
                *done += 1;
            }
        });
        Ok::<_, LoadError>(batches)
    }));
    let (files, rules) = futures::join!(files, fetch_rules(folder));
    let (files, (rules, rules_status)) = (files?, rules?);

    let mut table = ChargeTable::default();
    for (file, batches) in manifest.files.iter().zip(&files) {
        for batch in batches {
            table.append(batch).map_err(|error| LoadError::Parquet {
                file: file.path.clone(),
                message: error.to_string(),
            })?;
        }
    }
    drop(files);

    let team = allocate(&table, &rules, TEAM);
    let idle_rules = idle_rules(&table, &rules, &team);
    let currencies = summarize(&table, &team, &Filter::default()).currencies;
    let mut sources: Vec<String> = manifest
        .files
        .iter()
        .map(|file| file.source.clone())
        .collect();
    sources.sort();
    sources.dedup();
    Ok(Arc::new(Dataset {
        folder: folder_text,
        manifest,
        table,
        team,
        rules: rules_status,
        idle_rules,
        currencies,
        sources,
    }))
}

/// The rules that decide no charge: dead ones and those shadowed by earlier rules.
fn idle_rules(table: &ChargeTable, rules: &Rules, team: &Allocation) -> Vec<String> {
    let lines = rules.dimension(TEAM).iter().map(|rule| rule.line);
    coverage(table, rules, team, None, None)
        .rules
        .iter()
        .zip(lines)
        .filter_map(|(rule, line)| match &rule.status {
            RuleStatus::Used => None,
            RuleStatus::Dead => Some(format!("line {line} (matches nothing)")),
            RuleStatus::Shadowed { by_lines } => {
                let by: Vec<String> = by_lines.iter().map(ToString::to_string).collect();
                Some(format!("line {line} (shadowed by line {})", by.join(", ")))
            }
        })
        .collect()
}

/// The data folder's address: `?data=` or [`DEFAULT_FOLDER`], resolved against the page's
/// address and ending with `/` so that file paths resolve inside it.
fn data_folder() -> Result<Url, LoadError> {
    let location = window().location();
    let page = location.href().unwrap_or_default();
    let requested = location
        .search()
        .ok()
        .and_then(|search| UrlSearchParams::new_with_str(&search).ok())
        .and_then(|params| params.get("data"))
        .filter(|folder| !folder.trim().is_empty());
    let mut folder = requested.unwrap_or_else(|| DEFAULT_FOLDER.to_owned());
    if !folder.ends_with('/') {
        folder.push('/');
    }
    Url::new_with_base(&folder, &page).map_err(|_| LoadError::Folder { folder })
}

/// `path` resolved inside `folder`.
fn resolve(folder: &Url, path: &str) -> Result<Url, LoadError> {
    Url::new_with_base(path, &folder.href()).map_err(|_| LoadError::Folder {
        folder: displayable(folder),
    })
}

/// `url` without credentials, query or fragment, for messages.
fn displayable(url: &Url) -> String {
    let shown = Url::new(&url.href()).unwrap_or_else(|_| url.clone());
    shown.set_username("");
    shown.set_password("");
    shown.set_search("");
    shown.set_hash("");
    shown.href()
}

/// GETs `url`, revalidating any cached copy (a re-run replaces files under the same name);
/// `None` when the server answers 404.
async fn fetch(url: &Url, file: &str) -> Result<Option<Response>, LoadError> {
    let response = Request::get(&url.href())
        .cache(RequestCache::NoCache)
        .send()
        .await
        .map_err(network_error(file, url))?;
    match response.status() {
        200..=299 => Ok(Some(response)),
        404 => Ok(None),
        status => Err(LoadError::Http {
            file: file.to_owned(),
            status,
            status_text: response.status_text(),
            url: displayable(url),
        }),
    }
}

fn network_error(file: &str, url: &Url) -> impl FnOnce(gloo_net::Error) -> LoadError {
    let (file, url) = (file.to_owned(), displayable(url));
    move |error| LoadError::Network {
        file,
        message: error.to_string(),
        url,
    }
}

/// Fetches one Parquet file of the manifest, checks its size and decodes it.
async fn fetch_charges(folder: &Url, file: &ManifestFile) -> Result<Vec<RecordBatch>, LoadError> {
    let url = resolve(folder, &file.path)?;
    let response = fetch(&url, &file.path)
        .await?
        .ok_or_else(|| LoadError::FileMissing {
            file: file.path.clone(),
            url: displayable(&url),
        })?;
    let bytes = response
        .binary()
        .await
        .map_err(network_error(&file.path, &url))?;
    let actual_bytes = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if actual_bytes != file.bytes {
        return Err(LoadError::Size {
            file: file.path.clone(),
            expected_bytes: file.bytes,
            actual_bytes,
        });
    }
    read_charges(Bytes::from(bytes)).map_err(|error| LoadError::Parquet {
        file: file.path.clone(),
        message: error.to_string(),
    })
}

/// Fetches and parses `allocation.toml`; a missing or unreadable file leaves every charge
/// unallocated and says so in the status.
async fn fetch_rules(folder: &Url) -> Result<(Rules, RulesStatus), LoadError> {
    let url = resolve(folder, ALLOCATION_FILE)?;
    let Some(response) = fetch(&url, ALLOCATION_FILE).await? else {
        return Ok((Rules::default(), RulesStatus::Missing));
    };
    let text = response
        .text()
        .await
        .map_err(network_error(ALLOCATION_FILE, &url))?;
    Ok(match Rules::parse(ALLOCATION_FILE, &text) {
        Ok(rules) => {
            let team_rules = rules.dimension(TEAM).len();
            (rules, RulesStatus::Loaded { team_rules })
        }
        Err(error) => (Rules::default(), RulesStatus::Invalid(error)),
    })
}
