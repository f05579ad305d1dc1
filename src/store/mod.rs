//! The device's IndexedDB database, through rexie. Effects only: what to
//! store is decided elsewhere; this module only reads and writes it.
use std::cell::RefCell;
use std::rc::Rc;

use rexie::{ObjectStore, Rexie, TransactionMode, TransactionResult};
use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::JsValue;

/// The database name used by the app.
pub const DB_NAME: &str = "linli";
/// Schema version; every bump needs an upgrade path (see ARCHITECTURE.md).
pub const DB_VERSION: u32 = 1;
/// Small key → value records: device settings, identity, cursors.
pub const META: &str = "meta";

/// Meta keys.
pub mod keys {
    pub const DEVICE_NAME: &str = "device_name";
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// IndexedDB is missing or refused (private mode, blocked site data…).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// A read or write failed.
    #[error("storage error: {0}")]
    Failed(String),
    /// A stored value did not decode; the data is left as it is.
    #[error("stored data unreadable: {0}")]
    Corrupt(String),
}

impl From<rexie::Error> for StoreError {
    fn from(e: rexie::Error) -> Self {
        StoreError::Failed(format!("{e:?}"))
    }
}

/// An open database.
#[derive(Clone)]
pub struct Store {
    db: Rc<Rexie>,
}

thread_local! {
    static DEFAULT: RefCell<Option<Store>> = const { RefCell::new(None) };
}

impl Store {
    /// The app's database, opened once per page and shared.
    pub async fn default_db() -> Result<Store, StoreError> {
        if let Some(store) = DEFAULT.with(|d| d.borrow().clone()) {
            return Ok(store);
        }
        let store = Store::open(DB_NAME).await?;
        DEFAULT.with(|d| *d.borrow_mut() = Some(store.clone()));
        Ok(store)
    }

    /// Opens (creating or upgrading) the database `name`.
    pub async fn open(name: &str) -> Result<Store, StoreError> {
        let db = Rexie::builder(name)
            .version(DB_VERSION)
            .add_object_store(ObjectStore::new(META))
            .build()
            .await
            .map_err(|e| StoreError::Unavailable(format!("{e:?}")))?;
        Ok(Store { db: Rc::new(db) })
    }

    /// Closes this connection once no clone of it is left. A deletion or a
    /// schema upgrade elsewhere waits until every connection is closed.
    pub fn close(self) {
        if let Ok(db) = Rc::try_unwrap(self.db) {
            db.close();
        }
    }

    /// Deletes the database `name` (tests, and a future "reset device").
    pub async fn delete(name: &str) -> Result<(), StoreError> {
        Rexie::delete(name).await.map_err(StoreError::from)
    }

    pub async fn get_meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadOnly)?;
        let value = tx.store(META)?.get(JsValue::from_str(key)).await?;
        tx.done().await?;
        match value {
            None => Ok(None),
            Some(v) if v.is_undefined() => Ok(None),
            Some(v) => serde_wasm_bindgen::from_value(v)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(format!("{key}: {e}"))),
        }
    }

    /// Writes one record in its own transaction; returns once it is durable.
    pub async fn put_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let js =
            serde_wasm_bindgen::to_value(value).map_err(|e| StoreError::Failed(e.to_string()))?;
        let tx = self.db.transaction(&[META], TransactionMode::ReadWrite)?;
        tx.store(META)?
            .put(&js, Some(&JsValue::from_str(key)))
            .await?;
        match tx.done().await? {
            TransactionResult::Committed => Ok(()),
            TransactionResult::Aborted => Err(StoreError::Failed("transaction aborted".into())),
        }
    }
}
