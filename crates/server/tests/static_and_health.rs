//! The real server on a random loopback port, as a browser would meet it.
use std::path::Path;

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, HeaderName};

const WASM: &str = "linli-0123456789abcdef_bg.wasm";
const JS: &str = "linli-0123456789abcdef.js";
const CSS: &str = "main-fedcba9876543210.css";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Like Trunk's output: an external script and an inline module loader.
const INDEX: &str = "<!doctype html><html lang=\"zh-CN\"><head><title>邻里</title>\
    <script src=\"/pwa.js\" defer></script><script type=\"module\">\
    import init from '/linli-0123456789abcdef.js';\nawait init();\n</script></head></html>";
/// `printf "import init from '/linli-0123456789abcdef.js';\nawait init();\n" |
/// openssl dgst -sha256 -binary | base64`
const INDEX_SCRIPT_HASH: &str = "'sha256-6RIpE4Nv30wbKqUKMQgdl4N19522/RlEbZhfoMvSPr8='";

struct Server {
    url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

fn write_dist(dir: &Path) {
    let files = [
        ("index.html", INDEX.to_string()),
        (
            "sw.js",
            "self.addEventListener('fetch', () => {});".to_string(),
        ),
        ("pwa.js", "console.log('pwa');".to_string()),
        ("manifest.webmanifest", "{\"name\":\"邻里\"}".to_string()),
        (
            JS,
            "export function hello() { return '邻里'; }\n".repeat(200),
        ),
        (CSS, "body { color: black; }\n".repeat(100)),
    ];
    for (name, body) in files {
        std::fs::write(dir.join(name), body).unwrap();
    }
    // A wasm module header plus padding, enough to be worth compressing.
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend(std::iter::repeat_n(0u8, 4096));
    std::fs::write(dir.join(WASM), wasm).unwrap();
}

async fn start() -> Server {
    let dist = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    write_dist(dist.path());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel();
    let config = linli_server::Config {
        dist: dist.path().into(),
        data: data.path().join("store"),
        ..Default::default()
    };
    let task = tokio::spawn(linli_server::serve(listener, config, async {
        let _ = rx.await;
    }));
    Server {
        url,
        shutdown: Some(tx),
        task,
        _dirs: (dist, data),
    }
}

impl Server {
    async fn stop(mut self) {
        self.shutdown.take().unwrap().send(()).unwrap();
        self.task.await.unwrap().unwrap();
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.get_with(path, None).await
    }

    async fn get_with(&self, path: &str, accept_encoding: Option<&str>) -> reqwest::Response {
        let mut req = client().get(format!("{}{path}", self.url));
        if let Some(enc) = accept_encoding {
            req = req.header("accept-encoding", enc);
        }
        req.send().await.unwrap()
    }
}

/// A client that does not decode, so the test sees what was on the wire.
fn client() -> reqwest::Client {
    linli_server::install_tls_provider();
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap()
}

fn header(res: &reqwest::Response, name: HeaderName) -> String {
    res.headers()
        .get(&name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn content_types_and_cache_headers() {
    let server = start().await;
    let cases = [
        ("/".to_string(), "text/html", "no-cache"),
        ("/index.html".into(), "text/html", "no-cache"),
        ("/sw.js".into(), "text/javascript", "no-cache"),
        ("/pwa.js".into(), "text/javascript", "no-cache"),
        (
            "/manifest.webmanifest".into(),
            "application/manifest+json",
            "no-cache",
        ),
        (format!("/{WASM}"), "application/wasm", IMMUTABLE),
        (format!("/{JS}"), "text/javascript", IMMUTABLE),
        (format!("/{CSS}"), "text/css", IMMUTABLE),
    ];
    for (path, ctype, cache) in cases {
        let res = server.get(&path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let got = header(&res, CONTENT_TYPE);
        assert!(got.starts_with(ctype), "{path}: content-type {got}");
        assert_eq!(header(&res, CACHE_CONTROL), cache, "{path}");
        assert_eq!(
            header(&res, HeaderName::from_static("x-content-type-options")),
            "nosniff",
            "{path}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn client_routes_fall_back_to_index_but_missing_files_do_not() {
    let server = start().await;
    for path in ["/wishes", "/settings", "/board/", "/wishes/abc-123"] {
        let res = server.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&res, CACHE_CONTROL), "no-cache", "{path}");
        assert!(
            header(&res, CONTENT_TYPE).starts_with("text/html"),
            "{path}"
        );
        assert!(
            res.text().await.unwrap().contains("<title>邻里</title>"),
            "{path}"
        );
    }
    for path in ["/missing-0123456789abcdef.js", "/icons/none.png"] {
        let res = server.get(path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert_ne!(
            header(&res, CACHE_CONTROL),
            IMMUTABLE,
            "{path}: a 404 must not be cached forever"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn assets_are_compressed_for_clients_that_accept_it() {
    let server = start().await;
    let js = format!("/{JS}");
    let raw = server.get(&js).await;
    assert_eq!(
        header(&raw, CONTENT_ENCODING),
        "",
        "identity for a client that asks for nothing"
    );
    let raw_len = raw.bytes().await.unwrap().len();
    for (accept, expect) in [("br", "br"), ("gzip", "gzip"), ("gzip, br", "br")] {
        let res = server.get_with(&js, Some(accept)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            header(&res, CONTENT_ENCODING),
            expect,
            "accept-encoding: {accept}"
        );
        let len = res.bytes().await.unwrap().len();
        assert!(
            len * 4 < raw_len,
            "{accept}: {len} of {raw_len} bytes is not compressed"
        );
    }
    let wasm = server.get_with(&format!("/{WASM}"), Some("br")).await;
    assert_eq!(header(&wasm, CONTENT_ENCODING), "br");
    server.stop().await;
}

#[tokio::test]
async fn health_is_json() {
    let server = start().await;
    let res = server.get("/api/health").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(header(&res, CONTENT_TYPE).starts_with("application/json"));
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["schema"], linli_core::SCHEMA_VERSION);
    server.stop().await;
}

#[tokio::test]
async fn unknown_api_paths_and_methods_are_json_errors() {
    let server = start().await;
    for path in [
        "/api/nope",
        "/api/v1/communities/x/nope",
        "/api",
        "/api/",
        "/api/health/extra",
    ] {
        let res = server.get(path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            header(&res, CONTENT_TYPE).starts_with("application/json"),
            "{path}"
        );
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{path}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains("/api"),
            "{path}"
        );
    }
    let res = client()
        .post(format!("{}/api/health", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
    server.stop().await;
}

#[tokio::test]
async fn shutdown_finishes_and_frees_the_port() {
    let server = start().await;
    let url = server.url.clone();
    assert_eq!(server.get("/api/health").await.status(), StatusCode::OK);
    server.stop().await;
    assert!(
        client()
            .get(format!("{url}/api/health"))
            .send()
            .await
            .is_err()
    );
}

/// The app's policy: only the page's own files and exactly its inline
/// loader may run; no inline styles, no plugins, no framing.
fn check_app_headers(res: &reqwest::Response, what: &str, script_hash: Option<&str>) {
    let csp = header(res, HeaderName::from_static("content-security-policy"));
    for directive in [
        "default-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(
            csp.split("; ").any(|d| d == directive),
            "{what}: no {directive:?} in {csp:?}"
        );
    }
    let script_src = csp
        .split("; ")
        .find(|d| d.starts_with("script-src "))
        .unwrap_or_else(|| panic!("{what}: no script-src in {csp:?}"));
    let want = match script_hash {
        Some(h) => format!("script-src 'self' 'wasm-unsafe-eval' {h}"),
        None => "script-src 'self' 'wasm-unsafe-eval'".to_string(),
    };
    assert_eq!(script_src, want, "{what}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert_eq!(
        header(res, HeaderName::from_static("referrer-policy")),
        "no-referrer",
        "{what}"
    );
    let perms = header(res, HeaderName::from_static("permissions-policy"));
    for p in [
        "camera=(self)",
        "microphone=()",
        "geolocation=()",
        "payment=()",
        "usb=()",
    ] {
        assert!(
            perms.split(", ").any(|x| x == p),
            "{what}: no {p} in {perms:?}"
        );
    }
    assert_eq!(
        header(res, HeaderName::from_static("x-content-type-options")),
        "nosniff",
        "{what}"
    );
    assert_eq!(
        header(res, HeaderName::from_static("x-frame-options")),
        "DENY",
        "{what}"
    );
}

#[tokio::test]
async fn app_responses_carry_the_security_headers() {
    let server = start().await;
    // Pages: the policy allows exactly the page's inline loader, also when
    // the page is sent compressed.
    for (path, enc) in [
        ("/", None),
        ("/index.html", None),
        ("/wishes", None),
        ("/wishes/abc-123", Some("br")),
    ] {
        let res = server.get_with(path, enc).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        check_app_headers(&res, path, Some(INDEX_SCRIPT_HASH));
    }
    // Other files and misses: the same policy, no hashes.
    for (path, status) in [
        (format!("/{JS}"), StatusCode::OK),
        (format!("/{WASM}"), StatusCode::OK),
        ("/sw.js".into(), StatusCode::OK),
        ("/manifest.webmanifest".into(), StatusCode::OK),
        ("/icons/none.png".into(), StatusCode::NOT_FOUND),
    ] {
        let res = server.get(&path).await;
        assert_eq!(res.status(), status, "{path}");
        check_app_headers(&res, &path, None);
    }
    server.stop().await;
}

#[tokio::test]
async fn the_script_hash_follows_a_rebuilt_index() {
    let server = start().await;
    let res = server.get("/").await;
    let modified = header(&res, reqwest::header::LAST_MODIFIED);
    assert!(!modified.is_empty());
    // A revalidated page keeps the policy stored with it: a 304 has no
    // body to hash, and its headers would replace the stored ones.
    let res = client()
        .get(format!("{}/", server.url))
        .header("if-modified-since", &modified)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        header(&res, HeaderName::from_static("content-security-policy")),
        ""
    );
    assert_eq!(
        header(&res, HeaderName::from_static("referrer-policy")),
        "no-referrer"
    );
    // `./dev` rebuilds dist/ under a running server.
    let dist = server._dirs.0.path();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>邻里</title><script>window.rebuilt = 2;</script>",
    )
    .unwrap();
    let res = server.get("/settings").await;
    // printf "window.rebuilt = 2;" | openssl dgst -sha256 -binary | base64
    check_app_headers(
        &res,
        "rebuilt",
        Some("'sha256-tA/v+mpotWbRiiLy41Ow6xHziP8pNT6lRRoxpIVPH5M='"),
    );
    server.stop().await;
}

#[tokio::test]
async fn api_responses_carry_the_api_headers() {
    let server = start().await;
    let post = client()
        .post(format!("{}/api/health", server.url))
        .send()
        .await
        .unwrap();
    let join = client()
        .post(format!("{}/api/v1/join", server.url))
        .body("not json")
        .send()
        .await
        .unwrap();
    let mut responses = vec![
        (
            "GET /api/health".to_string(),
            server.get("/api/health").await,
        ),
        ("POST /api/health".into(), post),
        ("POST /api/v1/join".into(), join),
    ];
    for path in ["/api/nope", "/api", "/api/"] {
        responses.push((format!("GET {path}"), server.get(path).await));
    }
    for (what, res) in responses {
        assert!(
            header(&res, CONTENT_TYPE).starts_with("application/json"),
            "{what}"
        );
        assert_eq!(
            header(&res, HeaderName::from_static("content-security-policy")),
            "default-src 'none'; frame-ancestors 'none'",
            "{what}"
        );
        assert_eq!(
            header(&res, HeaderName::from_static("x-content-type-options")),
            "nosniff",
            "{what}"
        );
        assert_eq!(
            header(&res, HeaderName::from_static("referrer-policy")),
            "no-referrer",
            "{what}"
        );
    }
    server.stop().await;
}
