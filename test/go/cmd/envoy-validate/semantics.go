package main

import (
	"fmt"
	"net"
	"regexp"
	"sort"
	"strings"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	healthcheckv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/health_check/v3"
	tcpproxyv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"

	"meshward.local/envoy-tools/envoycheck"
)

// bootstrapSemantics: checks Envoy makes while loading a bootstrap that the schema cannot
// express (it would refuse to start, or a route would lead nowhere). Not exhaustive.
func bootstrapSemantics(b *bootstrapv3.Bootstrap, seen []envoycheck.Visited) []string {
	var errs []string
	add := func(format string, args ...any) { errs = append(errs, "semantics: "+fmt.Sprintf(format, args...)) }
	sr := b.GetStaticResources()

	clusters := map[string]*clusterv3.Cluster{}
	for i, c := range sr.GetClusters() {
		if _, dup := clusters[c.GetName()]; dup {
			add("static_resources.clusters[%d]: duplicate cluster name %q", i, c.GetName())
		}
		clusters[c.GetName()] = c
		errs = append(errs, clusterRules(fmt.Sprintf("static_resources.clusters[%d]", i), c)...)
	}

	listenerNames := map[string]bool{}
	bound := map[string]string{}
	for i, l := range sr.GetListeners() {
		at := fmt.Sprintf("static_resources.listeners[%d]", i)
		if listenerNames[l.GetName()] {
			add("%s: duplicate listener name %q", at, l.GetName())
		}
		listenerNames[l.GetName()] = true
		for _, a := range listenerAddresses(l) {
			key := socketKey(a)
			if other, dup := bound[key]; dup && key != "" {
				add("%s: address %s already bound by listener %q", at, key, other)
			}
			bound[key] = l.GetName()
		}
		errs = append(errs, filterChainRules(at, l)...)
	}

	// ADS reaches its server through a static cluster; an "ads" config source needs ads_config.
	dr := b.GetDynamicResources()
	for i, g := range dr.GetAdsConfig().GetGrpcServices() {
		if name := g.GetEnvoyGrpc().GetClusterName(); name != "" {
			if _, ok := clusters[name]; !ok {
				add("dynamic_resources.ads_config.grpc_services[%d]: references unknown static cluster %q", i, name)
			}
		}
	}
	if (dr.GetCdsConfig().GetAds() != nil || dr.GetLdsConfig().GetAds() != nil) && dr.GetAdsConfig() == nil {
		add("dynamic_resources: an ads config source without ads_config")
	}
	// A route table with validate_clusters: false may name a cluster CDS brings later (Envoy answers
	// 503 until then); checked at load otherwise, and for ever pointless without a CDS source.
	lenient := []string{}
	for _, v := range seen {
		if rc, ok := v.Msg.(*routev3.RouteConfiguration); ok && rc.GetValidateClusters() != nil && !rc.GetValidateClusters().GetValue() && dr.GetCdsConfig() != nil {
			lenient = append(lenient, v.Path+".")
		}
	}
	underLenient := func(path string) bool {
		for _, prefix := range lenient {
			if strings.HasPrefix(path, prefix) {
				return true
			}
		}
		return false
	}

	// Every cluster a filter or route names must exist (nothing adds it later), but where above.
	// Envoy compiles every safe_regex (RE2) at load; Go's regexp reads RE2 syntax, near enough for a typo.
	for _, v := range seen {
		for _, name := range clusterRefs(v.Msg) {
			if _, ok := clusters[name]; !ok && !underLenient(v.Path) {
				add("%s: references unknown cluster %q", v.Path, name)
			}
		}
	}
	return append(errs, regexRules(seen)...)
}

// regexRules: Envoy compiles every safe_regex (RE2) at load; Go's regexp reads RE2 syntax, near
// enough for a typo.
func regexRules(seen []envoycheck.Visited) []string {
	var errs []string
	for _, v := range seen {
		if re, ok := v.Msg.(*matcherv3.RegexMatcher); ok {
			if _, err := regexp.Compile(re.GetRegex()); err != nil {
				errs = append(errs, fmt.Sprintf("semantics: %s: regex does not compile: %v", v.Path, err))
			}
		}
	}
	return errs
}

func clusterRules(at string, c *clusterv3.Cluster) []string {
	var errs []string
	add := func(format string, args ...any) {
		errs = append(errs, "semantics: "+colon(at)+fmt.Sprintf(format, args...))
	}
	isOrigDst := c.GetType() == clusterv3.Cluster_ORIGINAL_DST
	if isOrigDst != (c.GetLbPolicy() == clusterv3.Cluster_CLUSTER_PROVIDED) {
		add("ORIGINAL_DST clusters need lb_policy CLUSTER_PROVIDED, and only they may use it")
	}
	endpoints := 0
	for _, le := range c.GetLoadAssignment().GetEndpoints() {
		for _, ep := range le.GetLbEndpoints() {
			endpoints++
			sa := ep.GetEndpoint().GetAddress().GetSocketAddress()
			if c.GetType() == clusterv3.Cluster_STATIC && sa != nil && net.ParseIP(sa.GetAddress()) == nil {
				add("STATIC cluster endpoint %q is not an IP address", sa.GetAddress())
			}
		}
	}
	if isOrigDst && endpoints > 0 {
		add("ORIGINAL_DST clusters take no load_assignment endpoints")
	}
	for _, hc := range c.GetHealthChecks() {
		if hc.GetGrpcHealthCheck() != nil && !usesHTTP2(c) {
			add("gRPC health checking needs an HTTP/2 upstream (typed_extension_protocol_options)")
		}
	}
	return errs
}

func usesHTTP2(c *clusterv3.Cluster) bool {
	a, ok := c.GetTypedExtensionProtocolOptions()["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
	if !ok {
		return false
	}
	var opts httpv3.HttpProtocolOptions
	if a.UnmarshalTo(&opts) != nil {
		return false
	}
	return opts.GetExplicitHttpConfig().GetHttp2ProtocolOptions() != nil
}

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
			errs = append(errs, fmt.Sprintf("semantics: %s: duplicate filter chain name %q", envoycheck.Join(at, fmt.Sprintf("filter_chains[%d]", i)), fc.GetName()))
		}
		names[fc.GetName()] = true
		m := fc.GetFilterChainMatch()
		if m.GetTransportProtocol() == "tls" || len(m.GetServerNames()) > 0 || len(m.GetApplicationProtocols()) > 0 {
			needsInspector = true
		}
		for _, t := range matchTuples(m) {
			if j, dup := owner[t]; dup {
				errs = append(errs, fmt.Sprintf("semantics: %s: same match as filter_chains[%d] (%s)", envoycheck.Join(at, fmt.Sprintf("filter_chains[%d]", i)), j, t))
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

func clusterRefs(m any) []string {
	switch x := m.(type) {
	case *tcpproxyv3.TcpProxy:
		return clusterAndWeighted(x.GetCluster(), x.GetWeightedClusters().GetClusters())
	case *routev3.RouteAction:
		return clusterAndWeighted(x.GetCluster(), x.GetWeightedClusters().GetClusters())
	case *healthcheckv3.HealthCheck:
		out := []string{}
		for name := range x.GetClusterMinHealthyPercentages() {
			out = append(out, name)
		}
		sort.Strings(out)
		return out
	}
	return nil
}

// clusterAndWeighted: the cluster a TcpProxy or RouteAction names, then its weighted clusters.
func clusterAndWeighted[W interface{ GetName() string }](cluster string, weighted []W) []string {
	out := []string{}
	if cluster != "" {
		out = append(out, cluster)
	}
	for _, wc := range weighted {
		out = append(out, wc.GetName())
	}
	return out
}

// colon: "at: " before a message about the object at `at`, nothing for a whole resource.
func colon(at string) string {
	if at == "" {
		return ""
	}
	return at + ": "
}

func socketKey(a *corev3.Address) string {
	sa := a.GetSocketAddress()
	if sa == nil {
		return ""
	}
	return fmt.Sprintf("%s/%s:%d", sa.GetProtocol(), sa.GetAddress(), sa.GetPortValue())
}

// sdsSemantics: a file-based SDS DiscoveryResponse must hold uniquely named Secrets.
func sdsSemantics(r *discoveryv3.DiscoveryResponse) []string {
	var errs []string
	names := map[string]bool{}
	if len(r.GetResources()) == 0 {
		errs = append(errs, "semantics: resources: no secret")
	}
	for i, a := range r.GetResources() {
		if a.GetTypeUrl() != secretType {
			errs = append(errs, fmt.Sprintf("semantics: resources[%d]: type %s is not %s", i, a.GetTypeUrl(), secretType))
			continue
		}
		var s tlsv3.Secret
		if err := a.UnmarshalTo(&s); err != nil {
			continue // already reported by envoycheck.Validate
		}
		if s.GetName() == "" || names[s.GetName()] {
			errs = append(errs, fmt.Sprintf("semantics: resources[%d]: secret name %q is empty or repeated", i, s.GetName()))
		}
		names[s.GetName()] = true
	}
	return errs
}
