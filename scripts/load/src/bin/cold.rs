//! Cold-token throughput of the agent_os example (`scripts/cold-throughput.sh`): how fast
//! `GET /config` is answered when nearly every token is new to the server's
//! verified-token cache (4,096 entries), against one token that is always cached.
//!
//! ```text
//! scope-policy-cold free-port
//! scope-policy-cold jwks --alg RS256|ES256 --key PRIVATE.pem --kid KID --out JWKS.json
//! scope-policy-cold run --addr 127.0.0.1:PORT --alg RS256|ES256 --key PRIVATE.pem --kid KID
//!     [--tokens 60000] [--duration 10] [--connections 64]
//! ```
//!
//! `free-port` prints a loopback TCP port that was free a moment ago. `jwks` writes a
//! JWKS holding the public half of the private key (PEM: PKCS#1/PKCS#8 RSA, or a P-256
//! SEC1/PKCS#8 key), with its `kid`, `alg` and `use: sig`, for `JWT_JWKS_FILE`.
//!
//! `run` mints `--tokens` distinct tokens (distinct `jti`, `sub`, `exp` one hour ahead,
//! `scopes: ["app:admin"]`, header `kid` and `alg`), on every core, before any load (the
//! minting time is printed, not measured), checks that one more such token is answered
//! 200, then sends load for `--duration` seconds over `--connections` keep-alive
//! HTTP/1.1 connections to a loopback address (anything else is refused), twice:
//!
//! - `cold`: the connections take the tokens in turn from one shared counter, each
//!   token once, so every request carries a token the server has never seen; the
//!   phase ends when the tokens run out (or at `--duration`). (Cycling through more
//!   tokens than the cache holds would not do: its S3-FIFO eviction keeps a good share
//!   of a cyclic stream, about 40 % in the criterion bench.)
//! - `warm`: every request carries the same token, for `--duration`.
//!
//! Every answer must be 200. For each phase it prints the requests answered, req/s,
//! p50/p99 latency, non-200 answers and connection errors, and one
//! `result alg=… mode=… tokens=… rps=… p50_ms=… p99_ms=… non200=… errors=…` line for
//! the script's table; then the cold/warm ratio of req/s. Exit status 0 when every
//! answer of both phases was 200 and no connection failed; 1 otherwise; 2 on bad
//! arguments.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Empty;
use hyper::Request;
use hyper::header::{AUTHORIZATION, HOST, HeaderValue};
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use scope_policy_load::client::{self, Failure, percentile};
use serde_json::json;

/// The most tokens `run` mints (a bound on memory and minting time).
const MAX_TOKENS: usize = 1_000_000;

/// The path under load: `app:admin` (the seed's policy), a verified JWT, a small handler.
const PATH: &str = "/config";

fn usage() -> &'static str {
    "usage: scope-policy-cold free-port | jwks --alg RS256|ES256 --key PEM --kid KID --out FILE \
     | run --addr 127.0.0.1:PORT --alg RS256|ES256 --key PEM --kid KID [--tokens N] \
     [--duration S] [--connections C]"
}

/// The flags of `jwks` and `run`.
struct Args {
    alg: Algorithm,
    key: EncodingKey,
    kid: String,
    out: Option<String>,
    addr: Option<SocketAddr>,
    tokens: usize,
    duration: Duration,
    connections: usize,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut alg = None;
    let mut key = None;
    let mut kid = None;
    let mut out = None;
    let mut addr = None;
    let mut tokens = 60_000usize;
    let mut seconds = 10u64;
    let mut connections = 64usize;
    let mut it = args;
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--alg" => {
                alg = Some(match value()?.as_str() {
                    "RS256" => Algorithm::RS256,
                    "ES256" => Algorithm::ES256,
                    other => return Err(format!("--alg {other}: RS256 or ES256")),
                })
            }
            "--key" => key = Some(value()?),
            "--kid" => kid = Some(value()?),
            "--out" => out = Some(value()?),
            "--addr" => addr = Some(client::loopback_addr(&value()?)?),
            "--tokens" => tokens = value()?.parse().map_err(|_| "bad --tokens")?,
            "--duration" => seconds = value()?.parse().map_err(|_| "bad --duration")?,
            "--connections" => connections = value()?.parse().map_err(|_| "bad --connections")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let alg = alg.ok_or("--alg is required")?;
    let path = key.ok_or("--key is required")?;
    let pem = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem),
        _ => EncodingKey::from_rsa_pem(&pem),
    }
    .map_err(|e| format!("{path}: {e}"))?;
    if tokens == 0 || tokens > MAX_TOKENS {
        return Err(format!("--tokens must be 1..={MAX_TOKENS}"));
    }
    let (duration, connections) = client::check_bounds(seconds, connections)?;
    Ok(Args {
        alg,
        key,
        kid: kid.ok_or("--kid is required")?,
        out,
        addr,
        tokens,
        duration,
        connections,
    })
}

/// `jwks`: the public key of `args.key` as a one-key JWKS, written to `--out`.
fn write_jwks(args: &Args) -> Result<(), String> {
    let out = args.out.as_deref().ok_or("--out is required")?;
    let mut jwk = Jwk::from_encoding_key(&args.key, args.alg).map_err(|e| e.to_string())?;
    jwk.common.key_id = Some(args.kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    let set = JwkSet { keys: vec![jwk] };
    let text = serde_json::to_string_pretty(&set).map_err(|e| e.to_string())?;
    std::fs::write(out, text + "\n").map_err(|e| format!("{out}: {e}"))
}

/// `count` tokens numbered from `first`: `jti` `cold-<n>`, each a distinct token.
fn mint(args: &Args, first: usize, count: usize) -> Result<Vec<HeaderValue>, String> {
    let mut header = Header::new(args.alg);
    header.kid = Some(args.kid.clone());
    let exp = jsonwebtoken::get_current_timestamp() + 3600;
    (first..first + count)
        .map(|n| {
            let claims = json!({
                "sub": format!("cold-user-{}", n % 100),
                "jti": format!("cold-{n}"),
                "exp": exp,
                "scopes": ["app:admin"],
            });
            let token =
                jsonwebtoken::encode(&header, &claims, &args.key).map_err(|e| e.to_string())?;
            HeaderValue::from_str(&format!("Bearer {token}")).map_err(|e| e.to_string())
        })
        .collect()
}

/// [`mint`] of tokens `0..count`, split over the available cores.
fn mint_all(args: &Args, count: usize) -> Result<Vec<HeaderValue>, String> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(count);
    let per = count.div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = (0..threads)
            .map(|t| {
                let first = t * per;
                let n = per.min(count - first);
                scope.spawn(move || mint(args, first, n))
            })
            .collect();
        let mut all = Vec::with_capacity(count);
        for part in parts {
            all.extend(part.join().map_err(|_| "a minting thread panicked")??);
        }
        Ok(all)
    })
}

fn request(host: &HeaderValue, token: &HeaderValue) -> Request<Empty<Bytes>> {
    let mut req = Request::get(PATH)
        .body(Empty::new())
        .expect("a valid request");
    req.headers_mut().insert(HOST, host.clone());
    req.headers_mut().insert(AUTHORIZATION, token.clone());
    req
}

#[derive(Default)]
struct Stats {
    latencies_us: Vec<u32>,
    ok: u64,
    non_200: u64,
    last_non_200: Option<u16>,
    connect_errors: u64,
    request_errors: u64,
    timeouts: u64,
}

impl Stats {
    fn errors(&self) -> u64 {
        self.connect_errors + self.request_errors + self.timeouts
    }

    fn merge(&mut self, other: Stats) {
        self.latencies_us.extend(other.latencies_us);
        self.ok += other.ok;
        self.non_200 += other.non_200;
        self.last_non_200 = self.last_non_200.or(other.last_non_200);
        self.connect_errors += other.connect_errors;
        self.request_errors += other.request_errors;
        self.timeouts += other.timeouts;
    }
}

/// One connection until `deadline`: each request carries `tokens[next]`, `next` shared
/// by all connections, so the tokens are sent in order, each once (the connection ends
/// when they run out); a single token is sent over and over.
async fn connection_task(
    addr: SocketAddr,
    tokens: Arc<Vec<HeaderValue>>,
    next: Arc<AtomicUsize>,
    deadline: Instant,
) -> Stats {
    let mut stats = Stats {
        latencies_us: Vec::with_capacity(1 << 16),
        ..Stats::default()
    };
    let host = HeaderValue::from_str(&addr.to_string()).expect("an address is a header value");
    'connect: while Instant::now() < deadline {
        let Ok(mut sender) = client::connect(addr).await else {
            stats.connect_errors += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        while Instant::now() < deadline {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if tokens.len() > 1 && i >= tokens.len() {
                break 'connect;
            }
            let token = &tokens[i % tokens.len()];
            let started = Instant::now();
            match client::exchange(&mut sender, request(&host, token)).await {
                Ok((status, _)) => {
                    stats.latencies_us.push(client::micros(started.elapsed()));
                    if status == 200 {
                        stats.ok += 1;
                    } else {
                        stats.non_200 += 1;
                        stats.last_non_200 = Some(status);
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

/// One phase's numbers.
struct Phase {
    rps: f64,
    ok: bool,
}

/// Load with `tokens` for `args.duration`, and its report.
async fn phase(args: &Args, addr: SocketAddr, mode: &str, tokens: Vec<HeaderValue>) -> Phase {
    let n = tokens.len();
    let tokens = Arc::new(tokens);
    let next = Arc::new(AtomicUsize::new(0));
    println!(
        "== {mode}: {n} token(s), {} connections, {} s, GET http://{addr}{PATH}",
        args.connections,
        args.duration.as_secs()
    );
    let started = Instant::now();
    let deadline = started + args.duration;
    let tasks: Vec<_> = (0..args.connections)
        .map(|_| {
            tokio::spawn(connection_task(
                addr,
                tokens.clone(),
                next.clone(),
                deadline,
            ))
        })
        .collect();
    let mut total = Stats::default();
    for task in tasks {
        total.merge(task.await.expect("a connection task"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let answered = total.ok + total.non_200;
    let rps = answered as f64 / elapsed;
    let mut lat = std::mem::take(&mut total.latencies_us);
    lat.sort_unstable();
    let (p50, p99) = (percentile(&lat, 0.50), percentile(&lat, 0.99));
    let passes = match n {
        1 => String::new(),
        _ => format!(", each of the {n} tokens at most once"),
    };
    println!("   answered {answered} in {elapsed:.1} s ({rps:.0} req/s){passes}");
    println!(
        "   latency (ms): p50 {p50:.2}  p90 {:.2}  p99 {p99:.2}  max {:.2}",
        percentile(&lat, 0.90),
        percentile(&lat, 1.0)
    );
    let non_200 = match total.last_non_200 {
        Some(status) => format!("{} (last {status})", total.non_200),
        None => "0".to_owned(),
    };
    println!(
        "   non-200: {non_200}; connection errors: {} connect, {} request, {} timeouts",
        total.connect_errors, total.request_errors, total.timeouts
    );
    println!(
        "result alg={:?} mode={mode} tokens={n} requests={answered} rps={rps:.0} \
         p50_ms={p50:.2} p99_ms={p99:.2} non200={} errors={}",
        args.alg,
        total.non_200,
        total.errors()
    );
    Phase {
        rps,
        ok: total.non_200 == 0 && total.errors() == 0 && answered > 0,
    }
}

async fn run(args: Args) -> Result<bool, String> {
    let addr = args.addr.ok_or("--addr is required")?;
    let started = Instant::now();
    // Token `tokens` is the check's, so that none of the measured ones is cached before.
    let mut minted = mint_all(&args, args.tokens + 1)?;
    let check = minted.pop().expect("one more token");
    let secs = started.elapsed().as_secs_f64();
    println!(
        "minted {} {:?} tokens in {secs:.2} s ({:.0} tokens/s; not measured)",
        args.tokens + 1,
        args.alg,
        (args.tokens + 1) as f64 / secs
    );
    let mut sender = client::connect::<Empty<Bytes>>(addr).await?;
    let host = HeaderValue::from_str(&addr.to_string()).map_err(|e| e.to_string())?;
    match client::exchange(&mut sender, request(&host, &check)).await {
        Ok((200, _)) => {}
        Ok((status, body)) => {
            return Err(format!(
                "GET {PATH} with a fresh token: {status} {}",
                String::from_utf8_lossy(&body)
            ));
        }
        Err(e) => return Err(format!("GET {PATH} with a fresh token: {e:?}")),
    }
    drop(sender);
    let warm_token = minted[0].clone();
    let cold = phase(&args, addr, "cold", minted).await;
    let warm = phase(&args, addr, "warm", vec![warm_token]).await;
    println!(
        "ratio alg={:?} cold/warm={:.3}",
        args.alg,
        cold.rps / warm.rps.max(f64::MIN_POSITIVE)
    );
    Ok(cold.ok && warm.ok)
}

#[tokio::main]
async fn main() {
    let mut argv = std::env::args().skip(1);
    let command = argv.next().unwrap_or_default();
    let fail = |code: i32, e: String| -> ! {
        eprintln!("scope-policy-cold: {e}");
        std::process::exit(code)
    };
    match command.as_str() {
        "free-port" => {
            match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
                Ok(a) => println!("{}", a.port()),
                Err(e) => fail(1, e.to_string()),
            }
        }
        "jwks" => {
            let args = parse_args(argv).unwrap_or_else(|e| fail(2, e));
            write_jwks(&args).unwrap_or_else(|e| fail(1, e));
        }
        "run" => {
            let args = parse_args(argv).unwrap_or_else(|e| fail(2, e));
            if !run(args).await.unwrap_or_else(|e| fail(1, e)) {
                println!("result: FAIL");
                std::process::exit(1);
            }
            println!("result: PASS");
        }
        _ => fail(2, usage().to_owned()),
    }
}
