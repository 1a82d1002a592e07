//! Deterministic demo data: six months of a made-up company's AI bill, written as the vendors'
//! own API responses, with the allocation rules that give its workspaces and projects to teams.
//!
//! [`generate`] writes the pages of Anthropic's cost report and of the `openai` costs endpoint,
//! the responses of Mistral's usage endpoint, the clouds' monthly billing files (an AWS CUR
//! 2.0, an Azure cost export, a Google Cloud billing export) and an `allocation.toml`, for the
//! 183 UTC days ending on a given date. Everything comes from
//! fixed seeds, so the same end date always gives byte-identical files and the demo's numbers can
//! be relied on in tests.
//!
//! `organization` names the teams, their workspaces and projects, and the allocation rules; each
//! vendor module holds the vendor's price list and response format, and its `*_workloads` module
//! what the teams run there; `clouds` writes the three clouds' files with their AI lines among
//! ordinary ones; `calendar` shapes how much a workload spends on a given day.

mod anthropic;
mod anthropic_workloads;
mod calendar;
mod clouds;
mod mistral;
mod openai;
mod openai_workloads;
mod organization;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rust_decimal::Decimal;

/// What [`generate`] wrote.
#[derive(Debug)]
pub struct DemoSummary {
    /// Every file written, in the order written.
    pub files: Vec<PathBuf>,
    /// The sum of every Anthropic `amount` written, converted from cents to US dollars.
    pub anthropic_total_usd: Decimal,
    /// The sum of every `openai` `amount.value` written, read as the decimal its JSON text spells.
    pub openai_total_usd: Decimal,
    /// The sum of every Mistral entry's `value_paid` times its listed price, in US dollars.
    pub mistral_total_usd: Decimal,
    /// The AI lines of the clouds' files (credits and tax included) by source: `aws`, `azure`,
    /// `gcp`.
    pub cloud_ai_total_usd: BTreeMap<&'static str, Decimal>,
    /// The clouds' other lines, which the collector counts as not AI, by source.
    pub cloud_not_ai_total_usd: BTreeMap<&'static str, Decimal>,
    /// The teams the allocation rules name.
    pub teams: BTreeSet<String>,
    /// The model ids of every token charge written: dated snapshots in the vendors' API pages,
    /// allot's model names for the clouds' lines.
    pub models: BTreeSet<String>,
}

/// Writes the demo organization's vendor files under `out_dir` and returns what it wrote.
///
/// The files are `anthropic/cost_report_page_NNN.json`, `openai/costs_page_NNN.json`,
/// `mistral/usage_NNN.json`, `aws/cur2-YYYY-MM.csv`, `azure/costs-YYYY-MM.csv`,
/// `gcp/billing-YYYY-MM.jsonl` and `allocation.toml`, for the 183 UTC days ending on `end_date`
/// inclusive.
pub fn generate(out_dir: &Path, end_date: time::Date) -> anyhow::Result<DemoSummary> {
    let period = calendar::Period::ending_on(end_date)?;
    let anthropic = anthropic::cost_report_pages(&period)?;
    let openai = openai::costs_pages(&period)?;
    let mistral = mistral::usage_responses(&period)?;

    let mut files = Vec::new();
    write_pages(
        &out_dir.join("anthropic"),
        "cost_report_page",
        &anthropic.pages,
        &mut files,
    )?;
    write_pages(
        &out_dir.join("openai"),
        "costs_page",
        &openai.pages,
        &mut files,
    )?;
    write_pages(
        &out_dir.join("mistral"),
        "usage",
        &mistral.pages,
        &mut files,
    )?;
    let mut models: BTreeSet<String> = anthropic
        .models
        .iter()
        .chain(&openai.models)
        .chain(&mistral.models)
        .map(|&model| model.to_owned())
        .collect();
    let mut cloud_ai_total_usd = BTreeMap::new();
    let mut cloud_not_ai_total_usd = BTreeMap::new();
    for (source, cloud) in [
        ("aws", clouds::aws_cur(&period)?),
        ("azure", clouds::azure_costs(&period)?),
        ("gcp", clouds::gcp_billing(&period)?),
    ] {
        for (path, bytes) in &cloud.files {
            let path = out_dir.join(path);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create the directory `{}`", dir.display()))?;
            }
            write_file(&path, bytes)?;
            files.push(path);
        }
        cloud_ai_total_usd.insert(source, cloud.ai_total_usd);
        cloud_not_ai_total_usd.insert(source, cloud.not_ai_total_usd);
        models.extend(cloud.models.iter().map(|&model| model.to_owned()));
    }
    let allocation = out_dir.join("allocation.toml");
    write_file(&allocation, organization::ALLOCATION_TOML.as_bytes())?;
    files.push(allocation);

    Ok(DemoSummary {
        files,
        anthropic_total_usd: anthropic.total_usd,
        openai_total_usd: openai.total_usd,
        mistral_total_usd: mistral.total_usd,
        cloud_ai_total_usd,
        cloud_not_ai_total_usd,
        teams: organization::TEAMS
            .iter()
            .map(|&team| team.to_owned())
            .collect(),
        models,
    })
}

/// One vendor's API responses, ready to write, and what they add up to.
struct VendorPages {
    /// The JSON body of each page, in the order the API returns them.
    pages: Vec<Vec<u8>>,
    total_usd: Decimal,
    models: BTreeSet<&'static str>,
}

fn write_pages(
    dir: &Path,
    stem: &str,
    pages: &[Vec<u8>],
    files: &mut Vec<PathBuf>,
) -> anyhow::Result<()> {
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the directory `{}`", dir.display()))?;
    for (index, page) in pages.iter().enumerate() {
        let path = dir.join(format!("{stem}_{:03}.json", index + 1));
        write_file(&path, page)?;
        files.push(path);
    }
    Ok(())
}

fn write_file(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    fs::write(path, contents).with_context(|| format!("cannot write `{}`", path.display()))
}

/// A list price per million tokens, in thousandths of a US dollar: `Price(3_750)` is $3.75.
#[derive(Clone, Copy)]
struct Price(u32);

impl Price {
    /// The price of one token in cents, exact: Anthropic's cost report counts in cents.
    fn cents_per_token(self) -> Decimal {
        Decimal::new(i64::from(self.0), 7).normalize()
    }

    /// The price of one token in US dollars, for the costs endpoint's float dollars.
    fn usd_per_token(self) -> f64 {
        f64::from(self.0) / 1e9
    }
}

/// A `next_page` token as both vendors spell them: `page_` and the base64 of a cursor.
fn page_token(cursor: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    let mut token = String::from("page_");
    for chunk in cursor.chunks(3) {
        let bytes = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let bits = u32::from_be_bytes([0, bytes[0], bytes[1], bytes[2]]);
        for sextet in 0..4 {
            if sextet <= chunk.len() {
                let index = (bits >> (18 - 6 * sextet)) & 0x3f;
                token.push(char::from(ALPHABET[index as usize]));
            } else {
                token.push('=');
            }
        }
    }
    token
}
