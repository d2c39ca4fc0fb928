package main

// Reaching the xDS server as Envoy reaches its ADS cluster: the cluster's addresses resolved with
// the pod's resolver (STRICT_DNS/LOGICAL_DNS, in the cluster's dns_lookup_family), one tried per
// attempt in turn; gRPC over the TLS of credentials.go with the cluster's HTTP/2 keepalive; and on
// any failure (DNS, unreadable credentials, a refused handshake, a broken stream) a logged retry
// after a jittered backoff, reset once a stream was up.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync/atomic"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"
)

const minBackoff, maxBackoff = 500 * time.Millisecond, 5 * time.Second

// run connects and reconnects until ctx ends.
func (s *standin) run(ctx context.Context) {
	wait := minBackoff
	for attempt := 0; ctx.Err() == nil; attempt++ {
		if attempt > 0 {
			s.stats.reconnects.Add(1)
		}
		server, connected, err := s.attempt(ctx, attempt)
		if ctx.Err() != nil {
			return
		}
		if connected {
			wait = minBackoff
		}
		// Envoy jitters its retries so a restarted control plane is not hit by every proxy at once.
		sleep := wait/2 + rand.N(wait/2+1)
		st := status.Convert(err)
		code, detail := st.Code().String(), st.Message()
		if errors.Is(err, io.EOF) {
			code, detail = "OK", "stream closed by the server"
		}
		msg := "connect_failed"
		if connected {
			msg = "disconnected"
		}
		warn(msg, struct {
			Server    string `json:"server,omitempty"`
			Connected bool   `json:"connected"`
			Code      string `json:"code"`
			Error     string `json:"error"`
			RetryInMs int64  `json:"retry_in_ms"`
		}{server, connected, code, detail, sleep.Milliseconds()})
		select {
		case <-time.After(sleep):
		case <-ctx.Done():
			return
		}
		wait = min(2*wait, maxBackoff)
	}
}

// attempt resolves, dials and runs one ADS stream; it returns the address it tried.
func (s *standin) attempt(ctx context.Context, attempt int) (string, bool, error) {
	x := s.boot.xds
	hp := x.Endpoints[attempt%len(x.Endpoints)]
	host, port, _ := net.SplitHostPort(hp)
	ips, err := s.resolve(ctx, host)
	if err != nil {
		return hp, false, fmt.Errorf("dns %s (%s): %w", host, x.DNSFamily, err)
	}
	server := net.JoinHostPort(ips[(attempt/len(x.Endpoints))%len(ips)].String(), port)
	material, err := loadTLS(x.TLS)
	if err != nil {
		return server, false, fmt.Errorf("credentials: %w", err)
	}
	var identity atomic.Value // written by the TLS handshake, read when the stream opens
	identity.Store("")
	cfg, err := clientTLS(x.TLS, material, host, func(id string) { identity.Store(id) })
	if err != nil {
		return server, false, err
	}
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(credentials.NewTLS(cfg)),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoff.DefaultConfig, MinConnectTimeout: x.ConnectTimeout}),
	}
	if ka := x.Keepalive; ka != nil {
		opts = append(opts, grpc.WithKeepaliveParams(keepalive.ClientParameters{
			Time: ka.GetInterval().AsDuration(), Timeout: ka.GetTimeout().AsDuration(), PermitWithoutStream: true,
		}))
	}
	conn, err := grpc.NewClient("passthrough:///"+server, opts...)
	if err != nil {
		return server, false, err
	}
	defer conn.Close()
	connected, err := s.sessionOn(ctx, conn, server, host, func() string { return identity.Load().(string) })
	return server, connected, err
}

// resolve returns host's addresses in the cluster's family preference (an IP literal as itself).
func (s *standin) resolve(ctx context.Context, host string) ([]net.IP, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}, nil
	}
	if s.boot.xds.clusterType == clusterv3.Cluster_STATIC {
		return nil, errors.New("a STATIC cluster needs IP addresses")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var order []string
	switch s.boot.xds.family {
	case clusterv3.Cluster_V4_ONLY:
		order = []string{"ip4"}
	case clusterv3.Cluster_V6_ONLY:
		order = []string{"ip6"}
	case clusterv3.Cluster_V4_PREFERRED:
		order = []string{"ip4", "ip6"}
	case clusterv3.Cluster_ALL:
		order = []string{"ip"}
	default: // AUTO: IPv6 first
		order = []string{"ip6", "ip4"}
	}
	var last error
	for _, network := range order {
		ips, err := net.DefaultResolver.LookupIP(ctx, network, host)
		if err == nil && len(ips) > 0 {
			return ips, nil
		}
		last = err
	}
	if last == nil {
		last = errors.New("no address")
	}
	return nil, last
}
