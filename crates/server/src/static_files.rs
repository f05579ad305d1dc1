//! Serves the built app. Hashed assets are cached for a year; the files
//! that name them (index.html, sw.js, the manifest) and anything unhashed
//! are revalidated on every use, so a new build reaches devices at once.
//! Client routes (/wishes, /settings…) get index.html.
use std::convert::Infallible;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;
use tower_http::services::{ServeDir, ServeFile};

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const NO_CACHE: &str = "no-cache";

/// Whether a file name carries Trunk's content hash (`name-<16+ hex>.ext`
/// or `name-<hex>_bg.wasm`): such a name never gets other content.
pub fn is_hashed(name: &str) -> bool {
    name.match_indices('-').any(|(i, _)| {
        let hex = name[i + 1..]
            .bytes()
            .take_while(u8::is_ascii_hexdigit)
            .count();
        hex >= 16 && matches!(name.as_bytes().get(i + 1 + hex), Some(b'.') | Some(b'_'))
    })
}

/// Whether a path looks like a client route rather than a file.
fn is_client_route(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    !last.contains('.')
}

pub fn cache_control(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or("");
    if is_hashed(name) { IMMUTABLE } else { NO_CACHE }
}

type Svc = BoxCloneSyncService<Request<Body>, Response<Body>, Infallible>;

pub fn service(dist: &Path) -> Svc {
    let dist: PathBuf = dist.to_owned();
    let files = ServeDir::new(&dist).append_index_html_on_directories(true);
    let index = ServeFile::new(dist.join("index.html"));
    BoxCloneSyncService::new(tower::service_fn(move |req: Request<Body>| {
        let files = files.clone();
        let index = index.clone();
        async move {
            let path = req.uri().path().to_owned();
            let mut res = files
                .oneshot(req)
                .await
                .map(|r| r.map(Body::new))
                .unwrap_or_else(|e| match e {});
            if res.status() == StatusCode::NOT_FOUND && is_client_route(&path) {
                let req = Request::get("/index.html")
                    .body(Body::empty())
                    .expect("static request");
                res = index
                    .oneshot(req)
                    .await
                    .map(|r| r.map(Body::new))
                    .unwrap_or_else(|e| match e {});
                set_cache(&mut res, NO_CACHE);
            } else if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
                set_cache(&mut res, cache_control(&path));
            }
            // nosniff and the other security headers: crate::security.
            Ok(res)
        }
    }))
}

fn set_cache(res: &mut Response<Body>, value: &'static str) {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_hashed_names_are_recognised() {
        assert!(is_hashed("linli-3f2a9c0d1e4b5a6f_bg.wasm"));
        assert!(is_hashed("linli-3f2a9c0d1e4b5a6f.js"));
        assert!(is_hashed("main-0123456789abcdef0123.css"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("sw.js"));
        assert!(!is_hashed("manifest.webmanifest"));
        assert!(!is_hashed("icon-192.png"));
        assert!(
            !is_hashed("linli-3f2a9c0d1e4b.js"),
            "12 hex digits are too few to be a content hash"
        );
    }

    #[test]
    fn routes_and_files() {
        assert!(is_client_route("/wishes"));
        assert!(is_client_route("/"));
        assert!(!is_client_route("/missing.js"));
        assert_eq!(cache_control("/index.html"), NO_CACHE);
        assert_eq!(cache_control("/linli-3f2a9c0d1e4b5a6f_bg.wasm"), IMMUTABLE);
    }
}
