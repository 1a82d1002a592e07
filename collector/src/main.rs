//! The `allot` command: collect vendor billing data into a published data set, and preview
//! the dashboard.

mod collect;
mod config;
mod publish_site;
mod pull;
mod report;
mod report_cmd;
mod rules_cmd;
mod serve;
mod sources;
mod store;

use std::io::IsTerminal;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use crate::collect::{CollectRequest, collect};
use crate::config::{Config, plan_configured, plan_source};
use crate::sources::SourceKind;

#[derive(Parser)]
#[command(
    name = "allot",
    version,
    about = "Which team, product or feature drove your AI spend"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read vendor billing files or pull vendor APIs, normalize, reconcile and publish the data
    /// set
    Collect(CollectArgs),
    /// Serve the built dashboard and a data folder on 127.0.0.1
    Serve(ServeArgs),
    /// Copy the built dashboard to a folder or bucket, next to the published data
    PublishSite(PublishSiteArgs),
    /// Check allocation rules against a data set, or compare two versions of them
    #[command(subcommand)]
    Rules(rules_cmd::RulesCommand),
    /// Print allocated totals of a data set
    Report(report_cmd::ReportArgs),
}

#[derive(clap::Args)]
struct CollectArgs {
    /// Configuration file listing the sources (see the README)
    #[arg(long, conflicts_with_all = ["source", "input"])]
    config: Option<PathBuf>,
    /// One source's id, with `--input` (the short form without a configuration file)
    #[arg(long, requires = "input")]
    source: Option<String>,
    /// The source's kind, when its id is not a kind's name
    #[arg(long, requires = "source")]
    kind: Option<SourceKind>,
    /// The source's files (paths or globs)
    #[arg(long, num_args = 1.., requires = "source")]
    input: Vec<String>,
    /// Where to publish the data set: a folder or an s3://, gs://, az:// URL (overrides the
    /// configuration's `out`)
    #[arg(long)]
    out: Option<String>,
    /// Allocation rules to publish next to the data (overrides the configuration's `rules`)
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Also write the reconciliation report as JSON to this file
    #[arg(long)]
    report_json: Option<PathBuf>,
    /// Publish even when input lines were rejected; they stay listed in the report
    #[arg(long)]
    accept_rejected: bool,
}

#[derive(clap::Args)]
struct PublishSiteArgs {
    /// The built dashboard (trunk's `dist`)
    #[arg(long, default_value = "dist")]
    site: PathBuf,
    /// Where the site goes: a folder or an s3://, gs://, az:// URL; the dashboard reads the
    /// data from `data/` below it unless opened with `?data=<url>`
    #[arg(long)]
    out: String,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// The built dashboard (trunk's `dist`)
    #[arg(long, default_value = "dist")]
    site: PathBuf,
    /// The data set, served at /data/
    #[arg(long)]
    data: PathBuf,
    /// Port on 127.0.0.1; 0 picks a free one
    #[arg(long, default_value_t = 8080)]
    port: u16,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(Cli::parse())) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Collect(args) => run_collect(args).await,
        Command::PublishSite(args) => {
            publish_site::publish_site(&args.site, &args.out).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => {
            let address = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), args.port);
            serve::serve(serve::ServeRequest {
                site: args.site,
                data: args.data,
                address,
            })
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules(command) => rules_cmd::run(&command).await.map(|()| ExitCode::SUCCESS),
        Command::Report(args) => report_cmd::run(&args).await.map(|()| ExitCode::SUCCESS),
    }
}

async fn run_collect(args: CollectArgs) -> Result<ExitCode> {
    let request = collect_request(args.config.as_ref(), &args)?;
    let outcome = collect(&request).await?;

    #[expect(clippy::print_stdout, reason = "the report is the command's output")]
    {
        print!("{}", report::render(&outcome.reports));
    }
    if let Some(path) = &args.report_json {
        let json = serde_json::to_string_pretty(&outcome.reports)?;
        std::fs::write(path, json)
            .with_context(|| format!("cannot write the report `{}`", path.display()))?;
    }
    for failure in &outcome.failures {
        eprintln!("error: {failure}");
    }
    if let Some(refusal) = outcome.refusal {
        eprintln!("error: nothing was published: {refusal}");
        return Ok(ExitCode::FAILURE);
    }
    tracing::info!(out = %store::redact(&request.out), "published");
    if outcome.failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

fn collect_request(config_path: Option<&PathBuf>, args: &CollectArgs) -> Result<CollectRequest> {
    let (sources, out, rules) = match (config_path, &args.source) {
        (Some(path), _) => {
            let config = Config::load(path)?;
            let sources = config
                .sources
                .iter()
                .map(plan_configured)
                .collect::<Result<Vec<_>>>()?;
            if sources.is_empty() {
                bail!("`{}` lists no [[source]]", path.display());
            }
            (sources, config.out, config.rules)
        }
        (None, Some(id)) => (vec![plan_source(id, args.kind, &args.input)?], None, None),
        (None, None) => bail!("give `--config <file>`, or `--source <id> --input <file>...`"),
    };
    let Some(out) = args.out.clone().or(out) else {
        bail!("give `--out <folder>` or `out = ...` in the configuration");
    };
    Ok(CollectRequest {
        sources,
        out,
        rules: args.rules.clone().or(rules),
        accept_rejected: args.accept_rejected,
    })
}
