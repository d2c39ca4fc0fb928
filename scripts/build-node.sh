#!/usr/bin/env bash
# Builds the binaries a real kubelet node needs — kube-scheduler, kubelet, kube-proxy, containerd (+ ctr,
# containerd-shim-runc-v2), runc, the CNI plugins bridge, host-local, loopback and portmap, and a static
# `pause` for the sandbox image — from Go modules (no Docker, no
# prebuilt downloads), so pods (init container, native sidecar, podCertificate volumes) can run against
# the control plane of scripts/build-control-plane.sh. Cached outside the repository, keyed by every
# version built; a build is installed atomically (temp dir + rename), so the cache is all or nothing.
# runc needs cgo with gcc and Debian's libseccomp-dev (installed through apt-get when missing and root).
# Usage: scripts/build-node.sh   → prints the bin directory on the last line of stdout.
set -euo pipefail

K8S_VERSION="${MESHWARD_K8S_VERSION:-v1.37.2}"
CONTAINERD_VERSION="${MESHWARD_CONTAINERD_VERSION:-v2.4.2}"
RUNC_VERSION="${MESHWARD_RUNC_VERSION:-v1.5.3}"
CNI_VERSION="${MESHWARD_CNI_VERSION:-v1.10.0}"
CACHE_ROOT="${MESHWARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshward}"
OUT="$CACHE_ROOT/node-k8s-$K8S_VERSION-containerd-$CONTAINERD_VERSION-runc-$RUNC_VERSION-cni-$CNI_VERSION"
BIN="$OUT/bin"
TOOLS=(kube-scheduler kubelet kube-proxy containerd ctr containerd-shim-runc-v2 runc bridge host-local loopback portmap pause)

log() { echo "[node] $*" >&2; }
# shellcheck source=k8s-module.sh
. "$(dirname "${BASH_SOURCE[0]}")/k8s-module.sh"

have_all() { for t in "${TOOLS[@]}"; do [ -x "$1/$t" ] || return 1; done; }
if have_all "$BIN"; then log "cached: $BIN"; echo "$BIN"; exit 0; fi

command -v go >/dev/null 2>&1 || { log "ERROR: Go is not installed; install Go 1.26 or newer (https://go.dev/dl) and retry"; exit 3; }
GO_MINOR=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
if [ "${GO_MINOR:-0}" -lt 24 ]; then
  log "ERROR: Go $(go env GOVERSION) is too old; these versions need Go 1.26 (older Go >= 1.21 fetches it through GOTOOLCHAIN=auto)"; exit 3
fi

# runc is built with cgo and seccomp: a C compiler, pkg-config and libseccomp's headers (Debian: libseccomp-dev).
missing=()
command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
{ command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libseccomp; } || missing+=(libseccomp-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} (apt-get) for runc's seccomp build"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >&2 \
      || { log "ERROR: apt-get install ${missing[*]} failed"; exit 3; }
  else
    log "ERROR: runc needs ${missing[*]}; install them (e.g. apt-get install -y ${missing[*]}) and retry"; exit 3
  fi
fi

mkdir -p "$CACHE_ROOT"
WORK=$(mktemp -d "$CACHE_ROOT/.node-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
chmod 755 "$WORK"  # mktemp -d makes it 0700; the installed cache dir should be like any other
mkdir -p "$WORK/bin" "$WORK/src/kubelet"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
BASE_GOFLAGS="${GOFLAGS:-}"

step=0
timed() { # timed <name> <command...>: runs a build step, logging how long it took
  local name=$1 start; shift; step=$((step + 1)); start=$(date +%s)
  log "[$step/5] building $name ..."
  "$@" >&2
  log "[$step/5] $name built in $(( $(date +%s) - start ))s"
}

# kubelet, kube-proxy, kube-scheduler: the control plane's go.mod approach (k8s-module.sh).
build_kubelet() ( # subshell: its cd and exports stay local
  local dir="$WORK/src/kubelet" ldflags
  cd "$dir"
  export GOFLAGS="$BASE_GOFLAGS -mod=mod" CGO_ENABLED=0
  write_k8s_gomod meshward.local/node "$K8S_VERSION" \
    k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet || exit 4
  go mod tidy -e 2>"$dir/tidy.log" || { tail -20 "$dir/tidy.log" >&2; log "ERROR: go mod tidy failed (log: $dir/tidy.log)"; exit 4; }
  ldflags=$(k8s_ldflags "$K8S_VERSION")
  go build -trimpath -ldflags "$ldflags" -o "$WORK/bin/" k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kube-scheduler
)

# The sandbox ("pause") image's only binary: it holds the pod's namespaces, reaps zombies and exits on
# SIGINT/SIGTERM, like registry.k8s.io/pause. Static, so the image is this one file.
build_pause() (
  mkdir -p "$WORK/src/pause" && cd "$WORK/src/pause"
  printf 'module meshward.local/pause\n\ngo 1.24\n' > go.mod
  cat > main.go <<'GO'
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var status syscall.WaitStatus
			if pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil); pid <= 0 || err != nil {
				break
			}
		}
	}
}
GO
  GOFLAGS="$BASE_GOFLAGS" CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$WORK/bin/pause" .
)

# The others have no replace directives: `go install pkg@version` builds them with their own go.mod/go.sum.
build_containerd() {
  local m=github.com/containerd/containerd/v2
  cd "$WORK"
  GOFLAGS="$BASE_GOFLAGS" CGO_ENABLED=0 GOBIN="$WORK/bin" go install -trimpath -tags no_btrfs \
    -ldflags "-s -w -X $m/version.Version=$CONTAINERD_VERSION -X $m/version.Package=$m" \
    "$m/cmd/containerd@$CONTAINERD_VERSION" "$m/cmd/ctr@$CONTAINERD_VERSION" "$m/cmd/containerd-shim-runc-v2@$CONTAINERD_VERSION"
}

build_runc() { # dynamically linked against the system libseccomp.so.2; the version comes from runc's VERSION file
  cd "$WORK"
  GOFLAGS="$BASE_GOFLAGS" CGO_ENABLED=1 GOBIN="$WORK/bin" go install -trimpath -tags seccomp -ldflags "-s -w" \
    "github.com/opencontainers/runc@$RUNC_VERSION"
}

build_cni() {
  local m=github.com/containernetworking/plugins
  cd "$WORK"
  GOFLAGS="$BASE_GOFLAGS" CGO_ENABLED=0 GOBIN="$WORK/bin" go install -trimpath \
    -ldflags "-s -w -X $m/pkg/utils/buildversion.BuildVersion=$CNI_VERSION" \
    "$m/plugins/main/bridge@$CNI_VERSION" "$m/plugins/ipam/host-local@$CNI_VERSION" \
    "$m/plugins/main/loopback@$CNI_VERSION" "$m/plugins/meta/portmap@$CNI_VERSION"
}

log "building into $WORK (Go module proxy: $(go env GOPROXY)); a cold build takes ~10 minutes on 2 cores"
timed "kubelet, kube-proxy and kube-scheduler $K8S_VERSION" build_kubelet
timed "containerd, ctr, containerd-shim-runc-v2 $CONTAINERD_VERSION" build_containerd
timed "runc $RUNC_VERSION" build_runc
timed "CNI plugins $CNI_VERSION (bridge, host-local, loopback, portmap)" build_cni
timed "pause (sandbox image binary)" build_pause

# Smoke check before installing: every binary starts and reports its version.
have_all "$WORK/bin" || { log "ERROR: missing binaries in $WORK/bin"; exit 4; }
for t in kube-scheduler kubelet kube-proxy containerd ctr runc; do
  "$WORK/bin/$t" --version >/dev/null 2>&1 || { log "ERROR: $t --version failed"; "$WORK/bin/$t" --version >&2 || true; exit 4; }
done
"$WORK/bin/containerd-shim-runc-v2" -v >/dev/null 2>&1 || { log "ERROR: containerd-shim-runc-v2 -v failed"; exit 4; }
for t in bridge host-local loopback portmap; do
  CNI_COMMAND=VERSION "$WORK/bin/$t" </dev/null >/dev/null 2>&1 || { log "ERROR: CNI plugin $t (CNI_COMMAND=VERSION) failed"; exit 4; }
done

printf 'kubelet %s\ncontainerd %s\nrunc %s\ncni-plugins %s\n' "$K8S_VERSION" "$CONTAINERD_VERSION" "$RUNC_VERSION" "$CNI_VERSION" > "$WORK/VERSION"
cd "$CACHE_ROOT"
# Install atomically; a leftover incomplete directory is replaced, a concurrent complete build wins.
if [ -e "$OUT" ] && ! have_all "$BIN"; then rm -rf "$OUT"; fi
if ! mv -T "$WORK" "$OUT" 2>/dev/null; then
  have_all "$BIN" || { log "ERROR: could not install $WORK as $OUT"; exit 4; }
  log "another build installed $OUT first; using it"
fi
log "done: $BIN"
echo "$BIN"
