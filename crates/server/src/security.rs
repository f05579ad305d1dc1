//! Security headers on every response (docs/operations.md, "Security
//! headers"). The app gets a Content-Security-Policy that lets only its own
//! files run (plus wasm compilation and the exact inline loader Trunk writes
//! into index.html, allowed by its hash); the JSON API gets a policy that
//! allows nothing, since it is never a document.
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::middleware::Next;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The app's policy up to the hashes of index.html's inline scripts.
/// `'wasm-unsafe-eval'` lets the page compile WebAssembly, not run `eval`.
const APP_HEAD: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

/// Everything else of the app's policy. `style-src 'self'`: no inline
/// styles (Leptos's `style:prop=` sets them through CSSOM, which CSP allows;
/// a `style="…"` attribute would be refused). `img-src data: blob:`: data
/// URLs in CSS and images made in the page. `base-uri 'none'` and
/// `form-action 'self'`: injected markup cannot redirect relative URLs or
/// forms elsewhere.
const APP_REST: &str = "style-src 'self'; img-src 'self' data: blob:; \
     connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The API's policy: its JSON is never a page, so nothing may load in it.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Only the camera (join by QR code), and only for this origin.
pub const PERMISSIONS_POLICY: &str = "camera=(self), microphone=(), geolocation=(), \
     payment=(), usb=(), serial=(), hid=(), midi=(), display-capture=()";

/// Largest HTML page whose inline scripts are hashed (index.html is ~2 KB).
const MAX_HTML: usize = 1024 * 1024;

/// The app's Content-Security-Policy allowing exactly `inline` scripts.
pub fn app_csp(inline: &[&str]) -> String {
    let mut csp = String::from(APP_HEAD);
    for script in inline {
        csp.push_str(" 'sha256-");
        csp.push_str(&base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script)));
        csp.push('\'');
    }
    csp.push_str("; ");
    csp.push_str(APP_REST);
    csp
}

/// The text of each inline `<script>` (one without `src`) of a page,
/// exactly as a browser hashes it.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    // ASCII lowercasing keeps byte offsets, so they index `html` too.
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find("<script") {
        let name_end = at + i + "<script".len();
        let Some(gt) = lower[name_end..].find('>') else {
            break;
        };
        let attrs = &lower[name_end..name_end + gt];
        let text_start = name_end + gt + 1;
        let Some(len) = lower[text_start..].find("</script") else {
            break;
        };
        let is_script_tag = attrs.is_empty() || attrs.starts_with(|c: char| c.is_whitespace());
        let has_src = attrs
            .split(|c: char| c.is_whitespace())
            .any(|a| a == "src" || a.starts_with("src="));
        if is_script_tag && !has_src {
            out.push(&html[text_start..text_start + len]);
        }
        at = text_start + len;
    }
    out
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Middleware: API headers under `/api`, the app's everywhere else.
pub async fn headers(req: Request, next: Next) -> Response<Body> {
    let api = is_api(req.uri().path());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if api {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CSP),
        );
        return res;
    }
    h.insert(
        "permissions-policy",
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    match res.status() {
        // A 304 updates the headers the browser stored with the page; with
        // no body here to hash, keep the stored (matching) policy.
        StatusCode::NOT_MODIFIED => res,
        StatusCode::OK if is_html(res.headers()) => with_page_csp(res).await,
        _ => {
            set_csp(res.headers_mut(), &app_csp(&[]));
            res
        }
    }
}

fn is_html(h: &HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"))
}

/// Hash the inline scripts of the page being sent, so the policy always
/// matches the bytes served even when `dist/` is rebuilt under a running
/// server.
async fn with_page_csp(res: Response<Body>) -> Response<Body> {
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_HTML).await else {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        set_csp(res.headers_mut(), &app_csp(&[]));
        return res;
    };
    let html = String::from_utf8_lossy(&bytes);
    set_csp(&mut parts.headers, &app_csp(&inline_scripts(&html)));
    Response::from_parts(parts, Body::from(bytes))
}

fn set_csp(h: &mut HeaderMap, csp: &str) {
    if let Ok(v) = HeaderValue::from_str(csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inline_scripts_only() {
        let html = "<html><head><script src=\"/pwa.js\" defer></script>\
            <SCRIPT type=\"module\">import init from '/a.js';\n</SCRIPT>\
            <scripts>no</scripts><script>b()</script>\
            <script data-src=\"x\">c()</script></head></html>";
        assert_eq!(
            inline_scripts(html),
            ["import init from '/a.js';\n", "b()", "c()"]
        );
        assert!(inline_scripts("<script src=x>").is_empty());
    }

    #[test]
    fn csp_lists_the_hashes() {
        // printf 'b()' | openssl dgst -sha256 -binary | base64
        let csp = app_csp(&["b()"]);
        assert!(csp.starts_with(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' \
             'sha256-cf242PFc/kb7xD0Qzhsmd9vvRkc+cWFmbi+k+YvtdKc='; style-src 'self'; "
        ));
        assert!(!csp.contains("unsafe-inline"));
        assert!(
            app_csp(&[])
                .starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src")
        );
    }
}
