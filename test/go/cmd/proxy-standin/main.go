// proxy-standin is a judge, not a proxy: it runs in meshward's injected meshward-proxy container
// in place of Envoy (there is no Envoy binary for the tests) and forwards no traffic at all. It
// takes Envoy's command line, loads the static bootstrap as Envoy would (refusing what Envoy
// refuses), dials meshward's xDS server over mTLS with the pod's SVID, requiring the server
// identity the bootstrap names, and speaks ADS as Envoy does: CDS and LDS wildcard, EDS for the
// EDS clusters it accepted, every resource held to Envoy's schema and load-time checks, ACKed when
// valid and NACKed with the violations otherwise (keeping its last good configuration). What it
// accepted is logged, one JSON object per line, with each upstream's secure naming (which SPIFFE
// ID each cluster and endpoint requires), and readiness answers 200 once a complete configuration
// (CDS, LDS, and EDS for every EDS cluster) was ACKed.
//
// Ports, from the bootstrap: the readiness listener (/healthz/ready, meshward's 15021 on every
// interface), the metrics listener (/stats/prometheus, 15090) and the admin address (/config_dump,
// /ready, /stats/prometheus; 127.0.0.1:15000). SIGTERM or SIGINT closes the stream and exits 0.
// Exit 1: bad command line, a bootstrap Envoy would refuse, or a port that cannot be bound.
//
// Build: in test/go, CGO_ENABLED=0 go build ./cmd/proxy-standin (static: the image has no libc).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"google.golang.org/grpc"

	"meshward.local/envoy-tools/adsclient"
)

type standin struct {
	opts    options
	node    *corev3.Node
	boot    *proxyBootstrap
	client  *adsclient.Client
	config  *config
	stats   *counters
	started time.Time
}

func main() {
	started := time.Now()
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		fail("usage", struct {
			Error string   `json:"error"`
			Args  []string `json:"args"`
		}{err.Error(), os.Args[1:]})
		fmt.Fprintln(os.Stderr, "proxy-standin:", err)
		os.Exit(1)
	}
	node := &corev3.Node{Id: opts.ServiceNode, Cluster: opts.ServiceCluster, UserAgentName: "meshward-proxy-standin"}
	info("start", struct {
		Flags  options  `json:"flags"`
		NodeID string   `json:"node_id"`
		NodeCl string   `json:"node_cluster"`
		PID    int      `json:"pid"`
		UID    int      `json:"uid"`
		Args   []string `json:"args"`
	}{opts, node.Id, node.Cluster, os.Getpid(), os.Getuid(), os.Args[1:]})

	boot, violations, err := loadBootstrap(opts.ConfigPath)
	if err != nil {
		fail("bootstrap_invalid", struct {
			Path       string   `json:"path"`
			Error      string   `json:"error"`
			Violations []string `json:"violations,omitempty"`
		}{opts.ConfigPath, err.Error(), violations})
		os.Exit(1)
	}
	info("bootstrap", struct {
		Path      string    `json:"path"`
		XDS       xdsTarget `json:"xds"`
		ServerSAN []string  `json:"server_sans"`
		SNI       string    `json:"sni"`
	}{opts.ConfigPath, boot.xds, describeSANs(inlineSANs(boot.xds.TLS)), boot.xds.TLS.GetSni()})

	ctx, cancel := context.WithCancel(context.Background())
	s := &standin{opts: opts, node: node, boot: boot, config: newConfig(), stats: newCounters(), started: started}
	s.client = adsclient.New(ctx, node, s)
	servers, err := s.serveHTTP()
	if err != nil {
		fail("listen", struct {
			Error string `json:"error"`
		}{err.Error()})
		os.Exit(1)
	}

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	done := make(chan struct{})
	go func() {
		s.run(ctx)
		close(done)
	}()
	sig := <-signals
	info("stopping", struct {
		Signal string `json:"signal"`
	}{sig.String()})
	cancel()
	// A Job's pod completes only once its native sidecar exits: never linger past a second.
	select {
	case <-done:
	case <-time.After(700 * time.Millisecond):
	}
	for _, srv := range servers {
		_ = srv.Close()
	}
	info("exit", struct {
		Code int `json:"code"`
	}{0})
	os.Exit(0)
}

// sessionOn runs one ADS stream on conn and logs "connected" once it is open.
func (s *standin) sessionOn(ctx context.Context, conn *grpc.ClientConn, server, host string, identity func() string) (bool, error) {
	defer s.stats.connected.Store(false)
	return s.client.Session(ctx, conn, func() {
		s.stats.connected.Store(true)
		info("connected", struct {
			Server         string `json:"server"`
			Host           string `json:"host"`
			ServerIdentity string `json:"server_identity"`
		}{server, host, identity()})
	})
}
