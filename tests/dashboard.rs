//! End to end: the demo organization's vendor files → `allot collect` → the dashboard built by
//! trunk → headless Chromium. What the page shows is read from the page (the total's text and
//! exact value, the charts' legends) and compared with what the collector reconciled.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use allot_core::Amount;
use allot_core::aggregate::NO_MODEL;
use allot_core::allocation::UNALLOCATED;
use allot_core::manifest::Manifest;
use allot_core::model::canonical_model;
use allot_e2e::{S3Server, allot_binary, browser, built_site, serve, work_folder};
use fantoccini::Locator;
use serde_json::Value;
use xtask::tools::{run, workspace_root};

/// The reconciled output total of every source in a `--report-json` file, in USD.
fn reconciled_total(report: &Path) -> Amount {
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(report).expect("report")).expect("json");
    report
        .as_array()
        .expect("one report per source")
        .iter()
        .map(|source| {
            assert_eq!(source["rows_rejected"], 0, "{source}");
            Amount::parse(source["output_cost"]["USD"].as_str().expect("USD total"))
                .expect("amount")
        })
        .sum()
}

/// The `BilledCost` of the month `month` in USD, from the manifest's file entries.
fn month_total(data: &Path, month: &str) -> Amount {
    let manifest = std::fs::read_to_string(data.join("manifest.json")).expect("manifest");
    let manifest = Manifest::from_json(&manifest).expect("valid manifest");
    manifest
        .files
        .iter()
        .filter(|file| file.month == month)
        .map(|file| Amount::parse(&file.billed_cost["USD"]).expect("amount"))
        .sum()
}

fn set(names: impl IntoIterator<Item = impl Into<String>>) -> BTreeSet<String> {
    names.into_iter().map(Into::into).collect()
}

/// Generates the demo data in `work`, collects it with the demo's configuration, and returns
/// what the generator wrote with the total the collector reconciled, which must be the
/// generator's own.
fn collect_demo(work: &Path) -> (xtask::demo_data::DemoSummary, Amount) {
    let demo =
        xtask::demo_data::generate(&work.join("exports"), time::macros::date!(2026 - 11 - 30))
            .expect("demo data");
    std::fs::copy(
        workspace_root().join("demo/allot.toml"),
        work.join("allot.toml"),
    )
    .expect("config");
    let report = work.join("report.json");
    run(std::process::Command::new(allot_binary())
        .args(["collect", "--config"])
        .arg(work.join("allot.toml"))
        .arg("--report-json")
        .arg(&report))
    .expect("allot collect publishes the demo data");
    let total = reconciled_total(&report);
    assert_eq!(
        total,
        generated_total(&demo),
        "the collector's total is the demo generator's"
    );
    (demo, total)
}

/// What the demo generator wrote that the collector keeps: the vendors' responses and the
/// clouds' AI lines.
fn generated_total(demo: &xtask::demo_data::DemoSummary) -> Amount {
    let total = demo.cloud_ai_total_usd.values().fold(
        demo.anthropic_total_usd + demo.openai_total_usd + demo.mistral_total_usd,
        |total, cloud| total + cloud,
    );
    Amount::try_from_decimal(total).expect("an exact amount")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_shows_what_the_collector_reconciled() {
    let work = work_folder("demo");
    let (demo, expected_total) = collect_demo(&work);

    let preview = serve(built_site(), &work.join("data"))
        .await
        .expect("allot serve");
    let browser = browser().await.expect("headless Chromium");
    let state = browser
        .open_dashboard(&preview.url)
        .await
        .expect("page loads");
    let errors = browser.texts("#error").await.expect("error text");
    assert_eq!(state, "ready", "{errors:?}");

    let total = browser
        .client
        .find(Locator::Id("total"))
        .await
        .expect("#total");
    assert_eq!(
        total.attr("data-exact").await.expect("attr").as_deref(),
        Some(expected_total.to_string().as_str())
    );
    assert_eq!(
        total.attr("data-currency").await.expect("attr").as_deref(),
        Some("USD")
    );
    let shown = total.text().await.expect("text");
    let rounded = thousands(&expected_total.format_rounded(2));
    assert!(
        shown.contains(&rounded),
        "the page shows `{shown}`, expected `{rounded}`"
    );

    let providers = set(browser
        .texts("#chart-provider .legendtext")
        .await
        .expect("legend"));
    assert_eq!(
        providers,
        set([
            "Anthropic",
            "OpenAI",
            "Mistral AI",
            "AWS",
            "Microsoft",
            "Google Cloud"
        ])
    );
    let models = set(browser
        .texts("#chart-model .legendtext")
        .await
        .expect("legend"));
    let mut expected_models: BTreeSet<String> = demo
        .models
        .iter()
        .filter_map(|model| canonical_model(model))
        .collect();
    expected_models.insert(NO_MODEL.to_owned());
    assert_eq!(models, expected_models);
    let teams = set(browser
        .texts("#chart-team .legendtext")
        .await
        .expect("legend"));
    let mut expected_teams = demo.teams.clone();
    expected_teams.insert(UNALLOCATED.to_owned());
    assert_eq!(teams, expected_teams);

    let drawn_ms = browser
        .client
        .execute("return document.body.dataset.chartsDrawnMs", vec![])
        .await
        .expect("timing");
    println!("page load to charts drawn: {drawn_ms} ms");
    let screenshot = browser.client.screenshot().await.expect("screenshot");
    std::fs::write(work.join("dashboard.png"), screenshot).expect("screenshot saved");

    browser.set_value("from", "2026-11-01").await.expect("from");
    browser.set_value("to", "2026-11-30").await.expect("to");
    let november = month_total(&work.join("data"), "2026-11").to_string();
    let mut exact = None;
    for _ in 0..50 {
        exact = total.attr("data-exact").await.expect("attr");
        if exact.as_deref() == Some(november.as_str()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        exact.as_deref(),
        Some(november.as_str()),
        "total for November"
    );

    browser.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_manifest_and_a_corrupt_file_are_explained() {
    let work = work_folder("broken");
    let empty = work.join("empty");
    std::fs::create_dir_all(&empty).expect("folder");
    let preview = serve(built_site(), &empty).await.expect("allot serve");
    let browser = browser().await.expect("headless Chromium");
    let message = error_shown(&browser, &preview.url).await;
    assert!(message.contains("manifest.json was not found"), "{message}");
    drop(preview);

    let corrupt = work.join("corrupt");
    let input = workspace_root().join("tests/fixtures/cases/anthropic-cents/cost_report.json");
    run(std::process::Command::new(allot_binary())
        .args(["collect", "--source", "anthropic", "--input"])
        .arg(input)
        .arg("--out")
        .arg(&corrupt))
    .expect("collect");
    let manifest = Manifest::from_json(
        &std::fs::read_to_string(corrupt.join("manifest.json")).expect("manifest"),
    )
    .expect("valid");
    let file = &manifest.files[0].path;
    let length = usize::try_from(manifest.files[0].bytes).expect("size");
    std::fs::write(corrupt.join(file), vec![b'x'; length]).expect("corrupt the file");
    let preview = serve(built_site(), &corrupt).await.expect("allot serve");
    let message = error_shown(&browser, &preview.url).await;
    assert!(message.contains(file.as_str()), "{message}");

    browser.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_runs_from_a_bucket_alone_and_reads_data_across_origins() {
    let server = S3Server::start("allot-site").await.expect("S3 server");
    let input = workspace_root().join("tests/fixtures/cases/anthropic-cents/cost_report.json");
    run(std::process::Command::new(allot_binary())
        .args(["collect", "--source", "anthropic", "--input"])
        .arg(input)
        .args(["--out", &server.url("data")])
        .envs(server.environment()))
    .expect("collect to the bucket");
    run(std::process::Command::new(allot_binary())
        .arg("publish-site")
        .arg("--site")
        .arg(built_site())
        .args(["--out", &server.url("")])
        .envs(server.environment()))
    .expect("publish the site to the bucket");

    let browser = browser().await.expect("headless Chromium");
    let page = format!("{}/{}/index.html", server.endpoint, server.bucket);
    assert_eq!(
        browser.open_dashboard(&page).await.expect("page loads"),
        "ready"
    );
    assert_eq!(
        browser.exact_total().await.expect("#total").as_deref(),
        Some("412.80375")
    );

    let elsewhere = work_folder("cross-origin");
    let preview = serve(built_site(), &elsewhere).await.expect("allot serve");
    let data = format!("{}/{}/data/", server.endpoint, server.bucket);
    let page = format!("{}?data={data}", preview.url);
    assert_eq!(
        browser.open_dashboard(&page).await.expect("page loads"),
        "ready"
    );
    assert_eq!(
        browser.exact_total().await.expect("#total").as_deref(),
        Some("412.80375")
    );

    browser.close().await.expect("close");
}

/// Opens `url`, expects the dashboard's error state, and returns the message it shows.
async fn error_shown(browser: &allot_e2e::Browser, url: &str) -> String {
    let state = browser.open_dashboard(url).await.expect("page loads");
    assert_eq!(state, "error");
    browser.texts("#error").await.expect("error").join(" ")
}

/// `1234567.89` as `1,234,567.89`.
fn thousands(plain: &str) -> String {
    let (whole, fraction) = plain.split_once('.').unwrap_or((plain, ""));
    let digits: Vec<char> = whole.chars().collect();
    let mut grouped = String::new();
    for (index, digit) in digits.iter().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(*digit);
    }
    if fraction.is_empty() {
        grouped
    } else {
        format!("{grouped}.{fraction}")
    }
}
