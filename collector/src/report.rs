//! The reconciliation report: per source, what was read, kept, dropped and rejected, and whether
//! the money that came in equals the money that went out.
//!
//! Input totals are summed as each input line is parsed; output totals are summed from the
//! Parquet files as written, read back. A source reconciles when, for every currency, the input
//! total equals the output total plus the cost of the lines dropped as not AI, and every row
//! read is kept, dropped or rejected.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use allot_core::Amount;
use serde::Serialize;

/// An input line that could not be read, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// The file, or the API call and page, the line came from.
    pub file: String,
    /// Where in it: `line 12, column BilledCost` for CSV, a JSON path for JSON.
    pub location: String,
    pub reason: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{}: {}: {}",
            self.file, self.location, self.reason
        )
    }
}

/// Money per currency code.
pub type Totals = BTreeMap<String, Amount>;

/// What one source's run read and wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceReport {
    pub source: String,
    pub files: Vec<String>,
    pub rows_read: u64,
    pub rows_kept: u64,
    pub rows_not_ai: u64,
    pub rows_rejected: u64,
    #[serde(serialize_with = "serialize_totals")]
    pub not_ai_cost: Totals,
    #[serde(serialize_with = "serialize_totals")]
    pub input_cost: Totals,
    #[serde(serialize_with = "serialize_totals")]
    pub output_cost: Totals,
    pub rows_written: u64,
    /// Rows of a usage report read (tokens, no money): joined to the cost rows for their
    /// token counts, and for the keys' share of an estimated cost.
    pub usage_rows: u64,
    /// Charges whose cost allot estimated (`x_CostEstimated`), from how many billed rows.
    pub rows_estimated: u64,
    pub rows_split_for_estimate: u64,
    /// For a pull from a vendor's API: the UTC days collected (`YYYY-MM-DD..YYYY-MM-DD`,
    /// inclusive) and the pages fetched.
    pub period: Option<String>,
    pub pages_fetched: u64,
    /// Rows already published outside the collected days, kept untouched in the months the
    /// pull rewrote, and their cost. They are not part of this run's input or output totals.
    pub rows_carried_over: u64,
    #[serde(serialize_with = "serialize_totals")]
    pub carried_over_cost: Totals,
    pub rejections: Vec<Rejection>,
    /// Charges for a model allot does not know, by model: kept with their cost, listed so a
    /// person can check them.
    pub unknown_models: BTreeMap<String, u64>,
}

impl SourceReport {
    pub fn new(source: &str) -> Self {
        SourceReport {
            source: source.to_owned(),
            ..SourceReport::default()
        }
    }

    /// Counts an input line's money towards the input total.
    pub fn add_input(&mut self, currency: &str, cost: Amount) {
        *self.input_cost.entry(currency.to_owned()).or_default() += cost;
    }

    /// Counts a line that is not an AI charge.
    pub fn add_not_ai(&mut self, currency: &str, cost: Amount) {
        self.rows_not_ai += 1;
        *self.not_ai_cost.entry(currency.to_owned()).or_default() += cost;
    }

    /// Counts a line that could not be read.
    pub fn reject(&mut self, file: &str, location: String, reason: String) {
        self.rows_rejected += 1;
        self.rejections.push(Rejection {
            file: file.to_owned(),
            location,
            reason,
        });
    }

    /// Why the money or the rows do not add up, if they do not.
    pub fn discrepancies(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let accounted = self.rows_kept + self.rows_not_ai + self.rows_rejected + self.usage_rows;
        if accounted != self.rows_read {
            problems.push(format!(
                "{} rows read but {accounted} kept, dropped, rejected or read as usage",
                self.rows_read
            ));
        }
        let currencies = self.input_cost.keys().chain(self.output_cost.keys());
        for currency in currencies.collect::<std::collections::BTreeSet<_>>() {
            let input = self.input_cost.get(currency).copied().unwrap_or_default();
            let output = self.output_cost.get(currency).copied().unwrap_or_default();
            let not_ai = self.not_ai_cost.get(currency).copied().unwrap_or_default();
            if input != output + not_ai {
                problems.push(format!(
                    "{currency}: input {input} but output {output} plus not-AI {not_ai}"
                ));
            }
        }
        problems
    }
}

fn serialize_totals<S: serde::Serializer>(
    totals: &Totals,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(
        totals
            .iter()
            .map(|(currency, amount)| (currency, amount.to_string())),
    )
}

/// `12.505 USD + 3 EUR`, or `0` when empty.
pub fn format_totals(totals: &Totals) -> String {
    if totals.is_empty() {
        return "0".to_owned();
    }
    let parts: Vec<String> = totals
        .iter()
        .map(|(currency, amount)| format!("{amount} {currency}"))
        .collect();
    parts.join(" + ")
}

/// The report of a run as a table for people, one block per source.
pub fn render(reports: &[SourceReport]) -> String {
    let mut out = String::new();
    for report in reports {
        let problems = report.discrepancies();
        let verdict = if problems.is_empty() {
            "reconciled"
        } else {
            "NOT RECONCILED"
        };
        let _ = writeln!(out, "source `{}`: {verdict}", report.source);
        if let Some(period) = &report.period {
            let _ = writeln!(out, "  period           {period}");
            let _ = writeln!(out, "  pages fetched    {}", report.pages_fetched);
        } else {
            let _ = writeln!(out, "  files            {}", report.files.len());
        }
        let _ = writeln!(out, "  rows read        {}", report.rows_read);
        let _ = writeln!(out, "  kept (AI)        {}", report.rows_kept);
        if report.usage_rows > 0 {
            let _ = writeln!(out, "  usage rows       {} (tokens)", report.usage_rows);
        }
        let _ = writeln!(
            out,
            "  dropped, not AI  {} ({})",
            report.rows_not_ai,
            format_totals(&report.not_ai_cost)
        );
        let _ = writeln!(out, "  rejected         {}", report.rows_rejected);
        let _ = writeln!(
            out,
            "  input total      {}",
            format_totals(&report.input_cost)
        );
        let _ = writeln!(
            out,
            "  output total     {}",
            format_totals(&report.output_cost)
        );
        let _ = writeln!(out, "  rows written     {}", report.rows_written);
        if report.rows_estimated > 0 {
            let _ = writeln!(
                out,
                "  estimated        {} rows split by API key from {} billed rows \
                 (x_CostEstimated)",
                report.rows_estimated, report.rows_split_for_estimate
            );
        }
        if report.period.is_some() {
            let _ = writeln!(
                out,
                "  carried over     {} published rows outside the period, untouched ({})",
                report.rows_carried_over,
                format_totals(&report.carried_over_cost)
            );
        }
        for (model, charges) in &report.unknown_models {
            let _ = writeln!(
                out,
                "  unknown model    `{model}` on {charges} charges, kept with its cost"
            );
        }
        for rejection in &report.rejections {
            let _ = writeln!(out, "  rejected: {rejection}");
        }
        for problem in problems {
            let _ = writeln!(out, "  discrepancy: {problem}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(text: &str) -> Amount {
        Amount::parse(text).expect("amount")
    }

    #[test]
    fn reconciles_when_input_equals_output_plus_not_ai() {
        let mut report = SourceReport::new("focus");
        report.rows_read = 3;
        report.rows_kept = 2;
        report.add_input("USD", usd("10.5"));
        report.add_not_ai("USD", usd("0.5"));
        report.output_cost.insert("USD".into(), usd("10"));
        assert!(
            report.discrepancies().is_empty(),
            "{:?}",
            report.discrepancies()
        );
    }

    #[test]
    fn names_the_missing_money_and_rows() {
        let mut report = SourceReport::new("openai");
        report.rows_read = 2;
        report.rows_kept = 1;
        report.add_input("USD", usd("12.000271"));
        report.output_cost.insert("USD".into(), usd("12"));
        assert_eq!(
            report.discrepancies(),
            vec![
                "2 rows read but 1 kept, dropped, rejected or read as usage".to_owned(),
                "USD: input 12.000271 but output 12 plus not-AI 0".to_owned(),
            ]
        );
    }
}
