//! Totals of the allocated charges: any grouping of allocated dimensions, days or months and
//! charge fields, and the dashboard's daily series by provider, model and team.
//!
//! Everything is summed exactly in one currency; a data set with several currencies is shown
//! one currency at a time, never added across currencies.
//!
//! A pass over the rows adds each charge to its cell: the row's [`Combination`] gives every
//! grouping field but the day, so cells are numbered per combination beforehand and a row
//! costs two lookups and one addition. Shared costs are split afterwards by [`split_amount`],
//! per combination and day whatever the grouping asked for: the parts add up to what they
//! split, so the values of a dimension add up to the total to the last digit, and a value's
//! total is the same in every grouping, in the dashboard and in `allot report` alike.

use std::collections::HashMap;

use crate::hash::FastMap;

use time::Date;

use crate::allocation::split::{minor_unit_decimals, split_amount};
use crate::allocation::{Allocation, Outcome, ShareBasis, UNALLOCATED_VALUE};
use crate::money::Amount;
use crate::table::{ChargeTable, Combination, Symbol, date_to_day, day_to_date};

/// The name under which charges that are not for a model (tools, fees) are shown by model.
pub const NO_MODEL: &str = "Other charges";

/// Which charges a summary covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// First day included; `None` for the first day of the data.
    pub first_day: Option<Date>,
    /// Last day included; `None` for the last day of the data.
    pub last_day: Option<Date>,
    /// `BillingCurrency`; `None` for the currency with the largest total in the period.
    pub currency: Option<String>,
}

/// What totals can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The values of the allocation at this index of the allocations given.
    Dimension(usize),
    Day,
    Month,
    Provider,
    Model,
    Source,
    SubAccount,
    AttributionKey,
    Service,
    ChargeCategory,
}

/// The totals of a grouping, in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// The currency of every amount; empty when there are no charges.
    pub currency: String,
    /// Every currency in the period, largest total first.
    pub currencies: Vec<String>,
    pub total: Amount,
    /// Charges in the period and currency.
    pub charges: usize,
    /// The first day of the period, as days since 1970-01-01.
    pub first_day: i32,
    pub last_day: i32,
    /// One entry per group, sorted by key: per [`GroupBy`] asked for, a value index
    /// ([`GroupBy::Dimension`]), a day offset from `first_day` ([`GroupBy::Day`]), a month
    /// number (year × 12 + month − 1, [`GroupBy::Month`]) or a [`Symbol`] (the others).
    pub groups: Vec<(Vec<u32>, Amount)>,
}

/// Flags an outcome code of a split, before splits are resolved.
const SPLIT: u32 = 1 << 31;

/// Sums the charges of `table` that `filter` selects by `by`, splitting shared costs per group.
pub fn aggregate(
    table: &ChargeTable,
    allocations: &[&Allocation],
    by: &[GroupBy],
    filter: &Filter,
) -> Totals {
    let Some((first_day, last_day)) = period(table, filter) else {
        return Totals {
            currency: String::new(),
            currencies: Vec::new(),
            total: Amount::ZERO,
            charges: 0,
            first_day: 0,
            last_day: -1,
            groups: Vec::new(),
        };
    };

    let field_keys: Vec<GroupBy> = by
        .iter()
        .copied()
        .filter(|key| !matches!(key, GroupBy::Day | GroupBy::Month))
        .collect();
    let (cells, cell_of_combination) = number_cells(table, allocations, &field_keys);

    // Charges are summed per cell and day, whatever the grouping, so that a shared cost is
    // split per combination and day: every grouping then adds up the same parts.
    let day_count = usize::try_from(last_day - first_day + 1).unwrap_or(0);
    let mut sums = vec![0_i128; cells.len() * day_count];
    let mut counts = vec![0_u32; cells.len() * day_count];
    for ((&day, &combination), cost) in table
        .day
        .iter()
        .zip(&table.combination)
        .zip(&table.billed_cost)
    {
        let Some(offset) = usize::try_from(day.wrapping_sub(first_day))
            .ok()
            .filter(|&offset| offset < day_count)
        else {
            continue;
        };
        let slot = cell_of_combination[combination as usize] as usize * day_count + offset;
        sums[slot] += cost.raw();
        counts[slot] += 1;
    }

    let currencies = currency_totals(table, &cells, &sums, &counts, day_count);
    let currency = filter
        .currency
        .clone()
        .or_else(|| currencies.first().map(|(name, ..)| name.clone()))
        .unwrap_or_default();
    let (total, charges) = currencies
        .iter()
        .find(|(name, ..)| *name == currency)
        .map_or((0, 0), |&(_, total, charges)| (total, charges));

    let time_key = by
        .iter()
        .position(|key| matches!(key, GroupBy::Day | GroupBy::Month));
    let splitter = Splitter::new(
        allocations,
        by,
        &cells,
        &sums,
        |cell: &Cell| table.strings.get(cell.currency) == currency,
        minor_unit_decimals(&currency),
    );
    let mut groups: FastMap<Vec<u32>, i128> = FastMap::default();
    for (index, cell) in cells.iter().enumerate() {
        if table.strings.get(cell.currency) != currency {
            continue;
        }
        for offset in 0..day_count {
            let slot = index * day_count + offset;
            if counts[slot] == 0 {
                continue;
            }
            let mut key = cell.key.clone();
            if let Some(position) = time_key {
                let day = first_day + i32::try_from(offset).expect("few days");
                let time = match by[position] {
                    GroupBy::Month => month_number(day),
                    _ => u32::try_from(offset).expect("few days"),
                };
                key.insert(position, time);
            }
            splitter.add(key, sums[slot], &mut groups);
        }
    }

    let mut groups: Vec<(Vec<u32>, Amount)> = groups
        .into_iter()
        .map(|(key, sum)| (key, Amount::from_raw(sum)))
        .collect();
    groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    Totals {
        currency,
        currencies: currencies.into_iter().map(|(name, ..)| name).collect(),
        total: Amount::from_raw(total),
        charges,
        first_day,
        last_day,
        groups,
    }
}

/// A cell of the sums: a currency and the codes of the grouping fields; a combination with a
/// shared cost to split has a cell of its own.
struct Cell {
    currency: Symbol,
    key: Vec<u32>,
}

/// Numbers the distinct (currency, grouping fields) of the table's combinations: the cells,
/// and the cell of each combination.
fn number_cells(
    table: &ChargeTable,
    allocations: &[&Allocation],
    field_keys: &[GroupBy],
) -> (Vec<Cell>, Vec<u32>) {
    let mut cells: Vec<Cell> = Vec::new();
    let mut cell_of_key: FastMap<(Symbol, Vec<u32>, u32), u32> = FastMap::default();
    let cell_of_combination = (0..table.combinations.len())
        .map(|index| {
            let combination = &table.combinations[index];
            let key: Vec<u32> = field_keys
                .iter()
                .map(|&field| field_code(allocations, combination, index, field))
                .collect();
            let own = if key.iter().any(|code| code & SPLIT != 0) {
                u32::try_from(index).expect("fewer than 4 billion combinations")
            } else {
                u32::MAX
            };
            *cell_of_key
                .entry((combination.currency, key.clone(), own))
                .or_insert_with(|| {
                    cells.push(Cell {
                        currency: combination.currency,
                        key,
                    });
                    u32::try_from(cells.len() - 1).expect("fewer cells than combinations")
                })
        })
        .collect();
    (cells, cell_of_combination)
}

/// The total and charges per currency, largest total first.
fn currency_totals(
    table: &ChargeTable,
    cells: &[Cell],
    sums: &[i128],
    counts: &[u32],
    day_count: usize,
) -> Vec<(String, i128, usize)> {
    let mut per_currency: HashMap<Symbol, (i128, usize)> = HashMap::new();
    for (index, cell) in cells.iter().enumerate() {
        let slots = index * day_count..(index + 1) * day_count;
        let entry = per_currency.entry(cell.currency).or_default();
        entry.0 += sums[slots.clone()].iter().sum::<i128>();
        entry.1 += counts[slots]
            .iter()
            .map(|&count| count as usize)
            .sum::<usize>();
    }
    let mut currencies: Vec<(String, i128, usize)> = per_currency
        .into_iter()
        .map(|(symbol, (total, charges))| (table.strings.get(symbol).to_owned(), total, charges))
        .collect();
    currencies.sort_by(|a, b| {
        b.1.unsigned_abs()
            .cmp(&a.1.unsigned_abs())
            .then_with(|| a.0.cmp(&b.0))
    });
    currencies
}

/// The first and last day a filter selects, as days since 1970-01-01.
fn period(table: &ChargeTable, filter: &Filter) -> Option<(i32, i32)> {
    let data_range = table.day_range();
    let first = filter.first_day.or(data_range.map(|range| range.0))?;
    let last = filter.last_day.or(data_range.map(|range| range.1))?;
    Some((date_to_day(first), date_to_day(last)))
}

/// Year × 12 + month − 1 of a day.
fn month_number(day: i32) -> u32 {
    let date = day_to_date(day);
    u32::try_from(date.year()).unwrap_or(0) * 12 + u32::from(u8::from(date.month())) - 1
}

/// The code of a grouping field for the rows of combination `index`.
fn field_code(
    allocations: &[&Allocation],
    combination: &Combination,
    index: usize,
    field: GroupBy,
) -> u32 {
    match field {
        GroupBy::Dimension(dimension) => match allocations[dimension].outcome_of_combination[index]
        {
            Outcome::Value(value) => value,
            Outcome::Split(split) => SPLIT | split,
        },
        GroupBy::Provider => combination.provider,
        GroupBy::Model => combination.model,
        GroupBy::Source => combination.source,
        GroupBy::SubAccount => combination.sub_account,
        GroupBy::AttributionKey => combination.attribution_key,
        GroupBy::Service => combination.service,
        GroupBy::ChargeCategory => combination.charge_category,
        GroupBy::Day | GroupBy::Month => unreachable!("time is not a field of a combination"),
    }
}

/// Splits shared costs: the split codes of a group's key are replaced by the split's values,
/// the group's amount split by [`split_amount`]; a split with no basis goes to the unallocated
/// value.
struct Splitter<'a> {
    allocations: &'a [&'a Allocation],
    /// The positions in the group keys of the dimensions, with each dimension's index.
    dimensions: Vec<(usize, usize)>,
    /// Per dimension of `dimensions`, what each value is allocated without splits: the basis
    /// of proportional splits.
    direct: Vec<Vec<i128>>,
    decimals: u32,
}

impl<'a> Splitter<'a> {
    fn new(
        allocations: &'a [&'a Allocation],
        by: &[GroupBy],
        cells: &[Cell],
        sums: &[i128],
        in_currency: impl Fn(&Cell) -> bool,
        decimals: u32,
    ) -> Self {
        let day_count = sums.len() / cells.len().max(1);
        // Positions in the group keys, and in the cells' keys, which lack the time.
        let mut dimensions = Vec::new();
        let mut cell_positions = Vec::new();
        let mut field_index = 0;
        for (position, key) in by.iter().enumerate() {
            if matches!(key, GroupBy::Day | GroupBy::Month) {
                continue;
            }
            if let GroupBy::Dimension(dimension) = *key {
                dimensions.push((position, dimension));
                cell_positions.push(field_index);
            }
            field_index += 1;
        }

        let mut direct: Vec<Vec<i128>> = dimensions
            .iter()
            .map(|&(_, dimension)| vec![0; allocations[dimension].values.len()])
            .collect();
        for (index, cell) in cells
            .iter()
            .enumerate()
            .filter(|(_, cell)| in_currency(cell))
        {
            let sum: i128 = sums[index * day_count..(index + 1) * day_count]
                .iter()
                .sum();
            for (values, &position) in direct.iter_mut().zip(&cell_positions) {
                let code = cell.key[position];
                if code & SPLIT == 0 {
                    values[code as usize] += sum;
                }
            }
        }
        Splitter {
            allocations,
            dimensions,
            direct,
            decimals,
        }
    }

    /// Adds `amount` to the group `key` of `groups`, or its parts to the groups of the
    /// split's values.
    fn add(&self, mut key: Vec<u32>, amount: i128, groups: &mut FastMap<Vec<u32>, i128>) {
        let split = self
            .dimensions
            .iter()
            .enumerate()
            .find(|(_, (position, _))| key[*position] & SPLIT != 0);
        let Some((index, &(position, dimension))) = split else {
            *groups.entry(key).or_default() += amount;
            return;
        };
        let allocation = self.allocations[dimension];
        let shares = &allocation.splits[(key[position] & !SPLIT) as usize];
        let weights: Vec<u128> = match &shares.basis {
            ShareBasis::Fixed(weights) => weights.clone(),
            ShareBasis::Proportional => shares
                .values
                .iter()
                .map(|&value| u128::try_from(self.direct[index][value as usize]).unwrap_or(0))
                .collect(),
        };
        if let Some(parts) = split_amount(Amount::from_raw(amount), &weights, self.decimals) {
            for (&value, part) in shares.values.iter().zip(parts) {
                key[position] = value;
                self.add(key.clone(), part.raw(), groups);
            }
        } else {
            key[position] = UNALLOCATED_VALUE;
            self.add(key, amount, groups);
        }
    }
}

/// One named series: a total and one amount per day of [`Summary::days`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub name: String,
    pub total: Amount,
    pub daily: Vec<Amount>,
}

/// The totals and series of the charges a [`Filter`] selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The currency of every amount in the summary; empty when there are no charges.
    pub currency: String,
    /// Every currency in the period, largest total first.
    pub currencies: Vec<String>,
    pub total: Amount,
    pub charges: usize,
    /// Every day from the first to the last day of the period.
    pub days: Vec<Date>,
    /// Largest total first, in each of the three.
    pub by_provider: Vec<Series>,
    pub by_model: Vec<Series>,
    pub by_team: Vec<Series>,
}

/// Sums the charges of `table` that `filter` selects, by provider, model and the allocated
/// `team` values, day by day.
pub fn summarize(table: &ChargeTable, team: &Allocation, filter: &Filter) -> Summary {
    let by = [
        GroupBy::Dimension(0),
        GroupBy::Day,
        GroupBy::Provider,
        GroupBy::Model,
    ];
    let totals = aggregate(table, &[team], &by, filter);
    let day_count = usize::try_from(totals.last_day - totals.first_day + 1).unwrap_or(0);

    let mut by_provider = Grouping::new(day_count);
    let mut by_model = Grouping::new(day_count);
    let mut by_team = Grouping::new(day_count);
    for (key, amount) in &totals.groups {
        let day = key[1] as usize;
        by_team.add(&team.values[key[0] as usize], day, *amount);
        by_provider.add(table.strings.get(key[2]), day, *amount);
        let model = table.strings.get(key[3]);
        by_model.add(
            if model.is_empty() { NO_MODEL } else { model },
            day,
            *amount,
        );
    }

    Summary {
        days: (totals.first_day..=totals.last_day)
            .map(day_to_date)
            .collect(),
        currency: totals.currency,
        currencies: totals.currencies,
        total: totals.total,
        charges: totals.charges,
        by_provider: by_provider.into_series(),
        by_model: by_model.into_series(),
        by_team: by_team.into_series(),
    }
}

/// Daily sums per name, as they are accumulated.
struct Grouping<'a> {
    day_count: usize,
    series: HashMap<&'a str, Vec<Amount>>,
}

impl<'a> Grouping<'a> {
    fn new(day_count: usize) -> Self {
        Grouping {
            day_count,
            series: HashMap::new(),
        }
    }

    fn add(&mut self, name: &'a str, day: usize, cost: Amount) {
        let daily = self
            .series
            .entry(name)
            .or_insert_with(|| vec![Amount::ZERO; self.day_count]);
        daily[day] += cost;
    }

    fn into_series(self) -> Vec<Series> {
        let mut series: Vec<Series> = self
            .series
            .into_iter()
            .map(|(name, daily)| Series {
                name: name.to_owned(),
                total: daily.iter().sum(),
                daily,
            })
            .collect();
        series.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
        series
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::{Rules, UNALLOCATED, allocate};
    use crate::table::ChargeText;

    fn amount(text: &str) -> Amount {
        Amount::parse(text).expect("valid amount")
    }

    fn team_totals(table: &ChargeTable, rules: &str) -> Vec<(String, String)> {
        let rules = Rules::parse("r.toml", rules).expect("valid rules");
        let team = allocate(table, &rules, "team");
        let totals = aggregate(
            table,
            &[&team],
            &[GroupBy::Dimension(0)],
            &Filter::default(),
        );
        let sum: Amount = totals.groups.iter().map(|(_, amount)| *amount).sum();
        assert_eq!(sum, totals.total, "the values add up to the total");
        totals
            .groups
            .iter()
            .map(|(key, amount)| (team.values[key[0] as usize].clone(), amount.to_string()))
            .collect()
    }

    fn charge<'a>(key: &'a str, tags: &'a str, cost: &str) -> ChargeText<'a> {
        ChargeText {
            day: 20_000,
            source: "gcp",
            provider: "Google Cloud",
            currency: "USD",
            attribution_key: key,
            tags,
            billed_cost: amount(cost),
            ..ChargeText::default()
        }
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|&(name, amount)| (name.to_owned(), amount.to_owned()))
            .collect()
    }

    #[test]
    fn gcp_labels_and_credits_give_search_its_net_cost() {
        let mut table = ChargeTable::default();
        let labels = r#"{"team":"search","feature":"autocomplete"}"#;
        table.push(&ChargeText {
            charge_category: "Usage",
            ..charge("search-prod-123", labels, "10.00")
        });
        table.push(&ChargeText {
            charge_category: "Credit",
            ..charge("search-prod-123", labels, "-2.50")
        });
        table.push(&ChargeText {
            charge_category: "Usage",
            ..charge("search-prod-123", "", "3.00")
        });
        let rules = "[[team]]\nsource = \"gcp\"\nvalue = { tag = \"team\" }\n";
        assert_eq!(
            team_totals(&table, rules),
            owned(&[(UNALLOCATED, "3"), ("search", "7.5")])
        );
    }

    #[test]
    fn a_sixty_forty_split_of_a_hundred_and_one_cent() {
        let mut table = ChargeTable::default();
        table.push(&charge("gateway", "", "100.01"));
        let rules = "[[team]]\nkey = \"gateway\"\nsplit = { percent = { a = 60, b = 40 } }\n";
        assert_eq!(
            team_totals(&table, rules),
            owned(&[("a", "60.01"), ("b", "40")])
        );
    }

    #[test]
    fn a_proportional_split_follows_what_each_value_spends_elsewhere() {
        let mut table = ChargeTable::default();
        table.push(&charge("gateway", "", "10"));
        table.push(&charge("a-key", "", "30"));
        table.push(&charge("b-key", "", "10"));
        let rules = "[[team]]\nkey = \"a-key\"\nvalue = \"a\"\n\
                     [[team]]\nkey = \"b-key\"\nvalue = \"b\"\n\
                     [[team]]\nkey = \"gateway\"\nsplit = { proportional = [\"a\", \"b\"] }\n";
        assert_eq!(
            team_totals(&table, rules),
            owned(&[("a", "37.5"), ("b", "12.5")])
        );
    }

    #[test]
    fn a_proportional_split_with_no_basis_is_unallocated() {
        let mut table = ChargeTable::default();
        table.push(&charge("gateway", "", "10"));
        table.push(&charge("other", "", "5"));
        let rules = "[[team]]\nkey = \"gateway\"\nsplit = { proportional = [\"a\", \"b\"] }\n";
        assert_eq!(team_totals(&table, rules), owned(&[(UNALLOCATED, "15")]));
    }

    #[test]
    fn groups_by_day_month_and_fields_in_the_largest_currency() {
        let mut table = ChargeTable::default();
        table.push(&ChargeText {
            model: "gpt-4o",
            ..charge("k", "", "1")
        });
        table.push(&ChargeText {
            day: 20_001,
            model: "gpt-4o",
            ..charge("k", "", "2")
        });
        table.push(&ChargeText {
            currency: "EUR",
            ..charge("k", "", "1")
        });
        let team = allocate(&table, &Rules::default(), "team");
        let by = [GroupBy::Day, GroupBy::Model];
        let totals = aggregate(&table, &[&team], &by, &Filter::default());
        assert_eq!(totals.currency, "USD");
        assert_eq!(totals.currencies, ["USD", "EUR"]);
        assert_eq!((totals.total, totals.charges), (amount("3"), 2));
        let model = table.strings.find("gpt-4o").expect("interned");
        assert_eq!(
            totals.groups,
            [(vec![0, model], amount("1")), (vec![1, model], amount("2"))]
        );
        let months = aggregate(&table, &[&team], &[GroupBy::Month], &Filter::default());
        // Day 20 000 is 2024-10-04.
        assert_eq!(months.groups, [(vec![2024 * 12 + 9], amount("3"))]);
    }

    #[test]
    fn summarize_gives_daily_series_by_provider_model_and_team() {
        let mut table = ChargeTable::default();
        table.push(&charge("k", "", "1"));
        table.push(&ChargeText {
            day: 20_002,
            ..charge("k", "", "2")
        });
        let team = allocate(&table, &Rules::default(), "team");
        let summary = summarize(&table, &team, &Filter::default());
        assert_eq!(summary.days.len(), 3);
        assert_eq!(summary.total, amount("3"));
        assert_eq!(summary.by_team[0].name, UNALLOCATED);
        assert_eq!(
            summary.by_team[0].daily,
            [amount("1"), Amount::ZERO, amount("2")]
        );
        assert_eq!(summary.by_provider[0].name, "Google Cloud");
        assert_eq!(summary.by_model[0].name, NO_MODEL);
    }
}
