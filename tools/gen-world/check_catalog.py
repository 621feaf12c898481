#!/usr/bin/env python3
"""Check gen_world.py's service table against iamwhy's embedded service catalog.

Builds a small world in memory, then checks that every action (and action wildcard) in every
generated document names real actions, that every resource type's concrete ARN matches an ARN
template of each of its actions, that the wildcard-only actions really are wildcard-only, and
that every service-specific condition key exists. Exit status 1 on any error.

    python3 tools/gen-world/check_catalog.py [--catalog crates/catalog/data/catalog.tsv.gz]
"""

import argparse
import gzip
import json
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_world as g  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def load_catalog(path):
    services = {}  # prefix -> {"resources": [(name, [templates])], "actions": {lower: (name, [rt idx])}}
    keys = set()
    cur = None
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            tag = parts[0]
            if tag == "K":
                keys.add(re.sub(r"\$\{[^}]+\}", "*", parts[1].lower()))
            elif tag == "S":
                cur = services.setdefault(parts[1], {"resources": [], "actions": {}})
            elif tag == "R":
                cur["resources"].append((parts[1], parts[2].split("|")))
            elif tag == "A":
                rts = []
                if len(parts) > 3 and parts[3]:
                    for item in parts[3].split(","):
                        rts.append(int(re.match(r"\d+", item).group(0)))
                cur["actions"][parts[1].lower()] = (parts[1], rts)
    return services, keys


def template_re(t):
    out = ""
    for piece in re.split(r"(\$\{[^}]+\})", t):
        if piece.startswith("${"):
            out += "aws" if piece == "${Partition}" else ".+"
        else:
            out += re.escape(piece)
    return re.compile(out + r"\Z")


def docs_of(world, org):
    for p in world.policy_by_arn.values():
        yield from p["docs"]
    for e in world.roles + world.users + world.groups:
        yield from e["_inline"]
    for r in world.roles:
        yield r["_trust"]
    for rp in world.resource_policies:
        yield rp["_doc"]
    for pol in org["policies"].values():
        c = pol["content"]
        yield json.loads(c) if isinstance(c, str) else c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--catalog", default=os.path.join(REPO, "crates/catalog/data/catalog.tsv.gz"))
    args = ap.parse_args()
    services, keys = load_catalog(args.catalog)
    errors, warnings = [], []

    def find(action):
        svc, _, name = action.partition(":")
        s = services.get(svc)
        return (s, s["actions"].get(name.lower())) if s else (None, None)

    # 1. resource types: concrete ARNs match a template of each action's resource types
    stack = None
    w = g.World(argparse.Namespace(seed=1, roles=300, policies=60, users=40, groups=50, pages=1,
                                   resource_policies=20, aws_managed=None))
    stack = w.stacks[0]
    for rt in g.RESOURCE_TYPES:
        arn = stack.concrete(rt)
        for a in rt[5]:
            s, act = find(f"{rt[0]}:{a}")
            if not act:
                errors.append(f"unknown action {rt[0]}:{a}")
                continue
            if a != act[0]:
                errors.append(f"{rt[0]}:{a} is spelled {act[0]} in the catalog")
            templates = [t for i in act[1] for t in s["resources"][i][1]]
            if not templates:
                warnings.append(f"{rt[0]}:{a} is wildcard-only in the catalog but listed under {rt[1]}")
            elif not any(template_re(t).match(arn) for t in templates):
                errors.append(f"{rt[0]}:{a}: {arn} matches none of {templates}")
    for svc, acts in g.STAR_ACTIONS.items():
        for a in acts:
            s, act = find(f"{svc}:{a}")
            if not act:
                errors.append(f"unknown action {svc}:{a}")
            elif act[1]:
                warnings.append(f"{svc}:{a} has resource types in the catalog; generated with Resource \"*\"")

    # 2. every action and action wildcard in a generated world
    w.build_boundaries()
    w.build_shared()
    w.build_team_policies(60 - len(w.policies))
    w.build_roles(300)
    w.build_groups(50)
    w.build_users(40)
    w.build_resource_policies(20)
    org = w.organization()
    seen_patterns, seen_keys = set(), set()
    for doc in docs_of(w, org):
        for st in doc["Statement"]:
            for k in ("Action", "NotAction"):
                v = st.get(k, [])
                for p in v if isinstance(v, list) else [v]:
                    seen_patterns.add(p)
            for block in st.get("Condition", {}).values():
                seen_keys.update(block)
    for p in sorted(seen_patterns):
        if p == "*":
            continue
        svc, _, name = p.partition(":")
        s = services.get(svc)
        if not s:
            # services outside the catalog would be an error; the SCP's NotAction lists a few global ones
            errors.append(f"unknown service in {p}")
            continue
        rx = re.compile(re.escape(name.lower()).replace(r"\*", ".*").replace(r"\?", ".") + r"\Z")
        if not any(rx.match(a) for a in s["actions"]):
            errors.append(f"{p} matches no action")
    for k in sorted(seen_keys):
        lk = k.lower()
        if lk.startswith("aws:") or lk.startswith("saml:") or ".amazonaws.com" in lk or "githubusercontent" in lk:
            continue  # global keys and federation provider keys: not in the service catalog
        if lk not in keys and not any("*" in t and re.fullmatch(re.escape(t).replace(r"\*", ".+"), lk)
                                      for t in keys):
            errors.append(f"unknown condition key {k}")
    for m in warnings:
        print("warning:", m)
    for m in errors:
        print("error:", m)
    print(f"{len(seen_patterns)} action patterns, {len(seen_keys)} condition keys checked; "
          f"{len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
