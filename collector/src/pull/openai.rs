//! The OpenAI Administration API calls of a pull: the organization costs and the completions
//! usage, daily buckets over the period, every page of each.
//!
//! Only the completions usage is pulled: the costs of embeddings, images, audio and tools are
//! collected with their money but without token counts, so no unit cost can be shown for them
//! (their usage endpoints have other shapes, which the reader does not join yet).

use anyhow::Result;

use super::Period;
use super::client::{ApiCall, ApiClient};
use crate::sources::pages::Page;

/// The pages of the period's costs and completions usage.
pub async fn pages(client: &ApiClient, period: Period) -> Result<Vec<Page>> {
    let costs = call(
        "/v1/organization/costs",
        period,
        &[
            ("group_by[]", "project_id"),
            ("group_by[]", "line_item"),
            ("group_by[]", "api_key_id"),
            ("limit", "180"),
        ],
    );
    let usage = call(
        "/v1/organization/usage/completions",
        period,
        &[
            ("group_by[]", "project_id"),
            ("group_by[]", "user_id"),
            ("group_by[]", "api_key_id"),
            ("group_by[]", "model"),
            ("group_by[]", "batch"),
            ("group_by[]", "service_tier"),
            ("limit", "31"),
        ],
    );
    let mut pages = client.get_pages(&costs).await?;
    pages.extend(client.get_pages(&usage).await?);
    Ok(pages)
}

fn call(path: &str, period: Period, parameters: &[(&str, &str)]) -> ApiCall {
    let mut query = vec![
        (
            "start_time".to_owned(),
            period.starting_at().unix_timestamp().to_string(),
        ),
        (
            "end_time".to_owned(),
            period.ending_at().unix_timestamp().to_string(),
        ),
        ("bucket_width".to_owned(), "1d".to_owned()),
    ];
    query.extend(
        parameters
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
    );
    ApiCall {
        path: path.to_owned(),
        query,
        period: period.to_string(),
        headers: Vec::new(),
        page: 0,
    }
}
