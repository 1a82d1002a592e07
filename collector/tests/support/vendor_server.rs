//! A vendor API server for the collector's tests, on 127.0.0.1: it answers each request from a
//! list of scripted routes, in the vendors' shapes and with their faults (429 with
//! `retry-after`, 5xx, a body cut short, a slow answer), refuses a wrong key as the vendors do,
//! and keeps every request it received for the tests to check.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

/// The keys the server accepts, distinctive enough to be searched for in every output.
pub const ANTHROPIC_KEY: &str = "sk-ant-admin01-allot-test-Zq81vXw3";
pub const OPENAI_KEY: &str = "sk-admin-allot-test-Jr27mNb9";
pub const MISTRAL_KEY: &str = "mistral-admin-allot-test-Hp64tKc5";

/// A page with no buckets, as each vendor writes it.
pub const ANTHROPIC_EMPTY: &str = r#"{"data":[],"has_more":false,"next_page":null}"#;
pub const OPENAI_EMPTY: &str = r#"{"object":"page","data":[],"has_more":false,"next_page":null}"#;
/// The paths the pulls call.
pub const COST_REPORT: &str = "/v1/organizations/cost_report";
pub const MESSAGES_USAGE: &str = "/v1/organizations/usage_report/messages";
pub const COSTS: &str = "/v1/organization/costs";
pub const COMPLETIONS_USAGE: &str = "/v1/organization/usage/completions";

/// One answer of the test server.
#[derive(Clone)]
pub enum Reply {
    Json(String),
    Status {
        status: StatusCode,
        body: String,
        retry_after: Option<&'static str>,
    },
    /// The first half of the body, with the whole body's `Content-Length`; then the connection
    /// is closed.
    Truncated(String),
    /// The body after a wait.
    Slow(Duration, String),
}

pub fn json(text: &str) -> Reply {
    Reply::Json(text.to_owned())
}

pub fn server_error() -> Reply {
    Reply::Status {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        body: r#"{"type":"error","error":{"type":"api_error","message":"Internal server error"}}"#
            .to_owned(),
        retry_after: None,
    }
}

/// The answers to the requests for `path` whose query holds every pair of `query`: one after
/// the other, the last one again for every later request.
pub struct Route {
    path: &'static str,
    query: Vec<(String, String)>,
    replies: VecDeque<Reply>,
}

pub fn route(path: &'static str, query: &[(&str, &str)], replies: Vec<Reply>) -> Route {
    Route {
        path,
        query: query
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect(),
        replies: replies.into(),
    }
}

/// A request the server received.
#[derive(Clone, Debug)]
pub struct Received {
    pub at: Instant,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
}

impl Received {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn params(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }
}

struct Script {
    routes: Vec<Route>,
    received: Vec<Received>,
}

/// A vendor API server on 127.0.0.1, answering from its routes.
pub struct VendorServer {
    pub url: String,
    script: Arc<Mutex<Script>>,
    _runtime: tokio::runtime::Runtime,
}

impl VendorServer {
    pub fn start(routes: Vec<Route>) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let script = Arc::new(Mutex::new(Script {
            routes,
            received: Vec::new(),
        }));
        let app = Router::new().fallback(answer).with_state(script.clone());
        runtime.spawn(async move { axum::serve(listener, app).await });
        VendorServer {
            url,
            script,
            _runtime: runtime,
        }
    }

    /// The requests received for `path`, in order.
    pub fn received(&self, path: &str) -> Vec<Received> {
        let script = self.script.lock().expect("script");
        script
            .received
            .iter()
            .filter(|request| request.path == path)
            .cloned()
            .collect()
    }

    /// Replaces the routes, for the next run against the same server.
    pub fn answer_with(&self, routes: Vec<Route>) {
        self.script.lock().expect("script").routes = routes;
    }
}

async fn answer(State(script): State<Arc<Mutex<Script>>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let headers = request.headers().clone();
    if let Some(refusal) = refuse_key(&path, &headers) {
        return refusal;
    }
    let reply = {
        let mut script = script.lock().expect("script");
        script.received.push(Received {
            at: Instant::now(),
            path: path.clone(),
            query: query.clone(),
            headers,
        });
        let found = script.routes.iter_mut().find(|route| {
            route.path == path && route.query.iter().all(|pair| query.contains(pair))
        });
        match found {
            Some(route) if route.replies.len() > 1 => route.replies.pop_front(),
            Some(route) => route.replies.front().cloned(),
            None => None,
        }
    };
    let Some(reply) = reply else {
        return respond(
            StatusCode::NOT_FOUND,
            r#"{"error":{"message":"no such route"}}"#,
        );
    };
    match reply {
        Reply::Json(body) => respond(StatusCode::OK, &body),
        Reply::Status {
            status,
            body,
            retry_after,
        } => {
            let mut response = respond(status, &body);
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, seconds.parse().expect("header"));
            }
            response
        }
        Reply::Truncated(body) => {
            use futures_util::StreamExt as _;

            let half = body.as_bytes()[..body.len() / 2].to_vec();
            let first = futures_util::stream::iter([Ok::<_, std::io::Error>(half)]);
            let drop = futures_util::stream::once(async {
                // Long enough for the headers and the first half to reach the client.
                tokio::time::sleep(Duration::from_millis(100)).await;
                Err(std::io::Error::other("the connection drops"))
            });
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::CONTENT_LENGTH, body.len())
                .body(Body::from_stream(first.chain(drop)))
                .expect("response")
        }
        Reply::Slow(wait, body) => {
            tokio::time::sleep(wait).await;
            respond(StatusCode::OK, &body)
        }
    }
}

/// The vendor's 401 for a request without its key, echoing the key it got (as some servers
/// do), so that a leak of it would show.
fn refuse_key(path: &str, headers: &HeaderMap) -> Option<Response> {
    let given = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (sent, expected) = if path.starts_with("/v1/organizations/") {
        if given("anthropic-version") != "2023-06-01" {
            return Some(respond(
                StatusCode::BAD_REQUEST,
                r#"{"error":{"message":"anthropic-version"}}"#,
            ));
        }
        (given("x-api-key"), ANTHROPIC_KEY.to_owned())
    } else if path.starts_with("/v1/organization/") {
        (given("authorization"), format!("Bearer {OPENAI_KEY}"))
    } else {
        (given("x-api-key"), MISTRAL_KEY.to_owned())
    };
    (sent != expected).then(|| {
        let body = serde_json::json!({
            "type": "error",
            "error": {"type": "authentication_error", "message": format!("invalid key {sent}")}
        });
        respond(StatusCode::UNAUTHORIZED, &body.to_string())
    })
}

fn respond(status: StatusCode, body: &str) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .expect("response")
}
