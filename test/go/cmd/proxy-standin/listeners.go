package main

// What each accepted listener does, one line per listener: its chains in order, each with what it
// matches, whether the downstream side is TLS (mtls: a client certificate is required, and which
// identities it accepts) and, for a TCP proxy, the cluster it leads to. On meshward's outbound
// listener this is the destination → cluster table: a Service ClusterIP:port with no chain (the
// kubernetes Service, kube-dns, unmeshed Services) takes the last, plaintext passthrough chain.

import (
	"fmt"
	"strings"

	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	tcpproxyv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
)

type chainView struct {
	Name      string   `json:"name"`
	Match     string   `json:"match"` // "<prefix,…>:<port>", "*" for any
	Transport string   `json:"transport,omitempty"`
	TLS       string   `json:"tls"` // plaintext, tls, mtls (client certificate required)
	Peers     []string `json:"peers,omitempty"`
	Filters   []string `json:"filters"`
	Cluster   string   `json:"cluster,omitempty"` // tcp_proxy's
}

type listenerView struct {
	Listener  string      `json:"listener"`
	Version   string      `json:"version"`
	Addresses []string    `json:"addresses"`
	Chains    []chainView `json:"chains"`
}

func summarizeListener(l *listenerv3.Listener, version string) listenerView {
	v := listenerView{Listener: l.GetName(), Version: version, Addresses: []string{addressOf(l.GetAddress())}, Chains: []chainView{}}
	for _, a := range l.GetAdditionalAddresses() {
		v.Addresses = append(v.Addresses, addressOf(a.GetAddress()))
	}
	chains := l.GetFilterChains()
	if d := l.GetDefaultFilterChain(); d != nil {
		chains = append(chains, d)
	}
	for _, fc := range chains {
		v.Chains = append(v.Chains, summarizeChain(fc))
	}
	return v
}

func summarizeChain(fc *listenerv3.FilterChain) chainView {
	m := fc.GetFilterChainMatch()
	prefixes := []string{}
	for _, r := range m.GetPrefixRanges() {
		prefixes = append(prefixes, fmt.Sprintf("%s/%d", r.GetAddressPrefix(), r.GetPrefixLen().GetValue()))
	}
	match := strings.Join(prefixes, ",")
	if match == "" {
		match = "*"
	}
	if p := m.GetDestinationPort(); p != nil {
		match = fmt.Sprintf("%s:%d", match, p.GetValue())
	}
	c := chainView{Name: fc.GetName(), Match: match, Transport: m.GetTransportProtocol(), TLS: "plaintext", Filters: []string{}}
	if ts := fc.GetTransportSocket(); ts != nil {
		var down tlsv3.DownstreamTlsContext
		if ts.GetTypedConfig().UnmarshalTo(&down) == nil {
			c.TLS = "tls"
			if down.GetRequireClientCertificate().GetValue() {
				c.TLS = "mtls"
			}
			common := down.GetCommonTlsContext()
			sans := append(append([]*tlsv3.SubjectAltNameMatcher{}, common.GetValidationContext().GetMatchTypedSubjectAltNames()...),
				common.GetCombinedValidationContext().GetDefaultValidationContext().GetMatchTypedSubjectAltNames()...)
			c.Peers = describeSANs(sans)
		}
	}
	for _, f := range fc.GetFilters() {
		c.Filters = append(c.Filters, f.GetName())
		var tp tcpproxyv3.TcpProxy
		if f.GetTypedConfig().UnmarshalTo(&tp) == nil {
			c.Cluster = tp.GetCluster()
		}
	}
	return c
}
