//! Bounded load generator for the `agent_os` example (`scripts/load-test.sh`).
//!
//! `scope-policy-load --addr 127.0.0.1:PORT --secret S [--duration 60] [--connections 64]`
//!
//! Opens `--connections` keep-alive HTTP/1.1 connections to a loopback address (anything
//! else is refused) and sends, until `--duration` seconds have passed, a fixed mix of
//! requests: valid tokens, expired, forged, oversized and `alg: none` tokens, malformed
//! headers and hostile paths (trailing slashes, `//`, encoded slashes and dots, dot
//! segments, `;` parameters, case, lower-case methods). Every request kind has one exact
//! expected status; each answer is checked.
//!
//! The only requests that may create state are the "allowed run" kind (a power user's
//! run, expected 200). Before and after, the superadmin reads the ids of the newest
//! session and memory: sessions created must equal allowed runs answered 200, and
//! memories created the same, so a denied run or memory post that reached a handler
//! would show.
//!
//! Exit status 0 when every answer had its expected status, no answer was 5xx, no
//! connection failed and the state check holds; 1 otherwise.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{Empty, Full};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use scope_policy_load::client::{self, Failure, percentile};
use serde_json::{Value, json};

/// One kind of request of the mix.
struct Kind {
    name: &'static str,
    method: Method,
    path: &'static str,
    authorization: Option<String>,
    form: bool,
    json_body: bool,
    expect: u16,
    weight: u32,
    /// A valid run: it creates one session and one memory.
    allowed_run: bool,
}

impl Kind {
    fn request(&self, host: &str) -> Request<Full<Bytes>> {
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(self.path)
            .header(HOST, host);
        if let Some(auth) = &self.authorization {
            builder = builder.header(AUTHORIZATION, auth.as_str());
        }
        let body = if self.form {
            builder = builder.header(CONTENT_TYPE, "application/x-www-form-urlencoded");
            Bytes::from_static(b"message=load")
        } else if self.json_body {
            builder = builder.header(CONTENT_TYPE, "application/json");
            Bytes::from_static(br#"{"memory":"load"}"#)
        } else {
            Bytes::new()
        };
        builder.body(Full::new(body)).expect("a valid request")
    }
}

#[derive(Default, Clone)]
struct KindStats {
    sent: u64,
    expected: u64,
    unexpected: u64,
    server_errors: u64,
    last_unexpected: Option<u16>,
}

#[derive(Default)]
struct TaskStats {
    kinds: Vec<KindStats>,
    latencies_us: Vec<u32>,
    connect_errors: u64,
    request_errors: u64,
    timeouts: u64,
}

struct Args {
    addr: SocketAddr,
    secret: String,
    duration: Duration,
    connections: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut addr = None;
    let mut secret = None;
    let mut duration = 60u64;
    let mut connections = 64usize;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => addr = Some(client::loopback_addr(&value()?)?),
            "--secret" => secret = Some(value()?),
            "--duration" => duration = value()?.parse().map_err(|_| "bad --duration")?,
            "--connections" => connections = value()?.parse().map_err(|_| "bad --connections")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let addr = addr.ok_or("--addr is required")?;
    let (duration, connections) = client::check_bounds(duration, connections)?;
    Ok(Args {
        addr,
        secret: secret.ok_or("--secret is required")?,
        duration,
        connections,
    })
}

fn now() -> i64 {
    jsonwebtoken::get_current_timestamp() as i64
}

fn token(secret: &str, scopes: &[&str], lifetime: i64, extra: Value) -> String {
    let mut claims = json!({ "sub": "load-user", "scopes": scopes, "exp": now() + lifetime });
    if let (Value::Object(c), Value::Object(e)) = (&mut claims, extra) {
        c.extend(e);
    }
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("HS256 token")
}

fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

fn mix(secret: &str) -> Vec<Kind> {
    let bearer = |t: &str| Some(format!("Bearer {t}"));
    let basic = token(secret, &["app:read"], 3600, json!({}));
    let power = token(
        secret,
        &["app:read", "app:run", "app:execute"],
        3600,
        json!({}),
    );
    let admin = token(
        secret,
        &["app:admin", "app:read", "app:run", "app:execute"],
        3600,
        json!({}),
    );
    let expired = token(secret, &["app:superadmin"], -3600, json!({}));
    let forged = token(
        "an-attacker-secret-that-is-long-enough-0123456789",
        &["app:superadmin"],
        3600,
        json!({}),
    );
    let oversized = token(
        secret,
        &["app:superadmin"],
        3600,
        json!({ "pad": "x".repeat(9 * 1024) }),
    );
    let none = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(
            json!({ "sub": "x", "scopes": ["app:superadmin"], "exp": now() + 3600 })
                .to_string()
                .as_bytes()
        )
    );
    let garbage_64k = "a".repeat(64 * 1024);
    let k = |name, method: &str, path, authorization: Option<String>, expect, weight| Kind {
        name,
        method: Method::from_bytes(method.as_bytes()).expect("method"),
        path,
        authorization,
        form: false,
        json_body: false,
        expect,
        weight,
        allowed_run: false,
    };
    let run = |name, method: &str, path, authorization: Option<String>, expect, weight| Kind {
        form: true,
        ..k(name, method, path, authorization, expect, weight)
    };
    vec![
        // Allowed traffic.
        k(
            "GET /agents (basic)",
            "GET",
            "/agents",
            bearer(&basic),
            200,
            10,
        ),
        k(
            "GET /agents/research-agent (basic)",
            "GET",
            "/agents/research-agent",
            bearer(&basic),
            200,
            5,
        ),
        k("GET /health (anonymous)", "GET", "/health", None, 200, 5),
        k("GET /me (basic)", "GET", "/me", bearer(&basic), 200, 3),
        k(
            "GET /config (admin)",
            "GET",
            "/config",
            bearer(&admin),
            200,
            2,
        ),
        Kind {
            allowed_run: true,
            ..run(
                "POST run (power, allowed)",
                "POST",
                "/agents/research-agent/runs",
                bearer(&power),
                200,
                4,
            )
        },
        // Denied runs: none may create a session.
        run(
            "POST run (basic: 403)",
            "POST",
            "/agents/research-agent/runs",
            bearer(&basic),
            403,
            6,
        ),
        run(
            "POST run (expired: 401)",
            "POST",
            "/agents/research-agent/runs",
            bearer(&expired),
            401,
            6,
        ),
        run(
            "POST run (forged: 401)",
            "POST",
            "/agents/research-agent/runs",
            bearer(&forged),
            401,
            6,
        ),
        run(
            "POST run (oversized 9 KiB: 401)",
            "POST",
            "/agents/research-agent/runs",
            bearer(&oversized),
            401,
            4,
        ),
        run(
            "POST run (64 KiB garbage: 401)",
            "POST",
            "/agents/research-agent/runs",
            bearer(&garbage_64k),
            401,
            1,
        ),
        run(
            "POST run (alg none: 401)",
            "POST",
            "/agents/research-agent/runs",
            bearer(&none),
            401,
            4,
        ),
        run(
            "POST run (no token: 401)",
            "POST",
            "/agents/research-agent/runs",
            None,
            401,
            3,
        ),
        run(
            "POST run (malformed header: 400)",
            "POST",
            "/agents/research-agent/runs",
            Some("Bearer a b".into()),
            400,
            2,
        ),
        run(
            "post run, lower-case (power: 403)",
            "post",
            "/agents/research-agent/runs",
            bearer(&power),
            403,
            2,
        ),
        run(
            "POST run/ (power: 403)",
            "POST",
            "/agents/research-agent/runs/",
            bearer(&power),
            403,
            2,
        ),
        run(
            "POST agent%2Fruns (power: 403)",
            "POST",
            "/agents/research-agent%2Fruns",
            bearer(&power),
            403,
            2,
        ),
        run(
            "POST //runs (power: 403)",
            "POST",
            "/agents//runs",
            bearer(&power),
            403,
            2,
        ),
        run(
            "POST runs;x (power: 403)",
            "POST",
            "/agents/research-agent/runs;x",
            bearer(&power),
            403,
            2,
        ),
        run(
            "POST /AGENTS/..../RUNS (power: 403)",
            "POST",
            "/AGENTS/research-agent/RUNS",
            bearer(&power),
            403,
            2,
        ),
        run(
            "POST dot segments (power: 403)",
            "POST",
            "/agents/../agents/research-agent/runs",
            bearer(&power),
            403,
            2,
        ),
        Kind {
            json_body: true,
            ..k(
                "POST /memories (basic: 403)",
                "POST",
                "/memories",
                bearer(&basic),
                403,
                3,
            )
        },
        Kind {
            json_body: true,
            ..k(
                "POST /memories (expired: 401)",
                "POST",
                "/memories",
                bearer(&expired),
                401,
                2,
            )
        },
        // Denied reads and hostile paths.
        k(
            "GET /sessions (basic: 403)",
            "GET",
            "/sessions",
            bearer(&basic),
            403,
            4,
        ),
        k(
            "GET /sessions (anonymous: 401)",
            "GET",
            "/sessions",
            None,
            401,
            3,
        ),
        k(
            "HEAD /sessions (power: 403)",
            "HEAD",
            "/sessions",
            bearer(&power),
            403,
            2,
        ),
        k(
            "GET /agents/../sessions (basic: 403)",
            "GET",
            "/agents/../sessions",
            bearer(&basic),
            403,
            2,
        ),
        k(
            "GET /agents/%2e%2e/sessions (basic: 403)",
            "GET",
            "/agents/%2e%2e/sessions",
            bearer(&basic),
            403,
            2,
        ),
        k(
            "GET /%73essions (admin: 403)",
            "GET",
            "/%73essions",
            bearer(&admin),
            403,
            2,
        ),
        k(
            "GET //sessions (admin: 403)",
            "GET",
            "//sessions",
            bearer(&admin),
            403,
            2,
        ),
        k(
            "GET /sessions;x (admin: 403)",
            "GET",
            "/sessions;x",
            bearer(&admin),
            403,
            2,
        ),
        k(
            "GET /unknown (anonymous: 401)",
            "GET",
            "/unknown",
            None,
            401,
            2,
        ),
        k(
            "GET /health%00 (anonymous: 401)",
            "GET",
            "/health%00",
            None,
            401,
            1,
        ),
    ]
}

/// The number in the `*_id` of the last element of a list (`session-42` → 42).
fn newest_id(list: &Value, field: &str) -> u64 {
    list.as_array()
        .and_then(|items| items.last())
        .and_then(|item| item[field].as_str())
        .and_then(|id| id.rsplit('-').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

async fn get_json(addr: SocketAddr, path: &str, token: &str) -> Result<Value, String> {
    let mut sender = client::connect(addr).await?;
    let req = Request::get(path)
        .header(HOST, addr.to_string())
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let (status, body) = client::exchange(&mut sender, req)
        .await
        .map_err(|e| format!("GET {path}: {e:?}"))?;
    if !(200..300).contains(&status) {
        return Err(format!("GET {path}: {status}"));
    }
    serde_json::from_slice(&body).map_err(|e| e.to_string())
}

/// (newest session number, newest memory number), as the superadmin sees them.
async fn state(addr: SocketAddr, superadmin: &str) -> Result<(u64, u64), String> {
    let sessions = get_json(addr, "/sessions", superadmin).await?;
    let memories = get_json(addr, "/memories", superadmin).await?;
    Ok((
        newest_id(&sessions, "session_id"),
        newest_id(&memories, "memory_id"),
    ))
}

async fn connection_task(
    id: usize,
    addr: SocketAddr,
    kinds: std::sync::Arc<Vec<Kind>>,
    schedule: std::sync::Arc<Vec<usize>>,
    deadline: Instant,
) -> TaskStats {
    let mut stats = TaskStats {
        kinds: vec![KindStats::default(); kinds.len()],
        latencies_us: Vec::with_capacity(1 << 16),
        ..TaskStats::default()
    };
    let host = addr.to_string();
    let mut next = id * 7919 % schedule.len();
    'connect: while Instant::now() < deadline {
        let Ok(mut sender) = client::connect(addr).await else {
            stats.connect_errors += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        while Instant::now() < deadline {
            let k = schedule[next];
            next = (next + 1) % schedule.len();
            let kind = &kinds[k];
            let started = Instant::now();
            let result = client::exchange(&mut sender, kind.request(&host)).await;
            let s = &mut stats.kinds[k];
            s.sent += 1;
            match result {
                Ok((status, _)) => {
                    stats.latencies_us.push(client::micros(started.elapsed()));
                    if status == kind.expect {
                        s.expected += 1;
                    } else {
                        s.unexpected += 1;
                        s.last_unexpected = Some(status);
                    }
                    if status >= 500 {
                        s.server_errors += 1;
                    }
                }
                Err(Failure::Request) => {
                    stats.request_errors += 1;
                    continue 'connect;
                }
                Err(Failure::Timeout) => {
                    stats.timeouts += 1;
                    continue 'connect;
                }
            }
        }
    }
    stats
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("scope-policy-load: {e}");
            std::process::exit(2);
        }
    };
    let kinds = std::sync::Arc::new(mix(&args.secret));
    // A deterministic interleaving: each kind `weight` times, spread by a fixed stride.
    let mut schedule: Vec<usize> = kinds
        .iter()
        .enumerate()
        .flat_map(|(i, k)| std::iter::repeat_n(i, k.weight as usize))
        .collect();
    let len = schedule.len();
    let mut shuffled = Vec::with_capacity(len);
    let mut seed = 0x2545_f491u64;
    while !schedule.is_empty() {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let i = (seed >> 33) as usize % schedule.len();
        shuffled.push(schedule.swap_remove(i));
    }
    let schedule = std::sync::Arc::new(shuffled);

    let superadmin = token(&args.secret, &["app:superadmin"], 3600, json!({}));
    let before = match state(args.addr, &superadmin).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("scope-policy-load: cannot read the state before the run: {e}");
            std::process::exit(1);
        }
    };

    println!(
        "load: {} connections for {} s against http://{} ({} request kinds, schedule of {len})",
        args.connections,
        args.duration.as_secs(),
        args.addr,
        kinds.len()
    );
    let started = Instant::now();
    let deadline = started + args.duration;
    let tasks: Vec<_> = (0..args.connections)
        .map(|i| {
            tokio::spawn(connection_task(
                i,
                args.addr,
                kinds.clone(),
                schedule.clone(),
                deadline,
            ))
        })
        .collect();
    let mut total = TaskStats {
        kinds: vec![KindStats::default(); kinds.len()],
        ..TaskStats::default()
    };
    for t in tasks {
        let s = t.await.expect("a connection task");
        for (a, b) in total.kinds.iter_mut().zip(&s.kinds) {
            a.sent += b.sent;
            a.expected += b.expected;
            a.unexpected += b.unexpected;
            a.server_errors += b.server_errors;
            a.last_unexpected = a.last_unexpected.or(b.last_unexpected);
        }
        total.latencies_us.extend(&s.latencies_us);
        total.connect_errors += s.connect_errors;
        total.request_errors += s.request_errors;
        total.timeouts += s.timeouts;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let after = match state(args.addr, &superadmin).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("scope-policy-load: cannot read the state after the run: {e}");
            std::process::exit(1);
        }
    };

    let answered: u64 = total.kinds.iter().map(|k| k.expected + k.unexpected).sum();
    let unexpected: u64 = total.kinds.iter().map(|k| k.unexpected).sum();
    let server_errors: u64 = total.kinds.iter().map(|k| k.server_errors).sum();
    let allowed_runs: u64 = kinds
        .iter()
        .zip(&total.kinds)
        .filter(|(k, _)| k.allowed_run)
        .map(|(_, s)| s.expected)
        .sum();
    let denied: u64 = kinds
        .iter()
        .zip(&total.kinds)
        .filter(|(k, _)| k.expect >= 400)
        .map(|(_, s)| s.expected)
        .sum();
    let mut lat = total.latencies_us;
    lat.sort_unstable();

    println!();
    println!(
        "{:<44} {:>9} {:>9} {:>6} {:>6}",
        "kind", "sent", "expected", "wrong", "5xx"
    );
    for (k, s) in kinds.iter().zip(&total.kinds) {
        let wrong = match s.last_unexpected {
            Some(st) => format!("{} ({st})", s.unexpected),
            None => s.unexpected.to_string(),
        };
        println!(
            "{:<44} {:>9} {:>9} {:>6} {:>6}",
            k.name, s.sent, s.expected, wrong, s.server_errors
        );
    }
    println!();
    println!(
        "requests answered:      {answered} in {elapsed:.1} s ({:.0} req/s)",
        answered as f64 / elapsed
    );
    println!("denied as expected:     {denied}");
    println!("unexpected statuses:    {unexpected}");
    println!("5xx responses:          {server_errors}");
    println!(
        "connection errors:      {} connect, {} request, {} timeouts",
        total.connect_errors, total.request_errors, total.timeouts
    );
    println!(
        "latency (ms):           p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
        percentile(&lat, 0.50),
        percentile(&lat, 0.90),
        percentile(&lat, 0.99),
        percentile(&lat, 0.999),
        percentile(&lat, 1.0)
    );
    let sessions = after.0 - before.0;
    let memories = after.1 - before.1;
    println!("allowed runs (200):     {allowed_runs}");
    println!(
        "sessions created:       {sessions} (session-{} -> session-{})",
        before.0, after.0
    );
    println!(
        "memories created:       {memories} (memory-{} -> memory-{})",
        before.1, after.1
    );
    let state_ok = sessions == allowed_runs && memories == allowed_runs;
    println!(
        "denied requests that reached a handler: {}",
        if state_ok {
            "0".to_owned()
        } else {
            format!("{}", sessions.max(memories).saturating_sub(allowed_runs))
        }
    );
    let ok = state_ok
        && unexpected == 0
        && server_errors == 0
        && total.connect_errors + total.request_errors + total.timeouts == 0
        && answered > 0;
    println!("result: {}", if ok { "PASS" } else { "FAIL" });
    std::process::exit(if ok { 0 } else { 1 });
}
