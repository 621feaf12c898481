//! Load test of `iamwhy serve` on 127.0.0.1 (tools/serve-load/run builds and runs it).
//!
//! Starts `iamwhy serve --world DIR --addr 127.0.0.1:0` as a child process, sends explain
//! requests from `--concurrency` keep-alive connections until `--requests` are done or
//! `--seconds` have passed (whichever comes first: it always stops by itself), then a burst of
//! malformed requests (bad JSON, wrong fields, oversized bodies, unknown paths, bytes that are
//! not HTTP), then checks the server still answers an explain request correctly. Prints
//! requests/s, p50/p99/max latency, errors, and the server's resident memory before, after
//! the load and after the burst.
//!
//! Usage: serve-load --bin target/release/iamwhy --world crates/world/demo-world
//!        [--requests 40000] [--concurrency 16] [--seconds 60] [--malformed 2000]
//!        [--message 0|1|2]   (only one of the three messages; default: them in turn)

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Denials of the demo world's stories, as AWS words them.
const MESSAGES: &[&str] = &[
    "User: arn:aws:iam::333333333333:user/bob is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:333333333333:instance/* with an explicit deny in a service control policy",
    "User: arn:aws:iam::222222222222:user/alice is not authorized to perform: lambda:UpdateFunctionCode on resource: arn:aws:lambda:eu-west-1:222222222222:function:orders-api because no identity-based policy allows the lambda:UpdateFunctionCode action",
    "User: arn:aws:iam::222222222222:user/alice is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::prod-app-customer-data/orders/2024-06-01/export.csv\" with an explicit deny in a resource-based policy",
];

struct Args {
    bin: String,
    world: String,
    requests: usize,
    concurrency: usize,
    seconds: u64,
    malformed: usize,
    message: Option<usize>,
}

fn args() -> Args {
    let mut a = Args {
        bin: "target/release/iamwhy".into(),
        world: "crates/world/demo-world".into(),
        requests: 40_000,
        concurrency: 16,
        seconds: 60,
        malformed: 2_000,
        message: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--bin" => a.bin = value(),
            "--world" => a.world = value(),
            "--requests" => a.requests = value().parse().expect("--requests N"),
            "--concurrency" => a.concurrency = value().parse().expect("--concurrency N"),
            "--seconds" => a.seconds = value().parse().expect("--seconds N"),
            "--malformed" => a.malformed = value().parse().expect("--malformed N"),
            "--message" => a.message = Some(value().parse().expect("--message 0|1|2")),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

/// The server, stopped when the tool ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Nanoseconds the process (all its threads, live and ended) has spent on a CPU, from
/// `utime` + `stime` of `/proc/PID/stat` (clock ticks of 10 ms: USER_HZ is 100 on Linux).
fn cpu_ns(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // Fields after the command name (in parentheses, which may hold spaces).
            let rest = s.rsplit_once(") ")?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let utime: u64 = f.get(11)?.parse().ok()?;
            let stime: u64 = f.get(12)?.parse().ok()?;
            Some((utime + stime) * 10_000_000)
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

async fn request(
    client: &HttpClient,
    addr: &str,
    method: &str,
    path: &str,
    body: Bytes,
) -> Result<(u16, Bytes), String> {
    let req = hyper::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
        .header("content-type", "application/json")
        .body(Full::new(body))
        .map_err(|e| e.to_string())?;
    let resp = client.request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, body))
}

fn explain_body(i: usize) -> Bytes {
    let m = MESSAGES[i % MESSAGES.len()];
    explain_text(m)
}

fn explain_text(m: &str) -> Bytes {
    Bytes::from(serde_json::json!({"input": m}).to_string())
}

#[tokio::main]
async fn main() {
    let a = args();
    let mut child = Command::new(&a.bin)
        .args(["serve", "--world", &a.world, "--addr", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", a.bin));
    let pid = child.id();
    let stderr = child.stderr.take().expect("stderr");
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stderr)
        .read_line(&mut line)
        .expect("the server's first line");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    println!("server: {} (pid {pid}) on {addr}", a.bin);

    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(a.concurrency)
        .build_http();
    // Warm up (and check the answer is right before measuring).
    let (status, body) = request(&client, &addr, "POST", "/api/v1/explain", explain_body(0))
        .await
        .expect("the first request");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("DenyAllOutsideEU"));
    for i in 0..200 {
        let _ = request(&client, &addr, "POST", "/api/v1/explain", explain_body(i)).await;
    }
    let rss_before = rss_kib(pid);
    let server_cpu_before = cpu_ns(&pid.to_string());
    let client_cpu_before = cpu_ns("self");

    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..a.concurrency {
        let client = client.clone();
        let addr = addr.clone();
        let next = next.clone();
        let errors = errors.clone();
        let total = a.requests;
        let only = a.message;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total || Instant::now() >= deadline {
                    break;
                }
                let t = Instant::now();
                let body = match only {
                    Some(m) => explain_text(MESSAGES[m % MESSAGES.len()]),
                    None => explain_body(i),
                };
                match request(&client, &addr, "POST", "/api/v1/explain", body).await {
                    Ok((200, _)) => {}
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("a client task"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let rss_after = rss_kib(pid);
    let server_cpu = cpu_ns(&pid.to_string()) - server_cpu_before;
    let client_cpu = cpu_ns("self") - client_cpu_before;
    let done = latencies.len();
    println!(
        "explain: {done} requests in {:.2} s with {} connections: {:.0} req/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; errors {}{}",
        elapsed.as_secs_f64(),
        a.concurrency,
        done as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        errors.load(Ordering::Relaxed),
        if done < a.requests {
            format!(" (stopped at the {} s bound)", a.seconds)
        } else {
            String::new()
        }
    );
    println!(
        "CPU per request: server {:.3} ms, this client {:.3} ms (on {} cores: the server alone could do at most {:.0} req/s)",
        server_cpu as f64 / done.max(1) as f64 / 1e6,
        client_cpu as f64 / done.max(1) as f64 / 1e6,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        std::thread::available_parallelism().map_or(1, |n| n.get()) as f64 * 1e9
            / (server_cpu as f64 / done.max(1) as f64)
    );
    println!(
        "server RSS: {} KiB before, {} KiB after ({:+} KiB)",
        rss_before,
        rss_after,
        rss_after as i64 - rss_before as i64
    );

    // The burst of malformed requests.
    let burst_started = Instant::now();
    let big = Bytes::from(vec![b'x'; 5 << 20]);
    let mut answered = [0usize; 6];
    let kinds = [
        (
            "POST",
            "/api/v1/explain",
            Bytes::from_static(b"{\"input\": "),
        ),
        (
            "POST",
            "/api/v1/explain",
            Bytes::from_static(b"{\"input\": 42}"),
        ),
        ("POST", "/api/v1/check", Bytes::from_static(b"[1,2,3]")),
        (
            "POST",
            "/api/v1/lint",
            Bytes::from_static(b"\xff\xfe not utf8"),
        ),
        ("GET", "/api/v1/../../etc/passwd", Bytes::new()),
    ];
    let mut bad_status = 0;
    for i in 0..a.malformed {
        if i % 100 == 99 {
            // Not HTTP at all, on a raw socket.
            if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
                let _ = s.write_all(b"\x16\x03\x01 garbage that is not HTTP\r\n\r\n");
            }
            answered[5] += 1;
            continue;
        }
        let (method, path, body) = if i % 250 == 0 {
            ("POST", "/api/v1/explain", big.clone())
        } else {
            let k = &kinds[i % kinds.len()];
            (k.0, k.1, k.2.clone())
        };
        match request(&client, &addr, method, path, body).await {
            Ok((s, b)) if (400..500).contains(&s) && b.starts_with(b"{") => {
                answered[i % kinds.len()] += 1;
            }
            Ok(_) | Err(_) => bad_status += 1,
        }
    }
    let rss_burst = rss_kib(pid);
    let (status, body) = request(&client, &addr, "POST", "/api/v1/explain", explain_body(0))
        .await
        .expect("the server still answers after the burst");
    let still_right = status == 200 && String::from_utf8_lossy(&body).contains("DenyAllOutsideEU");
    println!(
        "malformed burst: {} requests in {:.2} s, {} answered with a 4xx JSON diagnostic, {} not (oversized bodies may be cut off by the server before the client finishes sending), {} raw non-HTTP connections; server RSS after {} KiB; the server then answers explain correctly: {}",
        a.malformed,
        burst_started.elapsed().as_secs_f64(),
        answered[..5].iter().sum::<usize>(),
        bad_status,
        answered[5],
        rss_burst,
        if still_right { "yes" } else { "NO" }
    );
    drop(server);
    if !still_right || errors.load(Ordering::Relaxed) > 0 {
        std::process::exit(1);
    }
}
