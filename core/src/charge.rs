//! One row of the normalized table as a Rust value, and its conversion to and from Arrow.
//!
//! Sources build [`Charge`] values; [`charges_to_batch`] turns them into a `RecordBatch` of
//! [`charge_schema`](crate::schema::charge_schema), the form that is written to Parquet, and
//! [`charges_from_batch`] turns such a batch back into the same values (the collector merges
//! newly collected days into a published month that way).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::builder::{Decimal128Builder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, TimestampMicrosecondType};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Decimal128Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use time::OffsetDateTime;

use crate::money::Amount;
use crate::schema::{DECIMAL_PRECISION, DECIMAL_SCALE, charge_schema, col};
use crate::table::TableError;

/// `ServiceCategory` of every AI line.
pub const AI_SERVICE_CATEGORY: &str = "AI and Machine Learning";

/// FOCUS `ChargeCategory` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChargeCategory {
    Usage,
    Purchase,
    Tax,
    Credit,
    Adjustment,
}

impl ChargeCategory {
    /// The FOCUS name of the category.
    pub fn as_str(self) -> &'static str {
        match self {
            ChargeCategory::Usage => "Usage",
            ChargeCategory::Purchase => "Purchase",
            ChargeCategory::Tax => "Tax",
            ChargeCategory::Credit => "Credit",
            ChargeCategory::Adjustment => "Adjustment",
        }
    }

    /// Reads a FOCUS category name, ignoring case.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Usage,
            Self::Purchase,
            Self::Tax,
            Self::Credit,
            Self::Adjustment,
        ]
        .into_iter()
        .find(|category| category.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// The kind of token a charge is for (`x_TokenType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenType {
    Input,
    Output,
    CacheRead,
    CacheWrite,
}

impl TokenType {
    /// The value written to `x_TokenType`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::Input => "input",
            TokenType::Output => "output",
            TokenType::CacheRead => "cache_read",
            TokenType::CacheWrite => "cache_write",
        }
    }

    /// Reads an `x_TokenType` value.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Input, Self::Output, Self::CacheRead, Self::CacheWrite]
            .into_iter()
            .find(|token_type| token_type.as_str() == text.trim())
    }
}

/// One charge: one period, one source, one sub-account, one attribution key, one model, one
/// SKU, one charge category. Field names are the FOCUS columns in snake case.
#[derive(Debug, Clone, PartialEq)]
pub struct Charge {
    pub charge_period_start: OffsetDateTime,
    pub charge_period_end: OffsetDateTime,
    pub billing_period_start: OffsetDateTime,
    pub billing_period_end: OffsetDateTime,
    pub billing_account_id: String,
    pub billing_account_name: Option<String>,
    pub invoice_issuer_name: String,
    pub billing_currency: String,
    pub billed_cost: Amount,
    pub effective_cost: Amount,
    pub list_cost: Amount,
    pub contracted_cost: Amount,
    pub pricing_quantity: Option<Amount>,
    pub pricing_unit: Option<String>,
    pub provider_name: String,
    pub publisher_name: String,
    pub service_name: String,
    pub service_category: String,
    pub sub_account_id: Option<String>,
    pub sub_account_name: Option<String>,
    pub resource_id: Option<String>,
    pub resource_name: Option<String>,
    pub region_id: Option<String>,
    pub sku_id: Option<String>,
    pub charge_description: Option<String>,
    pub charge_category: ChargeCategory,
    pub charge_class: Option<String>,
    pub consumed_quantity: Option<Amount>,
    pub consumed_unit: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// `x_Source`: the source id (`anthropic`, `openai`, `focus`, ...).
    pub source: String,
    /// `x_Model`: one model id across vendors, see [`crate::model::canonical_model`].
    pub model: Option<String>,
    pub token_type: Option<TokenType>,
    pub service_tier: Option<String>,
    /// `x_AttributionKind`: which native key `attribution_key` is (`workspace`, `project`, ...).
    pub attribution_kind: String,
    /// `x_AttributionKey`: the value of the native key that allocation rules match.
    pub attribution_key: String,
    /// `x_CostEstimated`: the cost is allot's estimate, not a figure the vendor billed for this
    /// row. A vendor that bills a workspace but counts tokens per API key gets its bill split
    /// over the keys by their tokens; the split rows add up exactly to the billed amount.
    pub cost_estimated: bool,
}

/// Microseconds since the Unix epoch.
fn micros(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

/// Builds one `RecordBatch` of the charge schema from `charges`.
pub fn charges_to_batch(charges: &[Charge]) -> RecordBatch {
    let timestamps = |field: fn(&Charge) -> OffsetDateTime| -> ArrayRef {
        let mut builder = TimestampMicrosecondBuilder::with_capacity(charges.len());
        for charge in charges {
            builder.append_value(micros(field(charge)));
        }
        Arc::new(builder.finish().with_timezone("UTC"))
    };
    let decimals = |field: fn(&Charge) -> Option<Amount>| -> ArrayRef {
        let mut builder = Decimal128Builder::with_capacity(charges.len());
        for charge in charges {
            builder.append_option(field(charge).map(Amount::raw));
        }
        Arc::new(
            builder
                .finish()
                .with_precision_and_scale(DECIMAL_PRECISION, DECIMAL_SCALE)
                .expect("38 and 18 are a valid decimal precision and scale"),
        )
    };
    let strings = |field: fn(&Charge) -> Option<&str>| -> ArrayRef {
        let mut builder = StringBuilder::with_capacity(charges.len(), charges.len() * 16);
        for charge in charges {
            builder.append_option(field(charge));
        }
        Arc::new(builder.finish())
    };

    let columns: Vec<ArrayRef> = vec![
        timestamps(|c| c.charge_period_start),
        timestamps(|c| c.charge_period_end),
        timestamps(|c| c.billing_period_start),
        timestamps(|c| c.billing_period_end),
        strings(|c| Some(&c.billing_account_id)),
        strings(|c| c.billing_account_name.as_deref()),
        strings(|c| Some(&c.invoice_issuer_name)),
        strings(|c| Some(&c.billing_currency)),
        decimals(|c| Some(c.billed_cost)),
        decimals(|c| Some(c.effective_cost)),
        decimals(|c| Some(c.list_cost)),
        decimals(|c| Some(c.contracted_cost)),
        decimals(|c| c.pricing_quantity),
        strings(|c| c.pricing_unit.as_deref()),
        strings(|c| Some(&c.provider_name)),
        strings(|c| Some(&c.publisher_name)),
        strings(|c| Some(&c.service_name)),
        strings(|c| Some(&c.service_category)),
        strings(|c| c.sub_account_id.as_deref()),
        strings(|c| c.sub_account_name.as_deref()),
        strings(|c| c.resource_id.as_deref()),
        strings(|c| c.resource_name.as_deref()),
        strings(|c| c.region_id.as_deref()),
        strings(|c| c.sku_id.as_deref()),
        strings(|c| c.charge_description.as_deref()),
        strings(|c| Some(c.charge_category.as_str())),
        strings(|c| c.charge_class.as_deref()),
        decimals(|c| c.consumed_quantity),
        strings(|c| c.consumed_unit.as_deref()),
        tags_column(charges),
        strings(|c| Some(&c.source)),
        strings(|c| c.model.as_deref()),
        strings(|c| c.token_type.map(TokenType::as_str)),
        strings(|c| c.service_tier.as_deref()),
        strings(|c| Some(&c.attribution_kind)),
        strings(|c| Some(&c.attribution_key)),
        Arc::new(
            charges
                .iter()
                .map(|c| Some(c.cost_estimated))
                .collect::<BooleanArray>(),
        ),
    ];
    RecordBatch::try_new(charge_schema(), columns)
        .expect("the columns are built in the order and types of the charge schema")
}

/// `Tags` as FOCUS wants them: a JSON object of string values, null when there are none.
fn tags_column(charges: &[Charge]) -> ArrayRef {
    let mut builder = StringBuilder::with_capacity(charges.len(), 0);
    for charge in charges {
        if charge.tags.is_empty() {
            builder.append_null();
        } else {
            let json = serde_json::to_string(&charge.tags).expect("a map of strings serializes");
            builder.append_value(json);
        }
    }
    Arc::new(builder.finish())
}

/// The charges of a batch of the charge schema: the inverse of [`charges_to_batch`].
pub fn charges_from_batch(batch: &RecordBatch) -> Result<Vec<Charge>, TableError> {
    let columns = BatchColumns::new(batch)?;
    (0..batch.num_rows())
        .map(|row| columns.charge(row))
        .collect()
}

/// The money of one row of a batch of the charge schema, which is all that reconciling a
/// written file needs: when its charge period starts, its currency and its billed cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BilledRow<'a> {
    pub charge_period_start: OffsetDateTime,
    pub billing_currency: &'a str,
    pub billed_cost: Amount,
}

/// The money of every row of `batch`, read from its three columns alone: a large file is read
/// back without building its charges.
pub fn billed_rows(batch: &RecordBatch) -> Result<Vec<BilledRow<'_>>, TableError> {
    let column = |name: &'static str| batch.column_by_name(name).ok_or(TableError::Column(name));
    let starts = column(col::CHARGE_PERIOD_START)?
        .as_primitive_opt::<TimestampMicrosecondType>()
        .ok_or(TableError::Column(col::CHARGE_PERIOD_START))?;
    let currencies = column(col::BILLING_CURRENCY)?
        .as_string_opt::<i32>()
        .ok_or(TableError::Column(col::BILLING_CURRENCY))?;
    let costs = column(col::BILLED_COST)?
        .as_primitive_opt::<Decimal128Type>()
        .ok_or(TableError::Column(col::BILLED_COST))?;
    Ok((0..batch.num_rows())
        .map(|row| BilledRow {
            charge_period_start: at(starts.value(row)),
            billing_currency: currencies.value(row),
            billed_cost: Amount::from_raw(costs.value(row)),
        })
        .collect())
}

/// The columns of a batch of the charge schema, by their type.
struct BatchColumns<'a> {
    /// `ChargePeriodStart`, `ChargePeriodEnd`, `BillingPeriodStart`, `BillingPeriodEnd`.
    times: [&'a TimestampMicrosecondArray; 4],
    /// `BilledCost`, `EffectiveCost`, `ListCost`, `ContractedCost`, `PricingQuantity`,
    /// `ConsumedQuantity`.
    decimals: [&'a Decimal128Array; 6],
    /// The text columns, in the order of `TEXT_COLUMNS`.
    texts: Vec<&'a StringArray>,
    estimated: &'a BooleanArray,
}

const TEXT_COLUMNS: [&str; 26] = [
    col::BILLING_ACCOUNT_ID,
    col::BILLING_ACCOUNT_NAME,
    col::INVOICE_ISSUER_NAME,
    col::BILLING_CURRENCY,
    col::PRICING_UNIT,
    col::PROVIDER_NAME,
    col::PUBLISHER_NAME,
    col::SERVICE_NAME,
    col::SERVICE_CATEGORY,
    col::SUB_ACCOUNT_ID,
    col::SUB_ACCOUNT_NAME,
    col::RESOURCE_ID,
    col::RESOURCE_NAME,
    col::REGION_ID,
    col::SKU_ID,
    col::CHARGE_DESCRIPTION,
    col::CHARGE_CATEGORY,
    col::CHARGE_CLASS,
    col::CONSUMED_UNIT,
    col::TAGS,
    col::SOURCE,
    col::MODEL,
    col::TOKEN_TYPE,
    col::SERVICE_TIER,
    col::ATTRIBUTION_KIND,
    col::ATTRIBUTION_KEY,
];

impl<'a> BatchColumns<'a> {
    fn new(batch: &'a RecordBatch) -> Result<Self, TableError> {
        let column =
            |name: &'static str| batch.column_by_name(name).ok_or(TableError::Column(name));
        let time = |name: &'static str| {
            column(name)?
                .as_primitive_opt::<TimestampMicrosecondType>()
                .ok_or(TableError::Column(name))
        };
        let decimal = |name: &'static str| {
            column(name)?
                .as_primitive_opt::<Decimal128Type>()
                .ok_or(TableError::Column(name))
        };
        let text = |name: &'static str| {
            column(name)?
                .as_string_opt::<i32>()
                .ok_or(TableError::Column(name))
        };
        let texts = TEXT_COLUMNS
            .iter()
            .map(|&name| text(name))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BatchColumns {
            times: [
                time(col::CHARGE_PERIOD_START)?,
                time(col::CHARGE_PERIOD_END)?,
                time(col::BILLING_PERIOD_START)?,
                time(col::BILLING_PERIOD_END)?,
            ],
            decimals: [
                decimal(col::BILLED_COST)?,
                decimal(col::EFFECTIVE_COST)?,
                decimal(col::LIST_COST)?,
                decimal(col::CONTRACTED_COST)?,
                decimal(col::PRICING_QUANTITY)?,
                decimal(col::CONSUMED_QUANTITY)?,
            ],
            texts,
            estimated: column(col::COST_ESTIMATED)?
                .as_boolean_opt()
                .ok_or(TableError::Column(col::COST_ESTIMATED))?,
        })
    }

    fn charge(&self, row: usize) -> Result<Charge, TableError> {
        let time = |index: usize| at(self.times[index].value(row));
        let amount = |index: usize| Amount::from_raw(self.decimals[index].value(row));
        let optional_amount =
            |index: usize| (!self.decimals[index].is_null(row)).then(|| amount(index));
        let text = |name: &str| {
            let index = TEXT_COLUMNS
                .iter()
                .position(|column| *column == name)
                .expect("every text column is in TEXT_COLUMNS");
            let array = self.texts[index];
            (!array.is_null(row)).then(|| array.value(row))
        };
        let optional = |name: &str| text(name).map(str::to_owned);
        let owned = |name: &str| text(name).unwrap_or_default().to_owned();
        let charge_category = ChargeCategory::parse(text(col::CHARGE_CATEGORY).unwrap_or_default())
            .ok_or(TableError::Column(col::CHARGE_CATEGORY))?;
        let tags = match text(col::TAGS) {
            Some(json) => serde_json::from_str(json).map_err(|_| TableError::Column(col::TAGS))?,
            None => BTreeMap::new(),
        };
        Ok(Charge {
            charge_period_start: time(0),
            charge_period_end: time(1),
            billing_period_start: time(2),
            billing_period_end: time(3),
            billing_account_id: owned(col::BILLING_ACCOUNT_ID),
            billing_account_name: optional(col::BILLING_ACCOUNT_NAME),
            invoice_issuer_name: owned(col::INVOICE_ISSUER_NAME),
            billing_currency: owned(col::BILLING_CURRENCY),
            billed_cost: amount(0),
            effective_cost: amount(1),
            list_cost: amount(2),
            contracted_cost: amount(3),
            pricing_quantity: optional_amount(4),
            pricing_unit: optional(col::PRICING_UNIT),
            provider_name: owned(col::PROVIDER_NAME),
            publisher_name: owned(col::PUBLISHER_NAME),
            service_name: owned(col::SERVICE_NAME),
            service_category: owned(col::SERVICE_CATEGORY),
            sub_account_id: optional(col::SUB_ACCOUNT_ID),
            sub_account_name: optional(col::SUB_ACCOUNT_NAME),
            resource_id: optional(col::RESOURCE_ID),
            resource_name: optional(col::RESOURCE_NAME),
            region_id: optional(col::REGION_ID),
            sku_id: optional(col::SKU_ID),
            charge_description: optional(col::CHARGE_DESCRIPTION),
            charge_category,
            charge_class: optional(col::CHARGE_CLASS),
            consumed_quantity: optional_amount(5),
            consumed_unit: optional(col::CONSUMED_UNIT),
            tags,
            source: owned(col::SOURCE),
            model: optional(col::MODEL),
            token_type: text(col::TOKEN_TYPE).and_then(TokenType::parse),
            service_tier: optional(col::SERVICE_TIER),
            attribution_kind: owned(col::ATTRIBUTION_KIND),
            attribution_key: owned(col::ATTRIBUTION_KEY),
            cost_estimated: self.estimated.value(row),
        })
    }
}

fn at(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge() -> Charge {
        let day = time::macros::datetime!(2026-10-01 00:00 UTC);
        Charge {
            charge_period_start: day,
            charge_period_end: day + time::Duration::DAY,
            billing_period_start: day,
            billing_period_end: time::macros::datetime!(2026-11-01 00:00 UTC),
            billing_account_id: "org".to_owned(),
            billing_account_name: None,
            invoice_issuer_name: "Anthropic".to_owned(),
            billing_currency: "USD".to_owned(),
            billed_cost: Amount::parse("0.13080438340307526").expect("amount"),
            effective_cost: Amount::parse("1").expect("amount"),
            list_cost: Amount::parse("2").expect("amount"),
            contracted_cost: Amount::parse("3").expect("amount"),
            pricing_quantity: None,
            pricing_unit: Some("1M tokens".to_owned()),
            provider_name: "Anthropic".to_owned(),
            publisher_name: "Anthropic".to_owned(),
            service_name: "Claude API".to_owned(),
            service_category: AI_SERVICE_CATEGORY.to_owned(),
            sub_account_id: Some("wrkspc_01".to_owned()),
            sub_account_name: None,
            resource_id: Some("apikey_01".to_owned()),
            resource_name: None,
            region_id: None,
            sku_id: Some("claude-sonnet-4-5-20250929".to_owned()),
            charge_description: None,
            charge_category: ChargeCategory::Credit,
            charge_class: None,
            consumed_quantity: Some(Amount::parse("1200000").expect("amount")),
            consumed_unit: Some("Tokens".to_owned()),
            tags: BTreeMap::from([("team".to_owned(), "search".to_owned())]),
            source: "anthropic".to_owned(),
            model: Some("claude-sonnet-4-5".to_owned()),
            token_type: Some(TokenType::CacheWrite),
            service_tier: Some("batch".to_owned()),
            attribution_kind: "api_key".to_owned(),
            attribution_key: "apikey_01".to_owned(),
            cost_estimated: true,
        }
    }

    #[test]
    fn a_batch_turns_back_into_the_same_charges() {
        let estimated = charge();
        let billed = Charge {
            cost_estimated: false,
            tags: BTreeMap::new(),
            token_type: None,
            consumed_quantity: None,
            ..charge()
        };
        let charges = vec![estimated, billed];
        let batch = charges_to_batch(&charges);
        assert_eq!(
            charges_from_batch(&batch).expect("a batch of the schema"),
            charges
        );
    }

    #[test]
    fn the_money_of_a_file_read_back_from_three_columns() {
        let euro = Charge {
            billing_currency: "EUR".to_owned(),
            billed_cost: Amount::parse("-2.5").expect("amount"),
            charge_period_start: time::macros::datetime!(2026-10-02 00:00 UTC),
            ..charge()
        };
        let bytes = crate::parquet_io::write_charges(&[charges_to_batch(&[charge(), euro])])
            .expect("written");
        let batches = crate::parquet_io::read_charge_columns(
            bytes.into(),
            &[
                col::CHARGE_PERIOD_START,
                col::BILLING_CURRENCY,
                col::BILLED_COST,
            ],
        )
        .expect("read back");
        assert_eq!(batches[0].num_columns(), 3);
        let rows = billed_rows(&batches[0]).expect("the three columns");
        assert_eq!(
            rows,
            [
                BilledRow {
                    charge_period_start: time::macros::datetime!(2026-10-01 00:00 UTC),
                    billing_currency: "USD",
                    billed_cost: Amount::parse("0.13080438340307526").expect("amount"),
                },
                BilledRow {
                    charge_period_start: time::macros::datetime!(2026-10-02 00:00 UTC),
                    billing_currency: "EUR",
                    billed_cost: Amount::parse("-2.5").expect("amount"),
                },
            ]
        );
    }
}
