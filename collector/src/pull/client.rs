//! The HTTP client of the vendors' admin APIs: one key, one base URL, retries and pages.
//!
//! A request that gets 408, 429 or a 5xx answer, times out, or loses its connection or its
//! body part-way is tried again after a wait: the `retry-after` the server asked for, or an
//! exponential backoff up to a maximum. Every error names the source, the call (method and
//! path, never the key or the base URL's credentials) and the period asked for. The key is sent
//! in a header marked sensitive, and every text a vendor answers with is cleared of it before
//! it is shown.

use std::time::Duration;

use anyhow::{Result, bail};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use serde::Deserialize;
use url::Url;

use crate::sources::pages::Page;

/// How long to wait and how often to try again.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Tries after the first.
    pub max_retries: u32,
    /// The first backoff; each next one is twice as long.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// The longest `retry-after` honoured; a server asking for more fails the call.
    pub max_retry_after: Duration,
}

/// One source's connection to its vendor's API.
pub struct ApiClient {
    http: reqwest::Client,
    base_url: String,
    source: String,
    /// The environment variable the key came from, named in messages.
    key_env: String,
    /// The key, kept only to clear it from what servers answer.
    secret: String,
    retry: RetryPolicy,
}

/// One call: a path below the base URL, its query, and the period it asks for (for messages).
pub struct ApiCall {
    pub path: String,
    pub query: Vec<(String, String)>,
    pub period: String,
    /// Extra headers the endpoint wants (a beta flag).
    pub headers: Vec<(&'static str, &'static str)>,
    /// Which page of a paginated report this is, from 1; 0 for a call that is not paged.
    pub page: usize,
}

impl ApiCall {
    /// The call as messages name it: `/v1/organizations/cost_report page 2`.
    fn shown(&self) -> String {
        if self.page > 1 {
            format!("{} page {}", self.path, self.page)
        } else {
            self.path.clone()
        }
    }
}

/// Why a call failed for good.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(
        "source `{source_id}`: GET {path} for {period}: HTTP {status}{hint}{message}",
        hint = status_hint(*status, key_env),
        message = vendor_message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default()
    )]
    Status {
        source_id: String,
        path: String,
        period: String,
        status: StatusCode,
        key_env: String,
        vendor_message: Option<String>,
    },
    #[error("source `{source_id}`: GET {path} for {period}: {reason}")]
    Transport {
        source_id: String,
        path: String,
        period: String,
        reason: String,
    },
}

fn status_hint(status: StatusCode, key_env: &str) -> String {
    match status {
        StatusCode::UNAUTHORIZED => format!(": the key in `{key_env}` was refused"),
        StatusCode::FORBIDDEN => format!(": the key in `{key_env}` may not read this report"),
        _ => String::new(),
    }
}

/// What a failed attempt says about trying again.
enum Attempt {
    Done(String),
    Retry {
        reason: String,
        wait: Option<Duration>,
    },
    Fail(ApiError),
}

impl ApiClient {
    /// A client for `source`, sending `key` in the header `key_header` (with `prefix` before
    /// it: `Bearer ` for OpenAI) and `fixed_headers` on every call.
    pub fn new(
        source: &str,
        key: (&str, String),
        key_header: (&'static str, &'static str),
        fixed_headers: &[(&'static str, &'static str)],
        base_url: &str,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Self> {
        let (key_env, key) = key;
        let (header, prefix) = key_header;
        let mut headers = HeaderMap::new();
        let mut secret = HeaderValue::from_str(&format!("{prefix}{key}")).map_err(|_| {
            anyhow::anyhow!("source `{source}`: `{key_env}` holds characters a header cannot carry")
        })?;
        secret.set_sensitive(true);
        headers.insert(HeaderName::from_static(header), secret);
        for (name, value) in fixed_headers {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        let parsed = Url::parse(base_url).map_err(|error| {
            anyhow::anyhow!("source `{source}`: `base_url` is not a URL: {error}")
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            bail!("source `{source}`: `base_url` must be an http:// or https:// URL");
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("allot/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| anyhow::anyhow!("source `{source}`: cannot set up HTTP: {error}"))?;
        Ok(ApiClient {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            source: source.to_owned(),
            key_env: key_env.to_owned(),
            secret: key,
            retry,
        })
    }

    /// `text` with the key replaced, so that a server echoing it cannot leak it.
    fn redact(&self, text: &str) -> String {
        if self.secret.is_empty() {
            text.to_owned()
        } else {
            text.replace(&self.secret, "[redacted]")
        }
    }

    /// Fetches one response, trying again as the retry policy allows.
    pub async fn get(&self, call: &ApiCall) -> Result<String, ApiError> {
        let mut retries = 0;
        loop {
            let (reason, wait) = match self.attempt(call).await {
                Attempt::Done(body) => return Ok(body),
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry { reason, wait } => (reason, wait),
            };
            if retries >= self.retry.max_retries {
                return Err(
                    self.transport_error(call, format!("{reason}, still after {retries} retries"))
                );
            }
            let backoff = self
                .retry
                .initial_backoff
                .saturating_mul(2_u32.saturating_pow(retries))
                .min(self.retry.max_backoff);
            let wait = match wait {
                Some(asked) if asked > self.retry.max_retry_after => {
                    return Err(self.transport_error(
                        call,
                        format!(
                            "{reason}; the server asks to wait {} s, longer than allot waits",
                            asked.as_secs()
                        ),
                    ));
                }
                Some(asked) => asked,
                None => backoff,
            };
            retries += 1;
            tracing::warn!(
                source = self.source,
                call = call.path,
                period = call.period,
                retry = retries,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "{reason}; trying again"
            );
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(&self, call: &ApiCall) -> Attempt {
        let url = format!("{}{}", self.base_url, call.path);
        let mut request = self.http.get(&url).query(&call.query);
        for (name, value) in &call.headers {
            request = request.header(*name, *value);
        }
        tracing::debug!(
            source = self.source,
            call = call.path,
            period = call.period,
            "GET"
        );
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                return Attempt::Retry {
                    reason: self.describe(&error),
                    wait: None,
                };
            }
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = match response.text().await {
            Ok(body) => body,
            Err(error) => {
                return Attempt::Retry {
                    reason: format!("the answer was cut short ({})", self.describe(&error)),
                    wait: None,
                };
            }
        };
        if status.is_success() {
            return Attempt::Done(body);
        }
        if status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::REQUEST_TIMEOUT
            || status.is_server_error()
        {
            return Attempt::Retry {
                reason: format!("HTTP {status}"),
                wait: retry_after,
            };
        }
        Attempt::Fail(ApiError::Status {
            source_id: self.source.clone(),
            path: call.shown(),
            period: call.period.clone(),
            status,
            key_env: self.key_env.clone(),
            vendor_message: vendor_message(&body).map(|message| self.redact(&message)),
        })
    }

    fn describe(&self, error: &reqwest::Error) -> String {
        let kind = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "cannot connect"
        } else if error.is_body() || error.is_decode() {
            "the body could not be read"
        } else {
            "the request failed"
        };
        // The error's own text may hold the URL, which holds no key: allot sends keys in headers.
        let mut cause = String::new();
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            cause = inner.to_string();
            source = inner.source();
        }
        if cause.is_empty() {
            kind.to_owned()
        } else {
            format!("{kind}: {}", self.redact(&cause))
        }
    }

    fn transport_error(&self, call: &ApiCall, reason: String) -> ApiError {
        ApiError::Transport {
            source_id: self.source.clone(),
            path: call.shown(),
            period: call.period.clone(),
            reason,
        }
    }

    /// The progress line of a long pull: which source, call and period, and how many pages.
    pub fn progress(&self, call: &ApiCall, pages: usize) {
        tracing::info!(
            source = self.source,
            call = call.path,
            period = call.period,
            pages,
            "page fetched"
        );
    }

    /// Fetches every page of a paginated report: the first with `call`'s query, each next one
    /// with `page=<next_page>` added, while `has_more` is true.
    pub async fn get_pages(&self, call: &ApiCall) -> Result<Vec<Page>, ApiError> {
        #[derive(Deserialize)]
        struct Paging {
            #[serde(default)]
            has_more: bool,
            next_page: Option<String>,
        }
        let mut pages = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let mut this_page = ApiCall {
                path: call.path.clone(),
                query: call.query.clone(),
                period: call.period.clone(),
                headers: call.headers.clone(),
                page: pages.len() + 1,
            };
            if let Some(token) = &next {
                this_page.query.push(("page".to_owned(), token.clone()));
            }
            let text = self.get(&this_page).await?;
            let paging: Paging = serde_json::from_str(&text).map_err(|error| {
                self.transport_error(
                    &this_page,
                    format!("not a JSON page of the report: {error}"),
                )
            })?;
            pages.push(Page {
                origin: format!(
                    "GET {} for {} page {}",
                    call.path,
                    call.period,
                    pages.len() + 1
                ),
                text,
                scope: None,
            });
            self.progress(call, pages.len());
            match (paging.has_more, paging.next_page) {
                (true, Some(token)) if next.as_ref() == Some(&token) => {
                    return Err(self.transport_error(
                        &this_page,
                        format!("the server gave the page token `{token}` twice"),
                    ));
                }
                (true, Some(token)) => next = Some(token),
                (true, None) => {
                    return Err(self.transport_error(
                        &this_page,
                        "the server says `has_more` but gives no `next_page`".to_owned(),
                    ));
                }
                (false, _) => return Ok(pages),
            }
        }
    }
}

/// The wait a `retry-after` header asks for, in seconds (the form the vendors use).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?;
    let seconds: f64 = text.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
}

/// The message of a vendor's JSON error body (`{"error": {"message": ..}}` for Anthropic and
/// OpenAI, `{"message": ..}` or `{"detail": ..}` elsewhere), shortened.
fn vendor_message(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let error = value.get("error").unwrap_or(&value);
    let message = error
        .get("message")
        .or_else(|| error.get("detail"))
        .and_then(serde_json::Value::as_str)?;
    let kind = error.get("type").and_then(serde_json::Value::as_str);
    let message: String = message.chars().take(200).collect();
    Some(match kind {
        Some(kind) => format!("{kind}: {message}"),
        None => message,
    })
}
