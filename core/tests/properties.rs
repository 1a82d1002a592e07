//! Property tests of exactness: for generated charges and generated rules, every charge gets
//! exactly one value of a dimension, and the values add up to the total to the last decimal,
//! for any period, currency and grouping; a value's total is the same in every grouping;
//! splits conserve what they split.

#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use allot_core::Amount;
use allot_core::aggregate::{Filter, GroupBy, aggregate};
use allot_core::allocation::split::split_amount;
use allot_core::allocation::{Outcome, Rules, allocate};
use allot_core::table::{ChargeTable, ChargeText, day_to_date};
use proptest::prelude::*;

const SOURCES: [&str; 3] = ["anthropic", "openai", "gcp"];
const KEYS: [&str; 6] = [
    "proj_a1", "proj_a2", "proj_b1", "wrkspc_x", "gateway", "default",
];
const TAGS: [&str; 5] = [
    "",
    r#"{"Team":"ML_Platform"}"#,
    r#"{"team":"ml platform"}"#,
    r#"{"team":"search","env":"dev"}"#,
    r#"{"env":"prod"}"#,
];
const CURRENCIES: [&str; 3] = ["USD", "EUR", "JPY"];
const VALUES: [&str; 4] = ["search", "ml-platform", "growth", "support"];

/// One generated charge: indexes into the tables above, a day and a raw amount.
type Row = (usize, usize, usize, usize, i32, i128);

fn row() -> impl Strategy<Value = Row> {
    (
        0..SOURCES.len(),
        0..KEYS.len(),
        0..TAGS.len(),
        0..CURRENCIES.len(),
        0..20_i32,
        // From a credit of −10 000 to a cost of 10 000, with every one of the 24 decimals.
        -10_000_000_000_000_000_000_000_000_000_i128..10_000_000_000_000_000_000_000_000_000,
    )
}

fn table(rows: &[Row]) -> ChargeTable {
    let mut table = ChargeTable::default();
    for &(source, key, tags, currency, day, raw) in rows {
        table.push(&ChargeText {
            day: 20_000 + day,
            source: SOURCES[source],
            provider: SOURCES[source],
            attribution_key: KEYS[key],
            tags: TAGS[tags],
            currency: CURRENCIES[currency],
            charge_category: "Usage",
            billed_cost: Amount::from_raw(raw),
            ..ChargeText::default()
        });
    }
    table
}

/// One generated rule as TOML text.
fn rule() -> impl Strategy<Value = String> {
    let scope = prop_oneof![
        Just(String::new()),
        (0..SOURCES.len()).prop_map(|s| format!("source = \"{}\"\n", SOURCES[s])),
    ];
    let condition = prop_oneof![
        Just(String::new()),
        (0..KEYS.len()).prop_map(|k| format!("key = \"{}\"\n", KEYS[k])),
        Just("key = \"proj_a*\"\n".to_owned()),
        Just("key = { regex = \"^proj_[ab]1$\" }\n".to_owned()),
        Just("tags = { TEAM = \"ml_platform\" }\n".to_owned()),
        Just("tags = { env = \"*\" }\n".to_owned()),
    ];
    let names = proptest::sample::subsequence(VALUES.to_vec(), 1..=VALUES.len());
    let assignment = prop_oneof![
        (0..VALUES.len()).prop_map(|v| format!("value = \"{}\"\n", VALUES[v])),
        Just("value = { tag = \"team\" }\n".to_owned()),
        names
            .clone()
            .prop_map(|names| format!("split = {{ even = {} }}\n", list(&names))),
        names
            .clone()
            .prop_map(|names| format!("split = {{ proportional = {} }}\n", list(&names))),
        (names, 0_u32..1000).prop_map(|(names, seed)| percent_split(&names, seed)),
    ];
    (scope, condition, assignment).prop_map(|(scope, condition, assignment)| {
        format!("[[team]]\n{scope}{condition}{assignment}\n")
    })
}

fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

/// Percentages adding up to 100, the first ones drawn from `seed`.
fn percent_split(names: &[&str], seed: u32) -> String {
    let mut left = 100;
    let mut shares = Vec::new();
    let count = u32::try_from(names.len()).expect("a few names");
    for (index, name) in (0..count).zip(names) {
        let share = if index + 1 == count {
            left
        } else {
            let most = left - (count - index - 1);
            1 + (seed * (index + 7)) % most
        };
        left -= share;
        shares.push(format!("\"{name}\" = {share}"));
    }
    format!("split = {{ percent = {{ {} }} }}\n", shares.join(", "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_values_of_a_dimension_add_up_to_the_total(
        rows in proptest::collection::vec(row(), 0..60),
        rules in proptest::collection::vec(rule(), 0..8),
        period in (0..20_i32, 0..20_i32),
    ) {
        let table = table(&rows);
        let rules = Rules::parse("generated.toml", &rules.concat()).expect("generated rules are valid");
        let team = allocate(&table, &rules, "team");
        prop_assert_eq!(team.outcome_of_combination.len(), table.combinations.len());
        for outcome in &team.outcome_of_combination {
            match *outcome {
                Outcome::Value(value) => prop_assert!((value as usize) < team.values.len()),
                Outcome::Split(split) => prop_assert!((split as usize) < team.splits.len()),
            }
        }

        let (first, last) = (period.0.min(period.1), period.0.max(period.1));
        for currency in CURRENCIES {
            let filter = Filter {
                first_day: Some(day_to_date(20_000 + first)),
                last_day: Some(day_to_date(20_000 + last)),
                currency: Some(currency.to_owned()),
            };
            let expected: Amount = rows
                .iter()
                .filter(|row| CURRENCIES[row.3] == currency && (first..=last).contains(&row.4))
                .map(|row| Amount::from_raw(row.5))
                .sum();
            let mut per_value_of_grouping = Vec::new();
            for by in [
                vec![GroupBy::Dimension(0)],
                vec![GroupBy::Dimension(0), GroupBy::Day, GroupBy::Provider],
                vec![GroupBy::Month, GroupBy::AttributionKey, GroupBy::Dimension(0)],
            ] {
                let totals = aggregate(&table, &[&team], &by, &filter);
                let position = by.iter().position(|key| *key == GroupBy::Dimension(0)).expect("team");
                let mut per_value = BTreeMap::new();
                for (key, amount) in &totals.groups {
                    *per_value.entry(key[position]).or_insert(Amount::ZERO) += *amount;
                }
                per_value.retain(|_, amount| *amount != Amount::ZERO);
                per_value_of_grouping.push(per_value);
                let sum: Amount = totals.groups.iter().map(|(_, amount)| *amount).sum();
                prop_assert_eq!(totals.total, expected);
                prop_assert_eq!(sum, expected, "grouped by {:?}", by);
                for (key, _) in &totals.groups {
                    prop_assert!((key[position] as usize) < team.values.len(), "a split left unresolved");
                }
            }
            prop_assert_eq!(&per_value_of_grouping[0], &per_value_of_grouping[1], "by day and provider");
            prop_assert_eq!(&per_value_of_grouping[0], &per_value_of_grouping[2], "by month and key");
        }
    }

    #[test]
    fn a_split_conserves_the_amount_and_never_flips_its_sign(
        raw in -10_000_000_000_000_000_000_000_000_000_i128..10_000_000_000_000_000_000_000_000_000,
        weights in proptest::collection::vec(0_u128..1_000_000, 1..8),
        decimals in 0_u32..4,
    ) {
        let amount = Amount::from_raw(raw);
        let Some(parts) = split_amount(amount, &weights, decimals) else {
            prop_assert!(weights.iter().all(|&weight| weight == 0));
            return Ok(());
        };
        prop_assert_eq!(parts.iter().copied().sum::<Amount>(), amount);
        let unit = 10_i128.pow(24 - decimals);
        let mut off_unit = 0;
        for (part, &weight) in parts.iter().zip(&weights) {
            prop_assert!(part.raw() == 0 || part.raw().signum() == raw.signum());
            if weight == 0 {
                prop_assert_eq!(part.raw(), 0);
            }
            if part.raw() % unit != 0 {
                off_unit += 1;
            }
        }
        prop_assert!(off_unit <= 1, "at most one part is not in whole units");
    }
}
