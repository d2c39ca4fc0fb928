#!/bin/sh
# meshward-init: installs a pod's traffic-capture rules in the pod's network namespace.
#
# Input (env, put there by the meshward injector so the rules are visible in the pod spec):
#   MESHWARD_IPTABLES: iptables-restore input for the nat table of both families. The IPv6 form is
#     derived here by replacing the loopback addresses (127.0.0.6/32 -> ::6/128, 127.0.0.1/32 ->
#     ::1/128), exactly as webhook/capture/pod-spec.ts ipv6FromShared() does.
#   or MESHWARD_IPTABLES_V4, MESHWARD_IPTABLES_V6: one per family, when they differ by more (CIDRs).
# That is all it does: the proxy's configuration comes from a ConfigMap and the xDS server.
# A node with IPv6 disabled (no /proc/net/if_inet6, or net.ipv6.conf.all.disable_ipv6=1 and no IPv6
# address left) cannot carry IPv6 traffic: the IPv6 rules are skipped there, with a log line.
# Each family is applied in ONE atomic `<tool>-restore --noflush`:
#   - declaring meshward's chains (":MESHWARD_X - [0:0]") flushes and refills them;
#   - jumps from built-in chains to MESHWARD_* chains are reconciled in that same input: kept when
#     already present verbatim, added when missing, deleted when stale or duplicated.
# So re-running after an init-container restart leaves the same nat table, and nat rules of other
# tools in the pod's netns are left alone.
# Backend: <family>-nft, then <family>-legacy (only if nft is refused), then plain <family>.
# Prints the rules, then the resulting `<tool>-save -t nat`.
# Exit: 0 applied; 1 the kernel or iptables refused (or a tool is missing); 2 bad input.
set -u

PREFIX=MESHWARD_
BUILTIN_RE='^-A (PREROUTING|INPUT|OUTPUT|POSTROUTING) '

log() { printf 'meshward-init: %s\n' "$*"; }
err() { printf 'meshward-init: ERROR: %s\n' "$*" >&2; }

V4=${MESHWARD_IPTABLES_V4-}
V6=${MESHWARD_IPTABLES_V6-}
# Where each family's rules came from, for the messages.
V4_FROM=MESHWARD_IPTABLES_V4
V6_FROM=MESHWARD_IPTABLES_V6

if [ -n "${MESHWARD_IPTABLES-}" ]; then
  if [ -n "$V4" ] || [ -n "$V6" ]; then
    err "MESHWARD_IPTABLES (both families) is set together with MESHWARD_IPTABLES_V4/_V6; the meshward injector sets one or the other"
    exit 2
  fi
  V4=$MESHWARD_IPTABLES
  V6=$(printf '%s\n' "$MESHWARD_IPTABLES" | sed -e 's#127\.0\.0\.6/32#::6/128#g' -e 's#127\.0\.0\.1/32#::1/128#g')
  V4_FROM=MESHWARD_IPTABLES
  V6_FROM='MESHWARD_IPTABLES (as IPv6)'
fi
# reconcile reads each family's rules from the environment.
MESHWARD_RULES_V4=$V4 MESHWARD_RULES_V6=$V6
export MESHWARD_RULES_V4 MESHWARD_RULES_V6

if [ -z "$V4" ] && [ -z "$V6" ]; then
  err "no rules given: set MESHWARD_IPTABLES, or MESHWARD_IPTABLES_V4 and/or MESHWARD_IPTABLES_V6, to iptables-restore input for the nat table (the meshward injector does this)"
  exit 2
fi

# ipv6_off: no IPv6 stack in this netns (the ipv6.disable=1 boot parameter), or IPv6 disabled by
# sysctl with no address left on any interface. Either way no IPv6 packet can flow, so no rule is
# needed to capture it, and ip6tables may not even work. An interface that still has an IPv6
# address keeps the rules mandatory.
ipv6_off() {
  [ -e /proc/net/if_inet6 ] || { why='no /proc/net/if_inet6'; return 0; }
  # /proc files report size 0: read it to see whether any address is left.
  [ "$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null)" = 1 ] && [ -z "$(cat /proc/net/if_inet6)" ] || return 1
  why='net.ipv6.conf.all.disable_ipv6=1, no IPv6 address'
}

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

# apply FAMILY LABEL VAR RULES FROM: VAR is the environment variable reconcile reads RULES from.
apply() {
  fam=$1 label=$2 var=$3 rules=$4 from=$5
  log "$label rules (from $from):"
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
    err "$from is set but no $fam-restore/$fam-save is installed (need $fam-nft or $fam-legacy): this image cannot apply $label rules"
  else
    err "the kernel or iptables refused the $label rules from $from:$problems"
  fi
  return 1
}

# Refuse before touching anything when a family's rules are malformed or its tools are missing.
[ -n "$V4" ] && check_input "$V4_FROM" "$V4"
[ -n "$V6" ] && check_input "$V6_FROM" "$V6"
if [ -n "$V6" ] && ipv6_off; then
  log "IPv6 is disabled on this node ($why): skipping the IPv6 rules"
  V6=
fi
if [ -n "$V4" ] && [ -z "$(candidates iptables)" ]; then
  err "$V4_FROM is set but no iptables-restore/iptables-save is installed (need iptables-nft or iptables-legacy)"
  exit 1
fi
if [ -n "$V6" ] && [ -z "$(candidates ip6tables)" ]; then
  err "$V6_FROM is set but no ip6tables-restore/ip6tables-save is installed (need ip6tables-nft or ip6tables-legacy): IPv6 capture is impossible in this image"
  exit 1
fi

if [ -n "$V4" ]; then apply iptables IPv4 MESHWARD_RULES_V4 "$V4" "$V4_FROM" || exit 1; fi
if [ -n "$V6" ]; then
  apply ip6tables IPv6 MESHWARD_RULES_V6 "$V6" "$V6_FROM" || exit 1
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
