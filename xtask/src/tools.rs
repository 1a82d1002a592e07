//! The tools allot builds and tests with, at pinned versions, installed when missing.
//!
//! A tool already on `PATH` at the pinned version is reused; otherwise it is installed the
//! ordinary way for its kind: `cargo install` for trunk and wasm-bindgen-cli, `npm ci` for
//! plotly.js, `rustup` for the wasm32 target, and Debian's packages for Chromium and its
//! driver (browser tests only).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// trunk 0.22 needs a newer rustc than the stable toolchain these machines have.
pub const TRUNK_VERSION: &str = "0.21.14";

/// Must equal the `wasm-bindgen` crate version pinned in `app/Cargo.toml` and `Trunk.toml`.
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";

/// The S3-compatible server the publishing tests run, and DuckDB, which reads what allot
/// publishes in a test, both from PyPI into `.tools/venv`.
pub const PYTHON_PACKAGES: [&str; 2] = ["moto[server]==5.2.5", "duckdb==1.5.6"];

/// Where Debian installs Chromium and its WebDriver.
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The repository's root folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Runs `command`, failing with its command line when it fails.
pub fn run(command: &mut Command) -> Result<()> {
    let line = format!("{command:?}");
    let status = command
        .status()
        .with_context(|| format!("cannot start {line}"))?;
    if !status.success() {
        bail!("{line} failed ({status})");
    }
    Ok(())
}

/// The first line a tool prints for `--version`, if it runs.
fn version_of(program: &str) -> Option<String> {
    let output = Command::new(program).arg("--version").output().ok()?;
    output.status.success().then(|| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    })
}

/// Installs what building the dashboard needs: the wasm32 target, trunk, wasm-bindgen-cli and
/// the npm assets.
pub fn ensure_build_tools() -> Result<()> {
    let root = workspace_root();
    let targets = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    let has_wasm = targets.is_ok_and(|output| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .any(|t| t == "wasm32-unknown-unknown")
    });
    if !has_wasm {
        eprintln!("installing the wasm32-unknown-unknown target");
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }

    ensure_cargo_tool("trunk", "trunk", TRUNK_VERSION, true)?;
    // wasm-bindgen-cli's own lock file names a crate version the registry may lack: install it
    // without `--locked`.
    ensure_cargo_tool(
        "wasm-bindgen",
        "wasm-bindgen-cli",
        WASM_BINDGEN_VERSION,
        false,
    )?;

    let plotly = root.join("node_modules/plotly.js-basic-dist-min/plotly-basic.min.js");
    if !plotly.is_file() {
        eprintln!("installing the npm assets (plotly.js)");
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&root))?;
    }
    Ok(())
}

fn ensure_cargo_tool(program: &str, package: &str, version: &str, locked: bool) -> Result<()> {
    let found = version_of(program);
    if found
        .as_deref()
        .is_some_and(|line| line.split_whitespace().any(|word| word == version))
    {
        return Ok(());
    }
    eprintln!(
        "installing {package} {version} (found: {}); this takes a few minutes once",
        found.as_deref().unwrap_or("none")
    );
    let mut install = Command::new("cargo");
    install.args(["install", "--force", &format!("{package}@{version}")]);
    if locked {
        install.arg("--locked");
    }
    run(&mut install)
}

/// Installs Debian's Chromium and ChromeDriver when they are missing and this is a Debian
/// machine where we are root; otherwise says how.
pub fn ensure_browser() -> Result<()> {
    if Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file() {
        return Ok(());
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0");
    if !is_root || !Path::new("/usr/bin/apt-get").is_file() {
        bail!(
            "the browser tests need Chromium and ChromeDriver at {CHROMIUM} and {CHROMEDRIVER}: \
             install Debian's `chromium` and `chromium-driver` packages"
        );
    }
    eprintln!("installing Debian's chromium and chromium-driver");
    run(Command::new("apt-get").arg("update").arg("-qq"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "chromium", "chromium-driver"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Builds the dashboard with trunk (release profile) into `dist`.
pub fn build_site(dist: &Path) -> Result<()> {
    let root = workspace_root();
    run(Command::new("trunk")
        .args(["build", "--release", "--dist"])
        .arg(dist)
        .current_dir(&root)
        .env("TRUNK_OFFLINE", "true")
        .env("TRUNK_SKIP_VERSION_CHECK", "true"))
}

/// The project's Python environment (`.tools/venv`), with [`PYTHON_PACKAGES`].
pub fn python_env() -> PathBuf {
    workspace_root().join(".tools/venv")
}

/// Creates `.tools/venv` with [`PYTHON_PACKAGES`] when they are missing.
pub fn ensure_python_packages() -> Result<()> {
    let venv = python_env();
    let marker = venv.join("allot-packages.txt");
    let wanted = PYTHON_PACKAGES.join("\n");
    if std::fs::read_to_string(&marker).is_ok_and(|found| found == wanted) {
        return Ok(());
    }
    eprintln!(
        "installing {} into {}",
        PYTHON_PACKAGES.join(", "),
        venv.display()
    );
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(PYTHON_PACKAGES))?;
    std::fs::write(&marker, wanted).with_context(|| format!("cannot write `{}`", marker.display()))
}
