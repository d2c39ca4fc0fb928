#!/bin/sh
# Makes sure the tools the capture netns tests need are present: iptables (nft + legacy
# variants, IPv4 and IPv6), iproute2 (ip netns, veth, bridge) and busybox (to run
# meshward-init.sh with busybox's sh/awk/grep, as the init image does).
# Idempotent: installs nothing when everything is already there. Installs only as root,
# through apt-get; otherwise it names what is missing and exits 2.
# Usage: scripts/capture-test-deps.sh   → exit 0 when ready.
set -eu

log() { echo "[capture-deps] $*" >&2; }

missing=""
have() { command -v "$1" >/dev/null 2>&1; }
need() { have "$1" || missing="$missing $1"; }

check() {
  missing=""
  if ! have iptables-nft-restore && ! have iptables-legacy-restore && ! have iptables-restore; then
    missing="$missing iptables-restore"
  fi
  if ! have ip6tables-nft-restore && ! have ip6tables-legacy-restore && ! have ip6tables-restore; then
    missing="$missing ip6tables-restore"
  fi
  need ip
  need busybox
}

check
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != "0" ]; then
  log "missing:$missing; run as root (or install iptables, iproute2, busybox) and retry"
  exit 2
fi
have apt-get || { log "missing:$missing and apt-get is not available to install them"; exit 2; }

log "installing iptables iproute2 busybox (missing:$missing)"
export DEBIAN_FRONTEND=noninteractive
# Quiet on success; print the apt log only if it fails.
out=$(mktemp)
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends iptables iproute2 busybox; } >"$out" 2>&1; then
  cat "$out" >&2; rm -f "$out"; log "apt-get failed"; exit 2
fi
rm -f "$out"

check
[ -z "$missing" ] || { log "still missing after install:$missing"; exit 2; }
log "ready"
