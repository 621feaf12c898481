#!/bin/sh
# Copies the real inputs the world tests need from the shared corpus (../shared/corpus, beside the
# checkout) into crates/world/tests/data/corpus/, each directory with its licence file, so that
# `cargo test --workspace` passes on a fresh clone with nothing beside it.
#
#   tools/vendor-corpus/vendor.sh [SHARED_CORPUS_DIR]
#
# The files are copied byte for byte; run it again when the shared corpus changes. The AWS managed
# policies are not copied: crates/managed-policies embeds them (tools/gen-managed-policies).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
src=${1:-"$root/../shared/corpus"}
dst="$root/crates/world/tests/data/corpus"
[ -d "$src" ] || { echo "no shared corpus at $src" >&2; exit 1; }

mkdir -p "$dst/gaad" "$dst/cloudmapper-demo"
for f in LICENSE-cloudsplaining.txt cloudsplaining-example.json cloudsplaining-example-authz-details.json; do
    cp "$src/gaad/$f" "$dst/gaad/$f"
done
for f in "$src"/cloudmapper-demo/*; do
    cp "$f" "$dst/cloudmapper-demo/"
done
chmod u+w "$dst"/gaad/* "$dst"/cloudmapper-demo/*
echo "copied into $dst"
