//! `allot rules check`, `allot rules diff` and `allot report` on a data set collected by the
//! real `allot collect` from a vendor case.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn allot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(args)
        .output()
        .expect("allot runs")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "allot failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

/// The anthropic-pages case (10.00 and 2.505 USD) collected into a fresh folder.
fn collected() -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("temp dir");
    let case =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/cases/anthropic-pages");
    let pages: Vec<String> = ["page1.json", "page2.json"]
        .iter()
        .map(|page| case.join(page).display().to_string())
        .collect();
    let out_path = out.path().display().to_string();
    let output = allot(&[
        "collect",
        "--source",
        "anthropic",
        "--input",
        &pages[0],
        &pages[1],
        "--out",
        &out_path,
    ]);
    stdout(&output);
    out
}

fn rules_file(folder: &Path, name: &str, text: &str) -> PathBuf {
    let path = folder.join(name);
    std::fs::write(&path, text).expect("rules written");
    path
}

const SPLIT: &str = "[[team]]\nsource = \"anthropic\"\nkey = \"*\"\n\
                     split = { percent = { a = 60, b = 40 } }\n";

#[test]
fn report_splits_the_case_exactly() {
    let data = collected();
    let data_path = data.path().display().to_string();
    let rules = rules_file(data.path(), "split.toml", SPLIT);
    let rules = rules.display().to_string();

    let csv = stdout(&allot(&[
        "report", "--data", &data_path, "--rules", &rules, "--by", "team", "--format", "csv",
    ]));
    assert_eq!(csv, "team,currency,cost\na,USD,7.505\nb,USD,5\n");

    let table = stdout(&allot(&[
        "report", "--data", &data_path, "--rules", &rules, "--by", "team,day", "--period",
        "2026-10",
    ]));
    assert!(table.contains("a      2026-10-01        6.00\n"), "{table}");
    assert!(table.contains("Total                   12.51\n"), "{table}");
}

#[test]
fn check_reports_coverage_and_refuses_an_invalid_file_with_its_place() {
    let data = collected();
    let data_path = data.path().display().to_string();
    let rules = rules_file(
        data.path(),
        "rules.toml",
        "[[team]]\nkey = \"nothing\"\nvalue = \"x\"\n",
    );
    let text = stdout(&allot(&[
        "rules",
        "check",
        "--data",
        &data_path,
        "--rules",
        &rules.display().to_string(),
    ]));
    assert!(text.starts_with("team: 2 charges, USD 12.51\n"), "{text}");
    assert!(text.contains("DEAD: matches no charge"), "{text}");

    let bad = rules_file(
        data.path(),
        "bad.toml",
        "[[team]]\nkey = \"a\"\nsplit = { percent = { a = 60, b = 30 } }\n",
    );
    let output = allot(&[
        "rules",
        "check",
        "--data",
        &data_path,
        "--rules",
        &bad.display().to_string(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.toml:3:21: the percentages add up to 90, not 100"),
        "{stderr}"
    );
}

#[test]
fn diff_shows_what_an_edit_moves() {
    let data = collected();
    let data_path = data.path().display().to_string();
    let old = rules_file(data.path(), "old.toml", "");
    let new = rules_file(data.path(), "new.toml", SPLIT);
    let text = stdout(&allot(&[
        "rules",
        "diff",
        "--data",
        &data_path,
        "--rules",
        &old.display().to_string(),
        "--rules-new",
        &new.display().to_string(),
    ]));
    assert!(text.contains("team in USD: 3 of 3 values change"), "{text}");
    assert!(
        text.contains("Unallocated         12.51         0.00  -12.51"),
        "{text}"
    );
    assert!(
        text.contains("Total               12.51        12.51    0.00"),
        "{text}"
    );
}
