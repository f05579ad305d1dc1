//! Export and import of a device's data (log + outbox + identity) as one
//! JSON file: a backup, or a way to move to a new phone.
use std::collections::BTreeMap;

use linli_core::replica::Writer;
use linli_core::{LogEntry, Op};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::{
    LOG_CHUNKS, META, OUTBOX, Session, Store, StoreError, entries_after, finish, from_json, js_key,
    keys, meta_value, opt_meta, read_tx, to_json, write_tx,
};

pub const FORMAT: &str = "linli-backup";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Backup {
    pub format: String,
    pub version: u32,
    pub writer: Option<Writer>,
    pub session: Option<Session>,
    pub log: Vec<LogEntry>,
    pub outbox: Vec<Op>,
}

/// What an import did, for the message shown to the user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub log_added: usize,
    pub outbox_added: usize,
    /// Pending ops of another device that this device cannot push as its own.
    pub foreign_pending: usize,
    /// The device had no identity and took the backup's.
    pub adopted_identity: bool,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("not a linli backup file")]
    NotABackup,
    #[error("backup format version {0} is newer than this app")]
    TooNew(u32),
    #[error("the backup's log disagrees with this device's at seq {0} (another community?)")]
    Conflict(u64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<idb::Error> for ImportError {
    fn from(e: idb::Error) -> Self {
        ImportError::Store(e.into())
    }
}

impl ImportError {
    /// The words for the user.
    pub fn text(&self) -> crate::status::Text {
        use crate::i18n::k;
        match self {
            ImportError::NotABackup => crate::status::Text::key(k::IMPORT_ERROR_NOT_A_BACKUP),
            ImportError::TooNew(_) => crate::status::Text::key(k::IMPORT_ERROR_TOO_NEW),
            ImportError::Conflict(_) => crate::status::Text::key(k::IMPORT_ERROR_CONFLICT),
            ImportError::Store(e) => e.text(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ImportError::NotABackup => "not_a_backup",
            ImportError::TooNew(_) => "too_new",
            ImportError::Conflict(_) => "conflict",
            ImportError::Store(e) => e.code(),
        }
    }
}

impl Backup {
    pub fn parse(text: &str) -> Result<Backup, ImportError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|_| ImportError::NotABackup)?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(ImportError::NotABackup);
        }
        let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0) as u32;
        if version > FORMAT_VERSION {
            return Err(ImportError::TooNew(version));
        }
        serde_json::from_value(value).map_err(|_| ImportError::NotABackup)
    }
}

impl Store {
    pub async fn export(&self) -> Result<Backup, StoreError> {
        let tx = read_tx(&self.db, &[META, LOG_CHUNKS, OUTBOX])?;
        let meta = tx.object_store(META)?;
        let writer = meta.get(JsValue::from_str(keys::WRITER))?.await?;
        let session = meta.get(JsValue::from_str(keys::SESSION))?.await?;
        let log = tx.object_store(LOG_CHUNKS)?.get_all(None, None)?.await?;
        let outbox = tx.object_store(OUTBOX)?.get_all(None, None)?.await?;
        tx.await?;
        Ok(Backup {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            writer: opt_meta(writer, keys::WRITER)?,
            session: opt_meta(session, keys::SESSION)?,
            log: entries_after(&log, 0)?,
            outbox: outbox
                .iter()
                .map(|v| from_json("outbox op", v))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Merges a backup in one transaction: log entries by seq (an entry
    /// already present must be the same op), pending ops by id. A device
    /// with no identity of its own becomes the backup's device.
    pub async fn import(&self, backup: &Backup) -> Result<ImportReport, ImportError> {
        let (tx, raw) = write_tx(&self.db, &[META, LOG_CHUNKS, OUTBOX])?;
        let body = self.import_in(&tx, backup).await;
        match body {
            Err(ImportError::Store(e)) => finish(tx, raw, Err(e)).await.map_err(ImportError::Store),
            Err(other) => {
                // Refused on content: roll back whatever was written.
                let _ = finish::<()>(tx, raw, Err(StoreError::Failed(other.to_string()))).await;
                Err(other)
            }
            Ok(report) => Ok(finish(tx, raw, Ok(report)).await?),
        }
    }

    async fn import_in(
        &self,
        tx: &idb::Transaction,
        backup: &Backup,
    ) -> Result<ImportReport, ImportError> {
        let meta = tx.object_store(META)?;
        let mine: Option<Writer> = opt_meta(
            meta.get(JsValue::from_str(keys::WRITER))?.await?,
            keys::WRITER,
        )?;
        let mut report = ImportReport::default();

        let log = tx.object_store(LOG_CHUNKS)?;
        let held = entries_after(&log.get_all(None, None)?.await?, 0)?;
        let mut added: BTreeMap<u64, &LogEntry> = BTreeMap::new();
        for entry in &backup.log {
            // `held` is in seq order.
            let have = match held.binary_search_by_key(&entry.seq, |e| e.seq) {
                Ok(i) => Some(&held[i]),
                Err(_) => added.get(&entry.seq).copied(),
            };
            match have {
                Some(h) if h.op.id != entry.op.id => return Err(ImportError::Conflict(entry.seq)),
                Some(_) => {}
                None => {
                    added.insert(entry.seq, entry);
                }
            }
        }
        if let Some(&last) = added.keys().next_back() {
            // One chunk, in seq order; `entries_after` orders it among the others.
            let chunk: Vec<&LogEntry> = added.into_values().collect();
            log.put(&to_json(&chunk)?, Some(&js_key(last)))?;
            report.log_added = chunk.len();
        }

        // A device that has not joined has only the writer it minted at first
        // start and no ops: it takes the backup's identity (a new phone).
        let joined = opt_meta::<Session>(
            meta.get(JsValue::from_str(keys::SESSION))?.await?,
            keys::SESSION,
        )?
        .is_some();
        let writer = match (mine, &backup.writer) {
            (mine, Some(theirs)) if mine.is_none() || !joined => {
                report.adopted_identity = true;
                if let Some(session) = &backup.session {
                    meta.put(
                        &meta_value(session)?,
                        Some(&JsValue::from_str(keys::SESSION)),
                    )?
                    .await?;
                }
                Some(theirs.clone())
            }
            (Some(mine), Some(theirs)) if mine.device == theirs.device => {
                let mut w = mine.clone();
                w.next_seq = w.next_seq.max(theirs.next_seq);
                w.clock = if theirs.clock.last() > mine.clock.last() {
                    theirs.clock
                } else {
                    mine.clock
                };
                Some(w)
            }
            (mine, _) => mine,
        };
        let outbox = tx.object_store(OUTBOX)?;
        let in_log = linli_core::lean::set(backup.log.iter().map(|e| e.op.id.clone()));
        for op in backup.outbox.iter().filter(|op| !in_log.contains(&op.id)) {
            if writer.as_ref().map(|w| &w.device) != Some(&op.id.device) {
                report.foreign_pending += 1;
            } else if outbox
                .get(js_key(op.id.seq))?
                .await?
                .is_none_or(|v| v.is_undefined())
            {
                outbox.add(&to_json(op)?, Some(&js_key(op.id.seq)))?.await?;
                report.outbox_added += 1;
            }
        }
        if let Some(w) = &writer {
            meta.put(&meta_value(w)?, Some(&JsValue::from_str(keys::WRITER)))?
                .await?;
        }
        Ok(report)
    }
}
