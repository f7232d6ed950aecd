#!/usr/bin/env python3
"""Prints the medians criterion saved under target/criterion as Markdown tables, with
the ratios BENCHMARKS.md quotes. Run after:

    cargo bench -p scope-policy-tests --bench matcher
    cargo bench -p scope-runtime --bench request
"""
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"


def median(*parts):
    path = root.joinpath(*parts, "new", "estimates.json")
    if not path.exists():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"]  # nanoseconds


def fmt(ns):
    if ns is None:
        return "n/a"
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.1f} ns"


def matcher():
    print("### Matcher lookup (per lookup, median)\n")
    print("| policy | generated | linear fnmatch (Agno) | speed-up |")
    print("| --- | --- | --- | --- |")
    per = {}
    for name, n in [("seed", 8), ("10", 64), ("100", 64), ("1000", 64)]:
        g = median(f"lookup_{name}", "generated", str(n))
        l = median(f"lookup_{name}", "linear_fnmatch", str(n))
        if g is None or l is None:
            continue
        g, l = g / n, l / n
        per[name] = g
        print(f"| {name} | {fmt(g)} | {fmt(l)} | {l / g:.1f}x |")
    if "10" in per and "1000" in per:
        print(f"\n1,000 rules / 10 rules (generated): {per['1000'] / per['10']:.2f}x\n")


def request():
    print("### One request (median)\n")
    print("| alg | decode only | bare router | layer, allowed | allowed, no cache | layer, 403 |"
          " overhead / decode (cache) | overhead / decode (no cache) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for alg in ["hs256", "rs256", "es256", "eddsa"]:
        g = f"request_{alg}"
        d, b = median(g, "decode_only"), median(g, "bare_router")
        a, n, f = median(g, "layer_allowed"), median(g, "layer_allowed_no_cache"), median(g, "layer_forbidden")
        if None in (d, b, a, n, f):
            continue
        print(f"| {alg} | {fmt(d)} | {fmt(b)} | {fmt(a)} | {fmt(n)} | {fmt(f)} |"
              f" {(a - b) / d:.2f}x | {(n - b) / d:.2f}x |")
    g = "request_hs256"
    pairs = [("missing token (401)", "bare_router_no_token", "layer_missing_token"),
             ("public route", "bare_router_public", "layer_public")]
    print("\n| path | bare router | behind the layer | added |")
    print("| --- | --- | --- | --- |")
    for label, bare, layered in pairs:
        b, l = median(g, bare), median(g, layered)
        if b is not None and l is not None:
            print(f"| {label} | {fmt(b)} | {fmt(l)} | {fmt(l - b)} |")
    hs, rs = median("request_hs256", "layer_allowed"), median("request_rs256", "layer_allowed")
    b, n, l = median(g, "bare_router_public"), median(g, "noop_layer_public"), median(g, "layer_public")
    if None not in (b, n, l):
        print(f"\npublic route: axum's cost of any layer (no-op layer - bare) {fmt(n - b)}, "
              f"the ScopeLayer's own (layer - no-op layer) {fmt(l - n)}\n")
    v = median(g, "verify_token_no_cache")
    d = median(g, "decode_only")
    if v and d:
        print(f"HS256 JwtVerifier::verify_token without cache / jsonwebtoken::decode: {v / d:.2f}x\n")
    if hs and rs:
        print(f"\nRS256 cache hit / HS256 cache hit (layer, allowed): {rs / hs:.2f}x\n")


if not root.exists():
    sys.exit("no target/criterion: run the benchmarks first")
matcher()
request()
