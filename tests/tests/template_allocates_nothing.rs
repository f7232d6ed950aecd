//! A scope template adds no allocation to a request: a heap profiler counts the blocks
//! and bytes allocated by requests through the layer on a template rule
//! (`["agents:{agent_id}:read"]`) and by the same requests on the equivalent fixed rule
//! (`["agents:a1:read"]`, the scope the template fills to), with one token of 20 scopes
//! (the matching one last), verified once and then served from the verified-token cache.
//! The counts must be equal (in one of up to three windows: see `paired_windows`):
//! allowed, allowed by the wildcard, an escaped path (decoded in a stack buffer), and
//! refused (the 403 names the filled scope, one string either way).
//!
//! The layer allocates per request anyway (the verified claims go into the request's
//! extensions, axum builds a response, ...), so the property is "the template adds zero
//! allocations", measured against the same request on a fixed rule.
//!
//! This binary holds this one test only, because dhat's testing mode owns the global
//! allocator for the whole process.

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::{Request, StatusCode};
use scope_policy_tests::tokens::{SECRET, hs256, mint};
use scope_runtime::{Policy, ScopeLayer, scopes};
use tower::{Layer as _, ServiceExt};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// The same rule twice, its scope written fixed (`/f/`) and as a template (`/t/`).
static POLICY: Policy = scopes! {
    "GET /f/{agent_id}" => ["agents:a1:read"],
    "GET /t/{agent_id}" => ["agents:{agent_id}:read"],
};

/// 19 scopes that match neither rule, then `last`.
fn scopes(last: &str) -> Vec<String> {
    let mut scopes: Vec<String> = (0..19).map(|i| format!("agents:other-{i}:read")).collect();
    scopes.push(last.to_owned());
    scopes
}

fn token(last: &str) -> String {
    let scopes = scopes(last);
    let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
    mint(&scopes)
}

/// The heap blocks and bytes allocated by `n` runs of `f`.
fn allocated(n: usize, mut f: impl FnMut()) -> (u64, u64) {
    let before = dhat::HeapStats::get();
    for _ in 0..n {
        f();
    }
    let after = dhat::HeapStats::get();
    (
        after.total_blocks - before.total_blocks,
        after.total_bytes - before.total_bytes,
    )
}

/// `a` and `b` measured side by side, in up to three windows, until one window finds
/// them equal (`same` decides): the test harness's other thread sometimes allocates a few
/// blocks inside a window on a loaded machine, but an allocation the template adds
/// happens in every window. Returns the last window's pair.
fn paired_windows(
    mut a: impl FnMut() -> (u64, u64),
    mut b: impl FnMut() -> (u64, u64),
    same: impl Fn((u64, u64), (u64, u64)) -> bool,
) -> ((u64, u64), (u64, u64)) {
    let mut last = (a(), b());
    for _ in 1..3 {
        if same(last.0, last.1) {
            break;
        }
        last = (a(), b());
    }
    last
}

#[test]
fn a_template_adds_no_allocation_to_a_request() {
    let profiler = dhat::Profiler::builder()
        .testing()
        .file_name(concat!(
            env!("CARGO_TARGET_TMPDIR"),
            "/dhat-template-heap.json"
        ))
        .build();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let router = Router::new()
        .route("/f/{agent_id}", get(|| async { "ok" }))
        .route("/t/{agent_id}", get(|| async { "ok" }));
    // The default verifier: the verified-token cache is on.
    let app = ScopeLayer::new(hs256(SECRET), POLICY).layer(router);
    let exact = token("agents:a1:read");
    let wildcard = token("agents:*:read");
    let lacking = token("agents:a2:read");
    let call = |path: &str, token: &str| {
        let request = Request::get(path)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        let response = rt
            .block_on(app.clone().oneshot(request))
            .unwrap_or_else(|never| match never {});
        response.status()
    };

    // (what, fixed-rule request, template-rule request, token, expected status)
    let cases = [
        ("allowed", "/f/a1", "/t/a1", &exact, StatusCode::OK),
        ("escaped path", "/f/a%31", "/t/a%31", &exact, StatusCode::OK),
        ("refused", "/f/a1", "/t/a1", &lacking, StatusCode::FORBIDDEN),
    ];
    const N: usize = 200;
    let mut report = Vec::new();
    for (what, fixed, template, token, status) in cases {
        // Warm up: the token verified and cached, every lazy structure built.
        for _ in 0..3 {
            assert_eq!(call(fixed, token), status, "{what}: {fixed}");
            assert_eq!(call(template, token), status, "{what}: {template}");
        }
        let (on_fixed, on_template) = paired_windows(
            || allocated(N, || assert_eq!(call(fixed, token), status)),
            || allocated(N, || assert_eq!(call(template, token), status)),
            |a, b| a == b,
        );
        report.push(format!(
            "{what}: fixed {} blocks / {} bytes, template {} blocks / {} bytes per request",
            on_fixed.0 as f64 / N as f64,
            on_fixed.1 as f64 / N as f64,
            on_template.0 as f64 / N as f64,
            on_template.1 as f64 / N as f64,
        ));
        dhat::assert_eq!(on_template.0, on_fixed.0, "{what}: blocks");
        dhat::assert_eq!(on_template.1, on_fixed.1, "{what}: bytes");
    }
    // The wildcard passes the template rule only; compare it with the exact scope on the
    // same template rule.
    for _ in 0..3 {
        assert_eq!(call("/t/a1", &wildcard), StatusCode::OK);
    }
    let (exact_held, wildcard_held) = paired_windows(
        || allocated(N, || assert_eq!(call("/t/a1", &exact), StatusCode::OK)),
        || allocated(N, || assert_eq!(call("/t/a1", &wildcard), StatusCode::OK)),
        |a, b| a.0 == b.0,
    );
    report.push(format!(
        "wildcard: exact {} blocks / {} bytes, wildcard {} blocks / {} bytes per request",
        exact_held.0 as f64 / N as f64,
        exact_held.1 as f64 / N as f64,
        wildcard_held.0 as f64 / N as f64,
        wildcard_held.1 as f64 / N as f64,
    ));
    dhat::assert_eq!(wildcard_held.0, exact_held.0, "wildcard: blocks");
    // The token differs in length (`*` for `a1`), and so does its cached copy's key:
    // the bytes may differ by that much per request, never the blocks.
    drop(profiler);
    for line in report {
        println!("{line}");
    }
}
