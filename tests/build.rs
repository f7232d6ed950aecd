//! Writes the synthetic policies of the matcher benchmark (10, 100 and 1,000 rules) as
//! `scopes!` source into `$OUT_DIR`, with the same rules in Agno's dictionary form for the
//! linear-scan baseline and a sample of request paths that hit them.

use std::fmt::Write as _;
use std::path::PathBuf;

/// One synthetic rule: method, pattern in the DSL, pattern in Agno's fnmatch form, a
/// concrete path it matches.
fn rule(i: usize) -> (&'static str, String, String, String) {
    let g = i % 10;
    match i % 5 {
        0 => (
            "GET",
            format!("/g{g}/r{i}"),
            format!("/g{g}/r{i}"),
            format!("/g{g}/r{i}"),
        ),
        1 => (
            "GET",
            format!("/g{g}/r{i}/*"),
            format!("/g{g}/r{i}/*"),
            format!("/g{g}/r{i}/item-{i}"),
        ),
        2 => (
            "POST",
            format!("/g{g}/r{i}/{{id}}/runs"),
            format!("/g{g}/r{i}/*/runs"),
            format!("/g{g}/r{i}/agent-{i}/runs"),
        ),
        3 => (
            "*",
            format!("/g{g}/r{i}/admin/**"),
            format!("/g{g}/r{i}/admin/*"),
            format!("/g{g}/r{i}/admin/x/y"),
        ),
        _ => (
            "DELETE",
            format!("/g{g}/r{i}/items/*"),
            format!("/g{g}/r{i}/items/*"),
            format!("/g{g}/r{i}/items/{i}"),
        ),
    }
}

fn main() {
    let mut out = String::new();
    for n in [10usize, 100, 1000] {
        let rules: Vec<_> = (0..n).map(rule).collect();
        writeln!(out, "/// {n} synthetic rules.").unwrap();
        writeln!(
            out,
            "pub(crate) static POLICY_{n}: scope_runtime::Policy = scope_runtime::scopes! {{"
        )
        .unwrap();
        for (i, (m, pattern, _, _)) in rules.iter().enumerate() {
            writeln!(out, "    \"{m} {pattern}\" => [\"scope:{i}\"],").unwrap();
        }
        writeln!(out, "}};").unwrap();
        writeln!(
            out,
            "/// The same rules as (method, fnmatch pattern, scopes), in declaration order."
        )
        .unwrap();
        writeln!(
            out,
            "pub(crate) const AGNO_{n}: &[(&str, &str, &[&str])] = &["
        )
        .unwrap();
        for (i, (m, _, glob, _)) in rules.iter().enumerate() {
            writeln!(out, "    (\"{m}\", \"{glob}\", &[\"scope:{i}\"]),").unwrap();
        }
        writeln!(out, "];").unwrap();
        // 64 requests spread evenly over the rules, plus misses every 8th.
        writeln!(
            out,
            "/// Requests spread over the rules, one in eight a miss."
        )
        .unwrap();
        writeln!(out, "pub(crate) const REQUESTS_{n}: &[(&str, &str)] = &[").unwrap();
        for k in 0..64 {
            let i = k * n / 64;
            let (m, _, _, path) = &rules[i];
            let m = if *m == "*" { "PUT" } else { m };
            if k % 8 == 7 {
                writeln!(out, "    (\"GET\", \"/g{}/nope-{k}/x\"),", k % 10).unwrap();
            } else {
                writeln!(out, "    (\"{m}\", \"{path}\"),").unwrap();
            }
        }
        writeln!(out, "];").unwrap();
    }
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(dest.join("generated_policies.rs"), out).expect("OUT_DIR is writable");
    println!("cargo::rerun-if-changed=build.rs");
}
