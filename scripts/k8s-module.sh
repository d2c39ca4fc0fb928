# Sourced by build-control-plane.sh and build-node.sh (which define `log`): building Kubernetes
# commands from the k8s.io/kubernetes module. Its own replace directives point at ./staging and are
# ignored for a dependency, so the generated go.mod replaces every staging module with its
# published tag.

# write_k8s_gomod <module> <k8s version> <import path...>: go.mod and tools.go in the current
# directory; returns 4 when k8s.io/kubernetes cannot be downloaded.
write_k8s_gomod() {
  local module=$1 version=$2 mod_file pkg; shift 2
  mod_file=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$mod_file" ] || { log "ERROR: could not download k8s.io/kubernetes@$version"; return 4; }
  {
    echo "module $module"
    echo
    grep -E '^go [0-9.]+' "$mod_file" | head -1
    echo
    echo "require k8s.io/kubernetes $version"
    echo
    echo "replace ("
    grep -oE 'k8s.io/[a-z0-9-]+ => ./staging/src/k8s.io/[a-z0-9-]+' "$mod_file" | awk -v v="v0.${version#v1.}" '{print "\t" $1 " => " $1 " " v}'
    echo ")"
  } > go.mod
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for pkg in "$@"; do printf '\t_ "%s"\n' "$pkg"; done
    printf ')\n'
  } > tools.go
}

# k8s_ldflags <k8s version>: stripped binaries that report that version.
k8s_ldflags() {
  local vpkg=k8s.io/component-base/version minor
  minor=$(echo "$1" | cut -d. -f2)
  echo "-s -w -X $vpkg.gitVersion=$1 -X $vpkg.gitMajor=1 -X $vpkg.gitMinor=$minor -X $vpkg.gitTreeState=clean"
}
