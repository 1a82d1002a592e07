//! One row of the normalized table as a Rust value, and its conversion to and from Arrow.
//!
//! Sources build [`Charge`] values; [`charges_to_batch`] turns them into a `RecordBatch` of
//! [`charge_schema`](crate::schema::charge_schema), the form that is written to Parquet.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::builder::{Decimal128Builder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use time::OffsetDateTime;

use crate::money::Amount;
use crate::schema::{DECIMAL_PRECISION, DECIMAL_SCALE, charge_schema};

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
