#!/usr/bin/env bash
# Measures this tree's layer against another revision's, side by side in one criterion
# run (public route, allowed request, allowed with a capture, missing token, 403).
#
#   bash scripts/bench-vs-rev.sh [REV] [criterion args...]     # REV defaults to main
#
# The other revision is exported into a scratch directory and its crates renamed
# (`scope-runtime` -> `scope-runtime-old`, the same for scope-macros and scope-grammar,
# including the paths its macro expansions name), so both link into one binary.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rev="${1:-main}"
shift || true
scratch="${BENCH_VS_REV_DIR:-${TMPDIR:-/tmp}/scope-policy-bench-vs-rev}"
rm -rf "$scratch/old" "$scratch/cmp"
mkdir -p "$scratch/old" "$scratch/cmp/benches"
git -C "$root" archive "$rev" | tar -x -C "$scratch/old"
# Rename the old crates everywhere they are named: package names, dependency keys,
# `use` paths and the `::scope_runtime::` paths the old macro emits.
find "$scratch/old" \( -name '*.rs' -o -name 'Cargo.toml' \) -print0 |
    xargs -0 sed -i -E \
        -e 's/scope-(runtime|macros|grammar)([^-a-z]|$)/scope-\1-old\2/g' \
        -e 's/scope_(runtime|macros|grammar)([^_a-z]|$)/scope_\1_old\2/g'
for crate in runtime macros grammar; do
    mv "$scratch/old/scope-$crate" "$scratch/old/scope-$crate-old"
done
sed -e "s|@NEW@|$root|" -e "s|@OLD@|$scratch/old|" \
    "$root/scripts/bench-vs-rev/Cargo.toml.in" > "$scratch/cmp/Cargo.toml"
cp "$root/scripts/bench-vs-rev/benches/compare.rs" "$root/scope-runtime/benches/support/seed_policy.rs" \
    "$scratch/cmp/benches/"
cd "$scratch/cmp"
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/bench-vs-rev}" \
    cargo bench --bench compare -- "$@"
