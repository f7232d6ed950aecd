#!/usr/bin/env bash
# How long `scopes!` adds to a build: compiles a tiny crate whose only item is a policy of
# N rules (default 1000), and the same crate with an empty `scopes!{}`, each from a clean
# build of that crate alone (dependencies prebuilt), and prints the medians of 5 runs.
#
#   bash scripts/macro-build-time.sh [N] [debug|release]
set -euo pipefail
n=${1:-1000}
profile=${2:-debug}
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/target/macro-build-time"
mkdir -p "$work/src"
cat > "$work/Cargo.toml" <<TOML
[package]
name = "macro-build-time"
version = "0.0.0"
edition = "2024"
publish = false
[dependencies]
scope-runtime = { path = "$root/scope-runtime" }
[workspace]
TOML
write_main() { # $1 = number of rules
  {
    echo 'static POLICY: scope_runtime::Policy = scope_runtime::scopes! {'
    for ((i = 0; i < $1; i++)); do
      g=$((i % 10))
      case $((i % 5)) in
        0) echo "  \"GET /g$g/r$i\" => [\"scope:$i\"],";;
        1) echo "  \"GET /g$g/r$i/*\" => [\"scope:$i\"],";;
        2) echo "  \"POST /g$g/r$i/{id}/runs\" => [\"scope:$i\"],";;
        3) echo "  \"* /g$g/r$i/admin/**\" => [\"scope:$i\"],";;
        *) echo "  \"DELETE /g$g/r$i/items/*\" => [\"scope:$i\"],";;
      esac
    done
    echo '};'
    echo 'fn main() { println!("{}", POLICY.rules().len()); }'
  } > "$work/src/main.rs"
}
flag=""; [ "$profile" = release ] && flag="--release"
build() { # prints seconds for a rebuild of this crate only
  (cd "$work" && cargo clean -q -p macro-build-time $flag 2>/dev/null || true)
  local start end
  start=$(date +%s.%N)
  (cd "$work" && CARGO_TARGET_DIR="$work/target" cargo build -q $flag)
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f\n", b - a }'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
write_main 0
(cd "$work" && CARGO_TARGET_DIR="$work/target" cargo build -q $flag) # dependencies
empty=$(for _ in 1 2 3 4 5; do build; done | median)
write_main "$n"
full=$(for _ in 1 2 3 4 5; do build; done | median)
echo "profile=$profile rules=$n empty_policy_build_s=$empty policy_build_s=$full added_s=$(awk -v a="$empty" -v b="$full" 'BEGIN { printf "%.2f", b - a }')"
