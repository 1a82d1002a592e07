//! Where allot publishes: a local folder or any object store URL (`s3://`, `gs://`, `az://`).
//!
//! Credentials come the usual way for each cloud, read by `object_store` from the environment
//! (`AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`, `GOOGLE_APPLICATION_CREDENTIALS`,
//! `AZURE_STORAGE_ACCOUNT_NAME`, ...) or the instance's role; they are never logged, and a URL
//! is only ever shown without its user, password and query.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::prefix::PrefixStore;
use object_store::{Attribute, Attributes, ObjectStore, ObjectStoreExt, PutOptions, PutPayload};
use url::Url;

/// A folder of a store that files are read from and published to.
pub struct Destination {
    store: Arc<dyn ObjectStore>,
    /// Whether the store keeps a `Content-Type` per object (object stores do, folders do not).
    keeps_content_types: bool,
    shown: String,
}

impl Destination {
    /// Opens `location`: a local path (created if missing), a `file://` URL, or an object store
    /// URL whose path is the folder within the bucket.
    pub fn open(location: &str) -> Result<Self> {
        let Some((scheme, _)) = location.split_once("://") else {
            return Self::open_folder(std::path::Path::new(location));
        };
        let url = Url::parse(location)
            .with_context(|| format!("`{}` is not a valid URL", redact(location)))?;
        if scheme == "file" {
            let path = url
                .to_file_path()
                .map_err(|()| anyhow::anyhow!("`{}` is not a local path", redact(location)))?;
            return Self::open_folder(&path);
        }
        let shown = redact(location);
        let bucket_url = format!("{scheme}://{}", url.host_str().unwrap_or_default());
        let store: Arc<dyn ObjectStore> = match scheme {
            "s3" | "s3a" => Arc::new(
                AmazonS3Builder::from_env()
                    .with_url(bucket_url)
                    .build()
                    .with_context(|| format!("cannot open `{shown}`"))?,
            ),
            "gs" => Arc::new(
                GoogleCloudStorageBuilder::from_env()
                    .with_url(bucket_url)
                    .build()
                    .with_context(|| format!("cannot open `{shown}`"))?,
            ),
            "az" | "abfs" | "abfss" => Arc::new(
                MicrosoftAzureBuilder::from_env()
                    .with_url(bucket_url)
                    .build()
                    .with_context(|| format!("cannot open `{shown}`"))?,
            ),
            other => bail!(
                "`{shown}`: allot publishes to a folder or to s3://, gs:// or az:// URLs, \
                 not `{other}://`"
            ),
        };
        let prefix = url.path().trim_matches('/').to_owned();
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            store
        } else {
            Arc::new(PrefixStore::new(store, prefix.as_str()))
        };
        Ok(Destination {
            store,
            keeps_content_types: true,
            shown,
        })
    }

    fn open_folder(path: &std::path::Path) -> Result<Self> {
        std::fs::create_dir_all(path)
            .with_context(|| format!("cannot create the folder `{}`", path.display()))?;
        let store = LocalFileSystem::new_with_prefix(path)
            .with_context(|| format!("cannot open the folder `{}`", path.display()))?;
        Ok(Destination {
            store: Arc::new(store),
            keeps_content_types: false,
            shown: path.display().to_string(),
        })
    }

    /// The location as it may be shown: without credentials or query.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Writes `bytes` at `relative`, with its content type where the store keeps one.
    pub async fn put(&self, relative: &str, bytes: Bytes) -> Result<()> {
        let mut options = PutOptions::default();
        if self.keeps_content_types {
            let mut attributes = Attributes::new();
            attributes.insert(Attribute::ContentType, content_type(relative).into());
            options.attributes = attributes;
        }
        self.store
            .put_opts(
                &StorePath::from(relative),
                PutPayload::from_bytes(bytes),
                options,
            )
            .await
            .with_context(|| format!("cannot write `{relative}` to `{}`", self.shown))?;
        Ok(())
    }

    /// Reads `relative`, or `None` when there is no such file.
    pub async fn get(&self, relative: &str) -> Result<Option<Bytes>> {
        match self.store.get(&StorePath::from(relative)).await {
            Ok(result) => {
                let bytes = result
                    .bytes()
                    .await
                    .with_context(|| format!("cannot read `{relative}` from `{}`", self.shown))?;
                Ok(Some(bytes))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error)
                .with_context(|| format!("cannot read `{relative}` from `{}`", self.shown)),
        }
    }

    /// Removes `relative`; a file already gone is not an error.
    pub async fn delete(&self, relative: &str) -> Result<()> {
        match self.store.delete(&StorePath::from(relative)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error)
                .with_context(|| format!("cannot remove `{relative}` from `{}`", self.shown)),
        }
    }
}

/// The `Content-Type` a browser needs for a file of the site or the data set.
fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, extension)| extension);
    match extension {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "toml" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `location` without a user, password or query, for messages and logs.
pub fn redact(location: &str) -> String {
    match Url::parse(location) {
        Ok(mut url) if url.scheme() != "file" => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.to_string()
        }
        _ => location.split('?').next().unwrap_or(location).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{content_type, redact};

    #[test]
    fn urls_are_shown_without_credentials() {
        assert_eq!(
            redact("s3://key:secret@bucket/data?token=abc"),
            "s3://bucket/data"
        );
        assert_eq!(redact("gs://bucket/allot/data"), "gs://bucket/allot/data");
        assert_eq!(redact("site/data"), "site/data");
    }

    #[test]
    fn browsers_get_the_content_types_they_need() {
        assert_eq!(content_type("allot-app-1234_bg.wasm"), "application/wasm");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("source=openai/month=2026-10/charges-ab.parquet"),
            "application/octet-stream"
        );
    }
}
