package main

// The stand-in's HTTP side, on the bootstrap's addresses: the readiness listener answers
// /healthz/ready (ready.go); the metrics listener /stats/prometheus; the admin address (loopback) /ready, /config_dump (what
// was accepted, summarised as in the log) and /stats/prometheus.

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type counters struct {
	mu         sync.Mutex
	acks       map[string]int64
	nacks      map[string]int64
	reconnects atomic.Int64
	connected  atomic.Bool
}

func newCounters() *counters { return &counters{acks: map[string]int64{}, nacks: map[string]int64{}} }

func (c *counters) count(m map[string]int64, kind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m[kind]++
}

// serveHTTP binds every address first (a busy port is fatal, as for Envoy), then serves.
func (s *standin) serveHTTP() ([]*http.Server, error) {
	ready := http.NewServeMux()
	ready.HandleFunc("GET /healthz/ready", s.ready)
	metrics := http.NewServeMux()
	metrics.HandleFunc("GET /stats/prometheus", s.prometheus)
	admin := http.NewServeMux()
	admin.HandleFunc("GET /ready", s.ready)
	admin.HandleFunc("GET /config_dump", s.configDump)
	admin.HandleFunc("GET /stats/prometheus", s.prometheus)
	var servers []*http.Server
	for _, l := range []struct {
		addrs   []string
		handler http.Handler
	}{{s.boot.readiness, ready}, {s.boot.metrics, metrics}, {s.boot.admin, admin}} {
		for _, addr := range listenAddresses(l.addrs) {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return nil, err
			}
			srv := &http.Server{Handler: l.handler, ReadHeaderTimeout: 5 * time.Second}
			servers = append(servers, srv)
			go func() { _ = srv.Serve(ln) }()
		}
	}
	info("listening", struct {
		Readiness []string `json:"readiness"`
		Metrics   []string `json:"metrics"`
		Admin     []string `json:"admin"`
	}{listenAddresses(s.boot.readiness), listenAddresses(s.boot.metrics), listenAddresses(s.boot.admin)})
	return servers, nil
}

// listenAddresses: 0.0.0.0:P and [::]:P together are one dual-stack socket in Go (":P"); binding
// both would collide where the kernel maps IPv4 into the IPv6 wildcard.
func listenAddresses(addrs []string) []string {
	wild := map[string]int{}
	for _, a := range addrs {
		if host, port, _ := net.SplitHostPort(a); host == "0.0.0.0" || host == "::" {
			wild[port]++
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, a := range addrs {
		host, port, _ := net.SplitHostPort(a)
		if (host == "0.0.0.0" || host == "::") && wild[port] > 1 {
			a = ":" + port
		}
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

func (s *standin) configDump(w http.ResponseWriter, _ *http.Request) {
	c := s.config
	c.mu.Lock()
	dump := struct {
		Node      map[string]string `json:"node"`
		Ready     bool              `json:"ready"`
		Versions  map[string]string `json:"versions"`
		Clusters  []upstreamView    `json:"clusters"`
		Listeners []listenerView    `json:"listeners"`
	}{map[string]string{"id": s.node.Id, "cluster": s.node.Cluster}, c.ready.Load(), c.versions, []upstreamView{}, []listenerView{}}
	for _, name := range sortedKeys(c.clusters) {
		dump.Clusters = append(dump.Clusters, summarizeCluster(c.clusters[name], c.endpoints[edsName(c.clusters[name])], "cds", c.versions["cds"]))
	}
	for _, name := range sortedKeys(c.listeners) {
		dump.Listeners = append(dump.Listeners, summarizeListener(c.listeners[name], c.versions["lds"]))
	}
	body, err := marshal(dump)
	c.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(body, '\n'))
}

func (s *standin) prometheus(w http.ResponseWriter, _ *http.Request) {
	st := s.stats
	var b strings.Builder
	family := func(name, kind, help string) { fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind) }
	bit := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	st.mu.Lock()
	for _, f := range []struct {
		name, help string
		m          map[string]int64
	}{{"proxy_standin_xds_acks_total", "xDS responses ACKed, by type", st.acks}, {"proxy_standin_xds_nacks_total", "xDS responses NACKed, by type", st.nacks}} {
		family(f.name, "counter", f.help)
		for _, t := range []string{"cds", "eds", "lds"} {
			fmt.Fprintf(&b, "%s{type=%q} %d\n", f.name, t, f.m[t])
		}
	}
	st.mu.Unlock()
	family("proxy_standin_xds_reconnects_total", "counter", "connection attempts after the first")
	fmt.Fprintf(&b, "proxy_standin_xds_reconnects_total %d\n", st.reconnects.Load())
	family("proxy_standin_xds_connected", "gauge", "1 while an ADS stream is open")
	fmt.Fprintf(&b, "proxy_standin_xds_connected %d\n", bit(st.connected.Load()))
	family("proxy_standin_ready", "gauge", "1 once a complete configuration was ACKed")
	fmt.Fprintf(&b, "proxy_standin_ready %d\n", bit(s.config.ready.Load()))
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	_, _ = fmt.Fprint(w, b.String())
}
