#!/bin/sh
# Installs npm dependencies when missing or stale, so `npm test` and `npm run demo` work on a fresh clone.
set -eu
cd "$(dirname "$0")/.."
stamp=node_modules/.meshward-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "[meshward] installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  cp package-lock.json "$stamp"
fi
