//! What the demo organization runs on Claude: each team's workloads, from its workspace, with
//! their models, token mixes and demand over the period.

use super::anthropic::{HAIKU_4_5, Model, OPUS_4_1, SONNET_4_5, ServiceTier, TokenMix};
use super::calendar::{Demand, Migration, Schedule};
use super::organization::workspace;

/// What a workload pays for.
pub(super) enum Usage {
    /// Tokens of one model, or of two while part of them migrates to a newer one.
    Tokens {
        model: &'static Model,
        tier: ServiceTier,
        mix: TokenMix,
        migration: Option<Migration<Model>>,
    },
    /// Web searches, billed per search.
    WebSearch,
}

/// One use of Claude by a team (or by whoever uses the gateway or the default workspace).
pub(super) struct Workload {
    /// `None` is the default workspace.
    pub workspace_id: Option<&'static str>,
    pub usage: Usage,
    pub demand: Demand,
}

/// The workloads, in the order their rows appear in a bucket.
pub(super) const WORKLOADS: [Workload; 14] = [
    // support-bot's customer chat agent, the biggest spender: long cached system prompts.
    Workload {
        workspace_id: Some(workspace::SUPPORT_CHAT),
        usage: Usage::Tokens {
            model: &SONNET_4_5,
            tier: ServiceTier::Standard,
            mix: TokenMix {
                cache_read: 5.0,
                cache_write: 0.35,
                output: 0.22,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 300.0,
            monthly_growth: 0.1,
            weekend_share: 0.45,
            schedule: Schedule::Ongoing,
        },
    },
    // support-bot's e-mail triage.
    Workload {
        workspace_id: Some(workspace::SUPPORT_MAIL),
        usage: Usage::Tokens {
            model: &HAIKU_4_5,
            tier: ServiceTier::Standard,
            mix: TokenMix::without_cache(0.15),
            migration: None,
        },
        demand: Demand {
            weekday_usd: 45.0,
            monthly_growth: 0.06,
            weekend_share: 0.3,
            schedule: Schedule::Ongoing,
        },
    },
    // search's query understanding: many short calls.
    Workload {
        workspace_id: Some(workspace::SEARCH_QUERY),
        usage: Usage::Tokens {
            model: &HAIKU_4_5,
            tier: ServiceTier::Standard,
            mix: TokenMix {
                cache_read: 2.0,
                cache_write: 0.0,
                output: 0.1,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 110.0,
            monthly_growth: 0.09,
            weekend_share: 0.4,
            schedule: Schedule::Ongoing,
        },
    },
    // search's one-off backfill: re-summarizing the whole index through the Batches API.
    Workload {
        workspace_id: Some(workspace::SEARCH_QUERY),
        usage: Usage::Tokens {
            model: &HAIKU_4_5,
            tier: ServiceTier::Batch,
            mix: TokenMix::without_cache(0.12),
            migration: None,
        },
        demand: Demand {
            weekday_usd: 2_000.0,
            monthly_growth: 0.0,
            weekend_share: 1.0,
            schedule: Schedule::Backfill,
        },
    },
    // search's answer ranking.
    Workload {
        workspace_id: Some(workspace::SEARCH_RANK),
        usage: Usage::Tokens {
            model: &SONNET_4_5,
            tier: ServiceTier::Standard,
            mix: TokenMix {
                cache_read: 3.0,
                cache_write: 0.2,
                output: 0.08,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 150.0,
            monthly_growth: 0.08,
            weekend_share: 0.4,
            schedule: Schedule::Ongoing,
        },
    },
    // docs-ai writes help articles and moves most of them from Opus 4.1 to Sonnet 4.5.
    Workload {
        workspace_id: Some(workspace::DOCS_AI),
        usage: Usage::Tokens {
            model: &OPUS_4_1,
            tier: ServiceTier::Standard,
            mix: TokenMix {
                cache_read: 2.5,
                cache_write: 0.2,
                output: 0.1,
            },
            migration: Some(Migration {
                to: &SONNET_4_5,
                final_share: 0.8,
            }),
        },
        demand: Demand {
            weekday_usd: 140.0,
            monthly_growth: 0.1,
            weekend_share: 0.25,
            schedule: Schedule::Ongoing,
        },
    },
    // sales-assist drafts account research, with web search.
    Workload {
        workspace_id: Some(workspace::SALES_ASSIST),
        usage: Usage::Tokens {
            model: &SONNET_4_5,
            tier: ServiceTier::Standard,
            mix: TokenMix::without_cache(0.12),
            migration: None,
        },
        demand: Demand {
            weekday_usd: 35.0,
            monthly_growth: 0.12,
            weekend_share: 0.15,
            schedule: Schedule::Ongoing,
        },
    },
    Workload {
        workspace_id: Some(workspace::SALES_ASSIST),
        usage: Usage::WebSearch,
        demand: Demand {
            weekday_usd: 6.0,
            monthly_growth: 0.12,
            weekend_share: 0.15,
            schedule: Schedule::Ongoing,
        },
    },
    // legal-review reads contracts, on weekdays only.
    Workload {
        workspace_id: Some(workspace::LEGAL_REVIEW),
        usage: Usage::Tokens {
            model: &OPUS_4_1,
            tier: ServiceTier::Standard,
            mix: TokenMix::without_cache(0.05),
            migration: None,
        },
        demand: Demand {
            weekday_usd: 40.0,
            monthly_growth: 0.05,
            weekend_share: 0.0,
            schedule: Schedule::Ongoing,
        },
    },
    // recruiting screens applications, on weekdays only.
    Workload {
        workspace_id: Some(workspace::RECRUITING),
        usage: Usage::Tokens {
            model: &HAIKU_4_5,
            tier: ServiceTier::Standard,
            mix: TokenMix::without_cache(0.2),
            migration: None,
        },
        demand: Demand {
            weekday_usd: 7.0,
            monthly_growth: 0.04,
            weekend_share: 0.0,
            schedule: Schedule::Ongoing,
        },
    },
    // security triages alerts, which do not stop at weekends.
    Workload {
        workspace_id: Some(workspace::SECURITY),
        usage: Usage::Tokens {
            model: &SONNET_4_5,
            tier: ServiceTier::Standard,
            mix: TokenMix::without_cache(0.06),
            migration: None,
        },
        demand: Demand {
            weekday_usd: 28.0,
            monthly_growth: 0.08,
            weekend_share: 0.7,
            schedule: Schedule::Ongoing,
        },
    },
    // The shared gateway several teams call through.
    Workload {
        workspace_id: Some(workspace::GATEWAY),
        usage: Usage::Tokens {
            model: &SONNET_4_5,
            tier: ServiceTier::Standard,
            mix: TokenMix {
                cache_read: 1.5,
                cache_write: 0.1,
                output: 0.15,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 95.0,
            monthly_growth: 0.11,
            weekend_share: 0.3,
            schedule: Schedule::Ongoing,
        },
    },
    Workload {
        workspace_id: Some(workspace::GATEWAY),
        usage: Usage::Tokens {
            model: &HAIKU_4_5,
            tier: ServiceTier::Standard,
            mix: TokenMix::without_cache(0.2),
            migration: None,
        },
        demand: Demand {
            weekday_usd: 25.0,
            monthly_growth: 0.11,
            weekend_share: 0.3,
            schedule: Schedule::Ongoing,
        },
    },
    // People trying things out in the Console, in the default workspace.
    Workload {
        workspace_id: None,
        usage: Usage::Tokens {
            model: &SONNET_4_5,
            tier: ServiceTier::Standard,
            mix: TokenMix::without_cache(0.2),
            migration: None,
        },
        demand: Demand {
            weekday_usd: 22.0,
            monthly_growth: 0.03,
            weekend_share: 0.2,
            schedule: Schedule::Ongoing,
        },
    },
];
