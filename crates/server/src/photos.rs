//! `…/photos/{sha256}`: the bytes of photos on wishes (docs/photos.md).
//! Content-addressed and immutable: the log's `attach_photos` op names the
//! hash and size, this stores the bytes once under that hash
//! (`store::create_or_same`, so a retried upload is a no-op) and hands
//! them only to those `linli_core::photos::may_see` allows, judged on the
//! log as this instance has it now. Never in a log segment.
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use linli_core::photos::{self, ImageType, Part};
use linli_core::protocol::codes;
use sha2::{Digest, Sha256};

use crate::api::ApiError;
use crate::hub::{Auth, Now};
use crate::store;
use crate::v1::{Hubs, IMMUTABLE_PRIVATE, P, no_store};

/// What the log says of the hash, for one caller.
enum Verdict {
    /// No photo in the log has this hash.
    Unknown,
    /// The caller may not (upload or read).
    Forbidden,
    /// The wish closed and the caller is not a coordinator.
    Closed,
    /// Go on: the declared size and the cap of this part.
    Ok { declared: u32, cap: u32 },
}

fn unknown() -> ApiError {
    ApiError::new(
        codes::UNKNOWN_PHOTO,
        "no photo in the log has this hash; push the op that attaches it first",
    )
}

fn hash_of(path: &str) -> Result<String, ApiError> {
    if photos::is_sha256(path) {
        Ok(path.to_owned())
    } else {
        Err(ApiError::new(
            codes::BAD_REQUEST,
            "a photo is named by its SHA-256 in lowercase hex",
        ))
    }
}

async fn judge(
    caller: &crate::hub::Caller,
    sha: &str,
    may: fn(&linli_core::State, &linli_core::MemberId, &linli_core::WishId, &photos::Photo) -> bool,
) -> Result<Verdict, ApiError> {
    Ok(caller
        .log
        .with_state(|s| {
            let Some((w, p, part)) = photos::find(s, sha) else {
                return Verdict::Unknown;
            };
            if may(s, &caller.member, w, p) {
                let (declared, cap) = match part {
                    Part::Full => (p.photo.bytes, photos::PHOTO_MAX_BYTES),
                    Part::Thumb => (p.photo.thumb_bytes, photos::THUMB_MAX_BYTES),
                };
                Verdict::Ok { declared, cap }
            } else if s.wishes.get(w).is_none_or(|w| w.status.is_terminal()) {
                Verdict::Closed
            } else {
                Verdict::Forbidden
            }
        })
        .await?)
}

fn refuse(v: Verdict) -> ApiError {
    match v {
        Verdict::Unknown => unknown(),
        Verdict::Closed => ApiError::new(
            codes::WISH_CLOSED,
            "the wish is closed; its photos are kept for coordinators only",
        ),
        _ => ApiError::new(
            codes::FORBIDDEN,
            "this photo is for the people who may see the wish's details",
        ),
    }
}

/// `PUT …/photos/{sha256}` with the image bytes: checks that an op in the
/// log names the hash, that the caller attached it or may see it, the
/// size against the cap and the op, the type (WebP or JPEG by its first
/// bytes) and the hash itself, then stores it create-only. The same bytes
/// again answer 200 as the first time.
pub(crate) async fn put(
    hub: Hubs,
    Auth(caller): Now,
    P((_, sha)): P<(String, String)>,
    body: Body,
) -> Result<Response, ApiError> {
    let hub = hub.0;
    let sha = hash_of(&sha)?;
    let (declared, cap) = match judge(&caller, &sha, photos::may_upload).await? {
        Verdict::Ok { declared, cap } => (declared, cap),
        v => return Err(refuse(v)),
    };
    let bytes = crate::v1::read_body(body).await?;
    if bytes.len() > cap as usize {
        return Err(ApiError::new(
            codes::PHOTO_TOO_LARGE,
            format!("this photo may be at most {cap} bytes"),
        ));
    }
    let Some(kind) = ImageType::sniff(&bytes) else {
        return Err(ApiError::new(
            codes::UNSUPPORTED_TYPE,
            "photos are WebP or JPEG images",
        ));
    };
    if hex(&Sha256::digest(&bytes)) != sha {
        return Err(ApiError::new(
            codes::HASH_MISMATCH,
            "the bytes' SHA-256 is not the hash in the path",
        ));
    }
    if bytes.len() != declared as usize {
        return Err(ApiError::new(
            codes::HASH_MISMATCH,
            format!("the op declared {declared} bytes for this photo"),
        ));
    }
    let len = bytes.len();
    let key = store::photo(&caller.community, &sha);
    if !store::create_or_same(&hub.store, &key, bytes).await? {
        // Same name, other bytes: only if the store was tampered with.
        return Err(store::StoreError::Corrupt {
            path: key.to_string(),
            why: "a stored photo does not match its hash".into(),
        }
        .into());
    }
    Ok(no_store(&serde_json::json!({
        "sha256": sha,
        "bytes": len,
        "type": kind.mime(),
    })))
}

/// `GET …/photos/{sha256}`: the bytes, to whoever `photos::may_see` allows
/// (the full image and its thumbnail alike), cached privately for good.
pub(crate) async fn get(
    hub: Hubs,
    Auth(caller): Now,
    P((_, sha)): P<(String, String)>,
) -> Result<Response, ApiError> {
    let hub = hub.0;
    let sha = hash_of(&sha)?;
    match judge(&caller, &sha, photos::may_see).await? {
        Verdict::Ok { .. } => {}
        v => return Err(refuse(v)),
    }
    let Some(bytes) = store::get(&hub.store, &store::photo(&caller.community, &sha)).await? else {
        return Err(ApiError::new(
            codes::UNKNOWN_PHOTO,
            "this photo was not uploaded yet",
        ));
    };
    let mime = ImageType::sniff(&bytes).map_or("application/octet-stream", ImageType::mime);
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(IMMUTABLE_PRIVATE),
    );
    Ok(res)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
