//! Pulling a source from its vendor's admin API: which days to ask for, and the calls that
//! fetch them as [`Page`]s for the same readers that read saved responses.
//!
//! A pull is incremental. The first one asks from the configured `start`; each next one from
//! the end of what the published data set already holds for the source, less `restate_days`
//! (vendors restate recent days), up to the start of today (UTC, exclusive). The days asked
//! for replace what was published for them (see `collect`).
//!
//! The key comes from an environment variable only. It is sent in a header marked sensitive,
//! cleared from every text a vendor answers with, and never kept in a type that prints it.

mod anthropic;
mod client;
mod mistral;
mod openai;

use std::fmt;
use std::time::Duration;

use allot_core::manifest::Manifest;
use anyhow::{Result, bail};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

pub use self::client::ApiError;
use self::client::{ApiClient, RetryPolicy};
use crate::sources::pages::Page;
use crate::sources::{SourceKind, month_start, next_month_start};

/// The `[source.api]` table of a source in the configuration file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// The environment variable holding the admin key; the kind's usual one when absent.
    pub key_env: Option<String>,
    /// The API's root, for a proxy or a test server; the vendor's own when absent.
    pub base_url: Option<String>,
    /// The first day (`YYYY-MM-DD`, UTC) of the first pull; the first day of the previous
    /// month when absent.
    pub start: Option<String>,
    /// Days before the last collected one that each pull asks for again.
    pub restate_days: Option<u32>,
    /// How long one request may take, in seconds.
    pub timeout_secs: Option<f64>,
    /// How often a request that failed for a reason worth retrying is tried again.
    pub retries: Option<u32>,
    /// The first wait before a retry, in seconds; each next one is twice as long.
    pub backoff_secs: Option<f64>,
    /// Anthropic only: read the usage-and-cost analytics endpoint (cost per API key, where the
    /// organization has it) instead of the cost report.
    #[serde(default)]
    pub analytics: bool,
    /// Mistral only: the workspaces to ask for, one call each per month; the whole
    /// organization as the `default` workspace when empty.
    #[serde(default)]
    pub workspaces: Vec<String>,
}

/// A source's API pull, ready to run: its key read from the environment.
#[derive(Debug)]
pub struct ApiPlan {
    pub key_env: String,
    key: Secret,
    pub base_url: String,
    pub start: Date,
    pub restate_days: u32,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub analytics: bool,
    pub workspaces: Vec<String>,
}

/// A key, printed as `[redacted]` by `Debug`.
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("[redacted]")
    }
}

/// Days asked for again by default: the vendors restate about that far back.
const DEFAULT_RESTATE_DAYS: u32 = 3;
const DEFAULT_TIMEOUT_SECS: f64 = 60.0;
const DEFAULT_RETRIES: u32 = 5;
const DEFAULT_BACKOFF_SECS: f64 = 1.0;
/// The longest wait between retries, and the longest `retry-after` honoured.
const MAX_BACKOFF: Duration = Duration::from_mins(1);
const MAX_RETRY_AFTER: Duration = Duration::from_mins(5);

impl ApiPlan {
    /// Checks a source's `[source.api]` table and reads its key from the environment.
    pub fn new(id: &str, kind: SourceKind, config: &ApiConfig) -> Result<Self> {
        let Some(vendor) = Vendor::of(kind) else {
            bail!("source `{id}`: `{kind}` is read from export files; it has no `[source.api]`");
        };
        if config.analytics && kind != SourceKind::Anthropic {
            bail!("source `{id}`: `analytics` is for Anthropic sources only");
        }
        if !config.workspaces.is_empty() && kind != SourceKind::Mistral {
            bail!("source `{id}`: `workspaces` is for Mistral sources only");
        }
        let key_env = config
            .key_env
            .clone()
            .unwrap_or_else(|| vendor.key_env.to_owned());
        let key = match std::env::var(&key_env) {
            Ok(key) if !key.trim().is_empty() => key.trim().to_owned(),
            Ok(_) | Err(std::env::VarError::NotPresent) => {
                bail!(
                    "source `{id}`: the environment variable `{key_env}` is not set; it must \
                     hold the {} key",
                    vendor.key_name
                )
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                bail!("source `{id}`: the environment variable `{key_env}` is not UTF-8 text")
            }
        };
        let start = if let Some(text) = &config.start {
            Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| {
                anyhow::anyhow!("source `{id}`: `start` `{text}` is not a YYYY-MM-DD date")
            })?
        } else {
            let today = OffsetDateTime::now_utc();
            month_start(month_start(today) - time::Duration::DAY).date()
        };
        let seconds = |name: &str, value: Option<f64>, default: f64| {
            Duration::try_from_secs_f64(value.unwrap_or(default))
                .ok()
                .filter(|duration| !duration.is_zero() || name == "backoff_secs")
                .ok_or_else(|| anyhow::anyhow!("source `{id}`: `{name}` must be a positive number"))
        };
        let timeout = seconds("timeout_secs", config.timeout_secs, DEFAULT_TIMEOUT_SECS)?;
        let initial_backoff = seconds("backoff_secs", config.backoff_secs, DEFAULT_BACKOFF_SECS)?;
        Ok(ApiPlan {
            key_env,
            key: Secret(key),
            base_url: config
                .base_url
                .clone()
                .unwrap_or_else(|| vendor.base_url.to_owned()),
            start,
            restate_days: config.restate_days.unwrap_or(DEFAULT_RESTATE_DAYS),
            timeout,
            retry: RetryPolicy {
                max_retries: config.retries.unwrap_or(DEFAULT_RETRIES),
                initial_backoff,
                max_backoff: MAX_BACKOFF,
                max_retry_after: MAX_RETRY_AFTER,
            },
            analytics: config.analytics,
            workspaces: config.workspaces.clone(),
        })
    }
}

/// What differs between the vendors' APIs besides their endpoints.
struct Vendor {
    key_env: &'static str,
    key_name: &'static str,
    base_url: &'static str,
    /// The header carrying the key, and what goes before the key in it.
    key_header: (&'static str, &'static str),
    fixed_headers: &'static [(&'static str, &'static str)],
}

impl Vendor {
    fn of(kind: SourceKind) -> Option<Self> {
        match kind {
            SourceKind::Anthropic => Some(Vendor {
                key_env: "ANTHROPIC_ADMIN_KEY",
                key_name: "Anthropic Admin API",
                base_url: "https://api.anthropic.com",
                key_header: ("x-api-key", ""),
                fixed_headers: &[("anthropic-version", "2023-06-01")],
            }),
            SourceKind::Openai => Some(Vendor {
                key_env: "OPENAI_ADMIN_KEY",
                key_name: "OpenAI admin",
                base_url: "https://api.openai.com",
                key_header: ("authorization", "Bearer "),
                fixed_headers: &[],
            }),
            SourceKind::Mistral => Some(Vendor {
                key_env: "MISTRAL_API_KEY",
                key_name: "Mistral Admin API",
                base_url: "https://console.mistral.ai/api/admin",
                key_header: ("x-api-key", ""),
                fixed_headers: &[],
            }),
            SourceKind::Aws | SourceKind::Azure | SourceKind::Focus | SourceKind::Gcp => None,
        }
    }
}

/// The UTC days a pull asks for: from `first` to `end`, exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub first: Date,
    pub end: Date,
}

impl Period {
    /// The days of a pull of `source` today: from `start`, or from the end of what `published`
    /// holds for the source less `restate_days`, up to today. Mistral answers whole months, so
    /// its period is whole months. `None` when there is nothing to ask for yet.
    pub fn to_collect(
        source: &str,
        kind: SourceKind,
        plan: &ApiPlan,
        published: Option<&Manifest>,
        today: Date,
    ) -> Option<Period> {
        let collected_until = published
            .iter()
            .flat_map(|manifest| manifest.files.iter())
            .filter(|file| file.source == source)
            .filter_map(|file| OffsetDateTime::parse(&file.charge_period_end, &Rfc3339).ok())
            .max()
            .map(OffsetDateTime::date);
        let first = match collected_until {
            Some(until) => until
                .checked_sub(time::Duration::days(i64::from(plan.restate_days)))
                .unwrap_or(until)
                .max(plan.start),
            None => plan.start,
        };
        let period = if kind == SourceKind::Mistral {
            let last = today.previous_day()?;
            Period {
                first: month_start(first.midnight().assume_utc()).date(),
                end: next_month_start(last.midnight().assume_utc()).date(),
            }
        } else {
            Period { first, end: today }
        };
        (period.first < period.end).then_some(period)
    }

    /// Whether a charge starting at `at` lies in the period.
    pub fn contains(self, at: OffsetDateTime) -> bool {
        let day = at.to_offset(time::UtcOffset::UTC).date();
        self.first <= day && day < self.end
    }

    fn starting_at(self) -> OffsetDateTime {
        self.first.midnight().assume_utc()
    }

    fn ending_at(self) -> OffsetDateTime {
        self.end.midnight().assume_utc()
    }
}

/// `2026-10-01..2026-10-31`: the first and the last day, inclusive.
impl fmt::Display for Period {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = self.end.previous_day().unwrap_or(self.end);
        write!(formatter, "{}..{last}", self.first)
    }
}

/// Fetches every page of a source's reports for `period`.
pub async fn pull(
    source: &str,
    kind: SourceKind,
    plan: &ApiPlan,
    period: Period,
) -> Result<Vec<Page>> {
    let Some(vendor) = Vendor::of(kind) else {
        bail!("source `{source}`: `{kind}` has no admin API");
    };
    let client = ApiClient::new(
        source,
        (&plan.key_env, plan.key.0.clone()),
        vendor.key_header,
        vendor.fixed_headers,
        &plan.base_url,
        plan.timeout,
        plan.retry,
    )?;
    match kind {
        SourceKind::Anthropic => anthropic::pages(&client, plan, period).await,
        SourceKind::Openai => openai::pages(&client, period).await,
        SourceKind::Mistral => mistral::pages(&client, plan, period).await,
        SourceKind::Aws | SourceKind::Azure | SourceKind::Focus | SourceKind::Gcp => {
            bail!("source `{source}`: `{kind}` has no admin API")
        }
    }
}

/// An RFC 3339 time as the Anthropic API takes it: `2026-10-01T00:00:00Z`.
fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use allot_core::manifest::ManifestFile;
    use time::macros::date;

    fn plan(start: Date, restate_days: u32) -> ApiPlan {
        ApiPlan {
            key_env: "KEY".to_owned(),
            key: Secret(String::new()),
            base_url: String::new(),
            start,
            restate_days,
            timeout: Duration::from_secs(1),
            retry: RetryPolicy {
                max_retries: 0,
                initial_backoff: Duration::ZERO,
                max_backoff: Duration::ZERO,
                max_retry_after: Duration::ZERO,
            },
            analytics: false,
            workspaces: Vec::new(),
        }
    }

    fn published(source: &str, end: &str) -> Manifest {
        Manifest {
            schema_version: allot_core::schema::SCHEMA_VERSION,
            created_at: String::new(),
            created_by: String::new(),
            files: vec![ManifestFile {
                path: String::new(),
                source: source.to_owned(),
                month: String::new(),
                rows: 1,
                charge_period_start: String::new(),
                charge_period_end: end.to_owned(),
                bytes: 0,
                sha256: String::new(),
                billed_cost: std::collections::BTreeMap::new(),
            }],
            retired: Vec::new(),
        }
    }

    #[test]
    fn a_first_pull_starts_at_start_and_a_next_one_restates_the_last_days() {
        let plan = plan(date!(2026 - 09 - 01), 3);
        let today = date!(2026 - 10 - 20);
        let first = Period::to_collect("anthropic", SourceKind::Anthropic, &plan, None, today);
        assert_eq!(
            first.map(|p| p.to_string()).as_deref(),
            Some("2026-09-01..2026-10-19")
        );

        let manifest = published("anthropic", "2026-10-11T00:00:00Z");
        let other = published("openai", "2026-10-19T00:00:00Z");
        let next = Period::to_collect(
            "anthropic",
            SourceKind::Anthropic,
            &plan,
            Some(&manifest),
            today,
        );
        assert_eq!(
            next.map(|p| p.to_string()).as_deref(),
            Some("2026-10-08..2026-10-19")
        );
        let unrelated = Period::to_collect(
            "anthropic",
            SourceKind::Anthropic,
            &plan,
            Some(&other),
            today,
        );
        assert_eq!(unrelated, first);
    }

    #[test]
    fn mistral_pulls_whole_months_and_nothing_is_asked_before_a_day_is_over() {
        let plan = plan(date!(2026 - 09 - 15), 3);
        let manifest = published("mistral", "2026-10-02T00:00:00Z");
        let period = Period::to_collect(
            "mistral",
            SourceKind::Mistral,
            &plan,
            Some(&manifest),
            date!(2026 - 10 - 20),
        );
        assert_eq!(
            period.map(|p| p.to_string()).as_deref(),
            Some("2026-09-01..2026-10-31")
        );

        let up_to_date = published("anthropic", "2026-10-20T00:00:00Z");
        let plan = self::plan(date!(2026 - 09 - 15), 0);
        let none = Period::to_collect(
            "anthropic",
            SourceKind::Anthropic,
            &plan,
            Some(&up_to_date),
            date!(2026 - 10 - 20),
        );
        assert_eq!(none, None);
    }
}
