//! The demo organization's `openai` spend, as pages of the Administration API costs endpoint
//! (`GET /v1/organization/costs` grouped by `project_id` and `line_item`, one-day buckets,
//! thirty buckets a page).
//!
//! Amounts are JSON floats in dollars: token or call counts times list prices in `f64`
//! arithmetic, so they carry up to 17 significant digits as real responses do. Each is written
//! with Rust's shortest round-trip formatting, and the total is the sum of those very texts read
//! as decimals.

use std::collections::BTreeSet;

use anyhow::Context as _;
use rand::{Rng, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::RawValue;
use time::Date;

use super::calendar::{Period, model_split, row_noise};
use super::openai_workloads::{Usage, WORKLOADS, Workload};
use super::organization::OPENAI_ORGANIZATION;
use super::{Price, VendorPages, page_token};

const SEED: u64 = 0x6f70_656e_6169_2121;
const BUCKETS_PER_PAGE: usize = 30;
const SECONDS_PER_DAY: i64 = 86_400;

/// A GPT, o-series or embedding model and its list prices; a token kind without a price is never billed.
pub(super) struct Model {
    /// The dated snapshot, as line items name it.
    id: &'static str,
    input: Price,
    cached_input: Option<Price>,
    output: Option<Price>,
}

pub(super) const GPT_4O: Model = Model {
    id: "gpt-4o-2024-08-06",
    input: Price(2_500),
    cached_input: Some(Price(1_250)),
    output: Some(Price(10_000)),
};

pub(super) const GPT_4O_MINI: Model = Model {
    id: "gpt-4o-mini-2024-07-18",
    input: Price(150),
    cached_input: Some(Price(75)),
    output: Some(Price(600)),
};

pub(super) const GPT_4_1: Model = Model {
    id: "gpt-4.1-2025-04-14",
    input: Price(2_000),
    cached_input: Some(Price(500)),
    output: Some(Price(8_000)),
};

pub(super) const O3: Model = Model {
    id: "o3-2025-04-16",
    input: Price(2_000),
    cached_input: Some(Price(500)),
    output: Some(Price(8_000)),
};

pub(super) const TEXT_EMBEDDING_3_SMALL: Model = Model {
    id: "text-embedding-3-small",
    input: Price(20),
    cached_input: None,
    output: None,
};

impl Model {
    fn price(&self, token_kind: TokenKind) -> Option<Price> {
        match token_kind {
            TokenKind::Input => Some(self.input),
            TokenKind::CachedInput => self.cached_input,
            TokenKind::Output => self.output,
        }
    }
}

#[derive(Clone, Copy)]
enum TokenKind {
    Input,
    CachedInput,
    Output,
}

impl TokenKind {
    const ALL: [Self; 3] = [Self::Input, Self::CachedInput, Self::Output];

    /// How a line item ends for this kind: `gpt-4o-2024-08-06, cached input`.
    fn line_item_suffix(self) -> &'static str {
        match self {
            Self::Input => "input",
            Self::CachedInput => "cached input",
            Self::Output => "output",
        }
    }
}

/// How many tokens of each other kind a workload uses per (uncached) input token.
pub(super) struct TokenMix {
    pub cached_input: f64,
    pub output: f64,
}

impl TokenMix {
    pub(super) const INPUT_ONLY: Self = Self {
        cached_input: 0.0,
        output: 0.0,
    };

    fn per_input_token(&self, token_kind: TokenKind) -> f64 {
        match token_kind {
            TokenKind::Input => 1.0,
            TokenKind::CachedInput => self.cached_input,
            TokenKind::Output => self.output,
        }
    }

    /// What the tokens that come with one input token cost, in US dollars.
    fn usd_per_input_token(&self, model: &Model) -> f64 {
        TokenKind::ALL
            .into_iter()
            .filter_map(|kind| {
                Some(self.per_input_token(kind) * model.price(kind)?.usd_per_token())
            })
            .sum()
    }
}

/// A tool billed per call, on a line item of its own.
#[derive(Clone, Copy)]
pub(super) enum Tool {
    WebSearch,
    FileSearch,
}

impl Tool {
    fn line_item(self) -> &'static str {
        match self {
            Self::WebSearch => "web search tool calls",
            Self::FileSearch => "assistants api | file search",
        }
    }

    /// $10 per thousand web searches, $2.50 per thousand file searches.
    fn usd_per_call(self) -> f64 {
        match self {
            Self::WebSearch => 0.01,
            Self::FileSearch => 0.0025,
        }
    }
}

/// The costs pages for `period`, oldest first.
pub(super) fn costs_pages(period: &Period) -> anyhow::Result<VendorPages> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut buckets = Vec::with_capacity(period.days().len());
    let mut models = BTreeSet::new();
    for &day in period.days() {
        let mut results = Vec::new();
        for workload in &WORKLOADS {
            workload.costs_results(period, day, &mut rng, &mut results, &mut models)?;
        }
        let start_time = day.midnight().assume_utc().unix_timestamp();
        buckets.push(Bucket {
            object: "bucket",
            start_time,
            end_time: start_time + SECONDS_PER_DAY,
            results,
        });
    }

    let mut total_usd = Decimal::ZERO;
    for result in buckets.iter().flat_map(|bucket| &bucket.results) {
        let text = result.amount.value.get();
        total_usd += Decimal::from_str_exact(text)
            .with_context(|| format!("the amount `{text}` is not an exact decimal"))?;
    }

    let chunks: Vec<&[Bucket]> = buckets.chunks(BUCKETS_PER_PAGE).collect();
    let mut pages = Vec::with_capacity(chunks.len());
    for (index, &data) in chunks.iter().enumerate() {
        let next = chunks.get(index + 1);
        let page = CostsPage {
            object: "page",
            data,
            has_more: next.is_some(),
            next_page: next.map(|next| page_token(&next[0].start_time.to_be_bytes())),
        };
        pages.push(serde_json::to_vec(&page).context("cannot serialize a costs page")?);
    }
    Ok(VendorPages {
        pages,
        total_usd,
        models,
    })
}

impl Workload {
    /// Appends the workload's non-zero costs results for `day` to `results`, and the models
    /// they bill to `models`.
    fn costs_results(
        &self,
        period: &Period,
        day: Date,
        rng: &mut impl Rng,
        results: &mut Vec<CostsResult>,
        models: &mut BTreeSet<&'static str>,
    ) -> anyhow::Result<()> {
        let usd = self.demand.usd_on(period, day, rng);
        match &self.usage {
            Usage::ToolCalls(tool) => {
                let calls = (usd / tool.usd_per_call()).round();
                if calls >= 1.0 {
                    let value = calls * tool.usd_per_call();
                    results.push(CostsResult::new(
                        self.project_id,
                        tool.line_item().to_owned(),
                        value,
                    )?);
                }
            }
            Usage::Tokens {
                model,
                mix,
                migration,
            } => {
                let input_tokens = usd / mix.usd_per_input_token(model);
                for (model, share) in model_split(*model, migration.as_ref(), period, day) {
                    for kind in TokenKind::ALL {
                        let Some(price) = model.price(kind) else {
                            continue;
                        };
                        let per_input = mix.per_input_token(kind);
                        let tokens = (input_tokens * share * per_input * row_noise(rng)).round();
                        if tokens < 1.0 {
                            continue;
                        }
                        let line_item = format!("{}, {}", model.id, kind.line_item_suffix());
                        let value = tokens * price.usd_per_token();
                        results.push(CostsResult::new(self.project_id, line_item, value)?);
                        models.insert(model.id);
                    }
                }
            }
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct CostsPage<'a> {
    object: &'static str,
    data: &'a [Bucket],
    has_more: bool,
    next_page: Option<String>,
}

#[derive(Serialize)]
struct Bucket {
    object: &'static str,
    start_time: i64,
    end_time: i64,
    results: Vec<CostsResult>,
}

#[derive(Serialize)]
struct CostsResult {
    object: &'static str,
    amount: Amount,
    line_item: String,
    project_id: Option<&'static str>,
    organization_id: &'static str,
}

impl CostsResult {
    fn new(
        project_id: Option<&'static str>,
        line_item: String,
        value_usd: f64,
    ) -> anyhow::Result<Self> {
        let value = RawValue::from_string(value_usd.to_string())
            .with_context(|| format!("the amount `{value_usd}` is not a JSON number"))?;
        Ok(Self {
            object: "organization.costs.result",
            amount: Amount {
                value,
                currency: "usd",
            },
            line_item,
            project_id,
            organization_id: OPENAI_ORGANIZATION,
        })
    }
}

#[derive(Serialize)]
struct Amount {
    /// In US dollars, as the text of the JSON number.
    value: Box<RawValue>,
    currency: &'static str,
}
