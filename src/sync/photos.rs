//! Photos in a sync round (docs/photos.md): upload what was made here once
//! the log has the op that names it; then make the device hold exactly
//! what `linli_core::photos::may_see` allows — drop the rest, fetch the
//! thumbnails it lacks (full images come on tap). Under storage pressure
//! images go in `photos::eviction_order` (thumbnails of closed wishes
//! first) and the fetch is tried once more.
use leptos::prelude::*;
use linli_core::photos;
use linli_core::protocol::codes;

use super::Failure;
use super::api::{ApiError, Client};
use crate::state::AppState;
use crate::store::photos::LocalPhoto;
use crate::store::{Store, StoreError};

/// How many images one pass of eviction frees.
const EVICT_AT_ONCE: usize = 12;

/// Uploads the photos in the outbox. One the endpoint refuses for good
/// (closed wish, no right, bytes that do not match) is dropped: nobody
/// could ever read it; one whose op is still pending waits; one whose op
/// came back void (no photo in the log names it, none pending) is dropped.
pub(super) async fn upload(
    app: AppState,
    store: &Store,
    client: &Client<'_>,
) -> Result<bool, Failure> {
    let mut changed = false;
    for p in store.pending_photos().await? {
        match client.put_photo(&p.sha, &p.bytes).await {
            Ok(_) => store.settle_photo(&p.sha, true).await?,
            Err(ApiError::Api { detail, .. }) if detail.code == codes::UNKNOWN_PHOTO => {
                let waiting = app.replica.with_untracked(|r| {
                    r.pending().iter().any(|op| names(&op.kind, &p.sha))
                        || photos::find(r.confirmed(), &p.sha).is_some()
                });
                if waiting {
                    continue;
                }
                store.settle_photo(&p.sha, false).await?;
            }
            Err(ApiError::Api { detail, .. })
                if [
                    codes::WISH_CLOSED,
                    codes::FORBIDDEN,
                    codes::HASH_MISMATCH,
                    codes::UNSUPPORTED_TYPE,
                    codes::PHOTO_TOO_LARGE,
                    codes::BAD_REQUEST,
                ]
                .contains(&detail.code.as_str()) =>
            {
                store.settle_photo(&p.sha, false).await?
            }
            Err(e) => return Err(e.into()),
        }
        changed = true;
    }
    Ok(changed)
}

fn names(kind: &linli_core::OpKind, sha: &str) -> bool {
    matches!(kind, linli_core::OpKind::AttachPhotos { photos, .. }
        if photos.iter().any(|p| p.sha256 == sha || p.thumb == sha))
}

/// Drops the images this member may no longer see and fetches the
/// thumbnails it may see and lacks. Returns whether anything changed.
pub(super) async fn settle(
    app: AppState,
    store: &Store,
    client: &Client<'_>,
) -> Result<bool, Failure> {
    let Some(member) = app.session.get_untracked().map(|s| s.member) else {
        return Ok(false);
    };
    let (keep, wanted) = app.replica.with_untracked(|r| {
        let state = r.view();
        let keep = photos::keep(state, &member);
        let mut wanted = Vec::new();
        for (w, list) in &state.photos {
            for p in list
                .iter()
                .filter(|p| photos::may_see(state, &member, w, p))
            {
                wanted.push((w.clone(), p.photo.thumb.clone()));
            }
        }
        (keep, wanted)
    });
    let held = store.held_photos().await?;
    let stale: Vec<String> = held.iter().filter(|h| !keep.contains(h)).cloned().collect();
    store.drop_photos(&stale).await?;
    let mut changed = !stale.is_empty();
    for (wish, sha) in wanted.into_iter().filter(|(_, s)| !held.contains(s)) {
        let (bytes, mime) = match client.photo(&sha).await {
            Ok(got) => got,
            // Not uploaded yet (its filer is offline), or no longer ours.
            Err(ApiError::Api { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        if photos::sha256_hex(&bytes) != sha {
            continue;
        }
        let photo = LocalPhoto {
            sha,
            wish,
            mime,
            bytes,
        };
        match store.put_photo(&photo).await {
            Ok(()) => {}
            Err(StoreError::Quota(_)) => {
                evict(app, store).await?;
                // Still full: leave it for a later round.
                if store.put_photo(&photo).await.is_err() {
                    return Ok(true);
                }
            }
            Err(e) => return Err(e.into()),
        }
        changed = true;
    }
    Ok(changed)
}

/// Frees space: the first `EVICT_AT_ONCE` held images in
/// `photos::eviction_order` (thumbnails of closed wishes first).
async fn evict(app: AppState, store: &Store) -> Result<(), Failure> {
    let held = store.held_photos().await?;
    let order = app
        .replica
        .with_untracked(|r| photos::eviction_order(r.view()));
    let go: Vec<String> = order
        .into_iter()
        .filter(|s| held.contains(s))
        .take(EVICT_AT_ONCE)
        .collect();
    store.drop_photos(&go).await?;
    Ok(())
}
