//! The Anthropic Admin API calls of a pull: the cost report (or, where the organization has
//! it, the usage-and-cost analytics endpoint) and the messages usage report, daily buckets over
//! the period, every page of each.

use anyhow::Result;

use super::client::{ApiCall, ApiClient};
use super::{ApiPlan, Period, rfc3339};
use crate::sources::pages::Page;

/// The beta flag the analytics endpoint asks for.
const ANALYTICS_BETA: (&str, &str) = ("anthropic-beta", "analytics-usage-cost-2026-08-24");

/// The pages of the period's cost (or analytics cost) and usage reports.
pub async fn pages(client: &ApiClient, plan: &ApiPlan, period: Period) -> Result<Vec<Page>> {
    let range = [
        ("starting_at", rfc3339(period.starting_at())),
        ("ending_at", rfc3339(period.ending_at())),
    ];
    let cost = if plan.analytics {
        // The analytics endpoint is in beta: allot assumes it pages like the cost report
        // (`has_more`, `next_page`, `page=`), which its SDK's cursor suggests but the docs do
        // not yet show.
        call(
            "/v1/organizations/analytics/cost",
            &range,
            &[
                ("time_bucket_width", "1d"),
                ("group_by[]", "workspace_id"),
                ("group_by[]", "api_key_id"),
                ("group_by[]", "model"),
                ("group_by[]", "cost_type"),
                ("group_by[]", "token_type"),
                ("group_by[]", "service_tier"),
                ("group_by[]", "context_window"),
            ],
            period,
            vec![ANALYTICS_BETA],
        )
    } else {
        call(
            "/v1/organizations/cost_report",
            &range,
            &[
                ("bucket_width", "1d"),
                ("group_by[]", "workspace_id"),
                ("group_by[]", "description"),
                ("limit", "31"),
            ],
            period,
            Vec::new(),
        )
    };
    let usage = call(
        "/v1/organizations/usage_report/messages",
        &range,
        &[
            ("bucket_width", "1d"),
            ("group_by[]", "api_key_id"),
            ("group_by[]", "workspace_id"),
            ("group_by[]", "model"),
            ("group_by[]", "service_tier"),
            ("group_by[]", "context_window"),
            ("limit", "31"),
        ],
        period,
        Vec::new(),
    );
    let mut pages = client.get_pages(&cost).await?;
    pages.extend(client.get_pages(&usage).await?);
    Ok(pages)
}

fn call(
    path: &str,
    range: &[(&str, String)],
    parameters: &[(&str, &str)],
    period: Period,
    headers: Vec<(&'static str, &'static str)>,
) -> ApiCall {
    let query = range
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .chain(
            parameters
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
        )
        .collect();
    ApiCall {
        path: path.to_owned(),
        query,
        period: period.to_string(),
        headers,
        page: 0,
    }
}
