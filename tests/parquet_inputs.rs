//! The clouds' Parquet exports, written by a real independent Parquet writer (DuckDB) in the
//! shapes the clouds deliver (CUR 2.0 map columns as maps, BigQuery records as structs and
//! repeated fields as lists, typed dates, times and numbers), through the real `allot collect`.
//! Each must give exactly the charges the CSV or JSON form of the same data gives; damaged and
//! mistyped files must be refused by name, with nothing published.

use std::path::Path;
use std::process::{Command, Output};

use allot_e2e::{allot_binary, duckdb, work_folder};
use xtask::tools::workspace_root;

fn fixture(path: &str) -> String {
    workspace_root()
        .join("tests/fixtures")
        .join(path)
        .display()
        .to_string()
}

/// Writes the result of `select` to `path` as Parquet with `compression`.
fn write_parquet(select: &str, path: &Path, compression: &str) {
    duckdb(&format!(
        "duckdb.sql(\"\"\"COPY ({select}) TO '{}' (FORMAT parquet, COMPRESSION {compression})\"\"\")",
        path.display()
    ));
}

fn collect(source: &str, input: &str, out: &Path) -> Output {
    Command::new(allot_binary())
        .args(["collect", "--source", source, "--input", input, "--out"])
        .arg(out)
        .output()
        .expect("allot runs")
}

fn report(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn collected(source: &str, input: &str, out: &Path) -> String {
    let output = collect(source, input, out);
    let report = report(&output);
    assert!(output.status.success(), "{report}");
    report
}

/// The number of published charges in `a` that are not in `b`, and in `b` not in `a`, and the
/// number in `a`: every column compared but the source's name.
fn differences(a: &Path, b: &Path) -> String {
    let rows = |folder: &Path| {
        format!(
            "SELECT * EXCLUDE (x_Source) FROM read_parquet('{}/**/*.parquet')",
            folder.display()
        )
    };
    duckdb(&format!(
        "print(duckdb.sql(\"\"\"SELECT (SELECT count(*) FROM ({a} EXCEPT ALL {b})), \
         (SELECT count(*) FROM ({b} EXCEPT ALL {a})), (SELECT count(*) FROM ({a}))\"\"\")\
         .fetchone())",
        a = rows(a),
        b = rows(b),
    ))
}

/// A CUR 2.0 export in its Parquet form: times, amounts and map columns typed as AWS types
/// them, from the CSV case.
fn cur2_select() -> String {
    format!(
        "SELECT * REPLACE (\
           CAST(line_item_usage_start_date AS TIMESTAMP) AS line_item_usage_start_date, \
           CAST(line_item_usage_end_date AS TIMESTAMP) AS line_item_usage_end_date, \
           CAST(line_item_unblended_cost AS DOUBLE) AS line_item_unblended_cost, \
           CAST(line_item_usage_amount AS DOUBLE) AS line_item_usage_amount, \
           CAST(CAST(product AS JSON) AS MAP(VARCHAR, VARCHAR)) AS product, \
           CAST(CAST(resource_tags AS JSON) AS MAP(VARCHAR, VARCHAR)) AS resource_tags, \
           CAST(CAST(tags AS JSON) AS MAP(VARCHAR, VARCHAR)) AS tags) \
         FROM read_csv('{}', all_varchar = true)",
        fixture("cases/cur2-credits-and-tags/cur2.csv")
    )
}

#[test]
fn cur2_parquet_with_map_columns_gives_the_charges_of_its_csv_form() {
    let work = work_folder("parquet-cur2");
    let from_csv = work.join("from-csv");
    collected(
        "aws",
        &fixture("cases/cur2-credits-and-tags/cur2.csv"),
        &from_csv,
    );
    for compression in ["snappy", "zstd", "gzip"] {
        let parquet = work.join(format!("cur2-{compression}.parquet"));
        write_parquet(&cur2_select(), &parquet, compression);
        let out = work.join(compression);
        let report = collected("aws", &parquet.display().to_string(), &out);
        assert!(report.contains("kept (AI)        5"), "{report}");
        assert!(
            report.contains("dropped, not AI  1 (2.304 USD)"),
            "{report}"
        );
        assert!(report.contains("output total     20.725 USD"), "{report}");
        assert_eq!(differences(&out, &from_csv), "(0, 0, 5)", "{compression}");
    }
}

#[test]
fn the_legacy_cur_sample_as_parquet_keeps_its_column_names_and_reconciles() {
    let work = work_folder("parquet-legacy-cur");
    let parquet = work.join("legacy.parquet");
    write_parquet(
        &format!(
            "SELECT * FROM read_csv('{}')",
            fixture("samples/aws/sample-anonymous-aws-export-dataset.csv")
        ),
        &parquet,
        "snappy",
    );
    let report = collected("aws", &parquet.display().to_string(), &work.join("out"));
    assert!(report.contains("rows read        1281"), "{report}");
    assert!(
        report.contains("dropped, not AI  1281 (1.6823086974 USD)"),
        "{report}"
    );
}

#[test]
fn azure_parquet_with_typed_dates_and_amounts_gives_the_charges_of_its_csv_form() {
    let work = work_folder("parquet-azure");
    let csv = fixture("cases/azure-ea-ai-meters/ea_actual.csv");
    let from_csv = work.join("from-csv");
    collected("azure", &csv, &from_csv);
    let parquet = work.join("ea_actual.parquet");
    write_parquet(
        &format!(
            "SELECT * REPLACE (CAST(CostInBillingCurrency AS DECIMAL(28, 10)) \
             AS CostInBillingCurrency) FROM read_csv('{csv}', dateformat = '%m/%d/%Y')"
        ),
        &parquet,
        "snappy",
    );
    let out = work.join("from-parquet");
    let report = collected("azure", &parquet.display().to_string(), &out);
    assert!(report.contains("output total     7.3 USD"), "{report}");
    assert_eq!(differences(&out, &from_csv), "(0, 0, 3)");
}

#[test]
fn gcp_parquet_with_records_and_repeated_fields_gives_the_charges_of_its_json_form() {
    let work = work_folder("parquet-gcp");
    let jsonl = fixture("cases/gcp-labels-credits/billing_export.jsonl");
    let from_json = work.join("from-json");
    collected("gcp", &jsonl, &from_json);
    let parquet = work.join("billing_export.parquet");
    write_parquet(
        &format!("SELECT * FROM read_json('{jsonl}')"),
        &parquet,
        "snappy",
    );
    let out = work.join("from-parquet");
    collected("gcp", &parquet.display().to_string(), &out);
    assert_eq!(differences(&out, &from_json), "(0, 0, 3)");
}

#[test]
fn a_focus_parquet_file_gives_the_charges_of_its_csv_form() {
    let work = work_folder("parquet-focus");
    let csv = fixture("samples/focus/focus_sample.csv");
    let from_csv = work.join("from-csv");
    collected("focus", &csv, &from_csv);
    let parquet = work.join("focus.parquet");
    write_parquet(
        &format!("SELECT * FROM read_csv('{csv}', nullstr = 'NULL')"),
        &parquet,
        "snappy",
    );
    let out = work.join("from-parquet");
    let report = collected("focus", &parquet.display().to_string(), &out);
    assert!(report.contains("rows read        1000"), "{report}");
    assert!(
        report.contains("dropped, not AI  991 (20.67212429077 USD)"),
        "{report}"
    );
    assert_eq!(differences(&out, &from_csv), "(0, 0, 9)");
}

/// Publishes the CUR case to `out`, then collects `bad` into it: the run must fail with
/// `expected` in its output and leave the first data set as it was.
fn refused_and_nothing_published(work: &Path, bad: &Path, expected: &[&str]) {
    let out = work.join("out");
    collected(
        "aws",
        &fixture("cases/cur2-credits-and-tags/cur2.csv"),
        &out,
    );
    let manifest = std::fs::read(out.join("manifest.json")).expect("manifest");
    let output = collect("aws", &bad.display().to_string(), &out);
    let report = report(&output);
    assert!(!output.status.success(), "{report}");
    for text in expected {
        assert!(report.contains(text), "`{text}` not in:\n{report}");
    }
    assert!(!report.contains("panicked"), "{report}");
    assert_eq!(
        std::fs::read(out.join("manifest.json")).expect("manifest"),
        manifest,
        "the published data set is left as it was"
    );
}

#[test]
fn a_file_that_is_not_parquet_is_refused_by_name() {
    let work = work_folder("parquet-not-parquet");
    let bad = work.join("cur-00001.snappy.parquet");
    std::fs::copy(fixture("cases/cur2-credits-and-tags/cur2.csv"), &bad).expect("copy");
    refused_and_nothing_published(
        &work,
        &bad,
        &["cur-00001.snappy.parquet` is not a Parquet file"],
    );
}

#[test]
fn a_truncated_or_damaged_parquet_file_is_refused_by_name() {
    let work = work_folder("parquet-damaged");
    let whole = work.join("whole.parquet");
    write_parquet(&cur2_select(), &whole, "snappy");
    let bytes = std::fs::read(&whole).expect("parquet");

    let truncated = work.join("truncated.parquet");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    refused_and_nothing_published(
        &work,
        &truncated,
        &["truncated.parquet` is not a Parquet file"],
    );

    // The footer (its length is in the 4 bytes before the closing magic) is intact, but the
    // pages it points at are not.
    let footer_length = u32::from_le_bytes(
        bytes[bytes.len() - 8..bytes.len() - 4]
            .try_into()
            .expect("4 bytes"),
    );
    let footer_start = bytes.len() - 8 - footer_length as usize;
    let mut damaged_bytes = bytes.clone();
    for byte in &mut damaged_bytes[4..footer_start] {
        *byte = 0xA5;
    }
    let damaged = work.join("damaged.parquet");
    std::fs::write(&damaged, &damaged_bytes).expect("write");
    refused_and_nothing_published(&work, &damaged, &["damaged.parquet` is damaged"]);
}

#[test]
fn a_cost_column_of_the_wrong_type_is_rejected_with_its_row_and_column() {
    let work = work_folder("parquet-wrong-type");
    let text_cost = work.join("text-cost.parquet");
    write_parquet(
        &format!(
            "SELECT * REPLACE (CASE WHEN identity_line_item_id = 'li-006' THEN 'n/a' \
             ELSE line_item_unblended_cost END AS line_item_unblended_cost) FROM ({})",
            cur2_select().replace(
                "CAST(line_item_unblended_cost AS DOUBLE) AS line_item_unblended_cost, ",
                ""
            )
        ),
        &text_cost,
        "snappy",
    );
    refused_and_nothing_published(
        &work,
        &text_cost,
        &[
            "rejected         1",
            "text-cost.parquet: row 6: column line_item_unblended_cost: `n/a` is not",
        ],
    );

    let boolean_cost = work.join("boolean-cost.parquet");
    write_parquet(
        &format!(
            "SELECT * REPLACE (line_item_unblended_cost > 1 AS line_item_unblended_cost) FROM ({})",
            cur2_select()
        ),
        &boolean_cost,
        "snappy",
    );
    refused_and_nothing_published(
        &work,
        &boolean_cost,
        &[
            "rejected         6",
            "boolean-cost.parquet: row 1: column line_item_unblended_cost:",
        ],
    );
}

/// 3,000 copies of the CUR case's six lines in row groups of 2,048 rows, which are decoded on
/// several threads: every line is counted once, in order, and a bad line in the last row group
/// is named by its row in the file.
#[test]
fn an_export_of_many_row_groups_is_read_whole_and_in_order() {
    let work = work_folder("parquet-row-groups");
    // Writes the copies, the cost column given by `cost`, and returns the number of row groups.
    let write_copies = |cost: &str, path: &Path| -> u32 {
        let copies = format!(
            "SELECT * REPLACE ({cost} AS line_item_unblended_cost) \
             FROM ({}) AS line, range(3000) AS copy(n) ORDER BY n, identity_line_item_id",
            cur2_select()
        );
        duckdb(&format!(
            "duckdb.sql(\"\"\"COPY ({copies}) TO '{0}' (FORMAT parquet, ROW_GROUP_SIZE 2048)\"\"\")\n\
             print(duckdb.sql(\"\"\"SELECT count(*) FROM parquet_metadata('{0}') \
             WHERE column_id = 0\"\"\").fetchone()[0])",
            path.display()
        ))
        .parse()
        .expect("a count")
    };
    let export = work.join("copies.parquet");
    assert!(write_copies("line_item_unblended_cost", &export) >= 8);
    let report = collected("aws", &export.display().to_string(), &work.join("out"));
    assert!(report.contains("rows read        18000"), "{report}");
    assert!(report.contains("kept (AI)        15000"), "{report}");
    assert!(
        report.contains("dropped, not AI  3000 (6912 USD)"),
        "{report}"
    );
    assert!(report.contains("output total     62175 USD"), "{report}");

    let bad = work.join("bad-copy.parquet");
    let cost = "CASE WHEN n = 2999 AND identity_line_item_id = 'li-006' THEN 'n/a' \
                ELSE CAST(line_item_unblended_cost AS VARCHAR) END";
    assert!(write_copies(cost, &bad) >= 8);
    refused_and_nothing_published(
        &work,
        &bad,
        &[
            "rejected         1",
            "bad-copy.parquet: row 18000: column line_item_unblended_cost: `n/a` is not",
        ],
    );
}
