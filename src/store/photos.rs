//! Photos on this device (docs/photos.md): `PHOTO_OUTBOX` holds the bytes
//! made here and not yet uploaded, written in the same transaction as the
//! op that names them (`Store::append_local_full`); `PHOTOS` holds what
//! this device may show — uploaded ones it made and ones it downloaded.
//! Both keyed by SHA-256; a record is `{wish, type, bytes: Uint8Array}`.
use js_sys::{Object, Reflect, Uint8Array};
use linli_core::WishId;
use wasm_bindgen::{JsCast, JsValue};

use super::{PHOTO_OUTBOX, PHOTOS, Store, StoreError, finish, read_tx, write_tx};

/// One image (a full photo or a thumbnail) as the device keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalPhoto {
    /// SHA-256 of `bytes`, lowercase hex.
    pub sha: String,
    /// The wish it belongs to.
    pub wish: WishId,
    /// `image/webp` or `image/jpeg`.
    pub mime: String,
    /// The encoded image.
    pub bytes: Vec<u8>,
}

impl LocalPhoto {
    pub(super) fn to_js(&self) -> Result<(JsValue, JsValue), StoreError> {
        let o = Object::new();
        let set = |k: &str, v: &JsValue| {
            Reflect::set(&o, &k.into(), v).map_err(|_| StoreError::Failed("photo record".into()))
        };
        set("wish", &self.wish.as_str().into())?;
        set("type", &self.mime.as_str().into())?;
        set("bytes", &Uint8Array::from(&self.bytes[..]).into())?;
        Ok((o.into(), JsValue::from_str(&self.sha)))
    }

    fn from_js(sha: String, v: &JsValue) -> Result<LocalPhoto, StoreError> {
        let get = |k: &str| Reflect::get(v, &k.into()).ok();
        let text = |k: &str| get(k).and_then(|x| x.as_string());
        let bytes = get("bytes")
            .and_then(|b| b.dyn_into::<Uint8Array>().ok())
            .ok_or_else(|| StoreError::Corrupt(format!("photo {sha}: no bytes")))?;
        Ok(LocalPhoto {
            wish: WishId(text("wish").unwrap_or_default()),
            mime: text("type").unwrap_or_else(|| "image/webp".into()),
            bytes: bytes.to_vec(),
            sha,
        })
    }
}

/// How much the photos on this device take.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PhotoUsage {
    /// Images held (full and thumbnails, uploaded or not).
    pub count: usize,
    /// Their bytes.
    pub bytes: f64,
    /// Of them, waiting to be uploaded.
    pub pending: usize,
}

impl Store {
    /// Photos made here and waiting for upload.
    pub async fn pending_photos(&self) -> Result<Vec<LocalPhoto>, StoreError> {
        let tx = read_tx(&self.db, &[PHOTO_OUTBOX])?;
        let store = tx.object_store(PHOTO_OUTBOX)?;
        let keys = store.get_all_keys(None, None)?.await?;
        let values = store.get_all(None, None)?.await?;
        tx.await?;
        keys.iter()
            .zip(values.iter())
            .map(|(k, v)| LocalPhoto::from_js(k.as_string().unwrap_or_default(), v))
            .collect()
    }

    /// The endpoint took `sha` (`keep`: it moves to `PHOTOS`), or refused
    /// it for good (it goes): one transaction.
    pub async fn settle_photo(&self, sha: &str, keep: bool) -> Result<(), StoreError> {
        let key = JsValue::from_str(sha);
        let (tx, raw) = write_tx(&self.db, &[PHOTO_OUTBOX, PHOTOS])?;
        let body = async {
            let outbox = tx.object_store(PHOTO_OUTBOX)?;
            if let Some(v) = outbox.get(key.clone())?.await?
                && keep
            {
                tx.object_store(PHOTOS)?.put(&v, Some(&key))?.await?;
            }
            outbox.delete(key.clone())?.await?;
            Ok(())
        }
        .await;
        finish(tx, raw, body).await
    }

    /// The image `sha` if this device holds it (uploaded, downloaded or waiting).
    pub async fn photo(&self, sha: &str) -> Result<Option<LocalPhoto>, StoreError> {
        let tx = read_tx(&self.db, &[PHOTOS, PHOTO_OUTBOX])?;
        let key = JsValue::from_str(sha);
        let mut found = tx.object_store(PHOTOS)?.get(key.clone())?.await?;
        if found.as_ref().is_none_or(JsValue::is_undefined) {
            found = tx.object_store(PHOTO_OUTBOX)?.get(key)?.await?;
        }
        tx.await?;
        match found {
            Some(v) if !v.is_undefined() => Ok(Some(LocalPhoto::from_js(sha.to_owned(), &v)?)),
            _ => Ok(None),
        }
    }

    /// The hashes of the images in `PHOTOS` (not the outbox).
    pub async fn held_photos(&self) -> Result<Vec<String>, StoreError> {
        let tx = read_tx(&self.db, &[PHOTOS])?;
        let keys = tx.object_store(PHOTOS)?.get_all_keys(None, None)?.await?;
        tx.await?;
        Ok(keys.iter().filter_map(|k| k.as_string()).collect())
    }

    /// Keeps a downloaded image.
    pub async fn put_photo(&self, photo: &LocalPhoto) -> Result<(), StoreError> {
        let (value, key) = photo.to_js()?;
        let (tx, raw) = write_tx(&self.db, &[PHOTOS])?;
        let body = async {
            tx.object_store(PHOTOS)?.put(&value, Some(&key))?.await?;
            Ok(())
        }
        .await;
        finish(tx, raw, body).await
    }

    /// Drops these images from `PHOTOS` (never from the outbox).
    pub async fn drop_photos(&self, shas: &[String]) -> Result<(), StoreError> {
        if shas.is_empty() {
            return Ok(());
        }
        let (tx, raw) = write_tx(&self.db, &[PHOTOS])?;
        let body = async {
            let store = tx.object_store(PHOTOS)?;
            for s in shas {
                store.delete(JsValue::from_str(s))?.await?;
            }
            Ok(())
        }
        .await;
        finish(tx, raw, body).await
    }

    /// What the photos on this device take (the settings' storage figures).
    pub async fn photo_usage(&self) -> Result<PhotoUsage, StoreError> {
        let tx = read_tx(&self.db, &[PHOTOS, PHOTO_OUTBOX])?;
        let held = tx.object_store(PHOTOS)?.get_all(None, None)?.await?;
        let pending = tx.object_store(PHOTO_OUTBOX)?.get_all(None, None)?.await?;
        tx.await?;
        let size = |v: &JsValue| {
            Reflect::get(v, &"bytes".into())
                .ok()
                .and_then(|b| b.dyn_into::<Uint8Array>().ok())
                .map_or(0.0, |b| f64::from(b.length()))
        };
        Ok(PhotoUsage {
            count: held.len() + pending.len(),
            bytes: held.iter().chain(pending.iter()).map(size).sum(),
            pending: pending.len(),
        })
    }
}
