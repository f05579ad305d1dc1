//! Object stores that misbehave the way real ones do, for tests (unit and
//! integration): each wraps a working store and changes only create-only
//! puts (`PutMode::Create`).
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use futures::stream::BoxStream;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMode, PutMultipartOptions, PutOptions, PutPayload, PutResult, Result,
};

use crate::store::Store;

/// How a wrapped store answers a create-only put.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Writes, then answers `AlreadyExists`: a create that won but whose
    /// answer was lost, retried by object_store (5xx/429/timeout) and then
    /// refused by the object it made itself. Every `every`-th create.
    WonButAlreadyExists { every: u64 },
    /// Answers `AlreadyExists` without writing, once per `every` creates:
    /// S3's `409 ConditionalRequestConflict` for concurrent creates of one
    /// key, which object_store reports as `AlreadyExists` too.
    ConflictNotWritten { every: u64 },
    /// Treats a create as a plain overwrite: Garage 2.5 ignores
    /// `If-None-Match: *` on PUT, so two writers both "win".
    IgnoresCreate,
}

/// A store that misbehaves on create-only puts as `fault` says.
#[derive(Debug)]
pub struct Faulty {
    inner: Store,
    fault: Fault,
    creates: AtomicU64,
}

impl Faulty {
    pub fn wrap(inner: Store, fault: Fault) -> Store {
        Arc::new(Faulty {
            inner,
            fault,
            creates: AtomicU64::new(0),
        })
    }
}

impl fmt::Display for Faulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Faulty({:?}, {})", self.fault, self.inner)
    }
}

fn already_exists(location: &Path) -> object_store::Error {
    object_store::Error::AlreadyExists {
        path: location.to_string(),
        source: "injected by faults::Faulty".into(),
    }
}

#[async_trait]
impl ObjectStore for Faulty {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        if opts.mode != PutMode::Create {
            return self.inner.put_opts(location, payload, opts).await;
        }
        let n = self.creates.fetch_add(1, Ordering::Relaxed) + 1;
        match self.fault {
            Fault::WonButAlreadyExists { every } if n.is_multiple_of(every.max(1)) => {
                self.inner.put_opts(location, payload, opts).await?;
                Err(already_exists(location))
            }
            Fault::ConflictNotWritten { every } if n.is_multiple_of(every.max(1)) => {
                Err(already_exists(location))
            }
            Fault::IgnoresCreate => {
                let opts = PutOptions {
                    mode: PutMode::Overwrite,
                    ..opts
                };
                self.inner.put_opts(location, payload, opts).await
            }
            _ => self.inner.put_opts(location, payload, opts).await,
        }
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        self.inner.get_opts(location, options).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}
