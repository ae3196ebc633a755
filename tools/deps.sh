#!/usr/bin/env bash
# Installs the Debian packages cityops builds and tests with, only those missing (idempotent).
set -euo pipefail
packages=(
  build-essential cmake pkg-config ccache curl ca-certificates python3
  clang libclang-rt-14-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev sqlite3 libspdlog-dev libcli11-dev libtomlplusplus-dev libsodium-dev libssl-dev openssl
  libgtest-dev libgmock-dev libbenchmark-dev
  libpq-dev libmosquitto-dev mosquitto libopencv-dev libxml2-utils
  chromium
)
# The web dashboard builds with Node and npm: Debian's own when none is installed (any Node >= 18 will do).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -q || true
  $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ -f web/package-lock.json ]; then
  (cd web && { [ -d node_modules ] && [ node_modules -nt package-lock.json ]; } || npm ci --no-audit --no-fund)
fi
