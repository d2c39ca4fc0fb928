package envoycheck

// The load-time checks Envoy makes that the schema cannot express: it would refuse to start, NACK
// the resource, or a route would lead nowhere. Not exhaustive.

import (
	"fmt"
	"net"
	"regexp"
	"sort"
	"strings"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	healthcheckv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/health_check/v3"
	tcpproxyv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/proto"
)

// BootstrapSemantics: the checks Envoy makes while loading a bootstrap; seen is what Validate visited.
func BootstrapSemantics(b *bootstrapv3.Bootstrap, seen []Visited) []string {
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

// ResourceSemantics: the load-time checks of BootstrapSemantics that make sense for one resource
// on its own (cluster references are not: the cluster may come in another response).
func ResourceSemantics(msg proto.Message, seen []Visited) []string {
	var errs []string
	named := func(name string) {
		if name == "" {
			errs = append(errs, "semantics: name: an xDS resource needs a name")
		}
	}
	switch m := msg.(type) {
	case *listenerv3.Listener:
		named(m.GetName())
		bound := map[string]bool{}
		for _, a := range listenerAddresses(m) {
			if key := socketKey(a); key != "" && bound[key] {
				errs = append(errs, fmt.Sprintf("semantics: address %s is listed twice", key))
			} else {
				bound[key] = true
			}
		}
		errs = append(errs, filterChainRules("", m)...)
	case *clusterv3.Cluster:
		named(m.GetName())
		errs = append(errs, clusterRules("", m)...)
	case *tlsv3.Secret:
		named(m.GetName())
	}
	return append(errs, regexRules(seen)...)
}

// regexRules: Envoy compiles every safe_regex (RE2) at load; Go's regexp reads RE2 syntax, near
// enough for a typo.
func regexRules(seen []Visited) []string {
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

// SDSSemantics: a file-based SDS DiscoveryResponse must hold uniquely named Secrets.
func SDSSemantics(r *discoveryv3.DiscoveryResponse) []string {
	var errs []string
	names := map[string]bool{}
	if len(r.GetResources()) == 0 {
		errs = append(errs, "semantics: resources: no secret")
	}
	for i, a := range r.GetResources() {
		if a.GetTypeUrl() != SecretType {
			errs = append(errs, fmt.Sprintf("semantics: resources[%d]: type %s is not %s", i, a.GetTypeUrl(), SecretType))
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
