//! `allot collect`: read every source, reconcile, and publish the data set.
//!
//! Nothing is published unless every source reconciles: the charges are partitioned by source
//! and month, written to Parquet in memory, read back and summed, and compared with what was
//! read. Then the Parquet files go out first and the manifest last (the commit point); a file
//! the new manifest drops is removed one run later, so readers of the old manifest are never
//! cut short. A partition (source, month) collected again replaces the old one, so re-running
//! a month never doubles it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use allot_core::charge::charges_to_batch;
use allot_core::manifest::{ALLOCATION_FILE, MANIFEST_FILE, Manifest, ManifestFile};
use allot_core::parquet_io::{read_charges, write_charges};
use allot_core::schema::SCHEMA_VERSION;
use allot_core::table::ChargeTable;
use allot_core::{Amount, Charge};
use anyhow::{Context, Result};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::SourcePlan;
use crate::report::{SourceReport, Totals};
use crate::sources::read_source;
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
}

/// One partition's Parquet file, ready to publish.
struct Partition {
    entry: ManifestFile,
    bytes: Bytes,
}

/// Reads, reconciles and publishes.
pub async fn collect(request: &CollectRequest) -> Result<CollectOutcome> {
    let mut reports = Vec::new();
    let mut partitions = Vec::new();
    for plan in &request.sources {
        let output = read_source(&plan.id, plan.kind, &plan.files)
            .with_context(|| format!("source `{}`", plan.id))?;
        let mut report = output.report;
        for partition in partition(&plan.id, output.charges)? {
            let written = read_charges(partition.bytes.clone())
                .with_context(|| format!("reading back `{}`", partition.entry.path))?;
            let table = ChargeTable::from_batches(&written)?;
            add_totals(&mut report.output_cost, &table);
            report.rows_written += u64::try_from(table.len()).unwrap_or(u64::MAX);
            partitions.push(partition);
        }
        reports.push(report);
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
    } else {
        None
    };
    if refusal.is_some() {
        return Ok(CollectOutcome { reports, refusal });
    }

    publish(request, partitions).await?;
    Ok(CollectOutcome {
        reports,
        refusal: None,
    })
}

fn add_totals(totals: &mut Totals, table: &ChargeTable) {
    for (currency, cost) in table.currency.iter().zip(&table.billed_cost) {
        *totals
            .entry(table.strings.get(*currency).to_owned())
            .or_insert(Amount::ZERO) += *cost;
    }
}

/// Splits a source's charges by month of `ChargePeriodStart` and writes each month's Parquet.
fn partition(source: &str, charges: Vec<Charge>) -> Result<Vec<Partition>> {
    let mut by_month: BTreeMap<String, Vec<Charge>> = BTreeMap::new();
    for charge in charges {
        let start = charge.charge_period_start;
        let month = format!("{:04}-{:02}", start.year(), u8::from(start.month()));
        by_month.entry(month).or_default().push(charge);
    }
    let mut partitions = Vec::new();
    for (month, mut charges) in by_month {
        charges.sort_by(|a, b| {
            (
                a.charge_period_start,
                &a.attribution_key,
                &a.sku_id,
                &a.charge_description,
            )
                .cmp(&(
                    b.charge_period_start,
                    &b.attribution_key,
                    &b.sku_id,
                    &b.charge_description,
                ))
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
async fn publish(request: &CollectRequest, partitions: Vec<Partition>) -> Result<()> {
    let destination = Destination::open(&request.out)?;
    let previous = read_manifest(&destination).await?;
    let replaced: BTreeSet<(String, String)> = partitions
        .iter()
        .map(|p| (p.entry.source.clone(), p.entry.month.clone()))
        .collect();
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
