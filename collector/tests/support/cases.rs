//! The values the vendor cases of `tests/fixtures/cases/` name, asserted on a published data
//! set: the same checks whether the case was read from its files or pulled over HTTP.

use std::path::Path;
use std::process::Output;

use super::{find, published_rows, stdout, value};

/// `anthropic-cents`: amounts are cents, exact.
pub fn anthropic_cents(out: &Path, output: &Output) {
    let rows = published_rows(out);
    assert_eq!(rows.len(), 2);

    let sonnet = find(
        &rows,
        "SubAccountId",
        Some("wrkspc_01AAAAAAAAAAAAAAAAAAAAAAAA"),
    );
    assert_eq!(value(sonnet, "BilledCost"), Some("412.8"));
    assert_eq!(value(sonnet, "x_Model"), Some("claude-sonnet-4-5"));
    assert_eq!(value(sonnet, "x_TokenType"), Some("input"));
    assert_eq!(
        value(sonnet, "ChargePeriodStart"),
        Some("2026-10-01T00:00:00Z")
    );
    assert_eq!(value(sonnet, "SkuId"), Some("claude-sonnet-4-5-20250929"));
    assert_eq!(value(sonnet, "x_CostEstimated"), Some("false"));

    let haiku = find(&rows, "x_AttributionKey", Some("default"));
    assert_eq!(value(haiku, "BilledCost"), Some("0.00375"));
    assert_eq!(value(haiku, "x_Model"), Some("claude-haiku-4-5"));
    assert_eq!(value(haiku, "x_TokenType"), Some("output"));
    assert_eq!(value(haiku, "x_ServiceTier"), Some("batch"));
    assert_eq!(value(haiku, "SubAccountName"), Some("Default workspace"));

    assert!(
        stdout(output).contains("input total      412.80375 USD"),
        "{}",
        stdout(output)
    );
    assert!(
        stdout(output).contains("output total     412.80375 USD"),
        "{}",
        stdout(output)
    );
}

/// `anthropic-pages`: both pages read, the empty day has no row.
pub fn anthropic_pages(out: &Path, output: &Output) {
    let rows = published_rows(out);
    assert_eq!(rows.len(), 2);

    let output_tokens = find(&rows, "ChargePeriodStart", Some("2026-10-01T00:00:00Z"));
    assert_eq!(value(output_tokens, "BilledCost"), Some("10"));
    assert_eq!(value(output_tokens, "x_TokenType"), Some("output"));

    let web_search = find(&rows, "ChargePeriodStart", Some("2026-10-03T00:00:00Z"));
    assert_eq!(value(web_search, "BilledCost"), Some("2.505"));
    assert_eq!(value(web_search, "x_Model"), None);
    assert_eq!(value(web_search, "x_TokenType"), None);
    assert_eq!(
        value(web_search, "ChargeDescription"),
        Some("Web Search Usage")
    );

    assert!(
        rows.iter()
            .all(|row| value(row, "ChargePeriodStart") != Some("2026-10-02T00:00:00Z"))
    );
    assert!(
        stdout(output).contains("output total     12.505 USD"),
        "{}",
        stdout(output)
    );
}

/// `openai-float-dollars`: every digit of the float dollars kept.
pub fn openai_float_dollars(out: &Path) {
    let rows = published_rows(out);
    assert_eq!(rows.len(), 3);

    let input = find(&rows, "BilledCost", Some("0.13080438340307526"));
    assert_eq!(value(input, "x_Model"), Some("gpt-4o"));
    assert_eq!(value(input, "x_TokenType"), Some("input"));
    assert_eq!(
        value(input, "SubAccountId"),
        Some("proj_AAAAAAAAAAAAAAAAAAAAAAAA")
    );
    assert_eq!(
        value(input, "ChargeDescription"),
        Some("gpt-4o-2024-08-06, input")
    );
    assert_eq!(
        value(input, "ChargePeriodStart"),
        Some("2025-10-01T00:00:00Z")
    );
    assert_eq!(
        value(input, "BillingAccountId"),
        Some("org-XXXXXXXXXXXXXXXXXXXXXXXX")
    );

    let output_row = find(&rows, "x_TokenType", Some("output"));
    assert_eq!(value(output_row, "BilledCost"), Some("12"));

    let tool = find(
        &rows,
        "ChargeDescription",
        Some("assistants api | file search"),
    );
    assert_eq!(value(tool, "BilledCost"), Some("0.000271"));
    assert_eq!(value(tool, "x_Model"), None);
    assert_eq!(value(tool, "x_TokenType"), None);
    assert_eq!(value(tool, "x_AttributionKey"), Some("default"));

    assert!(
        rows.iter()
            .all(|row| value(row, "BillingCurrency") == Some("USD"))
    );
}
