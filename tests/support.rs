//! What the end-to-end tests stand on: the real `allot` binary, the dashboard built by trunk,
//! `allot serve`, and headless Chromium driven through ChromeDriver (WebDriver).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::io::{AsyncBufReadExt, BufReader};
use xtask::tools::{self, CHROMEDRIVER, CHROMIUM, run, workspace_root};

/// A folder for one test's files under `target/e2e`, emptied first. Kept after the test, so
/// its screenshot and data can be looked at.
pub fn work_folder(name: &str) -> PathBuf {
    let folder = target_dir().join("e2e").join(name);
    if folder.exists() {
        std::fs::remove_dir_all(&folder).expect("the old test folder can be removed");
    }
    std::fs::create_dir_all(&folder).expect("the test folder can be created");
    folder
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

/// Runs a Python script that starts with `import duckdb` (the DuckDB package of the project's
/// Python environment) and returns what it printed, trimmed.
pub fn duckdb(script: &str) -> String {
    let output = Command::new(tools::python_env().join("bin/python"))
        .args(["-c", &format!("import duckdb\n{script}")])
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// The `allot` binary, built (debug) once per test run.
pub fn allot_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        run(Command::new(cargo)
            .args(["build", "--quiet", "-p", "allot"])
            .current_dir(workspace_root()))
        .expect("the collector builds");
        target_dir().join("debug/allot")
    })
}

/// The dashboard, built with trunk (release) once per test run.
pub fn built_site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let dist = target_dir().join("e2e-site");
        tools::build_site(&dist).expect(
            "the dashboard builds; `cargo xtask test` installs trunk, wasm-bindgen and plotly.js",
        );
        dist
    })
}

/// A running `allot serve`, stopped when dropped.
pub struct Preview {
    pub url: String,
    child: tokio::process::Child,
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// Starts `allot serve` for `site` and `data` on a free port.
pub async fn serve(site: &Path, data: &Path) -> Result<Preview> {
    let mut child = tokio::process::Command::new(allot_binary())
        .arg("serve")
        .arg("--site")
        .arg(site)
        .arg("--data")
        .arg(data)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("cannot start allot serve")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .context("allot serve printed no address in 30 s")??
        .context("allot serve ended before printing its address")?;
    let url = line.rsplit(' ').next().unwrap_or_default().to_owned();
    if !url.starts_with("http://127.0.0.1:") {
        bail!("unexpected first line from allot serve: {line}");
    }
    Ok(Preview { url, child })
}

/// Headless Chromium behind ChromeDriver, both stopped when dropped.
pub struct Browser {
    pub client: Client,
    _driver: tokio::process::Child,
}

/// Starts ChromeDriver and a headless Chromium session with a 1400×1800 window.
pub async fn browser() -> Result<Browser> {
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let driver = tokio::process::Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {CHROMEDRIVER}"))?;
    let profile = std::env::temp_dir().join(format!("allot-e2e-chromium-{port}"));
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1400,1800",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let address = format!("http://127.0.0.1:{port}");
    let mut last_error = None;
    for _ in 0..100 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&address)
            .await
        {
            Ok(client) => {
                return Ok(Browser {
                    client,
                    _driver: driver,
                });
            }
            Err(error) => last_error = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("ChromeDriver did not accept a session: {last_error:?}")
}

impl Browser {
    /// Opens `url` and waits until the dashboard's root says `data-state` is not `loading`.
    pub async fn open_dashboard(&self, url: &str) -> Result<String> {
        self.client.goto(url).await?;
        let root = self
            .client
            .wait()
            .at_most(Duration::from_mins(1))
            .for_element(Locator::Css("[data-state=ready], [data-state=error]"))
            .await
            .context("the dashboard neither drew nor showed an error within 60 s")?;
        Ok(root.attr("data-state").await?.unwrap_or_default())
    }

    /// The exact total the page shows: `#total`'s `data-exact`.
    pub async fn exact_total(&self) -> Result<Option<String>> {
        let total = self.client.find(Locator::Id("total")).await?;
        Ok(total.attr("data-exact").await?)
    }

    /// The texts of the elements `css` selects.
    pub async fn texts(&self, css: &str) -> Result<Vec<String>> {
        let mut texts = Vec::new();
        for element in self.client.find_all(Locator::Css(css)).await? {
            texts.push(element.text().await?);
        }
        Ok(texts)
    }

    /// Sets a form field's value as a person's edit would, firing `input` and `change`.
    pub async fn set_value(&self, id: &str, value: &str) -> Result<()> {
        self.client
            .execute(
                "const field = document.getElementById(arguments[0]);
                 field.value = arguments[1];
                 field.dispatchEvent(new Event('input', { bubbles: true }));
                 field.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![id.into(), value.into()],
            )
            .await?;
        Ok(())
    }

    /// Closes the session.
    pub async fn close(self) -> Result<()> {
        self.client.close().await?;
        Ok(())
    }
}

/// A running S3-compatible server (moto, from `.tools/venv`) on a free port, stopped when
/// dropped, with one bucket.
pub struct S3Server {
    pub endpoint: String,
    pub bucket: String,
    child: tokio::process::Child,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

impl S3Server {
    /// Starts the server and creates `bucket`.
    pub async fn start(bucket: &str) -> Result<Self> {
        let program = tools::python_env().join("bin/moto_server");
        if !program.is_file() {
            bail!(
                "{} is missing: `cargo xtask test` installs it",
                program.display()
            );
        }
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = tokio::process::Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {}", program.display()))?;
        let server = S3Server {
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket: bucket.to_owned(),
            child,
        };
        let client = reqwest::Client::new();
        let bucket_url = format!("{}/{bucket}", server.endpoint);
        let mut created = false;
        for _ in 0..100 {
            if let Ok(response) = client.put(&bucket_url).send().await
                && response.status().is_success()
            {
                created = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if !created {
            bail!(
                "the S3 server at {} did not create the bucket in 10 s",
                server.endpoint
            );
        }
        // Readable by anyone, as a bucket that hosts the dashboard is (see the README).
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": format!("arn:aws:s3:::{bucket}/*"),
            }],
        });
        client
            .put(format!("{bucket_url}?policy"))
            .header("Content-Type", "application/json")
            .body(policy.to_string())
            .send()
            .await?
            .error_for_status()
            .context("the S3 server refused the bucket policy")?;
        Ok(server)
    }

    /// The environment `allot` reads the server's address and credentials from.
    pub fn environment(&self) -> [(&'static str, String); 5] {
        [
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".to_owned()),
            ("AWS_ACCESS_KEY_ID", "allot-test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "allot-test-secret".to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
        ]
    }

    /// `s3://<bucket>/<folder>`.
    pub fn url(&self, folder: &str) -> String {
        format!("s3://{}/{folder}", self.bucket)
    }

    /// The object at `key` in the bucket, over plain HTTP as a browser would fetch it.
    pub async fn fetch(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let url = format!("{}/{}/{key}", self.endpoint, self.bucket);
        let response = reqwest::get(&url).await?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        Ok(Some(response.error_for_status()?.bytes().await?.to_vec()))
    }

    /// The keys in the bucket under `prefix`, from the ListObjectsV2 XML.
    pub async fn keys(&self, prefix: &str) -> Result<Vec<String>> {
        let url = format!(
            "{}/{}?list-type=2&prefix={prefix}",
            self.endpoint, self.bucket
        );
        let body = reqwest::get(&url).await?.error_for_status()?.text().await?;
        Ok(body
            .split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split_once("</Key>").map(|(key, _)| key.to_owned()))
            .collect())
    }
}
