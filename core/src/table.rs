//! The charges that allocation and aggregation read, decoded from Arrow into compact columns.
//!
//! Strings are interned once, so a group-by compares integers, and the rules are evaluated once
//! per distinct key rather than once per row. Money stays exact ([`Amount`]).

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch, StringArray};
use time::Date;

use crate::money::Amount;
use crate::schema::col;

/// An interned string's index in [`ChargeTable::strings`].
pub type Symbol = u32;

/// Microseconds in a day.
const DAY_MICROS: i64 = 86_400_000_000;

/// Why a batch could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("column `{0}` is missing or has an unexpected type")]
    Column(&'static str),
}

/// Interned strings: each distinct string once, referred to by its [`Symbol`].
#[derive(Debug, Default, Clone)]
pub struct Strings {
    values: Vec<String>,
    index: HashMap<String, Symbol>,
}

impl Strings {
    /// The symbol of `value`, interning it on first sight.
    pub fn intern(&mut self, value: &str) -> Symbol {
        if let Some(&symbol) = self.index.get(value) {
            return symbol;
        }
        let symbol = Symbol::try_from(self.values.len()).expect("fewer than 4 billion strings");
        self.values.push(value.to_owned());
        self.index.insert(value.to_owned(), symbol);
        symbol
    }

    /// The string of `symbol`.
    pub fn get(&self, symbol: Symbol) -> &str {
        &self.values[symbol as usize]
    }
}

/// The decoded charges: one entry per row in each column.
#[derive(Debug, Default, Clone)]
pub struct ChargeTable {
    pub strings: Strings,
    /// `ChargePeriodStart` as days since 1970-01-01 (UTC).
    pub day: Vec<i32>,
    pub source: Vec<Symbol>,
    pub provider: Vec<Symbol>,
    /// `x_Model`, or the empty string for charges that are not for a model (tools, fees).
    pub model: Vec<Symbol>,
    pub currency: Vec<Symbol>,
    pub charge_category: Vec<Symbol>,
    pub sub_account: Vec<Symbol>,
    pub attribution_key: Vec<Symbol>,
    pub billed_cost: Vec<Amount>,
}

impl ChargeTable {
    /// Appends the rows of `batch`, a batch of the charge schema.
    pub fn append(&mut self, batch: &RecordBatch) -> Result<(), TableError> {
        let starts = batch
            .column_by_name(col::CHARGE_PERIOD_START)
            .and_then(|array| array.as_primitive_opt::<TimestampMicrosecondType>())
            .ok_or(TableError::Column(col::CHARGE_PERIOD_START))?;
        let costs = batch
            .column_by_name(col::BILLED_COST)
            .and_then(|array| array.as_primitive_opt::<Decimal128Type>())
            .ok_or(TableError::Column(col::BILLED_COST))?;
        let text = |name: &'static str| -> Result<&StringArray, TableError> {
            batch
                .column_by_name(name)
                .and_then(|array| array.as_string_opt::<i32>())
                .ok_or(TableError::Column(name))
        };
        let source = text(col::SOURCE)?;
        let provider = text(col::PROVIDER_NAME)?;
        let model = text(col::MODEL)?;
        let currency = text(col::BILLING_CURRENCY)?;
        let category = text(col::CHARGE_CATEGORY)?;
        let sub_account = text(col::SUB_ACCOUNT_ID)?;
        let key = text(col::ATTRIBUTION_KEY)?;

        for row in 0..batch.num_rows() {
            let day = starts.value(row).div_euclid(DAY_MICROS);
            self.day.push(i32::try_from(day).unwrap_or(i32::MAX));
            self.billed_cost.push(Amount::from_raw(costs.value(row)));
            let mut intern = |array: &StringArray| {
                let value = if array.is_null(row) {
                    ""
                } else {
                    array.value(row)
                };
                self.strings.intern(value)
            };
            let symbols = [
                intern(source),
                intern(provider),
                intern(model),
                intern(currency),
                intern(category),
                intern(sub_account),
                intern(key),
            ];
            self.source.push(symbols[0]);
            self.provider.push(symbols[1]);
            self.model.push(symbols[2]);
            self.currency.push(symbols[3]);
            self.charge_category.push(symbols[4]);
            self.sub_account.push(symbols[5]);
            self.attribution_key.push(symbols[6]);
        }
        Ok(())
    }

    /// Decodes batches of the charge schema.
    pub fn from_batches<'a>(
        batches: impl IntoIterator<Item = &'a RecordBatch>,
    ) -> Result<Self, TableError> {
        let mut table = ChargeTable::default();
        for batch in batches {
            table.append(batch)?;
        }
        Ok(table)
    }

    /// The number of charges.
    pub fn len(&self) -> usize {
        self.day.len()
    }

    /// Whether there are no charges.
    pub fn is_empty(&self) -> bool {
        self.day.is_empty()
    }

    /// The first and last charge day, if any.
    pub fn day_range(&self) -> Option<(Date, Date)> {
        let first = *self.day.iter().min()?;
        let last = *self.day.iter().max()?;
        Some((day_to_date(first), day_to_date(last)))
    }
}

/// Days since 1970-01-01 of `date`.
pub fn date_to_day(date: Date) -> i32 {
    date.to_julian_day() - time::macros::date!(1970 - 01 - 01).to_julian_day()
}

/// The date `day` days after 1970-01-01.
pub fn day_to_date(day: i32) -> Date {
    let epoch = time::macros::date!(1970 - 01 - 01).to_julian_day();
    Date::from_julian_day(epoch + day).unwrap_or(Date::MAX)
}
