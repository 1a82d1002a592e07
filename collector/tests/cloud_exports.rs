//! The clouds' exports in the other forms users get them in, through the real `allot collect`:
//! legacy CUR with one column per tag, CUR lines of commitments and discounts, Marketplace
//! models named without their Bedrock suffix, AWS's and Microsoft's FOCUS exports read by the
//! `aws` and `azure` sources, and the Cloud Billing export as CSV and as gzip JSON.

mod support;

use std::io::Write as _;
use std::path::Path;

use allot_core::Amount;
use support::{Row, assert_success, collect, find, fixture, published_rows, stdout, value};

/// Writes `text` to `name` in `folder` and returns its path.
fn write(folder: &Path, name: &str, text: &str) -> String {
    let path = folder.join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

fn sum(rows: &[Row], column: &str) -> String {
    rows.iter()
        .map(|row| Amount::parse(value(row, column).expect("an amount")).expect("amount"))
        .sum::<Amount>()
        .to_string()
}

#[test]
fn legacy_cur_tag_columns_become_tags_under_their_plain_key() {
    let folder = tempfile::tempdir().expect("temp dir");
    let csv = write(
        folder.path(),
        "legacy.csv",
        "identity/LineItemId,bill/BillingEntity,bill/PayerAccountId,lineItem/UsageAccountId,\
         lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,\
         lineItem/ProductCode,lineItem/UsageType,lineItem/UsageAmount,lineItem/UnblendedCost,\
         lineItem/CurrencyCode,product/ProductName,pricing/unit,resourceTags/user:team,\
         resourceTags/user:CostCenter\n\
         a,AWS,111111111111,222222222222,Usage,2026-10-05T00:00:00Z,2026-10-06T00:00:00Z,\
         AmazonBedrock,USE1-NovaPro-output-tokens,120,0.384,USD,Amazon Bedrock,1K tokens,\
         search,cc-42\n\
         b,AWS,111111111111,222222222222,Usage,2026-10-05T00:00:00Z,2026-10-06T00:00:00Z,\
         AmazonEC2,USE1-BoxUsage:m7i.large,24,2.304,USD,Amazon Elastic Compute Cloud,Hrs,\
         search,\n",
    );
    let (out, output) = collect("aws", &[csv]);
    assert_success(&output);
    let report = stdout(&output);
    assert!(report.contains("kept (AI)        1"), "{report}");
    assert!(
        report.contains("dropped, not AI  1 (2.304 USD)"),
        "{report}"
    );

    let rows = published_rows(out.path());
    assert_eq!(rows.len(), 1);
    let nova = &rows[0];
    assert_eq!(
        value(nova, "Tags"),
        Some(r#"{"CostCenter":"cc-42","team":"search"}"#)
    );
    assert_eq!(value(nova, "x_Model"), Some("nova-pro"));
    assert_eq!(value(nova, "x_TokenType"), Some("output"));
    assert_eq!(value(nova, "SubAccountId"), Some("222222222222"));
    assert_eq!(value(nova, "x_AttributionKind"), Some("account"));
}

#[test]
fn commitments_and_discounts_count_each_dollar_once_billed_and_amortized() {
    let folder = tempfile::tempdir().expect("temp dir");
    let header = "identity_line_item_id,bill_billing_entity,line_item_usage_account_id,\
                  line_item_line_item_type,line_item_usage_start_date,\
                  line_item_usage_end_date,line_item_product_code,line_item_usage_type,\
                  line_item_unblended_cost,line_item_net_unblended_cost,\
                  line_item_currency_code,savings_plan_savings_plan_effective_cost,\
                  pricing_public_on_demand_cost";
    let day = "2026-10-05T00:00:00Z,2026-10-06T00:00:00Z";
    let model = "AmazonBedrock,USE1-Claude4.5Haiku-input-tokens";
    let csv = write(
        folder.path(),
        "cur2.csv",
        &format!(
            "{header}\n\
             covered,AWS,222222222222,SavingsPlanCoveredUsage,{day},{model},10,,USD,7,10\n\
             negation,AWS,222222222222,SavingsPlanNegation,{day},{model},-10,,USD,,\n\
             discounted,AWS,222222222222,Usage,{day},{model},5,4.5,USD,,5\n\
             edp,AWS,222222222222,EdpDiscount,{day},{model},-0.5,0,USD,,\n\
             fee,AWS,222222222222,SavingsPlanRecurringFee,{day},\
             ComputeSavingsPlans,ComputeSP:1yrNoUpfront,7,,USD,,\n"
        ),
    );
    let (out, output) = collect("aws", &[csv]);
    assert_success(&output);
    let report = stdout(&output);
    assert!(report.contains("kept (AI)        4"), "{report}");
    assert!(report.contains("dropped, not AI  1 (7 USD)"), "{report}");

    let rows = published_rows(out.path());
    assert_eq!(sum(&rows, "BilledCost"), "4.5");
    assert_eq!(sum(&rows, "EffectiveCost"), "11.5");
    let category = |cost: &str| value(find(&rows, "BilledCost", Some(cost)), "ChargeCategory");
    assert_eq!(category("-10"), Some("Usage"));
    assert_eq!(category("-0.5"), Some("Credit"));
    let covered = find(&rows, "BilledCost", Some("10"));
    assert_eq!(value(covered, "EffectiveCost"), Some("7"));
    assert_eq!(value(covered, "ListCost"), Some("10"));
    assert_eq!(value(covered, "x_Model"), Some("claude-haiku-4-5"));
}

#[test]
fn a_marketplace_model_named_without_its_bedrock_suffix_is_found_by_name_and_tokens() {
    let folder = tempfile::tempdir().expect("temp dir");
    let csv = write(
        folder.path(),
        "cur2.csv",
        "identity_line_item_id,bill_billing_entity,line_item_usage_start_date,\
         line_item_usage_end_date,line_item_product_code,line_item_usage_type,\
         line_item_unblended_cost,line_item_currency_code,product\n\
         opus,AWS Marketplace,2026-10-05T00:00:00Z,2026-10-06T00:00:00Z,b7mpcode1,\
         USE1-MP:USE1_output_tokens_standard-Units,4.5,USD,\
         \"{\"\"product_name\"\":\"\"Claude Opus 4.1\"\"}\"\n\
         firewall,AWS Marketplace,2026-10-05T00:00:00Z,2026-10-06T00:00:00Z,f1mpcode2,\
         USE1-MP:Hours,3,USD,\"{\"\"product_name\"\":\"\"Acme Firewall\"\"}\"\n",
    );
    let (out, output) = collect("aws", &[csv]);
    assert_success(&output);
    let report = stdout(&output);
    assert!(report.contains("dropped, not AI  1 (3 USD)"), "{report}");
    let rows = published_rows(out.path());
    assert_eq!(rows.len(), 1);
    assert_eq!(value(&rows[0], "x_Model"), Some("claude-opus-4-1"));
    assert_eq!(value(&rows[0], "x_TokenType"), Some("output"));
    assert_eq!(value(&rows[0], "PublisherName"), Some("Anthropic"));
    assert_eq!(
        value(&rows[0], "InvoiceIssuerName"),
        Some("AWS Marketplace")
    );
}

#[test]
fn awss_focus_export_is_read_by_the_aws_source_with_one_model_identity() {
    let folder = tempfile::tempdir().expect("temp dir");
    let csv = write(
        folder.path(),
        "focus-aws.csv",
        "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,\
         ChargeCategory,ProviderName,ServiceCategory,ServiceName,SubAccountId,ResourceId,\
         x_UsageType,x_ServiceCode,Tags\n\
         2.5,2.5,USD,2026-10-05T00:00:00Z,2026-10-06T00:00:00Z,Usage,AWS,\
         AI and Machine Learning,Amazon Bedrock,222222222222,NULL,\
         USE1-Claude4.6Sonnet-input-tokens,AmazonBedrock,\"{\"\"team\"\":\"\"search\"\"}\"\n\
         4,4,USD,2026-10-05T00:00:00Z,2026-10-06T00:00:00Z,Usage,AWS,Other,\
         Claude Sonnet 4.5 (Amazon Bedrock Edition),222222222222,NULL,\
         USE1-MP:USE1_InputTokenCount-Units,b7mpcode1,{}\n\
         1.25,1.25,USD,2026-10-05T00:00:00Z,2026-10-06T00:00:00Z,Usage,AWS,Compute,\
         Amazon Elastic Compute Cloud,222222222222,i-0abc,USE1-BoxUsage:m7i.large,AmazonEC2,{}\n",
    );
    let (out, output) = collect("aws", &[csv]);
    assert_success(&output);
    let report = stdout(&output);
    assert!(report.contains("kept (AI)        2"), "{report}");
    assert!(report.contains("dropped, not AI  1 (1.25 USD)"), "{report}");
    let rows = published_rows(out.path());
    let first_party = find(&rows, "BilledCost", Some("2.5"));
    assert_eq!(value(first_party, "x_Model"), Some("claude-sonnet-4-6"));
    assert_eq!(value(first_party, "x_TokenType"), Some("input"));
    assert_eq!(value(first_party, "Tags"), Some(r#"{"team":"search"}"#));
    let marketplace = find(&rows, "BilledCost", Some("4"));
    assert_eq!(value(marketplace, "x_Model"), Some("claude-sonnet-4-5"));
    assert_eq!(value(marketplace, "x_Source"), Some("aws"));
}

/// The columns of Microsoft's FOCUS 1.2 export, as its export schema lists them.
fn microsoft_focus_columns() -> Vec<String> {
    let schema = std::fs::read_to_string(fixture("samples/azure/focuscost_1.2.json"))
        .expect("the export schema");
    let schema: serde_json::Value = serde_json::from_str(&schema).expect("JSON");
    schema["translator"]["mappings"]
        .as_array()
        .expect("mappings")
        .iter()
        .map(|mapping| {
            mapping["source"]["name"]
                .as_str()
                .expect("a column name")
                .to_owned()
        })
        .collect()
}

#[test]
fn microsofts_focus_export_is_read_by_the_azure_source_with_model_tier_and_tokens() {
    let columns = microsoft_focus_columns();
    assert_eq!(columns.len(), 104);
    let row = |values: &[(&str, &str)]| -> String {
        columns
            .iter()
            .map(|column| {
                values
                    .iter()
                    .find(|(name, _)| name == column)
                    .map_or(String::new(), |(_, value)| format!("\"{value}\""))
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let common = [
        ("BillingCurrency", "EUR"),
        ("ChargePeriodStart", "2026-10-07T00:00:00Z"),
        ("ChargePeriodEnd", "2026-10-08T00:00:00Z"),
        ("ChargeCategory", "Usage"),
        ("ProviderName", "Microsoft"),
        ("SubAccountId", "/subscriptions/0000"),
        ("x_ResourceGroupName", "rg-support"),
    ];
    let openai = [
        common.as_slice(),
        &[
            ("BilledCost", "3.8"),
            ("EffectiveCost", "3.8"),
            ("ServiceCategory", "AI and Machine Learning"),
            ("ServiceName", "Azure OpenAI"),
            ("SkuMeter", "gpt 4o 0513 Input global Tokens"),
            ("ConsumedQuantity", "1520000"),
            ("ConsumedUnit", "Tokens"),
            (
                "ResourceId",
                "/subscriptions/0000/resourceGroups/rg-support/providers/\
                 Microsoft.CognitiveServices/accounts/support-aoai",
            ),
            ("Tags", "{\"\"team\"\":\"\"support\"\"}"),
        ],
    ]
    .concat();
    let machine = [
        common.as_slice(),
        &[
            ("BilledCost", "2.304"),
            ("ServiceCategory", "Compute"),
            ("ServiceName", "Virtual Machines"),
            ("SkuMeter", "D2 v3/D2s v3"),
        ],
    ]
    .concat();
    let folder = tempfile::tempdir().expect("temp dir");
    let csv = write(
        folder.path(),
        "focuscost.csv",
        &format!(
            "{}\n{}\n{}\n",
            columns.join(","),
            row(&openai),
            row(&machine)
        ),
    );
    let (out, output) = collect("azure", &[csv]);
    assert_success(&output);
    let report = stdout(&output);
    assert!(
        report.contains("dropped, not AI  1 (2.304 EUR)"),
        "{report}"
    );
    let rows = published_rows(out.path());
    assert_eq!(rows.len(), 1);
    let charge = &rows[0];
    assert_eq!(value(charge, "x_Model"), Some("gpt-4o"));
    assert_eq!(value(charge, "x_TokenType"), Some("input"));
    assert_eq!(value(charge, "x_ServiceTier"), Some("global"));
    assert_eq!(value(charge, "ConsumedQuantity"), Some("1520000"));
    assert_eq!(value(charge, "BillingCurrency"), Some("EUR"));
    assert_eq!(value(charge, "Tags"), Some(r#"{"team":"support"}"#));
}

/// The GCP case's export rows flattened as a BigQuery query writes them to CSV: records as
/// dotted columns, repeated fields as JSON text, times in BigQuery's own form.
const GCP_CASE_AS_CSV: &str = "\
billing_account_id,service.id,service.description,sku.id,sku.description,usage_start_time,\
usage_end_time,project.id,project.name,project.labels,labels,system_labels,location.region,\
cost,currency,usage.amount,usage.amount_in_pricing_units,usage.pricing_unit,credits,\
invoice.month,cost_type
012345-6789AB-CDEF01,C7E2-9256-1C43,Vertex AI,AAAA-BBBB-CCCC,\
Gemini 2.5 Flash Text Input - Predictions,2026-10-09 00:00:00 UTC,2026-10-09 01:00:00 UTC,\
search-prod-123,search-prod,\"[{\"\"key\"\":\"\"cost-center\"\",\"\"value\"\":\"\"cc-42\"\"}]\",\
\"[{\"\"key\"\":\"\"team\"\",\"\"value\"\":\"\"search\"\"},\
{\"\"key\"\":\"\"feature\"\",\"\"value\"\":\"\"autocomplete\"\"}]\",[],us-central1,10.0,USD,\
40000000,40,count1e6,\"[{\"\"name\"\":\"\"Committed use discount\"\",\"\"amount\"\":-2.5,\
\"\"id\"\":\"\"cud-1\"\",\"\"type\"\":\"\"COMMITTED_USAGE_DISCOUNT\"\"}]\",202610,regular
012345-6789AB-CDEF01,C7E2-9256-1C43,Vertex AI,AAAA-BBBB-DDDD,\
Gemini 2.5 Flash Text Output - Predictions,2026-10-09 01:00:00 UTC,2026-10-09 02:00:00 UTC,\
search-prod-123,search-prod,[],[],[],us-central1,3.0,USD,1200000,1.2,count1e6,[],202610,regular
012345-6789AB-CDEF01,6F81-5844-456A,Compute Engine,EEEE-FFFF-0000,\
N2 Instance Core running in Americas,2026-10-09 00:00:00 UTC,2026-10-09 01:00:00 UTC,\
search-prod-123,search-prod,[],\"[{\"\"key\"\":\"\"team\"\",\"\"value\"\":\"\"search\"\"}]\",[],\
us-central1,0.8,USD,3600,1,hour,[],202610,regular
";

#[test]
fn the_cloud_billing_export_as_csv_and_as_gzip_json_gives_the_charges_of_its_json_form() {
    let jsonl = fixture("cases/gcp-labels-credits/billing_export.jsonl");
    let (from_json, output) = collect("gcp", std::slice::from_ref(&jsonl));
    assert_success(&output);
    let mut expected = published_rows(from_json.path());
    expected.sort();
    assert_eq!(expected.len(), 3);

    let folder = tempfile::tempdir().expect("temp dir");
    let csv = write(folder.path(), "billing_export.csv", GCP_CASE_AS_CSV);
    let gzip = folder.path().join("billing_export.jsonl.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(&std::fs::read(&jsonl).expect("case"))
        .expect("gzip");
    std::fs::write(&gzip, encoder.finish().expect("gzip")).expect("write");

    for input in [csv, gzip.display().to_string()] {
        let (out, output) = collect("gcp", std::slice::from_ref(&input));
        assert_success(&output);
        let report = stdout(&output);
        assert!(report.contains("kept (AI)        2"), "{input}: {report}");
        assert!(
            report.contains("dropped, not AI  1 (0.8 USD)"),
            "{input}: {report}"
        );
        let mut rows = published_rows(out.path());
        rows.sort();
        assert_eq!(rows, expected, "{input}");
    }
}

#[test]
fn a_csv_line_of_the_billing_export_with_a_bad_amount_is_rejected_with_its_line() {
    let folder = tempfile::tempdir().expect("temp dir");
    let csv = write(
        folder.path(),
        "billing_export.csv",
        &GCP_CASE_AS_CSV.replace(",3.0,USD,", ",three,USD,"),
    );
    let (out, output) = collect("gcp", &[csv]);
    assert!(!output.status.success());
    let report = stdout(&output);
    assert!(
        report.contains("billing_export.csv: line 3: column cost: `three` is not"),
        "{report}"
    );
    assert!(!out.path().join("manifest.json").exists());
}
