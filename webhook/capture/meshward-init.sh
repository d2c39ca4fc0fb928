#!/bin/sh
# meshward-init: installs a pod's traffic-capture rules in the pod's network namespace.
#
# Input (env, put there by the meshward injector so the rules are visible in the pod spec):
#   MESHWARD_IPTABLES_V4, MESHWARD_IPTABLES_V6: iptables-restore input for the nat table.
#   MESHWARD_PROXY_CONFIG (gzip + base64), MESHWARD_PROXY_CONFIG_SHA256, MESHWARD_PROXY_CONFIG_DIR:
#     the proxy's rendered config files, one "<name><TAB><json>" line each; written to the
#     directory (the meshward-config volume) first, each file atomically, mode 0444, after the
#     decoded text's SHA-256 matched (webhook/inject/proxy-config-env.ts).
# Each family is applied in ONE atomic `<tool>-restore --noflush`:
#   - declaring meshward's chains (":MESHWARD_X - [0:0]") flushes and refills them;
#   - jumps from built-in chains to MESHWARD_* chains are reconciled in that same input: kept when
#     already present verbatim, added when missing, deleted when stale or duplicated.
# So re-running after an init-container restart leaves the same nat table, and nat rules of other
# tools in the pod's netns are left alone.
# Backend: <family>-nft, then <family>-legacy (only if nft is refused), then plain <family>.
# Prints the rules, then the resulting `<tool>-save -t nat`.
# Exit: 0 applied; 1 the kernel or iptables refused (or a tool is missing); 2 bad input.
# The proxy config is written before any rule is applied.
set -u

PREFIX=MESHWARD_
BUILTIN_RE='^-A (PREROUTING|INPUT|OUTPUT|POSTROUTING) '

log() { printf 'meshward-init: %s\n' "$*"; }
err() { printf 'meshward-init: ERROR: %s\n' "$*" >&2; }

V4=${MESHWARD_IPTABLES_V4-}
V6=${MESHWARD_IPTABLES_V6-}

if [ -z "$V4" ] && [ -z "$V6" ]; then
  err "no rules given: set MESHWARD_IPTABLES_V4 and/or MESHWARD_IPTABLES_V6 to iptables-restore input for the nat table (the meshward injector does this)"
  exit 2
fi

# check_input VAR TEXT: one *nat table, committed. Anything else was not written by meshward.
check_input() {
  tables=$(printf '%s\n' "$2" | grep '^\*' | tr '\n' ' ')
  if [ "$tables" != '*nat ' ]; then
    shown=${tables% }
    err "$1 must hold exactly one table, *nat, in iptables-restore format (found tables: ${shown:-none})"
    exit 2
  fi
  if ! printf '%s\n' "$2" | grep -qx 'COMMIT'; then
    err "$1 has no COMMIT line; expected iptables-restore input ending in COMMIT"
    exit 2
  fi
}

# write_proxy_config: decode, verify and write the proxy's files; exit 2 on anything malformed.
write_proxy_config() {
  if [ -z "${MESHWARD_PROXY_CONFIG_DIR-}" ] || [ -z "${MESHWARD_PROXY_CONFIG_SHA256-}" ]; then
    err "MESHWARD_PROXY_CONFIG is set without MESHWARD_PROXY_CONFIG_DIR and MESHWARD_PROXY_CONFIG_SHA256 (the meshward injector sets all three)"
    exit 2
  fi
  dir=$MESHWARD_PROXY_CONFIG_DIR
  packed="$dir/.meshward-init.packed"
  if ! printf '%s' "$MESHWARD_PROXY_CONFIG" | base64 -d 2>/dev/null | gunzip -c >"$packed" 2>/dev/null; then
    rm -f "$packed"
    err "MESHWARD_PROXY_CONFIG is not gzip + base64 (or $dir is not writable): nothing written"
    exit 2
  fi
  sum=$(sha256sum "$packed" | cut -d ' ' -f 1)
  if [ "$sum" != "$MESHWARD_PROXY_CONFIG_SHA256" ]; then
    rm -f "$packed"
    err "MESHWARD_PROXY_CONFIG decodes to text with SHA-256 $sum, not MESHWARD_PROXY_CONFIG_SHA256 ($MESHWARD_PROXY_CONFIG_SHA256): nothing written"
    exit 2
  fi
  # Every line "<name><TAB><json>"; names are plain file names. Checked before any file is written.
  if ! names=$(awk -F '\t' '$1 !~ /^[A-Za-z0-9][A-Za-z0-9._-]*$/ || NF != 2 { exit 1 } { print $1 }' "$packed"); then
    rm -f "$packed"
    err "MESHWARD_PROXY_CONFIG holds a line that is not \"<file name><TAB><json>\": nothing written"
    exit 2
  fi
  awk -F '\t' -v dir="$dir" '{ f = dir "/" $1 ".new"; print $2 > f; close(f) }' "$packed"
  for name in $names; do
    chmod 0444 "$dir/$name.new" && mv -f "$dir/$name.new" "$dir/$name" || { err "could not write $dir/$name"; exit 1; }
    log "proxy config written: $dir/$name"
  done
  rm -f "$packed"
}

# candidates FAMILY: installed tool prefixes in order of preference.
candidates() {
  found=
  for variant in nft legacy; do
    if command -v "$1-$variant-restore" >/dev/null 2>&1 && command -v "$1-$variant-save" >/dev/null 2>&1; then
      found="$found $1-$variant"
    fi
  done
  if [ -z "$found" ] && command -v "$1-restore" >/dev/null 2>&1 && command -v "$1-save" >/dev/null 2>&1; then
    found=$1
  fi
  echo $found
}

# reconcile VAR < current-save: the restore input for VAR's rules against the current nat table.
reconcile() {
  awk -v var="$1" -v prefix="$PREFIX" '
    function builtin(c) { return c == "PREROUTING" || c == "INPUT" || c == "OUTPUT" || c == "POSTROUTING" }
    function ours(line,   n, f, i) {
      n = split(line, f, " ")
      for (i = 1; i < n; i++) if ((f[i] == "-j" || f[i] == "-g") && index(f[i + 1], prefix) == 1) return 1
      return 0
    }
    $1 == "-A" && builtin($2) && ours($0) { have[$0]++ }
    END {
      n = split(ENVIRON[var], lines, "\n")
      for (i = 1; i <= n; i++) {
        line = lines[i]
        if (line == "") continue
        split(line, f, " ")
        if (line == "COMMIT") {
          # Whatever jump to our chains is left over is stale or a duplicate.
          for (k in have) while (have[k] > 0) { d = k; sub(/^-A /, "-D ", d); print d; have[k]-- }
        } else if (f[1] == "-A" && builtin(f[2]) && have[line] > 0) {
          have[line]--
          continue
        }
        print line
      }
    }'
}

# apply FAMILY LABEL VAR RULES
apply() {
  fam=$1 label=$2 var=$3 rules=$4
  log "$label rules (from $var):"
  printf '%s\n' "$rules"
  problems=
  for tool in $(candidates "$fam"); do
    if ! current=$("$tool-save" -t nat 2>&1); then
      problems="$problems
  $tool-save -t nat: $current"
      continue
    fi
    input=$(printf '%s\n' "$current" | reconcile "$var")
    if ! out=$(printf '%s\n' "$input" | "$tool-restore" --noflush 2>&1); then
      problems="$problems
  $tool-restore --noflush: $out"
      continue
    fi
    after=$("$tool-save" -t nat 2>&1)
    # Each jump from a built-in chain must now be there exactly once.
    if ! printf '%s\n' "$rules" | grep -E "$BUILTIN_RE" | while IFS= read -r line; do
      count=$(printf '%s\n' "$after" | grep -cxF -e "$line")
      [ "$count" = 1 ] || { err "after applying, \"$line\" is in the $label nat table $count times, expected once"; exit 1; }
    done; then
      return 1
    fi
    log "$label rules applied with $tool-restore --noflush"
    log "$label nat table now ($tool-save -t nat):"
    printf '%s\n' "$after"
    return 0
  done
  if [ -z "$problems" ]; then
    err "$var is set but no $fam-restore/$fam-save is installed (need $fam-nft or $fam-legacy): this image cannot apply $label rules"
  else
    err "the kernel or iptables refused the $label rules from $var:$problems"
  fi
  return 1
}

# Refuse before touching anything when a family's rules are malformed or its tools are missing.
[ -n "$V4" ] && check_input MESHWARD_IPTABLES_V4 "$V4"
[ -n "$V6" ] && check_input MESHWARD_IPTABLES_V6 "$V6"
if [ -n "$V4" ] && [ -z "$(candidates iptables)" ]; then
  err "MESHWARD_IPTABLES_V4 is set but no iptables-restore/iptables-save is installed (need iptables-nft or iptables-legacy)"
  exit 1
fi
if [ -n "$V6" ] && [ -z "$(candidates ip6tables)" ]; then
  err "MESHWARD_IPTABLES_V6 is set but no ip6tables-restore/ip6tables-save is installed (need ip6tables-nft or ip6tables-legacy): IPv6 capture is impossible in this image"
  exit 1
fi

if [ -n "${MESHWARD_PROXY_CONFIG-}" ]; then write_proxy_config; fi

if [ -n "$V4" ]; then apply iptables IPv4 MESHWARD_IPTABLES_V4 "$V4" || exit 1; fi
if [ -n "$V6" ]; then
  apply ip6tables IPv6 MESHWARD_IPTABLES_V6 "$V6" || exit 1
  # The rules name ::6 as the proxy's inbound passthrough source; make it bindable. A failure
  # here cannot open a bypass (the proxy's bind fails instead), so it only warns.
  if printf '%s\n' "$V6" | grep -q -e '-s ::6/128 '; then
    if ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::6/128'; then
      :
    elif msg=$(ip -6 addr add ::6/128 dev lo 2>&1); then
      log "added ::6/128 to lo (the proxy's IPv6 inbound passthrough source)"
    else
      log "WARNING: could not add ::6/128 to lo ($msg): the proxy cannot bind it for IPv6 passthrough"
    fi
  fi
fi
log "done"
