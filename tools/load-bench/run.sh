#!/usr/bin/env bash
# Loading figures of docs/performance.md, measured side by side:
#   1. `iamwhy check` on a synthetic world end to end (wall time and peak RSS, GNU time -v),
#      against reading + serde_json::Value-parsing the same files (the world bench's
#      --parse-world mode), as a ratio;
#   2. peak RSS of the check as a ratio to the world's JSON size.
# Each figure is over RUNS runs (default 5): median, min and max. The worlds are generated
# into target/worlds/ (never committed) by tools/gen-world when missing.
#
# Usage: tools/load-bench/run.sh [WORLD_DIR ...]      (default: the 10k and 30k worlds)
#        RUNS=3 tools/load-bench/run.sh target/worlds/w10k
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-5}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "GNU time is needed: apt-get install time" >&2; exit 1; }

gen() {
  local dir=$1 roles=$2
  [ -f "$dir/accounts/123456789012/authorization-details.json" ] && return
  echo "generating $dir ($roles roles)" >&2
  python3 tools/gen-world/gen_world.py --out "$dir" --roles "$roles" \
    --policies $((roles / 5)) --users $((roles / 20)) --groups $((roles / 200))
}

if [ $# -eq 0 ]; then
  gen target/worlds/w10k 10000
  gen target/worlds/w30k 30000
  set -- target/worlds/w10k target/worlds/w30k
fi

# BIN=path/to/iamwhy measures another build (e.g. a copy of an earlier commit's binary).
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p iamwhy-cli --no-default-features
  BIN=target/release/iamwhy
fi
echo "uptime: $(uptime)"
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (dirty)')"

stats() { # median min max of the numbers on stdin
  sort -g | awk '{a[NR]=$1} END {printf "%s %s %s\n", a[int((NR+1)/2)], a[1], a[NR]}'
}

for world in "$@"; do
  json=$(find "$world" -name '*.json' ! -name sample-queries.json -printf '%s\n' | awk '{s+=$1} END {print s}')
  q=$(python3 -c 'import json,sys; q=json.load(open(sys.argv[1]))[0]; print(q["principal"]); print(q["action"]); print(q["resource"])' "$world/sample-queries.json")
  principal=$(sed -n 1p <<<"$q"); action=$(sed -n 2p <<<"$q"); resource=$(sed -n 3p <<<"$q")
  walls=(); rss=()
  for _ in $(seq "$RUNS"); do
    out=$("$TIME" -f '%e %M' "$BIN" check --world "$world" --principal "$principal" \
      --action "$action" --resource "$resource" --color never 2>&1 >/dev/null | tail -1)
    walls+=("${out% *}"); rss+=("${out#* }")
  done
  read -r wmed wmin wmax < <(printf '%s\n' "${walls[@]}" | stats)
  read -r rmed rmin rmax < <(printf '%s\n' "${rss[@]}" | stats)
  parse=$(cargo bench -q -p iamwhy-world --bench load -- --parse-world "$(realpath "$world")" 2>/dev/null | grep SUMMARY)
  pms=$(sed -E 's/.*read\+serde_json::Value ([0-9]+) ms.*/\1/' <<<"$parse")
  echo "world $world: JSON $(awk -v b="$json" 'BEGIN {printf "%.1f MiB", b/1048576}')"
  echo "  check end to end: median ${wmed} s (min ${wmin}, max ${wmax}) over $RUNS runs"
  echo "  $parse"
  awk -v w="$wmed" -v p="$pms" 'BEGIN {printf "  check / (read + serde_json::Value): %.2f\n", w*1000/p}'
  awk -v r="$rmed" -v rmin="$rmin" -v rmax="$rmax" -v b="$json" 'BEGIN {printf "  peak RSS: median %.1f MiB (min %.1f, max %.1f); peak RSS / JSON size: %.2f (target <= 2.5)\n", r/1024, rmin/1024, rmax/1024, r*1024/b}'
done
