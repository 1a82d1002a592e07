//! What the demo organization runs on the `openai` source: each team's workloads, from its
//! project, with their models or tools, token mixes and demand over the period.

use super::calendar::{Demand, Migration, Schedule};
use super::openai::{
    GPT_4_1, GPT_4O, GPT_4O_MINI, Model, O3, TEXT_EMBEDDING_3_SMALL, TokenMix, Tool,
};
use super::organization::project;

/// What a workload pays for.
pub(super) enum Usage {
    /// Tokens of one model, or of two while part of them migrates to a newer one.
    Tokens {
        model: &'static Model,
        mix: TokenMix,
        migration: Option<Migration<Model>>,
    },
    /// Calls to a tool billed per call.
    ToolCalls(Tool),
}

/// One use of the API by a team (or by whoever uses the gateway or the default project).
pub(super) struct Workload {
    /// `None` is the default project.
    pub project_id: Option<&'static str>,
    pub usage: Usage,
    pub demand: Demand,
}

/// The workloads, in the order their rows appear in a bucket.
pub(super) const WORKLOADS: [Workload; 16] = [
    // growth writes marketing e-mails and landing-page variants: cheap tokens, lots of them.
    Workload {
        project_id: Some(project::GROWTH),
        usage: Usage::Tokens {
            model: &GPT_4O_MINI,
            mix: TokenMix {
                cached_input: 0.6,
                output: 0.25,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 75.0,
            monthly_growth: 0.12,
            weekend_share: 0.35,
            schedule: Schedule::Ongoing,
        },
    },
    // data-science's analyses.
    Workload {
        project_id: Some(project::DATA_SCIENCE),
        usage: Usage::Tokens {
            model: &O3,
            mix: TokenMix {
                cached_input: 0.3,
                output: 0.4,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 45.0,
            monthly_growth: 0.06,
            weekend_share: 0.2,
            schedule: Schedule::Ongoing,
        },
    },
    Workload {
        project_id: Some(project::DATA_SCIENCE),
        usage: Usage::Tokens {
            model: &GPT_4_1,
            mix: TokenMix {
                cached_input: 0.0,
                output: 0.2,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 20.0,
            monthly_growth: 0.06,
            weekend_share: 0.2,
            schedule: Schedule::Ongoing,
        },
    },
    // Notebooks in the default project.
    Workload {
        project_id: None,
        usage: Usage::Tokens {
            model: &GPT_4O,
            mix: TokenMix {
                cached_input: 0.0,
                output: 0.2,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 18.0,
            monthly_growth: 0.04,
            weekend_share: 0.15,
            schedule: Schedule::Ongoing,
        },
    },
    Workload {
        project_id: None,
        usage: Usage::Tokens {
            model: &GPT_4O_MINI,
            mix: TokenMix {
                cached_input: 0.0,
                output: 0.3,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 4.0,
            monthly_growth: 0.04,
            weekend_share: 0.15,
            schedule: Schedule::Ongoing,
        },
    },
    // ml-platform's embedding pipeline, which runs every day.
    Workload {
        project_id: Some(project::ML_EMBEDDINGS),
        usage: Usage::Tokens {
            model: &TEXT_EMBEDDING_3_SMALL,
            mix: TokenMix::INPUT_ONLY,
            migration: None,
        },
        demand: Demand {
            weekday_usd: 28.0,
            monthly_growth: 0.08,
            weekend_share: 0.6,
            schedule: Schedule::Ongoing,
        },
    },
    // ml-platform's model evaluations.
    Workload {
        project_id: Some(project::ML_EVALS),
        usage: Usage::Tokens {
            model: &O3,
            mix: TokenMix {
                cached_input: 0.5,
                output: 0.3,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 70.0,
            monthly_growth: 0.1,
            weekend_share: 0.3,
            schedule: Schedule::Ongoing,
        },
    },
    // ml-platform's agents project, new in the middle of the period's fourth month.
    Workload {
        project_id: Some(project::ML_AGENTS),
        usage: Usage::Tokens {
            model: &GPT_4_1,
            mix: TokenMix {
                cached_input: 1.2,
                output: 0.15,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 90.0,
            monthly_growth: 0.15,
            weekend_share: 0.3,
            schedule: Schedule::FromNewKeyLaunch,
        },
    },
    // mobile's in-app assistant, used at weekends too, moving from GPT-4o to GPT-4.1.
    Workload {
        project_id: Some(project::MOBILE),
        usage: Usage::Tokens {
            model: &GPT_4O,
            mix: TokenMix {
                cached_input: 0.4,
                output: 0.3,
            },
            migration: Some(Migration {
                to: &GPT_4_1,
                final_share: 0.75,
            }),
        },
        demand: Demand {
            weekday_usd: 65.0,
            monthly_growth: 0.08,
            weekend_share: 0.55,
            schedule: Schedule::Ongoing,
        },
    },
    // finance-ops reads invoices through an assistant with file search, on weekdays only.
    Workload {
        project_id: Some(project::FINANCE_OPS),
        usage: Usage::Tokens {
            model: &GPT_4O,
            mix: TokenMix {
                cached_input: 0.0,
                output: 0.1,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 16.0,
            monthly_growth: 0.05,
            weekend_share: 0.0,
            schedule: Schedule::Ongoing,
        },
    },
    Workload {
        project_id: Some(project::FINANCE_OPS),
        usage: Usage::ToolCalls(Tool::FileSearch),
        demand: Demand {
            weekday_usd: 2.5,
            monthly_growth: 0.05,
            weekend_share: 0.0,
            schedule: Schedule::Ongoing,
        },
    },
    // sales-assist's e-mail drafts, with web search.
    Workload {
        project_id: Some(project::SALES_ASSIST),
        usage: Usage::Tokens {
            model: &GPT_4O,
            mix: TokenMix {
                cached_input: 0.0,
                output: 0.15,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 25.0,
            monthly_growth: 0.12,
            weekend_share: 0.15,
            schedule: Schedule::Ongoing,
        },
    },
    Workload {
        project_id: Some(project::SALES_ASSIST),
        usage: Usage::ToolCalls(Tool::WebSearch),
        demand: Demand {
            weekday_usd: 5.0,
            monthly_growth: 0.12,
            weekend_share: 0.15,
            schedule: Schedule::Ongoing,
        },
    },
    // search embeds its documents.
    Workload {
        project_id: Some(project::SEARCH),
        usage: Usage::Tokens {
            model: &TEXT_EMBEDDING_3_SMALL,
            mix: TokenMix::INPUT_ONLY,
            migration: None,
        },
        demand: Demand {
            weekday_usd: 22.0,
            monthly_growth: 0.08,
            weekend_share: 0.5,
            schedule: Schedule::Ongoing,
        },
    },
    // The shared gateway several teams call through.
    Workload {
        project_id: Some(project::GATEWAY),
        usage: Usage::Tokens {
            model: &GPT_4O,
            mix: TokenMix {
                cached_input: 0.5,
                output: 0.2,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 45.0,
            monthly_growth: 0.1,
            weekend_share: 0.3,
            schedule: Schedule::Ongoing,
        },
    },
    Workload {
        project_id: Some(project::GATEWAY),
        usage: Usage::Tokens {
            model: &GPT_4O_MINI,
            mix: TokenMix {
                cached_input: 0.0,
                output: 0.3,
            },
            migration: None,
        },
        demand: Demand {
            weekday_usd: 12.0,
            monthly_growth: 0.1,
            weekend_share: 0.3,
            schedule: Schedule::Ongoing,
        },
    },
];
