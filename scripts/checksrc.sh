#!/usr/bin/env bash
# House-style checks no compiler makes (curl's checksrc): banned functions, // comments,
# trailing whitespace, tabs, and foreign library headers in our headers.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
files=$(git ls-files 'src/*.c' 'src/*.h' 2>/dev/null; git ls-files --others --exclude-standard 'src/*.c' 'src/*.h' 2>/dev/null)
for f in $files; do
  [ -f "$f" ] || continue
  if grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets)\s*\(' "$f" | grep -v '^\s*/\*'; then
    echo "checksrc: $f: banned function (use snprintf, sl_buf, sl_parse_*)"; fail=1
  fi
  if grep -nE '^\s*//|[;{}]\s*//' "$f" | grep -v 'http' ; then
    echo "checksrc: $f: use /* */ comments"; fail=1
  fi
  if grep -nE '[[:space:]]+$' "$f"; then echo "checksrc: $f: trailing whitespace"; fail=1; fi
  if grep -nP '\t' "$f"; then echo "checksrc: $f: tab character"; fail=1; fi
  case "$f" in
    src/core/*) ;;
    *.c) if grep -nE '\b(malloc|calloc|realloc|free)\s*\(' "$f" | grep -vE 'sl_x|sl_free|_free\(|\bfree\(\)' | grep -vE '^\s*[0-9]+:\s*/?\*'; then
           echo "checksrc: $f: raw allocation outside core/ (use sl_xmalloc/sl_free)"; fail=1; fi ;;
  esac
  case "$f" in
    *.h) if grep -nE '#include <(librdkafka|curl|mysql|mariadb|microhttpd|jansson|openssl|zstd)' "$f"; then
           echo "checksrc: $f: foreign library header in our header"; fail=1; fi ;;
  esac
done
[ $fail -eq 0 ] && echo "checksrc: ok"
exit $fail
