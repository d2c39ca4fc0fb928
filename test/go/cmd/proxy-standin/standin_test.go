package main

// The stand-in's own rules, without a server: the command line, the verdict on a response (NACK
// keeps the last good version), Envoy's transport socket selection per endpoint, SAN matching.

import (
	"strings"
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"

	"meshward.local/envoy-tools/adsclient"
)

func TestFlags(t *testing.T) {
	o, err := parseFlags(strings.Fields("--config-path /etc/meshward/proxy/envoy.json --service-node sidecar~shop~web-1 " +
		"--service-cluster shop --log-level warning --concurrency 2 --disable-hot-restart --drain-time-s 5 --drain-strategy immediate"))
	if err != nil || o.ServiceNode != "sidecar~shop~web-1" || o.Concurrency != 2 || !o.DisableHotRestart || o.DrainStrategy != "immediate" {
		t.Fatalf("template command line: %+v, %v", o, err)
	}
	if _, err := parseFlags([]string{"-c=/x", "--service-node=n", "--base-id", "1"}); err == nil || !strings.Contains(err.Error(), `"--base-id"`) {
		t.Fatalf("unknown flag: %v", err)
	}
	if _, err := parseFlags([]string{"-c", "/x", "--service-node", "sidecar~$(POD_NAMESPACE)~p"}); err == nil {
		t.Fatal("an unexpanded $(VAR) was accepted")
	}
}

func TestNackKeepsLastGoodVersion(t *testing.T) {
	s := &standin{config: newConfig(), stats: newCounters()}
	good, _ := anypb.New(&clusterv3.Cluster{Name: "a", ConnectTimeout: durationpb.New(1e9)})
	bad, _ := anypb.New(&clusterv3.Cluster{Name: "b", ConnectTimeout: durationpb.New(-1)})
	for _, step := range []struct {
		version  string
		resource *anypb.Any
		nack     bool
	}{{"1", good, false}, {"2", bad, true}} {
		r := adsclient.Response{Kind: "cds", TypeURL: adsclient.ClusterType, Resources: []*anypb.Any{step.resource},
			Raw: &discoveryv3.DiscoveryResponse{VersionInfo: step.version, Nonce: step.version}}
		problems := s.Judge(r)
		if (len(problems) > 0) != step.nack {
			t.Fatalf("version %s: problems %v", step.version, problems)
		}
		kind := map[bool]string{false: "ack", true: "nack"}[step.nack]
		s.Sent(kind, "cds", &discoveryv3.DiscoveryRequest{ResponseNonce: step.version})
	}
	if v := s.config.versions["cds"]; v != "1" || s.config.clusters["a"] == nil || s.config.clusters["b"] != nil {
		t.Fatalf("after the NACK: version %q, clusters %v", v, sortedKeys(s.config.clusters))
	}
	if !strings.Contains(s.config.missing()[0], "lds") {
		t.Fatalf("missing: %v", s.config.missing())
	}
}

func TestEndpointSockets(t *testing.T) {
	id := "spiffe://cluster.local/ns/shop/sa/api"
	tlsCtx, _ := anypb.New(&tlsv3.UpstreamTlsContext{CommonTlsContext: &tlsv3.CommonTlsContext{
		TlsCertificateSdsSecretConfigs: []*tlsv3.SdsSecretConfig{{Name: "workload-certificate"}},
		ValidationContextType: &tlsv3.CommonTlsContext_CombinedValidationContext{CombinedValidationContext: &tlsv3.CommonTlsContext_CombinedCertificateValidationContext{
			DefaultValidationContext: &tlsv3.CertificateValidationContext{MatchTypedSubjectAltNames: []*tlsv3.SubjectAltNameMatcher{{
				SanType: tlsv3.SubjectAltNameMatcher_URI, Matcher: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: id}}}}},
		}},
	}})
	match, _ := structpb.NewStruct(map[string]any{"identity": id})
	c := &clusterv3.Cluster{Name: "outbound|80|api.shop", ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: clusterv3.Cluster_EDS},
		TransportSocketMatches: []*clusterv3.Cluster_TransportSocketMatch{{Name: "mtls|" + id, Match: match,
			TransportSocket: &corev3.TransportSocket{Name: "envoy.transport_sockets.tls", ConfigType: &corev3.TransportSocket_TypedConfig{TypedConfig: tlsCtx}}}}}
	ep := func(ip string, meta *structpb.Struct) *endpointv3.LbEndpoint {
		lb := &endpointv3.LbEndpoint{HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{Address: &corev3.Address{
			Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{Address: ip, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: 8080}}}}}}}
		if meta != nil {
			lb.Metadata = &corev3.Metadata{FilterMetadata: map[string]*structpb.Struct{socketMatchKey: meta}}
		}
		return lb
	}
	cla := &endpointv3.ClusterLoadAssignment{ClusterName: c.Name, Endpoints: []*endpointv3.LocalityLbEndpoints{{LbEndpoints: []*endpointv3.LbEndpoint{ep("10.0.0.1", match), ep("10.0.0.2", nil)}}}}
	v := summarizeCluster(c, cla, "eds", "v1")
	got := []string{}
	for _, e := range v.Endpoints {
		got = append(got, e.Address+" "+e.TLS+" "+e.Identity)
	}
	if strings.Join(got, ", ") != "10.0.0.1:8080 mtls "+id+", 10.0.0.2:8080 plaintext " {
		t.Fatalf("endpoints: %v", got)
	}
}

func TestStringMatch(t *testing.T) {
	for _, c := range []struct {
		m    *matcherv3.StringMatcher
		v    string
		want bool
	}{
		{&matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: "spiffe://td/ns/a/sa/b"}}, "spiffe://td/ns/a/sa/b", true},
		{&matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: "spiffe://td/ns/a/sa/b"}}, "spiffe://td/ns/a/sa/bb", false},
		{&matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Prefix{Prefix: "spiffe://td/"}}, "spiffe://td/ns/x", true},
		{&matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_SafeRegex{SafeRegex: &matcherv3.RegexMatcher{Regex: "spiffe://td/ns/[a-z]+/sa/b"}}}, "spiffe://td/ns/a/sa/b/x", false},
	} {
		if got := stringMatch(c.m, c.v); got != c.want {
			t.Errorf("%v on %q: %v", c.m, c.v, got)
		}
	}
}
