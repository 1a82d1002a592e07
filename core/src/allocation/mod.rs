//! Allocation: ordered rules that give each charge a value of a virtual dimension (`team`,
//! `product`, `feature`, …), evaluated the same way in the browser, the collector and tests.
//!
//! The rules file (`allocation.toml`) holds one list of rules per dimension:
//!
//! ```toml
//! [[team]]
//! source = "openai"                 # optional: omitted, the rule applies to every source
//! key = "proj_search*"              # x_AttributionKey: exact, or a glob with `*`, `?`, `[...]`
//! value = "search"
//!
//! [[team]]
//! source = "gcp"
//! tags = { team = "*" }             # a tag or label, its key and value folded
//! value = { tag = "team" }          # the value of that tag
//!
//! [[team]]
//! key = { regex = "^gateway-" }     # `exact`, `glob` or `regex`
//! split = { percent = { search = 60, support = 40 } }
//! ```
//!
//! A rule matches when its source and every condition match (`key`, `sub_account`, `model`,
//! `service`, `charge_category`, `tags`). Rules are tried in order and the first that matches
//! wins; a charge no rule matches gets [`UNALLOCATED`]. Values are told apart folded (see
//! [`fold`]): `ML_Platform` from a label and `ml-platform` in the file are one value, shown as
//! the file writes it, else as the first charge's tag writes it.
//!
//! Rules read only the fields of a row's [`crate::table::Combination`], so they
//! are evaluated once per distinct combination of the fields the dimension's rules read, not
//! once per row; a row's outcome is then a lookup. A split is not resolved here: a
//! proportional split's basis depends on the period asked for, so [`crate::aggregate`] splits
//! the amounts, per combination and day.

mod coverage;
mod matcher;
mod rules;
pub mod split;

pub use coverage::{CostByCurrency, Coverage, KeyCost, RuleCoverage, RuleStatus, coverage};
pub use rules::{
    Assignment, Condition, Field, Pattern, Rule, Rules, RulesError, Split, SplitBasis,
    line_and_column,
};

use crate::allocation::matcher::{RuleMatcher, tag};
use crate::hash::FastMap;
use crate::table::{ChargeTable, Combination};

/// The value of a charge that no rule matches, and of a split that has no basis.
pub const UNALLOCATED: &str = "Unallocated";

/// The index of [`UNALLOCATED`] in [`Allocation::values`].
pub const UNALLOCATED_VALUE: u32 = 0;

/// What a combination of fields is allocated to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Index in [`Allocation::values`].
    Value(u32),
    /// Index in [`Allocation::splits`].
    Split(u32),
}

/// A split with its values resolved to indexes in [`Allocation::values`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitShares {
    pub values: Vec<u32>,
    pub basis: ShareBasis,
}

/// The weights of a split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareBasis {
    /// Fixed weights, one per value: ones for an even split, the raw percentages otherwise.
    Fixed(Vec<u128>),
    /// What each value is allocated without splits in the period and currency of the report.
    Proportional,
}

/// The value of one dimension for every combination of a table.
#[derive(Debug, Clone)]
pub struct Allocation {
    pub dimension: String,
    /// The distinct values as shown; the first is [`UNALLOCATED`].
    pub values: Vec<String>,
    pub splits: Vec<SplitShares>,
    /// Per combination of the table, what it is allocated to.
    pub outcome_of_combination: Vec<Outcome>,
    /// Per combination, the index of the rule that decided it; `None` when no rule matched.
    pub rule_of_combination: Vec<Option<u32>>,
    /// How many times the rules were evaluated: once per distinct combination of the fields
    /// they read.
    pub evaluations: usize,
}

impl Allocation {
    /// What charge `row` of the table is allocated to.
    pub fn outcome(&self, table: &ChargeTable, row: usize) -> Outcome {
        self.outcome_of_combination[table.combination[row] as usize]
    }

    /// The index of `name` among the values, compared folded.
    pub fn value_index(&self, name: &str) -> Option<u32> {
        let folded = fold(name);
        self.values
            .iter()
            .position(|value| fold(value) == folded)
            .and_then(|index| u32::try_from(index).ok())
    }
}

/// Allocates every charge of `table` to a value of `dimension`.
pub fn allocate(table: &ChargeTable, rules: &Rules, dimension: &str) -> Allocation {
    let rules = rules.dimension(dimension);
    let mut values = ValueNames::default();
    values.index(UNALLOCATED);
    let mut splits = Vec::new();
    let mut split_of_rule = Vec::with_capacity(rules.len());
    for rule in rules {
        match &rule.assignment {
            Assignment::Value(value) => {
                values.index(value);
                split_of_rule.push(None);
            }
            Assignment::Tag { .. } => split_of_rule.push(None),
            Assignment::Split(split) => {
                let shares = SplitShares {
                    values: split
                        .values
                        .iter()
                        .map(|value| values.index(value))
                        .collect(),
                    basis: match &split.basis {
                        SplitBasis::Even => ShareBasis::Fixed(vec![1; split.values.len()]),
                        SplitBasis::Percent(percents) => ShareBasis::Fixed(
                            percents.iter().map(|p| p.raw().unsigned_abs()).collect(),
                        ),
                        SplitBasis::Proportional => ShareBasis::Proportional,
                    },
                };
                split_of_rule.push(Some(u32::try_from(splits.len()).expect("few splits")));
                splits.push(shares);
            }
        }
    }

    let read = FieldsRead::of(rules);
    let mut matcher = RuleMatcher::new(table, rules);
    let mut memo: FastMap<[u32; 8], (Outcome, Option<u32>)> = FastMap::default();
    let mut outcome_of_combination = Vec::with_capacity(table.combinations.len());
    let mut rule_of_combination = Vec::with_capacity(table.combinations.len());
    for combination in &table.combinations {
        let (outcome, rule) = *memo.entry(read.project(combination)).or_insert_with(|| {
            let Some(index) = matcher.first_match(combination) else {
                return (Outcome::Value(UNALLOCATED_VALUE), None);
            };
            let rule = &rules[index];
            let rule_index = Some(u32::try_from(index).expect("few rules"));
            let outcome = match &rule.assignment {
                Assignment::Value(value) => Outcome::Value(values.index(value)),
                Assignment::Tag { key_folded, .. } => {
                    let tag = tag(table, combination, key_folded).expect("the rule matched");
                    Outcome::Value(values.index(&tag.value))
                }
                Assignment::Split(_) => {
                    Outcome::Split(split_of_rule[index].expect("a split rule has a split"))
                }
            };
            (outcome, rule_index)
        });
        outcome_of_combination.push(outcome);
        rule_of_combination.push(rule);
    }

    Allocation {
        dimension: dimension.to_owned(),
        values: values.names,
        splits,
        outcome_of_combination,
        rule_of_combination,
        evaluations: memo.len(),
    }
}

/// The fields a dimension's rules read, to evaluate them once per distinct projection.
struct FieldsRead([bool; 7]);

impl FieldsRead {
    fn of(rules: &[Rule]) -> Self {
        let mut read = [false; 7];
        for rule in rules {
            read[0] |= rule.source.is_some();
            read[6] |= matches!(rule.assignment, Assignment::Tag { .. });
            for condition in &rule.conditions {
                let slot = match condition.field {
                    Field::AttributionKey => 1,
                    Field::SubAccount => 2,
                    Field::Model => 3,
                    Field::Service => 4,
                    Field::ChargeCategory => 5,
                    Field::Tag { .. } => 6,
                };
                read[slot] = true;
            }
        }
        FieldsRead(read)
    }

    /// The combination's fields that the rules read; the others as `u32::MAX`.
    fn project(&self, combination: &Combination) -> [u32; 8] {
        let fields = [
            combination.source,
            combination.attribution_key,
            combination.sub_account,
            combination.model,
            combination.service,
            combination.charge_category,
            combination.tags,
        ];
        let mut key = [u32::MAX; 8];
        for (slot, (&read, field)) in self.0.iter().zip(fields).enumerate() {
            if read {
                key[slot] = field;
            }
        }
        key
    }
}

/// The values met so far, told apart folded, each shown as first written.
#[derive(Default)]
struct ValueNames {
    names: Vec<String>,
    by_folded: FastMap<String, u32>,
}

impl ValueNames {
    fn index(&mut self, name: &str) -> u32 {
        let folded = fold(name);
        if let Some(&index) = self.by_folded.get(&folded) {
            return index;
        }
        let index = u32::try_from(self.names.len()).expect("fewer than 4 billion values");
        self.names.push(name.to_owned());
        self.by_folded.insert(folded, index);
        index
    }
}

/// `text` with case and separators folded, to compare tag keys, tag values and value names:
/// lower case, each run of spaces, `-`, `_`, `.`, `/` or `:` as one `-`, none at either end.
/// `Team` and `team` fold alike, and so do `ml-platform`, `ML_Platform` and `ml platform`.
pub fn fold(text: &str) -> String {
    let folded = fold_glob(text);
    folded.trim_matches('-').to_owned()
}

/// A glob pattern folded like the tag values it is compared with; its `*`, `?`, `[`, `]`, `{`,
/// `}` and `,` are kept, and separators at either end too, so `ml_*` stays a prefix.
pub(crate) fn fold_glob(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for character in text.chars() {
        if character.is_whitespace() || matches!(character, '-' | '_' | '.' | '/' | ':') {
            if !folded.ends_with('-') {
                folded.push('-');
            }
        } else {
            folded.extend(character.to_lowercase());
        }
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::ChargeText;

    const RULES: &str = r#"
[[team]]
source = "openai"
key = "proj_search*"
value = "search"

[[team]]
key = "wrkspc_01SUPPORT"
value = "support"

[[team]]
key = "proj_search_legacy"
value = "never reached"

[[team]]
source = "gcp"
value = { tag = "team" }
"#;

    fn table(charges: &[(&str, &str, &str)]) -> ChargeTable {
        let mut table = ChargeTable::default();
        for &(source, key, tags) in charges {
            table.push(&ChargeText {
                source,
                attribution_key: key,
                tags,
                currency: "USD",
                ..ChargeText::default()
            });
        }
        table
    }

    fn values_of_rows(table: &ChargeTable, allocation: &Allocation) -> Vec<String> {
        (0..table.len())
            .map(|row| match allocation.outcome(table, row) {
                Outcome::Value(value) => allocation.values[value as usize].clone(),
                Outcome::Split(split) => format!("split {split}"),
            })
            .collect()
    }

    #[test]
    fn first_matching_rule_wins_and_scopes_apply() {
        let rules = Rules::parse("allocation.toml", RULES).expect("valid rules");
        let table = table(&[
            ("openai", "proj_search_legacy", ""),
            ("anthropic", "proj_search_legacy", ""),
            ("anthropic", "wrkspc_01SUPPORT", ""),
            ("anthropic", "wrkspc_01SUPPORT2", ""),
            ("gcp", "search-prod", r#"{"Team": "ML_Platform"}"#),
            ("gcp", "search-prod", r#"{"team": "ml platform"}"#),
            ("gcp", "search-prod", ""),
        ]);
        let allocation = allocate(&table, &rules, "team");
        assert_eq!(
            values_of_rows(&table, &allocation),
            [
                "search",
                "never reached",
                "support",
                UNALLOCATED,
                "ML_Platform",
                "ML_Platform",
                UNALLOCATED
            ]
        );
        assert_eq!(
            allocation.rule_of_combination,
            [Some(0), Some(2), Some(1), None, Some(3), Some(3), None]
        );
        assert!(rules.dimension("product").is_empty());
    }

    #[test]
    fn rules_are_evaluated_once_per_distinct_combination_of_the_fields_they_read() {
        let rules =
            Rules::parse("r.toml", "[[team]]\nkey = \"a*\"\nvalue = \"a\"\n").expect("valid rules");
        let mut table = ChargeTable::default();
        for (day, model) in [(0, "gpt-4o"), (1, "gpt-4o"), (0, "o3"), (0, "o1")] {
            for key in ["a1", "b1"] {
                table.push(&ChargeText {
                    day,
                    model,
                    attribution_key: key,
                    ..ChargeText::default()
                });
            }
        }
        let allocation = allocate(&table, &rules, "team");
        assert_eq!(table.combinations.len(), 6);
        assert_eq!(allocation.evaluations, 2);
        assert_eq!(allocation.values, [UNALLOCATED, "a"]);
    }

    #[test]
    fn splits_are_outcomes_with_their_weights() {
        let text = "[[team]]\nkey = \"gw\"\nsplit = { percent = { b = 40, a = 60 } }\n\
                    [[team]]\nkey = \"x\"\nsplit = { even = [\"a\", \"c\"] }\n";
        let rules = Rules::parse("r.toml", text).expect("valid rules");
        let table = table(&[("s", "gw", ""), ("s", "x", "")]);
        let allocation = allocate(&table, &rules, "team");
        assert_eq!(allocation.values, [UNALLOCATED, "a", "b", "c"]);
        assert_eq!(
            allocation.outcome_of_combination,
            [Outcome::Split(0), Outcome::Split(1)]
        );
        let percent = |text: &str| {
            crate::Amount::parse(text)
                .expect("a number")
                .raw()
                .unsigned_abs()
        };
        assert_eq!(
            allocation.splits[0],
            SplitShares {
                values: vec![1, 2],
                basis: ShareBasis::Fixed(vec![percent("60"), percent("40")]),
            }
        );
        assert_eq!(allocation.splits[1].basis, ShareBasis::Fixed(vec![1, 1]));
    }

    #[test]
    fn folding_joins_case_and_separators() {
        assert_eq!(fold("ML_Platform"), "ml-platform");
        assert_eq!(fold(" ml  platform "), "ml-platform");
        assert_eq!(fold("Cost.Center"), "cost-center");
        assert_eq!(fold_glob("ML_*"), "ml-*");
    }
}
