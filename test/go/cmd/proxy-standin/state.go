package main

// What the stand-in accepted, and its judgement of each response (adsclient.Hooks): every resource
// held to Envoy's schema and load-time checks (a NACK names each violation; Strict-only findings,
// which Envoy accepts with a warning, are logged as warnings), then on ACK the new state of the
// world committed and summarised, and readiness decided.

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"

	"meshward.local/envoy-tools/adsclient"
)

type config struct {
	mu        sync.Mutex
	judged    map[string]judgement // per type: the response being answered
	clusters  map[string]*clusterv3.Cluster
	listeners map[string]*listenerv3.Listener
	endpoints map[string]*endpointv3.ClusterLoadAssignment // by EDS service name
	versions  map[string]string                            // per type: the last version ACKed
	ready     atomic.Bool
}

func newConfig() *config {
	return &config{judged: map[string]judgement{}, clusters: map[string]*clusterv3.Cluster{},
		listeners: map[string]*listenerv3.Listener{}, endpoints: map[string]*endpointv3.ClusterLoadAssignment{},
		versions: map[string]string{}}
}

type judgement struct {
	response adsclient.Response
	results  []adsclient.ResourceResult
}

type xdsLine struct {
	Type          string   `json:"type"`
	TypeURL       string   `json:"type_url"`
	Version       string   `json:"version"`
	Nonce         string   `json:"nonce"`
	ResourceNames []string `json:"resource_names"`
	Error         string   `json:"error,omitempty"`        // NACK: the error_detail sent
	KeptVersion   *string  `json:"kept_version,omitempty"` // NACK: the version still in force
}

// Sent logs each request as it goes on the wire: a stream's first per type or an EDS subscription
// change ("request"), and the ACK or NACK of the response just judged, with its resources.
func (s *standin) Sent(kind, short string, req *discoveryv3.DiscoveryRequest) {
	line := xdsLine{Type: short, TypeURL: req.GetTypeUrl(), Version: req.GetVersionInfo(), Nonce: req.GetResponseNonce(),
		ResourceNames: []string{}}
	if kind == "request" {
		line.ResourceNames = append(line.ResourceNames, req.GetResourceNames()...)
		info("request", line)
		return
	}
	s.config.mu.Lock()
	j := s.config.judged[short]
	kept := s.config.versions[short]
	s.config.mu.Unlock()
	line.Version = j.response.Raw.GetVersionInfo() // the version judged (a NACK carries the one kept)
	for _, res := range j.results {
		line.ResourceNames = append(line.ResourceNames, res.Name)
	}
	if kind == "nack" {
		s.stats.count(s.stats.nacks, short)
		line.Error, line.KeptVersion = req.GetErrorDetail().GetMessage(), &kept
		warn("nack", line)
		return
	}
	s.stats.count(s.stats.acks, short)
	info("ack", line)
	s.commit(j)
}

func (s *standin) Judge(r adsclient.Response) []string {
	results := adsclient.Check(r.TypeURL, r.Resources, adsclient.CheckOptions{Semantics: true, Warnings: true})
	var problems []string
	for _, res := range results {
		for _, e := range res.Errors {
			problems = append(problems, res.Name+": "+e)
		}
		if len(res.Warnings) > 0 {
			warn("resource_warning", struct {
				Type     string   `json:"type"`
				Version  string   `json:"version"`
				Resource string   `json:"resource"`
				Warnings []string `json:"warnings"`
			}{r.Kind, r.Raw.GetVersionInfo(), res.Name, res.Warnings})
		}
	}
	s.config.mu.Lock()
	s.config.judged[r.Kind] = judgement{r, results}
	s.config.mu.Unlock()
	return problems
}

// Answered has nothing left to do: an ACKed response was committed as its ACK went out (Sent),
// so clusters are in place before the EDS request they lead to; a NACKed one is dropped, and the
// last good configuration stays, as in Envoy.
func (s *standin) Answered(adsclient.Response, string) {}

// commit applies an ACKed response (SotW: CDS and LDS replace the whole set) and logs what it means
// for secure naming.
func (s *standin) commit(j judgement) {
	r, results := j.response, j.results
	c := s.config
	c.mu.Lock()
	defer c.mu.Unlock()
	version := r.Raw.GetVersionInfo()
	c.versions[r.Kind] = version
	switch r.Kind {
	case "cds":
		c.clusters = map[string]*clusterv3.Cluster{}
		for _, res := range results {
			c.clusters[res.Name] = res.Msg.(*clusterv3.Cluster)
		}
		live := map[string]bool{}
		for _, name := range sortedKeys(c.clusters) {
			cl := c.clusters[name]
			live[edsName(cl)] = true
			info("upstream", summarizeCluster(cl, c.endpoints[edsName(cl)], "cds", version))
		}
		for name := range c.endpoints {
			if !live[name] {
				delete(c.endpoints, name)
			}
		}
	case "eds":
		for _, res := range results {
			c.endpoints[res.Name] = res.Msg.(*endpointv3.ClusterLoadAssignment)
		}
		for _, name := range sortedKeys(c.clusters) {
			if cl := c.clusters[name]; cl.GetType() == clusterv3.Cluster_EDS && c.endpoints[edsName(cl)] != nil && inResults(results, edsName(cl)) {
				info("upstream", summarizeCluster(cl, c.endpoints[edsName(cl)], "eds", version))
			}
		}
	case "lds":
		c.listeners = map[string]*listenerv3.Listener{}
		for _, res := range results {
			c.listeners[res.Name] = res.Msg.(*listenerv3.Listener)
			info("listener", summarizeListener(c.listeners[res.Name], version))
		}
	}
	s.checkReady()
}

func (s *standin) Warn(msg string) {
	warn("xds_client", struct {
		Detail string `json:"detail"`
	}{msg})
}

func (s *standin) sinceStart() time.Duration { return time.Since(s.started) }

func inResults(results []adsclient.ResourceResult, name string) bool {
	for _, r := range results {
		if r.Name == name {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
