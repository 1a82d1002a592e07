//! A generated workload for the allocation benchmarks: charges of the six vendors over 180
//! days, and 50 rules that read every kind of field, with two shared-cost splits.
//!
//! The same workload runs natively (`core/benches/allocation.rs`) and in the browser
//! (`core/tests/browser_benchmark.rs`), so their figures compare.

use std::fmt::Write as _;

use allot_core::Amount;
use allot_core::allocation::Rules;
use allot_core::table::{ChargeTable, ChargeText};

const SOURCES: [(&str, &str, &str); 6] = [
    ("anthropic", "Anthropic", "Claude API"),
    ("openai", "OpenAI", "OpenAI API"),
    ("azure", "Microsoft", "Azure OpenAI"),
    ("aws", "AWS", "Amazon Bedrock"),
    ("gcp", "Google Cloud", "Vertex AI"),
    ("mistral", "Mistral AI", "La Plateforme"),
];

const MODELS: [&str; 8] = [
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
    "gpt-4o",
    "gpt-4o-mini",
    "gemini-2.5-flash",
    "mistral-large",
    "nova-lite",
    "text-embedding-3-small",
];

const TEAMS: [&str; 12] = [
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

/// Days of the workload.
pub const DAYS: i32 = 180;

/// A deterministic pseudo-random sequence (xorshift), so every run has the same rows.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % below as u64).expect("below a usize")
    }
}

/// `rows` charges: per source 64 keys (team-prefixed, a shared gateway, unowned ones), each
/// key with its own tags on the cloud sources and three of the eight models, one currency, 2%
/// credits. As in real exports, a key's labels are fixed and it calls a few models, so the
/// charges have about 2 300 distinct combinations of the fields rules read.
pub fn charges(rows: usize) -> ChargeTable {
    let keys: Vec<Vec<String>> = SOURCES
        .iter()
        .map(|(source, ..)| {
            (0..64)
                .map(|index| match index % 16 {
                    14 => format!("{source}-gateway-{index}"),
                    15 => format!("{source}-sandbox-{index}"),
                    team => format!("{}-{source}-{index}", TEAMS[team % TEAMS.len()]),
                })
                .collect()
        })
        .collect();
    let tags: Vec<String> = TEAMS
        .iter()
        .map(|team| format!(r#"{{"Team":"{}","env":"prod"}}"#, team.to_uppercase()))
        .chain([String::new(), r#"{"env":"dev"}"#.to_owned()])
        .collect();

    let mut sequence = Sequence(0x9E37_79B9_7F4A_7C15);
    let mut table = ChargeTable::default();
    for row in 0..rows {
        let source = sequence.next(SOURCES.len());
        let (source_id, provider, service) = SOURCES[source];
        let key = sequence.next(64);
        let cloud = matches!(source_id, "azure" | "aws" | "gcp");
        let cents = i128::try_from(sequence.next(100_000)).expect("small") + 1;
        table.push(&ChargeText {
            day: 20_000 + i32::try_from(row % DAYS as usize).expect("few days"),
            source: source_id,
            provider,
            service,
            model: MODELS[(key + sequence.next(3)) % MODELS.len()],
            currency: "USD",
            charge_category: if sequence.next(50) == 0 {
                "Credit"
            } else {
                "Usage"
            },
            sub_account: if cloud { "prod-account" } else { "" },
            attribution_key: &keys[source][key],
            tags: if cloud { &tags[key % tags.len()] } else { "" },
            billed_cost: Amount::from_raw(cents * 10_i128.pow(19) + 3),
        });
    }
    table
}

/// 50 rules: per team a glob on its keys scoped to the first sources, tag rules for the
/// clouds, regex and model rules, a 60/40 split of one gateway and a proportional split of the
/// others.
pub fn rules() -> Rules {
    let mut text = String::new();
    for (index, team) in TEAMS.iter().enumerate() {
        let (source, ..) = SOURCES[index % 3];
        writeln!(
            text,
            "[[team]]\nsource = \"{source}\"\nkey = \"{team}-{source}-*\"\nvalue = \"{team}\"\n"
        )
        .expect("writing to a String succeeds");
        writeln!(
            text,
            "[[team]]\nkey = {{ regex = \"^{team}-(aws|gcp)-[0-9]+$\" }}\nvalue = \"{team}\"\n"
        )
        .expect("writing to a String succeeds");
    }
    for team in &TEAMS[..10] {
        writeln!(
            text,
            "[[team]]\ntags = {{ team = \"{team}\" }}\nvalue = \"{team}\"\n"
        )
        .expect("writing to a String succeeds");
    }
    text.push_str("[[team]]\nsource = \"anthropic\"\nkey = \"anthropic-gateway-*\"\n");
    text.push_str("split = { percent = { search = 60, \"support-bot\" = 40 } }\n\n");
    text.push_str("[[team]]\nkey = \"*-gateway-*\"\n");
    text.push_str("split = { proportional = [\"search\", \"growth\", \"mobile\"] }\n\n");
    for (index, model) in MODELS[..3].iter().enumerate() {
        let team = TEAMS[index + 3];
        writeln!(
            text,
            "[[team]]\nsource = \"mistral\"\nmodel = \"{model}\"\nvalue = \"{team}\"\n"
        )
        .expect("writing to a String succeeds");
    }
    text.push_str("[[team]]\ncharge_category = \"Credit\"\nvalue = \"finance-ops\"\n\n");
    text.push_str("[[team]]\ntags = { env = \"dev\" }\nvalue = { tag = \"env\" }\n\n");
    for team in &TEAMS[..9] {
        writeln!(
            text,
            "[[team]]\nsub_account = \"{team}-account\"\nvalue = \"{team}\"\n"
        )
        .expect("writing to a String succeeds");
    }
    let rules = Rules::parse("workload.toml", &text).expect("the workload's rules are valid");
    assert_eq!(rules.dimension("team").len(), 50);
    rules
}
