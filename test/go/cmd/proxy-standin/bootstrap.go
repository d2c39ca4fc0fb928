package main

// The bootstrap, as Envoy would load it: strictly decoded and held to Envoy's schema and load-time
// checks (envoycheck.CheckDocument), then read for what the stand-in acts on: the ADS cluster (its
// addresses, DNS family, connect timeout, HTTP/2 keepalive and upstream TLS context) and the ports
// of the admin API and of the static readiness and metrics listeners.

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"

	"meshward.local/envoy-tools/envoycheck"
)

// The static listeners meshward's bootstrap serves, by name (templates/envoy-bootstrap.yaml).
const readinessListener, metricsListener = "readiness", "metrics"

type xdsTarget struct {
	Cluster        string                          `json:"cluster"`
	Type           string                          `json:"type"`
	DNSFamily      string                          `json:"dns_lookup_family"`
	Endpoints      []string                        `json:"endpoints"` // host:port as configured
	ConnectTimeout time.Duration                   `json:"-"`
	Keepalive      *corev3.KeepaliveSettings       `json:"-"`
	TLS            *tlsv3.UpstreamTlsContext       `json:"-"`
	clusterType    clusterv3.Cluster_DiscoveryType // STATIC, STRICT_DNS or LOGICAL_DNS
	family         clusterv3.Cluster_DnsLookupFamily
}

type proxyBootstrap struct {
	xds       xdsTarget
	admin     []string // listen addresses (host:port)
	readiness []string
	metrics   []string
}

func loadBootstrap(path string) (*proxyBootstrap, []string, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	msg, errs := envoycheck.CheckDocument("bootstrap", text)
	if len(errs) > 0 {
		return nil, errs, errors.New("Envoy would refuse this bootstrap")
	}
	b := msg.(*bootstrapv3.Bootstrap)
	dr := b.GetDynamicResources()
	ads := dr.GetAdsConfig()
	switch {
	case ads == nil:
		return nil, nil, errors.New("dynamic_resources.ads_config: none (the stand-in speaks ADS only)")
	case ads.GetApiType() != corev3.ApiConfigSource_GRPC:
		return nil, nil, fmt.Errorf("ads_config.api_type %s: the stand-in speaks state-of-the-world GRPC only", ads.GetApiType())
	case len(ads.GetGrpcServices()) != 1 || ads.GetGrpcServices()[0].GetEnvoyGrpc() == nil:
		return nil, nil, errors.New("ads_config.grpc_services: want exactly one envoy_grpc service")
	case dr.GetCdsConfig().GetAds() == nil || dr.GetLdsConfig().GetAds() == nil:
		return nil, nil, errors.New("dynamic_resources: cds_config and lds_config must both be ads")
	}
	name := ads.GetGrpcServices()[0].GetEnvoyGrpc().GetClusterName()
	pb := &proxyBootstrap{admin: []string{hostPort(b.GetAdmin().GetAddress())}}
	for _, c := range b.GetStaticResources().GetClusters() {
		if c.GetName() == name {
			if pb.xds, err = target(c); err != nil {
				return nil, nil, fmt.Errorf("cluster %s: %w", name, err)
			}
		}
	}
	if pb.xds.Cluster == "" {
		return nil, nil, fmt.Errorf("ads_config names cluster %q, which static_resources does not hold", name)
	}
	for _, l := range b.GetStaticResources().GetListeners() {
		addrs := []string{hostPort(l.GetAddress())}
		for _, a := range l.GetAdditionalAddresses() {
			addrs = append(addrs, hostPort(a.GetAddress()))
		}
		switch l.GetName() {
		case readinessListener:
			pb.readiness = addrs
		case metricsListener:
			pb.metrics = addrs
		}
	}
	return pb, nil, nil
}

func target(c *clusterv3.Cluster) (xdsTarget, error) {
	t := xdsTarget{Cluster: c.GetName(), Type: c.GetType().String(), DNSFamily: c.GetDnsLookupFamily().String(),
		clusterType: c.GetType(), family: c.GetDnsLookupFamily(), ConnectTimeout: c.GetConnectTimeout().AsDuration()}
	switch c.GetType() {
	case clusterv3.Cluster_STATIC, clusterv3.Cluster_STRICT_DNS, clusterv3.Cluster_LOGICAL_DNS:
	default:
		return t, fmt.Errorf("type %s: want STATIC, STRICT_DNS or LOGICAL_DNS", c.GetType())
	}
	for _, le := range c.GetLoadAssignment().GetEndpoints() {
		for _, ep := range le.GetLbEndpoints() {
			t.Endpoints = append(t.Endpoints, hostPort(ep.GetEndpoint().GetAddress()))
		}
	}
	if len(t.Endpoints) == 0 {
		return t, errors.New("load_assignment: no endpoint")
	}
	if t.ConnectTimeout <= 0 {
		t.ConnectTimeout = 5 * time.Second // Envoy's default
	}
	if a, ok := c.GetTypedExtensionProtocolOptions()["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]; ok {
		var opts httpv3.HttpProtocolOptions
		if err := a.UnmarshalTo(&opts); err == nil {
			t.Keepalive = opts.GetExplicitHttpConfig().GetHttp2ProtocolOptions().GetConnectionKeepalive()
		}
	}
	ts := c.GetTransportSocket()
	if ts == nil {
		// Plaintext xDS would hand any on-path party the pod's whole configuration; meshward never renders it.
		return t, errors.New("no transport_socket: the stand-in dials xDS over mTLS only")
	}
	t.TLS = &tlsv3.UpstreamTlsContext{}
	if err := ts.GetTypedConfig().UnmarshalTo(t.TLS); err != nil {
		return t, fmt.Errorf("transport_socket: not an UpstreamTlsContext: %w", err)
	}
	return t, nil
}

func hostPort(a *corev3.Address) string {
	sa := a.GetSocketAddress()
	return net.JoinHostPort(sa.GetAddress(), strconv.Itoa(int(sa.GetPortValue())))
}
