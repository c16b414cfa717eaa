#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Seeds the fuzz_conf_properties corpus dir given as $1 with the golden configuration files
# (tests/golden/data/conf/*.properties), so new golden cases become seeds without copying.
set -euo pipefail
out=${1:?usage: seed-conf_properties.sh CORPUS_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
for f in "$here"/../golden/data/conf/*.properties; do
  [ -f "$f" ] || continue
  cp "$f" "$out/golden-$(basename "$f")"
done
