//! The Mistral Admin API calls of a pull: the usage endpoint, one call per month of the period
//! and per configured workspace (or one for the whole organization).

use anyhow::Result;
use time::Date;

use super::client::{ApiCall, ApiClient};
use super::{ApiPlan, Period};
use crate::sources::next_month_start;
use crate::sources::pages::Page;

/// The usage responses of every month of the period.
pub async fn pages(client: &ApiClient, plan: &ApiPlan, period: Period) -> Result<Vec<Page>> {
    let workspaces: Vec<Option<&str>> = if plan.workspaces.is_empty() {
        vec![None]
    } else {
        plan.workspaces.iter().map(|w| Some(w.as_str())).collect()
    };
    let mut pages = Vec::new();
    let mut month = period.first;
    while month < period.end {
        let next = next_month_start(month.midnight().assume_utc()).date();
        for workspace in &workspaces {
            pages.push(usage_page(client, month, next, *workspace).await?);
        }
        month = next;
    }
    Ok(pages)
}

async fn usage_page(
    client: &ApiClient,
    month: Date,
    next: Date,
    workspace: Option<&str>,
) -> Result<Page> {
    let mut query = vec![
        ("month".to_owned(), u8::from(month.month()).to_string()),
        ("year".to_owned(), month.year().to_string()),
    ];
    if let Some(workspace) = workspace {
        query.push(("workspace_id".to_owned(), workspace.to_owned()));
    }
    let call = ApiCall {
        path: "/usage".to_owned(),
        query,
        period: Period {
            first: month,
            end: next,
        }
        .to_string(),
        headers: Vec::new(),
        page: 0,
    };
    let text = client.get(&call).await?;
    let origin = match workspace {
        Some(workspace) => format!("GET /usage for {} workspace `{workspace}`", call.period),
        None => format!("GET /usage for {}", call.period),
    };
    client.progress(&call, 1);
    Ok(Page {
        origin,
        text,
        scope: workspace.map(str::to_owned),
    })
}
