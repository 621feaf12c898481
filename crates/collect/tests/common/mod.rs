//! Test helpers: a moto server on 127.0.0.1 (the one `IAMWHY_MOTO_URL` names, or one started
//! here on a free loopback port and stopped when the guard drops), seeding it, and a refusing
//! loopback proxy in front of it.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A moto server for one test.
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    child: Option<Child>,
    _shared: Option<MutexGuard<'static, ()>>,
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

static SHARED: Mutex<()> = Mutex::new(());

fn python() -> String {
    std::env::var("IAMWHY_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Where the tests install moto for themselves when the machine's Python lacks it: under the
/// build directory, so a fresh clone's `cargo test --workspace` needs only Python and PyPI.
fn private_site() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("moto-site")
}

fn can_import(pythonpath: Option<&Path>) -> bool {
    let mut c = Command::new(python());
    c.args(["-c", "import moto.server, boto3"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(p) = pythonpath {
        c.env("PYTHONPATH", p);
    }
    c.status().is_ok_and(|s| s.success())
}

/// The `PYTHONPATH` moto needs: none when the machine's Python has it; else a private install
/// (made once, with `pip install --target`, the first time a test needs it).
fn moto_pythonpath() -> Option<PathBuf> {
    static PATH: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        if can_import(None) {
            return None;
        }
        let site = private_site();
        if !can_import(Some(&site)) {
            let status = Command::new(python())
                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target"])
                .arg(&site)
                .arg("moto[server]")
                .status();
            assert!(
                status.is_ok_and(|s| s.success()) && can_import(Some(&site)),
                "moto server is not installed for {} and could not be installed into {}: run `{} -m pip install 'moto[server]'` (or set IAMWHY_MOTO_URL to a running moto on 127.0.0.1). These tests need it; they do not skip.",
                python(),
                site.display(),
                python()
            );
        }
        Some(site)
    })
    .clone()
}

/// `python3` with moto importable.
fn python_with_moto() -> Command {
    let mut c = Command::new(python());
    if let Some(p) = moto_pythonpath() {
        c.env("PYTHONPATH", p);
    }
    c
}

fn assert_loopback(url: &str) {
    let rest = url
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("IAMWHY_MOTO_URL must be http://127.0.0.1:PORT, not {url}"));
    assert!(
        rest.starts_with("127.0.0.1:") || rest.starts_with("localhost:"),
        "IAMWHY_MOTO_URL must point at loopback (127.0.0.1), not {url}: tests reach nothing else"
    );
}

fn wait_ready(url: &str, child: Option<&mut Child>) {
    let addr = url.trim_start_matches("http://").to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut child = child;
    loop {
        if TcpStream::connect(&addr).is_ok() {
            return;
        }
        if let Some(c) = child.as_deref_mut()
            && let Ok(Some(status)) = c.try_wait()
        {
            panic!(
                "moto server exited before it was ready ({status}); is moto installed? pip install 'moto[server]'"
            );
        }
        assert!(
            Instant::now() < deadline,
            "moto at {url} did not accept connections within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The moto server of `IAMWHY_MOTO_URL` (reset, and held exclusively for this test), or a
/// new one on a free loopback port, installing moto for the tests when Python lacks it. Fails
/// the test with a clear message when moto can be neither found nor installed.
pub fn moto() -> Moto {
    if let Ok(url) = std::env::var("IAMWHY_MOTO_URL") {
        assert_loopback(&url);
        let guard = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        wait_ready(&url, None);
        http(&url, "POST", "/moto-api/reset", &[]);
        return Moto {
            url,
            child: None,
            _shared: Some(guard),
        };
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let mut child = python_with_moto()
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto server");
    wait_ready(&url, Some(&mut child));
    Moto {
        url,
        child: Some(child),
        _shared: None,
    }
}

/// One plain HTTP/1.1 request to a loopback server; the response body.
pub fn http(url: &str, method: &str, path: &str, body: &[u8]) -> String {
    let addr = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect to moto");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// Seed moto with tests/moto/seed.py; the ids it printed.
pub fn seed(url: &str) -> serde_json::Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/moto/seed.py");
    let out = python_with_moto()
        .arg(&script)
        .arg(url)
        .output()
        .expect("run the seed script");
    assert!(
        out.status.success(),
        "seeding moto failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the seed script prints JSON")
}

/// A fresh directory path (not created) under the system temp dir.
pub fn out_dir(tag: &str) -> PathBuf {
    let base = std::env::temp_dir().join(format!(
        "iamwhy-collect-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&base).unwrap();
    base.join("world")
}

/// Collector options against a loopback endpoint with dummy credentials.
pub fn options(url: &str, out: &Path) -> iamwhy_collect::Options {
    let mut o = iamwhy_collect::Options {
        out: out.to_path_buf(),
        ..iamwhy_collect::Options::default()
    };
    o.connection.endpoint_url = Some(url.to_string());
    o.connection.home_region = Some("us-east-1".into());
    o.connection.max_attempts = 2;
    // Dummy static credentials for the emulator; never real ones.
    o.connection.credentials = Some(aws_credential_types::Credentials::new(
        "testing",
        "testing",
        None,
        None,
        "iamwhy-tests",
    ));
    o
}

/// A loopback proxy in front of `upstream` that answers requests matching a rule with that
/// rule's refusal and forwards everything else. Runs until the process ends.
pub struct Refusing {
    /// `http://127.0.0.1:PORT` of the proxy.
    pub url: String,
    /// How many requests were refused.
    pub refused: Arc<Mutex<usize>>,
}

/// A refusal: when the request (head or body) contains `needle` (case-insensitive), answer
/// with this status and body.
#[derive(Clone)]
pub struct Rule {
    /// Text looked for in the request line and headers (`x-amz-target: TrentService.ListKeys`).
    pub needle: String,
    /// HTTP status.
    pub status: u16,
    /// Content type of the body.
    pub content_type: &'static str,
    /// The error body in the service's protocol.
    pub body: String,
}

fn read_request(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(buf)
}

/// Start a refusing proxy.
pub fn refusing_proxy(upstream: &str, rules: Vec<Rule>) -> Refusing {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream.trim_start_matches("http://").to_string();
    let refused = Arc::new(Mutex::new(0usize));
    let counter = refused.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut client) = conn else { continue };
            let upstream = upstream.clone();
            let rules = rules.clone();
            let counter = counter.clone();
            std::thread::spawn(move || {
                while let Some(req) = read_request(&mut client) {
                    let head_end = req.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    let whole = String::from_utf8_lossy(&req).to_lowercase();
                    if let Some(rule) = rules
                        .iter()
                        .find(|r| whole.contains(&r.needle.to_lowercase()))
                    {
                        *counter.lock().unwrap() += 1;
                        let resp = format!(
                            "HTTP/1.1 {} Refused\r\nContent-Type: {}\r\nContent-Length: {}\r\nx-amzn-requestid: test\r\n\r\n{}",
                            rule.status,
                            rule.content_type,
                            rule.body.len(),
                            rule.body
                        );
                        if client.write_all(resp.as_bytes()).is_err() {
                            return;
                        }
                        continue;
                    }
                    // Forward on a fresh upstream connection that closes after one response.
                    let Ok(mut up) = TcpStream::connect(&upstream) else {
                        return;
                    };
                    let head_text = String::from_utf8_lossy(&req[..head_end]).to_string();
                    let mut new_head = String::new();
                    for line in head_text.split("\r\n") {
                        if line.to_lowercase().starts_with("connection:") || line.is_empty() {
                            continue;
                        }
                        new_head.push_str(line);
                        new_head.push_str("\r\n");
                    }
                    new_head.push_str("Connection: close\r\n\r\n");
                    if up.write_all(new_head.as_bytes()).is_err()
                        || up.write_all(&req[head_end..]).is_err()
                    {
                        return;
                    }
                    let mut resp = Vec::new();
                    if up.read_to_end(&mut resp).is_err() {
                        return;
                    }
                    // Answer on the client connection (keep-alive kept by rewriting the
                    // upstream's Connection header away).
                    let Some(rh) = resp.windows(4).position(|w| w == b"\r\n\r\n") else {
                        return;
                    };
                    let rhead = String::from_utf8_lossy(&resp[..rh]).to_string();
                    let mut body = resp[rh + 4..].to_vec();
                    let mut out_head = String::new();
                    let mut chunked = false;
                    for line in rhead.split("\r\n") {
                        let l = line.to_lowercase();
                        if l.starts_with("connection:") || l.starts_with("content-length:") {
                            continue;
                        }
                        if l.starts_with("transfer-encoding:") && l.contains("chunked") {
                            chunked = true;
                            continue;
                        }
                        out_head.push_str(line);
                        out_head.push_str("\r\n");
                    }
                    if chunked {
                        body = dechunk(&body);
                    }
                    out_head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                    if client.write_all(out_head.as_bytes()).is_err()
                        || client.write_all(&body).is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    Refusing { url, refused }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..i]).trim(), 16).unwrap_or(0);
        if size == 0 || b.len() < i + 2 + size + 2 {
            break;
        }
        out.extend_from_slice(&b[i + 2..i + 2 + size]);
        b = &b[i + 2 + size + 2..];
    }
    out
}
