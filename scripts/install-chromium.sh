#!/bin/sh
# Installs Debian's chromium for the dashboard browser test (test/e2e/dashboard-browser.test.ts).
# No downloaded browser builds: playwright-core drives this system chromium. Idempotent.
set -eu
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "install-chromium: $CHROMIUM is missing and this is not root; run: sudo apt-get install -y chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >/dev/null
[ -x "$CHROMIUM" ] || { echo "install-chromium: apt-get finished but $CHROMIUM is missing" >&2; exit 1; }
