#!/usr/bin/env bash
# Installs wrk (Debian/Ubuntu package) if it is not on PATH. Needs root or sudo.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "wrk missing and not root: install package 'wrk'" >&2; exit 1; }
  SUDO="sudo"
fi
echo "[bench] installing wrk (apt-get)" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
command -v wrk >/dev/null
