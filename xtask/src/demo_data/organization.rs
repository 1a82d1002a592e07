//! The demo organization: its teams, their Anthropic and Mistral workspaces and their projects
//! at the `openai` source, and the allocation rules that give each workspace and project to its
//! team, and the clouds' spend to the team its tags or labels name.
//!
//! Each team's keys share a readable prefix, so one glob rule covers a team's keys, including
//! the ml-platform project that appears in the middle of the period. The shared gateway (a
//! workspace and a project that several teams call through) and the Anthropic default workspace
//! match no rule, so their spend shows as Unallocated.

/// The teams that own workspaces and projects, as the allocation rules name them.
pub(super) const TEAMS: [&str; 12] = [
    "search",
    "support-bot",
    "docs-ai",
    "growth",
    "data-science",
    "ml-platform",
    "sales-assist",
    "legal-review",
    "recruiting",
    "security",
    "mobile",
    "finance-ops",
];

/// Anthropic workspace ids; `None` in a workload is the default workspace.
pub(super) mod workspace {
    pub const SUPPORT_CHAT: &str = "wrkspc_01SUPPORTCHAT7Q2M4K9XH3B8N";
    pub const SUPPORT_MAIL: &str = "wrkspc_01SUPPORTMAIL5W8R1T6YZ2KD0";
    pub const SEARCH_QUERY: &str = "wrkspc_01SEARCHQUERY4N7P2V9C3M8TB";
    pub const SEARCH_RANK: &str = "wrkspc_01SEARCHRANK6H1X5Q8Z2R7WJK";
    pub const DOCS_AI: &str = "wrkspc_01DOCSAI3F9K7B2M5T8V1Q6R4Z";
    pub const SALES_ASSIST: &str = "wrkspc_01SALES8D2J6N4W9Y1C5T3X7KM";
    pub const LEGAL_REVIEW: &str = "wrkspc_01LEGAL2B7F4H9R6V1M8Q3Z5TW";
    pub const RECRUITING: &str = "wrkspc_01RECRUIT9P3K6D1X4N8J2C7YB";
    pub const SECURITY: &str = "wrkspc_01SECOPS5R8T2W7F1J4H9M3QXV";
    pub const GATEWAY: &str = "wrkspc_01GATEWAY1K4V7C2N9B5X8T3DR";
}

/// `openai` project ids; `None` in a workload is the default project.
pub(super) mod project {
    pub const GROWTH: &str = "proj_Growthk3Rt9vQ2mXw7LpB4sN";
    pub const DATA_SCIENCE: &str = "proj_DataSci8fJ2qWz5Hn3Ry7Ks4";
    pub const ML_EMBEDDINGS: &str = "proj_MLPlatEmbedVx4nR8cK2tQ7w";
    pub const ML_EVALS: &str = "proj_MLPlatEvalsb9Hs3Lm6Zp1Yd";
    /// The key that appears mid-period: ml-platform's agents project.
    pub const ML_AGENTS: &str = "proj_MLPlatAgentsT5gW2kN8rC4j";
    pub const MOBILE: &str = "proj_MobileQ7zX3bV9nM2cL5kR8w";
    pub const FINANCE_OPS: &str = "proj_FinOpsh2Jd6Tq9Wx4Np7Bs3K";
    pub const SALES_ASSIST: &str = "proj_Salesm8Yc4Fr1Vz7Kt3Hq6Lp";
    pub const SEARCH: &str = "proj_Searchw5Nb2Xk8Rj4Mc9Tz1D";
    pub const GATEWAY: &str = "proj_Gatewayr3Lq7Pv1Hx5Ws9Ck2";
}

/// Mistral AI workspace ids.
pub(super) mod mistral_workspace {
    pub const DOCS_AI: &str = "6f0c2d7e-3b9a-4c15-8e42-d1a7b5c90f36";
    pub const SUPPORT: &str = "a3e81b54-92c7-4d6f-b0e8-5c2f7a19d4e1";
}

/// The organization id on every `openai` costs result.
pub(super) const OPENAI_ORGANIZATION: &str = "org-4kTq9ZrW2mYx7NvB3pLs8HdC";

/// The demo's `allocation.toml`.
pub(super) const ALLOCATION_TOML: &str = r#"# Allocation rules for the allot demo organization.
#
# Each rule gives a team to the spend whose attribution key matches `key`: the Anthropic or
# Mistral workspace id, or the OpenAI project id (`default` for the default workspace or
# project).
# `key` is an exact id or a glob with `*` and `?`; `source` limits a rule to one vendor.
# Rules are tried in order and the first match wins; spend no rule matches is Unallocated.
#
# Every team's keys start with the same prefix, so a new workspace or project a team creates
# is allocated with no edit here (ml-platform's agents project appears mid-period this way).
# The clouds' spend carries a `team` tag (AWS principal tags, Azure resource tags, Google
# labels), and the last rules give it to the team the tag names.
#
# Deliberately unmatched, so they show as Unallocated:
# - the shared gateway (wrkspc_01GATEWAY..., proj_Gateway..., and the llm-gateway role on AWS)
#   that several teams call through;
# - the Anthropic default workspace, where people try things out in the Console.

# Anthropic workspaces.
[[team]]
source = "anthropic"
key = "wrkspc_01SUPPORT*"
value = "support-bot"

[[team]]
source = "anthropic"
key = "wrkspc_01SEARCH*"
value = "search"

[[team]]
source = "anthropic"
key = "wrkspc_01DOCSAI*"
value = "docs-ai"

[[team]]
source = "anthropic"
key = "wrkspc_01SALES*"
value = "sales-assist"

# Legal has a single workspace and wants no other: an exact id.
[[team]]
source = "anthropic"
key = "wrkspc_01LEGAL2B7F4H9R6V1M8Q3Z5TW"
value = "legal-review"

[[team]]
source = "anthropic"
key = "wrkspc_01RECRUIT*"
value = "recruiting"

[[team]]
source = "anthropic"
key = "wrkspc_01SECOPS*"
value = "security"

# OpenAI projects: their ids start with `proj_`, so these rules need no source.
[[team]]
key = "proj_Search*"
value = "search"

[[team]]
key = "proj_Sales*"
value = "sales-assist"

[[team]]
key = "proj_Growth*"
value = "growth"

[[team]]
key = "proj_DataSci*"
value = "data-science"

[[team]]
key = "proj_MLPlat*"
value = "ml-platform"

[[team]]
key = "proj_Mobile*"
value = "mobile"

[[team]]
key = "proj_FinOps*"
value = "finance-ops"

# The data scientists' notebooks run in OpenAI's default project.
[[team]]
source = "openai"
key = "default"
value = "data-science"

# Mistral AI workspaces.
[[team]]
source = "mistral"
key = "6f0c2d7e-3b9a-4c15-8e42-d1a7b5c90f36"
value = "docs-ai"

[[team]]
source = "mistral"
key = "a3e81b54-92c7-4d6f-b0e8-5c2f7a19d4e1"
value = "support-bot"

# The clouds: the team is the `team` tag, wherever the bill carries one.
[[team]]
source = "aws"
tags = { team = "*" }
value = { tag = "team" }

[[team]]
source = "azure"
tags = { team = "*" }
value = { tag = "team" }

[[team]]
source = "gcp"
tags = { team = "*" }
value = { tag = "team" }
"#;
