#!/usr/bin/env bash
# Debian packages the test suite needs; installs only what is missing (one apt-get update at most).
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v redis-server >/dev/null || need+=(redis-server)
command -v wrk >/dev/null || need+=(wrk)
fc-list 2>/dev/null | grep -qi "Noto Naskh Arabic" || need+=(fonts-noto-core)
fc-list 2>/dev/null | grep -qi "Amiri" || need+=(fonts-hosny-amiri)
if ((${#need[@]})); then
  echo "[system-deps] apt-get install ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
