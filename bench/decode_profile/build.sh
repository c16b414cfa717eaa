#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds decode_profile at -O2 from the decoder's sources plus a CMake build dir's
# libsl_core.a (any build type; the decoder itself is compiled here, so the harness does not
# depend on the rest of the source stage compiling).
#   bench/decode_profile/build.sh BUILD_DIR   -> BUILD_DIR/decode_profile
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:?usage: build.sh BUILD_DIR}
src=$repo/src/source
cc -O2 -g -std=c11 -D_GNU_SOURCE -DNDEBUG -Wall -Wextra -I"$repo/src" \
    -o "$build/decode_profile" "$here/decode_profile.c" "$src/decode.c" "$src/decode_rows.c" \
    "$src/decode_value.c" "$src/binlog_file.c" "$src/jsonb.c" "$build/libsl_core.a" -lzstd -lz
echo "$build/decode_profile"
