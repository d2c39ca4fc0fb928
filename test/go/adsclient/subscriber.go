package adsclient

// Per-type subscription state and the loop that judges, then ACKs or NACKs, each response.

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	sotw "github.com/envoyproxy/go-control-plane/pkg/client/sotw/v3"
	"google.golang.org/protobuf/proto"
)

// The type URLs the client subscribes to.
const (
	ListenerType = "type.googleapis.com/envoy.config.listener.v3.Listener"
	ClusterType  = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
	EndpointType = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"
)

// grpcInternal is the code Envoy puts in a NACK's error_detail.
const grpcInternal = 13

// subscriber is the client's state for one resource type. It lives as long as the process, across
// streams, like Envoy's per-type subscription state: the ADSClient keeps the last response and
// the version it acknowledged, the subscriber what the package has no API for.
type subscriber struct {
	short   string // lds, cds, eds
	typeURL string
	client  sotw.ADSClient

	mu       sync.Mutex
	accepted string   // version_info of the last response the client ACKed
	names    []string // EDS: the subscribed service names; nil = wildcard (LDS, CDS)
	claimed  *adsStream
	stream   *typeStream
}

// claim marks the subscription as started on stream; false when it already was (the session and
// the CDS loop may both want to start EDS on a fresh stream).
func (s *subscriber) claim(stream *adsStream) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.claimed == stream {
		return false
	}
	s.claimed = stream
	return true
}

func (s *subscriber) setStream(t *typeStream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stream = t
}

func (s *subscriber) current() *typeStream {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stream
}

// stamp completes a request the ADSClient built (node, type URL, nonce, error_detail) with what
// the package cannot express, as Envoy would send it:
//   - resource_names: the package never sets them (wildcard only); EDS needs the cluster names.
//   - version_info: the client's own record of the last accepted version. The package's is the
//     same except after a NACK followed by InitConnect (a reconnect), which promotes the
//     NACKed response to "acked" and would re-send a version Envoy never accepted.
//   - response_nonce: cleared in a stream's first request, as Envoy does on a new stream
//     (nonces are per stream); the package would repeat the previous stream's nonce.
//   - error_detail.code: INTERNAL, as Envoy sets it; the package sets only the message.
func (s *subscriber) stamp(req *discoveryv3.DiscoveryRequest, first bool, warn func(string)) *discoveryv3.DiscoveryRequest {
	out := proto.Clone(req).(*discoveryv3.DiscoveryRequest)
	s.mu.Lock()
	defer s.mu.Unlock()
	out.ResourceNames = slices.Clone(s.names)
	if out.VersionInfo != s.accepted {
		warn(fmt.Sprintf("%s: version_info %q → %q (last accepted)", s.short, out.VersionInfo, s.accepted))
		out.VersionInfo = s.accepted
	}
	if first {
		out.ResponseNonce = ""
	}
	if out.ErrorDetail != nil && out.ErrorDetail.Code == 0 {
		out.ErrorDetail.Code = grpcInternal
	}
	return out
}

// loop judges every response of this type on one stream until the stream ends.
func (s *subscriber) loop(c *Client, stream *adsStream) {
	for {
		resp, err := s.client.Fetch()
		if err != nil {
			return // the stream ended: the session reports why
		}
		raw := s.current().lastReceived()
		r := Response{Kind: s.short, TypeURL: s.typeURL, Raw: raw.resp, Bytes: raw.bytes, Resources: resp.Resources}
		nack := strings.Join(c.hooks.Judge(r), "; ")
		if nack != "" {
			err = s.client.Nack(nack)
		} else {
			s.setAccepted(raw.resp.GetVersionInfo())
			err = s.client.Ack()
			if err == nil && s.typeURL == ClusterType {
				c.clustersAccepted(resp.Resources, stream)
			}
		}
		if err != nil {
			return
		}
		c.hooks.Answered(r, nack)
	}
}

func (s *subscriber) setAccepted(version string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accepted = version
}

func (s *subscriber) hasNames() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.names != nil
}

// setNames records the EDS subscription; false when nothing changed.
func (s *subscriber) setNames(names []string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.names != nil && slices.Equal(s.names, names) {
		return false
	}
	s.names = names
	return true
}

// resubscribe sends a changed EDS subscription on a running stream. ADSClient can only ACK or
// NACK the last response, so this one request goes out on the raw stream, carrying what Envoy
// sends: the new names, the last accepted version and the type's last nonce.
func (s *subscriber) resubscribe(node *corev3.Node, stream *adsStream) {
	t := s.current()
	if t == nil || t.s != stream {
		return // InitConnect on this stream has not opened its view yet: its first request carries the new names
	}
	s.mu.Lock()
	req := &discoveryv3.DiscoveryRequest{
		Node:          node,
		TypeUrl:       s.typeURL,
		ResourceNames: slices.Clone(s.names),
		VersionInfo:   s.accepted,
		ResponseNonce: t.lastReceived().resp.GetNonce(),
	}
	s.mu.Unlock()
	if stream.send(req) == nil {
		stream.hooks.Sent("request", s.short, req)
	}
}
