#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Seeds the fuzz_source_decode corpus dir given as $1 from the binlog fixtures, which are not
# committed here: each file as a whole image (read through the file reader) and, without its
# 4-byte magic, as an event run (fed after the target's built-in FDE; the file's own FDE then
# takes over).
set -euo pipefail
out=${1:?usage: seed-source_decode.sh CORPUS_DIR}
here=$(cd "$(dirname "$0")" && pwd)
shared=${SL_SHARED_DIR:-$here/../../../shared}
src=$shared/fixtures/binlog
if [ ! -d "$src" ]; then
  echo "seed-source_decode: no fixtures at $src; fuzzing from the kept corpus only" >&2
  exit 0
fi
mkdir -p "$out"
for f in "$src"/*; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  cp "$f" "$out/fixture-$name"
  tail -c +5 "$f" >"$out/events-$name"
done
