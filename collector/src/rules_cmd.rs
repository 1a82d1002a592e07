//! `allot rules check` and `allot rules diff`: what a rules file does to a data set, and what
//! an edit of it changes, per value, for a pull request's review.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use allot_core::Amount;
use allot_core::aggregate::{Filter, GroupBy, aggregate};
use allot_core::allocation::{
    CostByCurrency, Coverage, KeyCost, RuleStatus, Rules, UNALLOCATED, allocate, coverage, fold,
};
use allot_core::table::ChargeTable;
use anyhow::Result;

use crate::report_cmd::{aligned, money, parse_period, read_data_set, read_rules};

#[derive(clap::Subcommand)]
pub enum RulesCommand {
    /// Check a rules file and print what each rule matches in the data
    Check(CheckArgs),
    /// Print, per value, the cost before and after an edit of the rules
    Diff(DiffArgs),
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// The published data set: a folder or an s3://, gs:// or az:// URL
    #[arg(long)]
    data: String,
    /// The allocation rules
    #[arg(long)]
    rules: PathBuf,
    /// `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`; the whole data set when omitted
    #[arg(long)]
    period: Option<String>,
}

#[derive(clap::Args)]
pub struct DiffArgs {
    /// The published data set: a folder or an s3://, gs:// or az:// URL
    #[arg(long)]
    data: String,
    /// The rules before the edit
    #[arg(long)]
    rules: PathBuf,
    /// The rules after the edit
    #[arg(long)]
    rules_new: PathBuf,
    /// `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`; the whole data set when omitted
    #[arg(long)]
    period: Option<String>,
}

/// Runs a `rules` command; an invalid rules file is an error with its line and column.
pub async fn run(command: &RulesCommand) -> Result<()> {
    let output = match command {
        RulesCommand::Check(args) => {
            let rules = read_rules(&args.rules)?;
            let (first_day, last_day) = parse_period(args.period.as_deref())?;
            let table = read_data_set(&args.data).await?;
            let mut output = String::new();
            for dimension in rules.dimensions() {
                let allocation = allocate(&table, &rules, dimension);
                let coverage = coverage(&table, &rules, &allocation, first_day, last_day);
                output.push_str(&render_coverage(&coverage));
            }
            if output.is_empty() {
                output =
                    "the rules file defines no dimension: every charge is Unallocated\n".into();
            }
            output
        }
        RulesCommand::Diff(args) => {
            let before = read_rules(&args.rules)?;
            let after = read_rules(&args.rules_new)?;
            let (first_day, last_day) = parse_period(args.period.as_deref())?;
            let table = read_data_set(&args.data).await?;
            let filter = Filter {
                first_day,
                last_day,
                currency: None,
            };
            render_diff(&table, &before, &after, &filter)
        }
    };
    #[expect(clippy::print_stdout, reason = "the report is the command's output")]
    {
        print!("{output}");
    }
    Ok(())
}

/// Costs per currency as `USD 12.50, EUR 3.00`.
fn costs(cost: &CostByCurrency) -> String {
    if cost.is_empty() {
        return "0".to_owned();
    }
    cost.iter()
        .map(|(currency, amount)| format!("{currency} {}", money(*amount, currency)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_coverage(coverage: &Coverage) -> String {
    let mut text = format!(
        "{}: {} charges, {}\n",
        coverage.dimension,
        coverage.rows,
        costs(&coverage.cost)
    );
    let _ = writeln!(text, "\n  rules, in order:");
    for (index, rule) in coverage.rules.iter().enumerate() {
        let status = match &rule.status {
            RuleStatus::Used => format!("{} charges, {}", rule.rows, costs(&rule.cost)),
            RuleStatus::Dead => "DEAD: matches no charge".to_owned(),
            RuleStatus::Shadowed { by_lines } => {
                let lines: Vec<String> = by_lines.iter().map(ToString::to_string).collect();
                format!(
                    "SHADOWED: every charge it matches goes to the rule at line {}",
                    lines.join(", ")
                )
            }
        };
        let _ = writeln!(
            text,
            "  {:>3}. {}\n       {status}",
            index + 1,
            rule.description
        );
    }

    let unallocated: u64 = coverage.unallocated_by_source.iter().map(|s| s.rows).sum();
    let _ = writeln!(text, "\n  {UNALLOCATED}: {unallocated} charges");
    key_lines(
        &mut text,
        "by source",
        &coverage.unallocated_by_source,
        false,
    );
    key_lines(&mut text, "by key", &coverage.unallocated_by_key, true);
    if !coverage.new_keys.is_empty() {
        let _ = writeln!(text, "\n  keys seen for the first time in the period:");
        for key in &coverage.new_keys {
            let first = key
                .first_seen
                .map(|day| day.to_string())
                .unwrap_or_default();
            let _ = writeln!(
                text,
                "    {} {} (from {first}): {}",
                key.source,
                key.key,
                costs(&key.cost)
            );
        }
    }
    text.push('\n');
    text
}

fn key_lines(text: &mut String, title: &str, entries: &[KeyCost], with_key: bool) {
    if entries.is_empty() {
        return;
    }
    let _ = writeln!(text, "    {title}:");
    for entry in entries {
        let name = if with_key {
            format!("{} {}", entry.source, entry.key)
        } else {
            entry.source.clone()
        };
        let _ = writeln!(
            text,
            "      {name}: {} charges, {}",
            entry.rows,
            costs(&entry.cost)
        );
    }
}

/// Per dimension of either file and currency, the cost of each value before and after.
fn render_diff(table: &ChargeTable, before: &Rules, after: &Rules, filter: &Filter) -> String {
    let mut dimensions: Vec<&str> = before.dimensions().chain(after.dimensions()).collect();
    dimensions.sort_unstable();
    dimensions.dedup();
    let currencies = aggregate(table, &[], &[], filter).currencies;

    let mut text = String::new();
    for dimension in dimensions {
        let old = allocate(table, before, dimension);
        let new = allocate(table, after, dimension);
        for currency in &currencies {
            let filter = Filter {
                currency: Some(currency.clone()),
                ..filter.clone()
            };
            let mut values: BTreeMap<String, (String, Amount, Amount)> = BTreeMap::new();
            for (allocation, is_new) in [(&old, false), (&new, true)] {
                let totals = aggregate(table, &[allocation], &[GroupBy::Dimension(0)], &filter);
                for (key, amount) in totals.groups {
                    let name = &allocation.values[key[0] as usize];
                    let entry = values
                        .entry(fold(name))
                        .or_insert_with(|| (name.clone(), Amount::ZERO, Amount::ZERO));
                    if is_new {
                        entry.2 += amount;
                    } else {
                        entry.1 += amount;
                    }
                }
            }
            text.push_str(&diff_table(dimension, currency, values.into_values()));
        }
    }
    text
}

fn diff_table(
    dimension: &str,
    currency: &str,
    values: impl Iterator<Item = (String, Amount, Amount)>,
) -> String {
    let mut values: Vec<(String, Amount, Amount)> = values.collect();
    values.sort_by(|a, b| {
        let change = |entry: &(String, Amount, Amount)| (entry.2 - entry.1).raw().unsigned_abs();
        change(b).cmp(&change(a)).then_with(|| a.0.cmp(&b.0))
    });
    let changed = values.iter().filter(|(_, old, new)| old != new).count();
    let (mut total_before, mut total_after) = (Amount::ZERO, Amount::ZERO);
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (name, old, new) in &values {
        total_before += *old;
        total_after += *new;
        rows.push(vec![
            name.clone(),
            money(*old, currency),
            money(*new, currency),
            signed(*new - *old, currency),
        ]);
    }
    rows.push(vec![
        "Total".to_owned(),
        money(total_before, currency),
        money(total_after, currency),
        signed(total_after - total_before, currency),
    ]);
    let header = [
        dimension.to_owned(),
        format!("before ({currency})"),
        format!("after ({currency})"),
        "change".to_owned(),
    ];
    format!(
        "{dimension} in {currency}: {changed} of {} values change\n{}\n",
        values.len(),
        aligned(&header, &rows, 3)
    )
}

/// A change with its sign: `+1.50`, `-0.25`, `0.00`.
fn signed(change: Amount, currency: &str) -> String {
    let text = money(change, currency);
    if change.raw() > 0 && text != money(Amount::ZERO, currency) {
        format!("+{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use allot_core::table::ChargeText;

    fn table() -> ChargeTable {
        let mut table = ChargeTable::default();
        for (key, cost) in [("gateway", "100.01"), ("search-1", "50")] {
            table.push(&ChargeText {
                day: 20_000,
                source: "openai",
                currency: "USD",
                attribution_key: key,
                billed_cost: Amount::parse(cost).expect("valid amount"),
                ..ChargeText::default()
            });
        }
        table
    }

    #[test]
    fn the_diff_shows_each_value_before_after_and_the_change() {
        let before = Rules::parse(
            "old.toml",
            "[[team]]\nkey = \"search-*\"\nvalue = \"search\"\n",
        )
        .expect("valid rules");
        let after = Rules::parse(
            "new.toml",
            "[[team]]\nkey = \"search-*\"\nvalue = \"search\"\n\
             [[team]]\nkey = \"gateway\"\nsplit = { percent = { search = 60, support = 40 } }\n",
        )
        .expect("valid rules");
        let text = render_diff(&table(), &before, &after, &Filter::default());
        assert_eq!(
            text,
            "team in USD: 3 of 3 values change\n\
             team         before (USD)  after (USD)   change\n\
             Unallocated        100.01         0.00  -100.01\n\
             search              50.00       110.01   +60.01\n\
             support              0.00        40.00   +40.00\n\
             Total              150.01       150.01     0.00\n\n"
        );
    }

    #[test]
    fn the_check_names_dead_and_shadowed_rules() {
        let rules = Rules::parse(
            "r.toml",
            "[[team]]\nkey = \"search-*\"\nvalue = \"search\"\n\
             [[team]]\nkey = \"search-1\"\nvalue = \"other\"\n\
             [[team]]\nkey = \"nothing\"\nvalue = \"none\"\n",
        )
        .expect("valid rules");
        let table = table();
        let allocation = allocate(&table, &rules, "team");
        let text = render_coverage(&coverage(&table, &rules, &allocation, None, None));
        assert!(text.starts_with("team: 2 charges, USD 150.01\n"), "{text}");
        assert!(text.contains("1 charges, USD 50.00"), "{text}");
        assert!(
            text.contains("SHADOWED: every charge it matches goes to the rule at line 1"),
            "{text}"
        );
        assert!(text.contains("DEAD: matches no charge"), "{text}");
        assert!(
            text.contains("openai gateway: 1 charges, USD 100.01"),
            "{text}"
        );
    }
}
