# Shared by rootfs-meshward.sh and rootfs-meshward-init.sh (sourced, POSIX sh): Debian packages
# fetched once per package=version and unpacked into a rootfs, and the user database.
# Runs the same here and in the Dockerfile's rootfs stages, so both build the same files.

CACHE_ROOT="${MESHWARD_CACHE:-$HOME/.cache/meshward}"
DEB_CACHE="$CACHE_ROOT/debs"

log() { echo "[images] $*" >&2; }
die() { echo "[images] ERROR: $*" >&2; exit 1; }

# The version apt would install; empty when the package lists do not know the package.
deb_candidate() {
  v=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
  [ "$v" = "(none)" ] || echo "$v"
}

# apt-get download as root would warn that the _apt sandbox user cannot write the target.
apt_download() {
  if [ "$(id -u)" = 0 ]; then apt-get download -q -o APT::Sandbox::User=root "$@"; else apt-get download -q "$@"; fi
}

# deb_fetch PKG [VERSION]: prints the path of PKG's .deb, the candidate version, downloading it on
# first use. VERSION, the candidate deb_versions already looked up, skips apt when that .deb is
# cached. apt-get update runs only when the lists do not know the package or name a version gone
# from the mirror.
deb_fetch() {
  if [ -n "${2-}" ] && [ -f "$DEB_CACHE/$1=$2.deb" ]; then echo "$DEB_CACHE/$1=$2.deb"; return 0; fi
  command -v apt-get >/dev/null 2>&1 || die "apt-get is not available to fetch $1; the images are built on Debian bookworm"
  attempt=0
  while :; do
    v=$(deb_candidate "$1")
    if [ -n "$v" ]; then
      file="$DEB_CACHE/$1=$v.deb"
      [ -f "$file" ] && { echo "$file"; return 0; }
      tmp=$(mktemp -d)
      if out=$(cd "$tmp" && apt_download "$1=$v" 2>&1) && got=$(ls "$tmp"/*.deb 2>/dev/null) && [ -f "$got" ]; then
        mkdir -p "$DEB_CACHE" && mv "$got" "$file.partial" && mv "$file.partial" "$file"
        rm -rf "$tmp"
        echo "$file"
        return 0
      fi
      rm -rf "$tmp"
    else
      out="apt-cache policy $1: no candidate version"
    fi
    [ "$attempt" = 0 ] || die "apt-get download $1 failed: $out; needs network access to the Debian mirror (and apt-get update as root)"
    attempt=1
    log "apt-get update (the package lists do not have $1${v:+=$v})"
    apt-get update -q >&2 || die "apt-get update failed; needs network access to the Debian mirror, as root"
  done
}

# deb_versions PKG...: "pkg=version" per package, what deb_fetch would use (for cache keys); one
# apt-cache call for all, as each costs about half a second.
deb_versions() {
  apt-cache policy "$@" 2>/dev/null | awk -v want="$*" '
    /^[^ ]/ { name = $0; sub(/:$/, "", name); sub(/:amd64$/, "", name) }
    /^ *Candidate:/ { v[name] = ($2 == "(none)" ? "" : $2) }
    END { n = split(want, w, " "); for (i = 1; i <= n; i++) print w[i] "=" v[w[i]] }'
}

# deb_unpack ROOTFS PKG...: unpacks each package's files; of /usr/share only the copyright files stay
# (the licences of what the image ships), no docs, man pages, lintian data or ld.so.conf.d.
deb_unpack() {
  root=$1
  shift
  for pv in $(deb_versions "$@"); do
    deb=$(deb_fetch "${pv%%=*}" "${pv#*=}") || exit 1
    dpkg-deb -x "$deb" "$root" || die "dpkg-deb -x $deb failed"
  done
  if [ -d "$root/usr/share" ]; then
    keep=$(mktemp -d)
    (cd "$root/usr/share" && find doc -name copyright 2>/dev/null | while read -r f; do mkdir -p "$keep/${f%/*}" && cp "$f" "$keep/$f"; done)
    rm -rf "$root/usr/share" && mkdir -p "$root/usr/share" && cp -R "$keep/." "$root/usr/share/" && rm -rf "$keep"
  fi
  rm -rf "$root/etc/ld.so.conf.d"
}

# write_users ROOTFS: root and nonroot (65532, distroless's UID), no login shell for either.
write_users() {
  mkdir -p "$1/etc"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$1/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nonroot:x:65532:' >"$1/etc/group"
  chmod 0644 "$1/etc/passwd" "$1/etc/group"
}

# new_rootfs DIR: DIR must not exist or be empty, so nothing stale ends up in an image.
new_rootfs() {
  [ -n "$1" ] || die "usage: $0 <rootfs-dir>"
  if [ -d "$1" ] && [ -n "$(ls -A "$1")" ]; then die "$1 is not empty; give a new or empty directory"; fi
  mkdir -p "$1"
  chmod 0755 "$1"
  mkdir -m 1777 "$1/tmp"
}
