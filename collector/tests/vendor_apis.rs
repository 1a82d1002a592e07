//! `allot collect` pulling the Anthropic, OpenAI and Mistral admin APIs from a real HTTP server
//! on 127.0.0.1 that answers in the vendors' documented shapes: the cases through HTTP, pages,
//! empty buckets, null workspaces and projects, the faults a pull must survive or report
//! (429, 5xx, a body cut short, a slow answer, a refused key), keys that never leak, and
//! incremental pulls that replace the restated days.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use support::vendor_server::{
    ANTHROPIC_EMPTY, ANTHROPIC_KEY, COMPLETIONS_USAGE, COST_REPORT, COSTS, MESSAGES_USAGE,
    MISTRAL_KEY, OPENAI_EMPTY, OPENAI_KEY, Reply, Route, VendorServer, json, route, server_error,
};
use support::{Row, assert_success, find, fixture, published_rows, stdout, value};

/// A `[[source]]` pulled from `server`, with short timeouts and backoffs so faults stay fast.
fn api_source(id: &str, server: &VendorServer, start: &str, extra: &str) -> String {
    format!(
        "[[source]]\nid = \"{id}\"\n[source.api]\nbase_url = \"{}\"\nstart = \"{start}\"\n\
         timeout_secs = 1\nbackoff_secs = 0.05\nretries = 3\n{extra}\n",
        server.url
    )
}

/// A folder with an `allot.toml` publishing to `data/` from `sources`.
fn configured(sources: &[String]) -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().expect("temp dir");
    let config = folder.path().join("allot.toml");
    let text = format!("out = \"data\"\n\n{}", sources.join("\n"));
    std::fs::write(&config, text).expect("config");
    (folder, config)
}

/// Runs `allot collect --config <config>` with the three keys in the environment.
fn pull(config: &Path) -> Output {
    pull_with_keys(config, [ANTHROPIC_KEY, OPENAI_KEY, MISTRAL_KEY])
}

fn pull_with_keys(config: &Path, [anthropic, openai, mistral]: [&str; 3]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(["collect", "--config"])
        .arg(config)
        .env("ANTHROPIC_ADMIN_KEY", anthropic)
        .env("OPENAI_ADMIN_KEY", openai)
        .env("MISTRAL_API_KEY", mistral)
        .env("RUST_LOG", "info")
        .output()
        .expect("allot runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn case(path: &str) -> String {
    std::fs::read_to_string(fixture(path)).expect("case file")
}

fn data(folder: &tempfile::TempDir) -> PathBuf {
    folder.path().join("data")
}

fn anthropic_cost_report(cost: Vec<Reply>) -> Vec<Route> {
    vec![
        route(COST_REPORT, &[], cost),
        route(MESSAGES_USAGE, &[], vec![json(ANTHROPIC_EMPTY)]),
    ]
}

#[test]
fn anthropic_cents_through_http() {
    let server = VendorServer::start(anthropic_cost_report(vec![json(&case(
        "cases/anthropic-cents/cost_report.json",
    ))]));
    let (folder, config) = configured(&[api_source("anthropic", &server, "2026-10-01", "")]);
    let output = pull(&config);
    assert_success(&output);
    support::cases::anthropic_cents(&data(&folder), &output);

    let [request] = server
        .received(COST_REPORT)
        .try_into()
        .expect("one request");
    assert_eq!(request.param("starting_at"), Some("2026-10-01T00:00:00Z"));
    assert_eq!(request.param("bucket_width"), Some("1d"));
    assert_eq!(
        request.params("group_by[]"),
        ["workspace_id", "description"]
    );
    assert_eq!(request.headers["anthropic-version"], "2023-06-01");
    let [usage] = server
        .received(MESSAGES_USAGE)
        .try_into()
        .expect("one request");
    assert_eq!(
        usage.params("group_by[]"),
        [
            "api_key_id",
            "workspace_id",
            "model",
            "service_tier",
            "context_window"
        ]
    );
    assert!(stdout(&output).contains("period           2026-10-01.."));
}

#[test]
fn anthropic_pages_through_http_follow_next_page() {
    let page1 = case("cases/anthropic-pages/page1.json");
    let token: serde_json::Value = serde_json::from_str(&page1).expect("json");
    let token = token["next_page"].as_str().expect("a next page").to_owned();
    let server = VendorServer::start(vec![
        route(
            COST_REPORT,
            &[("page", &token)],
            vec![json(&case("cases/anthropic-pages/page2.json"))],
        ),
        route(COST_REPORT, &[], vec![json(&page1)]),
        route(MESSAGES_USAGE, &[], vec![json(ANTHROPIC_EMPTY)]),
    ]);
    let (folder, config) = configured(&[api_source("anthropic", &server, "2026-10-01", "")]);
    let output = pull(&config);
    assert_success(&output);
    support::cases::anthropic_pages(&data(&folder), &output);

    let requests = server.received(COST_REPORT);
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].param("page"), None);
    assert_eq!(requests[1].param("page"), Some(token.as_str()));
    assert!(
        stdout(&output).contains("pages fetched    3"),
        "{}",
        stdout(&output)
    );
    assert!(
        stderr(&output).contains("page fetched"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn openai_float_dollars_through_http() {
    let server = VendorServer::start(vec![
        route(
            COSTS,
            &[],
            vec![json(&case("cases/openai-float-dollars/costs.json"))],
        ),
        route(COMPLETIONS_USAGE, &[], vec![json(OPENAI_EMPTY)]),
    ]);
    let (folder, config) = configured(&[api_source("openai", &server, "2025-10-01", "")]);
    let output = pull(&config);
    assert_success(&output);
    support::cases::openai_float_dollars(&data(&folder));

    let [request] = server.received(COSTS).try_into().expect("one request");
    assert_eq!(request.param("start_time"), Some("1759276800"));
    assert_eq!(request.param("bucket_width"), Some("1d"));
    assert_eq!(
        request.params("group_by[]"),
        ["project_id", "line_item", "api_key_id"]
    );
    let [usage] = server
        .received(COMPLETIONS_USAGE)
        .try_into()
        .expect("one request");
    assert_eq!(
        usage.params("group_by[]"),
        [
            "project_id",
            "user_id",
            "api_key_id",
            "model",
            "batch",
            "service_tier"
        ]
    );
}

/// A cost report day of one workspace's Sonnet 4.5 input and 1-hour cache writes, and one of
/// the default workspace's Haiku output; the usage report names the API keys of the first.
const SPLIT_COST_REPORT: &str = r#"{"data":[
 {"starting_at":"2026-10-05T00:00:00Z","ending_at":"2026-10-06T00:00:00Z","results":[
  {"currency":"USD","amount":"900.00","workspace_id":"wrkspc_A","description":"Claude Sonnet 4.5 Usage - Input Tokens","cost_type":"tokens","context_window":"0-200k","model":"claude-sonnet-4-5-20250929","service_tier":"standard","token_type":"uncached_input_tokens","inference_geo":null},
  {"currency":"USD","amount":"120.00","workspace_id":"wrkspc_A","description":"Claude Sonnet 4.5 Usage - Cache Write 1h","cost_type":"tokens","context_window":"0-200k","model":"claude-sonnet-4-5-20250929","service_tier":"standard","token_type":"cache_creation.ephemeral_1h_input_tokens","inference_geo":null},
  {"currency":"USD","amount":"10.00","workspace_id":null,"description":"Claude Haiku 4.5 Usage - Output Tokens","cost_type":"tokens","context_window":"0-200k","model":"claude-haiku-4-5-20251001","service_tier":"standard","token_type":"output_tokens","inference_geo":null}]},
 {"starting_at":"2026-10-06T00:00:00Z","ending_at":"2026-10-07T00:00:00Z","results":[]}],
 "has_more":false,"next_page":null}"#;

const SPLIT_USAGE_REPORT: &str = r#"{"data":[
 {"starting_at":"2026-10-05T00:00:00Z","ending_at":"2026-10-06T00:00:00Z","results":[
  {"uncached_input_tokens":2000000,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":200000},"output_tokens":0,"server_tool_use":{"web_search_requests":0},"api_key_id":"apikey_1","workspace_id":"wrkspc_A","model":"claude-sonnet-4-5-20250929","service_tier":"standard","context_window":"0-200k","inference_geo":null},
  {"uncached_input_tokens":1000000,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":0,"server_tool_use":{"web_search_requests":0},"api_key_id":"apikey_2","workspace_id":"wrkspc_A","model":"claude-sonnet-4-5-20250929","service_tier":"standard","context_window":"0-200k","inference_geo":null},
  {"uncached_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":40000,"server_tool_use":{"web_search_requests":0},"api_key_id":null,"workspace_id":null,"model":"claude-haiku-4-5-20251001","service_tier":"standard","context_window":"0-200k","inference_geo":null}]},
 {"starting_at":"2026-10-06T00:00:00Z","ending_at":"2026-10-07T00:00:00Z","results":[]}],
 "has_more":false,"next_page":null}"#;

fn rows_where<'a>(rows: &'a [Row], column: &str, wanted: &str) -> Vec<&'a Row> {
    rows.iter()
        .filter(|row| value(row, column) == Some(wanted))
        .collect()
}

#[test]
fn anthropic_usage_splits_a_workspace_cost_over_its_keys_marked_estimated() {
    let server = VendorServer::start(vec![
        route(COST_REPORT, &[], vec![json(SPLIT_COST_REPORT)]),
        route(MESSAGES_USAGE, &[], vec![json(SPLIT_USAGE_REPORT)]),
    ]);
    let (folder, config) = configured(&[api_source("anthropic", &server, "2026-10-01", "")]);
    let output = pull(&config);
    assert_success(&output);
    let rows = published_rows(&data(&folder));
    assert_eq!(rows.len(), 4, "{rows:#?}");

    let input = rows_where(&rows, "x_TokenType", "input");
    let key1 = find(&rows, "ConsumedQuantity", Some("2000000"));
    assert_eq!(value(key1, "x_AttributionKey"), Some("apikey_1"));
    assert_eq!(value(key1, "BilledCost"), Some("6"));
    assert_eq!(value(key1, "x_CostEstimated"), Some("true"));
    assert_eq!(value(key1, "x_Model"), Some("claude-sonnet-4-5"));
    let key2 = find(&rows, "ConsumedQuantity", Some("1000000"));
    assert_eq!(value(key2, "x_AttributionKey"), Some("apikey_2"));
    assert_eq!(value(key2, "BilledCost"), Some("3"));
    assert_eq!(input.len(), 2);

    let cache_write = find(&rows, "x_TokenType", Some("cache_write"));
    assert_eq!(value(cache_write, "BilledCost"), Some("1.2"));
    assert_eq!(value(cache_write, "ConsumedQuantity"), Some("200000"));
    assert_eq!(value(cache_write, "x_AttributionKey"), Some("apikey_1"));

    let haiku = find(&rows, "x_Model", Some("claude-haiku-4-5"));
    assert_eq!(value(haiku, "x_AttributionKey"), Some("default"));
    assert_eq!(value(haiku, "BilledCost"), Some("0.1"));
    assert_eq!(value(haiku, "ConsumedQuantity"), Some("40000"));
    assert_eq!(value(haiku, "x_CostEstimated"), Some("false"));

    let report = stdout(&output);
    assert!(report.contains("output total     10.3 USD"), "{report}");
    assert!(
        report.contains("estimated        3 rows split by API key"),
        "{report}"
    );
}

#[test]
fn openai_usage_tokens_join_the_costs_of_the_same_key() {
    let costs = r#"{"object":"page","data":[
      {"object":"bucket","start_time":1791158400,"end_time":1791244800,"results":[
        {"object":"organization.costs.result","amount":{"value":0.5,"currency":"usd"},"line_item":"gpt-4o-2024-08-06, input","project_id":"proj_B","api_key_id":"key_B","organization_id":"org-B"},
        {"object":"organization.costs.result","amount":{"value":0.30000000000000004,"currency":"usd"},"line_item":"gpt-4o-2024-08-06, output","project_id":null,"api_key_id":null,"organization_id":"org-B"}]},
      {"object":"bucket","start_time":1791244800,"end_time":1791331200,"results":[]}],
      "has_more":false,"next_page":null}"#;
    let usage = r#"{"object":"page","data":[
      {"object":"bucket","start_time":1791158400,"end_time":1791244800,"results":[
        {"object":"organization.usage.completions.result","input_tokens":300000,"output_tokens":0,"input_cached_tokens":100000,"num_model_requests":12,"project_id":"proj_B","user_id":null,"api_key_id":"key_B","model":"gpt-4o-2024-08-06","batch":false,"service_tier":"default"}]}],
      "has_more":false,"next_page":null}"#;
    let server = VendorServer::start(vec![
        route(COSTS, &[], vec![json(costs)]),
        route(COMPLETIONS_USAGE, &[], vec![json(usage)]),
    ]);
    let (folder, config) = configured(&[api_source("openai", &server, "2026-10-01", "")]);
    let output = pull(&config);
    assert_success(&output);
    let rows = published_rows(&data(&folder));
    assert_eq!(rows.len(), 2, "{rows:#?}");

    let input = find(&rows, "x_TokenType", Some("input"));
    assert_eq!(value(input, "BilledCost"), Some("0.5"));
    assert_eq!(value(input, "ConsumedQuantity"), Some("200000"));
    assert_eq!(value(input, "x_AttributionKey"), Some("key_B"));
    assert_eq!(
        value(input, "ChargePeriodStart"),
        Some("2026-10-05T00:00:00Z")
    );
    let output_row = find(&rows, "x_TokenType", Some("output"));
    assert_eq!(value(output_row, "BilledCost"), Some("0.30000000000000004"));
    assert_eq!(value(output_row, "SubAccountId"), Some("default"));
}

/// Mistral's usage of October 2026 for one workspace: input and output of Mistral Large, the
/// paid part of the input less than its use.
const MISTRAL_OCTOBER: &str = r#"{
  "completion": {"models": {"mistral-large-2411": {
    "input": [{"usage_type":"completion","event_type":"completion","billing_metric":"input_tokens","billing_display_name":"Mistral Large input tokens","billing_group":"mistral-large-2411","timestamp":"2026-10-02T00:00:00Z","value":2000000,"value_paid":1500000}],
    "output": [{"usage_type":"completion","event_type":"completion","billing_metric":"output_tokens","billing_display_name":"Mistral Large output tokens","billing_group":"mistral-large-2411","timestamp":"2026-10-02T00:00:00Z","value":100000,"value_paid":100000}]}}},
  "vibe_usage": 0.0,
  "start_date": "2026-10-01T00:00:00Z", "end_date": "2026-10-31T23:59:59Z",
  "currency": "EUR", "currency_symbol": "€",
  "prices": [
    {"event_type":"completion","billing_metric":"input_tokens","billing_group":"mistral-large-2411","price":"0.0000018"},
    {"event_type":"completion","billing_metric":"output_tokens","billing_group":"mistral-large-2411","price":"0.0000054"}]
}"#;

#[test]
fn mistral_usage_is_priced_per_workspace_and_month() {
    let server = VendorServer::start(vec![
        route(
            "/usage",
            &[
                ("month", "10"),
                ("year", "2026"),
                ("workspace_id", "wrk_research"),
            ],
            vec![json(MISTRAL_OCTOBER)],
        ),
        route(
            "/usage",
            &[],
            vec![json(r#"{"currency":"EUR","prices":[]}"#)],
        ),
    ]);
    let (folder, config) = configured(&[api_source(
        "mistral",
        &server,
        "2026-10-01",
        "workspaces = [\"wrk_research\"]",
    )]);
    let output = pull(&config);
    assert_success(&output);
    let rows = published_rows(&data(&folder));
    assert_eq!(rows.len(), 2, "{rows:#?}");

    let input = find(&rows, "x_TokenType", Some("input"));
    assert_eq!(value(input, "BilledCost"), Some("2.7"));
    assert_eq!(value(input, "ListCost"), Some("3.6"));
    assert_eq!(value(input, "BillingCurrency"), Some("EUR"));
    assert_eq!(value(input, "x_AttributionKey"), Some("wrk_research"));
    assert_eq!(value(input, "x_Model"), Some("mistral-large"));
    assert_eq!(value(input, "ProviderName"), Some("Mistral AI"));
    let output_row = find(&rows, "x_TokenType", Some("output"));
    assert_eq!(value(output_row, "BilledCost"), Some("0.54"));

    let requests = server.received("/usage");
    assert!(requests.len() >= 2, "one call per month: {requests:?}");
    assert_eq!(requests[0].param("month"), Some("10"));
    assert_eq!(requests[1].param("month"), Some("11"));
    assert!(
        requests
            .iter()
            .all(|r| r.param("workspace_id") == Some("wrk_research"))
    );
}

#[test]
fn a_429_is_retried_after_the_wait_it_asks_for() {
    let server = VendorServer::start(anthropic_cost_report(vec![
        Reply::Status {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#
                .to_owned(),
            retry_after: Some("1"),
        },
        json(&case("cases/anthropic-cents/cost_report.json")),
    ]));
    let (folder, config) = configured(&[api_source("anthropic", &server, "2026-10-01", "")]);
    let output = pull(&config);
    assert_success(&output);
    support::cases::anthropic_cents(&data(&folder), &output);

    let requests = server.received(COST_REPORT);
    assert_eq!(requests.len(), 2);
    let waited = requests[1].at - requests[0].at;
    assert!(waited >= Duration::from_millis(950), "waited {waited:?}");
    assert!(stderr(&output).contains("HTTP 429"), "{}", stderr(&output));
}

#[test]
fn three_500s_then_success_is_a_success() {
    let server = VendorServer::start(anthropic_cost_report(vec![
        server_error(),
        server_error(),
        server_error(),
        json(&case("cases/anthropic-cents/cost_report.json")),
    ]));
    let (folder, config) = configured(&[api_source("anthropic", &server, "2026-10-01", "")]);
    let output = pull(&config);
    assert_success(&output);
    support::cases::anthropic_cents(&data(&folder), &output);
    assert_eq!(server.received(COST_REPORT).len(), 4);
}

#[test]
fn a_truncated_body_is_fetched_again() {
    let page = case("cases/openai-float-dollars/costs.json");
    let server = VendorServer::start(vec![
        route(
            COSTS,
            &[],
            vec![Reply::Truncated(page.clone()), json(&page)],
        ),
        route(COMPLETIONS_USAGE, &[], vec![json(OPENAI_EMPTY)]),
    ]);
    let (folder, config) = configured(&[api_source("openai", &server, "2025-10-01", "")]);
    let output = pull(&config);
    assert_success(&output);
    support::cases::openai_float_dollars(&data(&folder));
    assert_eq!(server.received(COSTS).len(), 2);
    assert!(stderr(&output).contains("cut short"), "{}", stderr(&output));
}

#[test]
fn a_slow_answer_times_out_and_is_asked_again() {
    let page = case("cases/anthropic-cents/cost_report.json");
    let server = VendorServer::start(anthropic_cost_report(vec![
        Reply::Slow(Duration::from_secs(20), page.clone()),
        json(&page),
    ]));
    let (folder, config) = configured(&[api_source("anthropic", &server, "2026-10-01", "")]);
    let started = Instant::now();
    let output = pull(&config);
    assert_success(&output);
    // The timeout is one second; the bound leaves room for a loaded machine, and is far below
    // the twenty seconds the server takes.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the slow answer was awaited"
    );
    support::cases::anthropic_cents(&data(&folder), &output);
    assert!(stderr(&output).contains("timed out"), "{}", stderr(&output));
}

#[test]
fn a_pull_that_never_succeeds_names_its_source_and_period_and_publishes_nothing_of_it() {
    let server = VendorServer::start(vec![
        route(COST_REPORT, &[], vec![server_error()]),
        route(MESSAGES_USAGE, &[], vec![json(ANTHROPIC_EMPTY)]),
        route(
            COSTS,
            &[],
            vec![json(&case("cases/openai-float-dollars/costs.json"))],
        ),
        route(COMPLETIONS_USAGE, &[], vec![json(OPENAI_EMPTY)]),
    ]);
    let (folder, config) = configured(&[
        api_source("anthropic", &server, "2026-10-01", ""),
        api_source("openai", &server, "2025-10-01", ""),
    ]);
    let output = pull(&config);
    assert!(!output.status.success());
    let stderr = stderr(&output);
    assert!(
        stderr.contains(
            "error: source `anthropic`: GET /v1/organizations/cost_report for 2026-10-01.."
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("HTTP 500 Internal Server Error, still after 3 retries"),
        "{stderr}"
    );
    assert!(
        stderr.contains("its published data is unchanged"),
        "{stderr}"
    );

    let rows = published_rows(&data(&folder));
    assert!(
        rows.iter()
            .all(|row| value(row, "x_Source") == Some("openai"))
    );
    support::cases::openai_float_dollars(&data(&folder));
}

#[test]
fn a_refused_key_names_the_source_and_the_variable_not_the_key() {
    let server = VendorServer::start(anthropic_cost_report(vec![json(ANTHROPIC_EMPTY)]));
    let (folder, config) = configured(&[api_source("anthropic", &server, "2026-10-01", "")]);
    let wrong = "sk-ant-admin01-WRONG-key-Lq09";
    let output = pull_with_keys(&config, [wrong, OPENAI_KEY, MISTRAL_KEY]);
    assert!(!output.status.success());
    let stderr = stderr(&output);
    assert!(
        stderr.contains("source `anthropic`: GET /v1/organizations/cost_report for 2026-10-01.."),
        "{stderr}"
    );
    assert!(
        stderr.contains("HTTP 401 Unauthorized: the key in `ANTHROPIC_ADMIN_KEY` was refused"),
        "{stderr}"
    );
    assert!(stderr.contains("invalid key [redacted]"), "{stderr}");
    assert!(
        !stderr.contains(wrong) && !stdout(&output).contains(wrong),
        "{stderr}"
    );
    assert!(!data(&folder).join("manifest.json").exists());
}

#[test]
fn a_missing_key_names_its_variable() {
    let server = VendorServer::start(Vec::new());
    let (_folder, config) = configured(&[api_source("openai", &server, "2026-10-01", "")]);
    let output = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(["collect", "--config"])
        .arg(&config)
        .env_remove("OPENAI_ADMIN_KEY")
        .output()
        .expect("allot runs");
    assert!(!output.status.success());
    assert!(
        stderr(&output)
            .contains("source `openai`: the environment variable `OPENAI_ADMIN_KEY` is not set"),
        "{}",
        stderr(&output)
    );
    assert!(server.received(COSTS).is_empty());
}

/// Every file below `folder`, as bytes.
fn every_file(folder: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).expect("folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(every_file(&path));
        } else {
            let bytes = std::fs::read(&path).expect("file");
            files.push((path, bytes));
        }
    }
    files
}

#[test]
fn no_key_reaches_the_logs_the_report_or_the_published_files() {
    let server = VendorServer::start(vec![
        route(
            COST_REPORT,
            &[],
            vec![
                Reply::Status {
                    status: StatusCode::TOO_MANY_REQUESTS,
                    body: format!(r#"{{"error":{{"message":"key {ANTHROPIC_KEY} is limited"}}}}"#),
                    retry_after: Some("0"),
                },
                json(SPLIT_COST_REPORT),
            ],
        ),
        route(MESSAGES_USAGE, &[], vec![json(SPLIT_USAGE_REPORT)]),
        route(
            COSTS,
            &[],
            vec![json(&case("cases/openai-float-dollars/costs.json"))],
        ),
        route(COMPLETIONS_USAGE, &[], vec![json(OPENAI_EMPTY)]),
        route("/usage", &[("month", "10")], vec![json(MISTRAL_OCTOBER)]),
        route(
            "/usage",
            &[],
            vec![json(r#"{"currency":"EUR","prices":[]}"#)],
        ),
    ]);
    let (folder, config) = configured(&[
        api_source("anthropic", &server, "2026-10-01", ""),
        api_source("openai", &server, "2025-10-01", ""),
        api_source("mistral", &server, "2026-10-01", ""),
    ]);
    let report = folder.path().join("report.json");
    let output = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(["collect", "--config"])
        .arg(&config)
        .arg("--report-json")
        .arg(&report)
        .env("ANTHROPIC_ADMIN_KEY", ANTHROPIC_KEY)
        .env("OPENAI_ADMIN_KEY", OPENAI_KEY)
        .env("MISTRAL_API_KEY", MISTRAL_KEY)
        .env("RUST_LOG", "trace")
        .output()
        .expect("allot runs");
    assert_success(&output);
    assert_eq!(server.received(COST_REPORT).len(), 2, "the 429 was seen");
    let sources: std::collections::BTreeSet<_> = published_rows(&data(&folder))
        .iter()
        .filter_map(|row| value(row, "x_Source").map(str::to_owned))
        .collect();
    assert_eq!(sources.len(), 3, "{sources:?}");

    let mut outputs = vec![
        (PathBuf::from("stdout"), output.stdout.clone()),
        (PathBuf::from("stderr"), output.stderr.clone()),
    ];
    outputs.extend(every_file(folder.path()));
    assert!(outputs.len() > 5, "{outputs:?}");
    for key in [ANTHROPIC_KEY, OPENAI_KEY, MISTRAL_KEY] {
        for (path, bytes) in &outputs {
            let found = bytes
                .windows(key.len())
                .any(|window| window == key.as_bytes());
            assert!(!found, "the key `{key}` is in {}", path.display());
        }
    }
}

fn one_day(day: &str, amount_cents: &str) -> String {
    format!(
        r#"{{"starting_at":"2026-10-{day}T00:00:00Z","ending_at":"2026-10-{next:02}T00:00:00Z","results":[{{"currency":"USD","amount":"{amount_cents}","workspace_id":"wrkspc_A","description":"Claude Sonnet 4.5 Usage - Output Tokens","cost_type":"tokens","context_window":"0-200k","model":"claude-sonnet-4-5-20250929","service_tier":"standard","token_type":"output_tokens","inference_geo":null}}]}}"#,
        next = day.parse::<u32>().expect("day") + 1
    )
}

fn cost_report_of(days: &[String]) -> String {
    format!(
        r#"{{"data":[{}],"has_more":false,"next_page":null}}"#,
        days.join(",")
    )
}

fn billed_by_day(rows: &[Row]) -> Vec<(String, String)> {
    let mut days: Vec<(String, String)> = rows
        .iter()
        .filter(|row| value(row, "x_Source") == Some("anthropic"))
        .map(|row| {
            (
                value(row, "ChargePeriodStart").unwrap_or_default()[..10].to_owned(),
                value(row, "BilledCost").unwrap_or_default().to_owned(),
            )
        })
        .collect();
    days.sort();
    days
}

#[test]
fn a_nightly_pull_asks_from_the_last_day_less_the_window_and_replaces_restated_days() {
    let first = cost_report_of(&[
        one_day("01", "1000"),
        one_day("02", "2000"),
        one_day("03", "3000"),
    ]);
    let server = VendorServer::start(vec![
        route(COST_REPORT, &[], vec![json(&first)]),
        route(MESSAGES_USAGE, &[], vec![json(ANTHROPIC_EMPTY)]),
    ]);
    let openai_file = format!(
        "[[source]]\nid = \"openai\"\ninput = [\"{}\"]\n",
        fixture("cases/openai-float-dollars/costs.json")
    );
    let anthropic = api_source("anthropic", &server, "2026-10-01", "restate_days = 1");
    let (folder, config) = configured(&[anthropic.clone(), openai_file]);
    assert_success(&pull(&config));
    let openai_files = || {
        let text = std::fs::read_to_string(data(&folder).join("manifest.json")).expect("manifest");
        let manifest = allot_core::manifest::Manifest::from_json(&text).expect("manifest");
        let files: Vec<_> = manifest
            .files
            .into_iter()
            .filter(|f| f.source == "openai")
            .collect();
        files
    };
    let openai_before = openai_files();
    assert_eq!(openai_before.len(), 1);
    assert_eq!(
        billed_by_day(&published_rows(&data(&folder))),
        [
            ("2026-10-01".to_owned(), "10".to_owned()),
            ("2026-10-02".to_owned(), "20".to_owned()),
            ("2026-10-03".to_owned(), "30".to_owned()),
        ]
    );

    // The vendor restates 3 October and reports 4 October; the next run lists only anthropic.
    let second = cost_report_of(&[one_day("03", "3500"), one_day("04", "4000")]);
    server.answer_with(vec![
        route(COST_REPORT, &[], vec![json(&second)]),
        route(MESSAGES_USAGE, &[], vec![json(ANTHROPIC_EMPTY)]),
    ]);
    std::fs::write(&config, format!("out = \"data\"\n\n{anthropic}")).expect("config");
    let output = pull(&config);
    assert_success(&output);

    let requests = server.received(COST_REPORT);
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].param("starting_at"),
        Some("2026-10-01T00:00:00Z")
    );
    assert_eq!(
        requests[1].param("starting_at"),
        Some("2026-10-03T00:00:00Z")
    );
    assert_eq!(
        requests[0].param("ending_at"),
        requests[1].param("ending_at")
    );

    let rows = published_rows(&data(&folder));
    assert_eq!(
        billed_by_day(&rows),
        [
            ("2026-10-01".to_owned(), "10".to_owned()),
            ("2026-10-02".to_owned(), "20".to_owned()),
            ("2026-10-03".to_owned(), "35".to_owned()),
            ("2026-10-04".to_owned(), "40".to_owned()),
        ]
    );
    assert_eq!(
        openai_files(),
        openai_before,
        "the other source is untouched"
    );
    let report = stdout(&output);
    assert!(report.contains("period           2026-10-03.."), "{report}");
    assert!(
        report.contains("carried over     2 published rows"),
        "{report}"
    );
    assert!(report.contains("output total     75 USD"), "{report}");
}

#[test]
fn a_failed_nightly_pull_keeps_what_was_published() {
    let first = cost_report_of(&[one_day("01", "1000"), one_day("02", "2000")]);
    let server = VendorServer::start(vec![
        route(COST_REPORT, &[], vec![json(&first)]),
        route(MESSAGES_USAGE, &[], vec![json(ANTHROPIC_EMPTY)]),
    ]);
    let (folder, config) = configured(&[api_source("anthropic", &server, "2026-10-01", "")]);
    assert_success(&pull(&config));
    let before = std::fs::read(data(&folder).join("manifest.json")).expect("manifest");

    server.answer_with(vec![
        route(COST_REPORT, &[], vec![json(&first)]),
        route(
            MESSAGES_USAGE,
            &[],
            vec![Reply::Truncated(ANTHROPIC_EMPTY.to_owned())],
        ),
    ]);
    let output = pull(&config);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("source `anthropic`: GET /v1/organizations/usage_report/messages"),
        "{}",
        stderr(&output)
    );
    let after = std::fs::read(data(&folder).join("manifest.json")).expect("manifest");
    assert_eq!(before, after);
    assert_eq!(billed_by_day(&published_rows(&data(&folder))).len(), 2);
}

#[test]
fn days_the_pull_did_not_ask_for_are_refused_not_merged() {
    let days = cost_report_of(&[one_day("01", "1000"), one_day("02", "2000")]);
    let server = VendorServer::start(vec![
        route(COST_REPORT, &[], vec![json(&days)]),
        route(MESSAGES_USAGE, &[], vec![json(ANTHROPIC_EMPTY)]),
    ]);
    let anthropic = api_source("anthropic", &server, "2026-10-01", "restate_days = 0");
    let (folder, config) = configured(&[anthropic]);
    assert_success(&pull(&config));

    // A server that ignores `starting_at` answers 1 and 2 October again.
    let output = pull(&config);
    assert!(!output.status.success());
    assert_eq!(
        server.received(COST_REPORT)[1].param("starting_at"),
        Some("2026-10-03T00:00:00Z")
    );
    let stderr = stderr(&output);
    assert!(
        stderr.contains("error: source `anthropic` for 2026-10-03.."),
        "{stderr}"
    );
    assert!(
        stderr.contains("the answer holds charges of 2026-10-01, outside the days asked for"),
        "{stderr}"
    );
    assert_eq!(billed_by_day(&published_rows(&data(&folder))).len(), 2);
}

#[test]
fn claude_from_the_api_and_from_bedrock_share_one_model_identity() {
    let server = VendorServer::start(anthropic_cost_report(vec![json(&case(
        "cases/anthropic-cents/cost_report.json",
    ))]));
    let aws = format!(
        "[[source]]\nid = \"aws\"\ninput = [\"{}\"]\n",
        fixture("cases/cur2-credits-and-tags/cur2.csv")
    );
    let (folder, config) = configured(&[api_source("anthropic", &server, "2026-10-01", ""), aws]);
    assert_success(&pull(&config));
    let rows = published_rows(&data(&folder));
    let sonnet_sources: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter(|row| value(row, "x_Model") == Some("claude-sonnet-4-5"))
        .filter_map(|row| value(row, "x_Source"))
        .collect();
    assert_eq!(sonnet_sources, ["anthropic", "aws"].into());
}
