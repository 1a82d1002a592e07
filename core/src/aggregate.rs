//! The dashboard's numbers: totals and daily series by provider, model and team.
//!
//! Everything is summed exactly in one currency; a data set with several currencies is shown
//! one currency at a time, never added across currencies.

use std::collections::HashMap;

use time::Date;

use crate::allocation::Allocation;
use crate::money::Amount;
use crate::table::{ChargeTable, Symbol, date_to_day, day_to_date};

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
/// `team` values.
pub fn summarize(table: &ChargeTable, team: &Allocation, filter: &Filter) -> Summary {
    let data_range = table.day_range();
    let first = filter.first_day.or(data_range.map(|range| range.0));
    let last = filter.last_day.or(data_range.map(|range| range.1));
    let (Some(first), Some(last)) = (first, last) else {
        return empty_summary();
    };
    let (first_day, last_day) = (date_to_day(first), date_to_day(last));
    let in_period = |row: usize| (first_day..=last_day).contains(&table.day[row]);

    let mut per_currency: HashMap<Symbol, Amount> = HashMap::new();
    for row in (0..table.len()).filter(|&row| in_period(row)) {
        *per_currency.entry(table.currency[row]).or_default() += table.billed_cost[row];
    }
    let mut currencies: Vec<(String, Amount)> = per_currency
        .into_iter()
        .map(|(symbol, total)| (table.strings.get(symbol).to_owned(), total))
        .collect();
    currencies.sort_by(|a, b| {
        let magnitude = |amount: Amount| amount.raw().unsigned_abs();
        magnitude(b.1)
            .cmp(&magnitude(a.1))
            .then_with(|| a.0.cmp(&b.0))
    });
    let currency = filter
        .currency
        .clone()
        .or_else(|| currencies.first().map(|(name, _)| name.clone()))
        .unwrap_or_default();

    let day_count = usize::try_from(last_day - first_day + 1).unwrap_or(0);
    let mut by_provider = Grouping::new(day_count);
    let mut by_model = Grouping::new(day_count);
    let mut by_team = Grouping::new(day_count);
    let mut total = Amount::ZERO;
    let mut charges = 0;
    for row in (0..table.len()).filter(|&row| in_period(row)) {
        if table.strings.get(table.currency[row]) != currency {
            continue;
        }
        let day = usize::try_from(table.day[row] - first_day).unwrap_or(0);
        let cost = table.billed_cost[row];
        total += cost;
        charges += 1;
        by_provider.add(table.strings.get(table.provider[row]), day, cost);
        let model = table.strings.get(table.model[row]);
        by_model.add(if model.is_empty() { NO_MODEL } else { model }, day, cost);
        by_team.add(&team.values[team.value_of_charge[row] as usize], day, cost);
    }

    Summary {
        currency,
        currencies: currencies.into_iter().map(|(name, _)| name).collect(),
        total,
        charges,
        days: (first_day..=last_day).map(day_to_date).collect(),
        by_provider: by_provider.into_series(),
        by_model: by_model.into_series(),
        by_team: by_team.into_series(),
    }
}

fn empty_summary() -> Summary {
    Summary {
        currency: String::new(),
        currencies: Vec::new(),
        total: Amount::ZERO,
        charges: 0,
        days: Vec::new(),
        by_provider: Vec::new(),
        by_model: Vec::new(),
        by_team: Vec::new(),
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
