package envoycheck

// Envoy's load-time rules for a listener's filter chains and addresses.

import (
	"fmt"
	"sort"
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
)

// filterChainRules: Envoy rejects a listener whose filter chains overlap on the same match
// (it expands each match into its tuples), and chains matching on TLS properties need the
// tls_inspector listener filter (Envoy no longer injects it).
func filterChainRules(at string, l *listenerv3.Listener) []string {
	var errs []string
	owner := map[string]int{}
	names := map[string]bool{}
	needsInspector := false
	for i, fc := range l.GetFilterChains() {
		if fc.GetName() != "" && names[fc.GetName()] {
			errs = append(errs, fmt.Sprintf("semantics: %s: duplicate filter chain name %q", Join(at, fmt.Sprintf("filter_chains[%d]", i)), fc.GetName()))
		}
		names[fc.GetName()] = true
		m := fc.GetFilterChainMatch()
		if m.GetTransportProtocol() == "tls" || len(m.GetServerNames()) > 0 || len(m.GetApplicationProtocols()) > 0 {
			needsInspector = true
		}
		for _, t := range matchTuples(m) {
			if j, dup := owner[t]; dup {
				errs = append(errs, fmt.Sprintf("semantics: %s: same match as filter_chains[%d] (%s)", Join(at, fmt.Sprintf("filter_chains[%d]", i)), j, t))
				continue
			}
			owner[t] = i
		}
	}
	if needsInspector && !hasListenerFilter(l, "envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector") {
		errs = append(errs, "semantics: "+colon(at)+"filter chains match on TLS properties but there is no tls_inspector listener filter")
	}
	return errs
}

func hasListenerFilter(l *listenerv3.Listener, typeName string) bool {
	for _, f := range l.GetListenerFilters() {
		if strings.HasSuffix(f.GetTypedConfig().GetTypeUrl(), "/"+typeName) {
			return true
		}
	}
	return false
}

func matchTuples(m *listenerv3.FilterChainMatch) []string {
	or := func(xs []string) []string {
		if len(xs) == 0 {
			return []string{"*"}
		}
		return xs
	}
	cidrs := func(rs []*corev3.CidrRange) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, fmt.Sprintf("%s/%d", r.GetAddressPrefix(), r.GetPrefixLen().GetValue()))
		}
		return or(out)
	}
	ports := []string{}
	for _, p := range m.GetSourcePorts() {
		ports = append(ports, fmt.Sprint(p))
	}
	dport := "*"
	if m.GetDestinationPort() != nil {
		dport = fmt.Sprint(m.GetDestinationPort().GetValue())
	}
	transport := []string{}
	if m.GetTransportProtocol() != "" {
		transport = append(transport, m.GetTransportProtocol())
	}
	tuples := []string{""}
	for _, dim := range [][]string{
		{dport}, cidrs(m.GetPrefixRanges()), or(m.GetServerNames()), or(transport),
		or(m.GetApplicationProtocols()), cidrs(m.GetDirectSourcePrefixRanges()), {m.GetSourceType().String()},
		cidrs(m.GetSourcePrefixRanges()), or(ports),
	} {
		next := []string{}
		for _, t := range tuples {
			for _, v := range dim {
				next = append(next, t+"|"+v)
			}
		}
		tuples = next
	}
	sort.Strings(tuples)
	return tuples
}

func listenerAddresses(l *listenerv3.Listener) []*corev3.Address {
	addrs := []*corev3.Address{l.GetAddress()}
	for _, extra := range l.GetAdditionalAddresses() {
		addrs = append(addrs, extra.GetAddress())
	}
	return addrs
}

func socketKey(a *corev3.Address) string {
	sa := a.GetSocketAddress()
	if sa == nil {
		return ""
	}
	return fmt.Sprintf("%s/%s:%d", sa.GetProtocol(), sa.GetAddress(), sa.GetPortValue())
}
