#!/bin/sh
# Builds the meshward image's root filesystem in <rootfs-dir>: the official Node 24 binary at
# /nodejs/bin/node with the Debian shared libraries it links (libc6, libstdc++6, libgcc-s1),
# /app (package.json, dist/webhook, templates, production node_modules), /etc/passwd and
# /etc/group with nonroot 65532, and /tmp. No shell, no npm: meshward runs as UID 65532 on a
# read-only root filesystem. The Dockerfile's rootfs-meshward stage and scripts/images/ (tests,
# local images) both run this script, so both images hold the same files.
# Inputs, relative to the repository root (two levels above this script): dist/webhook (built by
# `npx tsc -p tsconfig.json && node scripts/bundle-kube-client.mjs`), templates/, package.json,
# package-lock.json, scripts/fetch-node.sh. Caches under ${MESHWARD_CACHE:-~/.cache/meshward}.
# Usage: rootfs-meshward.sh <rootfs-dir> | --debs (prints the Debian packages it unpacks)
set -eu
umask 022
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/rootfs-lib.sh"

DEBS="libc6 libstdc++6 libgcc-s1"
if [ "${1-}" = --debs ]; then echo "$DEBS"; exit 0; fi
out=${1-}

for input in dist/webhook/cli/main.js templates package.json package-lock.json scripts/fetch-node.sh; do
  [ -e "$repo/$input" ] || die "$repo/$input is missing; build dist first (npx tsc -p tsconfig.json && node scripts/bundle-kube-client.mjs)"
done
# tsc alone leaves dist/webhook/kube/client.js importing a devDependency the image does not have.
if grep -rlq --include='*.js' '@kubernetes/client-node' "$repo/dist/webhook"; then
  die "dist/webhook imports @kubernetes/client-node, a devDependency; run node scripts/bundle-kube-client.mjs after tsc"
fi
command -v npm >/dev/null 2>&1 || die "npm is not on PATH; it fetches Node and the production dependencies"
new_rootfs "$out"

node=$(sh "$repo/scripts/fetch-node.sh") || die "scripts/fetch-node.sh failed; needs access to the npm registry"
mkdir -p "$out/nodejs/bin"
cp "$node" "$out/nodejs/bin/node"
chmod 0755 "$out/nodejs/bin/node"
cp "${node%/bin/node}/LICENSE" "$out/nodejs/LICENSE"

deb_unpack "$out" $DEBS
# iconv modules: neither Node (ICU is built in) nor meshward converts charsets through glibc.
rm -rf "$out/usr/lib/x86_64-linux-gnu/gconv"
printf 'hosts: files dns\n' >"$out/etc/nsswitch.conf"
write_users "$out"

# Production dependencies, installed once per package.json + package-lock.json.
key=$(cat "$repo/package.json" "$repo/package-lock.json" | sha256sum | cut -c1-16)
modules="$CACHE_ROOT/prod-node-modules-$key"
if [ ! -d "$modules/node_modules" ]; then
  log "npm ci --omit=dev (production dependencies, cached as $modules)"
  mkdir -p "$CACHE_ROOT"
  stage=$(mktemp -d "$CACHE_ROOT/.prod-node-modules.XXXXXX")
  cp "$repo/package.json" "$repo/package-lock.json" "$stage/"
  (cd "$stage" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2) \
    || { rm -rf "$stage"; die "npm ci --omit=dev failed; needs access to the npm registry"; }
  rm -rf "$modules" && mv "$stage" "$modules"
fi

mkdir -p "$out/app/dist"
cp "$repo/package.json" "$out/app/package.json"
cp -R "$repo/dist/webhook" "$out/app/dist/webhook"
cp -R "$repo/templates" "$out/app/templates"
cp -R "$modules/node_modules" "$out/app/node_modules"
# Owned by root, readable by the nonroot user, writable by no one but root.
chmod -R a+rX,go-w "$out/app" "$out/nodejs"
