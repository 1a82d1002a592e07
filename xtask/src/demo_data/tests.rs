//! The demo data, read back from the written files the way a collector reads them.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;
use std::str::FromStr as _;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use time::macros::{date, format_description};
use time::{Date, OffsetDateTime, Weekday};

use super::calendar::Period;
use super::organization::{project, workspace};
use super::{DemoSummary, generate, page_token};

const END_DATE: Date = date!(2026 - 11 - 30);

/// The demo for [`END_DATE`], generated once and read back.
struct Demo {
    summary: DemoSummary,
    /// The contents of every file written, by path relative to the output directory.
    files: BTreeMap<String, Vec<u8>>,
    anthropic: Vec<CostReportPage>,
    openai: Vec<CostsPage>,
}

fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let out_dir = TempDir::new("shared");
        let summary = generate(&out_dir.0, END_DATE).expect("the demo is generated");
        let files = read_tree(&out_dir);
        let anthropic = pages(&files, "anthropic/");
        let openai = pages(&files, "openai/");
        Demo {
            summary,
            files,
            anthropic,
            openai,
        }
    })
}

/// A fresh directory under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("allot-demo-data-{}-{name}", std::process::id()));
        if path.exists() {
            fs::remove_dir_all(&path).expect("a stale test directory is removed");
        }
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Best effort: a leftover directory in the temporary directory harms nothing.
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Every file under `dir`, by path relative to it.
fn read_tree(dir: &TempDir) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.0.clone()];
    while let Some(next) = pending.pop() {
        for entry in fs::read_dir(&next).expect("the directory is readable") {
            let path = entry.expect("the directory entry is readable").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(&dir.0)
                    .expect("the file is under the directory");
                let name = relative
                    .to_str()
                    .expect("file names are UTF-8")
                    .replace('\\', "/");
                files.insert(name, fs::read(&path).expect("the file is readable"));
            }
        }
    }
    files
}

fn pages<T: for<'de> Deserialize<'de>>(files: &BTreeMap<String, Vec<u8>>, prefix: &str) -> Vec<T> {
    files
        .iter()
        .filter(|(name, _)| name.starts_with(prefix))
        .map(|(name, bytes)| {
            serde_json::from_slice(bytes).unwrap_or_else(|error| panic!("`{name}`: {error}"))
        })
        .collect()
}

#[derive(Deserialize)]
struct CostReportPage {
    data: Vec<CostBucket>,
    has_more: bool,
    next_page: Option<String>,
}

#[derive(Deserialize)]
struct CostBucket {
    starting_at: String,
    ending_at: String,
    results: Vec<CostItem>,
}

#[derive(Deserialize)]
struct CostItem {
    currency: String,
    amount: String,
    workspace_id: Option<String>,
    description: String,
    cost_type: String,
    context_window: Option<String>,
    model: Option<String>,
    service_tier: Option<String>,
    token_type: Option<String>,
}

#[derive(Deserialize)]
struct CostsPage {
    object: String,
    data: Vec<CostsBucket>,
    has_more: bool,
    next_page: Option<String>,
}

#[derive(Deserialize)]
struct CostsBucket {
    start_time: i64,
    end_time: i64,
    results: Vec<CostsResult>,
}

#[derive(Deserialize)]
struct CostsResult {
    amount: Amount,
    line_item: String,
    project_id: Option<String>,
}

#[derive(Deserialize)]
struct Amount {
    value: Box<RawValue>,
    currency: String,
}

/// One row of either vendor, reduced to what the tests compare.
struct Charge {
    source: &'static str,
    day: Date,
    /// The attribution key: the workspace or project id, or `default`.
    key: String,
    model: Option<String>,
    service_tier: Option<String>,
    usd: Decimal,
}

fn charges(demo: &Demo) -> Vec<Charge> {
    let mut charges = Vec::new();
    for bucket in demo.anthropic.iter().flat_map(|page| &page.data) {
        for item in &bucket.results {
            charges.push(Charge {
                source: "anthropic",
                day: rfc3339_day(&bucket.starting_at),
                key: item
                    .workspace_id
                    .clone()
                    .unwrap_or_else(|| "default".to_owned()),
                model: item.model.clone(),
                service_tier: item.service_tier.clone(),
                usd: cents_to_usd(&item.amount),
            });
        }
    }
    for bucket in demo.openai.iter().flat_map(|page| &page.data) {
        for result in &bucket.results {
            charges.push(Charge {
                source: "openai",
                day: unix_day(bucket.start_time),
                key: result
                    .project_id
                    .clone()
                    .unwrap_or_else(|| "default".to_owned()),
                model: result
                    .line_item
                    .split_once(", ")
                    .map(|(model, _)| model.to_owned()),
                service_tier: None,
                usd: exact_decimal(result.amount.value.get()),
            });
        }
    }
    charges
}

fn rfc3339_day(text: &str) -> Date {
    let (day, time) = text.split_once('T').expect("an RFC 3339 timestamp");
    assert_eq!(time, "00:00:00Z", "buckets start at midnight UTC");
    Date::parse(day, format_description!("[year]-[month]-[day]")).expect("a calendar date")
}

fn unix_day(seconds: i64) -> Date {
    let moment = OffsetDateTime::from_unix_timestamp(seconds).expect("a valid timestamp");
    assert_eq!(
        moment.time(),
        time::Time::MIDNIGHT,
        "buckets start at midnight UTC"
    );
    moment.date()
}

fn cents_to_usd(amount: &str) -> Decimal {
    Decimal::from_str(amount).expect("a decimal amount in cents") / Decimal::ONE_HUNDRED
}

fn exact_decimal(text: &str) -> Decimal {
    Decimal::from_str_exact(text).expect("an amount that is an exact decimal")
}

fn total_usd(charges: impl Iterator<Item = Decimal>) -> Decimal {
    charges.sum()
}

#[test]
fn the_same_end_date_gives_byte_identical_files() {
    let again = TempDir::new("again");
    let summary = generate(&again.0, END_DATE).expect("the demo is generated");

    assert_eq!(read_tree(&again), demo().files);
    assert_eq!(
        summary.anthropic_total_usd,
        demo().summary.anthropic_total_usd
    );
    assert_eq!(summary.openai_total_usd, demo().summary.openai_total_usd);
}

#[test]
fn the_summary_lists_every_file_written() {
    let demo = demo();
    let expected: Vec<String> = (1..=27)
        .map(|page| format!("anthropic/cost_report_page_{page:03}.json"))
        .chain((1..=7).map(|page| format!("openai/costs_page_{page:03}.json")))
        .chain((1..=12).map(|response| format!("mistral/usage_{response:03}.json")))
        .chain(cloud_months().map(|month| format!("aws/cur2-{month}.csv")))
        .chain(cloud_months().map(|month| format!("azure/costs-{month}.csv")))
        .chain(cloud_months().map(|month| format!("gcp/billing-{month}.jsonl")))
        .chain(["allocation.toml".to_owned()])
        .collect();

    assert_eq!(
        demo.files.keys().cloned().collect::<BTreeSet<_>>(),
        expected.iter().cloned().collect()
    );
    let summarized: Vec<String> = demo
        .summary
        .files
        .iter()
        .map(|path| {
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .expect("a file name");
            let parent = path
                .parent()
                .and_then(|dir| dir.file_name())
                .and_then(|dir| dir.to_str());
            match parent {
                Some(vendor @ ("anthropic" | "openai" | "mistral" | "aws" | "azure" | "gcp")) => {
                    format!("{vendor}/{name}")
                }
                _ => name.to_owned(),
            }
        })
        .collect();
    assert_eq!(summarized, expected);
}

#[test]
fn the_summary_totals_are_the_sums_of_the_written_amounts() {
    let demo = demo();
    let charges = charges(demo);

    let anthropic = total_usd(
        charges
            .iter()
            .filter(|c| c.source == "anthropic")
            .map(|c| c.usd),
    );
    let openai = total_usd(
        charges
            .iter()
            .filter(|c| c.source == "openai")
            .map(|c| c.usd),
    );
    assert_eq!(demo.summary.anthropic_total_usd, anthropic);
    assert_eq!(demo.summary.openai_total_usd, openai);

    let mut models: BTreeSet<String> = charges.iter().filter_map(|c| c.model.clone()).collect();
    models.extend([
        "mistral-large-2411".to_owned(),
        "mistral-small-2503".to_owned(),
    ]);
    let cloud_models: BTreeSet<String> = [
        "claude-haiku-4-5",
        "claude-sonnet-4-5",
        "gemini-2.5-flash",
        "gemini-2.5-pro",
        "gpt-4o",
        "gpt-4o-mini",
        "nova-lite",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(
        demo.summary.models,
        models.union(&cloud_models).cloned().collect()
    );
    assert_eq!(
        models,
        BTreeSet::from([
            "claude-haiku-4-5-20251001",
            "claude-opus-4-1-20250805",
            "claude-sonnet-4-5-20250929",
            "gpt-4.1-2025-04-14",
            "gpt-4o-2024-08-06",
            "gpt-4o-mini-2024-07-18",
            "mistral-large-2411",
            "mistral-small-2503",
            "o3-2025-04-16",
            "text-embedding-3-small",
        ])
        .into_iter()
        .map(str::to_owned)
        .collect()
    );
    assert_eq!(demo.summary.teams.len(), 12);
}

#[test]
fn buckets_are_the_183_utc_days_ending_on_the_end_date() {
    let demo = demo();
    let expected: Vec<Date> = Period::ending_on(END_DATE)
        .expect("a valid period")
        .days()
        .to_vec();
    assert_eq!(expected.first(), Some(&date!(2026 - 06 - 01)));
    assert_eq!(expected.len(), 183);

    let anthropic: Vec<&CostBucket> = demo.anthropic.iter().flat_map(|page| &page.data).collect();
    let anthropic_days: Vec<Date> = anthropic
        .iter()
        .map(|b| rfc3339_day(&b.starting_at))
        .collect();
    assert_eq!(anthropic_days, expected);
    for bucket in anthropic {
        let next_day = rfc3339_day(&bucket.starting_at).next_day();
        assert_eq!(Some(rfc3339_day(&bucket.ending_at)), next_day);
    }

    let openai: Vec<&CostsBucket> = demo.openai.iter().flat_map(|page| &page.data).collect();
    let openai_days: Vec<Date> = openai
        .iter()
        .map(|bucket| unix_day(bucket.start_time))
        .collect();
    assert_eq!(openai_days, expected);
    assert!(
        openai
            .iter()
            .all(|bucket| bucket.end_time - bucket.start_time == 86_400)
    );
}

#[test]
fn page_chains_are_consistent() {
    let demo = demo();

    let sizes: Vec<usize> = demo.anthropic.iter().map(|page| page.data.len()).collect();
    assert_eq!(sizes, [vec![7; 26], vec![1]].concat());
    for (page, next) in demo.anthropic.iter().zip(demo.anthropic.iter().skip(1)) {
        assert!(page.has_more);
        let cursor = &next.data[0].starting_at;
        assert_eq!(
            page.next_page.as_deref(),
            Some(page_token(cursor.as_bytes()).as_str())
        );
    }
    let last = demo.anthropic.last().expect("at least one page");
    assert!(!last.has_more);
    assert_eq!(last.next_page, None);

    let sizes: Vec<usize> = demo.openai.iter().map(|page| page.data.len()).collect();
    assert_eq!(sizes, [30, 30, 30, 30, 30, 30, 3]);
    for (page, next) in demo.openai.iter().zip(demo.openai.iter().skip(1)) {
        assert!(page.has_more);
        let cursor = next.data[0].start_time.to_be_bytes();
        assert_eq!(
            page.next_page.as_deref(),
            Some(page_token(&cursor).as_str())
        );
    }
    let last = demo.openai.last().expect("at least one page");
    assert!(!last.has_more);
    assert_eq!(last.next_page, None);
    assert!(demo.openai.iter().all(|page| page.object == "page"));
}

#[test]
fn page_tokens_are_base64_as_the_api_writes_them() {
    // The token of `cases/anthropic-pages/page1.json`.
    assert_eq!(
        page_token(b"2026-10-03T00:00:00Z"),
        "page_MjAyNi0xMC0wM1QwMDowMDowMFo="
    );
    assert_eq!(page_token(b"a"), "page_YQ==");
    assert_eq!(page_token(b"ab"), "page_YWI=");
    assert_eq!(page_token(b"abc"), "page_YWJj");
}

#[test]
fn amounts_are_written_as_each_vendor_writes_them() {
    let demo = demo();

    let mut decimals = BTreeSet::new();
    for item in demo
        .anthropic
        .iter()
        .flat_map(|page| &page.data)
        .flat_map(|b| &b.results)
    {
        assert_eq!(item.currency, "USD");
        let cents = Decimal::from_str(&item.amount).expect("a decimal amount");
        assert!(cents > Decimal::ZERO, "rows exist only for non-zero groups");
        decimals.insert(
            item.amount
                .split_once('.')
                .map_or(0, |(_, fraction)| fraction.len()),
        );
        if item.cost_type == "web_search" {
            assert_eq!(item.description, "Web Search Usage");
            assert_eq!(
                (&item.model, &item.token_type, &item.context_window),
                (&None, &None, &None)
            );
        } else {
            assert_eq!(item.cost_type, "tokens");
            assert_eq!(item.context_window.as_deref(), Some("0-200k"));
            assert!(
                item.description.contains(" Usage - "),
                "{}",
                item.description
            );
        }
    }
    assert_eq!(decimals, BTreeSet::from([0, 4, 5, 6]));

    let mut longest_significand = 0;
    for result in demo
        .openai
        .iter()
        .flat_map(|page| &page.data)
        .flat_map(|b| &b.results)
    {
        assert_eq!(result.amount.currency, "usd");
        let text = result.amount.value.get();
        let value = exact_decimal(text);
        assert!(value > Decimal::ZERO);
        assert_eq!(
            value.to_string(),
            text,
            "the JSON text is the decimal that was summed"
        );
        longest_significand = longest_significand.max(value.mantissa().to_string().len());
    }
    assert_eq!(longest_significand, 17);
}

#[test]
fn groups_are_unique_within_a_bucket() {
    let demo = demo();
    for bucket in demo.anthropic.iter().flat_map(|page| &page.data) {
        let groups: BTreeSet<_> = bucket
            .results
            .iter()
            .map(|item| (&item.workspace_id, &item.description, &item.service_tier))
            .collect();
        assert_eq!(groups.len(), bucket.results.len(), "{}", bucket.starting_at);
    }
    for bucket in demo.openai.iter().flat_map(|page| &page.data) {
        let groups: BTreeSet<_> = bucket
            .results
            .iter()
            .map(|result| (&result.project_id, &result.line_item))
            .collect();
        assert_eq!(groups.len(), bucket.results.len(), "{}", bucket.start_time);
    }
}

#[test]
fn weekends_cost_about_a_third_of_weekdays() {
    let mut weekday = Vec::new();
    let mut weekend = Vec::new();
    let mut by_day: BTreeMap<Date, Decimal> = BTreeMap::new();
    for charge in charges(demo()) {
        *by_day.entry(charge.day).or_default() += charge.usd;
    }
    for (day, usd) in by_day {
        match day.weekday() {
            Weekday::Saturday | Weekday::Sunday => weekend.push(usd),
            _ => weekday.push(usd),
        }
    }
    let average = |days: &[Decimal]| days.iter().sum::<Decimal>() / Decimal::from(days.len());

    let ratio = average(&weekend) / average(&weekday);
    assert!(
        ratio > Decimal::new(25, 2) && ratio < Decimal::new(45, 2),
        "ratio {ratio}"
    );
}

#[test]
fn monthly_spend_is_tens_of_thousands_and_grows() {
    let mut by_month: BTreeMap<(i32, u8), Decimal> = BTreeMap::new();
    for charge in charges(demo()) {
        *by_month
            .entry((charge.day.year(), u8::from(charge.day.month())))
            .or_default() += charge.usd;
    }
    let months: Vec<Decimal> = by_month.into_values().collect();

    assert_eq!(months.len(), 6);
    for usd in &months {
        assert!(
            *usd > Decimal::from(20_000) && *usd < Decimal::from(100_000),
            "{usd}"
        );
    }
    assert!(months[5] > months[0] * Decimal::new(13, 1), "{months:?}");
}

#[test]
fn the_new_project_appears_on_its_launch_day_and_stays() {
    let launch = Period::ending_on(END_DATE)
        .expect("a valid period")
        .new_key_launch();
    assert_eq!(launch, date!(2026 - 09 - 15));

    let days: BTreeSet<Date> = charges(demo())
        .into_iter()
        .filter(|charge| charge.key == project::ML_AGENTS)
        .map(|charge| charge.day)
        .collect();
    let expected: BTreeSet<Date> = (0..77)
        .map(|offset| launch + time::Duration::days(offset))
        .collect();
    assert_eq!(days, expected);
}

#[test]
fn the_period_events_follow_calendar_months_across_a_new_year() {
    let period = Period::ending_on(date!(2027 - 03 - 31)).expect("a valid period");

    assert_eq!(period.days().first(), Some(&date!(2026 - 09 - 30)));
    assert_eq!(period.days().last(), Some(&date!(2027 - 03 - 31)));
    assert_eq!(period.new_key_launch(), date!(2026 - 12 - 15));
    assert_eq!(
        period.backfill(),
        [date!(2027 - 01 - 12), date!(2027 - 01 - 13)]
    );
}

#[test]
fn the_batch_backfill_is_a_two_day_spike() {
    let backfill = Period::ending_on(END_DATE)
        .expect("a valid period")
        .backfill();
    assert_eq!(backfill, [date!(2026 - 10 - 13), date!(2026 - 10 - 14)]);

    let charges = charges(demo());
    let batch_days: BTreeSet<Date> = charges
        .iter()
        .filter(|charge| charge.service_tier.as_deref() == Some("batch"))
        .map(|charge| charge.day)
        .collect();
    assert_eq!(batch_days, BTreeSet::from(backfill));

    let mut by_day: BTreeMap<Date, Decimal> = BTreeMap::new();
    for charge in &charges {
        *by_day.entry(charge.day).or_default() += charge.usd;
    }
    let mut days: Vec<(Decimal, Date)> = by_day.into_iter().map(|(day, usd)| (usd, day)).collect();
    days.sort();
    let top_two: BTreeSet<Date> = days.iter().rev().take(2).map(|&(_, day)| day).collect();
    assert_eq!(top_two, BTreeSet::from(backfill));
    let (third_highest, _) = days[days.len() - 3];
    assert!(days[days.len() - 2].0 > third_highest * Decimal::from(3) / Decimal::from(2));
}

#[test]
fn teams_move_usage_to_newer_models() {
    let charges = charges(demo());
    let share_of = |key: &str, model: &str, month: u8| {
        let in_month = || {
            charges
                .iter()
                .filter(|c| c.key == key && u8::from(c.day.month()) == month)
        };
        let of_model = total_usd(
            in_month()
                .filter(|c| c.model.as_deref() == Some(model))
                .map(|c| c.usd),
        );
        of_model / total_usd(in_month().map(|c| c.usd))
    };

    assert_eq!(
        share_of(workspace::DOCS_AI, "claude-sonnet-4-5-20250929", 6),
        Decimal::ZERO
    );
    assert!(share_of(workspace::DOCS_AI, "claude-sonnet-4-5-20250929", 11) > Decimal::new(3, 1));
    assert_eq!(
        share_of(project::MOBILE, "gpt-4.1-2025-04-14", 6),
        Decimal::ZERO
    );
    assert!(share_of(project::MOBILE, "gpt-4.1-2025-04-14", 11) > Decimal::new(5, 1));
}

#[derive(Deserialize)]
struct AllocationFile {
    team: Vec<TeamRule>,
}

#[derive(Deserialize)]
struct TeamRule {
    source: Option<String>,
    /// `None` for the clouds' rules, which match on a tag instead.
    key: Option<String>,
    /// A team's name, or `{ tag = "team" }` for the clouds' rules.
    value: toml::Value,
}

impl AllocationFile {
    /// The team of the first rule that matches, as the allocation rules are evaluated.
    fn team_of(&self, source: &str, key: &str) -> Option<&str> {
        self.team
            .iter()
            .find(|rule| {
                rule.source.as_deref().is_none_or(|only| only == source)
                    && rule
                        .key
                        .as_ref()
                        .is_some_and(|pattern| glob_matches(pattern.as_bytes(), key.as_bytes()))
            })
            .and_then(|rule| rule.value.as_str())
    }
}

fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.split_first(), text.split_first()) {
        (None, _) => text.is_empty(),
        (Some((b'*', rest)), _) => {
            glob_matches(rest, text) || (!text.is_empty() && glob_matches(pattern, &text[1..]))
        }
        (Some((b'?', rest)), Some((_, text_rest))) => glob_matches(rest, text_rest),
        (Some((expected, rest)), Some((actual, text_rest))) => {
            expected == actual && glob_matches(rest, text_rest)
        }
        (Some(_), None) => false,
    }
}

#[test]
fn the_allocation_rules_give_every_key_its_team_but_the_shared_ones() {
    let demo = demo();
    let text = std::str::from_utf8(&demo.files["allocation.toml"]).expect("UTF-8");
    let rules: AllocationFile = toml::from_str(text).expect("valid allocation rules");
    let expected = BTreeMap::from([
        (("anthropic", workspace::SUPPORT_CHAT), Some("support-bot")),
        (("anthropic", workspace::SUPPORT_MAIL), Some("support-bot")),
        (("anthropic", workspace::SEARCH_QUERY), Some("search")),
        (("anthropic", workspace::SEARCH_RANK), Some("search")),
        (("anthropic", workspace::DOCS_AI), Some("docs-ai")),
        (("anthropic", workspace::SALES_ASSIST), Some("sales-assist")),
        (("anthropic", workspace::LEGAL_REVIEW), Some("legal-review")),
        (("anthropic", workspace::RECRUITING), Some("recruiting")),
        (("anthropic", workspace::SECURITY), Some("security")),
        (("anthropic", workspace::GATEWAY), None),
        (("anthropic", "default"), None),
        (("openai", project::GROWTH), Some("growth")),
        (("openai", project::DATA_SCIENCE), Some("data-science")),
        (("openai", "default"), Some("data-science")),
        (("openai", project::ML_EMBEDDINGS), Some("ml-platform")),
        (("openai", project::ML_EVALS), Some("ml-platform")),
        (("openai", project::ML_AGENTS), Some("ml-platform")),
        (("openai", project::MOBILE), Some("mobile")),
        (("openai", project::FINANCE_OPS), Some("finance-ops")),
        (("openai", project::SALES_ASSIST), Some("sales-assist")),
        (("openai", project::SEARCH), Some("search")),
        (("openai", project::GATEWAY), None),
    ]);

    let keys_written: BTreeSet<(&str, String)> = charges(demo)
        .into_iter()
        .map(|charge| (charge.source, charge.key))
        .collect();
    let keys_expected = expected
        .keys()
        .map(|&(source, key)| (source, key.to_owned()))
        .collect();
    assert_eq!(keys_written, keys_expected);
    for (&(source, key), &team) in &expected {
        assert_eq!(rules.team_of(source, key), team, "{source} {key}");
    }
    let teams: BTreeSet<String> = rules
        .team
        .iter()
        .filter_map(|rule| rule.value.as_str().map(str::to_owned))
        .collect();
    assert_eq!(teams, demo.summary.teams);
    let tag_rules: Vec<&str> = rules
        .team
        .iter()
        .filter(|rule| rule.value.get("tag").and_then(toml::Value::as_str) == Some("team"))
        .filter_map(|rule| rule.source.as_deref())
        .collect();
    assert_eq!(tag_rules, ["aws", "azure", "gcp"]);
}

#[test]
fn ids_look_like_the_vendors_ids() {
    let keys: BTreeSet<(&str, String)> = charges(demo())
        .into_iter()
        .map(|charge| (charge.source, charge.key))
        .collect();
    for (source, key) in keys {
        let random_part = match source {
            _ if key == "default" => continue,
            "anthropic" => key.strip_prefix("wrkspc_01").filter(|rest| {
                rest.bytes()
                    .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit())
            }),
            _ => key
                .strip_prefix("proj_")
                .filter(|rest| rest.bytes().all(|b| b.is_ascii_alphanumeric())),
        };
        assert_eq!(random_part.map(str::len), Some(24), "{key}");
    }
}

/// The months the demo period touches, as `2026-06` (the test period ends on 2026-11-30).
fn cloud_months() -> impl Iterator<Item = String> {
    (6..=11).map(|month| format!("2026-{month:02}"))
}

/// The rows of the CSV files below `folder`, as maps of column to value.
fn csv_rows(files: &BTreeMap<String, Vec<u8>>, folder: &str) -> Vec<BTreeMap<String, String>> {
    files
        .iter()
        .filter(|(path, _)| path.starts_with(folder))
        .flat_map(|(_, bytes)| {
            let mut reader = csv::Reader::from_reader(bytes.as_slice());
            let header = reader.headers().expect("a header").clone();
            reader
                .records()
                .map(|record| {
                    let record = record.expect("a record");
                    header
                        .iter()
                        .zip(record.iter())
                        .map(|(column, value)| (column.to_owned(), value.to_owned()))
                        .collect()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_clouds_bills_hold_ai_lines_among_ordinary_ones_with_their_teams_tags() {
    let demo = demo();
    let teams = &demo.summary.teams;
    let amount = |text: &str| exact_decimal(text);

    let cur = csv_rows(&demo.files, "aws/");
    let bedrock = |row: &&BTreeMap<String, String>| {
        row["line_item_product_code"] == "AmazonBedrock"
            || row["bill_billing_entity"] == "AWS Marketplace"
    };
    let ai: Decimal = cur
        .iter()
        .filter(bedrock)
        .map(|row| amount(&row["line_item_unblended_cost"]))
        .sum();
    let not_ai: Decimal = cur
        .iter()
        .filter(|row| !bedrock(row))
        .map(|row| amount(&row["line_item_unblended_cost"]))
        .sum();
    assert_eq!(demo.summary.cloud_ai_total_usd["aws"], ai);
    assert_eq!(demo.summary.cloud_not_ai_total_usd["aws"], not_ai);
    assert!(not_ai > Decimal::ZERO);
    for row in cur.iter().filter(bedrock) {
        if row["line_item_line_item_type"] != "Usage" {
            assert!(["Credit", "Tax"].contains(&row["line_item_line_item_type"].as_str()));
            continue;
        }
        let tags: BTreeMap<String, String> =
            serde_json::from_str(&row["tags"]).expect("tags as JSON");
        match tags.get("iamPrincipal/team") {
            Some(team) => assert!(teams.contains(team), "{team}"),
            None => assert!(row["line_item_iam_principal"].contains("/llm-gateway/")),
        }
    }
    let marketplace = cur
        .iter()
        .filter(|row| row["bill_billing_entity"] == "AWS Marketplace")
        .count();
    assert!(marketplace > 0, "Claude is sold through AWS Marketplace");

    let azure = csv_rows(&demo.files, "azure/");
    let openai_meter = |row: &&BTreeMap<String, String>| row["MeterSubCategory"] == "Azure OpenAI";
    let ai: Decimal = azure
        .iter()
        .filter(openai_meter)
        .map(|row| amount(&row["CostInBillingCurrency"]))
        .sum();
    assert_eq!(demo.summary.cloud_ai_total_usd["azure"], ai);
    assert!(azure.iter().any(|row| !openai_meter(&row)));
    for row in azure.iter().filter(openai_meter) {
        let tags: BTreeMap<String, String> =
            serde_json::from_str(&row["Tags"]).expect("tags as JSON");
        assert!(teams.contains(&tags["team"]));
    }

    let mut vertex = Decimal::ZERO;
    let mut credits = Decimal::ZERO;
    for (_, bytes) in demo
        .files
        .iter()
        .filter(|(path, _)| path.starts_with("gcp/"))
    {
        for line in std::str::from_utf8(bytes).expect("UTF-8").lines() {
            let row: serde_json::Value = serde_json::from_str(line).expect("a JSON row");
            if row["service"]["description"] != "Vertex AI" {
                continue;
            }
            vertex += amount(&row["cost"].to_string());
            for credit in row["credits"].as_array().expect("credits") {
                credits += amount(&credit["amount"].to_string());
            }
            let label = &row["labels"][0];
            assert_eq!(label["key"], "team");
            assert!(teams.contains(label["value"].as_str().expect("a label")));
        }
    }
    assert!(
        credits < Decimal::ZERO,
        "the Gemini Pro lines carry credits"
    );
    assert_eq!(demo.summary.cloud_ai_total_usd["gcp"], vertex + credits);
}
