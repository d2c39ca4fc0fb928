package main

// Secure naming as the stand-in accepted it: per upstream cluster, which transport socket each
// endpoint gets and which peer identity it must prove; per listener, its chains. meshward's
// outbound clusters (webhook/xds/outbound.ts) carry one transport_socket_matches entry per
// identity behind a Service and tag each meshed endpoint's metadata
// (envoy.transport_socket_match: {identity}); an endpoint no entry matches takes the cluster's own
// transport socket, none for an EDS cluster: plaintext. This is Envoy's selection, done here.

import (
	"fmt"
	"net"
	"strconv"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// tlsView: "plaintext", "tls" (no client certificate) or "mtls"; the identity when exactly one
// SPIFFE ID is accepted (one exact URI SAN matcher), else every matcher; unverified: TLS with no
// trust anchor, the peer is not authenticated at all.
type tlsView struct {
	TLS        string   `json:"tls"`
	Identity   string   `json:"identity,omitempty"`
	SANs       []string `json:"sans,omitempty"`
	Unverified bool     `json:"unverified,omitempty"`
}

type endpointView struct {
	Address string `json:"address"`
	tlsView
	Socket string `json:"socket,omitempty"` // the transport_socket_matches entry chosen; none: the cluster's own
}

type socketMatchView struct {
	Name  string         `json:"name"`
	Match map[string]any `json:"match"`
	tlsView
}

type upstreamView struct {
	Cluster   string            `json:"cluster"`
	Type      string            `json:"type"`
	From      string            `json:"from"` // the accepted update this line reports: cds or eds
	Version   string            `json:"version"`
	tlsView                     // the cluster's own transport socket
	Matches   []socketMatchView `json:"transport_socket_matches,omitempty"`
	Endpoints []endpointView    `json:"endpoints"` // null for ORIGINAL_DST and for an EDS cluster still waiting
	Pending   bool              `json:"endpoints_pending,omitempty"`
}

const socketMatchKey = "envoy.transport_socket_match"

func summarizeCluster(c *clusterv3.Cluster, cla *endpointv3.ClusterLoadAssignment, from, version string) upstreamView {
	v := upstreamView{Cluster: c.GetName(), Type: c.GetType().String(), From: from, Version: version, tlsView: describeSocket(c.GetTransportSocket())}
	for _, m := range c.GetTransportSocketMatches() {
		v.Matches = append(v.Matches, socketMatchView{Name: m.GetName(), Match: m.GetMatch().AsMap(), tlsView: describeSocket(m.GetTransportSocket())})
	}
	switch {
	case c.GetType() == clusterv3.Cluster_ORIGINAL_DST:
		return v // wherever each connection was going
	case c.GetType() != clusterv3.Cluster_EDS:
		cla = c.GetLoadAssignment()
	case cla == nil:
		v.Pending = true
		return v
	}
	v.Endpoints = []endpointView{}
	for _, locality := range cla.GetEndpoints() {
		for _, lb := range locality.GetLbEndpoints() {
			ep := endpointView{Address: addressOf(lb.GetEndpoint().GetAddress()), tlsView: v.tlsView}
			meta := lb.GetMetadata().GetFilterMetadata()[socketMatchKey]
			for i, m := range c.GetTransportSocketMatches() {
				if subset(m.GetMatch(), meta) {
					ep.tlsView, ep.Socket = v.Matches[i].tlsView, m.GetName()
					break
				}
			}
			v.Endpoints = append(v.Endpoints, ep)
		}
	}
	return v
}

// subset: every field of match is in meta with an equal value (an empty match takes every endpoint).
func subset(match, meta *structpb.Struct) bool {
	for k, want := range match.GetFields() {
		got, ok := meta.GetFields()[k]
		if !ok || !proto.Equal(want, got) {
			return false
		}
	}
	return true
}

func describeSocket(ts *corev3.TransportSocket) tlsView {
	if ts == nil || ts.GetTypedConfig() == nil {
		return tlsView{TLS: "plaintext"}
	}
	var up tlsv3.UpstreamTlsContext
	if ts.GetTypedConfig().UnmarshalTo(&up) != nil {
		return tlsView{TLS: "plaintext"} // raw_buffer: Envoy's default socket
	}
	common := up.GetCommonTlsContext()
	v := tlsView{TLS: "tls"}
	if len(common.GetTlsCertificates()) > 0 || len(common.GetTlsCertificateSdsSecretConfigs()) > 0 {
		v.TLS = "mtls"
	}
	v.Unverified = common.GetValidationContext() == nil && common.GetValidationContextSdsSecretConfig() == nil &&
		common.GetCombinedValidationContext() == nil
	identityOf(&v, inlineSANs(&up))
	return v
}

func identityOf(v *tlsView, sans []*tlsv3.SubjectAltNameMatcher) {
	if len(sans) == 1 && sans[0].GetSanType() == tlsv3.SubjectAltNameMatcher_URI && sans[0].GetMatcher().GetExact() != "" {
		v.Identity = sans[0].GetMatcher().GetExact()
		return
	}
	v.SANs = describeSANs(sans)
}

// inlineSANs: the SAN matchers written in the context itself (an SDS validation context may add more).
func inlineSANs(up *tlsv3.UpstreamTlsContext) []*tlsv3.SubjectAltNameMatcher {
	common := up.GetCommonTlsContext()
	out := append([]*tlsv3.SubjectAltNameMatcher{}, common.GetValidationContext().GetMatchTypedSubjectAltNames()...)
	return append(out, common.GetCombinedValidationContext().GetDefaultValidationContext().GetMatchTypedSubjectAltNames()...)
}

func addressOf(a *corev3.Address) string {
	if sa := a.GetSocketAddress(); sa != nil {
		return net.JoinHostPort(sa.GetAddress(), strconv.Itoa(int(sa.GetPortValue())))
	}
	if p := a.GetPipe(); p != nil {
		return "unix:" + p.GetPath()
	}
	return fmt.Sprint(a)
}
