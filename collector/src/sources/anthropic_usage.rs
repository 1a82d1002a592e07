//! Anthropic's messages usage report: tokens per day, API key, workspace, model, service tier
//! and context window, by token type, with cache creation nested by TTL.
//!
//! It carries no money. Its tokens are joined to the cost rows that have the same day,
//! workspace, model snapshot, service tier, context window and token type: they become the cost
//! row's `ConsumedQuantity`, and where the report names the API keys that used a workspace's
//! tokens, they are the weights by which that cost is split over the keys. The join needs the
//! usage report grouped by `workspace_id`, `model`, `service_tier` and `context_window` (and
//! `api_key_id` for the split), as `allot collect` asks for it; a dimension that one report
//! groups by and the other does not never matches, so no cost is split on tokens of the wrong
//! model or tier.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use serde::Deserialize;
use serde_json::value::RawValue;
use time::OffsetDateTime;

use crate::report::SourceReport;

/// The token types of the usage report, named as the cost report's `token_type` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum TokenField {
    UncachedInput,
    CacheRead,
    CacheCreation5m,
    CacheCreation1h,
    Output,
}

impl TokenField {
    fn from_cost_report(token_type: &str) -> Option<Self> {
        match token_type {
            "uncached_input_tokens" => Some(Self::UncachedInput),
            "cache_read_input_tokens" => Some(Self::CacheRead),
            "cache_creation.ephemeral_5m_input_tokens" => Some(Self::CacheCreation5m),
            "cache_creation.ephemeral_1h_input_tokens" => Some(Self::CacheCreation1h),
            "output_tokens" => Some(Self::Output),
            _ => None,
        }
    }
}

/// What a cost row and a usage row must share for the usage row's tokens to be the cost row's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UsageKey {
    start: OffsetDateTime,
    workspace_id: Option<String>,
    model: String,
    service_tier: Option<String>,
    context_window: Option<String>,
    token: TokenField,
}

impl UsageKey {
    /// The key of a cost row, or `None` for a row that is not for a model's tokens.
    pub fn of(
        start: OffsetDateTime,
        workspace_id: Option<&str>,
        model: Option<&str>,
        service_tier: Option<&str>,
        context_window: Option<&str>,
        token_type: Option<&str>,
    ) -> Option<Self> {
        Some(UsageKey {
            start,
            workspace_id: workspace_id.map(str::to_owned),
            model: model?.to_owned(),
            service_tier: service_tier.map(str::to_owned),
            context_window: context_window.map(str::to_owned),
            token: TokenField::from_cost_report(token_type?)?,
        })
    }
}

/// One result of a usage report bucket. Counts a response leaves out are zero.
#[derive(Deserialize)]
struct UsageItem {
    #[serde(default)]
    uncached_input_tokens: u64,
    #[serde(default)]
    cache_read_input_tokens: u64,
    #[serde(default)]
    cache_creation: CacheCreation,
    #[serde(default)]
    output_tokens: u64,
    api_key_id: Option<String>,
    workspace_id: Option<String>,
    model: Option<String>,
    service_tier: Option<String>,
    context_window: Option<String>,
}

#[derive(Deserialize, Default)]
struct CacheCreation {
    #[serde(default)]
    ephemeral_5m_input_tokens: u64,
    #[serde(default)]
    ephemeral_1h_input_tokens: u64,
}

/// The usage report's tokens, by [`UsageKey`] and then by API key (`None`: usage made without
/// one, such as the Console's Workbench).
#[derive(Default)]
pub struct UsageTokens(HashMap<UsageKey, BTreeMap<Option<String>, u64>>);

impl UsageTokens {
    /// Reads the results of one bucket of a usage report page.
    pub fn read_bucket(
        &mut self,
        origin: &str,
        bucket_path: &str,
        start: &Result<OffsetDateTime>,
        results: &[Box<RawValue>],
        report: &mut SourceReport,
    ) {
        for (index, raw) in results.iter().enumerate() {
            report.rows_read += 1;
            let location = format!("{bucket_path}.results[{index}]");
            let start = match start {
                Ok(start) => *start,
                Err(error) => {
                    report.reject(origin, location, format!("bucket period: {error}"));
                    continue;
                }
            };
            let item = match serde_json::from_str::<UsageItem>(raw.get()) {
                Ok(item) => item,
                Err(error) => {
                    report.reject(
                        origin,
                        location,
                        format!("not a usage report result: {error}"),
                    );
                    continue;
                }
            };
            report.usage_rows += 1;
            let Some(model) = item.model else {
                continue;
            };
            let counts = [
                (TokenField::UncachedInput, item.uncached_input_tokens),
                (TokenField::CacheRead, item.cache_read_input_tokens),
                (
                    TokenField::CacheCreation5m,
                    item.cache_creation.ephemeral_5m_input_tokens,
                ),
                (
                    TokenField::CacheCreation1h,
                    item.cache_creation.ephemeral_1h_input_tokens,
                ),
                (TokenField::Output, item.output_tokens),
            ];
            for (token, tokens) in counts {
                if tokens == 0 {
                    continue;
                }
                let key = UsageKey {
                    start,
                    workspace_id: item.workspace_id.clone(),
                    model: model.clone(),
                    service_tier: item.service_tier.clone(),
                    context_window: item.context_window.clone(),
                    token,
                };
                *self
                    .0
                    .entry(key)
                    .or_default()
                    .entry(item.api_key_id.clone())
                    .or_default() += tokens;
            }
        }
    }

    /// The tokens of `key`, by API key, if the usage report has any.
    pub fn tokens_by_api_key(&self, key: &UsageKey) -> Option<&BTreeMap<Option<String>, u64>> {
        self.0.get(key)
    }
}
