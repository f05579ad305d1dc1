//! Photos at the endpoint (`PUT/GET …/photos/{sha256}`): the hash, type and
//! size checks, who may upload and read (`photos::may_see`), an idempotent
//! replay, a second instance over the same store, and that the bytes are
//! stored under `photos/` only, never in a log segment.
mod common;

use common::*;
use futures::TryStreamExt;
use linli_core::model::{Rating, Role};
use linli_core::op::OpKind;
use linli_core::photos::{PhotoRef, Stage};
use object_store::{ObjectStore, ObjectStoreExt};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};

const MARKER: &[u8] = b"LINLI-PHOTO-BYTES-MARKER";

/// Bytes that sniff as a JPEG (the endpoint reads the first bytes only),
/// `len` long, different per `seed`, carrying `MARKER`.
fn jpeg(len: usize, seed: u8) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0, seed];
    v.extend_from_slice(MARKER);
    while v.len() < len {
        v.push((v.len() as u8).wrapping_mul(31).wrapping_add(seed));
    }
    v.truncate(len);
    v
}

fn sha(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn reference(full: &[u8], thumb: &[u8], volunteers: bool) -> PhotoRef {
    PhotoRef {
        sha256: sha(full),
        bytes: full.len() as u32,
        thumb: sha(thumb),
        thumb_bytes: thumb.len() as u32,
        volunteers,
    }
}

async fn put(http: &reqwest::Client, d: &Device, hash: &str, bytes: &[u8]) -> (StatusCode, Value) {
    let res = http
        .put(d.url(&format!("photos/{hash}")))
        .bearer_auth(&d.token)
        .header("content-type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The status, and the bytes with their type and cache header when 200.
async fn get(
    http: &reqwest::Client,
    d: &Device,
    hash: &str,
) -> (StatusCode, Vec<u8>, String, String) {
    let res = http
        .get(d.url(&format!("photos/{hash}")))
        .bearer_auth(&d.token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let header = |n: &str| {
        res.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let (ty, cache) = (header("content-type"), header("cache-control"));
    (status, res.bytes().await.unwrap().to_vec(), ty, cache)
}

async fn code_of(http: &reqwest::Client, d: &Device, hash: &str) -> (StatusCode, String) {
    let (s, v) = d
        .send(http, Method::GET, &format!("photos/{hash}"), None)
        .await;
    (s, error_code(&v).to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_are_checked_stored_once_and_shown_to_who_may_see() {
    let store = mem_store();
    let a = Server::start(store.clone()).await;
    let b = Server::start(store.clone()).await;
    let http = http();
    let mut boss = community(&http, &a, "c1").await;
    let mut v1 = member(&http, &boss, Role::Volunteer, "志愿者甲").await;
    let v2 = member(&http, &boss, Role::Volunteer, "志愿者乙").await;
    let mut r1 = member(&http, &boss, Role::Resident, "居民").await;
    let on_b = |d: &Device| {
        let mut d = d.clone();
        d.base = b.url.clone();
        d
    };

    let full = jpeg(20_000, 1);
    let thumb = jpeg(3_000, 2);
    let png = {
        let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
        p.extend_from_slice(&jpeg(1_000, 3));
        p
    };
    let big_thumb = jpeg(16_000, 4);
    let liar = jpeg(5_000, 5);
    let photos = vec![
        reference(&full, &thumb, false),
        // A PNG under its own hash; a thumbnail over the cap (the op says
        // 3,000 bytes); a photo whose op understates its size.
        PhotoRef {
            thumb: sha(&big_thumb),
            thumb_bytes: 3_000,
            ..reference(&png, &jpeg(10, 6), false)
        },
        PhotoRef {
            bytes: 4_000,
            ..reference(&liar, &jpeg(10, 7), false)
        },
    ];
    let create = r1.wish_op("楼道灯坏了");
    let wish = create.kind.wish().unwrap().clone();
    let attach = r1.mint(OpKind::AttachPhotos {
        wish: wish.clone(),
        stage: Stage::Request,
        photos: photos.clone(),
    });

    // Before the op is in the log nobody can upload.
    let (s, v) = put(&http, &r1, &sha(&full), &full).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::NOT_FOUND, "unknown_photo")
    );
    r1.push(&http, &[create, attach]).await;
    let publish = boss.mint(OpKind::Publish { wish: wish.clone() });
    boss.push(&http, &[publish]).await;

    // Refusals, each a JSON error with its code.
    let (s, v) = put(&http, &on_b(&v2), &sha(&full), &full).await;
    assert_eq!((s, error_code(&v)), (StatusCode::FORBIDDEN, "forbidden"));
    let (s, v) = put(&http, &r1, &sha(&full), &thumb).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch")
    );
    let (s, v) = put(&http, &r1, &sha(&png), &png).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type")
    );
    let (s, v) = put(&http, &r1, &sha(&big_thumb), &big_thumb).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::PAYLOAD_TOO_LARGE, "photo_too_large")
    );
    let (s, v) = put(&http, &r1, &sha(&liar), &liar).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch")
    );
    let (s, v) = put(&http, &r1, "not-a-hash", &full).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let (s, v) = put(&http, &r1, &"e".repeat(64), &full).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::NOT_FOUND, "unknown_photo")
    );

    // The filer uploads; a retry (here through the other instance) is a no-op.
    for d in [r1.clone(), on_b(&r1)] {
        let (s, v) = put(&http, &d, &sha(&full), &full).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["bytes"], 20_000);
        assert_eq!(v["type"], "image/jpeg");
    }
    let (s, v) = put(&http, &r1, &sha(&thumb), &thumb).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Read back by who may see it; the unassigned volunteer may not.
    for d in [&r1, &boss, &on_b(&boss)] {
        let (s, bytes, ty, cache) = get(&http, d, &sha(&full)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(bytes, full);
        assert_eq!(ty, "image/jpeg");
        assert!(
            cache.contains("private") && cache.contains("immutable"),
            "{cache}"
        );
    }
    assert_eq!(
        code_of(&http, &v2, &sha(&full)).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    assert_eq!(
        code_of(&http, &r1, &sha(&jpeg(10, 6))).await,
        (StatusCode::NOT_FOUND, "unknown_photo".into())
    );

    // The holder sees the request photo and adds one to the report.
    let claim = v1.mint(OpKind::Claim { wish: wish.clone() });
    let start = v1.mint(OpKind::Start { wish: wish.clone() });
    let done = v1.mint(OpKind::Complete {
        wish: wish.clone(),
        report: "换好了".into(),
        minutes: 20,
    });
    let after = jpeg(30_000, 8);
    let after_thumb = jpeg(2_000, 9);
    let report = v1.mint(OpKind::AttachPhotos {
        wish: wish.clone(),
        stage: Stage::Completion,
        photos: vec![reference(&after, &after_thumb, false)],
    });
    v1.push(&http, &[claim, start, done, report]).await;
    assert_eq!(get(&http, &v1, &sha(&full)).await.0, StatusCode::OK);
    for (h, bytes) in [(sha(&after), &after), (sha(&after_thumb), &after_thumb)] {
        let (s, v) = put(&http, &on_b(&v1), &h, bytes).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    assert_eq!(get(&http, &r1, &sha(&after)).await.1, after);
    assert_eq!(get(&http, &boss, &sha(&after_thumb)).await.1, after_thumb);
    assert_eq!(
        code_of(&http, &v2, &sha(&after)).await.0,
        StatusCode::FORBIDDEN
    );

    // Closed: coordinators only.
    let eval = r1.mint(OpKind::Evaluate {
        wish: wish.clone(),
        rating: Rating::Satisfied,
        comment: String::new(),
    });
    r1.push(&http, &[eval]).await;
    for d in [&r1, &v1] {
        assert_eq!(
            code_of(&http, d, &sha(&after)).await,
            (StatusCode::CONFLICT, "wish_closed".into())
        );
    }
    assert_eq!(
        get(&http, &on_b(&boss), &sha(&after)).await.0,
        StatusCode::OK
    );

    // The bytes live under photos/ and nowhere else (not in any segment).
    let all: Vec<_> = store.list(None).try_collect().await.unwrap();
    let mut photo_objects = 0;
    for m in all {
        let bytes = store.get(&m.location).await.unwrap().bytes().await.unwrap();
        let has = bytes.windows(MARKER.len()).any(|w| w == MARKER);
        let is_photo = m.location.as_ref().contains("/photos/");
        assert_eq!(has, is_photo, "{}", m.location);
        photo_objects += usize::from(is_photo);
    }
    assert_eq!(photo_objects, 4);
}
