//! `cargo xtask`: the project's commands.
//!
//! - `cargo xtask demo`: installs what is missing, generates the demo organization's vendor
//!   files, collects them with `allot collect`, builds the dashboard and serves it.
//! - `cargo xtask test`: installs what is missing, then runs every check and test.
//! - `cargo xtask build-site`: installs what is missing and builds the dashboard into `dist/`.
//! - `cargo xtask demo-data`: only writes the demo vendor files.
//! - `cargo xtask bench-cur`: times `allot collect` and DuckDB on one generated CUR 2.0 Parquet
//!   file (see `xtask/bench/cur2_bench.py`).

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use time::{Date, Duration, OffsetDateTime};
use xtask::tools::{self, run, workspace_root};

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Set up, generate the demo data, collect it, build the dashboard and serve it
    Demo {
        /// Port for the dashboard on 127.0.0.1
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Last day of the demo's six months, YYYY-MM-DD (default: yesterday, UTC)
        #[arg(long, value_parser = parse_date)]
        end: Option<Date>,
        /// Stop after building, without serving
        #[arg(long)]
        no_serve: bool,
    },
    /// Set up, then run formatting, lints on both targets, and every test
    Test,
    /// Set up, then build the dashboard into `dist/`
    BuildSite,
    /// Write the demo organization's vendor files
    DemoData {
        /// Folder to write to
        #[arg(long, default_value = "demo/exports")]
        out: PathBuf,
        /// Last day of the six months, YYYY-MM-DD (default: yesterday, UTC)
        #[arg(long, value_parser = parse_date)]
        end: Option<Date>,
    },
    /// Time `allot collect` beside DuckDB on a generated CUR 2.0 Parquet file
    BenchCur {
        /// Lines in the generated export (about 1% of them Amazon Bedrock)
        #[arg(long, default_value_t = 5_000_000)]
        lines: u64,
        /// Runs of each; the best is reported
        #[arg(long, default_value_t = 3)]
        runs: u32,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Task::Demo {
            port,
            end,
            no_serve,
        } => demo(port, end, no_serve),
        Task::Test => test(),
        Task::BuildSite => {
            tools::ensure_build_tools()?;
            tools::build_site(&workspace_root().join("dist"))
        }
        Task::DemoData { out, end } => {
            let summary = xtask::demo_data::generate(&out, end.unwrap_or_else(yesterday))?;
            eprintln!("wrote {} files to {}", summary.files.len(), out.display());
            Ok(())
        }
        Task::BenchCur { lines, runs } => bench_cur(lines, runs),
    }
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|error| format!("`{text}` is not a YYYY-MM-DD date: {error}"))
}

fn yesterday() -> Date {
    (OffsetDateTime::now_utc() - Duration::days(1)).date()
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(workspace_root());
    command
}

fn demo(port: u16, end: Option<Date>, no_serve: bool) -> Result<()> {
    let root = workspace_root();
    tools::ensure_build_tools()?;

    let exports = root.join("demo/exports");
    if exports.exists() {
        std::fs::remove_dir_all(&exports)
            .with_context(|| format!("cannot clear `{}`", exports.display()))?;
    }
    let summary = xtask::demo_data::generate(&exports, end.unwrap_or_else(yesterday))?;
    eprintln!(
        "demo data: {} files (vendor pages and allocation.toml) in {}",
        summary.files.len(),
        exports.display()
    );

    let data = root.join("demo/data");
    if data.exists() {
        std::fs::remove_dir_all(&data)
            .with_context(|| format!("cannot clear `{}`", data.display()))?;
    }
    // Not `--quiet`: the first release build of the collector takes minutes, and its progress
    // tells a new user that something is happening.
    eprintln!("building the collector and collecting the demo data");
    run(cargo()
        .args(["run", "--release", "-p", "allot", "--", "collect"])
        .args(["--config", "demo/allot.toml"]))?;

    eprintln!("building the dashboard (trunk, release)");
    tools::build_site(&root.join("dist"))?;
    if no_serve {
        return Ok(());
    }
    run(cargo()
        .args(["run", "--release", "--quiet", "-p", "allot", "--", "serve"])
        .args([
            "--site",
            "dist",
            "--data",
            "demo/data",
            "--port",
            &port.to_string(),
        ]))
}

/// Builds the collector for release and runs the side-by-side benchmark. The generated export is
/// kept in `target/bench` and reused by later runs of the same size.
fn bench_cur(lines: u64, runs: u32) -> Result<()> {
    let root = workspace_root();
    tools::ensure_python_packages()?;
    run(cargo().args(["build", "--release", "--quiet", "-p", "allot"]))?;
    run(Command::new(tools::python_env().join("bin/python"))
        .current_dir(&root)
        .arg("xtask/bench/cur2_bench.py")
        .arg(root.join("target/release/allot"))
        .arg(root.join("target/bench"))
        .arg(lines.to_string())
        .arg(runs.to_string()))
}

fn test() -> Result<()> {
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    tools::ensure_python_packages()?;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    // The app is checked for the target it runs on, with the core it shares.
    run(cargo()
        .args([
            "clippy",
            "--workspace",
            "--exclude",
            "allot-app",
            "--all-targets",
        ])
        .args(["--", "-D", "warnings"]))?;
    run(cargo().args([
        "clippy",
        "-p",
        "allot-core",
        "-p",
        "allot-app",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args(["test", "--workspace", "--exclude", "allot-app"]))
}
