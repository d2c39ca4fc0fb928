package main

// Readiness, as the kubelet's startup and readiness probes see it: 503 (naming what is missing)
// until a complete configuration was ACKed (CDS, LDS, and EDS for every EDS cluster), 200 from then
// on. meshward's real proxy answers through a self-check cluster over its own inbound listener; the
// stand-in has no listener to check, so "configured" is all it can honestly claim.

import (
	"fmt"
	"net/http"
	"strings"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
)

func (s *standin) ready(w http.ResponseWriter, _ *http.Request) {
	if s.config.ready.Load() {
		fmt.Fprintln(w, "LIVE")
		return
	}
	s.config.mu.Lock()
	missing := s.config.missing()
	s.config.mu.Unlock()
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintf(w, "not ready: waiting for %s\n", strings.Join(missing, ", "))
}

// checkReady (config locked): ready once CDS and LDS were ACKed and every EDS cluster has its
// endpoints, as Envoy finishes initialising (its clusters warm on their first EDS response).
func (s *standin) checkReady() {
	c := s.config
	if c.ready.Load() || len(c.missing()) > 0 {
		return
	}
	c.ready.Store(true)
	info("ready", struct {
		Versions  map[string]string `json:"versions"`
		Clusters  int               `json:"clusters"`
		Listeners int               `json:"listeners"`
		AfterMs   int64             `json:"after_ms"`
	}{c.versions, len(c.clusters), len(c.listeners), s.sinceStart().Milliseconds()})
}

// missing (config locked): what a complete configuration still lacks ("cds", "lds", "eds <name>").
func (c *config) missing() []string {
	var out []string
	for _, t := range []string{"cds", "lds"} {
		if _, ok := c.versions[t]; !ok {
			out = append(out, t)
		}
	}
	for _, name := range sortedKeys(c.clusters) {
		if cl := c.clusters[name]; cl.GetType() == clusterv3.Cluster_EDS && c.endpoints[edsName(cl)] == nil {
			out = append(out, "eds "+edsName(cl))
		}
	}
	return out
}

// edsName: the name a cluster's endpoints go by over EDS.
func edsName(c *clusterv3.Cluster) string {
	if sn := c.GetEdsClusterConfig().GetServiceName(); sn != "" {
		return sn
	}
	return c.GetName()
}
