#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kubectl and etcd from Go modules (no Docker,
# no prebuilt downloads) and caches them outside the repository, keyed by version.
# Usage: scripts/build-control-plane.sh   → prints the bin directory on the last line of stdout.
set -euo pipefail

K8S_VERSION="${MESHWARD_K8S_VERSION:-v1.37.2}"
CACHE_ROOT="${MESHWARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshward}"
OUT="$CACHE_ROOT/control-plane-$K8S_VERSION"
BIN="$OUT/bin"
TOOLS=(kube-apiserver kube-controller-manager kubectl etcd)

log() { echo "[control-plane] $*" >&2; }
# shellcheck source=k8s-module.sh
. "$(dirname "${BASH_SOURCE[0]}")/k8s-module.sh"

have_all() { for t in "${TOOLS[@]}"; do [ -x "$BIN/$t" ] || return 1; done; }
if have_all; then log "cached: $BIN"; echo "$BIN"; exit 0; fi

command -v go >/dev/null 2>&1 || { log "ERROR: Go is not installed; install Go 1.26 or newer (https://go.dev/dl) and retry"; exit 3; }
GO_MINOR=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
if [ "${GO_MINOR:-0}" -lt 24 ]; then
  log "ERROR: Go $(go env GOVERSION) is too old; Kubernetes $K8S_VERSION needs Go 1.26 (older Go >= 1.21 fetches it through GOTOOLCHAIN=auto)"; exit 3
fi

SRC="$OUT/src"
mkdir -p "$SRC" "$BIN"
cd "$SRC"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" GOFLAGS="${GOFLAGS:-} -mod=mod" CGO_ENABLED=0

log "resolving k8s.io/kubernetes@$K8S_VERSION through the Go module proxy"
write_k8s_gomod meshward.local/control-plane "$K8S_VERSION" go.etcd.io/etcd/server/v3 \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl || exit 4

log "downloading modules (go mod tidy); this takes a few minutes on a cold cache"
go mod tidy -e >&2 2>"$OUT/tidy.log" || { tail -20 "$OUT/tidy.log" >&2; log "ERROR: go mod tidy failed (log: $OUT/tidy.log)"; exit 4; }

MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)
LDFLAGS="$(k8s_ldflags "$K8S_VERSION") -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$MINOR"
i=0
for pair in "etcd:go.etcd.io/etcd/server/v3" "kube-apiserver:k8s.io/kubernetes/cmd/kube-apiserver" \
            "kube-controller-manager:k8s.io/kubernetes/cmd/kube-controller-manager" "kubectl:k8s.io/kubernetes/cmd/kubectl"; do
  i=$((i + 1)); name=${pair%%:*}; pkg=${pair#*:}
  if [ -x "$BIN/$name" ]; then log "[$i/4] $name cached"; continue; fi
  log "[$i/4] building $name ($pkg) ..."
  start=$(date +%s)
  go build -trimpath -ldflags "$LDFLAGS" -o "$BIN/$name.tmp" "$pkg" >&2
  mv "$BIN/$name.tmp" "$BIN/$name"
  log "[$i/4] $name built in $(( $(date +%s) - start ))s"
done
echo "$K8S_VERSION" > "$OUT/VERSION"
log "done: $BIN"
echo "$BIN"
