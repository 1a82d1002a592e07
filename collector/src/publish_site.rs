//! `allot publish-site`: copies the built dashboard next to the data set, so that one bucket
//! or one static host serves the whole product.
//!
//! The site's assets carry content hashes in their names (trunk names them so); they go out
//! first and `index.html` last, so a visitor never loads a page whose assets are not there yet.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bytes::Bytes;

use crate::store::Destination;

/// Uploads every file of `site` to `out`; returns how many.
pub async fn publish_site(site: &Path, out: &str) -> Result<usize> {
    if !site.join("index.html").is_file() {
        bail!(
            "`{}` has no index.html: build the dashboard first (`cargo xtask build-site`)",
            site.display()
        );
    }
    let destination = Destination::open(out)?;
    let mut files = Vec::new();
    collect_files(site, &mut files)?;
    files.sort_by_key(|path| path.ends_with("index.html"));
    for path in &files {
        let relative = path
            .strip_prefix(site)
            .context("a site file outside the site folder")?
            .to_string_lossy()
            .replace('\\', "/");
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        destination.put(&relative, Bytes::from(bytes)).await?;
    }
    tracing::info!(site = %site.display(), out = destination.shown(), files = files.len(), "site published");
    Ok(files.len())
}

fn collect_files(folder: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(folder).with_context(|| format!("cannot list `{}`", folder.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot list `{}`", folder.display()))?
            .path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}
