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

/// Writes one item: its doc line, its first line up to the opening bracket, one line per
/// entry, and its closing line.
fn item(out: &mut String, doc: &str, opening: &str, entries: Vec<String>, closing: &str) {
    writeln!(out, "/// {doc}").unwrap();
    writeln!(out, "{opening}").unwrap();
    for entry in entries {
        writeln!(out, "    {entry}").unwrap();
    }
    writeln!(out, "{closing}").unwrap();
}

fn main() {
    let mut out = String::new();
    for n in [10usize, 100, 1000] {
        let rules: Vec<_> = (0..n).map(rule).collect();
        let numbered = || rules.iter().enumerate();
        item(
            &mut out,
            &format!("{n} synthetic rules."),
            &format!(
                "pub(crate) static POLICY_{n}: scope_runtime::Policy = scope_runtime::scopes! {{"
            ),
            numbered()
                .map(|(i, (m, pattern, _, _))| format!("\"{m} {pattern}\" => [\"scope:{i}\"],"))
                .collect(),
            "};",
        );
        item(
            &mut out,
            "The same rules as (method, fnmatch pattern, scopes), in declaration order.",
            &format!("pub(crate) const AGNO_{n}: &[(&str, &str, &[&str])] = &["),
            numbered()
                .map(|(i, (m, _, glob, _))| format!("(\"{m}\", \"{glob}\", &[\"scope:{i}\"]),"))
                .collect(),
            "];",
        );
        // 64 requests spread evenly over the rules, plus misses every 8th.
        let requests = (0..64)
            .map(|k| {
                let (m, _, _, path) = &rules[k * n / 64];
                let m = if *m == "*" { "PUT" } else { m };
                if k % 8 == 7 {
                    format!("(\"GET\", \"/g{}/nope-{k}/x\"),", k % 10)
                } else {
                    format!("(\"{m}\", \"{path}\"),")
                }
            })
            .collect();
        item(
            &mut out,
            "Requests spread over the rules, one in eight a miss.",
            &format!("pub(crate) const REQUESTS_{n}: &[(&str, &str)] = &["),
            requests,
            "];",
        );
    }
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(dest.join("generated_policies.rs"), out).expect("OUT_DIR is writable");
    println!("cargo::rerun-if-changed=build.rs");
}
