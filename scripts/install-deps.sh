#!/usr/bin/env bash
# Installs what Sluice needs to build, test and demo on Debian 12, and only what is missing.
# Debian packages through apt-get; dynalite (the DynamoDB stand-in for tests) from the npm
# registry into the project's own .deps/ folder. Safe to run again: it does nothing when all
# is present.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

debs=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libmariadb-dev librdkafka-dev libcurl4-openssl-dev libssl-dev libzstd-dev
  libjansson-dev libmicrohttpd-dev libcmocka-dev zlib1g-dev libjemalloc-dev
  mariadb-server mariadb-client
  nodejs npm nginx-light openssl curl jq python3
)

missing=()
for p in "${debs[@]}"; do
  # nodejs/npm may come from another repository (nodesource): accept any installed node/npm.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # The server package must not start a system-wide MariaDB: tests start their own.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# dynalite: a DynamoDB implementation for tests, installed locally (not globally).
if [ ! -x "$here/.deps/node_modules/.bin/dynalite" ]; then
  echo "install-deps: installing dynalite from npm into .deps/"
  mkdir -p "$here/.deps"
  (cd "$here/.deps" && [ -f package.json ] || echo '{"private":true}' > package.json)
  (cd "$here/.deps" && npm install --silent --no-audit --no-fund dynalite@3 >/dev/null)
fi
echo "install-deps: all present"
