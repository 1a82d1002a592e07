//! The demo organization's Anthropic spend, as pages of the Admin API cost report
//! (`GET /v1/organizations/cost_report` grouped by `workspace_id` and `description`, one-day
//! buckets, seven buckets a page).
//!
//! Amounts are decimal strings in cents, computed exactly from token counts and list prices, so
//! their number of decimals follows the price (none for web search, up to six for cache writes).

use std::collections::BTreeSet;

use anyhow::Context as _;
use rand::{Rng, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use time::Date;

use super::anthropic_workloads::{Usage, WORKLOADS, Workload};
use super::calendar::{Period, model_split, row_noise};
use super::{Price, VendorPages, page_token};

const SEED: u64 = 0x616e_7468_726f_7069;
const BUCKETS_PER_PAGE: usize = 7;
/// Web search costs $10 per thousand searches.
const USD_PER_WEB_SEARCH: f64 = 0.01;
const CENTS_PER_WEB_SEARCH: u64 = 1;

/// A Claude model and its list prices.
pub(super) struct Model {
    /// The dated snapshot, as the cost report's `model` gives it.
    id: &'static str,
    /// The name the cost report's `description` starts with.
    name: &'static str,
    uncached_input: Price,
    cache_read: Price,
    /// Writes to the five-minute cache.
    cache_write: Price,
    output: Price,
}

pub(super) const SONNET_4_5: Model = Model {
    id: "claude-sonnet-4-5-20250929",
    name: "Claude Sonnet 4.5",
    uncached_input: Price(3_000),
    cache_read: Price(300),
    cache_write: Price(3_750),
    output: Price(15_000),
};

pub(super) const HAIKU_4_5: Model = Model {
    id: "claude-haiku-4-5-20251001",
    name: "Claude Haiku 4.5",
    uncached_input: Price(1_000),
    cache_read: Price(100),
    cache_write: Price(1_250),
    output: Price(5_000),
};

pub(super) const OPUS_4_1: Model = Model {
    id: "claude-opus-4-1-20250805",
    name: "Claude Opus 4.1",
    uncached_input: Price(15_000),
    cache_read: Price(1_500),
    cache_write: Price(18_750),
    output: Price(75_000),
};

impl Model {
    fn price(&self, token_type: TokenType) -> Price {
        match token_type {
            TokenType::UncachedInput => self.uncached_input,
            TokenType::CacheRead => self.cache_read,
            TokenType::CacheWrite => self.cache_write,
            TokenType::Output => self.output,
        }
    }
}

#[derive(Clone, Copy)]
enum TokenType {
    UncachedInput,
    CacheRead,
    CacheWrite,
    Output,
}

impl TokenType {
    const ALL: [Self; 4] = [
        Self::UncachedInput,
        Self::CacheRead,
        Self::CacheWrite,
        Self::Output,
    ];

    fn api_name(self) -> &'static str {
        match self {
            Self::UncachedInput => "uncached_input_tokens",
            Self::CacheRead => "cache_read_input_tokens",
            Self::CacheWrite => "cache_creation.ephemeral_5m_input_tokens",
            Self::Output => "output_tokens",
        }
    }

    /// How the cost report's `description` ends for this token type.
    fn description(self) -> &'static str {
        match self {
            Self::UncachedInput => "Input Tokens",
            Self::CacheRead => "Cache Read Input Tokens",
            Self::CacheWrite => "Cache Write Input Tokens",
            Self::Output => "Output Tokens",
        }
    }
}

#[derive(Clone, Copy)]
pub(super) enum ServiceTier {
    Standard,
    /// The Message Batches API, at half the list price.
    Batch,
}

impl ServiceTier {
    fn api_name(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Batch => "batch",
        }
    }

    fn share_of_list_price(self) -> Decimal {
        match self {
            Self::Standard => Decimal::ONE,
            Self::Batch => Decimal::new(5, 1),
        }
    }
}

/// How many tokens of each other type a workload uses per uncached input token.
pub(super) struct TokenMix {
    pub cache_read: f64,
    pub cache_write: f64,
    pub output: f64,
}

impl TokenMix {
    pub(super) const fn without_cache(output: f64) -> Self {
        Self {
            cache_read: 0.0,
            cache_write: 0.0,
            output,
        }
    }

    fn per_uncached_input_token(&self, token_type: TokenType) -> f64 {
        match token_type {
            TokenType::UncachedInput => 1.0,
            TokenType::CacheRead => self.cache_read,
            TokenType::CacheWrite => self.cache_write,
            TokenType::Output => self.output,
        }
    }

    /// What the tokens that come with one uncached input token cost, in US dollars.
    fn usd_per_uncached_input_token(&self, model: &Model, tier: ServiceTier) -> f64 {
        let list_usd: f64 = TokenType::ALL
            .into_iter()
            .map(|token_type| {
                self.per_uncached_input_token(token_type) * model.price(token_type).usd_per_token()
            })
            .sum();
        match tier {
            ServiceTier::Standard => list_usd,
            ServiceTier::Batch => list_usd / 2.0,
        }
    }
}

/// The cost report pages for `period`, oldest first.
pub(super) fn cost_report_pages(period: &Period) -> anyhow::Result<VendorPages> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut buckets = Vec::with_capacity(period.days().len());
    for &day in period.days() {
        let mut results = Vec::new();
        for workload in &WORKLOADS {
            workload.cost_items(period, day, &mut rng, &mut results);
        }
        let ending = day
            .next_day()
            .context("the demo period ends on the last representable day")?;
        buckets.push(CostBucket {
            starting_at: rfc3339(day),
            ending_at: rfc3339(ending),
            results,
        });
    }

    let mut total_cents = Decimal::ZERO;
    let mut models = BTreeSet::new();
    for item in buckets.iter().flat_map(|bucket| &bucket.results) {
        total_cents += item.amount;
        models.extend(item.model);
    }

    let chunks: Vec<&[CostBucket]> = buckets.chunks(BUCKETS_PER_PAGE).collect();
    let mut pages = Vec::with_capacity(chunks.len());
    for (index, &data) in chunks.iter().enumerate() {
        let next = chunks.get(index + 1);
        let page = CostReportPage {
            data,
            has_more: next.is_some(),
            next_page: next.map(|next| page_token(next[0].starting_at.as_bytes())),
        };
        pages.push(serde_json::to_vec(&page).context("cannot serialize a cost report page")?);
    }
    Ok(VendorPages {
        pages,
        total_usd: total_cents / Decimal::ONE_HUNDRED,
        models,
    })
}

impl Workload {
    /// Appends the workload's non-zero cost items for `day` to `items`.
    fn cost_items(
        &self,
        period: &Period,
        day: Date,
        rng: &mut impl Rng,
        items: &mut Vec<CostItem>,
    ) {
        let usd = self.demand.usd_on(period, day, rng);
        match &self.usage {
            Usage::WebSearch => {
                let searches = whole(usd / USD_PER_WEB_SEARCH);
                if searches > 0 {
                    items.push(CostItem::web_search(
                        self.workspace_id,
                        Decimal::from(searches * CENTS_PER_WEB_SEARCH),
                    ));
                }
            }
            Usage::Tokens {
                model,
                tier,
                mix,
                migration,
            } => {
                let uncached_input_tokens = usd / mix.usd_per_uncached_input_token(model, *tier);
                let split = model_split(*model, migration.as_ref(), period, day);
                for (model, share) in split {
                    for token_type in TokenType::ALL {
                        let per_input = mix.per_uncached_input_token(token_type);
                        let tokens =
                            whole(uncached_input_tokens * share * per_input * row_noise(rng));
                        if tokens == 0 {
                            continue;
                        }
                        let cents_per_token =
                            model.price(token_type).cents_per_token() * tier.share_of_list_price();
                        let amount = (Decimal::from(tokens) * cents_per_token).round_dp(6);
                        items.push(CostItem::tokens(
                            self.workspace_id,
                            model,
                            token_type,
                            *tier,
                            amount,
                        ));
                    }
                }
            }
        }
    }
}

#[derive(Serialize)]
struct CostReportPage<'a> {
    data: &'a [CostBucket],
    has_more: bool,
    next_page: Option<String>,
}

#[derive(Serialize)]
struct CostBucket {
    starting_at: String,
    ending_at: String,
    results: Vec<CostItem>,
}

/// One row of a bucket, its fields in the order the API gives them.
#[derive(Serialize)]
struct CostItem {
    currency: &'static str,
    /// In cents.
    #[serde(serialize_with = "decimal_string")]
    amount: Decimal,
    workspace_id: Option<&'static str>,
    description: String,
    cost_type: &'static str,
    context_window: Option<&'static str>,
    model: Option<&'static str>,
    service_tier: Option<&'static str>,
    token_type: Option<&'static str>,
    /// Always null: the report is not grouped by inference geography.
    inference_geo: Option<&'static str>,
}

impl CostItem {
    fn tokens(
        workspace_id: Option<&'static str>,
        model: &Model,
        token_type: TokenType,
        tier: ServiceTier,
        amount_cents: Decimal,
    ) -> Self {
        Self {
            currency: "USD",
            amount: amount_cents,
            workspace_id,
            description: format!("{} Usage - {}", model.name, token_type.description()),
            cost_type: "tokens",
            context_window: Some("0-200k"),
            model: Some(model.id),
            service_tier: Some(tier.api_name()),
            token_type: Some(token_type.api_name()),
            inference_geo: None,
        }
    }

    fn web_search(workspace_id: Option<&'static str>, amount_cents: Decimal) -> Self {
        Self {
            currency: "USD",
            amount: amount_cents,
            workspace_id,
            description: "Web Search Usage".to_owned(),
            cost_type: "web_search",
            context_window: None,
            model: None,
            service_tier: None,
            token_type: None,
            inference_geo: None,
        }
    }
}

fn decimal_string<S: Serializer>(amount: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(amount)
}

/// Midnight UTC of `day` as the cost report writes it: `2026-10-01T00:00:00Z`.
fn rfc3339(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}T00:00:00Z",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// A count rounded to a whole number; negative counts become zero.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "daily token and search counts are far below `u64::MAX`, and `as` saturates"
)]
fn whole(count: f64) -> u64 {
    count.round() as u64
}
