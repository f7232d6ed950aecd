//! The generated matcher never allocates: a heap profiler counts every allocation made
//! while thousands of lookups run (hits, misses, hostile paths, every method).
//!
//! This binary holds this one test only, because dhat's testing mode owns the global
//! allocator for the whole process.

use scope_runtime::{Policy, scopes};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

static POLICY: Policy = scopes! {
    "GET /agents"            => ["app:read"],
    "GET /agents/*"          => ["app:read"],
    "POST /agents/{id}/runs" => ["app:run", "app:execute"],
    "* /admin/**"            => ["app:admin"],
    "GET /files/{*path}"     => public,
    "GET /"                  => [],
};

#[test]
fn lookups_allocate_nothing() {
    let methods: Vec<http::Method> = ["GET", "HEAD", "POST", "DELETE", "PROPFIND"]
        .iter()
        .map(|m| m.parse().expect("valid method"))
        .collect();
    let paths = [
        "/agents",
        "/agents/a1",
        "/agents/a1/runs",
        "/admin",
        "/admin/x/y/z",
        "/files/a/b/c",
        "/",
        "//",
        "/agents//runs",
        "/%2e%2e/admin",
        "/unknown/deep/path/with/many/segments/and/more",
        "no-leading-slash",
    ];
    // dhat writes its profile when dropped: keep it in the target directory.
    let profiler = dhat::Profiler::builder()
        .testing()
        .file_name(concat!(env!("CARGO_TARGET_TMPDIR"), "/dhat-heap.json"))
        .build();
    // The profiler counts the allocations of every thread, the test harness's too
    // (rarely, on a loaded machine, a few blocks of its own land in the window). A
    // lookup that allocates does so in every window; so the lookups must run through
    // at least one of three windows without a single allocation.
    let mut hits = 0usize;
    let mut windows = Vec::new();
    for _ in 0..3 {
        let before = dhat::HeapStats::get();
        for _ in 0..1000 {
            for method in &methods {
                for path in paths {
                    hits += usize::from(POLICY.lookup(method, path).is_some());
                }
            }
        }
        let after = dhat::HeapStats::get();
        let window = (
            after.total_blocks - before.total_blocks,
            after.total_bytes - before.total_bytes,
        );
        windows.push(window);
        if window == (0, 0) {
            break;
        }
    }
    dhat::assert!(
        windows.contains(&(0, 0)),
        "every window allocated (blocks, bytes): {windows:?}"
    );
    drop(profiler);
    assert!(hits > 0, "the lookups matched something");
}
