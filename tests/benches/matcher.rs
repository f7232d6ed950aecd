//! Lookup time of the generated matcher, side by side with a linear scan that does what
//! Agno's `JWTMiddleware` does (first match in declaration order, fnmatch-style `*`
//! that also crosses `/`).
//!
//! Run: `cargo bench -p scope-policy-tests --bench matcher`. Results and how to read
//! them: BENCHMARKS.md.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use scope_runtime::Policy;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/generated_policies.rs"));
}

/// The seed policy, exactly as the `agent_os` example serves it.
static SEED: &Policy = &scope_policy_examples::agent_os::POLICY;

const SEED_AGNO: &[(&str, &str, &[&str])] = &[
    ("GET", "/agents", &["app:read"]),
    ("GET", "/agents/*", &["app:read"]),
    ("POST", "/agents/*/runs", &["app:run", "app:execute"]),
    ("GET", "/sessions", &["app:admin"]),
    ("GET", "/sessions/*", &["app:read", "sessions:read"]),
    ("GET", "/memories", &["memory:admin"]),
    ("POST", "/memories", &["memory:write"]),
    ("GET", "/config", &["app:admin"]),
    ("GET", "/health", &[]),
    ("GET", "/me", &[]),
];

const SEED_REQUESTS: &[(&str, &str)] = &[
    ("GET", "/agents"),
    ("GET", "/agents/research-agent"),
    ("POST", "/agents/research-agent/runs"),
    ("GET", "/sessions"),
    ("GET", "/sessions/s-1"),
    ("POST", "/memories"),
    ("GET", "/config"),
    ("GET", "/unknown/path"),
];

/// fnmatch-style match, as Python's `fnmatch` does it for `*` (any run of characters,
/// `/` included). Iterative with one backtrack point: linear in practice.
fn fnmatch(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

/// Agno's lookup: the first rule in declaration order whose method and pattern match.
fn linear_scan<'a>(
    rules: &'a [(&'a str, &'a str, &'a [&'a str])],
    method: &str,
    path: &str,
) -> Option<&'a [&'a str]> {
    rules
        .iter()
        .find(|(m, p, _)| (*m == "*" || *m == method) && fnmatch(p.as_bytes(), path.as_bytes()))
        .map(|(_, _, scopes)| *scopes)
}

fn bench_pair(
    c: &mut Criterion,
    name: &str,
    policy: &Policy,
    agno: &[(&str, &str, &[&str])],
    requests: &[(&str, &str)],
) {
    let mut group = c.benchmark_group(format!("lookup/{name}"));
    // Each iteration looks up every sample request once; the per-lookup time is the
    // iteration time divided by the number of requests (BENCHMARKS.md does the division).
    group.throughput(criterion::Throughput::Elements(requests.len() as u64));
    group.bench_function(BenchmarkId::new("generated", requests.len()), |b| {
        b.iter(|| {
            for (m, p) in requests {
                black_box(policy.lookup_str(black_box(m), black_box(p)));
            }
        })
    });
    group.bench_function(BenchmarkId::new("linear_fnmatch", requests.len()), |b| {
        b.iter(|| {
            for (m, p) in requests {
                black_box(linear_scan(agno, black_box(m), black_box(p)));
            }
        })
    });
    group.finish();
}

fn matcher(c: &mut Criterion) {
    // The generated matcher and the baseline agree on which rules these requests hit
    // (a sanity check, not a measurement).
    for (m, p) in generated::REQUESTS_1000 {
        let ours = generated::POLICY_1000
            .lookup_str(m, p)
            .map(|r| r.requirement().scopes());
        let theirs = linear_scan(generated::AGNO_1000, m, p);
        let agree = match (ours, theirs) {
            (Some(ours), Some(theirs)) => ours == theirs,
            (ours, theirs) => ours.is_none() && theirs.is_none(),
        };
        assert!(agree, "{m} {p}: {ours:?} != {theirs:?}");
    }
    bench_pair(c, "seed", SEED, SEED_AGNO, SEED_REQUESTS);
    bench_pair(
        c,
        "10",
        &generated::POLICY_10,
        generated::AGNO_10,
        generated::REQUESTS_10,
    );
    bench_pair(
        c,
        "100",
        &generated::POLICY_100,
        generated::AGNO_100,
        generated::REQUESTS_100,
    );
    bench_pair(
        c,
        "1000",
        &generated::POLICY_1000,
        generated::AGNO_1000,
        generated::REQUESTS_1000,
    );
}

criterion_group!(benches, matcher);
criterion_main!(benches);
