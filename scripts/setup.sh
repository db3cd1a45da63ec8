#!/usr/bin/env bash
# Installs the Debian packages mnisttrain needs to build and test. Idempotent: when every
# package is already installed it returns at once without touching apt.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libcli11-dev libspdlog-dev nlohmann-json3-dev
  libopenblas-dev catch2 zlib1g-dev
  libonnx-dev libprotobuf-dev libzip-dev libpng-dev
  python3 python3-numpy python3-onnx
  ca-certificates
  chromium
  clang libclang-rt-14-dev python3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# npm fetches the dataset; a machine that has Node.js from elsewhere keeps its own npm.
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
