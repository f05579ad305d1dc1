//! Slow and idle clients (slowloris, issue 11 item 8) against the real serve
//! loop on loopback: hundreds of connections that never finish their
//! headers or dribble a body must neither block a real request nor stay
//! open past the timeouts, also in a process at 128 file descriptors.
mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::dist_dir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TIMEOUT: Duration = Duration::from_secs(1);
/// Every attacker gives up (and the test fails) after this.
const GIVE_UP: Duration = Duration::from_secs(15);
const DRIBBLE: Duration = Duration::from_millis(200);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// Connects and sends nothing.
    Silent,
    /// Sends a request line and then one header line at a time, forever.
    SlowHeaders,
    /// Sends complete headers of a 100 kB join request, then a byte at a time.
    SlowBody,
}

struct Attacker {
    kind: Kind,
    stream: TcpStream,
    opened: Instant,
}

#[derive(Debug)]
struct Outcome {
    kind: Kind,
    /// Since the connection was opened; `None`: still open at `GIVE_UP`.
    closed_after: Option<Duration>,
    /// What the server sent before closing.
    answer: String,
}

async fn open(addr: &str, kind: Kind) -> Attacker {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let opened = Instant::now();
    let start: &[u8] = match kind {
        Kind::Silent => b"",
        Kind::SlowHeaders => b"GET /api/health HTTP/1.1\r\nHost: linli\r\n",
        Kind::SlowBody => {
            b"POST /api/v1/join HTTP/1.1\r\nHost: linli\r\n\
            Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
        }
    };
    stream.write_all(start).await.unwrap();
    Attacker {
        kind,
        stream,
        opened,
    }
}

/// Keep the request going until the server closes the connection.
async fn dribble(mut a: Attacker) -> Outcome {
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    let mut n = 0u32;
    let closed_after = loop {
        if a.opened.elapsed() > GIVE_UP {
            break None;
        }
        tokio::select! {
            r = a.stream.read(&mut buf) => match r {
                Ok(0) | Err(_) => break Some(a.opened.elapsed()),
                Ok(k) => answer.extend_from_slice(&buf[..k]),
            },
            _ = tokio::time::sleep(DRIBBLE) => {
                n += 1;
                let more = match a.kind {
                    Kind::Silent => continue,
                    Kind::SlowHeaders => format!("X-Pad-{n}: y\r\n"),
                    Kind::SlowBody => " ".to_string(),
                };
                if a.stream.write_all(more.as_bytes()).await.is_err() {
                    break Some(a.opened.elapsed());
                }
            }
        }
    };
    Outcome {
        kind: a.kind,
        closed_after,
        answer: String::from_utf8_lossy(&answer).into_owned(),
    }
}

/// Open `kinds` (in order) against `addr` and keep them all going.
async fn attack(addr: &str, kinds: &[(Kind, usize)]) -> Vec<tokio::task::JoinHandle<Outcome>> {
    let mut open_ones = Vec::new();
    for &(kind, n) in kinds {
        for _ in 0..n {
            open_ones.push(open(addr, kind).await);
        }
    }
    open_ones
        .into_iter()
        .map(|a| tokio::spawn(dribble(a)))
        .collect()
}

/// `GET /api/health` on a fresh connection: how long it took.
async fn real_request(url: &str) -> Duration {
    linli_server::install_tls_provider();
    let client = reqwest::Client::builder()
        .timeout(GIVE_UP)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let t = Instant::now();
    let res = client
        .get(format!("{url}/api/health"))
        .send()
        .await
        .expect("the real request failed under attack");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    t.elapsed()
}

/// Every attacker was closed by the server, none before the timeout.
async fn check_closed(handles: Vec<tokio::task::JoinHandle<Outcome>>) -> Duration {
    let mut last = Duration::ZERO;
    for h in handles {
        let o = h.await.unwrap();
        let after = o.closed_after.unwrap_or_else(|| {
            panic!("a {:?} connection was still open after {GIVE_UP:?}", o.kind)
        });
        assert!(
            after >= TIMEOUT.mul_f32(0.9),
            "a {:?} connection was closed after {after:?}, before the timeout",
            o.kind
        );
        if o.kind == Kind::SlowBody {
            assert!(
                o.answer.starts_with("HTTP/1.1 408") && o.answer.contains("request_timeout"),
                "a slow body gets 408 request_timeout, got {:?}",
                o.answer
            );
        } else {
            assert_eq!(o.answer, "", "{:?}: no answer to no request", o.kind);
        }
        last = last.max(after);
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_neither_block_a_real_request_nor_stay_open() {
    const CAP: usize = 64;
    let dist = dist_dir();
    let config = linli_server::Config {
        dist: dist.path().into(),
        data: dist.path().join("data"),
        limits: linli_server::Limits {
            header_timeout: TIMEOUT,
            body_timeout: TIMEOUT,
            max_connections: CAP,
        },
        ..Default::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(linli_server::serve(listener, config, async {
        let _ = stopped.await;
    }));

    let kinds = [
        (Kind::SlowHeaders, 150),
        (Kind::Silent, 30),
        (Kind::SlowBody, 20),
    ];
    let attackers: usize = kinds.iter().map(|k| k.1).sum();
    let handles = attack(&addr, &kinds).await;
    // Over the cap, connections wait in the backlog and each batch of CAP
    // is closed by the timeout; the real request is in the last batch.
    let took = real_request(&format!("http://{addr}")).await;
    let batches = attackers.div_ceil(CAP) as u32;
    println!("real request under attack by {attackers}: {took:?} ({batches} batches of {CAP})");
    assert!(
        took < TIMEOUT * (batches + 2),
        "the real request took {took:?}"
    );
    let last = check_closed(handles).await;
    println!("last slow connection closed after {last:?}");
    assert!(last < TIMEOUT * (batches + 3), "closing took {last:?}");

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// The reviewer's setup: the binary at 128 file descriptors, 200 half-open
/// requests. The cap is derived from the limit, so accept never hits
/// EMFILE and the real request is served once the slow ones time out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_at_128_descriptors_stays_reachable() {
    let dist = dist_dir();
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 128 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_linli-server"))
        .args(["serve", "--addr", "127.0.0.1:0", "--header-timeout", "1"])
        .args(["--body-timeout", "1", "--dist"])
        .arg(dist.path())
        .arg("--data")
        .arg(dist.path().join("data"))
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let output = Arc::new(Mutex::new(String::new()));
    let mut stdout = child.stdout.take().unwrap();
    let sink = output.clone();
    tokio::spawn(async move {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf).await {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let t = Instant::now();
    let url = loop {
        let text = output.lock().unwrap().clone();
        if let Some(i) = text.find("serving at http://") {
            let rest = &text[i + "serving at http://".len()..];
            if let Some(end) = rest.find('/') {
                break format!("http://{}", &rest[..end]);
            }
        }
        assert!(t.elapsed() < GIVE_UP, "the server did not start: {text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let addr = url.trim_start_matches("http://").to_string();

    let handles = attack(&addr, &[(Kind::SlowHeaders, 200)]).await;
    let took = real_request(&url).await;
    // (128 − 32 reserved) / 2 per connection = 48 at once: 5 batches.
    println!("real request under attack by 200 at 128 fds: {took:?}");
    assert!(took < TIMEOUT * 7, "the real request took {took:?}");
    check_closed(handles).await;

    let text = output.lock().unwrap().clone();
    assert!(
        text.contains("cap=48") && text.contains("nofile=128"),
        "the cap follows the descriptor limit: {text}"
    );
    assert!(
        !text.contains("accept failed"),
        "accept ran out of descriptors: {text}"
    );
    child.kill().await.unwrap();
}
