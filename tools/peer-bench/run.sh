#!/usr/bin/env bash
# Compare iamwhy's per-request authorization cost with the peer simulator
# @cloud-copilot/iam-simulate on tools/peer-bench/scenario.json.
#
#   tools/peer-bench/run.sh            # latest peer version
#   PEER_VERSION=0.1.173 tools/peer-bench/run.sh
#   BENCH_CPU=1 KEEP_SCRATCH=1 tools/peer-bench/run.sh
#
# The peer is AGPL-3.0-or-later. It is installed at run time into a mktemp folder, loaded from
# there, and removed afterwards: it is never a dependency of this project.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
scenario="$here/scenario.json"
cpu="${BENCH_CPU:-0}"
peer_spec="@cloud-copilot/iam-simulate${PEER_VERSION:+@$PEER_VERSION}"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/iamwhy-peer-bench.XXXXXX")"
cleanup() {
  if [[ -n "${KEEP_SCRATCH:-}" ]]; then
    echo "scratch kept: $scratch" >&2
  else
    rm -rf "$scratch"
  fi
}
trap cleanup EXIT

pin=()
if command -v taskset >/dev/null 2>&1; then
  pin=(taskset -c "$cpu")
fi

echo "== installing $peer_spec into $scratch" >&2
(cd "$scratch" && npm install --prefix "$scratch" --no-audit --no-fund --loglevel=error "$peer_spec" >&2)

echo "== building time-case and conformance (release)" >&2
(cd "$root" && cargo build --release -q -p iamwhy-conformance --bin time-case --bin conformance)
bin="$root/target/release"

echo "== checking the scenario with iamwhy's conformance runner" >&2
"$bin/conformance" "$scenario" >&2

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
iamwhy_out="$scratch/iamwhy.txt"
peer_out="$scratch/peer.txt"
echo "== timing iamwhy (${pin[*]:-unpinned})" >&2
"${pin[@]}" "$bin/time-case" "$scenario" | tee "$iamwhy_out" >&2
echo "== timing the peer (${pin[*]:-unpinned})" >&2
"${pin[@]}" node "$here/peer.mjs" "$scratch" "$scenario" | tee "$peer_out" >&2
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# `field FILE NAME`: the value of NAME=VALUE on the first line that has it.
field() { grep -o "$2=[^ ]*" "$1" | head -n1 | cut -d= -f2; }

decide="$(field "$iamwhy_out" decide_median_ns)"
evaluate="$(field "$iamwhy_out" evaluate_median_ns)"
req_decide="$(field "$iamwhy_out" request_build_plus_decide_median_ns)"
compile="$(field "$iamwhy_out" parse_compile_median_ns)"
value_parse="$(field "$iamwhy_out" value_parse_median_ns)"
compile_to_value="$(field "$iamwhy_out" parse_compile_to_value)"
peer_version="$(field "$peer_out" version)"
node_version="$(field "$peer_out" node)"
peer_full="$(field "$peer_out" runSimulation_median_ns)"
peer_unsafe="$(field "$peer_out" runUnsafeSimulation_median_ns)"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b > 0) printf "%.1f", a / b; else printf "n/a" }'; }
us() { awk -v a="$1" 'BEGIN { if (a ~ /^[0-9.]+$/) printf "%.2f", a / 1000; else printf "n/a" }'; }

echo
echo "scenario: $(field "$iamwhy_out" case)  decision: $(field "$iamwhy_out" decision)"
echo "peer: @cloud-copilot/iam-simulate $peer_version on node $node_version; pinned: ${pin[*]:-no}"
echo "load average (1/5/15 min): before $load_before, after $load_after; cores: $(nproc)"
echo
printf '%-48s %14s\n' "measurement (median per request)" "µs"
printf '%-48s %14s\n' "iamwhy decide (decision only)" "$(us "$decide")"
printf '%-48s %14s\n' "iamwhy build Request from JSON + decide" "$(us "$req_decide")"
printf '%-48s %14s\n' "iamwhy evaluate (decision + explanation)" "$(us "$evaluate")"
printf '%-48s %14s\n' "iamwhy parse + compile policies (one-time)" "$(us "$compile")"
printf '%-48s %14s\n' "  serde_json::Value parse of the case, in turn" "$(us "$value_parse")"
printf '%-48s %14s\n' "iamwhy parse + compile + decide" "$(awk -v a="$compile" -v b="$decide" 'BEGIN { printf "%.2f", (a + b) / 1000 }')"
printf '%-48s %14s\n' "peer runSimulation (parses+validates per call)" "$(us "$peer_full")"
printf '%-48s %14s\n' "peer runUnsafeSimulation (no validation)" "$(us "$peer_unsafe")"
if grep -q indicative_no_resource_policy "$peer_out"; then
  line="$(grep indicative_no_resource_policy "$peer_out")"
  printf '%-48s %14s\n' "  indicative, scenario minus bucket policy:" ""
  printf '%-48s %14s\n' "  peer runSimulation" "$(us "$(field <(echo "$line") runSimulation_median_ns)")"
  printf '%-48s %14s\n' "  peer runUnsafeSimulation" "$(us "$(field <(echo "$line") runUnsafeSimulation_median_ns)")"
fi
echo
echo "parse + compile + decide per case: target <= 20 us; parse + compile / Value parse of the case = $compile_to_value (timed in turn)"
echo "peer/iamwhy = $(ratio "$peer_full" "$decide")   (runSimulation / decide)"
echo "peer/iamwhy evaluate = $(ratio "$peer_full" "$evaluate")   (runSimulation / evaluate: both explain)"
echo "peer/iamwhy request+decide = $(ratio "$peer_full" "$req_decide")   (runSimulation / Request build + decide)"
if [[ "$peer_unsafe" != "NA" && -n "$peer_unsafe" ]]; then
  echo "peer unsafe/iamwhy = $(ratio "$peer_unsafe" "$decide")   (runUnsafeSimulation / decide)"
fi

# End to end over the conformance cases: the runner reads each case's JSON, parses and compiles
# its policies and decides; the peer reads the same JSON and simulates. Three alternating runs
# each, in one script run; medians of the per-case time.
cases=("$root/tools/conformance/cases/resource-readings.jsonl")
if [[ -f "$root/../shared/conformance/iam-simulate-core.jsonl" ]]; then
  cases=("$root/../shared/conformance/iam-simulate-core.jsonl" "${cases[@]}")
else
  echo "warning: $root/../shared/conformance/iam-simulate-core.jsonl is missing: the end-to-end" \
    "figures cover the project's own resource-reading cases only (a handful), not the 327" >&2
fi
ours=(); theirs=()
for _ in 1 2 3; do
  line="$("${pin[@]}" "$bin/conformance" --time "${cases[@]}" | grep '^conformance cases=')"
  ours+=("$(field <(echo "$line") per_case_ns)")
  pline="$("${pin[@]}" node "$here/cases.mjs" "$scratch" "${cases[@]}")"
  echo "$pline" >&2
  theirs+=("$(field <(echo "$pline") per_case_ns)")
done
med() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
echo
echo "end to end over $(field <(echo "$line") cases) conformance cases (median of 3 runs, per case):"
printf '%-48s %14s\n' "iamwhy conformance runner (parse+compile+decide)" "$(us "$(med "${ours[@]}")")"
printf '%-48s %14s\n' "peer runSimulation over the same cases" "$(us "$(med "${theirs[@]}")")"
echo "  runs: iamwhy $(printf '%s ' "${ours[@]}")ns; peer $(printf '%s ' "${theirs[@]}")ns; peer $(field <(echo "$pline") agreed) agreed, $(field <(echo "$pline") differed) differed, $(field <(echo "$pline") rejected) rejected the input"
echo "peer/iamwhy end to end = $(ratio "$(med "${theirs[@]}")" "$(med "${ours[@]}")")   (target >= 30)"
