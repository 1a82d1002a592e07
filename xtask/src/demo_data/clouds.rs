//! The demo organization's AI spend bought through the clouds, in the clouds' own billing files,
//! one file a month: an AWS CUR 2.0 export (CSV, map columns as JSON text), an Azure Cost
//! Management export (actual cost, CSV) and a Google Cloud billing export to BigQuery written
//! out as newline-delimited JSON.
//!
//! The AI lines sit among ordinary ones, as they do in a real bill: EC2 and S3 beside Amazon
//! Bedrock, a virtual machine beside Azure OpenAI, Compute Engine beside Vertex AI. Bedrock
//! sells Claude through AWS Marketplace, so those lines carry a Marketplace product code and
//! the model in the product name. Every month has a Bedrock credit and a Bedrock tax line; the
//! Gemini Pro lines carry a committed-use credit. Teams are found by tags (AWS principal tags,
//! Azure resource tags, Google labels); the shared gateway role on AWS has none and shows as
//! Unallocated.
//!
//! Amounts are exact decimals: a whole number of pricing units times a list price.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context as _;
use rand::SeedableRng as _;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use serde_json::json;
use time::{Date, Month};

use super::calendar::{Demand, Period, Schedule};

const SEED: u64 = 0x636c_6f75_6473_2121;

/// The files of one cloud, by path below the demo folder, and what their AI lines add up to.
pub(super) struct CloudFiles {
    pub files: Vec<(String, Vec<u8>)>,
    /// Every AI line's cost, credits and tax included: what the collector keeps.
    pub ai_total_usd: Decimal,
    /// Every other line's cost: what the collector counts as not AI.
    pub not_ai_total_usd: Decimal,
    /// The models of the AI lines, as allot names them whoever sells them.
    pub models: BTreeSet<&'static str>,
}

/// How a workload's spend splits between input and output tokens, and their list prices per
/// pricing unit.
struct Tokens {
    input_share: f64,
    input_price: Decimal,
    output_price: Decimal,
}

impl Tokens {
    /// Whole pricing units of input and output for `usd` of spend.
    fn units(&self, usd: f64) -> [(Direction, i64, Decimal); 2] {
        let units = |share: f64, price: Decimal| {
            let price = f64::try_from(price).unwrap_or(1.0);
            #[expect(clippy::cast_possible_truncation, reason = "a day's units fit")]
            let units = (usd * share / price).round() as i64;
            units
        };
        [
            (
                Direction::Input,
                units(self.input_share, self.input_price),
                self.input_price,
            ),
            (
                Direction::Output,
                units(1.0 - self.input_share, self.output_price),
                self.output_price,
            ),
        ]
    }
}

#[derive(Clone, Copy)]
enum Direction {
    Input,
    Output,
}

fn ongoing(weekday_usd: f64, monthly_growth: f64) -> Demand {
    Demand {
        weekday_usd,
        monthly_growth,
        weekend_share: 0.4,
        schedule: Schedule::Ongoing,
    }
}

/// `12.5` written with no exponent and no trailing zeros.
fn text(amount: Decimal) -> String {
    amount.normalize().to_string()
}

/// An amount as a JSON number, as the billing export writes it: the decimal's own digits (the
/// demo's amounts have few enough digits to read back as the same decimal).
fn number(amount: Decimal) -> anyhow::Result<serde_json::Value> {
    serde_json::from_str(&text(amount)).with_context(|| format!("`{amount}` is not a number"))
}

fn day_text(day: Date) -> String {
    format!("{day}T00:00:00Z")
}

/// The month of `day`, as `2026-07`.
fn month_of(day: Date) -> String {
    format!("{:04}-{:02}", day.year(), u8::from(day.month()))
}

/// The first day of the month after the month of `day`.
fn next_month(day: Date) -> anyhow::Result<Date> {
    let (year, month) = match day.month() {
        Month::December => (day.year() + 1, Month::January),
        month => (day.year(), month.next()),
    };
    Date::from_calendar_date(year, month, 1).context("the month after overflows")
}

/// CSV files of `header` and `rows`, one per month.
fn csv_files(
    folder: &str,
    stem: &str,
    header: &[&str],
    rows: BTreeMap<String, Vec<Vec<String>>>,
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    rows.into_iter()
        .map(|(month, rows)| {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(header)?;
            for row in rows {
                writer.write_record(row)?;
            }
            let bytes = writer.into_inner().context("cannot write a CSV file")?;
            Ok((format!("{folder}/{stem}-{month}.csv"), bytes))
        })
        .collect()
}

/// A Bedrock workload: one team's IAM role calling one model.
struct BedrockWorkload {
    /// The model as allot names it, whoever sells it.
    model_id: &'static str,
    role: &'static str,
    /// The principal tag `team`, `None` for the shared gateway.
    team: Option<&'static str>,
    model: BedrockModel,
    tokens: Tokens,
    demand: Demand,
}

enum BedrockModel {
    /// Amazon's own model, by its usage-type name (`NovaLite`).
    Amazon(&'static str),
    /// A model sold through AWS Marketplace, by its product name and Marketplace product code.
    Marketplace {
        product_name: &'static str,
        product_code: &'static str,
    },
}

const AWS_PAYER: &str = "111111111111";
const AWS_ACCOUNT: &str = "222222222222";

const CUR2_HEADER: [&str; 21] = [
    "identity_line_item_id",
    "identity_time_interval",
    "bill_billing_entity",
    "bill_payer_account_id",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_operation",
    "line_item_resource_id",
    "line_item_usage_amount",
    "line_item_unblended_cost",
    "line_item_currency_code",
    "line_item_iam_principal",
    "product",
    "resource_tags",
    "tags",
    "pricing_unit",
    "product_region_code",
];

fn bedrock_workloads() -> [BedrockWorkload; 4] {
    let per_thousand = |input: i64, output: i64| Tokens {
        input_share: 0.7,
        input_price: Decimal::new(input, 6),
        output_price: Decimal::new(output, 6),
    };
    let sonnet = || BedrockModel::Marketplace {
        product_name: "Claude Sonnet 4.5 (Amazon Bedrock Edition)",
        product_code: "c9x2sonnet45mp",
    };
    [
        BedrockWorkload {
            model_id: "claude-sonnet-4-5",
            role: "search-rag",
            team: Some("search"),
            model: sonnet(),
            tokens: per_thousand(3_000, 15_000),
            demand: ongoing(140.0, 0.06),
        },
        BedrockWorkload {
            model_id: "nova-lite",
            role: "search-rerank",
            team: Some("search"),
            model: BedrockModel::Amazon("NovaLite"),
            tokens: per_thousand(60, 240),
            demand: ongoing(12.0, 0.04),
        },
        BedrockWorkload {
            model_id: "claude-haiku-4-5",
            role: "support-triage",
            team: Some("support-bot"),
            model: BedrockModel::Marketplace {
                product_name: "Claude Haiku 4.5 (Amazon Bedrock Edition)",
                product_code: "c9x2haiku45mp",
            },
            tokens: per_thousand(1_000, 5_000),
            demand: ongoing(55.0, 0.08),
        },
        BedrockWorkload {
            model_id: "claude-sonnet-4-5",
            role: "llm-gateway",
            team: None,
            model: sonnet(),
            tokens: per_thousand(3_000, 15_000),
            demand: ongoing(35.0, 0.02),
        },
    ]
}

/// One line of the CUR, its columns named; empty text is an empty cell.
#[derive(Default)]
struct CurLine {
    interval: String,
    billing_entity: &'static str,
    line_item_type: &'static str,
    start: String,
    end: String,
    product_code: &'static str,
    usage_type: String,
    operation: &'static str,
    resource_id: &'static str,
    usage_amount: String,
    cost: Decimal,
    principal: String,
    product_name: &'static str,
    tags: String,
    pricing_unit: &'static str,
}

impl CurLine {
    /// The line's cells in [`CUR2_HEADER`]'s order, under the line item id `id`.
    fn record(self, id: u64) -> Vec<String> {
        let product = json!({ "product_name": self.product_name }).to_string();
        let tags = if self.tags.is_empty() {
            "{}".to_owned()
        } else {
            self.tags
        };
        vec![
            format!("li-{id:07}"),
            self.interval,
            self.billing_entity.to_owned(),
            AWS_PAYER.to_owned(),
            AWS_ACCOUNT.to_owned(),
            self.line_item_type.to_owned(),
            self.start,
            self.end,
            self.product_code.to_owned(),
            self.usage_type,
            self.operation.to_owned(),
            self.resource_id.to_owned(),
            self.usage_amount,
            text(self.cost),
            "USD".to_owned(),
            self.principal,
            product,
            "{}".to_owned(),
            tags,
            self.pricing_unit.to_owned(),
            "us-east-1".to_owned(),
        ]
    }
}

/// The Bedrock line of `units` pricing units of `workload`'s tokens in one `direction`.
fn bedrock_line(
    workload: &BedrockWorkload,
    direction: Direction,
    units: i64,
    cost: Decimal,
    day: Date,
) -> CurLine {
    let (billing_entity, product_code, usage_type, product_name, pricing_unit) =
        match &workload.model {
            BedrockModel::Amazon(model) => {
                let direction = match direction {
                    Direction::Input => "input",
                    Direction::Output => "output",
                };
                (
                    "AWS",
                    "AmazonBedrock",
                    format!("USE1-{model}-{direction}-tokens"),
                    "Amazon Bedrock",
                    "1K tokens",
                )
            }
            BedrockModel::Marketplace {
                product_name,
                product_code,
            } => {
                let direction = match direction {
                    Direction::Input => "Input",
                    Direction::Output => "Output",
                };
                (
                    "AWS Marketplace",
                    *product_code,
                    format!("USE1-MP:USE1_{direction}TokenCount-Units"),
                    *product_name,
                    "Units",
                )
            }
        };
    CurLine {
        billing_entity,
        line_item_type: "Usage",
        product_code,
        usage_type,
        operation: "InvokeModel",
        usage_amount: units.to_string(),
        cost,
        principal: format!(
            "arn:aws:sts::{AWS_ACCOUNT}:assumed-role/{}/session-{}",
            workload.role,
            day.ordinal()
        ),
        product_name,
        tags: workload
            .team
            .map(|team| json!({ "iamPrincipal/team": team }).to_string())
            .unwrap_or_default(),
        pricing_unit,
        ..CurLine::default()
    }
}

/// A day's lines of the rest of the bill: instances and storage, never AI.
fn ordinary_lines(interval: &str, start: &str, end: &str) -> Vec<CurLine> {
    [
        (
            "AmazonEC2",
            "USE1-BoxUsage:m7i.2xlarge",
            96,
            4_032,
            "Amazon Elastic Compute Cloud",
        ),
        (
            "AmazonS3",
            "USE1-TimedStorage-ByteHrs",
            24,
            2_750,
            "Amazon Simple Storage Service",
        ),
    ]
    .into_iter()
    .map(
        |(product_code, usage_type, hours, rate, product_name)| CurLine {
            interval: interval.to_owned(),
            billing_entity: "AWS",
            line_item_type: "Usage",
            start: start.to_owned(),
            end: end.to_owned(),
            product_code,
            usage_type: usage_type.to_owned(),
            operation: "RunInstances",
            resource_id: "i-0a1b2c3d4e5f60718",
            usage_amount: hours.to_string(),
            cost: Decimal::from(hours) * Decimal::new(rate, 4),
            product_name,
            pricing_unit: "Hrs",
            ..CurLine::default()
        },
    )
    .collect()
}

/// The AWS CUR 2.0 export, a CSV file a month.
pub(super) fn aws_cur(period: &Period) -> anyhow::Result<CloudFiles> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let workloads = bedrock_workloads();
    let mut rows: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    let mut ai = Decimal::ZERO;
    let mut not_ai = Decimal::ZERO;
    let mut bedrock_by_month: BTreeMap<String, (Date, Decimal)> = BTreeMap::new();
    let mut line_number = 0_u64;
    let mut push = |month: &str, line: CurLine| {
        line_number += 1;
        rows.entry(month.to_owned())
            .or_default()
            .push(line.record(line_number));
    };
    for &day in period.days() {
        let start = day_text(day);
        let end = day_text(day.next_day().context("the day after overflows")?);
        let interval = format!("{start}/{end}");
        let month = month_of(day);
        for workload in &workloads {
            let usd = workload.demand.usd_on(period, day, &mut rng);
            for (direction, units, price) in workload.tokens.units(usd) {
                if units == 0 {
                    continue;
                }
                let cost = Decimal::from(units) * price;
                ai += cost;
                bedrock_by_month
                    .entry(month.clone())
                    .or_insert((day, Decimal::ZERO))
                    .1 += cost;
                let line = bedrock_line(workload, direction, units, cost, day);
                push(
                    &month,
                    CurLine {
                        interval: interval.clone(),
                        start: start.clone(),
                        end: end.clone(),
                        ..line
                    },
                );
            }
        }
        for line in ordinary_lines(&interval, &start, &end) {
            not_ai += line.cost;
            push(&month, line);
        }
    }
    // Each month: a promotional credit on Bedrock and the sales tax on it, over the whole month.
    for (month, (first_day, bedrock_usd)) in &bedrock_by_month {
        let start = day_text(first_day.replace_day(1)?);
        let end = day_text(next_month(*first_day)?);
        let credit = -Decimal::from(250);
        let tax = (bedrock_usd * Decimal::new(8, 2)).round_dp(2);
        ai += credit + tax;
        for (line_item_type, cost) in [("Credit", credit), ("Tax", tax)] {
            push(
                month,
                CurLine {
                    interval: format!("{start}/{end}"),
                    billing_entity: "AWS",
                    line_item_type,
                    start: start.clone(),
                    end: end.clone(),
                    product_code: "AmazonBedrock",
                    cost,
                    product_name: "Amazon Bedrock",
                    ..CurLine::default()
                },
            );
        }
    }
    Ok(CloudFiles {
        files: csv_files("aws", "cur2", &CUR2_HEADER, rows)?,
        ai_total_usd: ai,
        not_ai_total_usd: not_ai,
        models: workloads.iter().map(|workload| workload.model_id).collect(),
    })
}

/// An Azure OpenAI deployment's account and its meters.
struct AzureWorkload {
    /// The model as allot names it, whoever sells it.
    model_id: &'static str,
    account: &'static str,
    resource_group: &'static str,
    team: &'static str,
    /// The meter names of input and output, as Azure spells them.
    meters: [&'static str; 2],
    tokens: Tokens,
    demand: Demand,
}

const AZURE_SUBSCRIPTION: &str = "5f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5";

const AZURE_HEADER: [&str; 17] = [
    "Date",
    "SubscriptionId",
    "SubscriptionName",
    "ResourceGroup",
    "ResourceId",
    "ResourceLocation",
    "ConsumedService",
    "MeterCategory",
    "MeterSubCategory",
    "MeterName",
    "Quantity",
    "UnitOfMeasure",
    "EffectivePrice",
    "CostInBillingCurrency",
    "BillingCurrencyCode",
    "ChargeType",
    "Tags",
];

fn azure_workloads() -> [AzureWorkload; 2] {
    [
        AzureWorkload {
            model_id: "gpt-4o",
            account: "docs-aoai",
            resource_group: "rg-docs-ai",
            team: "docs-ai",
            meters: [
                "gpt 4o 1120 Inp glbl Tokens",
                "gpt 4o 1120 Outp glbl Tokens",
            ],
            tokens: Tokens {
                input_share: 0.6,
                input_price: Decimal::new(25, 4),
                output_price: Decimal::new(1, 2),
            },
            demand: ongoing(90.0, 0.05),
        },
        AzureWorkload {
            model_id: "gpt-4o-mini",
            account: "legal-aoai",
            resource_group: "rg-legal",
            team: "legal-review",
            meters: [
                "gpt-4o-mini-0718-Inp-regnl Tokens",
                "gpt-4o-mini-0718-Outp-regnl Tokens",
            ],
            tokens: Tokens {
                input_share: 0.7,
                input_price: Decimal::new(165, 6),
                output_price: Decimal::new(66, 5),
            },
            demand: ongoing(18.0, 0.1),
        },
    ]
}

/// The Azure Cost Management export (actual cost), a CSV file a month.
pub(super) fn azure_costs(period: &Period) -> anyhow::Result<CloudFiles> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED + 1);
    let workloads = azure_workloads();
    let mut rows: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    let mut ai = Decimal::ZERO;
    let mut not_ai = Decimal::ZERO;
    for &day in period.days() {
        let date = format!("{}/{}/{}", u8::from(day.month()), day.day(), day.year());
        let month_rows = rows.entry(month_of(day)).or_default();
        for workload in &workloads {
            let usd = workload.demand.usd_on(period, day, &mut rng);
            for (meter, (_, thousands, price)) in
                workload.meters.iter().zip(workload.tokens.units(usd))
            {
                let cost = Decimal::from(thousands) * price;
                ai += cost;
                let resource = format!(
                    "/subscriptions/{AZURE_SUBSCRIPTION}/resourceGroups/{}/providers/\
                     Microsoft.CognitiveServices/accounts/{}",
                    workload.resource_group, workload.account
                );
                month_rows.push(vec![
                    date.clone(),
                    AZURE_SUBSCRIPTION.to_owned(),
                    "Production".to_owned(),
                    workload.resource_group.to_owned(),
                    resource,
                    "eastus".to_owned(),
                    "Microsoft.CognitiveServices".to_owned(),
                    "Foundry Models".to_owned(),
                    "Azure OpenAI".to_owned(),
                    (*meter).to_owned(),
                    (thousands * 1000).to_string(),
                    "1K".to_owned(),
                    text(price),
                    text(cost),
                    "USD".to_owned(),
                    "Usage".to_owned(),
                    format!("{{\"team\": \"{}\"}}", workload.team),
                ]);
            }
        }
        let vm_cost = Decimal::from(24) * Decimal::new(96, 3);
        not_ai += vm_cost;
        month_rows.push(vec![
            date,
            AZURE_SUBSCRIPTION.to_owned(),
            "Production".to_owned(),
            "rg-docs-ai".to_owned(),
            format!(
                "/subscriptions/{AZURE_SUBSCRIPTION}/resourceGroups/rg-docs-ai/providers/\
                 Microsoft.Compute/virtualMachines/ingest-1"
            ),
            "eastus".to_owned(),
            "Microsoft.Compute".to_owned(),
            "Virtual Machines".to_owned(),
            "Dv3/DSv3 Series".to_owned(),
            "D2 v3/D2s v3".to_owned(),
            "24".to_owned(),
            "1 Hour".to_owned(),
            "0.096".to_owned(),
            text(vm_cost),
            "USD".to_owned(),
            "Usage".to_owned(),
            "{\"team\": \"docs-ai\"}".to_owned(),
        ]);
    }
    Ok(CloudFiles {
        files: csv_files("azure", "costs", &AZURE_HEADER, rows)?,
        ai_total_usd: ai,
        not_ai_total_usd: not_ai,
        models: workloads.iter().map(|workload| workload.model_id).collect(),
    })
}

/// A Vertex AI workload: one team's project calling one model.
struct VertexWorkload {
    /// The model as allot names it, whoever sells it.
    model_id: &'static str,
    project: &'static str,
    team: &'static str,
    /// The SKU descriptions of input and output.
    skus: [&'static str; 2],
    tokens: Tokens,
    demand: Demand,
    /// A committed-use credit, as a share of the cost.
    committed_use_credit: Option<Decimal>,
}

fn vertex_workloads() -> [VertexWorkload; 3] {
    let per_million = |input: i64, output: i64| Tokens {
        input_share: 0.65,
        input_price: Decimal::new(input, 2),
        output_price: Decimal::new(output, 2),
    };
    [
        VertexWorkload {
            model_id: "gemini-2.5-pro",
            project: "data-science-prod",
            team: "data-science",
            skus: [
                "Gemini 2.5 Pro Text Input - Predictions",
                "Gemini 2.5 Pro Text Output - Predictions",
            ],
            tokens: per_million(125, 1_000),
            demand: ongoing(70.0, 0.07),
            committed_use_credit: Some(Decimal::new(-15, 2)),
        },
        VertexWorkload {
            model_id: "gemini-2.5-flash",
            project: "mobile-app-prod",
            team: "mobile",
            skus: [
                "Gemini 2.5 Flash Text Input - Predictions",
                "Gemini 2.5 Flash Text Output - Predictions",
            ],
            tokens: per_million(30, 250),
            demand: ongoing(25.0, 0.09),
            committed_use_credit: None,
        },
        VertexWorkload {
            model_id: "claude-sonnet-4-5",
            project: "recruiting-tools",
            team: "recruiting",
            skus: [
                "Claude Sonnet 4.5 Input Tokens",
                "Claude Sonnet 4.5 Output Tokens",
            ],
            tokens: per_million(300, 1_500),
            demand: ongoing(20.0, 0.03),
            committed_use_credit: None,
        },
    ]
}

/// The Google Cloud billing export, a newline-delimited JSON file a month.
pub(super) fn gcp_billing(period: &Period) -> anyhow::Result<CloudFiles> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED + 2);
    let workloads = vertex_workloads();
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut ai = Decimal::ZERO;
    let mut not_ai = Decimal::ZERO;
    for &day in period.days() {
        let start = day_text(day);
        let end = day_text(day.next_day().context("the day after overflows")?);
        let invoice = format!("{:04}{:02}", day.year(), u8::from(day.month()));
        let file = files.entry(month_of(day)).or_default();
        let mut push = |row: serde_json::Value| -> anyhow::Result<()> {
            serde_json::to_writer(&mut *file, &row)?;
            file.push(b'\n');
            Ok(())
        };
        for workload in &workloads {
            let usd = workload.demand.usd_on(period, day, &mut rng);
            for (sku, (_, millions, price)) in workload.skus.iter().zip(workload.tokens.units(usd))
            {
                let cost = Decimal::from(millions) * price;
                let credit = workload
                    .committed_use_credit
                    .map(|share| (cost * share).round_dp(6))
                    .filter(|credit| !credit.is_zero());
                ai += cost + credit.unwrap_or_default();
                let credits: Vec<serde_json::Value> = credit
                    .map(|credit| {
                        Ok::<_, anyhow::Error>(json!({
                            "name": "Committed use discount: Vertex AI",
                            "amount": number(credit)?,
                            "full_name": null,
                            "id": "cud-vertex-1",
                            "type": "COMMITTED_USAGE_DISCOUNT",
                        }))
                    })
                    .transpose()?
                    .into_iter()
                    .collect();
                push(json!({
                    "billing_account_id": "01A2B3-C4D5E6-F7A8B9",
                    "service": { "id": "C7E2-9256-1C43", "description": "Vertex AI" },
                    "sku": { "id": format!("VTX-{:04X}", sku.len()), "description": sku },
                    "usage_start_time": start,
                    "usage_end_time": end,
                    "project": {
                        "id": workload.project,
                        "name": workload.project,
                        "labels": [{ "key": "cost-center", "value": "cc-ai" }],
                    },
                    "labels": [{ "key": "team", "value": workload.team }],
                    "system_labels": [],
                    "location": { "location": "us-central1", "country": "US",
                                  "region": "us-central1", "zone": null },
                    "cost": number(cost)?,
                    "currency": "USD",
                    "currency_conversion_rate": 1.0,
                    "usage": { "amount": millions * 1_000_000, "unit": "count",
                               "amount_in_pricing_units": millions, "pricing_unit": "count1e6" },
                    "credits": credits,
                    "invoice": { "month": invoice },
                    "cost_type": "regular",
                }))?;
            }
        }
        let compute = Decimal::from(24) * Decimal::new(3_884, 5);
        not_ai += compute;
        push(json!({
            "billing_account_id": "01A2B3-C4D5E6-F7A8B9",
            "service": { "id": "6F81-5844-456A", "description": "Compute Engine" },
            "sku": { "id": "CP-N2-CORE", "description": "N2 Instance Core running in Americas" },
            "usage_start_time": start,
            "usage_end_time": end,
            "project": { "id": "mobile-app-prod", "name": "mobile-app-prod", "labels": [] },
            "labels": [{ "key": "team", "value": "mobile" }],
            "system_labels": [],
            "location": { "location": "us-central1", "country": "US",
                          "region": "us-central1", "zone": null },
            "cost": number(compute)?,
            "currency": "USD",
            "currency_conversion_rate": 1.0,
            "usage": { "amount": 86_400, "unit": "seconds",
                       "amount_in_pricing_units": 24, "pricing_unit": "hour" },
            "credits": [],
            "invoice": { "month": invoice },
            "cost_type": "regular",
        }))?;
    }
    Ok(CloudFiles {
        files: files
            .into_iter()
            .map(|(month, bytes)| (format!("gcp/billing-{month}.jsonl"), bytes))
            .collect(),
        ai_total_usd: ai,
        not_ai_total_usd: not_ai,
        models: workloads.iter().map(|workload| workload.model_id).collect(),
    })
}
