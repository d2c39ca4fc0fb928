#!/bin/sh
# Builds the meshward-init image's root filesystem in <rootfs-dir>: Debian's busybox-static at
# /bin/busybox with links for /bin/sh and the applets meshward-init.sh runs, iptables and
# ip6tables (nft backend first; the legacy one for kernels without nf_tables, as meshward-init.sh
# falls back to it) with their shared libraries and xtables modules, and webhook/capture/
# meshward-init.sh at /usr/local/bin/meshward-init. The Dockerfile's rootfs-meshward-init stage
# and scripts/images/ both run this script, so both images hold the same files.
# Caches the .deb files under ${MESHWARD_CACHE:-~/.cache/meshward}/debs.
# Usage: rootfs-meshward-init.sh <rootfs-dir> | --debs (prints the Debian packages it unpacks)
set -eu
umask 022
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/rootfs-lib.sh"

# iptables' libraries: libxtables, libnftnl and libmnl (nft), libip4tc/libip6tc (legacy), and
# libnetfilter-conntrack/libnfnetlink, which the connlabel module links.
DEBS="busybox-static iptables libxtables12 libnftnl11 libmnl0 libip4tc2 libip6tc2 libnetfilter-conntrack3 libnfnetlink0 libc6"
# What meshward-init.sh runs besides shell builtins. No wget: busybox's crashed in such an image.
APPLETS="sh awk cat grep ip sed tr"
if [ "${1-}" = --debs ]; then echo "$DEBS"; exit 0; fi
out=${1-}

init="$repo/webhook/capture/meshward-init.sh"
[ -f "$init" ] || die "$init is missing; run this script from a meshward checkout (scripts/images/ beside webhook/)"
new_rootfs "$out"

deb_unpack "$out" $DEBS
rm -rf "$out/usr/lib/x86_64-linux-gnu/gconv" "$out/usr/bin"

for applet in $APPLETS; do ln -s busybox "$out/bin/$applet"; done

# Only the iptables tools: no arptables/ebtables, translators, monitor, nfnl_osf or iptables-apply (bash).
sbin="$out/usr/sbin"
for f in "$sbin"/*; do
  case "${f##*/}" in
    xtables-nft-multi | xtables-legacy-multi | ip6tables-nft* | iptables-nft* | ip6tables-legacy* | iptables-legacy*) ;;
    *) rm -f "$f" ;;
  esac
done
rm -f "$sbin"/*-translate
# Debian's alternatives point the plain names at the nft backend; its postinst is not run here.
for tool in iptables iptables-restore iptables-save ip6tables ip6tables-restore ip6tables-save; do
  ln -s xtables-nft-multi "$sbin/$tool"
done

mkdir -p "$out/usr/local/bin"
cp "$init" "$out/usr/local/bin/meshward-init"
chmod 0755 "$out/usr/local/bin/meshward-init"
write_users "$out"
