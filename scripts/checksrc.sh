#!/usr/bin/env bash
# House-style checks no compiler makes (curl's checksrc): banned functions, // comments,
# trailing whitespace, tabs, and foreign library headers in our headers.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
# Prints the file with /* */ comments and "..." literals blanked, line numbers kept.
strip_comments() {
  awk '{
    out = ""; i = 1; n = length($0)
    while (i <= n) {
      c = substr($0, i, 1); d = substr($0, i, 2)
      if (incom) { if (d == "*/") { incom = 0; i += 2 } else i++; continue }
      if (instr) { if (c == "\\") { i += 2; continue } if (c == "\"") instr = 0; i++; continue }
      if (d == "/*") { incom = 1; i += 2; continue }
      if (c == "\"") { instr = 1; out = out "\"\""; i++; continue }
      out = out c; i++
    }
    print out
  }' "$1"
}
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
    *.c) # Code only: comments and string literals are blanked first (awk below).
         if strip_comments "$f" | grep -nE '(^|[^_a-zA-Z0-9.>])(malloc|calloc|realloc|free)\s*\('; then
           echo "checksrc: $f: raw allocation outside core/ (use sl_xmalloc/sl_free)"; fail=1; fi ;;
  esac
  case "$f" in
    *.h) if grep -nE '#include <(librdkafka|curl|mysql|mariadb|microhttpd|jansson|openssl|zstd)' "$f"; then
           echo "checksrc: $f: foreign library header in our header"; fail=1; fi ;;
  esac
done
[ $fail -eq 0 ] && echo "checksrc: ok"
exit $fail
