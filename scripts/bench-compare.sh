#!/usr/bin/env bash
# Runs benchmarks of two versions of the code side by side, alternating them round by round, so that
# the machine's minute-to-minute drift falls on both alike. Each round runs every named benchmark in
# the older checkout, then in this one; the figures of each run are printed at the end, side by side.
#
#   scripts/bench-compare.sh <base-ref> [rounds] [benchmark ...]
#   scripts/bench-compare.sh 6a6537d 2 forwarder-hot-path catch-up lag cold-start aws-catch-up
#
# The base is checked out as a git worktree beside this one (sharing node_modules); BENCH_RUNS and
# the other BENCH_* variables pass through to both.
set -euo pipefail
base_ref=${1:?usage: scripts/bench-compare.sh <base-ref> [rounds] [benchmark ...]}
rounds=${2:-2}
shift $(( $# >= 2 ? 2 : 1 ))
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(forwarder-hot-path catch-up lag cold-start aws-catch-up)

head_dir=$(git rev-parse --show-toplevel)
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-compare-XXXXXX")
base_dir="$work/base"
git -C "$head_dir" worktree add --detach -q "$base_dir" "$base_ref"
ln -s "$head_dir/node_modules" "$base_dir/node_modules"
[ -d "$head_dir/.cache" ] && ln -s "$head_dir/.cache" "$base_dir/.cache"
cleanup() { git -C "$head_dir" worktree remove --force "$base_dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "base $(git -C "$base_dir" rev-parse --short HEAD), head $(git -C "$head_dir" rev-parse --short HEAD); node $(node --version); $(uptime)"
for round in $(seq 1 "$rounds"); do
  for bench in "${benches[@]}"; do
    for side in base head; do
      dir=$base_dir; [ "$side" = head ] && dir=$head_dir
      echo "== round $round, $bench, $side"
      (cd "$dir" && node bin/run-ts.js "bench/$bench.bench.ts" > "$work/$side-$bench-$round.log" 2>&1) \
        || { echo "failed: see $work/$side-$bench-$round.log"; exit 1; }
      cp "$dir/bench/results/$bench.json" "$work/$side-$bench-$round.json"
    done
  done
done
# The base's results must not stay in this checkout's bench/results: both wrote their own.
node "$head_dir/scripts/bench-compare-table.mjs" "$work" "$rounds" "${benches[@]}"
echo "raw results and logs: $work"
