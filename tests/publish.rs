//! Publishing to object storage, against a real S3-compatible server: publish, publish the same
//! month again, publish a changed amount, kill a run mid-way; after each, a reader that starts
//! from the manifest sees exactly one complete data set with the right totals. DuckDB reads
//! the published data set as it is.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use allot_core::Amount;
use allot_core::manifest::Manifest;
use allot_core::parquet_io::read_charges;
use allot_core::table::ChargeTable;
use allot_e2e::{S3Server, allot_binary, duckdb, work_folder};
use sha2::{Digest, Sha256};
use xtask::tools::{run, workspace_root};

/// What a reader that starts from the manifest finds.
#[derive(Debug, PartialEq, Eq)]
struct DataSet {
    files: Vec<String>,
    rows: usize,
    usd: Amount,
}

/// Reads the manifest at `folder`, then every file it lists, checking size, checksum and
/// totals against the manifest, as the dashboard would.
async fn read_data_set(server: &S3Server, folder: &str) -> DataSet {
    let manifest = server
        .fetch(&format!("{folder}/manifest.json"))
        .await
        .expect("the server answers")
        .expect("a manifest is published");
    let manifest = Manifest::from_json(&String::from_utf8_lossy(&manifest)).expect("valid");
    let mut data_set = DataSet {
        files: Vec::new(),
        rows: 0,
        usd: Amount::ZERO,
    };
    for file in &manifest.files {
        let bytes = server
            .fetch(&format!("{folder}/{}", file.path))
            .await
            .expect("the server answers")
            .unwrap_or_else(|| panic!("the manifest lists `{}` but it is not there", file.path));
        assert_eq!(bytes.len() as u64, file.bytes, "size of {}", file.path);
        assert_eq!(
            format!("{:x}", Sha256::digest(&bytes)),
            file.sha256,
            "{}",
            file.path
        );
        let batches = read_charges(bytes.into()).expect("readable Parquet");
        let table = ChargeTable::from_batches(&batches).expect("charges");
        let usd: Amount = table.billed_cost.iter().sum();
        assert_eq!(
            usd.to_string(),
            file.billed_cost["USD"],
            "total of {}",
            file.path
        );
        assert_eq!(table.len() as u64, file.rows, "rows of {}", file.path);
        data_set.files.push(file.path.clone());
        data_set.rows += table.len();
        data_set.usd += usd;
    }
    data_set
}

fn collect_to(server: &S3Server, input: &Path, out: &str) -> Command {
    let mut command = Command::new(allot_binary());
    command
        .args(["collect", "--source", "anthropic", "--input"])
        .arg(input)
        .args(["--out", out])
        .envs(server.environment())
        .stdout(Stdio::null());
    command
}

fn usd(text: &str) -> Amount {
    Amount::parse(text).expect("amount")
}

#[tokio::test(flavor = "multi_thread")]
async fn publish_republish_and_change_a_month_in_a_bucket() {
    let work = work_folder("publish");
    let server = S3Server::start("allot").await.expect("S3 server");
    let case = workspace_root().join("tests/fixtures/cases/anthropic-cents/cost_report.json");
    let out = server.url("data");

    run(&mut collect_to(&server, &case, &out)).expect("first publish");
    let first = read_data_set(&server, "data").await;
    assert_eq!(first.rows, 2);
    assert_eq!(first.usd, usd("412.80375"));

    run(&mut collect_to(&server, &case, &out)).expect("the same month again");
    assert_eq!(
        read_data_set(&server, "data").await,
        first,
        "nothing doubled"
    );

    let changed = work.join("cost_report.json");
    let text = std::fs::read_to_string(&case).expect("case");
    std::fs::write(
        &changed,
        text.replace("\"41280.000000\"", "\"51280.000000\""),
    )
    .expect("write");
    run(&mut collect_to(&server, &changed, &out)).expect("a changed amount");
    let after_change = read_data_set(&server, "data").await;
    assert_eq!(after_change.rows, 2);
    assert_eq!(
        after_change.usd,
        usd("512.80375"),
        "only that amount changed"
    );
    assert_eq!(after_change.files.len(), 1);
    assert_ne!(after_change.files, first.files);

    let keys = server.keys("data/source=").await.expect("list");
    assert_eq!(
        keys.len(),
        2,
        "the replaced file stays one more run for readers: {keys:?}"
    );
    run(&mut collect_to(&server, &changed, &out)).expect("one more run");
    let keys = server.keys("data/source=").await.expect("list");
    assert_eq!(
        keys,
        vec![format!("data/{}", after_change.files[0])],
        "then it is removed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_killed_mid_way_leaves_one_complete_data_set() {
    let work = work_folder("killed");
    let server = S3Server::start("allot").await.expect("S3 server");
    let out = server.url("data");
    let before = work.join("before");
    xtask::demo_data::generate(&before, time::macros::date!(2026 - 11 - 30)).expect("demo");
    run(&mut collect_to(
        &server,
        &before.join("anthropic/*.json"),
        &out,
    ))
    .expect("first publish");
    let published = read_data_set(&server, "data").await;
    assert_eq!(published.files.len(), 6);

    let after = work.join("after");
    xtask::demo_data::generate(&after, time::macros::date!(2026 - 12 - 31)).expect("demo");
    let mut child = collect_to(&server, &after.join("anthropic/*.json"), &out)
        .stderr(Stdio::null())
        .spawn()
        .expect("second run starts");
    let old: std::collections::BTreeSet<String> = published
        .files
        .iter()
        .map(|file| format!("data/{file}"))
        .collect();
    let mut killed_with_new_files = false;
    for _ in 0..600 {
        let keys = server.keys("data/source=").await.expect("list");
        if keys.iter().any(|key| !old.contains(key)) {
            child.kill().expect("kill");
            killed_with_new_files = true;
            break;
        }
        if child.try_wait().expect("status").is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let _ = child.wait();
    assert!(
        killed_with_new_files,
        "the run was stopped after it had written new files"
    );

    let seen = read_data_set(&server, "data").await;
    let which = if seen == published { "previous" } else { "new" };
    println!("after the kill, a reader sees the {which} data set, whole");
    // `read_data_set` has checked that every file the manifest lists is there, whole. The new
    // data set is what the second run gives when it is let finish: its months, and the months
    // of the first run it did not collect again, which it keeps.
    run(&mut collect_to(
        &server,
        &after.join("anthropic/*.json"),
        &out,
    ))
    .expect("second run");
    let complete = read_data_set(&server, "data").await;
    assert_ne!(complete, published);
    assert!(
        seen == published || seen == complete,
        "a reader sees the old data set or the new one, never a mix: {seen:?}"
    );
}

#[test]
fn duckdb_reads_the_published_data_set_with_hive_partitioning() {
    let work = work_folder("duckdb");
    let exports = work.join("exports");
    xtask::demo_data::generate(&exports, time::macros::date!(2026 - 11 - 30)).expect("demo");
    std::fs::copy(
        workspace_root().join("demo/allot.toml"),
        work.join("allot.toml"),
    )
    .expect("config");
    run(Command::new(allot_binary())
        .args(["collect", "--config"])
        .arg(work.join("allot.toml"))
        .stdout(Stdio::null()))
    .expect("collect");

    let manifest = Manifest::from_json(
        &std::fs::read_to_string(work.join("data/manifest.json")).expect("manifest"),
    )
    .expect("valid");
    let expected_usd: Amount = manifest
        .files
        .iter()
        .map(|file| usd(&file.billed_cost["USD"]))
        .sum();
    let expected_rows: u64 = manifest.files.iter().map(|file| file.rows).sum();

    let stdout = duckdb(&format!(
        "rows = duckdb.sql(\"\"\"\n\
           SELECT source, count(*), CAST(sum(BilledCost) AS VARCHAR)\n\
           FROM read_parquet('{}/**/*.parquet', hive_partitioning = true)\n\
           GROUP BY source ORDER BY source\"\"\").fetchall()\n\
         for row in rows: print(*row, sep='\\t')\n",
        work.join("data").display()
    ));
    let mut rows = 0;
    let mut total = Amount::ZERO;
    let mut sources = Vec::new();
    for line in stdout.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        sources.push(fields[0].to_owned());
        rows += fields[1].parse::<u64>().expect("count");
        total += usd(fields[2]);
    }
    assert_eq!(
        sources,
        ["anthropic", "aws", "azure", "gcp", "mistral", "openai"]
    );
    assert_eq!(rows, expected_rows);
    assert_eq!(
        total, expected_usd,
        "DuckDB's sum of the Decimal column is exact"
    );
}
