#!/usr/bin/env bash
# Benchmark of the analyses on the synthetic 10,000-role world (see README.md).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
runs="${RUNS:-5}"
out="target/analyze-bench"
world="$out/world"
mkdir -p "$out"
if [ ! -f "$world/organization.json" ]; then
  python3 tools/gen-world/gen_world.py --out "$world" >/dev/null
fi
cargo build --release -q -p iamwhy-cli --no-default-features
bin="target/release/iamwhy"
python3 - "$world" "$out/after" <<'PY'
import json, os, shutil, sys
world, after = sys.argv[1], sys.argv[2]
if os.path.exists(after):
    shutil.rmtree(after)
shutil.copytree(world, after)
path = os.path.join(after, "accounts/123456789012/authorization-details.json")
data = json.load(open(path))
pages = data if isinstance(data, list) else [data]
policies = [p for page in pages for p in page.get("Policies", [])]
best = max(policies, key=lambda p: p.get("AttachmentCount", 0))
for v in best["PolicyVersionList"]:
    if v["IsDefaultVersion"]:
        doc = v["Document"]
        if isinstance(doc, str):
            import urllib.parse
            doc = json.loads(urllib.parse.unquote(doc))
        doc["Statement"].append({"Sid": "BenchAdded", "Effect": "Allow",
                                 "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
                                 "Resource": "*"})
        v["Document"] = doc
json.dump(data, open(path, "w"), indent=4)
with open(os.path.join(os.path.dirname(after), "changed-policy.txt"), "w") as f:
    f.write(f'{best["Arn"]} {best.get("AttachmentCount", 0)}\n')
PY
read -r changed attachments < "$out/changed-policy.txt"
# A question from the world's labelled samples: an allowed role and its action and resource.
read -r principal action resource < <(python3 - "$world" <<'PY'
import json, sys
qs = json.load(open(sys.argv[1] + "/sample-queries.json"))
q = next(q for q in qs if q.get("expected") == "allowed" and q["resource"] != "*")
role = q["principal"].split("assumed-role/")[1].split("/")[0] if "assumed-role/" in q["principal"] else None
p = f'arn:aws:iam::123456789012:role/{role}' if role else q["principal"]
print(p, q["action"], q["resource"])
PY
)
echo "world: $world ($(du -sh "$world" | cut -f1)); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "who-can $action on $resource; what-can $principal; diff: $changed ($attachments attachments) gets a statement"
stats() { python3 -c '
import sys, statistics
xs = [float(x) for x in sys.argv[1:]]
print(f"median {statistics.median(xs):.1f} ms (min {min(xs):.1f}, max {max(xs):.1f}, n={len(xs)})")' "$@"; }
ratio() { python3 -c 'import sys, statistics; a=[float(x) for x in sys.argv[1].split()]; b=[float(x) for x in sys.argv[2].split()]; print(f"{statistics.median(a)/statistics.median(b):.3f}")' "$1" "$2"; }
wc_load=(); wc=(); wt_load=(); wt=(); d_total=(); d_load=()
for _ in $(seq "$runs"); do
  t=$("$bin" who-can --world "$world" --action "$action" --resource "$resource" --timings 2>&1 >/dev/null | grep timings)
  wc_load+=("$(sed -E 's/.*load ([0-9.]+) ms.*/\1/' <<<"$t")"); wc+=("$(sed -E 's/.*who-can ([0-9.]+) ms.*/\1/' <<<"$t")")
  t=$("$bin" what-can --world "$world" --principal "$principal" --timings 2>&1 >/dev/null | grep timings)
  wt_load+=("$(sed -E 's/.*load ([0-9.]+) ms.*/\1/' <<<"$t")"); wt+=("$(sed -E 's/.*what-can ([0-9.]+) ms.*/\1/' <<<"$t")")
  t=$("$bin" diff --before "$world" --after "$out/after" --timings 2>&1 >/dev/null | grep timings || true)
  d_load+=("$(sed -E 's/.*load before ([0-9.]+) ms.*/\1/' <<<"$t")"); d_total+=("$(sed -E 's/.*total ([0-9.]+) ms.*/\1/' <<<"$t")")
done
last=$("$bin" who-can --world "$world" --action "$action" --resource "$resource" --timings 2>&1 >/dev/null | grep timings)
echo "who-can:  $(stats "${wc[@]}");  load $(stats "${wc_load[@]}");  ratio to load $(ratio "${wc[*]}" "${wc_load[*]}")  [$last]"
last=$("$bin" what-can --world "$world" --principal "$principal" --timings 2>&1 >/dev/null | grep timings)
echo "what-can: $(stats "${wt[@]}");  load $(stats "${wt_load[@]}");  ratio to load $(ratio "${wt[*]}" "${wt_load[*]}")  [$last]"
last=$("$bin" diff --before "$world" --after "$out/after" --timings 2>&1 >/dev/null | grep timings || true)
echo "diff:     end to end $(stats "${d_total[@]}");  one world's load $(stats "${d_load[@]}");  ratio to load $(ratio "${d_total[*]}" "${d_load[*]}")  [$last]"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
