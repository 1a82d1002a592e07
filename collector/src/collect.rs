//! `allot collect`: read or pull every source, reconcile, and publish the data set.
//!
//! Nothing is published unless every source reconciles: the charges are partitioned by source
//! and month, written to Parquet in memory, read back and summed, and compared with what was
//! read. Then the Parquet files go out first and the manifest last (the commit point); a file
//! the new manifest drops is removed one run later, so readers of the old manifest are never
//! cut short. A partition (source, month) collected again replaces the old one, so re-running
//! a month never doubles it.
//!
//! A source pulled from its vendor's API collects a period of days (see [`crate::pull`]). The
//! months it touches are rewritten with the pulled days' charges and, carried over unchanged
//! from the published files, the charges of the other days of those months. A pull that fails
//! leaves the source's published data as it was; the other sources are still published, and
//! the failure, naming the source and the period, makes the run fail.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use allot_core::charge::{billed_rows, charges_from_batch, charges_to_batch};
use allot_core::manifest::{ALLOCATION_FILE, MANIFEST_FILE, Manifest, ManifestFile};
use allot_core::parquet_io::{read_charge_columns, read_charges, write_charges};
use allot_core::schema::{SCHEMA_VERSION, col};
use allot_core::{Amount, Charge};
use anyhow::{Context, Result};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::{SourceInput, SourcePlan};
use crate::pull::{ApiError, ApiPlan, Period, pull};
use crate::report::SourceReport;
use crate::sources::{next_month_start, read_pages, read_source};
use crate::store::Destination;

/// What `allot collect` was asked to do.
pub struct CollectRequest {
    pub sources: Vec<SourcePlan>,
    /// A folder or an object store URL.
    pub out: String,
    pub rules: Option<PathBuf>,
    /// Publish even when some lines were rejected (they stay listed in the report).
    pub accept_rejected: bool,
}

/// How a run ended.
pub struct CollectOutcome {
    pub reports: Vec<SourceReport>,
    /// Why nothing was published; `None` when the data set was published.
    pub refusal: Option<String>,
    /// The API pulls that failed, each naming its source and period: their sources' published
    /// data was left as it was.
    pub failures: Vec<String>,
}

/// One partition's Parquet file, ready to publish.
struct Partition {
    entry: ManifestFile,
    bytes: Bytes,
}

/// A source's charges, ready to publish, and the published (source, month) partitions they
/// replace.
struct Collected {
    report: SourceReport,
    partitions: Vec<Partition>,
    replaced: BTreeSet<(String, String)>,
}

/// Reads or pulls, reconciles and publishes.
pub async fn collect(request: &CollectRequest) -> Result<CollectOutcome> {
    let destination = Destination::open(&request.out)?;
    let published = read_manifest(&destination).await?;
    let today = OffsetDateTime::now_utc().date();

    let mut reports = Vec::new();
    let mut partitions = Vec::new();
    let mut replaced = BTreeSet::new();
    let mut failures = Vec::new();
    for plan in &request.sources {
        let collected = match &plan.input {
            SourceInput::Files(files) => {
                let output = read_source(&plan.id, plan.kind, files)
                    .with_context(|| format!("source `{}`", plan.id))?;
                reconcile(&plan.id, output.report, output.charges, Vec::new(), None)?
            }
            SourceInput::Api(api) => {
                let Some(period) =
                    Period::to_collect(&plan.id, plan.kind, api, published.as_ref(), today)
                else {
                    tracing::info!(source = plan.id, "already collected up to today");
                    continue;
                };
                match collect_api(plan, api, period, &destination, published.as_ref()).await {
                    Ok(collected) => collected,
                    Err(error) => {
                        let failure = if error.is::<ApiError>() {
                            format!("{error:#}")
                        } else {
                            format!("source `{}` for {period}: {error:#}", plan.id)
                        };
                        failures.push(format!("{failure}; its published data is unchanged"));
                        continue;
                    }
                }
            }
        };
        reports.push(collected.report);
        partitions.extend(collected.partitions);
        replaced.extend(collected.replaced);
    }

    let unreconciled: Vec<&str> = reports
        .iter()
        .filter(|report| !report.discrepancies().is_empty())
        .map(|report| report.source.as_str())
        .collect();
    let rejected: u64 = reports.iter().map(|report| report.rows_rejected).sum();
    let refusal = if !unreconciled.is_empty() {
        Some(format!(
            "source {} did not reconcile",
            unreconciled.join(", ")
        ))
    } else if rejected > 0 && !request.accept_rejected {
        Some(format!(
            "{rejected} input lines were rejected; fix them, or publish without them with \
             `--accept-rejected`"
        ))
    } else if reports.is_empty() && !failures.is_empty() {
        Some("no source could be collected".to_owned())
    } else {
        None
    };
    if refusal.is_none() {
        publish(request, &destination, published, partitions, &replaced).await?;
    }
    Ok(CollectOutcome {
        reports,
        refusal,
        failures,
    })
}

/// Pulls a source's period and merges it with the days of the same months already published.
async fn collect_api(
    plan: &SourcePlan,
    api: &ApiPlan,
    period: Period,
    destination: &Destination,
    published: Option<&Manifest>,
) -> Result<Collected> {
    let pages = pull(&plan.id, plan.kind, api, period).await?;
    let mut report = SourceReport::new(&plan.id);
    report.period = Some(period.to_string());
    report.pages_fetched = u64::try_from(pages.len()).unwrap_or(u64::MAX);
    let output = read_pages(&plan.id, plan.kind, &pages, report)?;
    let outside = output
        .charges
        .iter()
        .map(|charge| charge.charge_period_start)
        .filter(|&start| !period.contains(start))
        .min();
    if let Some(start) = outside {
        // Merging them would double the published charges of that day.
        anyhow::bail!(
            "the answer holds charges of {}, outside the days asked for",
            start.date()
        );
    }
    let months = months_of(period);
    let carried = carried_over(&plan.id, &months, period, destination, published).await?;
    let mut collected = reconcile(
        &plan.id,
        output.report,
        output.charges,
        carried,
        Some(period),
    )?;
    collected
        .replaced
        .extend(months.into_iter().map(|month| (plan.id.clone(), month)));
    Ok(collected)
}

/// Partitions a source's charges (with the published charges carried over) and reads every
/// partition back, summing the money of the charges read this run into the report.
fn reconcile(
    source: &str,
    mut report: SourceReport,
    mut charges: Vec<Charge>,
    carried: Vec<Charge>,
    period: Option<Period>,
) -> Result<Collected> {
    for charge in &carried {
        report.rows_carried_over += 1;
        *report
            .carried_over_cost
            .entry(charge.billing_currency.clone())
            .or_default() += charge.billed_cost;
    }
    let mut partitions = Vec::new();
    let mut replaced = BTreeSet::new();
    charges.extend(carried);
    for partition in partition(source, charges)? {
        let written = read_charge_columns(
            partition.bytes.clone(),
            &[
                col::CHARGE_PERIOD_START,
                col::BILLING_CURRENCY,
                col::BILLED_COST,
            ],
        )
        .with_context(|| format!("reading back `{}`", partition.entry.path))?;
        for batch in &written {
            let read_back = billed_rows(batch)
                .with_context(|| format!("reading back `{}`", partition.entry.path))?;
            let this_run = read_back
                .iter()
                .filter(|row| period.is_none_or(|period| period.contains(row.charge_period_start)));
            for row in this_run {
                *report
                    .output_cost
                    .entry(row.billing_currency.to_owned())
                    .or_default() += row.billed_cost;
                report.rows_written += 1;
            }
        }
        replaced.insert((
            partition.entry.source.clone(),
            partition.entry.month.clone(),
        ));
        partitions.push(partition);
    }
    Ok(Collected {
        report,
        partitions,
        replaced,
    })
}

/// The published charges of `source` in `months` that lie outside `period`.
async fn carried_over(
    source: &str,
    months: &BTreeSet<String>,
    period: Period,
    destination: &Destination,
    published: Option<&Manifest>,
) -> Result<Vec<Charge>> {
    let files = published
        .iter()
        .flat_map(|manifest| manifest.files.iter())
        .filter(|file| file.source == source && months.contains(&file.month));
    let mut carried = Vec::new();
    for file in files {
        let Some(bytes) = destination.get(&file.path).await? else {
            anyhow::bail!(
                "the published manifest lists `{}`, which is missing from `{}`",
                file.path,
                destination.shown()
            );
        };
        let batches = read_charges(bytes)
            .with_context(|| format!("reading the published `{}`", file.path))?;
        for batch in &batches {
            let charges = charges_from_batch(batch)
                .with_context(|| format!("reading the published `{}`", file.path))?;
            carried.extend(
                charges
                    .into_iter()
                    .filter(|charge| !period.contains(charge.charge_period_start)),
            );
        }
    }
    Ok(carried)
}

/// The months (`YYYY-MM`) that a period's days fall in.
fn months_of(period: Period) -> BTreeSet<String> {
    let mut months = BTreeSet::new();
    let mut day = period.first.midnight().assume_utc();
    while day.date() < period.end {
        months.insert(month_of(day));
        day = next_month_start(day);
    }
    months
}

fn month_of(at: OffsetDateTime) -> String {
    format!("{:04}-{:02}", at.year(), u8::from(at.month()))
}

/// Splits a source's charges by month of `ChargePeriodStart` and writes each month's Parquet.
fn partition(source: &str, charges: Vec<Charge>) -> Result<Vec<Partition>> {
    let mut by_month: BTreeMap<String, Vec<Charge>> = BTreeMap::new();
    for charge in charges {
        by_month
            .entry(month_of(charge.charge_period_start))
            .or_default()
            .push(charge);
    }
    let mut partitions = Vec::new();
    for (month, mut charges) in by_month {
        // By key rather than by comparing charges: a sort moves what it sorts, and a charge is
        // large.
        charges.sort_by_cached_key(|charge| {
            (
                charge.charge_period_start,
                charge.attribution_key.clone(),
                charge.sku_id.clone(),
                charge.charge_description.clone(),
            )
        });
        let bytes = Bytes::from(write_charges(&[charges_to_batch(&charges)])?);
        let sha256 = format!("{:x}", Sha256::digest(&bytes));
        let mut billed_cost: BTreeMap<String, Amount> = BTreeMap::new();
        for charge in &charges {
            *billed_cost
                .entry(charge.billing_currency.clone())
                .or_default() += charge.billed_cost;
        }
        let first = charges.iter().map(|c| c.charge_period_start).min();
        let last = charges.iter().map(|c| c.charge_period_end).max();
        let entry = ManifestFile {
            path: format!(
                "source={source}/month={month}/charges-{}.parquet",
                &sha256[..16]
            ),
            source: source.to_owned(),
            month,
            rows: u64::try_from(charges.len()).unwrap_or(u64::MAX),
            charge_period_start: first.map(rfc3339).unwrap_or_default(),
            charge_period_end: last.map(rfc3339).unwrap_or_default(),
            bytes: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            sha256,
            billed_cost: billed_cost
                .into_iter()
                .map(|(c, amount)| (c, amount.to_string()))
                .collect(),
        };
        partitions.push(Partition { entry, bytes });
    }
    Ok(partitions)
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// Writes the partitions, then the rules, then the manifest; then removes the files that the
/// previous run retired. A file the new manifest drops is kept for one more run (listed as
/// `retired`), so a reader that read the previous manifest a moment ago can still fetch it.
async fn publish(
    request: &CollectRequest,
    destination: &Destination,
    previous: Option<Manifest>,
    partitions: Vec<Partition>,
    replaced: &BTreeSet<(String, String)>,
) -> Result<()> {
    let mut files: Vec<ManifestFile> = previous
        .iter()
        .flat_map(|manifest| manifest.files.iter())
        .filter(|file| !replaced.contains(&(file.source.clone(), file.month.clone())))
        .cloned()
        .collect();

    for partition in partitions {
        destination
            .put(&partition.entry.path, partition.bytes)
            .await?;
        files.push(partition.entry);
    }
    files.sort_by(|a, b| (&a.source, &a.month, &a.path).cmp(&(&b.source, &b.month, &b.path)));

    if let Some(rules) = &request.rules {
        let text = std::fs::read(rules)
            .with_context(|| format!("cannot read the rules `{}`", rules.display()))?;
        destination.put(ALLOCATION_FILE, Bytes::from(text)).await?;
    }

    let listed: BTreeSet<String> = files.iter().map(|file| file.path.clone()).collect();
    let retired: Vec<String> = previous
        .iter()
        .flat_map(|manifest| manifest.files.iter())
        .filter(|file| !listed.contains(&file.path))
        .map(|file| file.path.clone())
        .collect();
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        created_at: rfc3339(OffsetDateTime::now_utc()),
        created_by: format!("allot {}", env!("CARGO_PKG_VERSION")),
        files,
        retired,
    };
    destination
        .put(MANIFEST_FILE, Bytes::from(manifest.to_json().into_bytes()))
        .await?;
    tracing::info!(
        out = destination.shown(),
        files = manifest.files.len(),
        "manifest written"
    );

    for old in previous.iter().flat_map(|manifest| manifest.retired.iter()) {
        if !listed.contains(old) && !manifest.retired.contains(old) {
            destination.delete(old).await?;
        }
    }
    Ok(())
}

/// The manifest already published, if any.
async fn read_manifest(destination: &Destination) -> Result<Option<Manifest>> {
    let Some(bytes) = destination.get(MANIFEST_FILE).await? else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&bytes);
    let manifest = Manifest::from_json(&text)
        .with_context(|| format!("the manifest published at `{}`", destination.shown()))?;
    Ok(Some(manifest))
}
