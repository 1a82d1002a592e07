//! `allot serve`: the built dashboard and a data folder on 127.0.0.1, for a local preview.
//!
//! The site is served at `/` and the data set at `/data/`, the relative path the dashboard
//! reads by default, so the preview behaves as the published bucket will.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use axum::Router;
use tower_http::services::ServeDir;

/// What to serve, and where.
pub struct ServeRequest {
    pub site: PathBuf,
    pub data: PathBuf,
    pub address: SocketAddr,
}

/// Serves until the process is stopped (Ctrl-C).
pub async fn serve(request: ServeRequest) -> Result<()> {
    if !request.site.join("index.html").is_file() {
        bail!(
            "`{}` has no index.html: build the dashboard first (`cargo xtask demo` does)",
            request.site.display()
        );
    }
    let app = Router::new()
        .nest_service("/data", ServeDir::new(&request.data))
        .fallback_service(ServeDir::new(&request.site));
    let listener = tokio::net::TcpListener::bind(request.address)
        .await
        .with_context(|| format!("cannot listen on {}", request.address))?;
    let address = listener.local_addr().context("no local address")?;
    tracing::info!(site = %request.site.display(), data = %request.data.display(), "serving");
    // The URL on stdout is the command's output: scripts and tests read it.
    #[expect(clippy::print_stdout, reason = "the URL is what the command prints")]
    {
        println!("allot dashboard: http://{address}/");
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the server stopped")
}
