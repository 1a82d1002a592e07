//! What the rules did in a period: cost and rows each rule decided, dead and shadowed rules,
//! what stayed unallocated by source and by native key, and keys seen for the first time.
//!
//! Everything is counted per combination of the table, then per rule or key, so the cost of a
//! coverage report is one pass over the rows. Costs are kept per currency, never added across.

use std::collections::{BTreeMap, BTreeSet};

use time::Date;

use crate::allocation::matcher::RuleMatcher;
use crate::allocation::{Allocation, Rule, Rules};
use crate::money::Amount;
use crate::table::{ChargeTable, date_to_day, day_to_date};

/// Cost per `BillingCurrency`.
pub type CostByCurrency = BTreeMap<String, Amount>;

/// The coverage of one dimension's rules in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub dimension: String,
    /// Charges in the period, and their cost.
    pub rows: u64,
    pub cost: CostByCurrency,
    /// One entry per rule, in the file's order.
    pub rules: Vec<RuleCoverage>,
    /// What no rule matched, per `x_Source`, largest first.
    pub unallocated_by_source: Vec<KeyCost>,
    /// What no rule matched, per source and `x_AttributionKey`, largest first.
    pub unallocated_by_key: Vec<KeyCost>,
    /// Attribution keys whose first charge in the whole data is in the period, by source.
    pub new_keys: Vec<KeyCost>,
}

/// What one rule decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCoverage {
    /// The rule as one line, with its line in the file.
    pub description: String,
    /// Charges the rule decided (it was the first to match), and their cost.
    pub rows: u64,
    pub cost: CostByCurrency,
    pub status: RuleStatus,
}

/// Whether a rule did anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleStatus {
    /// The rule decided some charges.
    Used,
    /// The rule matches no charge of the period.
    Dead,
    /// Every charge the rule matches is decided by earlier rules, at these lines.
    Shadowed { by_lines: Vec<usize> },
}

/// Rows and cost of a source, or of a source's attribution key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyCost {
    pub source: String,
    /// The attribution key; empty in a per-source entry.
    pub key: String,
    pub rows: u64,
    pub cost: CostByCurrency,
    /// The day of the key's first charge in the whole data.
    pub first_seen: Option<Date>,
}

/// The coverage of `allocation` (made by `rules` from `table`) over the days from `first_day`
/// to `last_day` (each `None` for the data's own bound). Keys are new only when the period
/// starts after the data does.
pub fn coverage(
    table: &ChargeTable,
    rules: &Rules,
    allocation: &Allocation,
    first_day: Option<Date>,
    last_day: Option<Date>,
) -> Coverage {
    let rules = rules.dimension(&allocation.dimension);
    let combinations = table.combinations.len();
    let (first, last) = (
        first_day.map_or(i32::MIN, date_to_day),
        last_day.map_or(i32::MAX, date_to_day),
    );
    let (rows, cost, first_seen) = count_combinations(table, first, last);
    let currency_of = |combination: usize| {
        table
            .strings
            .get(table.combinations[combination].currency)
            .to_owned()
    };

    let mut matcher = RuleMatcher::new(table, rules);
    let mut total = KeyCost::default();
    let mut per_rule = vec![KeyCost::default(); rules.len()];
    let mut matched_by = vec![BTreeSet::new(); rules.len()];
    let mut unallocated_by_source: BTreeMap<String, KeyCost> = BTreeMap::new();
    let mut unallocated_by_key: BTreeMap<(String, String), KeyCost> = BTreeMap::new();
    let mut keys: BTreeMap<(String, String), KeyCost> = BTreeMap::new();
    for index in (0..combinations).filter(|&index| rows[index] > 0) {
        let combination = &table.combinations[index];
        let (currency, amount) = (currency_of(index), Amount::from_raw(cost[index]));
        let source = table.strings.get(combination.source).to_owned();
        let key = table.strings.get(combination.attribution_key).to_owned();
        total.add(&currency, rows[index], amount);

        let winner = allocation.rule_of_combination[index];
        for (rule_index, matched_by) in matched_by.iter_mut().enumerate() {
            if matcher.matches(rule_index, combination) {
                matched_by.insert(winner.map_or(usize::MAX, |w| w as usize));
            }
        }
        if let Some(winner) = winner {
            per_rule[winner as usize].add(&currency, rows[index], amount);
        } else {
            let entry = unallocated_by_source.entry(source.clone()).or_default();
            entry.add(&currency, rows[index], amount);
            let entry = unallocated_by_key
                .entry((source.clone(), key.clone()))
                .or_default();
            entry.add(&currency, rows[index], amount);
        }
        let entry = keys.entry((source, key)).or_default();
        entry.add(&currency, rows[index], amount);
        let seen = entry.first_seen.map_or(i32::MAX, date_to_day);
        entry.first_seen = Some(day_to_date(seen.min(first_seen[index])));
    }

    let rule_coverage = rule_coverage(rules, per_rule, &matched_by);
    let new_keys = keys
        .into_iter()
        .filter(|(_, entry)| {
            first_day.is_some_and(|start| entry.first_seen.is_some_and(|seen| seen >= start))
        })
        .map(|((source, key), entry)| KeyCost {
            source,
            key,
            ..entry
        })
        .collect();

    Coverage {
        dimension: allocation.dimension.clone(),
        rows: total.rows,
        cost: total.cost,
        rules: rule_coverage,
        unallocated_by_source: largest_first(
            unallocated_by_source
                .into_iter()
                .map(|(source, entry)| KeyCost { source, ..entry }),
        ),
        unallocated_by_key: largest_first(unallocated_by_key.into_iter().map(
            |((source, key), entry)| KeyCost {
                source,
                key,
                first_seen: None,
                ..entry
            },
        )),
        new_keys,
    }
}

/// Each rule's rows, cost and status, from what it decided and which rules decided what it
/// matched (`usize::MAX` for no rule).
fn rule_coverage(
    rules: &[Rule],
    per_rule: Vec<KeyCost>,
    matched_by: &[BTreeSet<usize>],
) -> Vec<RuleCoverage> {
    rules
        .iter()
        .zip(per_rule)
        .zip(matched_by)
        .map(|((rule, decided), matched_by)| {
            let status = if decided.rows > 0 {
                RuleStatus::Used
            } else if matched_by.is_empty() {
                RuleStatus::Dead
            } else {
                RuleStatus::Shadowed {
                    by_lines: matched_by
                        .iter()
                        .filter_map(|&winner| rules.get(winner).map(|rule| rule.line))
                        .collect(),
                }
            };
            RuleCoverage {
                description: rule.describe(),
                rows: decided.rows,
                cost: decided.cost,
                status,
            }
        })
        .collect()
}

/// Per combination: its rows and cost from day `first` to day `last`, and its first day in
/// the whole data.
fn count_combinations(
    table: &ChargeTable,
    first: i32,
    last: i32,
) -> (Vec<u64>, Vec<i128>, Vec<i32>) {
    let combinations = table.combinations.len();
    let mut rows = vec![0_u64; combinations];
    let mut cost = vec![0_i128; combinations];
    let mut first_seen = vec![i32::MAX; combinations];
    for ((&day, &combination), amount) in table
        .day
        .iter()
        .zip(&table.combination)
        .zip(&table.billed_cost)
    {
        let combination = combination as usize;
        first_seen[combination] = first_seen[combination].min(day);
        if (first..=last).contains(&day) {
            rows[combination] += 1;
            cost[combination] += amount.raw();
        }
    }
    (rows, cost, first_seen)
}

impl KeyCost {
    fn add(&mut self, currency: &str, rows: u64, amount: Amount) {
        self.rows += rows;
        *self.cost.entry(currency.to_owned()).or_default() += amount;
    }

    /// The largest cost in any currency, to order entries.
    fn magnitude(&self) -> u128 {
        self.cost
            .values()
            .map(|amount| amount.raw().unsigned_abs())
            .max()
            .unwrap_or(0)
    }
}

fn largest_first(entries: impl Iterator<Item = KeyCost>) -> Vec<KeyCost> {
    let mut entries: Vec<KeyCost> = entries.collect();
    entries.sort_by_key(|entry| std::cmp::Reverse(entry.magnitude()));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::allocate;
    use crate::table::ChargeText;

    #[test]
    fn reports_used_dead_and_shadowed_rules_and_what_is_unallocated() {
        let text = "[[team]]\nkey = \"a*\"\nvalue = \"a\"\n\
                    [[team]]\nkey = \"a1\"\nvalue = \"shadowed\"\n\
                    [[team]]\nkey = \"zzz\"\nvalue = \"dead\"\n";
        let rules = Rules::parse("r.toml", text).expect("valid rules");
        let mut table = ChargeTable::default();
        let charges = [
            (100, "a1", "2"),
            (101, "a1", "3"),
            (101, "b1", "4"),
            (90, "c1", "1"),
        ];
        for (day, key, cost) in charges {
            table.push(&ChargeText {
                day,
                source: "openai",
                currency: "USD",
                attribution_key: key,
                billed_cost: Amount::parse(cost).expect("valid amount"),
                ..ChargeText::default()
            });
        }
        let allocation = allocate(&table, &rules, "team");
        let coverage = coverage(
            &table,
            &rules,
            &allocation,
            Some(day_to_date(100)),
            Some(day_to_date(101)),
        );

        let usd = |text: &str| {
            CostByCurrency::from([("USD".to_owned(), Amount::parse(text).expect("valid"))])
        };
        assert_eq!((coverage.rows, coverage.cost.clone()), (3, usd("9")));
        assert_eq!(coverage.rules[0].status, RuleStatus::Used);
        assert_eq!(
            (coverage.rules[0].rows, coverage.rules[0].cost.clone()),
            (2, usd("5"))
        );
        assert_eq!(
            coverage.rules[1].status,
            RuleStatus::Shadowed { by_lines: vec![1] }
        );
        assert_eq!(coverage.rules[2].status, RuleStatus::Dead);
        assert_eq!(coverage.unallocated_by_source[0].source, "openai");
        assert_eq!(coverage.unallocated_by_source[0].cost, usd("4"));
        assert_eq!(coverage.unallocated_by_key.len(), 1);
        assert_eq!(coverage.unallocated_by_key[0].key, "b1");
        let new: Vec<&str> = coverage.new_keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(new, ["a1", "b1"]);
    }
}
