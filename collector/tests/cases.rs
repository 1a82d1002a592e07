//! The vendor cases and real sample files, through the real `allot collect` binary: the values
//! each case names are read back from the published Parquet and asserted.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use allot_core::Amount;
use support::{allot, assert_success, collect, find, fixture, published_rows, stdout, value};

#[test]
fn anthropic_amounts_are_cents() {
    let (out, output) = collect(
        "anthropic",
        &[fixture("cases/anthropic-cents/cost_report.json")],
    );
    assert_success(&output);
    support::cases::anthropic_cents(out.path(), &output);
}

#[test]
fn anthropic_pages_are_all_read() {
    let (out, output) = collect(
        "anthropic",
        &[
            fixture("cases/anthropic-pages/page1.json"),
            fixture("cases/anthropic-pages/page2.json"),
        ],
    );
    assert_success(&output);
    support::cases::anthropic_pages(out.path(), &output);
}

#[test]
fn the_same_page_given_twice_is_refused_not_double_counted() {
    let page = fixture("cases/anthropic-pages/page1.json");
    let folder = tempfile::tempdir().expect("temp dir");
    let copy = folder.path().join("page1-saved-again.json");
    std::fs::copy(&page, &copy).expect("copy");
    let (out, output) = collect("anthropic", &[page, copy.display().to_string()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the bucket starting at `2026-10-01T00:00:00Z` is also in"),
        "{stderr}"
    );
    assert!(!out.path().join("manifest.json").exists());
}

#[test]
fn openai_float_dollars_keep_every_digit() {
    let (out, output) = collect(
        "openai",
        &[fixture("cases/openai-float-dollars/costs.json")],
    );
    assert_success(&output);
    support::cases::openai_float_dollars(out.path());
}

#[test]
fn the_real_openai_costs_response_loads_and_reconciles() {
    let (out, output) = collect(
        "openai",
        &[fixture("samples/openai/cookbook_costs_output_excerpt.json")],
    );
    assert_success(&output);
    let report = stdout(&output);
    assert!(report.contains("rows read        31"), "{report}");
    assert!(report.contains("kept (AI)        31"), "{report}");
    assert!(report.contains("rejected         0"), "{report}");
    assert!(
        report.contains("output total     284.93943937274981134156 USD"),
        "{report}"
    );
    let rows = published_rows(out.path());
    assert_eq!(rows.len(), 31);
    let total: Amount = rows
        .iter()
        .map(|row| Amount::parse(value(row, "BilledCost").expect("cost")).expect("amount"))
        .sum();
    assert_eq!(total.to_string(), "284.93943937274981134156");
    assert!(
        rows.iter()
            .any(|row| value(row, "BilledCost") == Some("0.00032195744715549047"))
    );
}

#[test]
fn the_real_focus_sample_keeps_its_ai_lines_and_counts_the_rest() {
    let (out, output) = collect("focus", &[fixture("samples/focus/focus_sample.csv")]);
    assert_success(&output);
    let report = stdout(&output);
    assert!(report.contains("rows read        1000"), "{report}");
    assert!(report.contains("kept (AI)        9"), "{report}");
    assert!(
        report.contains("dropped, not AI  991 (20.67212429077 USD)"),
        "{report}"
    );
    assert!(
        report.contains("input total      20.52022672899 USD"),
        "{report}"
    );
    assert!(
        report.contains("output total     -0.15189756178 USD"),
        "{report}"
    );
    let rows = published_rows(out.path());
    assert_eq!(rows.len(), 9);
    assert!(
        rows.iter()
            .all(|row| value(row, "ServiceCategory") == Some("AI and Machine Learning"))
    );
}

#[test]
fn a_bad_line_is_reported_with_its_file_and_line_and_nothing_is_published() {
    let folder = tempfile::tempdir().expect("temp dir");
    let csv: PathBuf = folder.path().join("focus.csv");
    std::fs::write(
        &csv,
        "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ServiceCategory\n\
         1.50,USD,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,AI and Machine Learning\n\
         1,50,USD,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,Compute\n\
         abc,USD,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,Compute\n",
    )
    .expect("write");
    let (out, output) = collect("focus", &[csv.display().to_string()]);
    assert!(!output.status.success());
    let report = stdout(&output);
    assert!(report.contains("rows read        3"), "{report}");
    assert!(report.contains("rejected         2"), "{report}");
    assert!(report.contains("focus.csv: line 3: "), "{report}");
    assert!(
        report.contains("focus.csv: line 4: column BilledCost: `abc` is not a decimal number"),
        "{report}"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing was published"));
    assert!(!out.path().join("manifest.json").exists());
}

#[test]
fn invalid_json_names_the_file_line_and_column() {
    let folder = tempfile::tempdir().expect("temp dir");
    let page = folder.path().join("page.json");
    std::fs::write(&page, "{\"data\": [\n  {\"starting_at\": }\n]}").expect("write");
    let (_, output) = collect("anthropic", &[page.display().to_string()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("page.json` line 2, column 19: expected value"),
        "{stderr}"
    );
}

#[test]
fn collecting_the_same_month_again_replaces_it() {
    let input = fixture("cases/anthropic-cents/cost_report.json");
    let (out, first) = collect("anthropic", std::slice::from_ref(&input));
    assert_success(&first);
    let out_path = out.path().display().to_string();
    let again = allot(&[
        "collect",
        "--source",
        "anthropic",
        "--input",
        &input,
        "--out",
        &out_path,
    ]);
    assert_success(&again);
    let rows = published_rows(out.path());
    assert_eq!(rows.len(), 2);
    let files: Vec<_> = walk(out.path())
        .into_iter()
        .filter(|p| p.ends_with(".parquet"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
}

fn walk(folder: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).expect("readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path.display().to_string());
        }
    }
    found
}

#[test]
fn gcp_labels_and_credits_stay_visible_and_allocate_by_label() {
    let (out, output) = collect(
        "gcp",
        &[fixture("cases/gcp-labels-credits/billing_export.jsonl")],
    );
    assert_success(&output);
    let report = stdout(&output);
    assert!(report.contains("rows read        3"), "{report}");
    assert!(report.contains("kept (AI)        2"), "{report}");
    assert!(report.contains("dropped, not AI  1 (0.8 USD)"), "{report}");
    assert!(report.contains("output total     10.5 USD"), "{report}");

    let rows = published_rows(out.path());
    assert_eq!(
        rows.len(),
        3,
        "usage and credit of the input line, and the output line"
    );
    let usage_input = find(&rows, "BilledCost", Some("10"));
    assert_eq!(value(usage_input, "ChargeCategory"), Some("Usage"));
    assert_eq!(value(usage_input, "x_Model"), Some("gemini-2.5-flash"));
    assert_eq!(value(usage_input, "x_TokenType"), Some("input"));
    assert_eq!(value(usage_input, "SubAccountId"), Some("search-prod-123"));
    assert_eq!(value(usage_input, "ConsumedQuantity"), Some("40000000"));
    assert_eq!(value(usage_input, "ServiceName"), Some("Vertex AI"));
    let tags: BTreeMap<String, String> =
        serde_json::from_str(value(usage_input, "Tags").expect("tags")).expect("json");
    assert_eq!(tags.get("team").map(String::as_str), Some("search"));
    assert_eq!(
        tags.get("feature").map(String::as_str),
        Some("autocomplete")
    );

    let credit = find(&rows, "ChargeCategory", Some("Credit"));
    assert_eq!(value(credit, "BilledCost"), Some("-2.5"));
    assert_eq!(value(credit, "Tags"), value(usage_input, "Tags"));

    let output_row = find(&rows, "x_TokenType", Some("output"));
    assert_eq!(value(output_row, "BilledCost"), Some("3"));
    assert_eq!(value(output_row, "Tags"), None);
    assert_eq!(value(output_row, "ConsumedQuantity"), Some("1200000"));

    let rules = out.path().join("team-label.toml");
    std::fs::write(
        &rules,
        "[[team]]\nsource = \"gcp\"\nvalue = { tag = \"team\" }\n",
    )
    .expect("rules");
    let data = out.path().display().to_string();
    let rules = rules.display().to_string();
    let by_team = allot(&[
        "report", "--data", &data, "--rules", &rules, "--by", "team", "--format", "csv",
    ]);
    assert_success(&by_team);
    assert_eq!(
        stdout(&by_team),
        "team,currency,cost\nUnallocated,USD,3\nsearch,USD,7.5\n"
    );
}

#[test]
fn azure_ea_openai_meters_are_kept_with_model_tier_and_tokens() {
    let (out, output) = collect(
        "azure",
        &[fixture("cases/azure-ea-ai-meters/ea_actual.csv")],
    );
    assert_success(&output);
    let report = stdout(&output);
    assert!(report.contains("kept (AI)        3"), "{report}");
    assert!(
        report.contains("dropped, not AI  1 (2.304 USD)"),
        "{report}"
    );
    assert!(report.contains("output total     7.3 USD"), "{report}");

    let rows = published_rows(out.path());
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .all(|row| value(row, "ChargePeriodStart") == Some("2026-10-07T00:00:00Z"))
    );
    assert!(
        rows.iter()
            .all(|row| value(row, "x_Model") == Some("gpt-4o"))
    );

    let input = find(&rows, "BilledCost", Some("3.8"));
    assert_eq!(value(input, "x_TokenType"), Some("input"));
    assert_eq!(value(input, "ConsumedQuantity"), Some("1520000"));
    assert_eq!(value(input, "PricingQuantity"), Some("1520"));
    assert_eq!(value(input, "ResourceName"), Some("support-aoai"));
    assert_eq!(
        value(input, "SkuId"),
        Some("gpt 4o 0513 Input global Tokens")
    );
    assert_eq!(
        value(input, "Tags"),
        Some(r#"{"env":"prod","team":"support"}"#)
    );

    let cached = find(&rows, "BilledCost", Some("1"));
    assert_eq!(value(cached, "x_TokenType"), Some("cache_read"));
    assert_eq!(value(cached, "ConsumedQuantity"), Some("800000"));

    let batch = find(&rows, "BilledCost", Some("2.5"));
    assert_eq!(value(batch, "x_TokenType"), Some("input"));
    assert_eq!(value(batch, "x_ServiceTier"), Some("batch"));
    assert_eq!(value(batch, "ResourceName"), Some("docproc-aoai"));
    assert_eq!(value(batch, "Tags"), Some(r#"{"Team":"Doc-Processing"}"#));
}

#[test]
fn the_real_azure_ea_samples_load_and_count_every_line_as_not_ai() {
    for (file, rows_read, not_ai) in [
        (
            "samples/azure/EA_ActualCost_Small.csv",
            11,
            "8.5450077867419368 USD",
        ),
        (
            "samples/azure/sample-anonymous-ea-export-dataset.csv",
            27,
            "1.26136926505726 CAD",
        ),
    ] {
        let (_, output) = collect("azure", &[fixture(file)]);
        assert_success(&output);
        let report = stdout(&output);
        assert!(
            report.contains(&format!("rows read        {rows_read}")),
            "{report}"
        );
        assert!(report.contains("kept (AI)        0"), "{report}");
        assert!(
            report.contains(&format!("dropped, not AI  {rows_read} ({not_ai})")),
            "{report}"
        );
        assert!(report.contains("reconciled"), "{report}");
    }
}

#[test]
fn cur2_bedrock_lines_first_party_and_marketplace_with_credit_and_tax() {
    let (out, output) = collect("aws", &[fixture("cases/cur2-credits-and-tags/cur2.csv")]);
    assert_success(&output);
    let report = stdout(&output);
    assert!(report.contains("kept (AI)        5"), "{report}");
    assert!(
        report.contains("dropped, not AI  1 (2.304 USD)"),
        "{report}"
    );
    assert!(report.contains("output total     20.725 USD"), "{report}");

    let rows = published_rows(out.path());
    assert_eq!(rows.len(), 5);
    let usage: Amount = rows
        .iter()
        .filter(|row| value(row, "ChargeCategory") == Some("Usage"))
        .map(|row| Amount::parse(value(row, "BilledCost").expect("cost")).expect("amount"))
        .sum();
    assert_eq!(usage.to_string(), "19.575");

    let nova = find(&rows, "BilledCost", Some("0.075"));
    assert_eq!(value(nova, "PublisherName"), Some("Amazon"));
    assert_eq!(value(nova, "x_Model"), Some("nova-lite"));
    assert_eq!(value(nova, "x_TokenType"), Some("input"));
    assert_eq!(value(nova, "x_AttributionKind"), Some("iam_principal"));
    assert_eq!(value(nova, "x_AttributionKey"), Some("search-app"));
    assert_eq!(value(nova, "Tags"), Some(r#"{"team":"search"}"#));

    for (cost, key, token_type) in [
        ("12", "BedrockAPIKey-ab12", "input"),
        ("7.5", "search-app", "output"),
    ] {
        let claude = find(&rows, "BilledCost", Some(cost));
        assert_eq!(value(claude, "ServiceName"), Some("Amazon Bedrock"));
        assert_eq!(value(claude, "ProviderName"), Some("AWS"));
        assert_eq!(value(claude, "PublisherName"), Some("Anthropic"));
        assert_eq!(
            value(claude, "x_Model"),
            Some("claude-sonnet-4-5"),
            "as from Anthropic"
        );
        assert_eq!(value(claude, "x_TokenType"), Some(token_type));
        assert_eq!(value(claude, "x_AttributionKey"), Some(key));
    }

    let credit = find(&rows, "ChargeCategory", Some("Credit"));
    assert_eq!(value(credit, "BilledCost"), Some("-0.05"));
    let tax = find(&rows, "ChargeCategory", Some("Tax"));
    assert_eq!(value(tax, "BilledCost"), Some("1.2"));
    assert_eq!(
        value(tax, "ChargePeriodStart"),
        Some("2026-10-01T00:00:00Z")
    );
    assert_eq!(value(tax, "ChargePeriodEnd"), Some("2026-11-01T00:00:00Z"));
}

#[test]
fn the_real_legacy_cur_sample_loads_and_counts_every_line_as_not_ai() {
    let (_, output) = collect(
        "aws",
        &[fixture(
            "samples/aws/sample-anonymous-aws-export-dataset.csv",
        )],
    );
    assert_success(&output);
    let report = stdout(&output);
    assert!(report.contains("rows read        1281"), "{report}");
    assert!(report.contains("kept (AI)        0"), "{report}");
    assert!(
        report.contains("dropped, not AI  1281 (1.6823086974 USD)"),
        "{report}"
    );
    assert!(report.contains("reconciled"), "{report}");
}

#[test]
fn gzip_exports_are_read_and_a_truncated_one_is_refused_by_name() {
    let folder = tempfile::tempdir().expect("temp dir");
    let csv = std::fs::read(fixture("cases/cur2-credits-and-tags/cur2.csv")).expect("case");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, &csv).expect("gzip");
    let gzip = encoder.finish().expect("gzip");
    let whole = folder.path().join("cur2.csv.gz");
    std::fs::write(&whole, &gzip).expect("write");
    let (_, output) = collect("aws", &[whole.display().to_string()]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("output total     20.725 USD"),
        "{}",
        stdout(&output)
    );

    let truncated = folder.path().join("truncated.csv.gz");
    std::fs::write(&truncated, &gzip[..gzip.len() / 2]).expect("write");
    let (out, output) = collect("aws", &[truncated.display().to_string()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("truncated.csv.gz` is not a complete gzip file"),
        "{stderr}"
    );
    assert!(!out.path().join("manifest.json").exists());
}

#[test]
fn an_unclosed_quote_is_refused_with_its_line_not_read_as_one_long_field() {
    let folder = tempfile::tempdir().expect("temp dir");
    let csv = folder.path().join("focus.csv");
    std::fs::write(
        &csv,
        "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ServiceCategory\n\
         1.50,USD,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,\"AI and Machine Learning\n\
         2,USD,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,Compute\n",
    )
    .expect("write");
    let (out, output) = collect("focus", &[csv.display().to_string()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("focus.csv` line 2: a quote opened on this line is never closed"),
        "{stderr}"
    );
    assert!(!out.path().join("manifest.json").exists());
}

#[test]
fn an_unknown_model_is_kept_with_its_cost_and_named_in_the_report() {
    let folder = tempfile::tempdir().expect("temp dir");
    let page = folder.path().join("page.json");
    let text = std::fs::read_to_string(fixture("cases/anthropic-pages/page1.json")).expect("case");
    std::fs::write(
        &page,
        text.replace("claude-opus-4-1-20250805", "acme-secret-model"),
    )
    .expect("write");
    let (out, output) = collect("anthropic", &[page.display().to_string()]);
    assert_success(&output);
    let report = stdout(&output);
    assert!(
        report.contains("unknown model    `acme-secret-model` on 1 charges, kept with its cost"),
        "{report}"
    );
    let rows = published_rows(out.path());
    let row = find(&rows, "x_Model", Some("acme-secret-model"));
    assert_eq!(value(row, "BilledCost"), Some("10"));
    assert_eq!(value(row, "SkuId"), Some("acme-secret-model"));
}
