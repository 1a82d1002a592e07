//! OpenAI's completions usage endpoint (`GET /v1/organization/usage/completions`): tokens per
//! day, project, API key, user, model, batch and service tier.
//!
//! It carries no money. Its tokens are joined to the costs results of the same day, project,
//! model snapshot and token kind (and API key, where the costs were grouped by it), summed
//! over users, batch and service tiers, whose costs the line items do not tell apart.
//! `input_tokens` includes cached and cache-write tokens: uncached input is what is left after
//! both.

use std::collections::HashMap;

use allot_core::TokenType;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::report::SourceReport;

/// One `organization.usage.completions.result`. Counts that older responses lack are zero.
#[derive(Deserialize)]
struct CompletionsResult {
    input_tokens: u64,
    output_tokens: u64,
    #[serde(default)]
    input_cached_tokens: u64,
    #[serde(default)]
    input_cache_write_tokens: u64,
    project_id: Option<String>,
    api_key_id: Option<String>,
    model: Option<String>,
}

/// Tokens of one day, project, model and API key.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tokens {
    input: u64,
    cached: u64,
    cache_write: u64,
    output: u64,
}

impl Tokens {
    fn of(self, token_type: TokenType) -> u64 {
        match token_type {
            TokenType::Input => self.input.saturating_sub(self.cached + self.cache_write),
            TokenType::CacheRead => self.cached,
            TokenType::CacheWrite => self.cache_write,
            TokenType::Output => self.output,
        }
    }

    fn add(&mut self, other: Tokens) {
        self.input += other.input;
        self.cached += other.cached;
        self.cache_write += other.cache_write;
        self.output += other.output;
    }
}

/// Which API key's tokens a costs result gets.
#[derive(Debug, Clone, Copy)]
pub enum ApiKeyMatch<'a> {
    /// The costs were not grouped by API key: the tokens of every key.
    AnyKey,
    /// The costs were grouped by API key: this key's (`None`: usage made without one).
    Key(Option<&'a str>),
}

/// A day (the bucket's `start_time`), a project and a model snapshot.
type DayProjectModel = (i64, Option<String>, String);

/// The usage endpoint's tokens, by day, project and model, with and without the API key.
#[derive(Default)]
pub struct CompletionsTokens {
    by_api_key: HashMap<(DayProjectModel, Option<String>), Tokens>,
    all_keys: HashMap<DayProjectModel, Tokens>,
}

impl CompletionsTokens {
    /// Reads the results of one bucket of a usage page.
    pub fn read_bucket(
        &mut self,
        origin: &str,
        bucket_path: &str,
        start_time: i64,
        results: &[Box<RawValue>],
        report: &mut SourceReport,
    ) {
        for (index, raw) in results.iter().enumerate() {
            report.rows_read += 1;
            let item = match serde_json::from_str::<CompletionsResult>(raw.get()) {
                Ok(item) => item,
                Err(error) => {
                    report.reject(
                        origin,
                        format!("{bucket_path}.results[{index}]"),
                        format!("not a completions usage result: {error}"),
                    );
                    continue;
                }
            };
            report.usage_rows += 1;
            let Some(model) = item.model else {
                continue;
            };
            let tokens = Tokens {
                input: item.input_tokens,
                cached: item.input_cached_tokens,
                cache_write: item.input_cache_write_tokens,
                output: item.output_tokens,
            };
            let day_project_model = (start_time, item.project_id, model);
            self.all_keys
                .entry(day_project_model.clone())
                .or_default()
                .add(tokens);
            self.by_api_key
                .entry((day_project_model, item.api_key_id))
                .or_default()
                .add(tokens);
        }
    }

    /// The tokens of a costs result, if the usage endpoint reports its day, project and model.
    pub fn tokens(
        &self,
        start_time: i64,
        project_id: Option<&str>,
        model_snapshot: &str,
        api_key: ApiKeyMatch<'_>,
        token_type: TokenType,
    ) -> Option<u64> {
        let day_project_model = (
            start_time,
            project_id.map(str::to_owned),
            model_snapshot.to_owned(),
        );
        let tokens = match api_key {
            ApiKeyMatch::Key(key) => self
                .by_api_key
                .get(&(day_project_model, key.map(str::to_owned))),
            ApiKeyMatch::AnyKey => self.all_keys.get(&day_project_model),
        }?;
        Some(tokens.of(token_type)).filter(|&count| count > 0)
    }
}
