//! The normalized charge table: its column names and its Arrow schema.
//!
//! Column names follow FinOps FOCUS 1.2 wherever FOCUS has the concept; what FOCUS lacks is an
//! `x_` column. Every column FOCUS 1.2 marks Mandatory is present, and those it marks
//! non-nullable are declared non-nullable here, so a Parquet file written with this schema is a
//! valid FOCUS data set as far as its columns go.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// The version of the normalized schema. It travels in the Arrow schema metadata (and so in the
/// Parquet footer) and in the manifest; a reader refuses data of a version it does not know.
///
/// Version 2 added `x_CostEstimated`.
pub const SCHEMA_VERSION: u32 = 2;

/// The metadata key under which [`SCHEMA_VERSION`] is stored.
pub const SCHEMA_VERSION_KEY: &str = "allot.schema_version";

/// Precision of every money and quantity column: the widest `Decimal128`.
pub const DECIMAL_PRECISION: u8 = 38;

/// Scale of every money and quantity column. 24 digits after the point keep OpenAI's dollar
/// floats exact (17 significant digits, written down to `0.00032195744715549047` in real
/// responses) and leave 14 digits before the point: amounts up to a hundred trillion per row.
pub const DECIMAL_SCALE: i8 = 24;

/// FOCUS and `x_` column names, as constants so that a typo is a compile error.
pub mod col {
    pub const CHARGE_PERIOD_START: &str = "ChargePeriodStart";
    pub const CHARGE_PERIOD_END: &str = "ChargePeriodEnd";
    pub const BILLING_PERIOD_START: &str = "BillingPeriodStart";
    pub const BILLING_PERIOD_END: &str = "BillingPeriodEnd";
    pub const BILLING_ACCOUNT_ID: &str = "BillingAccountId";
    pub const BILLING_ACCOUNT_NAME: &str = "BillingAccountName";
    pub const INVOICE_ISSUER_NAME: &str = "InvoiceIssuerName";
    pub const BILLING_CURRENCY: &str = "BillingCurrency";
    pub const BILLED_COST: &str = "BilledCost";
    pub const EFFECTIVE_COST: &str = "EffectiveCost";
    pub const LIST_COST: &str = "ListCost";
    pub const CONTRACTED_COST: &str = "ContractedCost";
    pub const PRICING_QUANTITY: &str = "PricingQuantity";
    pub const PRICING_UNIT: &str = "PricingUnit";
    pub const PROVIDER_NAME: &str = "ProviderName";
    pub const PUBLISHER_NAME: &str = "PublisherName";
    pub const SERVICE_NAME: &str = "ServiceName";
    pub const SERVICE_CATEGORY: &str = "ServiceCategory";
    pub const SUB_ACCOUNT_ID: &str = "SubAccountId";
    pub const SUB_ACCOUNT_NAME: &str = "SubAccountName";
    pub const RESOURCE_ID: &str = "ResourceId";
    pub const RESOURCE_NAME: &str = "ResourceName";
    pub const REGION_ID: &str = "RegionId";
    pub const SKU_ID: &str = "SkuId";
    pub const CHARGE_DESCRIPTION: &str = "ChargeDescription";
    pub const CHARGE_CATEGORY: &str = "ChargeCategory";
    pub const CHARGE_CLASS: &str = "ChargeClass";
    pub const CONSUMED_QUANTITY: &str = "ConsumedQuantity";
    pub const CONSUMED_UNIT: &str = "ConsumedUnit";
    pub const TAGS: &str = "Tags";
    pub const SOURCE: &str = "x_Source";
    pub const MODEL: &str = "x_Model";
    pub const TOKEN_TYPE: &str = "x_TokenType";
    pub const SERVICE_TIER: &str = "x_ServiceTier";
    pub const ATTRIBUTION_KIND: &str = "x_AttributionKind";
    pub const ATTRIBUTION_KEY: &str = "x_AttributionKey";
    pub const COST_ESTIMATED: &str = "x_CostEstimated";
}

/// The Arrow type of a charge timestamp: microseconds, UTC.
pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// The Arrow type of money and quantities.
pub fn decimal_type() -> DataType {
    DataType::Decimal128(DECIMAL_PRECISION, DECIMAL_SCALE)
}

static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    use col::{
        ATTRIBUTION_KEY, ATTRIBUTION_KIND, BILLED_COST, BILLING_ACCOUNT_ID, BILLING_ACCOUNT_NAME,
        BILLING_CURRENCY, BILLING_PERIOD_END, BILLING_PERIOD_START, CHARGE_CATEGORY, CHARGE_CLASS,
        CHARGE_DESCRIPTION, CHARGE_PERIOD_END, CHARGE_PERIOD_START, CONSUMED_QUANTITY,
        CONSUMED_UNIT, CONTRACTED_COST, COST_ESTIMATED, EFFECTIVE_COST, INVOICE_ISSUER_NAME,
        LIST_COST, MODEL, PRICING_QUANTITY, PRICING_UNIT, PROVIDER_NAME, PUBLISHER_NAME, REGION_ID,
        RESOURCE_ID, RESOURCE_NAME, SERVICE_CATEGORY, SERVICE_NAME, SERVICE_TIER, SKU_ID, SOURCE,
        SUB_ACCOUNT_ID, SUB_ACCOUNT_NAME, TAGS, TOKEN_TYPE,
    };
    let ts = |name: &str| Field::new(name, timestamp_type(), false);
    let money = |name: &str| Field::new(name, decimal_type(), false);
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    let fields = vec![
        ts(CHARGE_PERIOD_START),
        ts(CHARGE_PERIOD_END),
        ts(BILLING_PERIOD_START),
        ts(BILLING_PERIOD_END),
        text(BILLING_ACCOUNT_ID, false),
        text(BILLING_ACCOUNT_NAME, true),
        text(INVOICE_ISSUER_NAME, false),
        text(BILLING_CURRENCY, false),
        money(BILLED_COST),
        money(EFFECTIVE_COST),
        money(LIST_COST),
        money(CONTRACTED_COST),
        Field::new(PRICING_QUANTITY, decimal_type(), true),
        text(PRICING_UNIT, true),
        text(PROVIDER_NAME, false),
        text(PUBLISHER_NAME, false),
        text(SERVICE_NAME, false),
        text(SERVICE_CATEGORY, false),
        text(SUB_ACCOUNT_ID, true),
        text(SUB_ACCOUNT_NAME, true),
        text(RESOURCE_ID, true),
        text(RESOURCE_NAME, true),
        text(REGION_ID, true),
        text(SKU_ID, true),
        text(CHARGE_DESCRIPTION, true),
        text(CHARGE_CATEGORY, false),
        text(CHARGE_CLASS, true),
        Field::new(CONSUMED_QUANTITY, decimal_type(), true),
        text(CONSUMED_UNIT, true),
        text(TAGS, true),
        text(SOURCE, false),
        text(MODEL, true),
        text(TOKEN_TYPE, true),
        text(SERVICE_TIER, true),
        text(ATTRIBUTION_KIND, false),
        text(ATTRIBUTION_KEY, false),
        Field::new(COST_ESTIMATED, DataType::Boolean, false),
    ];
    let metadata = HashMap::from([(SCHEMA_VERSION_KEY.to_owned(), SCHEMA_VERSION.to_string())]);
    Arc::new(Schema::new_with_metadata(fields, metadata))
});

/// The schema of the normalized charge table, with [`SCHEMA_VERSION`] in its metadata.
pub fn charge_schema() -> SchemaRef {
    Arc::clone(&SCHEMA)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mandatory_focus_column_is_present_with_its_nullability() {
        let focus: serde_json::Value =
            serde_json::from_str(include_str!("../tests/data/focus-1.2-mandatory.json"))
                .expect("fixture parses");
        let schema = charge_schema();
        let mandatory = focus.as_array().expect("a list of columns");
        assert_eq!(mandatory.len(), 21);
        for column in mandatory {
            let name = column["id"].as_str().expect("id");
            let field = schema
                .field_with_name(name)
                .unwrap_or_else(|_| panic!("mandatory FOCUS column `{name}` is missing"));
            let nullable = column["nulls"] == "True";
            assert_eq!(field.is_nullable(), nullable, "nullability of `{name}`");
        }
    }

    #[test]
    fn schema_version_travels_in_the_metadata() {
        assert_eq!(
            charge_schema()
                .metadata()
                .get(SCHEMA_VERSION_KEY)
                .map(String::as_str),
            Some("2")
        );
    }
}
