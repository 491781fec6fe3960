#!/usr/bin/env bash
# The web app's part of CI: unit tests, then the browser suite against a real server.
# Installs Debian's Chromium when it is missing (never a browser download).
# Meant to be called from .ci/run after the API tests: `bash scripts/web-ci.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "== installing chromium (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi

echo "== web unit tests"
npm run test:web
echo "== browser tests (build web + server, one server on a fresh database)"
E2E_BUILD=always npm run test:e2e
