//! The check-in records this device holds (issue 14), in one meta record
//! (`keys::CHECKIN`): activity keys of the activities its member organises
//! (pulled, or made here and not yet accepted by the endpoint), the
//! member's own badge token and pass, and on a kiosk the passes of the
//! members on today's rosters. Never in a backup, never in an op.
use linli_core::ActivityId;
use linli_core::checkin::{ActivityKey, MemberPass};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::{META, Store, StoreError, finish, keys, meta_value, opt_meta, write_tx};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinRecords {
    /// Keys held, by activity (normalized keys).
    #[serde(default)]
    pub keys: Vec<ActivityKey>,
    /// Keys made or typed here that the endpoint has not taken yet.
    #[serde(default)]
    pub unsent_keys: Vec<ActivityId>,
    /// The member's badge token (their personal QR); only on their device.
    #[serde(default)]
    pub badge: String,
    /// The member's own pass (hashes of badge and PIN).
    #[serde(default)]
    pub pass: Option<MemberPass>,
    /// `pass` is not at the endpoint yet.
    #[serde(default)]
    pub pass_unsent: bool,
    /// A kiosk's: the passes of the members on today's rosters.
    #[serde(default)]
    pub passes: Vec<MemberPass>,
}

impl CheckinRecords {
    /// The key of `activity`, if held.
    pub fn key(&self, activity: &ActivityId) -> Option<&str> {
        self.keys
            .iter()
            .find(|k| &k.activity == activity)
            .map(|k| k.key.as_str())
    }

    /// Holds `key` for `activity` and marks it to be sent.
    pub fn remember(&mut self, activity: &ActivityId, key: String) {
        self.keys.retain(|k| &k.activity != activity);
        self.keys.push(ActivityKey {
            activity: activity.clone(),
            key,
        });
        if !self.unsent_keys.contains(activity) {
            self.unsent_keys.push(activity.clone());
        }
    }
}

impl Store {
    /// The check-in records (empty if none yet).
    pub async fn checkin(&self) -> Result<CheckinRecords, StoreError> {
        Ok(self.get_meta(keys::CHECKIN).await?.unwrap_or_default())
    }

    /// Reads, changes and writes the check-in records in one transaction
    /// (the sync engine and a page may both change them). Returns `f`'s
    /// answer and whether anything changed.
    pub async fn update_checkin<R>(
        &self,
        f: impl FnOnce(&mut CheckinRecords) -> R,
    ) -> Result<(R, bool), StoreError> {
        let (tx, raw) = write_tx(&self.db, &[META])?;
        let body = async {
            let meta = tx.object_store(META)?;
            let key = JsValue::from_str(keys::CHECKIN);
            let old: CheckinRecords =
                opt_meta(meta.get(key.clone())?.await?, keys::CHECKIN)?.unwrap_or_default();
            let mut new = old.clone();
            let answer = f(&mut new);
            let changed = new != old;
            if changed {
                meta.put(&meta_value(&new)?, Some(&key))?.await?;
            }
            Ok((answer, changed))
        }
        .await;
        finish(tx, raw, body).await
    }
}
