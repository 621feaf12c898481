#!/usr/bin/env bash
# Benchmark of the analyses on the synthetic 10,000-role world (see README.md): generates the
# world and the diff's after-world under target/analyze-bench, then runs
# `cargo bench -p iamwhy-analyze --bench analyze`, which loads the world and times who-can,
# what-can and diff in the same process, printing each with its spread and its ratio to the load.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="target/analyze-bench"
world="$out/world"
after="$out/after"
mkdir -p "$out"
if [ ! -f "$world/organization.json" ]; then
  python3 tools/gen-world/gen_world.py --out "$world" >/dev/null
fi
# The after-world: the customer managed policy with the most attachments gets one more
# statement in its default version.
python3 - "$world" "$after" <<'PY'
import json, os, shutil, sys, urllib.parse
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
            doc = json.loads(urllib.parse.unquote(doc))
        stmts = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
        stmts.append({"Sid": "BenchAdded", "Effect": "Allow",
                      "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"], "Resource": "*"})
        doc["Statement"] = stmts
        v["Document"] = doc
json.dump(data, open(path, "w"), indent=4)
print(f'diff: {best["Arn"]} ({best.get("AttachmentCount", 0)} attachments) gets a statement')
PY
admin=$(python3 - "$world" <<'PY'
import json, sys
d = json.load(open(sys.argv[1] + "/accounts/123456789012/authorization-details.json"))
pages = d if isinstance(d, list) else [d]
for pg in pages:
    for r in pg.get("RoleDetailList", []):
        if any(a["PolicyArn"].endswith("/shared/acme-admin") for a in r.get("AttachedManagedPolicies", [])):
            print(r["Arn"]); raise SystemExit
PY
)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
IAMWHY_BENCH_WORLD="$root/$world" IAMWHY_BENCH_AFTER="$root/$after" IAMWHY_BENCH_ADMIN="$admin" \
  IAMWHY_BENCH_RUNS="${RUNS:-5}" cargo bench -q -p iamwhy-analyze --bench analyze
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
