#!/usr/bin/env python3
"""Batch `iamwhy explain` cost per event on a small and a large synthetic world, side by side,
and the peak memory of a 100,000-event CloudTrail log.

Standard library only. See tools/explain-bench/README.md.

Per-event cost is measured as the slope between two log sizes,
(time(N2 events) - time(N1 events)) / (N2 - N1), so that loading the world and the first events
of each group (whose fixes are suggested once) cancel out. The large world is made by
tools/gen-world/gen_world.py (30,000 roles); the small one is cut out of it: the principals of
the request templates (the large world's sample-queries.json), everything they use, and other
roles up to 100. Both worlds are given the same logs, so that the events, their policies and
their groups are identical: what differs is only the size of the world they are explained
against.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GEN = os.path.join(ROOT, "tools", "gen-world", "gen_world.py")

LARGE = ["--roles", "30000", "--policies", "6000", "--users", "1500", "--groups", "150",
         "--resource-policies", "600"]
WORLDS = ("100-role", "30k-role")
SMALL_ROLES = 100
TEMPLATES = 50  # request templates (sample-queries.json entries of the large world)


def generate_world(work: str, name: str, args: list[str]) -> str:
    out = os.path.join(work, name)
    stamp = os.path.join(out, ".bench-args")
    wanted = json.dumps(args + ["--queries", str(TEMPLATES)])
    if os.path.exists(stamp) and open(stamp).read() == wanted:
        return out
    subprocess.run([sys.executable, GEN, "--out", out, "--queries", str(TEMPLATES), *args],
                   check=True, stdout=subprocess.DEVNULL)
    with open(stamp, "w") as f:
        f.write(wanted)
    return out


def cut_world(large: str, out: str, queries: list[dict]) -> str:
    """The small world: the large one's organization and resource policies, and of its IAM
    inventory the principals `queries` name, what they use, and other roles up to 100."""
    stamp = os.path.join(out, ".bench-cut")
    if os.path.exists(stamp):
        return out
    account = "123456789012"
    src = os.path.join(large, "accounts", account)
    d = json.load(open(os.path.join(src, "authorization-details.json")))
    wanted_roles = {q["principal"].split(":", 5)[5].split("/")[1] for q in queries
                    if ":assumed-role/" in q["principal"]}
    # Roles the templates act on (sts:AssumeRole, iam:PassRole ...) are kept too.
    wanted_roles |= {q["resource"].rsplit("/", 1)[1] for q in queries
                     if q["resource"].startswith("arn:aws:iam::") and ":role/" in q["resource"]}
    wanted_users = {q["principal"] for q in queries if ":user/" in q["principal"]}
    wanted_users |= {q["resource"] for q in queries
                     if q["resource"].startswith("arn:aws:iam::") and ":user/" in q["resource"]}
    roles = [r for r in d["RoleDetailList"] if r["RoleName"] in wanted_roles]
    for r in d["RoleDetailList"]:
        if len(roles) >= SMALL_ROLES:
            break
        if r["RoleName"] not in wanted_roles:
            roles.append(r)
    users = [u for u in d["UserDetailList"] if u["Arn"] in wanted_users]
    group_names = {g for u in users for g in u.get("GroupList", [])}
    groups = [g for g in d["GroupDetailList"] if g["GroupName"] in group_names]
    used = set()
    for e in roles + users + groups:
        used.update(p["PolicyArn"] for p in e.get("AttachedManagedPolicies", []))
        if e.get("PermissionsBoundary"):
            used.add(e["PermissionsBoundary"]["PermissionsBoundaryArn"])
    policies = [p for p in d["Policies"] if p["Arn"] in used]
    dst = os.path.join(out, "accounts", account)
    os.makedirs(dst, exist_ok=True)
    json.dump({"RoleDetailList": roles, "UserDetailList": users, "GroupDetailList": groups,
               "Policies": policies}, open(os.path.join(dst, "authorization-details.json"), "w"), indent=4)
    for name in ("resource-policies.json",):
        if os.path.exists(os.path.join(src, name)):
            with open(os.path.join(src, name)) as a, open(os.path.join(dst, name), "w") as b:
                b.write(a.read())
    with open(os.path.join(large, "organization.json")) as a, open(os.path.join(out, "organization.json"), "w") as b:
        b.write(a.read())
    with open(stamp, "w") as f:
        f.write(f"{len(roles)} roles, {len(users)} users, {len(groups)} groups, {len(policies)} policies")
    return out


def event(i: int, q: dict) -> dict:
    """A denied CloudTrail event for the request of sample query `q`."""
    service, name = q["action"].split(":", 1)
    account = q["principal"].split(":")[4]
    principal = q["principal"]
    reason = ("with an explicit deny in an identity-based policy" if q.get("expected") == "explicitDeny"
              else f"because no identity-based policy allows the {q['action']} action")
    identity = {"type": "AssumedRole", "principalId": f"AROABENCH{i % TEMPLATES:08d}:bench",
                "arn": principal, "accountId": account, "accessKeyId": f"ASIABENCH{i:011d}"}
    if ":user/" in principal:
        identity = {"type": "IAMUser", "principalId": f"AIDABENCH{i % TEMPLATES:08d}",
                    "arn": principal, "accountId": account, "accessKeyId": f"AKIABENCH{i:011d}",
                    "userName": principal.rsplit("/", 1)[1]}
    return {
        "eventVersion": "1.09",
        "eventID": f"00000000-0000-4000-8000-{i:012d}",
        "eventTime": "2026-03-01T09:30:00Z",
        "eventSource": f"{service}.amazonaws.com",
        "eventName": name,
        "awsRegion": q["context"].get("aws:RequestedRegion", "us-east-1"),
        "sourceIPAddress": q["context"].get("aws:SourceIp", "10.20.30.40"),
        "userAgent": "aws-cli/2.15.0",
        "userIdentity": identity,
        "errorCode": "AccessDenied",
        "errorMessage": f"User: {principal} is not authorized to perform: {q['action']} on resource: {q['resource']} {reason}",
        "requestParameters": None,
        "resources": [{"ARN": q["resource"], "accountId": account}],
        "recipientAccountId": account,
        "tlsDetails": {"tlsVersion": "TLSv1.3"},
    }


def write_log(path: str, queries: list[dict], n: int) -> str:
    if os.path.exists(path) and os.path.getsize(path) > 0:
        return path
    with open(path, "w") as f:
        f.write('{"Records": [\n')
        for i in range(n):
            if i:
                f.write(",\n")
            f.write(json.dumps(event(i, queries[i % len(queries)])))
        f.write("\n]}\n")
    return path


def run_once(iamwhy: str, world: str | None, log: str) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run."""
    cmd = [iamwhy, "explain", "--output", "json", "--max-input-size", "1G"]
    if world:
        cmd += ["--world", world]
    cmd.append(log)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def peak_rss(iamwhy: str, world: str | None, log: str) -> tuple[int, list[str]]:
    cmd = ["/usr/bin/time", "-v", iamwhy, "explain", "--output", "json", "--max-input-size", "1G"]
    if world:
        cmd += ["--world", world]
    cmd.append(log)
    p = subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return (int(m.group(1)) if m else -1), cmd


def loadavg() -> str:
    a = os.getloadavg()
    return f"{a[0]:.2f} {a[1]:.2f} {a[2]:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iamwhy", default=os.path.join(ROOT, "target", "release", "iamwhy"))
    ap.add_argument("--work", default="/tmp/iamwhy-explain-bench")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--n1", type=int, default=2000, help="events of the smaller log")
    ap.add_argument("--n2", type=int, default=22000, help="events of the larger log")
    ap.add_argument("--rss-events", type=int, default=100000)
    args = ap.parse_args()
    if not os.path.exists(args.iamwhy):
        sys.exit(f"{args.iamwhy} not found: cargo build --release -p iamwhy-cli")
    os.makedirs(args.work, exist_ok=True)
    print(f"load average before: {loadavg()}   (cores: {os.cpu_count()})")
    large = generate_world(args.work, "30k-role", LARGE)
    queries = json.load(open(os.path.join(large, "sample-queries.json")))[:TEMPLATES]
    small = cut_world(large, os.path.join(args.work, "100-role"), queries)
    worlds = {"100-role": small, "30k-role": large}
    print(f"worlds: 30k-role {large}; 100-role {small} ({open(os.path.join(small, '.bench-cut')).read()})")
    log = {n: write_log(os.path.join(args.work, f"log-{n}.json"), queries, n) for n in (args.n1, args.n2)}
    logs = {name: log for name in WORLDS}
    rss_log = write_log(os.path.join(args.work, f"log-{args.rss_events}.json"), queries, args.rss_events)
    # Warm the page cache, then alternate the worlds run by run.
    for name in WORLDS:
        run_once(args.iamwhy, worlds[name], logs[name][args.n1])
    cpu_slopes: dict[str, list[float]] = {name: [] for name in WORLDS}
    wall_slopes: dict[str, list[float]] = {name: [] for name in WORLDS}
    for _ in range(args.runs):
        for name in WORLDS:
            w1, c1 = run_once(args.iamwhy, worlds[name], logs[name][args.n1])
            w2, c2 = run_once(args.iamwhy, worlds[name], logs[name][args.n2])
            cpu_slopes[name].append((c2 - c1) / (args.n2 - args.n1))
            wall_slopes[name].append((w2 - w1) / (args.n2 - args.n1))
    print(f"\nbatch explain, cost per event (slope between {args.n1} and {args.n2} events, "
          f"{args.runs} runs, {TEMPLATES} request templates each):")
    print(f"  command: {args.iamwhy} explain --output json --max-input-size 1G --world WORLD LOG")
    for label, slopes in (("CPU (user+sys)", cpu_slopes), ("wall clock", wall_slopes)):
        med = {}
        print(f"  {label}:")
        for name in WORLDS:
            s = slopes[name]
            med[name] = statistics.median(s)
            print(f"    {name:>9} world: median {med[name] * 1e6:8.1f} µs/event   "
                  f"(runs: {', '.join(f'{x * 1e6:.1f}' for x in s)}; spread {min(s) * 1e6:.1f}–{max(s) * 1e6:.1f})")
        ratio = med["30k-role"] / med["100-role"]
        print(f"    ratio 30k-role / 100-role: {ratio:.2f}×   (target ≤ 1.30×)")
    print(f"\npeak RSS of a {args.rss_events:,}-event log ({os.path.getsize(rss_log) / 2**20:.0f} MiB of JSON), "
          f"GNU time -v:")
    for label, world in (("no world", None), ("100-role world", worlds["100-role"])):
        kb, cmd = peak_rss(args.iamwhy, world, rss_log)
        print(f"  {label:>15}: {kb / 1024:7.1f} MiB   (target ≤ 300 MB)   $ {' '.join(cmd)}")
    print(f"\nload average after: {loadavg()}")


if __name__ == "__main__":
    main()
