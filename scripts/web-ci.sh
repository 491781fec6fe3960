#!/usr/bin/env bash
# The web app's browser suite for CI, against a real server on a fresh database (the web unit
# tests already run in `npm test`). Installs Debian's Chromium when it is missing (never a
# browser download). Meant to be called from .ci/run after `npm test`: `bash scripts/web-ci.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "== installing chromium (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi

echo "== browser tests (build web + server, one server on a fresh database)"
E2E_BUILD=always npm run test:e2e
