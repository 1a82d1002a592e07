//! The README's worked example of `allocation.toml` parses, and gives the six vendors' charges
//! the values the README says.

#![cfg(not(target_arch = "wasm32"))]

use allot_core::Amount;
use allot_core::aggregate::{Filter, GroupBy, aggregate};
use allot_core::allocation::{Rules, allocate};
use allot_core::table::{ChargeTable, ChargeText};

/// The first `toml` block after the README's "A worked example for the six vendors".
fn worked_example() -> &'static str {
    let readme = include_str!("../../README.md");
    let after = &readme[readme
        .find("A worked example for the six vendors")
        .expect("the README has the worked example")..];
    let start = after.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let end = after[start..].find("```").expect("the block ends");
    &after[start..start + end]
}

#[test]
fn the_worked_example_allocates_the_six_vendors() {
    let rules = Rules::parse("README.md", worked_example()).expect("the example is valid");
    assert_eq!(rules.dimensions().collect::<Vec<_>>(), ["product", "team"]);

    let charges = [
        ("anthropic", "wrkspc_01SEARCHRANK", "", "", "Usage", "10"),
        ("openai", "proj_MLPlatEvals", "", "", "Usage", "20"),
        (
            "azure",
            "gpt-4o-deploy",
            r#"{"Team":"ML_Platform"}"#,
            "",
            "Usage",
            "30",
        ),
        (
            "aws",
            "arn:aws:iam::123456789012:role/support-bot",
            "",
            "",
            "Usage",
            "40",
        ),
        (
            "gcp",
            "search-prod-123",
            r#"{"team":"search"}"#,
            "",
            "Usage",
            "7.50",
        ),
        ("gcp", "ds-sandbox-7", "", "ds-sandbox-7", "Usage", "3"),
        (
            "gcp",
            "search-prod-123",
            "",
            "search-prod-123",
            "Credit",
            "-1",
        ),
        ("mistral", "legal", "", "", "Usage", "5"),
        ("openai", "proj_gateway", "", "", "Usage", "100.01"),
    ];
    let mut table = ChargeTable::default();
    for (source, key, tags, sub_account, category, cost) in charges {
        table.push(&ChargeText {
            day: 20_000,
            source,
            currency: "USD",
            attribution_key: key,
            tags,
            sub_account,
            charge_category: category,
            billed_cost: Amount::parse(cost).expect("valid amount"),
            ..ChargeText::default()
        });
    }
    // The gateway's 100.01 splits in proportion to 17.50 (search), 40 (support-bot) and 50
    // (ml-platform): 16.28, 37.21 and 46.52; the credit of 1 evenly to search and data-science.
    let team = allocate(&table, &rules, "team");
    let totals = aggregate(
        &table,
        &[&team],
        &[GroupBy::Dimension(0)],
        &Filter::default(),
    );
    let by_team: Vec<(String, String)> = totals
        .groups
        .iter()
        .map(|(key, amount)| (team.values[key[0] as usize].clone(), amount.to_string()))
        .collect();
    let expected = [
        ("search", "33.28"),
        ("ml-platform", "96.52"),
        ("support-bot", "77.21"),
        ("data-science", "2.5"),
        ("legal-review", "5"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|&(name, amount)| (name.to_owned(), amount.to_owned()))
        .collect();
    assert_eq!(by_team, expected);
    assert_eq!(totals.total, Amount::parse("214.51").expect("valid amount"));
}
