//! The response pages of the vendors' admin APIs, wherever they come from: a file a person
//! saved, or a page allot fetched. Each page carries its origin, which every error and every
//! rejection names: the file's path, or the API call and page number.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Result, bail};
use serde::Deserialize;

use super::read_text;

/// One response body of a vendor's report.
#[derive(Debug, Clone)]
pub struct Page {
    /// Where the page came from: a file's path, or `GET /v1/... page 2` for a fetched one.
    pub origin: String,
    pub text: String,
    /// What a fetched page was asked for, where the response does not say it itself: the
    /// workspace of a Mistral usage response.
    pub scope: Option<String>,
}

impl Page {
    /// A page saved to a file (gunzipped when it is a gzip file).
    pub fn from_file(path: &Path) -> Result<Self> {
        Ok(Page {
            origin: path.display().to_string(),
            text: read_text(path)?,
            scope: None,
        })
    }

    /// Parses the page, naming its origin, line and column on failure.
    pub fn parse<T: for<'de> Deserialize<'de>>(&self) -> Result<T> {
        serde_json::from_str(&self.text).map_err(|error| {
            anyhow::anyhow!(
                "`{}` line {}, column {}: {}",
                self.origin,
                error.line(),
                error.column(),
                describe_json_error(&error)
            )
        })
    }

    /// The items of the page's `data` list. A saved page holds either the whole response object
    /// (`{"data": [...], "has_more": ..}`) or the bare list; the returned prefix (`data` or
    /// empty) starts the JSON path of each item in rejections.
    pub fn data<B: for<'de> Deserialize<'de>>(&self) -> Result<(&'static str, Vec<B>)> {
        #[derive(Deserialize)]
        struct Response<B> {
            data: Vec<B>,
        }
        if self.text.trim_start().starts_with('[') {
            Ok(("", self.parse::<Vec<B>>()?))
        } else {
            Ok(("data", self.parse::<Response<B>>()?.data))
        }
    }
}

fn describe_json_error(error: &serde_json::Error) -> String {
    let message = error.to_string();
    // serde_json appends " at line L column C", which the caller already says.
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message,
    }
}

/// Which page reported each time bucket of a paginated report. A bucket that two pages both
/// report is an error: the same page given twice would otherwise count its money twice.
#[derive(Default)]
pub struct SeenBuckets(HashMap<String, String>);

impl SeenBuckets {
    /// Records that the page `origin` reports a bucket with results starting at `start`.
    pub fn record(&mut self, start: &str, origin: &str, bucket_path: &str) -> Result<()> {
        if let Some(other) = self.0.insert(start.to_owned(), origin.to_owned()) {
            bail!(
                "`{origin}` {bucket_path}: the bucket starting at `{start}` is also in `{other}`; \
                 give each page of the report once"
            );
        }
        Ok(())
    }
}
