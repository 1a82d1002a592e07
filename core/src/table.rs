//! The charges that allocation and aggregation read, decoded from Arrow into compact columns.
//!
//! Strings are interned once, so a group-by compares integers. Every row also carries its
//! [`Combination`]: the distinct tuple of the fields allocation rules can read (source,
//! attribution key, sub-account, model, service, charge category, tags) with the provider and
//! currency. Real data has a few thousand combinations for millions of rows, so rules are
//! evaluated per combination and a row's outcome is one array lookup. Tags are parsed once per
//! distinct `Tags` text. Money stays exact ([`Amount`]).

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch, StringArray};
use time::Date;

use crate::allocation::fold;
use crate::hash::FastMap;
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
    index: FastMap<String, Symbol>,
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

    /// The number of distinct strings.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no string is interned.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The symbol of `value`, if it is interned.
    pub fn find(&self, value: &str) -> Option<Symbol> {
        self.index.get(value).copied()
    }
}

/// One tag of a charge's `Tags`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The key as the vendor wrote it, for display.
    pub key: String,
    /// The key with case and separators folded, for matching (see [`fold`]).
    pub key_folded: String,
    /// The value as the vendor wrote it, for display.
    pub value: String,
    /// The value folded, for matching and for telling values apart.
    pub value_folded: String,
}

/// The distinct tuple of the fields rules read, shared by many rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Combination {
    pub source: Symbol,
    pub provider: Symbol,
    pub currency: Symbol,
    pub attribution_key: Symbol,
    pub sub_account: Symbol,
    pub model: Symbol,
    pub service: Symbol,
    pub charge_category: Symbol,
    /// Index in [`ChargeTable::tag_sets`].
    pub tags: u32,
}

/// One charge as text, to append to a table without Arrow (tests, benchmarks).
#[derive(Debug, Clone, Copy, Default)]
pub struct ChargeText<'a> {
    /// `ChargePeriodStart` as days since 1970-01-01 (UTC).
    pub day: i32,
    pub source: &'a str,
    pub provider: &'a str,
    pub model: &'a str,
    pub currency: &'a str,
    pub charge_category: &'a str,
    pub sub_account: &'a str,
    pub service: &'a str,
    pub attribution_key: &'a str,
    /// `Tags`: a JSON object, or empty for none.
    pub tags: &'a str,
    pub billed_cost: Amount,
}

/// The decoded charges: one entry per row in each column.
#[derive(Debug, Clone)]
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
    pub service: Vec<Symbol>,
    pub attribution_key: Vec<Symbol>,
    pub billed_cost: Vec<Amount>,
    /// Per row, its index in [`ChargeTable::combinations`].
    pub combination: Vec<u32>,
    /// The distinct combinations, in order of first appearance.
    pub combinations: Vec<Combination>,
    /// The distinct parsed `Tags`; the first is the empty set.
    pub tag_sets: Vec<Vec<Tag>>,
    combination_index: FastMap<Combination, u32>,
    /// Per `Tags` text symbol, its index in `tag_sets`.
    tag_set_of_text: FastMap<Symbol, u32>,
}

impl Default for ChargeTable {
    fn default() -> Self {
        ChargeTable {
            strings: Strings::default(),
            day: Vec::new(),
            source: Vec::new(),
            provider: Vec::new(),
            model: Vec::new(),
            currency: Vec::new(),
            charge_category: Vec::new(),
            sub_account: Vec::new(),
            service: Vec::new(),
            attribution_key: Vec::new(),
            billed_cost: Vec::new(),
            combination: Vec::new(),
            combinations: Vec::new(),
            tag_sets: vec![Vec::new()],
            combination_index: FastMap::default(),
            tag_set_of_text: FastMap::default(),
        }
    }
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
        let service = text(col::SERVICE_NAME)?;
        let key = text(col::ATTRIBUTION_KEY)?;
        let tags = text(col::TAGS)?;

        for row in 0..batch.num_rows() {
            let day = starts.value(row).div_euclid(DAY_MICROS);
            self.push(&ChargeText {
                day: i32::try_from(day).unwrap_or(i32::MAX),
                source: text_at(source, row),
                provider: text_at(provider, row),
                model: text_at(model, row),
                currency: text_at(currency, row),
                charge_category: text_at(category, row),
                sub_account: text_at(sub_account, row),
                service: text_at(service, row),
                attribution_key: text_at(key, row),
                tags: text_at(tags, row),
                billed_cost: Amount::from_raw(costs.value(row)),
            });
        }
        Ok(())
    }

    /// Appends one charge.
    pub fn push(&mut self, charge: &ChargeText<'_>) {
        let tags_text = self.strings.intern(charge.tags);
        let tags = match self.tag_set_of_text.get(&tags_text) {
            Some(&set) => set,
            None if charge.tags.trim().is_empty() => 0,
            None => {
                let set = u32::try_from(self.tag_sets.len()).expect("fewer than 4 billion tags");
                self.tag_sets.push(parse_tags(charge.tags));
                self.tag_set_of_text.insert(tags_text, set);
                set
            }
        };
        let combination = Combination {
            source: self.strings.intern(charge.source),
            provider: self.strings.intern(charge.provider),
            currency: self.strings.intern(charge.currency),
            attribution_key: self.strings.intern(charge.attribution_key),
            sub_account: self.strings.intern(charge.sub_account),
            model: self.strings.intern(charge.model),
            service: self.strings.intern(charge.service),
            charge_category: self.strings.intern(charge.charge_category),
            tags,
        };
        let next = u32::try_from(self.combinations.len()).expect("fewer than 4 billion rows");
        let index = *self.combination_index.entry(combination).or_insert(next);
        if index == next {
            self.combinations.push(combination);
        }

        self.day.push(charge.day);
        self.billed_cost.push(charge.billed_cost);
        self.combination.push(index);
        self.source.push(combination.source);
        self.provider.push(combination.provider);
        self.model.push(combination.model);
        self.currency.push(combination.currency);
        self.charge_category.push(combination.charge_category);
        self.sub_account.push(combination.sub_account);
        self.service.push(combination.service);
        self.attribution_key.push(combination.attribution_key);
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

/// The text at `row` of `array`, empty when null.
fn text_at(array: &StringArray, row: usize) -> &str {
    if array.is_null(row) {
        ""
    } else {
        array.value(row)
    }
}

/// The tags of a FOCUS `Tags` text: a JSON object whose values are strings (other values are
/// kept as their JSON text). Text that is not a JSON object has no tags.
fn parse_tags(text: &str) -> Vec<Tag> {
    let Ok(serde_json::Value::Object(object)) = serde_json::from_str(text) else {
        return Vec::new();
    };
    object
        .into_iter()
        .map(|(key, value)| {
            let value = match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            };
            Tag {
                key_folded: fold(&key),
                key,
                value_folded: fold(&value),
                value,
            }
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_share_combinations_and_tags_are_parsed_once_per_text() {
        let mut table = ChargeTable::default();
        let tagged = ChargeText {
            source: "gcp",
            attribution_key: "search-prod-123",
            tags: r#"{"Team":"ML_Platform","cost-center":"cc-42"}"#,
            ..ChargeText::default()
        };
        table.push(&tagged);
        table.push(&ChargeText { day: 1, ..tagged });
        table.push(&ChargeText { tags: "", ..tagged });

        assert_eq!(table.len(), 3);
        assert_eq!(table.combination, vec![0, 0, 1]);
        assert_eq!(table.tag_sets.len(), 2);
        let tags = &table.tag_sets[table.combinations[0].tags as usize];
        assert_eq!(tags[0].key, "Team");
        assert_eq!(tags[0].key_folded, "team");
        assert_eq!(tags[0].value, "ML_Platform");
        assert_eq!(tags[0].value_folded, "ml-platform");
        assert!(table.tag_sets[table.combinations[1].tags as usize].is_empty());
        assert_eq!(table.strings.find("gcp"), Some(table.source[0]));
    }

    #[test]
    fn tags_that_are_not_an_object_are_none() {
        assert!(parse_tags("[1, 2]").is_empty());
        assert!(parse_tags("not json").is_empty());
        assert_eq!(parse_tags(r#"{"n": 3}"#)[0].value, "3");
    }
}
